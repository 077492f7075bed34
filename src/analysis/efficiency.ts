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
	/** The copy-on-write generation that owns the node (see fork); 0: never forked. */
	gen: number;
};

type PathData = {
	count: number;
	cumulative: number;
	minimum: number;
	/** Which path's figures these are (a copy keeps it): the key of `found`. */
	readonly id: number;
	/** The generation that owns these figures (a fork copies them before changing them). */
	gen: number;
};

/** A path found in two or more layers, in the order found. */
type Found = {readonly path: string; readonly data: PathData};

export type EfficiencyResult = {
	readonly efficiency: number;
	readonly wastedBytes: number;
	/** Sorted as dive sorts them: largest cumulative size first; ties, the later-found first. */
	readonly inefficiencies: Inefficiency[];
};

/** Generations of forked accumulators (0: never forked). */
let forks = 0;

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
	private root: DiveNode = {info: undefined, children: undefined, data: undefined, gen: 0};
	private graveyard = new Map<string, PathData>();
	/** By PathData id, in the order found (a copy of the figures takes its original's place). */
	private found = new Map<number, Found>();
	private readonly ignore: ((path: string) => boolean) | undefined;
	private layers = 0;
	/** Σ minimum and Σ cumulative over every path's figures. */
	private minimumTotal = 0;
	private cumulativeTotal = 0;
	private paths = 0;
	/** This accumulator's generation (fork). */
	private gen = 0;

	/** @param ignore paths (absolute, "/a/b") left out of the accounting entirely. */
	constructor(ignore?: (path: string) => boolean) {
		this.ignore = ignore;
	}

	/**
	 * An accumulator that goes on from this one's layers (copy on write: the stacked tree is shared until one of the
	 * two changes a path). Both may take further layers; each sees only its own.
	 */
	fork(): EfficiencyAccumulator {
		const copy = new EfficiencyAccumulator(this.ignore);
		// Both go on in generations of their own: the nodes and figures so far are shared, never changed in place.
		copy.gen = ++forks;
		copy.root = copy.copyNode(this.root);
		copy.graveyard = new Map(this.graveyard);
		copy.found = new Map(this.found);
		copy.layers = this.layers;
		copy.minimumTotal = this.minimumTotal;
		copy.cumulativeTotal = this.cumulativeTotal;
		copy.paths = this.paths;
		this.gen = ++forks;
		this.root = this.copyNode(this.root);
		return copy;
	}

	/** A node for this generation: its children map and figures copied (the children themselves shared). */
	private copyNode(node: DiveNode): DiveNode {
		return {info: node.info, children: node.children === undefined ? undefined : new Map(node.children), data: node.data === undefined ? undefined : this.ownData(node.data), gen: this.gen};
	}

	/** Figures this generation may change: `data`, or a copy that takes its place in `found`. */
	private ownData(data: PathData): PathData {
		if (data.gen === this.gen) {
			return data;
		}

		const copy: PathData = {count: data.count, cumulative: data.cumulative, minimum: data.minimum, id: data.id, gen: this.gen};
		const found = this.found.get(data.id);
		if (found !== undefined) {
			this.found.set(data.id, {path: found.path, data: copy});
		}

		return copy;
	}

	/** `parent`'s child `name` (parent owned by this generation), copied into `parent` first when it is not. */
	private own(parent: DiveNode, name: string, node: DiveNode): DiveNode {
		if (node.gen === this.gen) {
			return node;
		}

		const copy = this.copyNode(node);
		parent.children!.set(name, copy);
		return copy;
	}

	/** @param tree the layer's own tree (buildLayerTree's: its `opaques` count spares a walk when there are none). */
	addLayer(tree: LayerTreeNode & {readonly opaques?: number}): void {
		const first = this.layers === 0;
		this.layers++;
		if (!first && tree.opaques !== 0) {
			this.hideOpaque(tree, this.root);
		}

		// dive stops recording a layer at the first whiteout whose path is missing below it.
		let recording = true;
		const descend = (node: LayerTreeNode, dive: DiveNode): void => {
			const {children} = node;
			for (const key of sortedKeys(node)) {
				const child = children!.get(key)!;
				if (child.entry?.whiteout === true && key.startsWith(whiteoutKeyPrefix)) {
					let lower = dive.children?.get(child.name);
					if (lower !== undefined) {
						lower = this.own(dive, child.name, lower);
					}

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

	/** result()'s efficiency and wasted bytes, without its list of paths (nothing sorted). */
	totals(): Omit<EfficiencyResult, 'inefficiencies'> {
		let wastedBytes = 0;
		for (const {data} of this.found.values()) {
			wastedBytes += data.cumulative;
		}

		// Σ minimum / Σ cumulative over every path; 1 when nothing was seen.
		return {efficiency: this.cumulativeTotal === 0 ? 1 : this.minimumTotal / this.cumulativeTotal, wastedBytes};
	}

	result(): EfficiencyResult {
		// dive sorts ascending (stable for its small lists) and reads the list backwards.
		const found = [...this.found.values()];
		const order = found.map((_, index) => index);
		order.sort((a, b) => (found[a]!.data.cumulative - found[b]!.data.cumulative) || (a - b));
		const inefficiencies: Inefficiency[] = [];
		for (let index = order.length - 1; index >= 0; index--) {
			const {path, data: item} = found[order[index]!]!;
			inefficiencies.push({path: `/${path}`, count: item.count, cumulativeSize: item.cumulative, minimumSize: item.minimum});
		}

		return {...this.totals(), inefficiencies};
	}

	/**
	 * What an opaque directory hides: every lower path that the layer's directory does not hold again. `dive` is
	 * owned by this generation (and each node it descends to is made so).
	 */
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
					const owned = this.own(dive, name, lower);
					this.record(owned, path, whiteoutSize(owned));
					this.bury(dive, name, path, owned);
				}
			}
		}

		for (const [key, child] of node.children) {
			const lower = key === child.name ? dive.children?.get(key) : undefined;
			if (lower !== undefined && child.children !== undefined) {
				this.hideOpaque(child, this.own(dive, key, lower), hiding);
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

			node = {info: undefined, children: undefined, data: data === undefined ? undefined : this.ownData(data), gen: this.gen};
			parent.children.set(name, node);
		} else if (node.gen !== this.gen) {
			node = this.own(parent, name, node);
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
			item = {count: 0, cumulative: 0, minimum: -1, id: ++this.paths, gen: this.gen};
			node.data = item;
		}

		item.count++;
		item.cumulative += size;
		this.cumulativeTotal += size;
		if (item.minimum < 0 || size < item.minimum) {
			this.minimumTotal += size - Math.max(item.minimum, 0);
			item.minimum = size;
		}

		if (item.count === 2) {
			this.found.set(item.id, {path, data: item});
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
