// dive's efficiency metrics, reproduced exactly, computed in one pass over the layers.
//
// dive visits the leaves of every layer's own tree (children first, names in byte order) and, per absolute
// path, adds up a "cumulative" size and keeps a "minimum" size. A whiteout's size is 0, unless the deleted path
// was a directory in the stack below (with a directory header), in which case it is the size of the removed
// subtree. Paths seen in two or more layers are the inefficiencies; wasted bytes are their cumulative sizes.
//
// dive restacks layers 0..i-1 for every whiteout (quadratic); here one stacked tree, in dive's own stacking
// semantics, is carried from layer to layer. dive ignores opaque whiteouts; layerscope
// counts each lower path an opaque directory hides exactly as if the layer had whited it out (what a
// non-overlay snapshotter writes).
import type {Inefficiency, LayerEntry} from './types.js';
import {joinPath, type LayerTreeNode, sortedKeys, subtreeTotal, whiteoutKeyPrefix} from './tree.js';

/**
 * A node of dive's stacked tree: `info` undefined is dive's empty FileInfo (an implicit directory). The
 * figures of the node's path ride on the node; when the node is removed they wait in the graveyard (by path)
 * until a later layer brings the path back.
 */
type DiveNode = {
	info: LayerEntry | undefined;
	children: Map<string, DiveNode> | undefined;
	data: PathData | undefined;
};

type PathData = {
	count: number;
	cumulative: number;
	minimum: number;
};

export type EfficiencyResult = {
	readonly efficiency: number;
	readonly wastedBytes: number;
	/** Sorted as dive sorts them: largest cumulative size first; ties, the later-found first. */
	readonly inefficiencies: Inefficiency[];
};

/** dive's size for a whiteout of `node`: the removed subtree when it was a directory with a header, else 0. */
function whiteoutSize(node: DiveNode): number {
	return node.info?.type === 'dir' ? subtreeTotal(node, current => current.info?.size ?? 0) : 0;
}

/**
 * Accumulates dive's figures layer by layer (bottom first), so a layer's own tree can be dropped once added.
 * One walk per layer, in dive's visiting order, both records the layer's leaves against the stack below and
 * stacks the layer (dive does these as two walks; they differ only for a layer holding both NAME and
 * .wh.NAME in one directory, which no image builder writes).
 */
export class EfficiencyAccumulator {
	private readonly root: DiveNode = {info: undefined, children: undefined, data: undefined};
	private readonly graveyard = new Map<string, PathData>();
	private readonly all: PathData[] = [];
	private readonly found: Array<{path: string; data: PathData}> = [];
	private readonly ignore: ((path: string) => boolean) | undefined;
	private layers = 0;

	/** @param ignore paths (absolute, "/a/b") left out of the accounting entirely. */
	constructor(ignore?: (path: string) => boolean) {
		this.ignore = ignore;
	}

	addLayer(tree: LayerTreeNode): void {
		const first = this.layers === 0;
		this.layers++;
		if (!first) {
			this.hideOpaque(tree, this.root);
		}

		// dive stops recording a layer at the first whiteout whose path is missing below it.
		let recording = true;
		const descend = (node: LayerTreeNode, dive: DiveNode): void => {
			const {children} = node;
			for (const key of sortedKeys(node)) {
				const child = children!.get(key)!;
				if (child.entry?.whiteout === true && key.startsWith(whiteoutKeyPrefix)) {
					const lower = dive.children?.get(child.name);
					if (recording) {
						if (lower === undefined || first) {
							recording = false;
						} else {
							this.record(lower, child.path, whiteoutSize(lower));
						}
					}

					if (lower !== undefined) {
						this.bury(dive, child.name, child.path, lower);
					}

					continue;
				}

				const next = this.child(dive, child.name, child.path);
				if (child.children !== undefined && child.children.size > 0) {
					descend(child, next);
				} else if (recording) {
					this.record(next, child.path, child.entry?.size ?? 0);
				}

				// dive replaces the payload and keeps the children, whatever the types.
				next.info = child.entry;
			}
		};

		descend(tree, this.root);
	}

	result(): EfficiencyResult {
		let minimumTotal = 0;
		let cumulativeTotal = 0;
		for (const item of this.all) {
			minimumTotal += item.minimum;
			cumulativeTotal += item.cumulative;
		}

		// dive sorts ascending (stable for its small lists) and reads the list backwards.
		const {found} = this;
		const order = found.map((_, index) => index);
		order.sort((a, b) => (found[a]!.data.cumulative - found[b]!.data.cumulative) || (a - b));
		let wastedBytes = 0;
		const inefficiencies: Inefficiency[] = [];
		for (let index = order.length - 1; index >= 0; index--) {
			const {path, data: item} = found[order[index]!]!;
			wastedBytes += item.cumulative;
			inefficiencies.push({path: `/${path}`, count: item.count, cumulativeSize: item.cumulative, minimumSize: item.minimum});
		}

		return {
			efficiency: cumulativeTotal === 0 ? 1 : minimumTotal / cumulativeTotal,
			wastedBytes,
			inefficiencies,
		};
	}

	/** What an opaque directory hides: every lower path that the layer's directory does not hold again. */
	private hideOpaque(node: LayerTreeNode, dive: DiveNode | undefined, inOpaque = false): void {
		if (node.children === undefined || dive === undefined) {
			return;
		}

		// Below an opaque directory nothing of the lower layers shows through, at any depth.
		const hiding = inOpaque || node.opaque;
		if (hiding && dive.children !== undefined) {
			for (const [name, lower] of [...dive.children]) {
				if (!node.children.has(name)) {
					const path = joinPath(node.path, name);
					this.record(lower, path, whiteoutSize(lower));
					this.bury(dive, name, path, lower);
				}
			}
		}

		for (const [key, child] of node.children) {
			if (key === child.name) {
				this.hideOpaque(child, dive.children?.get(key), hiding);
			}
		}
	}

	private child(parent: DiveNode, name: string, path: string): DiveNode {
		parent.children ??= new Map();
		let node = parent.children.get(name);
		if (node === undefined) {
			let data: PathData | undefined;
			if (this.graveyard.size > 0) {
				data = this.graveyard.get(path);
				this.graveyard.delete(path);
			}

			node = {info: undefined, children: undefined, data};
			parent.children.set(name, node);
		}

		return node;
	}

	/** Remove a node from the stack; the figures of its subtree's paths wait in the graveyard. */
	private bury(parent: DiveNode, name: string, path: string, node: DiveNode): void {
		parent.children?.delete(name);
		const visit = (current: DiveNode, currentPath: string): void => {
			if (current.data !== undefined) {
				this.graveyard.set(currentPath, current.data);
			}

			if (current.children !== undefined) {
				for (const [childName, child] of current.children) {
					visit(child, `${currentPath}/${childName}`);
				}
			}
		};

		visit(node, path);
	}

	private record(node: DiveNode, path: string, size: number): void {
		if (this.ignore?.(`/${path}`) === true) {
			return;
		}

		let item = node.data;
		if (item === undefined) {
			item = {count: 0, cumulative: 0, minimum: -1};
			node.data = item;
			this.all.push(item);
		}

		item.count++;
		item.cumulative += size;
		if (item.minimum < 0 || size < item.minimum) {
			item.minimum = size;
		}

		if (item.count === 2) {
			this.found.push({path, data: item});
		}
	}
}

/** dive's figures for a whole list of layer trees, bottom first. */
export function computeEfficiency(layerTrees: readonly LayerTreeNode[], ignore?: (path: string) => boolean): EfficiencyResult {
	const accumulator = new EfficiencyAccumulator(ignore);
	for (const tree of layerTrees) {
		accumulator.addLayer(tree);
	}

	return accumulator.result();
}
