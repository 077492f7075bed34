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
};

export function newRoot(): FileNode {
	return {name: '', path: '', entry: undefined, children: new Map()};
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

/** Find or create the directory that holds `path`, creating implicit directories on the way. */
function parentFor(root: FileNode, path: string): {parent: FileNode; name: string} {
	const slash = path.lastIndexOf('/');
	const name = slash < 0 ? path : path.slice(slash + 1);
	let node = root;
	for (const part of slash < 0 ? [] : path.slice(0, slash).split('/')) {
		node.children ??= new Map();
		let child = node.children.get(part);
		if (child === undefined) {
			child = {name: part, path: joinPath(node.path, part), entry: undefined, children: new Map()};
			node.children.set(part, child);
		} else if (child.children === undefined) {
			// A non-directory in the way: the layer implies a directory here.
			child.children = new Map();
			child.entry = undefined;
		}

		node = child;
	}

	node.children ??= new Map();
	return {parent: node, name};
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

/** Called for every path a layer touches while it is stacked. */
export type StackObserver = (path: string, kind: Exclude<ChangeKind, 'unmodified'> | 'unmodified', lower: FileNode | undefined) => void;

export function sameMetadata(a: LayerEntry, b: LayerEntry): boolean {
	return a.type === b.type && a.size === b.size && a.mode === b.mode && a.uid === b.uid && a.gid === b.gid
		&& (a.linkTarget ?? '') === (b.linkTarget ?? '');
}

/**
 * Apply one layer onto `root` in place, as overlayfs/containerd do: opaque directories first drop their lower
 * contents, whiteouts delete lower paths (wherever they appear in the tar), then entries are added; a directory
 * over a directory keeps the lower children, anything else replaces the lower node whole.
 * `onDrop` receives every lower node (file or subtree root) that stops being visible.
 */
export type LayerChanges = {added: number; modified: number; removed: number};

export function applyLayer(
	root: FileNode,
	entries: readonly LayerEntry[],
	observe?: StackObserver,
	onDrop?: (node: FileNode) => void,
	summary: LayerContentsSummary = summarizeEntries(entries),
): LayerChanges {
	const changes: LayerChanges = {added: 0, modified: 0, removed: 0};
	const note = (path: string, kind: ChangeKind, lower: FileNode | undefined): void => {
		if (kind !== 'unmodified') {
			changes[kind]++;
		}

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
			const dir = getNode(root, entry.path);
			if (dir?.children !== undefined) {
				hidden ??= new Map();
				for (const child of dir.children.values()) {
					onDrop?.(child);
					collect(child);
				}

				dir.children = new Map();
			}
		}
	}

	for (const entry of summary.whiteouts === 0 ? [] : entries) {
		if (entry.whiteout === true) {
			const {parent, name} = parentFor(root, entry.path);
			const lower = parent.children?.get(name);
			if (lower !== undefined) {
				onDrop?.(lower);
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
			root.entry = entry;
			continue;
		}

		const slash = entry.path.lastIndexOf('/');
		const dir = slash < 0 ? '' : entry.path.slice(0, slash);
		let parent: FileNode;
		if (dir === cachedDir && cachedParent !== undefined) {
			parent = cachedParent;
		} else {
			parent = parentFor(root, entry.path).parent;
			cachedDir = dir;
			cachedParent = parent;
		}

		const name = slash < 0 ? entry.path : entry.path.slice(slash + 1);
		const children = parent.children!;
		const lower = children.get(name);
		if (lower === undefined) {
			children.set(name, {name, path: entry.path, entry, children: entry.type === 'dir' ? new Map() : undefined});
			const shadowed = hidden?.get(entry.path);
			if (shadowed === undefined) {
				note(entry.path, 'added', undefined);
			} else {
				hidden!.delete(entry.path);
				const same = shadowed.entry !== undefined && sameMetadata(shadowed.entry, entry);
				note(entry.path, same ? 'unmodified' : 'modified', shadowed);
			}

			continue;
		}

		let kind: ChangeKind = 'modified';
		if (lower.entry !== undefined && sameMetadata(lower.entry, entry)) {
			kind = 'unmodified';
		} else if (lower.entry === undefined && entry.type === 'dir') {
			kind = 'added';
		}

		note(entry.path, kind, lower);
		if (entry.type === 'dir' && lower.children !== undefined) {
			lower.entry = entry;
			continue;
		}

		onDrop?.(lower);
		if (lower.children !== undefined) {
			cachedParent = undefined; // The cached directory may have been below the replaced one.
		}

		children.set(name, {name, path: entry.path, entry, children: entry.type === 'dir' ? new Map() : undefined});
	}

	if (hidden !== undefined) {
		for (const [path, node] of hidden) {
			const slash = path.lastIndexOf('/');
			if (slash < 0 || !hidden.has(path.slice(0, slash))) {
				note(path, 'removed', node);
			}
		}
	}

	return changes;
}

/** The filesystem after stacking `layers` (each a list of entries) from the bottom. */
export function stackLayers(layers: ReadonlyArray<readonly LayerEntry[]>): FileNode {
	const root = newRoot();
	for (const entries of layers) {
		applyLayer(root, entries);
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

/** Build a layer's own tree; `count` is its number of nodes (dive's per-layer file count). */
export function buildLayerTree(entries: readonly LayerEntry[]): LayerTreeNode & {count: number} {
	const root: LayerTreeNode & {count: number} = {name: '', path: '', entry: undefined, children: undefined, opaque: false, count: 0};
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
		}

		return node;
	};

	for (const entry of entries) {
		const {path} = entry;
		const slash = path.lastIndexOf('/');
		const dir = slash < 0 ? '' : path.slice(0, slash);
		let parent: LayerTreeNode;
		if (dir === lastDir) {
			parent = lastDirNode;
		} else {
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
		} else {
			node.entry = entry;
		}
	}

	return root;
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
	const visit = (node: LayerTreeNode): void => {
		for (const item of sortedChildren(node)) {
			visit(item[1]);
			out.push(item);
		}
	};

	visit(root);
	return out;
}
