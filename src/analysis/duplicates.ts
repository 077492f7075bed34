// Duplicate content in an image's final filesystem: regular files with the same bytes at different paths.
import type {FileNode} from './tree.js';
import type {DuplicateFiles, LayerEntry} from './types.js';

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

		const byDigest = new Map<string, FileNode[]>();
		for (const node of seen) {
			const digest = node.entry!.digest!;
			const group = byDigest.get(digest);
			if (group === undefined) {
				byDigest.set(digest, [node]);
			} else {
				group.push(node);
			}
		}

		for (const [digest, group] of byDigest) {
			if (group.length > 1) {
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

/** A node's entry when findDuplicates counts it: a regular file (no children) with a digest and a size. */
function counted(node: FileNode): LayerEntry | undefined {
	const {entry} = node;
	return node.children === undefined && entry?.type === 'file' && entry.digest !== undefined && entry.size > 0 ? entry : undefined;
}

type Tally = {readonly size: number; count: number};

/**
 * findDuplicates(root).duplicateBytes for filesystems that each differ from one base in a few places (compare's two
 * images on one base, forkTree): the base's files are counted once; each filesystem's by a walk of only what
 * differs from the base (a node it shares with the base is the same object, and so is everything below it).
 * Contents are keyed by digest; should one digest come with two sizes, the filesystem is counted whole instead.
 * Walks with explicit stacks (no recursion a deep path could overflow).
 */
export class DuplicateBytes {
	private readonly base: FileNode;
	private readonly tallies = new Map<string, Tally>();
	private readonly baseBytes: number;
	private exact = true;

	constructor(base: FileNode) {
		this.base = base;
		let bytes = 0;
		const stack: FileNode[] = [base];
		while (stack.length > 0) {
			const node = stack.pop()!;
			if (node.children !== undefined) {
				for (const child of node.children.values()) {
					stack.push(child);
				}

				continue;
			}

			const entry = counted(node);
			if (entry !== undefined) {
				const tally = this.tallies.get(entry.digest!);
				if (tally === undefined) {
					this.tallies.set(entry.digest!, {size: entry.size, count: 1});
				} else if (tally.size === entry.size) {
					tally.count++;
					bytes += entry.size;
				} else {
					this.exact = false;
				}
			}
		}

		this.baseBytes = bytes;
	}

	/** Duplicate bytes of `root`, the base changed by applyLayer of a generation forked from it. */
	of(root: FileNode): number {
		const changes = new Counts(this.tallies);
		// Pairs of nodes at one path, the base's and root's, that are not the same object.
		const lowers: FileNode[] = [];
		const uppers: FileNode[] = [];
		if (this.base !== root) {
			lowers.push(this.base);
			uppers.push(root);
		}

		while (lowers.length > 0) {
			const lower = lowers.pop()!;
			const upper = uppers.pop()!;
			changes.add(lower, -1);
			changes.add(upper, 1);
			const below = lower.children;
			const above = upper.children;
			if (below !== undefined) {
				for (const [name, child] of below) {
					const other = above?.get(name);
					if (other === undefined) {
						changes.addAll(child, -1);
					} else if (other !== child) {
						lowers.push(child);
						uppers.push(other);
					}
				}
			}

			if (above !== undefined) {
				for (const [name, child] of above) {
					if (below?.has(name) !== true) {
						changes.addAll(child, 1);
					}
				}
			}
		}

		if (!this.exact || !changes.exact) {
			return findDuplicates(root).duplicateBytes;
		}

		return this.baseBytes + changes.bytes();
	}
}

/** What a filesystem adds to and takes from a base's tallies of contents (DuplicateBytes.of). */
class Counts {
	exact = true;
	private readonly base: ReadonlyMap<string, Tally>;
	private readonly changes = new Map<string, Tally>();
	private readonly stack: FileNode[] = [];

	constructor(base: ReadonlyMap<string, Tally>) {
		this.base = base;
	}

	/** A node's content (when counted) is there (1) or gone (-1). */
	add(node: FileNode, sign: 1 | -1): void {
		const entry = counted(node);
		if (entry === undefined) {
			return;
		}

		const digest = entry.digest!;
		const change = this.changes.get(digest);
		if (change === undefined) {
			const known = this.base.get(digest);
			if (known !== undefined && known.size !== entry.size) {
				this.exact = false;
			}

			this.changes.set(digest, {size: entry.size, count: sign});
		} else {
			if (change.size !== entry.size) {
				this.exact = false;
			}

			change.count += sign;
		}
	}

	/** add for every node of a subtree. */
	addAll(node: FileNode, sign: 1 | -1): void {
		const {stack} = this;
		stack.push(node);
		while (stack.length > 0) {
			const current = stack.pop()!;
			if (current.children === undefined) {
				this.add(current, sign);
			} else {
				for (const child of current.children.values()) {
					stack.push(child);
				}
			}
		}
	}

	/** Σ size × (copies after − copies before) over the contents changed. */
	bytes(): number {
		let bytes = 0;
		for (const [digest, change] of this.changes) {
			const before = this.base.get(digest)?.count ?? 0;
			bytes += change.size * (Math.max(before + change.count - 1, 0) - Math.max(before - 1, 0));
		}

		return bytes;
	}
}
