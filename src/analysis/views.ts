// File-tree views of one layer, as the UI shows them: which paths to list, each with a change mark, and the
// directory sizes of what is visible. Pure, and built for large images (≥200k files): one "union" tree of every
// path any layer ever had is built once, flat in typed arrays, in depth-first order with children sorted by name;
// a layer's view is then one linear pass over it, and filtering, hiding and collapsing are further linear passes.
//
// Overlay semantics are those of src/analysis/tree.ts `applyLayer` (opaque directories first, then whiteouts,
// then entries; a directory over a directory keeps its children; anything else replaces the lower node whole;
// missing parents become implicit directories).
//
// Compare modes, as dive's two (its viewmodel "CompareSingleLayer" and "CompareAllLayers"):
// - 'layer': the filesystem of layers 0..i, marked with what layer i did to the filesystem of layers 0..i-1;
//   paths layer i removed stay listed, marked removed.
// - 'aggregated': the filesystem of layers 0..i, marked against layer 0; every path that existed at some point in
//   layers 0..i and is gone at i is listed as removed.
// For layer 0 both modes show layer 0 with everything unmodified (as dive does); its change counts
// (src/analysis/tree.ts LayerChanges) still count every path as added.
// A directory is modified when its own header changed or anything below it changed (dive's "derived" type);
// added and removed directories mark everything below them the same way.
import {sameFile} from './tree.js';
import type {ChangeKind, LayerEntry} from './types.js';

export type CompareMode = 'layer' | 'aggregated';

/** Mark codes in LayerView.mark. 0: the node is not part of the view. */
export const markNone = 0;
export const markUnmodified = 1;
export const markModified = 2;
export const markAdded = 3;
export const markRemoved = 4;

const markKinds: readonly ChangeKind[] = ['unmodified', 'unmodified', 'modified', 'added', 'removed'];

export function markKind(mark: number): ChangeKind {
	return markKinds[mark] ?? 'unmodified';
}

/** Event values: an index into UnionTree.entries, or one of these (so "present" is value >= implicitDir). */
/** A directory that exists without a header of its own. */
export const implicitDir = -1;
/** Nothing there: removed. */
const absent = -2;
/** Nothing there yet. */
const never = -3;

/**
 * Every path any layer ever had, root first, depth first, children in byte order of their names, so the
 * subtree of node n is exactly the nodes n..end[n]-1. Per node, the history of what the stack had there after
 * each layer that touched it (an entry, an implicit directory, or nothing).
 */
export type UnionTree = {
	/** Number of nodes, the root (index 0) included. */
	readonly size: number;
	readonly layerCount: number;
	readonly names: readonly string[];
	/** Absolute paths ("/etc/passwd"; "/" for the root), as dive's filter regex sees them. */
	readonly paths: readonly string[];
	readonly parent: Int32Array;
	/** End (exclusive) of each node's subtree. */
	readonly end: Int32Array;
	readonly depth: Uint16Array;
	/** Entries referenced by the history. */
	readonly entries: readonly LayerEntry[];
	/** entries[i].size, flat (entries come in many shapes, and a view reads the sizes of every node it lists). */
	readonly entrySize: Float64Array;
	/** History of node n: events eventStart[n]..eventStart[n+1]-1, by layer, in order. */
	readonly eventStart: Int32Array;
	readonly eventLayer: Int32Array;
	/** Entry index, implicitDir, or -2 (absent). */
	readonly eventValue: Int32Array;
};

type Builder = {
	ids: Map<string, number>;
	names: string[];
	relPaths: string[];
	parent: number[];
	children: number[][];
	present: number[];
	isDir: number[];
	events: number[][];
	entries: LayerEntry[];
};

function parentPath(path: string): string {
	const slash = path.lastIndexOf('/');
	return slash < 0 ? '' : path.slice(0, slash);
}

function createNode(builder: Builder, path: string, parent: number): number {
	const id = builder.names.length;
	builder.ids.set(path, id);
	builder.names.push(path.slice(path.lastIndexOf('/') + 1));
	builder.relPaths.push(path);
	builder.parent.push(parent);
	builder.children.push([]);
	builder.present.push(0);
	builder.isDir.push(0);
	builder.events.push([]);
	builder.children[parent]!.push(id);
	return id;
}

function record(builder: Builder, id: number, layer: number, value: number): void {
	builder.events[id]!.push(layer, value);
}

/** Every present node of the subtree stops being visible at `layer`. */
function removeSubtree(builder: Builder, id: number, layer: number): void {
	const stack = [id];
	while (stack.length > 0) {
		const node = stack.pop()!;
		if (builder.present[node] === 0) {
			continue;
		}

		builder.present[node] = 0;
		record(builder, node, layer, absent);
		for (const child of builder.children[node]!) {
			if (builder.present[child] === 1) {
				stack.push(child);
			}
		}
	}
}

function removeChildren(builder: Builder, id: number, layer: number): void {
	for (const child of builder.children[id]!) {
		removeSubtree(builder, child, layer);
	}
}

/** applyLayer's parentFor: the directory at `path` exists afterwards, as an implicit one if need be. */
function ensureDir(builder: Builder, path: string, layer: number): number {
	if (path === '') {
		return 0;
	}

	let id = builder.ids.get(path);
	if (id !== undefined && builder.present[id] === 1) {
		if (builder.isDir[id] === 0) {
			builder.isDir[id] = 1;
			record(builder, id, layer, implicitDir);
		}

		return id;
	}

	const parent = ensureDir(builder, parentPath(path), layer);
	id ??= createNode(builder, path, parent);
	builder.present[id] = 1;
	builder.isDir[id] = 1;
	record(builder, id, layer, implicitDir);
	return id;
}

function applyEntries(builder: Builder, entries: readonly LayerEntry[], layer: number): void {
	for (const entry of entries) {
		if (entry.opaque === true) {
			const id = builder.ids.get(entry.path) ?? (entry.path === '' ? 0 : undefined);
			if (id !== undefined && builder.present[id] === 1 && builder.isDir[id] === 1) {
				removeChildren(builder, id, layer);
			}
		}
	}

	for (const entry of entries) {
		if (entry.whiteout === true && entry.path !== '') {
			ensureDir(builder, parentPath(entry.path), layer);
			const id = builder.ids.get(entry.path);
			if (id !== undefined && builder.present[id] === 1) {
				removeSubtree(builder, id, layer);
			}
		}
	}

	for (const entry of entries) {
		if (entry.whiteout === true || entry.opaque === true || entry.path === '') {
			continue;
		}

		const parent = ensureDir(builder, parentPath(entry.path), layer);
		const id = builder.ids.get(entry.path) ?? createNode(builder, entry.path, parent);
		const isDir = entry.type === 'dir' ? 1 : 0;
		if (builder.present[id] === 1 && !(isDir === 1 && builder.isDir[id] === 1)) {
			removeChildren(builder, id, layer);
		}

		builder.present[id] = 1;
		builder.isDir[id] = isDir;
		builder.entries.push(entry);
		record(builder, id, layer, builder.entries.length - 1);
	}
}

function byName(names: readonly string[]) {
	return (a: number, b: number): number => {
		const x = names[a]!;
		const y = names[b]!;
		return x < y ? -1 : (x > y ? 1 : 0);
	};
}

/** Build the union tree of an image's layers (bottom first). Linear in the number of entries (plus a sort). */
export function buildUnionTree(layers: ReadonlyArray<readonly LayerEntry[]>): UnionTree {
	const builder: Builder = {
		ids: new Map([['', 0]]),
		names: [''],
		relPaths: [''],
		parent: [-1],
		children: [[]],
		present: [1],
		isDir: [1],
		events: [[]],
		entries: [],
	};
	for (const [index, entries] of layers.entries()) {
		applyEntries(builder, entries, index);
	}

	// Renumber depth first, children by name.
	const count = builder.names.length;
	const order = new Int32Array(count);
	const newId = new Int32Array(count);
	const compare = byName(builder.names);
	let next = 0;
	const stack = [0];
	while (stack.length > 0) {
		const id = stack.pop()!;
		order[next] = id;
		newId[id] = next;
		next++;
		const children = builder.children[id]!;
		children.sort(compare);
		for (let index = children.length - 1; index >= 0; index--) {
			stack.push(children[index]!);
		}
	}

	const names: string[] = new Array<string>(count);
	const paths: string[] = new Array<string>(count);
	const parent = new Int32Array(count);
	const depth = new Uint16Array(count);
	const end = new Int32Array(count);
	const eventStart = new Int32Array(count + 1);
	let eventCount = 0;
	for (let index = 0; index < count; index++) {
		const id = order[index]!;
		names[index] = builder.names[id]!;
		paths[index] = `/${builder.relPaths[id]!}`;
		const oldParent = builder.parent[id]!;
		parent[index] = oldParent < 0 ? -1 : newId[oldParent]!;
		depth[index] = index === 0 ? 0 : depth[parent[index]!]! + 1;
		eventStart[index] = eventCount;
		eventCount += builder.events[id]!.length / 2;
	}

	eventStart[count] = eventCount;
	const eventLayer = new Int32Array(eventCount);
	const eventValue = new Int32Array(eventCount);
	for (let index = 0; index < count; index++) {
		const events = builder.events[order[index]!]!;
		let at = eventStart[index]!;
		for (let offset = 0; offset < events.length; offset += 2) {
			eventLayer[at] = events[offset]!;
			eventValue[at] = events[offset + 1]!;
			at++;
		}
	}

	// Subtree ends: a node's subtree ends where the next node at its depth or shallower begins.
	for (let index = count - 1; index >= 0; index--) {
		end[index] = index + 1;
	}

	for (let index = count - 1; index > 0; index--) {
		const up = parent[index]!;
		if (end[index]! > end[up]!) {
			end[up] = end[index]!;
		}
	}

	const entrySize = Float64Array.from(builder.entries, entry => entry.size);
	return {size: count, layerCount: layers.length, names, paths, parent, end, depth, entries: builder.entries, entrySize, eventStart, eventLayer, eventValue};
}

/** What the stack had at node n after layer `layer`: an entry index, implicitDir, or a negative "nothing". */
export function stateAt(union: UnionTree, node: number, layer: number): number {
	const first = union.eventStart[node]!;
	for (let event = union.eventStart[node + 1]! - 1; event >= first; event--) {
		if (union.eventLayer[event]! <= layer) {
			return union.eventValue[event]!;
		}
	}

	return never;
}

/** One layer in one compare mode: which nodes are listed, their marks, and the entry each shows. */
export type LayerView = {
	readonly union: UnionTree;
	readonly layer: number;
	readonly mode: CompareMode;
	/** markNone … markRemoved, per union node. */
	readonly mark: Uint8Array;
	/** Entry index (or implicitDir) each listed node shows: the current one, or for a removed node the last. */
	readonly shown: Int32Array;
	/**
	 * Listed nodes per kind, by the definition of a layer's change counts (src/analysis/tree.ts LayerChanges: a
	 * directory marked ~ only because of what changed
	 * beneath it is counted unmodified). In 'layer' mode for layers ≥ 1 these are the layer's change counts; for
	 * layer 0 (shown unmodified, as dive) and in 'aggregated' mode they are another figure: label it as such. In
	 * 'aggregated' mode a path that came after layer 0 and went again is listed (removed) but not counted: the
	 * counts compare with layer 0.
	 */
	readonly counts: Readonly<Record<ChangeKind, number>>;
};

function sameValue(union: UnionTree, a: number, b: number): boolean {
	if (a === b) {
		return true;
	}

	if (a < 0 || b < 0) {
		return false;
	}

	return sameFile(union.entries[a]!, union.entries[b]!);
}

/** The view of layer `layer` in `mode`. One linear pass over the union tree. */
export function layerView(union: UnionTree, layer: number, mode: CompareMode): LayerView {
	if (!Number.isInteger(layer) || layer < 0 || layer >= union.layerCount) {
		throw new RangeError(`no layer ${layer} (the image has ${union.layerCount})`);
	}

	const {size, parent} = union;
	const mark = new Uint8Array(size);
	const shown = new Int32Array(size).fill(never);
	const before = layer === 0 ? 0 : (mode === 'layer' ? layer - 1 : 0);
	const {eventStart, eventLayer, eventValue} = union;
	let transient = 0;
	for (let node = 1; node < size; node++) {
		// stateAt(node, layer), stateAt(node, before) and lastPresent(node, layer) in one walk of the history.
		let after = never;
		let prior = never;
		let last = never;
		let touched = false;
		for (let event = eventStart[node]!, stop = eventStart[node + 1]!; event < stop; event++) {
			const at = eventLayer[event]!;
			if (at > layer) {
				break;
			}

			const value = eventValue[event]!;
			touched = true;
			after = value;
			if (at <= before) {
				prior = value;
			}

			if (value !== absent) {
				last = value;
			}
		}

		const isAfter = after >= implicitDir;
		const isPrior = prior >= implicitDir;
		if (isAfter && isPrior) {
			mark[node] = sameValue(union, prior, after) ? markUnmodified : markModified;
			shown[node] = after;
		} else if (isAfter) {
			mark[node] = markAdded;
			shown[node] = after;
		} else if (isPrior) {
			mark[node] = markRemoved;
			shown[node] = prior;
		} else if (mode === 'aggregated' && touched) {
			// Came after layer 0 and went again: listed as removed (as dive lists it), not a change against layer 0.
			mark[node] = markRemoved;
			shown[node] = last;
			transient++;
		}
	}

	// Counted before directories take on what changed beneath them (as LayerChanges defines the counts).
	const tally = [0, 0, 0, 0, 0];
	for (let node = 1; node < size; node++) {
		tally[mark[node]!] = tally[mark[node]!]! + 1;
	}

	const counts = {unmodified: tally[markUnmodified]!, modified: tally[markModified]!, added: tally[markAdded]!, removed: tally[markRemoved]! - transient};
	// A directory that is there before and after is modified when anything below it changed. Children come after
	// their parent, so one backward pass sees every child (and what it passed up) before its parent.
	for (let node = size - 1; node > 0; node--) {
		if (mark[node]! >= markModified) {
			const up = parent[node]!;
			if (mark[up] === markUnmodified) {
				mark[up] = markModified;
			}
		}
	}

	return {union, layer, mode, mark, shown, counts};
}

/** Which kinds to hide, as dive's Ctrl-A/R/M/U toggles. */
export type HiddenKinds = Readonly<Record<ChangeKind, boolean>>;

export const noneHidden: HiddenKinds = {added: false, removed: false, modified: false, unmodified: false};

/** What remains of a view after hiding kinds and filtering, with the sizes of what is visible. */
export type VisibleTree = {
	readonly view: LayerView;
	readonly visible: Uint8Array;
	/** 1 when the node has at least one visible child. */
	readonly hasChildren: Uint8Array;
	/** 1 when the node is the last visible child of its parent (name order). */
	readonly isLast: Uint8Array;
	/** Size shown for each visible node: a leaf's own size; for a directory, the sum of its visible descendants,
	 * leaving out removed ones unless the directory itself is removed (dive's rule). */
	readonly size: Float64Array;
};

/**
 * A regex match per union node, computed lazily: 0 unknown, 1 match, 2 no match. `literal` is set when the regex
 * matches exactly the paths that contain that text (no syntax, no flags that change matching).
 */
export type MatchCache = {readonly regex: RegExp; readonly literal: string | undefined; readonly result: Uint8Array};

/** The text a regex matches as a plain substring, if it is one ("a\/b" is the source of /a\/b/, which is "a/b"). */
function literalOf(regex: RegExp): string | undefined {
	if (regex.flags !== '' && regex.flags !== 'g') {
		return undefined;
	}

	const text = regex.source.replaceAll('\\/', '/');
	return text === '' || /[\\^$.*+?()[\]{}|]/.test(text) ? undefined : text;
}

export function newMatchCache(union: UnionTree, regex: RegExp): MatchCache {
	return {regex, literal: literalOf(regex), result: new Uint8Array(union.size)};
}

/**
 * A literal filter, cheaply: a path extends its parent's ("/a/b" is "/a" + "/b"), so it contains the text when
 * its parent does, and otherwise only where an occurrence would reach past the parent's path.
 */
function matchesLiteral(union: UnionTree, cache: MatchCache, literal: string, node: number): boolean {
	let known = cache.result[node]!;
	if (known === 0) {
		const up = union.parent[node]!;
		if (up > 0 && matchesLiteral(union, cache, literal, up)) {
			known = 1;
		} else {
			const from = up > 0 ? Math.max(0, union.paths[up]!.length - literal.length + 1) : 0;
			known = union.paths[node]!.includes(literal, from) ? 1 : 2;
		}

		cache.result[node] = known;
	}

	return known === 1;
}

function matches(union: UnionTree, cache: MatchCache, node: number): boolean {
	if (cache.literal !== undefined) {
		return matchesLiteral(union, cache, cache.literal, node);
	}

	let known = cache.result[node]!;
	if (known === 0) {
		cache.regex.lastIndex = 0;
		known = cache.regex.test(union.paths[node]!) ? 1 : 2;
		cache.result[node] = known;
	}

	return known === 1;
}

function entrySize(union: UnionTree, value: number): number {
	return value >= 0 ? union.entrySize[value]! : 0;
}

/** Zeroed temporary sums, reused between calls (a view of 200k nodes would otherwise allocate megabytes per key). */
const scratchBuffers: Float64Array[] = [];
function scratch(slot: number, count: number): Float64Array {
	let buffer = scratchBuffers[slot];
	if (buffer === undefined || buffer.length < count) {
		buffer = new Float64Array(count);
		scratchBuffers[slot] = buffer;
		return buffer;
	}

	buffer.fill(0, 0, count);
	return buffer;
}

/**
 * Hide kinds and filter, as dive does: a node is hidden when its kind is hidden, unless a child is visible; with
 * a filter, a node with no visible child is visible only if its absolute path matches the regex.
 */
export function visibleTree(view: LayerView, hidden: HiddenKinds = noneHidden, filter?: MatchCache): VisibleTree {
	const {union, mark, shown} = view;
	const {size: count, parent} = union;
	const visible = new Uint8Array(count);
	const hasChildren = new Uint8Array(count);
	const isLast = new Uint8Array(count);
	const live = scratch(0, count);
	const all = scratch(1, count);
	const size = new Float64Array(count);
	const hide = [true, hidden.unmodified, hidden.modified, hidden.added, hidden.removed];
	for (let node = count - 1; node > 0; node--) {
		const value = mark[node]!;
		if (value === markNone) {
			continue;
		}

		const withChild = hasChildren[node] === 1;
		let isHidden = hide[value]! && !withChild;
		if (filter !== undefined && !withChild && !isHidden) {
			isHidden = !matches(union, filter, node);
		}

		if (isHidden) {
			continue;
		}

		visible[node] = 1;
		const own = entrySize(union, shown[node]!);
		const allBelow = all[node]! + own;
		const liveBelow = live[node]! + (value === markRemoved ? 0 : own);
		all[node] = allBelow;
		live[node] = liveBelow;
		size[node] = withChild ? (value === markRemoved ? allBelow : liveBelow) : own;
		const up = parent[node]!;
		if (hasChildren[up] === 0) {
			hasChildren[up] = 1;
			isLast[node] = 1;
		}

		all[up] = all[up]! + allBelow;
		live[up] = live[up]! + liveBelow;
	}

	return {view, visible, hasChildren, isLast, size};
}

export type SortOrder = 'name' | 'size';

/** Whether a node is collapsed (only asked about visible directories with visible children). */
export type CollapsedTest = (node: number) => boolean;

/** The rows to draw: visible nodes in tree order, skipping what collapsed directories hold. */
export type TreeRows = {
	readonly tree: VisibleTree;
	readonly order: SortOrder;
	/** Row → union node. */
	readonly nodes: Int32Array;
	readonly count: number;
	/** 1 when the node is the last visible child of its parent in this order. */
	readonly isLast: Uint8Array;
	readonly collapsed: CollapsedTest;
};

/** Children of each visible node, sorted by shown size (largest first; ties by name). */
function sizeSortedChildren(tree: VisibleTree): Map<number, number[]> {
	const {union} = tree.view;
	const kids = new Map<number, number[]>();
	for (let node = 1; node < union.size; node++) {
		if (tree.visible[node] === 1) {
			const up = union.parent[node]!;
			let list = kids.get(up);
			if (list === undefined) {
				list = [];
				kids.set(up, list);
			}

			list.push(node);
		}
	}

	for (const list of kids.values()) {
		list.sort((a, b) => (tree.size[b]! - tree.size[a]!) || (a - b));
	}

	return kids;
}

let scratchRows = new Int32Array(0);

export function treeRows(tree: VisibleTree, collapsed: CollapsedTest, order: SortOrder = 'name'): TreeRows {
	const {union} = tree.view;
	const {visible, hasChildren} = tree;
	const {end} = union;
	// Built in a reused buffer and copied out at its length: a filtered list is often a small part of the tree.
	let nodes = scratchRows;
	if (nodes.length < union.size) {
		nodes = new Int32Array(union.size);
		scratchRows = nodes;
	}

	let count = 0;
	if (order === 'name') {
		let node = 1;
		while (node < union.size) {
			if (visible[node] === 0) {
				node = end[node]!;
				continue;
			}

			nodes[count++] = node;
			node = hasChildren[node] === 1 && collapsed(node) ? end[node]! : node + 1;
		}

		return {tree, order, nodes: nodes.slice(0, count), count, isLast: tree.isLast, collapsed};
	}

	const kids = sizeSortedChildren(tree);
	const isLast = new Uint8Array(union.size);
	for (const list of kids.values()) {
		isLast[list.at(-1)!] = 1;
	}

	const stack: number[] = [...(kids.get(0) ?? [])].reverse();
	while (stack.length > 0) {
		const node = stack.pop()!;
		nodes[count++] = node;
		const list = kids.get(node);
		if (list !== undefined && !collapsed(node)) {
			for (let index = list.length - 1; index >= 0; index--) {
				stack.push(list[index]!);
			}
		}
	}

	return {tree, order, nodes: nodes.slice(0, count), count, isLast, collapsed};
}

/** The row showing `node`, or -1. */
export function rowOf(rows: TreeRows, node: number): number {
	return rows.nodes.indexOf(node);
}

/** The entry a node shows in a view (undefined for an implicit directory or a node not in the view). */
export function shownEntry(view: LayerView, node: number): LayerEntry | undefined {
	const value = view.shown[node]!;
	return value >= 0 ? view.union.entries[value] : undefined;
}

/** True for a node the view shows as a directory (explicit or implicit). */
export function isDirectory(view: LayerView, node: number): boolean {
	const value = view.shown[node]!;
	return value === implicitDir || (value >= 0 && view.union.entries[value]!.type === 'dir');
}
