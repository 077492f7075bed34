// Two images compared: their figures side by side, the layers they share, and every path of their final
// filesystems that was added, removed or modified. Pure: no I/O; the CLI loads both images and hands them in.
//
// The file comparison is one merge of the two final filesystems (each stacked with overlay rules by
// src/analysis/tree.ts): both trees are walked together, depth first, names in byte order, with an explicit stack
// (no recursion, so a deep path cannot overflow anything), each directory's two sorted name lists merged. Linear
// in the paths, apart from sorting each directory's names.
import {type FileNode, isDirNode, stackLayers} from './tree.js';
import type {Analysis, EntryType, LayerEntry, RawImage} from './types.js';

/** What differs between the two versions of a path. Listed in this order. */
export type ChangeReason = 'content' | 'size' | 'mode' | 'owner' | 'type' | 'link';

export const changeReasons: readonly ChangeReason[] = ['content', 'size', 'mode', 'owner', 'type', 'link'];

export type FileChangeKind = 'added' | 'removed' | 'modified';

/** One path that differs between the final filesystems of A and B. */
export type FileChange = {
	/** Absolute path ("/etc/passwd"). */
	readonly path: string;
	readonly kind: FileChangeKind;
	/** The type in B (for a removed path: in A). A directory without a header of its own is a 'dir'. */
	readonly type: EntryType;
	/** The type in A when it differs from `type` (a directory replaced by a file…). */
	readonly typeA?: EntryType;
	/** The entry's own bytes in A (a file's size; 0 for directories, links and the rest); null when A has no such path. */
	readonly sizeA: number | null;
	/** The same in B; null when B has no such path. */
	readonly sizeB: number | null;
	/** What differs, for a modified path (empty for added and removed ones). */
	readonly reasons: readonly ChangeReason[];
	/** Symlink target (or hardlink's other name) in A / in B, when the entry has one. */
	readonly linkA?: string;
	readonly linkB?: string;
};

/** One image's figures (dive's definitions, see src/analysis/efficiency.ts; layerscope's own from analyze.ts). */
export type ImageFigures = {
	/** What the user named (reference, file). */
	readonly ref: string;
	/** Image id (sha256 of the config), '' when unknown. */
	readonly id: string;
	/** Σ layer sizes (bytes). */
	readonly sizeBytes: number;
	/** Efficiency, a ratio in [0, 1]. */
	readonly efficiencyScore: number;
	/** dive's wasted bytes. */
	readonly inefficientBytes: number;
	/** Bytes a squash would drop. */
	readonly reclaimableBytes: number;
	/** Bytes stored more than once in the final filesystem (identical files at other paths; see analyze.ts). */
	readonly duplicateBytes: number;
	/** Entries of the final filesystem. */
	readonly fileCount: number;
};

/** B minus A for each figure. */
export type FigureDeltas = {
	readonly sizeBytes: number;
	readonly efficiencyScore: number;
	readonly inefficientBytes: number;
	readonly reclaimableBytes: number;
	readonly duplicateBytes: number;
	readonly fileCount: number;
};

/** A layer only one side has. */
export type LayerRef = {
	readonly index: number;
	readonly diffId: string;
	/** dive's layer size (Σ tar header sizes). */
	readonly sizeBytes: number;
	readonly command: string;
};

export type LayerComparison = {
	/** Layers equal from the base up: same diff_id at the same index, stopping at the first difference. */
	readonly shared: number;
	/** Σ sizes of the shared layers. */
	readonly sharedBytes: number;
	/** A's layers above the shared ones. */
	readonly onlyA: readonly LayerRef[];
	/** B's layers above the shared ones. */
	readonly onlyB: readonly LayerRef[];
};

export type CompareSummary = {
	readonly added: number;
	readonly removed: number;
	readonly modified: number;
	/** Σ sizeB of added paths. */
	readonly addedBytes: number;
	/** Σ sizeA of removed paths. */
	readonly removedBytes: number;
	/** Σ sizeA / Σ sizeB of modified paths. */
	readonly modifiedBytesA: number;
	readonly modifiedBytesB: number;
	/** B's image size minus A's (bytes; negative when B is smaller). */
	readonly sizeDelta: number;
};

/**
 * How file contents were compared: 'digest' when every file present on both sides had a content digest on both, 'size' when none did (the reader gave no digests: same size counts as same content),
 * 'mixed' otherwise (pairs without comparable digests fall back to size).
 */
export type ContentBasis = 'digest' | 'size' | 'mixed';

export type ImageComparison = {
	readonly a: ImageFigures;
	readonly b: ImageFigures;
	readonly delta: FigureDeltas;
	readonly layers: LayerComparison;
	readonly summary: CompareSummary;
	/** Depth first, names in byte order (a directory before what is below it). */
	readonly changes: readonly FileChange[];
	readonly contentBasis: ContentBasis;
};

/** One side of a comparison: the image as read, and its analysis. */
export type CompareSide = {
	readonly image: RawImage;
	readonly analysis: Analysis;
	/** The final filesystem, when the caller stacked it already (else it is stacked here). */
	readonly root?: FileNode;
};

const implicitDirEntry: Pick<LayerEntry, 'type' | 'mode' | 'uid' | 'gid' | 'size'> = {type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0};

export function imageFigures(side: CompareSide): ImageFigures {
	const {image} = side.analysis;
	return {
		ref: side.image.name,
		id: side.analysis.config.id,
		sizeBytes: image.sizeBytes,
		efficiencyScore: image.efficiency,
		inefficientBytes: image.wastedBytes,
		reclaimableBytes: image.reclaimableBytes,
		duplicateBytes: image.duplicateBytes,
		fileCount: image.fileCount,
	};
}

function deltas(a: ImageFigures, b: ImageFigures): FigureDeltas {
	return {
		sizeBytes: b.sizeBytes - a.sizeBytes,
		efficiencyScore: b.efficiencyScore - a.efficiencyScore,
		inefficientBytes: b.inefficientBytes - a.inefficientBytes,
		reclaimableBytes: b.reclaimableBytes - a.reclaimableBytes,
		duplicateBytes: b.duplicateBytes - a.duplicateBytes,
		fileCount: b.fileCount - a.fileCount,
	};
}

/** Shared layers: same diff_id at the same index, from the base up to the first difference. */
export function compareLayers(a: Analysis, b: Analysis): LayerComparison {
	let shared = 0;
	let sharedBytes = 0;
	while (shared < a.layers.length && shared < b.layers.length) {
		const left = a.layers[shared]!;
		const right = b.layers[shared]!;
		if (left.diffId === '' || left.diffId !== right.diffId) {
			break;
		}

		sharedBytes += left.sizeBytes;
		shared++;
	}

	const only = (analysis: Analysis): LayerRef[] => analysis.layers.slice(shared).map(layer => ({
		index: layer.index,
		diffId: layer.diffId,
		sizeBytes: layer.sizeBytes,
		command: layer.command,
	}));
	return {shared, sharedBytes, onlyA: only(a), onlyB: only(b)};
}

type Entryish = Pick<LayerEntry, 'type' | 'mode' | 'uid' | 'gid' | 'size' | 'linkTarget' | 'digest'>;

/** Counts of file pairs whose content was compared by digest and by size. */
type Basis = {digest: number; size: number};

/**
 * What differs between two entries at the same path: type, content, size, mode (permission and special bits),
 * owner (uid or gid), link target. Empty exactly when src/analysis/tree.ts's one definition of "the same file"
 * holds: content is compared by digest when both entries have one (two algorithms never match), else equal
 * sizes count as the same content. mtime is not compared (a rebuild changes it, not the image's meaning).
 */
export function entryDifferences(a: Entryish, b: Entryish, basis?: Basis): ChangeReason[] {
	const reasons: ChangeReason[] = [];
	if (a.digest !== undefined && b.digest !== undefined) {
		if (basis !== undefined) {
			basis.digest++;
		}

		if (a.digest !== b.digest) {
			reasons.push('content');
		}
	} else if (basis !== undefined && a.type === 'file' && b.type === 'file') {
		basis.size++;
	}

	// Equal digests are the same bytes, so the same size (sameFile does not look at sizes then).
	const sameDigest = a.digest !== undefined && a.digest === b.digest;
	if (a.size !== b.size && !sameDigest) {
		if (a.type === 'file' && b.type === 'file' && !reasons.includes('content')) {
			reasons.push('content');
		}

		reasons.push('size');
	}

	if (a.mode !== b.mode) {
		reasons.push('mode');
	}

	if (a.uid !== b.uid || a.gid !== b.gid) {
		reasons.push('owner');
	}

	if (a.type !== b.type) {
		reasons.push('type');
	}

	if (a.type === b.type && (a.linkTarget ?? '') !== (b.linkTarget ?? '')) {
		reasons.push('link');
	}

	return reasons;
}

function entryOf(node: FileNode): Entryish {
	return node.entry ?? implicitDirEntry;
}

function sortedNames(node: FileNode | undefined): string[] {
	if (node === undefined || node.children === undefined || !isDirNode(node) || node.children.size === 0) {
		return [];
	}

	return [...node.children.keys()].sort();
}

/** Called for each path of the merged tree, in depth-first order, names in byte order (the root not included). */
export type MergeVisitor = (path: string, a: FileNode | undefined, b: FileNode | undefined, change: FileChange | undefined) => void;

type Task = {readonly a: FileNode | undefined; readonly b: FileNode | undefined};

/**
 * Every path of either filesystem, with its change (undefined for an unchanged path): a walk of both trees at
 * once. A directory is modified only when its own header differs; what happens below it is listed under it.
 */
export function compareFilesystems(rootA: FileNode, rootB: FileNode, visit?: MergeVisitor): {changes: FileChange[]; basis: Basis} {
	const changes: FileChange[] = [];
	const basis: Basis = {digest: 0, size: 0};
	const stack: Task[] = [];
	const pushChildren = (a: FileNode | undefined, b: FileNode | undefined): void => {
		const left = sortedNames(a);
		const right = sortedNames(b);
		// Merge the two sorted lists, then push in reverse so the smallest name is popped first.
		const merged: Task[] = [];
		let i = 0;
		let j = 0;
		while (i < left.length || j < right.length) {
			const x = left[i];
			const y = right[j];
			if (y === undefined || (x !== undefined && x < y)) {
				merged.push({a: a!.children!.get(x!), b: undefined});
				i++;
			} else if (x === undefined || y < x) {
				merged.push({a: undefined, b: b!.children!.get(y)});
				j++;
			} else {
				merged.push({a: a!.children!.get(x), b: b!.children!.get(y)});
				i++;
				j++;
			}
		}

		for (let index = merged.length - 1; index >= 0; index--) {
			stack.push(merged[index]!);
		}
	};

	pushChildren(rootA, rootB);
	for (let task = stack.pop(); task !== undefined; task = stack.pop()) {
		const {a, b} = task;
		const node = (b ?? a)!;
		const path = `/${node.path}`;
		let change: FileChange | undefined;
		if (a === undefined) {
			const entry = entryOf(b!);
			change = {path, kind: 'added', type: entry.type, sizeA: null, sizeB: entry.size, reasons: [], ...(entry.linkTarget === undefined ? {} : {linkB: entry.linkTarget})};
		} else if (b === undefined) {
			const entry = entryOf(a);
			change = {path, kind: 'removed', type: entry.type, sizeA: entry.size, sizeB: null, reasons: [], ...(entry.linkTarget === undefined ? {} : {linkA: entry.linkTarget})};
		} else {
			const left = entryOf(a);
			const right = entryOf(b);
			const reasons = entryDifferences(left, right, basis);
			if (reasons.length > 0) {
				change = {
					path,
					kind: 'modified',
					type: right.type,
					...(left.type === right.type ? {} : {typeA: left.type}),
					sizeA: left.size,
					sizeB: right.size,
					reasons,
					...(left.linkTarget === undefined ? {} : {linkA: left.linkTarget}),
					...(right.linkTarget === undefined ? {} : {linkB: right.linkTarget}),
				};
			}
		}

		if (change !== undefined) {
			changes.push(change);
		}

		visit?.(path, a, b, change);
		pushChildren(a, b);
	}

	return {changes, basis};
}

function summarize(changes: readonly FileChange[], sizeDelta: number): CompareSummary {
	let added = 0;
	let removed = 0;
	let modified = 0;
	let addedBytes = 0;
	let removedBytes = 0;
	let modifiedBytesA = 0;
	let modifiedBytesB = 0;
	for (const change of changes) {
		switch (change.kind) {
			case 'added': {
				added++;
				addedBytes += change.sizeB ?? 0;
				break;
			}

			case 'removed': {
				removed++;
				removedBytes += change.sizeA ?? 0;
				break;
			}

			case 'modified': {
				modified++;
				modifiedBytesA += change.sizeA ?? 0;
				modifiedBytesB += change.sizeB ?? 0;
				break;
			}
		}
	}

	return {added, removed, modified, addedBytes, removedBytes, modifiedBytesA, modifiedBytesB, sizeDelta};
}

/** The final filesystem of an image (its layers stacked). */
export function finalFilesystem(image: RawImage): FileNode {
	return stackLayers(image.layers.map(layer => layer.contents.entries));
}

/** A against B: figures, layers and file changes (see the types above for each definition). */
export function compareImages(a: CompareSide, b: CompareSide, visit?: MergeVisitor): ImageComparison {
	const figuresA = imageFigures(a);
	const figuresB = imageFigures(b);
	const {changes, basis} = compareFilesystems(a.root ?? finalFilesystem(a.image), b.root ?? finalFilesystem(b.image), visit);
	let contentBasis: ContentBasis = 'mixed';
	if (basis.size === 0) {
		contentBasis = 'digest';
	} else if (basis.digest === 0) {
		contentBasis = 'size';
	}

	return {
		a: figuresA,
		b: figuresB,
		delta: deltas(figuresA, figuresB),
		layers: compareLayers(a.analysis, b.analysis),
		summary: summarize(changes, figuresB.sizeBytes - figuresA.sizeBytes),
		changes,
		contentBasis,
	};
}

/** Bytes a change involves, for "largest first": an added path's size in B, a removed one's in A, else the larger. */
export function changeMagnitude(change: FileChange): number {
	return Math.max(change.sizeA ?? 0, change.sizeB ?? 0);
}

/** The changes, largest first (ties: tree order). A copy; the input is left alone. */
export function largestFirst(changes: readonly FileChange[]): FileChange[] {
	const order = changes.map((_change, index) => index);
	order.sort((x, y) => (changeMagnitude(changes[y]!) - changeMagnitude(changes[x]!)) || x - y);
	return order.map(index => changes[index]!);
}
