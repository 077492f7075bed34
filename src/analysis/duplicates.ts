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
	// One pass: the first file of each digest, upgraded to a list on a second one (a sort of every file's digest
	// string cost 10× more on 300k files). The keys are the entries' own digest strings, not copies.
	const byDigest = new Map<string, FileNode | FileNode[]>();
	walkFiles(root, node => {
		const digest = node.entry!.digest!;
		const seen = byDigest.get(digest);
		if (seen === undefined) {
			byDigest.set(digest, node);
		} else if (Array.isArray(seen)) {
			seen.push(node);
		} else {
			byDigest.set(digest, [seen, node]);
		}
	});
	const groups = new Map<string, {size: number; paths: string[]}>();
	for (const [digest, seen] of byDigest) {
		if (!Array.isArray(seen)) {
			continue;
		}

		// Sorted while relative (the node's own strings), then prefixed: a prefixed string that is never compared
		// stays a small reference to the node's path instead of a copy.
		const relative = seen.map(node => node.path);
		relative.sort((a, b) => (a < b ? -1 : (a > b ? 1 : 0)));
		groups.set(digest, {size: seen[0]!.entry!.size, paths: relative.map(path => `/${path}`)});
	}

	byDigest.clear();

	const duplicateFiles: DuplicateFiles[] = [];
	let duplicateBytes = 0;
	for (const [digest, group] of groups) {
		const {paths} = group;
		duplicateBytes += group.size * (paths.length - 1);
		duplicateFiles.push({digest, sizeBytes: group.size, count: paths.length, paths});
	}

	duplicateFiles.sort((a, b) => ((b.sizeBytes * (b.count - 1)) - (a.sizeBytes * (a.count - 1)))
		|| (b.sizeBytes - a.sizeBytes)
		|| (a.digest < b.digest ? -1 : 1));
	return {duplicateBytes, duplicateFiles};
}

/** Every node of a regular file with a digest and a size; an explicit stack (no recursion). */
function walkFiles(root: FileNode, visit: (node: FileNode) => void): void {
	const stack: FileNode[] = [root];
	while (stack.length > 0) {
		const node = stack.pop()!;
		if (node.children !== undefined) {
			for (const child of node.children.values()) {
				stack.push(child);
			}
		}

		const {entry} = node;
		if (entry?.type === 'file' && entry.digest !== undefined && entry.size > 0) {
			visit(node);
		}
	}
}
