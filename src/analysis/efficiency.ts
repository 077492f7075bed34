// dive's efficiency metrics, reproduced exactly, computed in one pass over the layers.
//
// dive visits the leaves of every layer's own tree (children first, names in byte order) and, per absolute
// path, adds up a "cumulative" size and keeps a "minimum" size. A whiteout's size is 0, unless the deleted path
// was a directory in the stack below (with a directory header), in which case it is the size of the removed
// subtree. Paths seen in two or more layers are the inefficiencies; wasted bytes are their cumulative sizes.
//
// dive restacks layers 0..i-1 for every whiteout (quadratic); here one stacked tree, in dive's own stacking
// semantics, is carried from layer to layer. dive ignores opaque whiteouts; layerscope counts each lower path an
// opaque directory hides exactly as if the layer had whited it out (what a non-overlay snapshotter writes).
import type {Inefficiency, LayerEntry} from './types.js';
import {type LayerTreeNode, joinPath, sortedChildren, splitPath} from './tree.js';

/** A node of dive's stacked tree: `info` undefined is dive's empty FileInfo (an implicit directory). */
type DiveNode = {
	info: LayerEntry | undefined;
	children: Map<string, DiveNode>;
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

function diveGet(root: DiveNode, path: string): DiveNode | undefined {
	let node: DiveNode | undefined = root;
	for (const part of splitPath(path)) {
		node = node.children.get(part);
		if (node === undefined) {
			return undefined;
		}
	}

	return node;
}

function diveAdd(root: DiveNode, path: string, info: LayerEntry | undefined): void {
	let node = root;
	for (const part of splitPath(path)) {
		let child = node.children.get(part);
		if (child === undefined) {
			child = {info: undefined, children: new Map()};
			node.children.set(part, child);
		}

		node = child;
	}

	// dive replaces the payload and keeps the children, whatever the types.
	node.info = info;
}

function diveRemove(root: DiveNode, path: string): void {
	const parts = splitPath(path);
	const name = parts.pop();
	const parent = diveGet(root, parts.join('/'));
	if (name !== undefined) {
		parent?.children.delete(name);
	}
}

function diveSubtreeSize(node: DiveNode): number {
	let total = node.info?.size ?? 0;
	for (const child of node.children.values()) {
		total += diveSubtreeSize(child);
	}

	return total;
}

/** dive's size for a whiteout of `node`: the removed subtree when it was a directory with a header, else 0. */
function whiteoutSize(node: DiveNode): number {
	return node.info?.type === 'dir' ? diveSubtreeSize(node) : 0;
}

/** Visit nodes children-first in byte order of their keys; stop when `visit` returns false. */
function visitChildFirst(node: LayerTreeNode, visit: (node: LayerTreeNode, key: string) => boolean, key = ''): boolean {
	for (const [childKey, child] of sortedChildren(node)) {
		if (!visitChildFirst(child, visit, childKey)) {
			return false;
		}
	}

	return node.path === '' ? true : visit(node, key);
}

/**
 * Accumulates dive's figures layer by layer (bottom first), so a layer's own tree can be dropped once added.
 * @param ignore paths (absolute, "/a/b") left out of the accounting entirely.
 */
export class EfficiencyAccumulator {
	private readonly stacked: DiveNode = {info: undefined, children: new Map()};
	private readonly data = new Map<string, PathData>();
	private readonly found: Array<{path: string; data: PathData}> = [];
	private layers = 0;

	private readonly ignore: ((path: string) => boolean) | undefined;

	constructor(ignore?: (path: string) => boolean) {
		this.ignore = ignore;
	}

	addLayer(tree: LayerTreeNode): void {
		const {stacked} = this;
		const first = this.layers === 0;
		this.layers++;

		// What an opaque directory hides: every lower path that the layer's directory does not hold again.
		const hideLower = (lower: DiveNode, upper: LayerTreeNode): void => {
			for (const [name, child] of [...lower.children.entries()]) {
				const again = upper.children.get(name);
				if (again === undefined) {
					this.record(joinPath(upper.path, name), whiteoutSize(child));
					lower.children.delete(name);
				} else if (again.children.size > 0) {
					hideLower(child, again);
				}
			}
		};

		visitChildFirst(tree, node => {
			if (node.opaque) {
				const lower = first ? undefined : diveGet(stacked, node.path);
				if (lower !== undefined) {
					hideLower(lower, node);
				}
			}

			return true;
		});

		// dive stops a layer's walk at the first whiteout whose path is missing below it.
		visitChildFirst(tree, (node, key) => {
			if (node.children.size > 0) {
				return true;
			}

			if (key.startsWith('.wh.') && node.entry?.whiteout === true) {
				const lower = first ? undefined : diveGet(stacked, node.path);
				if (lower === undefined) {
					return false;
				}

				this.record(node.path, whiteoutSize(lower));
			} else {
				this.record(node.path, node.entry?.size ?? 0);
			}

			return true;
		});

		visitChildFirst(tree, node => {
			if (node.entry?.whiteout === true) {
				diveRemove(stacked, node.path);
			} else {
				diveAdd(stacked, node.path, node.entry);
			}

			return true;
		});
	}

	result(): EfficiencyResult {
		const {data, found} = this;
	let minimumTotal = 0;
	let cumulativeTotal = 0;
	for (const item of data.values()) {
		minimumTotal += item.minimum;
		cumulativeTotal += item.cumulative;
	}

	// dive sorts ascending (stable for its small lists) and reads the list backwards.
	const ordered = found
		.map((item, order) => ({...item, order}))
		.sort((a, b) => (a.data.cumulative - b.data.cumulative) || (a.order - b.order))
		.reverse();
	let wastedBytes = 0;
	const inefficiencies = ordered.map(({path, data: item}) => {
		wastedBytes += item.cumulative;
		return {path, count: item.count, cumulativeSize: item.cumulative, minimumSize: item.minimum};
	});

	return {
		efficiency: cumulativeTotal === 0 ? 1 : minimumTotal / cumulativeTotal,
		wastedBytes,
		inefficiencies,
	};
	}

	private record(relativePath: string, size: number): void {
		const path = `/${relativePath}`;
		if (this.ignore?.(path) === true) {
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

/** dive's figures for whole list of layer trees, bottom first. */
export function computeEfficiency(layerTrees: readonly LayerTreeNode[], ignore?: (path: string) => boolean): EfficiencyResult {
	const accumulator = new EfficiencyAccumulator(ignore);
	for (const tree of layerTrees) {
		accumulator.addLayer(tree);
	}

	return accumulator.result();
}
