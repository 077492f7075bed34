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
	// The files sorted by digest (one reference a file, no map of every digest), then runs of equal digests.
	const files: FileNode[] = [];
	walkFiles(root, node => {
		files.push(node);
	});
	const digestOf = (node: FileNode): string => node.entry!.digest!;
	files.sort((a, b) => (digestOf(a) < digestOf(b) ? -1 : (digestOf(a) > digestOf(b) ? 1 : 0)));
	const groups = new Map<string, {size: number; paths: string[]}>();
	for (let start = 0; start < files.length;) {
		const digest = digestOf(files[start]!);
		let end = start + 1;
		while (end < files.length && digestOf(files[end]!) === digest) {
			end++;
		}

		if (end - start >= 2) {
			// Sorted while relative (the node's own strings), then prefixed: a prefixed string that is never compared
			// stays a small reference to the node's path instead of a copy.
			const relative: string[] = [];
			for (let index = start; index < end; index++) {
				relative.push(files[index]!.path);
			}

			relative.sort((a, b) => (a < b ? -1 : (a > b ? 1 : 0)));
			groups.set(digest, {size: files[start]!.entry!.size, paths: relative.map(path => `/${path}`)});
		}

		start = end;
	}

	files.length = 0;

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
