// Duplicate content in an image's final filesystem: regular files with the same bytes at different paths.
import type {FileNode} from './tree.js';
import type {DuplicateFiles} from './types.js';

export type DuplicateResult = {
	/** Σ sizeBytes × (count − 1) over the groups: bytes the filesystem would save if each content were stored once. */
	readonly duplicateBytes: number;
	/** Largest duplicateBytes first; ties by size, then by digest. */
	readonly duplicateFiles: DuplicateFiles[];
};

/**
 * Groups of regular files (type 'file') in the filesystem `root` whose content digests are equal. A hardlink is
 * the same file under another name (an entry of type 'hardlink', with no digest of its own), so it is never a
 * copy. Empty files and files without a digest (content unknown) are left out. Paths are absolute, in byte order.
 * Walks the tree with an explicit stack (no recursion a deep path could overflow).
 */
export function findDuplicates(root: FileNode): DuplicateResult {
	// Files of different sizes never hold the same bytes: group by size first (numeric keys hash cheaply), and
	// only files that share a size are grouped by digest. The first file of a size stays a bare node, upgraded to
	// a list on a second one.
	const bySize = new Map<number, FileNode | FileNode[]>();
	walkFiles(root, bySize);
	// One group per size and digest: a digest is xxh64, which an image can make collide across sizes.
	const groups: FileNode[][] = [];
	for (const seen of bySize.values()) {
		if (!Array.isArray(seen)) {
			continue;
		}

		// Most files of a size hold contents of their own: a bare node until a second one comes (no list each).
		const byDigest = new Map<string, FileNode | FileNode[]>();
		for (const node of seen) {
			const digest = node.entry!.digest!;
			const group = byDigest.get(digest);
			if (group === undefined) {
				byDigest.set(digest, node);
			} else if (Array.isArray(group)) {
				group.push(node);
			} else {
				byDigest.set(digest, [group, node]);
			}
		}

		for (const group of byDigest.values()) {
			if (Array.isArray(group)) {
				groups.push(group);
			}
		}
	}

	bySize.clear();

	const duplicateFiles: DuplicateFiles[] = [];
	let duplicateBytes = 0;
	for (const group of groups) {
		const paths = sortedPaths(group);
		const {size, digest} = group[0]!.entry!;
		duplicateBytes += size * (paths.length - 1);
		duplicateFiles.push({digest: digest!, sizeBytes: size, count: paths.length, paths});
	}

	duplicateFiles.sort((a, b) => ((b.sizeBytes * (b.count - 1)) - (a.sizeBytes * (a.count - 1)))
		|| (b.sizeBytes - a.sizeBytes)
		|| (a.digest < b.digest ? -1 : 1));
	return {duplicateBytes, duplicateFiles};
}

/**
 * The content digest of a node that counts toward duplicates: a regular file (not a directory, hardlink or other
 * type), not empty, whose content is known; else undefined.
 */
function contentDigest(node: FileNode): string | undefined {
	const {entry} = node;
	return node.children === undefined && entry?.type === 'file' && entry.size > 0 ? entry.digest : undefined;
}

/** The files holding one content (digest), with its size: a tally once two files do (the count is all of them). */
type Tally = {readonly size: number; count: number};

/**
 * The duplicate bytes (findDuplicates' duplicateBytes) and entry count (countNodes) of filesystems that share nodes:
 * forkTree's copies of one stacked tree, where a node two of them hold is the same object. The first is counted
 * whole; each next one from the one before, walking only the nodes the two do not share (`compare`: two images on one
 * base count the base once, then each image's own layers). An explicit stack (no recursion a deep path could
 * overflow).
 */
export class FilesystemTally {
	/** Content digest → the one regular file holding it, or a tally once two do. */
	private readonly contents = new Map<string, FileNode | Tally>();
	private duplicates = 0;
	private entries = 0;
	/** One digest seen with two sizes (an xxh64 collision; findDuplicates groups by size too): counted afresh. */
	private mixed = false;
	private root: FileNode;

	/** @param root the first filesystem (a stacked tree's root; the root itself is not an entry). */
	constructor(root: FileNode) {
		this.root = root;
		this.subtree(root, 1);
		// The root itself is no entry.
		this.entries--;
	}

	/** Bytes stored more than once in the current filesystem: Σ size × (copies − 1) over its contents. */
	get duplicateBytes(): number {
		return this.mixed ? findDuplicates(this.root).duplicateBytes : this.duplicates;
	}

	/** Entries in the current filesystem (countNodes). */
	get entryCount(): number {
		return this.entries;
	}

	/** Count `root` instead: a filesystem that shares its unchanged nodes with the current one. */
	moveTo(root: FileNode): void {
		this.shift(this.root, root);
		this.root = root;
	}

	/** From `from` to `to` (two roots): what only `from` holds taken out, what only `to` holds put in. */
	private shift(from: FileNode, to: FileNode): void {
		const pending: Array<[FileNode | undefined, FileNode | undefined]> = [[from, to]];
		for (let pair = pending.pop(); pair !== undefined; pair = pending.pop()) {
			const [before, after] = pair;
			if (before === after) {
				continue;
			}

			if (before?.children !== undefined && after?.children !== undefined) {
				for (const [name, child] of after.children) {
					pending.push([before.children.get(name), child]);
				}

				for (const [name, child] of before.children) {
					if (!after.children.has(name)) {
						pending.push([child, undefined]);
					}
				}

				continue;
			}

			// A file both hold with the same content (most of two builds' own layers): nothing changes.
			if (before !== undefined && after !== undefined && contentDigest(before) !== undefined
				&& contentDigest(before) === contentDigest(after) && before.entry!.size === after.entry!.size) {
				continue;
			}

			if (before !== undefined) {
				this.subtree(before, -1);
			}

			if (after !== undefined) {
				this.subtree(after, 1);
			}
		}
	}

	/** Each node of the subtree `top` counted in (sign 1) or out (-1). */
	private subtree(top: FileNode, sign: 1 | -1): void {
		const pending = [top];
		for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
			this.entries += sign;
			if (node.children !== undefined) {
				for (const child of node.children.values()) {
					pending.push(child);
				}

				continue;
			}

			const digest = contentDigest(node);
			if (digest !== undefined) {
				if (sign === 1) {
					this.add(digest, node);
				} else {
					this.remove(digest);
				}
			}
		}
	}

	private add(digest: string, node: FileNode): void {
		const {size} = node.entry!;
		const seen = this.contents.get(digest);
		if (seen === undefined) {
			this.contents.set(digest, node);
			return;
		}

		const tally: Tally = 'count' in seen ? seen : {size: seen.entry!.size, count: 1};
		if (tally.size !== size) {
			this.mixed = true;
		}

		tally.count++;
		this.duplicates += size;
		if (tally !== seen) {
			this.contents.set(digest, tally);
		}
	}

	private remove(digest: string): void {
		const seen = this.contents.get(digest)!;
		if (!('count' in seen) || seen.count === 1) {
			this.contents.delete(digest);
			return;
		}

		// The last file left of a content stays a tally of one (which of the nodes it is, is not known here).
		seen.count--;
		this.duplicates -= seen.size;
	}
}

/**
 * The group's paths, absolute, in byte order. Sorted while relative (the nodes' own strings), then prefixed: a
 * prefixed string that is never compared stays a small reference to the node's path instead of a copy. Most
 * groups are pairs: no sort call (Array#sort allocates its work space each time; 80k groups cost ~70 MB).
 */
function sortedPaths(group: readonly FileNode[]): string[] {
	if (group.length === 2) {
		const [first, second] = [group[0]!.path, group[1]!.path];
		return first < second ? [`/${first}`, `/${second}`] : [`/${second}`, `/${first}`];
	}

	const relative = group.map(node => node.path);
	relative.sort((a, b) => (a < b ? -1 : (a > b ? 1 : 0)));
	return relative.map(path => `/${path}`);
}

/**
 * Every node of a regular file with a digest and a size, into `bySize` (a node, or a list once a size repeats);
 * an explicit stack (no recursion).
 */
function walkFiles(root: FileNode, bySize: Map<number, FileNode | FileNode[]>): void {
	const stack: FileNode[] = [root];
	while (stack.length > 0) {
		const node = stack.pop()!;
		if (node.children !== undefined) {
			for (const child of node.children.values()) {
				stack.push(child);
			}

			continue;
		}

		if (contentDigest(node) !== undefined) {
			const {size} = node.entry!;
			const seen = bySize.get(size);
			if (seen === undefined) {
				bySize.set(size, node);
			} else if (Array.isArray(seen)) {
				seen.push(node);
			} else {
				bySize.set(size, [seen, node]);
			}
		}
	}
}
