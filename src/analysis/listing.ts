// A file tree as a flat, sorted list of records: what `tree --json` prints and what tests compare with
// `docker export`.
import {type FileNode, sortedChildren} from './tree.js';
import type {LayerEntry} from './types.js';

export type TreeRecord = Pick<LayerEntry, 'type' | 'mode' | 'uid' | 'gid' | 'size'> & {
	/** Absolute path ("/etc/passwd"). */
	readonly path: string;
	readonly linkTarget: string | null;
};

/** Every node below the root, depth first, names in byte order. Implicit directories appear as 0755 root dirs. */
export function listTree(root: FileNode): TreeRecord[] {
	const out: TreeRecord[] = [];
	const visit = (node: FileNode): void => {
		for (const [, child] of sortedChildren(node)) {
			const {entry} = child;
			out.push({
				path: `/${child.path}`,
				type: entry?.type ?? 'dir',
				mode: entry?.mode ?? 0o755,
				uid: entry?.uid ?? 0,
				gid: entry?.gid ?? 0,
				size: entry?.size ?? 0,
				linkTarget: entry?.linkTarget ?? null,
			});
			visit(child);
		}
	};

	visit(root);
	return out;
}
