// A file tree as a flat, sorted list of records: what `tree --json` prints and what tests compare with
// `docker export`.
import {type FileNode, sortedChildren} from './tree.js';
import type {LayerEntry} from './types.js';

export type TreeRecord = Pick<LayerEntry, 'type' | 'mode' | 'uid' | 'gid' | 'size'> & {
	/** Absolute path ("/etc/passwd"). */
	readonly path: string;
	readonly linkTarget: string | null;
	/** Content digest of a regular file ("xxh64:…", see LayerEntry.digest); null for other types or when unknown. */
	readonly digest: string | null;
};

/** Every node below the root, depth first, names in byte order. Implicit directories appear as 0755 root dirs. */
export function listTree(root: FileNode): TreeRecord[] {
	return [...treeRecords(root)];
}

/**
 * listTree one record at a time, with an explicit stack: no recursion a deep path could overflow, and no list of
 * the whole tree (a deep image's listing is O(nodes × depth) bytes of paths).
 */
export function * treeRecords(root: FileNode): Generator<TreeRecord> {
	type Frame = {readonly items: Array<[string, FileNode]>; next: number};
	const stack: Frame[] = [{items: sortedChildren(root), next: 0}];
	while (stack.length > 0) {
		const frame = stack.at(-1)!;
		const item = frame.items[frame.next++];
		if (item === undefined) {
			stack.pop();
			continue;
		}

		const child = item[1];
		const {entry} = child;
		yield {
			path: `/${child.path}`,
			type: entry?.type ?? 'dir',
			mode: entry?.mode ?? 0o755,
			uid: entry?.uid ?? 0,
			gid: entry?.gid ?? 0,
			size: entry?.size ?? 0,
			linkTarget: entry?.linkTarget ?? null,
			digest: entry?.digest ?? null,
		};
		if (child.children !== undefined && child.children.size > 0) {
			stack.push({items: sortedChildren(child), next: 0});
		}
	}
}
