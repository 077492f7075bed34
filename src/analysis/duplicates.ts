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
	const groups = new Map<string, FileNode[]>();
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

		for (const [digest, group] of byDigest) {
			if (Array.isArray(group)) {
				groups.set(digest, group);
			}
		}
	}

	bySize.clear();

	const duplicateFiles: DuplicateFiles[] = [];
	let duplicateBytes = 0;
	for (const [digest, group] of groups) {
		const paths = sortedPaths(group);
		const size = group[0]!.entry!.size;
		duplicateBytes += size * (paths.length - 1);
		duplicateFiles.push({digest, sizeBytes: size, count: paths.length, paths});
	}

	duplicateFiles.sort((a, b) => ((b.sizeBytes * (b.count - 1)) - (a.sizeBytes * (a.count - 1)))
		|| (b.sizeBytes - a.sizeBytes)
		|| (a.digest < b.digest ? -1 : 1));
	return {duplicateBytes, duplicateFiles};
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

		const {entry} = node;
		if (entry?.type === 'file' && entry.digest !== undefined && entry.size > 0) {
			const seen = bySize.get(entry.size);
			if (seen === undefined) {
				bySize.set(entry.size, node);
			} else if (Array.isArray(seen)) {
				seen.push(node);
			} else {
				bySize.set(entry.size, [seen, node]);
			}
		}
	}
}
