// Where a path's bytes live: the filesystem as seen at one layer, and for each visible entry the layer (and the
// entry of that layer's tar) that holds its content. Used by `cat`, `extract` and the TUI's file viewer to read
// only the layers they need. PURE: entries in, plain data out.
import {type FileNode, applyLayer, getNode, joinPath, newRoot, splitPath} from './tree.js';
import type {LayerEntry} from './types.js';

/** Where the bytes of a regular file (or of a hardlink's file) are: a regular-file entry of one layer's tar. */
export type ContentSource = {
	/** Index of the layer (0 = base) whose tar holds the bytes. */
	readonly layer: number;
	/** The regular-file entry in that layer's tar (its `path` is the name to look for while streaming). */
	readonly entry: LayerEntry;
};

/** The filesystem as seen at one layer, with the origin of every entry. */
export type LayerView = {
	/** Index of the top layer of this view. */
	readonly top: number;
	readonly root: FileNode;
	/** Where a regular file's or a hardlink's bytes are; undefined for other types and dangling hardlinks. */
	contentOf(entry: LayerEntry | undefined): ContentSource | undefined;
};

/**
 * Stack layers 0…top (overlay semantics, as analysis does) and remember which layer each entry came from.
 * A hardlink's content is its target's as the target was when the hardlink's layer was applied (later changes to
 * the target path do not change the hardlinked file), as the kernel keeps one inode for both.
 */
export function viewAtLayer(layers: ReadonlyArray<readonly LayerEntry[]>, top: number): LayerView {
	if (!Number.isInteger(top) || top < 0 || top >= layers.length) {
		throw new RangeError(`layer ${top} does not exist (the image has ${layers.length})`);
	}

	const root = newRoot();
	const origin = new Map<LayerEntry, number>();
	const linkContent = new Map<LayerEntry, ContentSource>();
	const view: LayerView = {
		top,
		root,
		contentOf(entry) {
			if (entry === undefined) {
				return undefined;
			}

			if (entry.type === 'file') {
				const layer = origin.get(entry);
				return layer === undefined ? undefined : {layer, entry};
			}

			return entry.type === 'hardlink' ? linkContent.get(entry) : undefined;
		},
	};
	for (let index = 0; index <= top; index++) {
		const entries = layers[index]!;
		applyLayer(root, entries);
		for (const entry of entries) {
			origin.set(entry, index);
		}

		for (const entry of entries) {
			if (entry.type !== 'hardlink' || entry.linkTarget === undefined) {
				continue;
			}

			const target = getNode(root, entry.linkTarget)?.entry;
			if (target === undefined || target === entry) {
				continue;
			}

			if (target.type === 'file') {
				linkContent.set(entry, {layer: origin.get(target)!, entry: target});
			} else if (target.type === 'hardlink') {
				const resolved = linkContent.get(target);
				if (resolved !== undefined) {
					linkContent.set(entry, resolved);
				}
			}
		}
	}

	return view;
}

/** Result of looking a path up in a view. */
export type Lookup =
	| {readonly found: true; readonly node: FileNode}
	| {readonly found: false; /** The deepest existing ancestor ('' for the root). */ readonly nearest: string};

/** Clean a user's path ("/etc/x/", "etc//x", "./etc") to the relative form entries use; '..' cannot climb above the root. */
export function cleanUserPath(input: string): string {
	const out: string[] = [];
	for (const part of input.split('/')) {
		if (part === '' || part === '.') {
			continue;
		}

		if (part === '..') {
			out.pop();
		} else {
			out.push(part);
		}
	}

	return out.join('/');
}

/** Look up a literal path (symlinks are not followed). */
export function lookupPath(view: LayerView, path: string): Lookup {
	let node: FileNode = view.root;
	for (const part of splitPath(path)) {
		const child = node.children?.get(part);
		if (child === undefined) {
			return {found: false, nearest: node.path};
		}

		node = child;
	}

	return {found: true, node};
}

/** Most symlinks followed while resolving one path (Linux's MAXSYMLINKS). */
const maxSymlinkHops = 40;

/**
 * Resolve a path as a process chrooted into the view would (`cat /etc/localtime` follows its links): every
 * symlink on the way, the last component included, relative targets from the link's directory, absolute ones
 * from the image's root, '..' never above the root. At most 40 links (ELOOP beyond); a dangling link gives
 * `found: false` with the deepest existing directory as `nearest`.
 */
export function resolvePath(view: LayerView, path: string): Lookup & {readonly path: string} {
	const pending = splitPath(cleanUserPath(path)).reverse(); // A stack: the next component is last.
	const resolved: FileNode[] = [view.root];
	let hops = 0;
	while (pending.length > 0) {
		const part = pending.pop()!;
		const current = resolved.at(-1)!;
		if (part === '.') {
			continue;
		}

		if (part === '..') {
			if (resolved.length > 1) {
				resolved.pop();
			}

			continue;
		}

		const child = current.children?.get(part);
		if (child === undefined) {
			return {found: false, nearest: current.path, path: joinPath(current.path, part)};
		}

		if (child.entry?.type === 'symlink') {
			if (++hops > maxSymlinkHops) {
				throw new RangeError(`too many levels of symbolic links at /${child.path}`);
			}

			const target = child.entry.linkTarget ?? '';
			if (target.startsWith('/')) {
				resolved.length = 1;
			}

			const parts = target.split('/').filter(segment => segment !== '');
			for (let index = parts.length - 1; index >= 0; index--) {
				pending.push(parts[index]!);
			}

			continue;
		}

		if (child.children === undefined && pending.length > 0) {
			// A file where a directory is needed (ENOTDIR).
			return {found: false, nearest: current.path, path: joinPath(child.path, pending.reverse().join('/'))};
		}

		resolved.push(child);
	}

	const node = resolved.at(-1)!;
	return {found: true, node, path: node.path};
}

/** Every node of a subtree, the node itself first, each directory before what it holds (no recursion). */
export function subtreeNodes(node: FileNode): FileNode[] {
	const out: FileNode[] = [];
	const stack: FileNode[] = [node];
	while (stack.length > 0) {
		const current = stack.pop()!;
		out.push(current);
		if (current.children !== undefined) {
			const names = [...current.children.keys()].sort().reverse();
			for (const name of names) {
				stack.push(current.children.get(name)!);
			}
		}
	}

	return out;
}
