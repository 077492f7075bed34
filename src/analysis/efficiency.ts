// dive's efficiency metrics, reproduced exactly, computed in one pass over the layers.
//
// dive visits the leaves of every layer's own tree (children first, names in byte order) and, per absolute
// path, adds up a "cumulative" size and keeps a "minimum" size. A whiteout's size is 0, unless the deleted path
// was a directory in the stack below (with a directory header), in which case it is the size of the removed
// subtree. Paths seen in two or more layers are the inefficiencies; wasted bytes are their cumulative sizes.
//
// dive restacks layers 0..i-1 for every whiteout (quadratic); here one stacked tree, in dive's own stacking
// semantics and indexed by path, is carried from layer to layer. dive ignores opaque whiteouts; layerscope
// counts each lower path an opaque directory hides exactly as if the layer had whited it out (what a
// non-overlay snapshotter writes).
import type {Inefficiency, LayerEntry} from './types.js';
import {childFirstOrder, joinPath, type LayerTreeNode, whiteoutKeyPrefix} from './tree.js';

/** A node of dive's stacked tree: `info` undefined is dive's empty FileInfo (an implicit directory). */
type DiveNode = {
	info: LayerEntry | undefined;
	children: Map<string, DiveNode> | undefined;
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

function subtreeSize(node: DiveNode): number {
	let total = node.info?.size ?? 0;
	if (node.children !== undefined) {
		for (const child of node.children.values()) {
			total += subtreeSize(child);
		}
	}

	return total;
}

/** dive's size for a whiteout of `node`: the removed subtree when it was a directory with a header, else 0. */
function whiteoutSize(node: DiveNode): number {
	return node.info?.type === 'dir' ? subtreeSize(node) : 0;
}

function parentPath(path: string): string {
	const slash = path.lastIndexOf('/');
	return slash < 0 ? '' : path.slice(0, slash);
}

function baseName(path: string): string {
	return path.slice(path.lastIndexOf('/') + 1);
}

/** dive's stacked tree, with every node also reachable by its path. */
class DiveStack {
	private readonly root: DiveNode = {info: undefined, children: undefined};
	private readonly index = new Map<string, DiveNode>([['', this.root]]);

	get(path: string): DiveNode | undefined {
		return this.index.get(path);
	}

	/** dive's AddPath: creates missing parents, then replaces the payload and keeps the children, whatever the types. */
	add(path: string, info: LayerEntry | undefined): void {
		this.ensure(path).info = info;
	}

	remove(path: string): void {
		const node = this.index.get(path);
		if (node === undefined || path === '') {
			return;
		}

		this.index.get(parentPath(path))?.children?.delete(baseName(path));
		this.unindex(path, node);
	}

	private ensure(path: string): DiveNode {
		let node = this.index.get(path);
		if (node === undefined) {
			const parent = this.ensure(parentPath(path));
			node = {info: undefined, children: undefined};
			parent.children ??= new Map();
			parent.children.set(baseName(path), node);
			this.index.set(path, node);
		}

		return node;
	}

	private unindex(path: string, node: DiveNode): void {
		this.index.delete(path);
		if (node.children !== undefined) {
			for (const [name, child] of node.children) {
				this.unindex(`${path}/${name}`, child);
			}
		}
	}
}

/**
 * Accumulates dive's figures layer by layer (bottom first), so a layer's own tree can be dropped once added.
 */
export class EfficiencyAccumulator {
	private readonly stacked = new DiveStack();
	private readonly data = new Map<string, PathData>();
	private readonly found: Array<{path: string; data: PathData}> = [];
	private readonly ignore: ((path: string) => boolean) | undefined;
	private layers = 0;

	/** @param ignore paths (absolute, "/a/b") left out of the accounting entirely. */
	constructor(ignore?: (path: string) => boolean) {
		this.ignore = ignore;
	}

	addLayer(tree: LayerTreeNode): void {
		const {stacked} = this;
		const first = this.layers === 0;
		this.layers++;
		const order = childFirstOrder(tree);

		// What an opaque directory hides: every lower path that the layer's directory does not hold again.
		const hideLower = (lower: DiveNode, upper: LayerTreeNode): void => {
			if (lower.children === undefined) {
				return;
			}

			for (const [name, child] of [...lower.children]) {
				const again = upper.children?.get(name);
				const path = joinPath(upper.path, name);
				if (again === undefined) {
					this.record(path, whiteoutSize(child));
					stacked.remove(path);
				} else if (again.children !== undefined) {
					hideLower(child, again);
				}
			}
		};

		for (const [, node] of order) {
			if (node.opaque && !first) {
				const lower = stacked.get(node.path);
				if (lower !== undefined) {
					hideLower(lower, node);
				}
			}
		}

		// dive stops a layer's walk at the first whiteout whose path is missing below it.
		for (const [key, node] of order) {
			if (node.children !== undefined && node.children.size > 0) {
				continue;
			}

			if (node.entry?.whiteout === true && key.startsWith(whiteoutKeyPrefix)) {
				const lower = first ? undefined : stacked.get(node.path);
				if (lower === undefined) {
					break;
				}

				this.record(node.path, whiteoutSize(lower));
			} else {
				this.record(node.path, node.entry?.size ?? 0);
			}
		}

		for (const [, node] of order) {
			if (node.entry?.whiteout === true) {
				stacked.remove(node.path);
			} else {
				stacked.add(node.path, node.entry);
			}
		}
	}

	result(): EfficiencyResult {
		let minimumTotal = 0;
		let cumulativeTotal = 0;
		for (const item of this.data.values()) {
			minimumTotal += item.minimum;
			cumulativeTotal += item.cumulative;
		}

		// dive sorts ascending (stable for its small lists) and reads the list backwards.
		const ordered = this.found
			.map((item, order) => ({...item, order}))
			.sort((a, b) => (a.data.cumulative - b.data.cumulative) || (a.order - b.order))
			.reverse();
		let wastedBytes = 0;
		const inefficiencies = ordered.map(({path, data: item}) => {
			wastedBytes += item.cumulative;
			return {path: `/${path}`, count: item.count, cumulativeSize: item.cumulative, minimumSize: item.minimum};
		});

		return {
			efficiency: cumulativeTotal === 0 ? 1 : minimumTotal / cumulativeTotal,
			wastedBytes,
			inefficiencies,
		};
	}

	/** Keyed by the relative path (no new string per leaf); made absolute only for the results. */
	private record(path: string, size: number): void {
		if (this.ignore?.(`/${path}`) === true) {
			return;
		}

		let item = this.data.get(path);
		if (item === undefined) {
			item = {count: 0, cumulative: 0, minimum: -1};
			this.data.set(path, item);
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
