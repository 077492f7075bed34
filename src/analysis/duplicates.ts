// Duplicate content in an image's final filesystem: regular files with the same bytes at different paths.
import type {FileNode} from './tree.js';
import type {DuplicateFiles} from './types.js';

export type DuplicateResult = {
	/** Σ sizeBytes × (count − 1) over the groups: bytes the filesystem would save if each content were stored once. */
	readonly duplicateBytes: number;
	/** Largest duplicateBytes first; ties by size, then by first path. */
	readonly duplicateFiles: DuplicateFiles[];
};

/**
 * Groups of regular files (type 'file') in the filesystem `root` whose content digests are equal. A hardlink is
 * the same file under another name (an entry of type 'hardlink', with no digest of its own), so it is never a
 * copy. Empty files and files without a digest (content unknown) are left out. Paths are absolute, in byte order.
 * Walks the tree with an explicit stack (no recursion a deep path could overflow).
 */
export function findDuplicates(root: FileNode): DuplicateResult {
	const byDigest = new Map<string, {size: number; paths: string[]}>();
	const stack: FileNode[] = [root];
	while (stack.length > 0) {
		const node = stack.pop()!;
		if (node.children !== undefined) {
			for (const child of node.children.values()) {
				stack.push(child);
			}
		}

		const {entry} = node;
		if (entry?.type !== 'file' || entry.digest === undefined || entry.size === 0) {
			continue;
		}

		const group = byDigest.get(entry.digest);
		if (group === undefined) {
			byDigest.set(entry.digest, {size: entry.size, paths: [node.path]});
		} else {
			group.paths.push(node.path);
		}
	}

	const duplicateFiles: DuplicateFiles[] = [];
	let duplicateBytes = 0;
	for (const [digest, group] of byDigest) {
		if (group.paths.length < 2) {
			continue;
		}

		const paths = group.paths.map(path => `/${path}`).sort((a, b) => (a < b ? -1 : (a > b ? 1 : 0)));
		duplicateBytes += group.size * (paths.length - 1);
		duplicateFiles.push({digest, sizeBytes: group.size, count: paths.length, paths});
	}

	duplicateFiles.sort((a, b) => ((b.sizeBytes * (b.count - 1)) - (a.sizeBytes * (a.count - 1)))
		|| (b.sizeBytes - a.sizeBytes)
		|| (a.paths[0]! < b.paths[0]! ? -1 : 1));
	return {duplicateBytes, duplicateFiles};
}
