// File trees: one layer's own tree, and the filesystem a stack of layers produces (overlay semantics).
import {type ChangeKind, type LayerContentsSummary, type LayerEntry, summarizeEntries} from './types.js';

/** A node of a file tree. `entry` is undefined for a directory that had no header of its own (implicit). */
export type FileNode = {
	readonly name: string;
	/** Relative path without leading slash; '' for the root. */
	readonly path: string;
	entry: LayerEntry | undefined;
	/** Present on directories (explicit or implicit). */
	children: Map<string, FileNode> | undefined;
	/** Which applyLayer call created the node (for the change counts; 0: none). */
	born: number;
	/**
	 * The copy-on-write generation that owns the node (forkTree): an applyLayer of another generation copies the
	 * node (and the nodes above it) before changing it. 0: the tree's own, never forked.
	 */
	gen: number;
};

export function newRoot(): FileNode {
	return {name: '', path: '', entry: undefined, children: new Map(), born: 0, gen: 0};
}

let generations = 0;

/**
 * A copy of the filesystem `root` that shares every node with it until applyLayer(…, gen) changes it: nodes on the
 * way to a change are copied (a directory's children map too), the rest stay shared. The original must not be
 * changed afterwards (fork it too). Returns the copy's root and its generation, to pass to applyLayer.
 */
export function forkTree(root: FileNode): {root: FileNode; gen: number} {
	const gen = ++generations;
	return {root: copyNode(root, gen), gen};
}

function copyNode(node: FileNode, gen: number): FileNode {
	return {name: node.name, path: node.path, entry: node.entry, children: node.children === undefined ? undefined : new Map(node.children), born: node.born, gen};
}

/** `parent`'s child `name` (parent owned by `gen`), copied into `parent` first when another generation owns it. */
function ownChild(parent: FileNode, name: string, child: FileNode, gen: number): FileNode {
	if (child.gen === gen) {
		return child;
	}

	const copy = copyNode(child, gen);
	parent.children!.set(name, copy);
	return copy;
}

/** getNode for a change: every node on the way is owned by `gen` (copied when it was not). */
function ownedNode(root: FileNode, path: string, gen: number): FileNode | undefined {
	let node: FileNode = root;
	for (const part of splitPath(path)) {
		const child = node.children?.get(part);
		if (child === undefined) {
			return undefined;
		}

		node = ownChild(node, part, child, gen);
	}

	return node;
}

export function isDirNode(node: FileNode): boolean {
	return node.entry === undefined || node.entry.type === 'dir';
}

export function splitPath(path: string): string[] {
	return path === '' ? [] : path.split('/');
}

export function joinPath(parent: string, name: string): string {
	return parent === '' ? name : `${parent}/${name}`;
}

export function getNode(root: FileNode, path: string): FileNode | undefined {
	let node: FileNode | undefined = root;
	for (const part of splitPath(path)) {
		node = node.children?.get(part);
		if (node === undefined) {
			return undefined;
		}
	}

	return node;
}

/**
 * Find or create the directory that holds `path`, creating implicit directories on the way; `tally` hears of each
 * node created or turned into an implicit directory.
 */
function parentFor(root: FileNode, path: string, tally?: ChangeTally, gen = 0): {parent: FileNode; name: string} {
	const slash = path.lastIndexOf('/');
	const name = slash < 0 ? path : path.slice(slash + 1);
	let node = root;
	for (const part of slash < 0 ? [] : path.slice(0, slash).split('/')) {
		node.children ??= new Map();
		let child = node.children.get(part);
		if (child === undefined) {
			child = {name: part, path: joinPath(node.path, part), entry: undefined, children: new Map(), born: 0, gen};
			node.children.set(part, child);
			tally?.created(child);
		} else if ((child = ownChild(node, part, child, gen)).children === undefined) {
			// A non-directory in the way: the layer implies a directory here.
			tally?.changed(child, 'implicit');
			child.children = new Map();
			child.entry = undefined;
		}

		node = child;
	}

	node.children ??= new Map();
	return {parent: node, name};
}

/**
 * Whether `path`, whose last '/' is at `slash` (-1: none), lies directly in directory `dir` ('' for the root):
 * the test for "same parent as the last entry" without cutting a string per entry.
 */
function inDir(path: string, slash: number, dir: string): boolean {
	return slash < 0 ? dir === '' : slash === dir.length && path.startsWith(dir);
}

/** Sum of `own(node)` over a subtree, the node itself included (for any tree of children maps). */
export function subtreeTotal<T extends {children: Map<string, T> | undefined}>(node: T, own: (node: T) => number): number {
	let total = own(node);
	if (node.children !== undefined) {
		for (const child of node.children.values()) {
			total += subtreeTotal(child, own);
		}
	}

	return total;
}

/** Sum of entry sizes over a subtree (the node itself included). */
export function subtreeSize(node: FileNode): number {
	return subtreeTotal(node, current => current.entry?.size ?? 0);
}

export function countNodes(node: FileNode): number {
	let total = 0;
	if (node.children !== undefined) {
		for (const child of node.children.values()) {
			total += 1 + countNodes(child);
		}
	}

	return total;
}

/**
 * The analysis budget for paths: the code units (bytes, for ASCII names) of every tree node's path, summed over
 * the nodes a tree build creates. A normal image holds tens of MB of them (a million files of ~60-byte paths); an
 * image of N files each under its own chain of D directories holds O(N · D²) (5,000 files 61 deep with 60-byte
 * names: 576 MB of paths across 305,000 nodes, ~420 MB RSS to analyse), each name under Linux's 4096-byte limit.
 * Over the budget the build stops with PathBudgetError (one line) instead of growing toward gigabytes.
 */
export const pathBudgetBytes = 512 * 1024 * 1024;

/** The one-line refusal of an image whose tree paths exceed the budget. */
export class PathBudgetError extends Error {}

/** Counts path bytes across the nodes of one image's trees (see pathBudgetBytes). */
export class PathBudget {
	readonly limit: number;
	private spent = 0;

	constructor(limit = pathBudgetBytes) {
		this.limit = limit;
	}

	/** A budget that goes on from what this one has spent (for a forked analysis). */
	copy(): PathBudget {
		const copy = new PathBudget(this.limit);
		copy.spent = this.spent;
		return copy;
	}

	/** A node at `path` was created; throws PathBudgetError once the total passes the limit. */
	spend(path: string): void {
		this.spent += path.length;
		if (this.spent > this.limit) {
			throw new PathBudgetError(`the image's paths add up to over ${Math.round(this.limit / (1024 * 1024))} MiB across its tree nodes (deep, long paths); over the analysis budget`);
		}
	}
}

/** Called for every path a layer touches while it is stacked. */
export type StackObserver = (path: string, kind: Exclude<ChangeKind, 'unmodified'> | 'unmodified', lower: FileNode | undefined) => void;

/**
 * Whether two entries at one path are the same file: layerscope's one definition of "unmodified", used by the
 * per-layer change counts, the tree marks, the container diff and compare. Same type, content, mode (permission
 * and setuid/setgid/sticky bits), uid, gid and link target. This is dive's FileInfo.Compare (type flag, xxhash of
 * the content, mode, uid, gid) plus the link target. The mtime is not compared: rewriting identical bytes leaves a
 * file unmodified.
 *
 * Content is compared by `digest` when both entries have one ("xxh64:…" or "sha256:…"; two different algorithms
 * never match). When either has none, the content is unknown (non-files, readers or caches without digests, a
 * container's tar header), and equal sizes count as the same content.
 */
export function sameFile(a: LayerEntry, b: LayerEntry): boolean {
	if (a.type !== b.type || a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || (a.linkTarget ?? '') !== (b.linkTarget ?? '')) {
		return false;
	}

	return a.digest !== undefined && b.digest !== undefined ? a.digest === b.digest : a.size === b.size;
}

/**
 * What one layer did to the filesystem of the layers below it: layerscope's one definition of a layer's
 * "+added ~modified -removed", shown by the text report, the JSON export, the TUI and `diff`. The filesystems
 * before and after the layer (the one below is empty for layer 0) are compared path by path, directories
 * (explicit or implicit) included:
 * - added: a path there after the layer that was not there before;
 * - removed: a path there before that is not after; each path below a removed directory counts too;
 * - modified: a path there before and after that is not the same file (`sameFile`: type, content digest, mode,
 *   uid, gid, link target; an implicit directory is the same only as an implicit one). A directory counts for its
 *   own header only: one whose header stayed, beneath which something changed, is marked ~ in the tree (as dive
 *   marks it) but not counted.
 * A path the layer touches twice (whited out and added back) counts by its net effect.
 */
export type LayerChanges = {added: number; modified: number; removed: number};

/** What a path holds, for the change counts: an entry, an implicit directory, or nothing (null). */
type PathState = LayerEntry | 'implicit' | null;

function stateOf(node: FileNode): PathState {
	return node.entry ?? 'implicit';
}

let tallies = 0;

/**
 * The change counts of one layer as it is applied. A node the layer creates is an addition (marked with the
 * tally's serial, so that removing it again in the same layer takes it back); for the paths that were there
 * before, the first "before" and the last "after" state are kept and compared at the end. So the memory is
 * proportional to the lower paths the layer touches, not to what it adds.
 */
class ChangeTally {
	readonly serial = ++tallies;
	private added = 0;
	private readonly before = new Map<string, PathState>();
	private readonly after = new Map<string, PathState>();

	private readonly budget: PathBudget | undefined;

	constructor(budget?: PathBudget) {
		this.budget = budget;
	}

	/** `node` was just created at its path. */
	created(node: FileNode): void {
		this.budget?.spend(node.path);
		// `before` is empty for a layer that only adds: no hashing of the path (hashing a deep path built by
		// joinPath flattens it, a copy of the whole path per node: O(depth²) bytes a branch).
		if (this.before.size > 0 && this.before.has(node.path)) {
			// There before, gone, and back within the layer: compared with what was there.
			this.after.set(node.path, stateOf(node));
		} else {
			node.born = this.serial;
			this.added++;
		}
	}

	/** `node` (still there) is about to change to `now`. */
	changed(node: FileNode, now: PathState): void {
		if (node.born !== this.serial) {
			this.touch(node.path, stateOf(node), now);
		}
	}

	/** Every node of a subtree stops being visible. An explicit stack: no recursion a deep path could overflow. */
	removed(node: FileNode): void {
		const stack = [node];
		while (stack.length > 0) {
			const current = stack.pop()!;
			if (current.born === this.serial) {
				this.added--;
			} else {
				this.touch(current.path, stateOf(current), null);
			}

			if (current.children !== undefined) {
				for (const child of current.children.values()) {
					stack.push(child);
				}
			}
		}
	}

	counts(): LayerChanges {
		const changes: LayerChanges = {added: this.added, modified: 0, removed: 0};
		for (const [path, was] of this.before) {
			const now = this.after.get(path)!;
			if (was === null) {
				changes.added += now === null ? 0 : 1;
			} else if (now === null) {
				changes.removed++;
			} else if (was === 'implicit' || now === 'implicit' ? was !== now : !sameFile(was, now)) {
				changes.modified++;
			}
		}

		return changes;
	}

	private touch(path: string, was: PathState, now: PathState): void {
		if (path === '') {
			return;
		}

		if (!this.before.has(path)) {
			this.before.set(path, was);
		}

		this.after.set(path, now);
	}
}

/**
 * Apply one layer onto `root` in place, as overlayfs/containerd do: opaque directories first drop their lower
 * contents, whiteouts delete lower paths (wherever they appear in the tar), then entries are added; a directory
 * over a directory keeps the lower children, anything else replaces the lower node whole. Returns the layer's
 * change counts (LayerChanges). `observe` sees each path the layer's entries name; `onDrop` receives every lower
 * node (file or subtree root) that stops being visible.
 */
export function applyLayer(
	root: FileNode,
	entries: readonly LayerEntry[],
	observe?: StackObserver,
	onDrop?: (node: FileNode) => void,
	summary: LayerContentsSummary = summarizeEntries(entries),
	budget?: PathBudget,
	gen = 0,
): LayerChanges {
	const tally = new ChangeTally(budget);

	const note = (path: string, kind: ChangeKind, lower: FileNode | undefined): void => {
		observe?.(path, kind, lower);
	};
	// Lower nodes an opaque directory hides, by path: what the layer puts back is compared with them.
	let hidden: Map<string, FileNode> | undefined;
	const collect = (node: FileNode): void => {
		hidden!.set(node.path, node);
		if (node.children !== undefined) {
			for (const child of node.children.values()) {
				collect(child);
			}
		}
	};

	for (const entry of summary.opaques === 0 ? [] : entries) {
		if (entry.opaque === true) {
			const dir = ownedNode(root, entry.path, gen);
			if (dir?.children !== undefined) {
				hidden ??= new Map();
				for (const child of dir.children.values()) {
					onDrop?.(child);
					collect(child);
					tally.removed(child);
				}

				dir.children = new Map();
			}
		}
	}

	for (const entry of summary.whiteouts === 0 ? [] : entries) {
		if (entry.whiteout === true) {
			const {parent, name} = parentFor(root, entry.path, tally, gen);
			const lower = parent.children?.get(name);
			if (lower !== undefined) {
				onDrop?.(lower);
				tally.removed(lower);
				parent.children?.delete(name);
				note(entry.path, 'removed', lower);
			}
		}
	}

	let cachedDir: string | undefined;
	let cachedParent: FileNode | undefined;
	for (const entry of entries) {
		if (entry.whiteout === true || entry.opaque === true) {
			continue;
		}

		if (entry.path === '') {
			root.entry = entry; // The root is no path of the counts.
			continue;
		}

		const slash = entry.path.lastIndexOf('/');
		let parent: FileNode;
		if (cachedParent !== undefined && inDir(entry.path, slash, cachedDir!)) {
			parent = cachedParent;
		} else {
			parent = parentFor(root, entry.path, tally, gen).parent;
			cachedDir = slash < 0 ? '' : entry.path.slice(0, slash);
			cachedParent = parent;
		}

		const name = slash < 0 ? entry.path : entry.path.slice(slash + 1);
		const children = parent.children!;
		const lower = children.get(name);
		if (lower === undefined) {
			const node: FileNode = {name, path: entry.path, entry, children: entry.type === 'dir' ? new Map() : undefined, born: 0, gen};
			children.set(name, node);
			tally.created(node);
			const shadowed = hidden?.get(entry.path);
			if (shadowed === undefined) {
				note(entry.path, 'added', undefined);
			} else {
				hidden!.delete(entry.path);
				const same = shadowed.entry !== undefined && sameFile(shadowed.entry, entry);
				note(entry.path, same ? 'unmodified' : 'modified', shadowed);
			}

			continue;
		}

		let kind: ChangeKind = 'modified';
		if (lower.entry !== undefined && sameFile(lower.entry, entry)) {
			kind = 'unmodified';
		} else if (lower.entry === undefined && entry.type === 'dir') {
			kind = 'added';
		}

		note(entry.path, kind, lower);
		if (entry.type === 'dir' && lower.children !== undefined) {
			tally.changed(lower, entry);
			ownChild(parent, name, lower, gen).entry = entry;
			continue;
		}

		onDrop?.(lower);
		tally.removed(lower);
		if (lower.children !== undefined) {
			cachedParent = undefined; // The cached directory may have been below the replaced one.
		}

		const node: FileNode = {name, path: entry.path, entry, children: entry.type === 'dir' ? new Map() : undefined, born: 0, gen};
		children.set(name, node);
		tally.created(node);
	}

	if (hidden !== undefined) {
		for (const [path, node] of hidden) {
			const slash = path.lastIndexOf('/');
			if (slash < 0 || !hidden.has(path.slice(0, slash))) {
				note(path, 'removed', node);
			}
		}
	}

	return tally.counts();
}

/**
 * The filesystem after stacking `layers` (each a list of entries) from the bottom. Throws PathBudgetError when
 * the nodes' paths exceed `budget` (default: pathBudgetBytes for the whole stack).
 */
export function stackLayers(layers: ReadonlyArray<readonly LayerEntry[]>, budget = new PathBudget()): FileNode {
	const root = newRoot();
	for (const entries of layers) {
		applyLayer(root, entries, undefined, undefined, undefined, budget);
	}

	return root;
}

/**
 * A layer's own tree as dive builds it: every entry plus implicit parent directories; whiteout entries are
 * separate nodes (keyed `.wh.NAME`) so a path and its whiteout never collide. Opaque markers are not nodes.
 */
export type LayerTreeNode = {
	readonly name: string;
	readonly path: string;
	entry: LayerEntry | undefined;
	/** Present once the node has children. */
	children: Map<string, LayerTreeNode> | undefined;
	opaque: boolean;
};

export const whiteoutKeyPrefix = '.wh.';

/**
 * Build a layer's own tree; `count` is its number of nodes (dive's per-layer file count), `opaques` of opaque
 * directories. Throws PathBudgetError when the nodes' paths exceed `budget` (none: no limit).
 */
export function buildLayerTree(entries: readonly LayerEntry[], budget?: PathBudget): LayerTreeNode & {count: number; opaques: number} {
	const root: LayerTreeNode & {count: number; opaques: number} = {name: '', path: '', entry: undefined, children: undefined, opaque: false, count: 0, opaques: 0};
	// Entries of a tar come grouped by directory: remember the last parent found.
	let lastDir = '';
	let lastDirNode: LayerTreeNode = root;
	const child = (parent: LayerTreeNode, key: string, name: string, path?: string): LayerTreeNode => {
		parent.children ??= new Map();
		let node = parent.children.get(key);
		if (node === undefined) {
			node = {name, path: path ?? (parent.path === '' ? name : `${parent.path}/${name}`), entry: undefined, children: undefined, opaque: false};
			parent.children.set(key, node);
			root.count++;
			budget?.spend(node.path);
		}

		return node;
	};

	for (const entry of entries) {
		const {path} = entry;
		const slash = path.lastIndexOf('/');
		let parent: LayerTreeNode;
		if (inDir(path, slash, lastDir)) {
			parent = lastDirNode;
		} else {
			const dir = slash < 0 ? '' : path.slice(0, slash);
			parent = root;
			let start = 0;
			while (start < dir.length) {
				let end = dir.indexOf('/', start);
				if (end < 0) {
					end = dir.length;
				}

				const part = dir.slice(start, end);
				parent = child(parent, part, part);
				start = end + 1;
			}

			lastDir = dir;
			lastDirNode = parent;
		}

		if (path === '') {
			continue;
		}

		const name = slash < 0 ? path : path.slice(slash + 1);
		const node = child(parent, entry.whiteout === true ? whiteoutKeyPrefix + name : name, name, path);
		if (entry.opaque === true) {
			node.opaque = true;
			root.opaques++;
		} else {
			node.entry = entry;
		}
	}

	return root;
}

/**
 * The child keys of a node in dive's visiting order (code-unit order, which is byte order for UTF-8); [] for a
 * leaf. Cheaper than sortedChildren where the caller looks the nodes up itself: no [key, node] pair per child.
 */
export function sortedKeys<T extends {children: Map<string, T> | undefined}>(node: T): string[] {
	const {children} = node;
	return children === undefined || children.size === 0 ? [] : [...children.keys()].sort();
}

/** Children of a node in dive's visiting order (keys in code-unit order, which is byte order for UTF-8). */
export function sortedChildren<T extends {children: Map<string, T> | undefined}>(node: T): Array<[string, T]> {
	const {children} = node;
	if (children === undefined || children.size === 0) {
		return [];
	}

	// Sorting the bare keys with the built-in comparison is much cheaper than sorting [key, node] pairs.
	const keys = [...children.keys()].sort();
	return keys.map(key => [key, children.get(key)!]);
}

/** All nodes below `root`, children before their parent, keys in byte order (dive's VisitDepthChildFirst). */
export function childFirstOrder(root: LayerTreeNode): Array<[string, LayerTreeNode]> {
	const out: Array<[string, LayerTreeNode]> = [];
	for (const item of childFirstNodes(root)) {
		out.push(item);
	}

	return out;
}

/**
 * childFirstOrder one [key, node] at a time, with an explicit stack: no recursion a deep
 * path could overflow, and no list of the whole tree.
 */
export function * childFirstNodes(root: LayerTreeNode): Generator<[string, LayerTreeNode]> {
	type Frame = {readonly items: Array<[string, LayerTreeNode]>; next: number};
	const stack: Frame[] = [{items: sortedChildren(root), next: 0}];
	while (stack.length > 0) {
		const frame = stack.at(-1)!;
		const item = frame.items[frame.next];
		if (item === undefined) {
			stack.pop();
			const parent = stack.at(-1);
			if (parent !== undefined) {
				yield parent.items[parent.next++]!;
			}

			continue;
		}

		stack.push({items: sortedChildren(item[1]), next: 0});
	}
}
