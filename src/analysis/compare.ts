// Two images compared: their figures side by side, the layers they share, and every path of their final
// filesystems that was added, removed or modified. Pure: no I/O; the CLI loads both images and hands them in.
//
// The file comparison is one merge of the two final filesystems (each stacked with overlay rules by
// src/analysis/tree.ts, then listed in tree order: depth first, names in byte order, with an explicit stack, so a
// deep path cannot overflow anything). Two such listings are merged like two sorted lists: linear in the paths.
// A listing is plain data, so each image can be read, analysed and listed in a worker thread of its own.
import {analyzeImageFigures, analyzeImagePair} from './analyze.js';
import {type FileNode, stackLayers} from './tree.js';
import type {AnalysisFigures, EntryType, LayerEntry, RawImage} from './types.js';

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

/** B minus A for each figure (the numeric ones of ImageFigures, same units). */
export type FigureDeltas = Omit<ImageFigures, 'ref' | 'id'>;

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

/**
 * A final filesystem's entries in tree order (see finalListing), by index: an array, or a view that makes each
 * entry when asked (a listing handed over from a worker thread in a compact form, src/cli/compare-pack.ts).
 */
export type Listing = {
	readonly length: number;
	/** The entry at `index` (undefined past the end). A view may make a new object on each call. */
	at(index: number): LayerEntry | undefined;
};

/** One side of a comparison: what was read, its analysis and its final filesystem. */
export type CompareSide = {
	/** What the user named (reference, file). */
	readonly name: string;
	readonly analysis: AnalysisFigures;
	/** The final filesystem in tree order (see finalListing). */
	readonly listing: Listing;
	/**
	 * The final filesystem itself, when this thread has it: compareImages then walks the two trees, skipping what
	 * they share (the same nodes: analyzeImagePair's copy on write), instead of merging the listings.
	 */
	readonly root?: FileNode;
};

export function imageFigures(side: CompareSide): ImageFigures {
	const {image} = side.analysis;
	return {
		ref: side.name,
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
export function compareLayers(a: AnalysisFigures, b: AnalysisFigures): LayerComparison {
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

	const only = (analysis: AnalysisFigures): LayerRef[] => analysis.layers.slice(shared).map(layer => ({
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

/**
 * The entries of a filesystem in tree order: depth first, a directory before what is below it, siblings in byte
 * (code unit) order of their names — the order `treeOrder` sorts paths in. A directory without a header of its own
 * gets an entry as `docker export` shows it: a 0755 directory owned by root. No recursion.
 */
export function finalListing(root: FileNode): LayerEntry[] {
	const out: LayerEntry[] = [];
	const stack: FileNode[] = [];
	const pushChildren = (node: FileNode): void => {
		if (node.children === undefined || node.children.size === 0) {
			return;
		}

		const names = [...node.children.keys()].sort();
		for (let index = names.length - 1; index >= 0; index--) {
			stack.push(node.children.get(names[index]!)!);
		}
	};

	pushChildren(root);
	for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
		out.push(node.entry ?? {path: node.path, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0});
		if (node.entry === undefined || node.entry.type === 'dir') {
			pushChildren(node);
		}
	}

	return out;
}

/**
 * Tree order of two relative paths: an ancestor first, then siblings by name in code unit order. It is string
 * order with "/" below every other character.
 */
export function treeOrder(x: string, y: string): number {
	if (x === y) {
		return 0;
	}

	const length = Math.min(x.length, y.length);
	for (let index = 0; index < length; index++) {
		const a = x.charCodeAt(index);
		const b = y.charCodeAt(index);
		if (a !== b) {
			if (a === 0x2F) {
				return -1;
			}

			return b === 0x2F ? 1 : a - b;
		}
	}

	return x.length - y.length;
}

/** Called for each path of either filesystem, in tree order (the root not included). */
export type MergeVisitor = (path: string, a: LayerEntry | undefined, b: LayerEntry | undefined, change: FileChange | undefined) => void;

function change(a: LayerEntry | undefined, b: LayerEntry | undefined, basis: Basis): FileChange | undefined {
	if (a === undefined) {
		const entry = b!;
		return {path: `/${entry.path}`, kind: 'added', type: entry.type, sizeA: null, sizeB: entry.size, reasons: [], ...(entry.linkTarget === undefined ? {} : {linkB: entry.linkTarget})};
	}

	if (b === undefined) {
		return {path: `/${a.path}`, kind: 'removed', type: a.type, sizeA: a.size, sizeB: null, reasons: [], ...(a.linkTarget === undefined ? {} : {linkA: a.linkTarget})};
	}

	// Most paths of two builds are the same file: settled here without a list of reasons (entryDifferences is the
	// definition; this gives its empty answer, and counts the basis as it does, for the common cases).
	let counted: Basis | undefined = basis;
	if (a.type === b.type && a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.linkTarget === b.linkTarget) {
		if (a.digest !== undefined && b.digest !== undefined) {
			basis.digest++;
			if (a.digest === b.digest) {
				return undefined;
			}
		} else {
			if (a.type === 'file') {
				basis.size++;
			}

			if (a.size === b.size) {
				return undefined;
			}
		}

		counted = undefined;
	}

	const reasons = entryDifferences(a, b, counted);
	if (reasons.length === 0) {
		return undefined;
	}

	return {
		path: `/${b.path}`,
		kind: 'modified',
		type: b.type,
		...(a.type === b.type ? {} : {typeA: a.type}),
		sizeA: a.size,
		sizeB: b.size,
		reasons,
		...(a.linkTarget === undefined ? {} : {linkA: a.linkTarget}),
		...(b.linkTarget === undefined ? {} : {linkB: b.linkTarget}),
	};
}

/**
 * Every path of either listing (each in tree order, see finalListing) with its change, by one merge. A directory
 * is modified only when its own header differs; what happens below it is listed under it. A path below a
 * directory that the other side replaced by a file is added or removed like any other.
 */
export function compareListings(listA: Listing, listB: Listing, visit?: MergeVisitor): {changes: FileChange[]; basis: Basis} {
	const changes: FileChange[] = [];
	const basis: Basis = {digest: 0, size: 0};
	let i = 0;
	let j = 0;
	// Each entry is asked for once (a view makes it anew on each call).
	let a = listA.at(0);
	let b = listB.at(0);
	while (a !== undefined || b !== undefined) {
		let left: LayerEntry | undefined;
		let right: LayerEntry | undefined;
		const order = a === undefined ? 1 : (b === undefined ? -1 : treeOrder(a.path, b.path));
		if (order <= 0) {
			left = a;
			a = listA.at(++i);
		}

		if (order >= 0) {
			right = b;
			b = listB.at(++j);
		}

		const found = change(left, right, basis);
		if (found !== undefined) {
			changes.push(found);
		}

		visit?.(`/${(right ?? left)!.path}`, left, right, found);
	}

	return {changes, basis};
}

/** compareListings over two stacked trees. */
export function compareFilesystems(rootA: FileNode, rootB: FileNode, visit?: MergeVisitor): {changes: FileChange[]; basis: Basis} {
	return compareListings(finalListing(rootA), finalListing(rootB), visit);
}

/** What the content comparisons of a merge rested on (ImageComparison.contentBasis). */
function basisOf(basis: Basis): ContentBasis {
	if (basis.size === 0) {
		return 'digest';
	}

	return basis.digest === 0 ? 'size' : 'mixed';
}

/** A node's entry as finalListing lists it (an implicit directory as `docker export` shows it). */
function listed(node: FileNode): LayerEntry {
	return node.entry ?? {path: node.path, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0};
}

/** Whether finalListing lists what is below the node. */
function opens(node: FileNode): boolean {
	return node.entry === undefined || node.entry.type === 'dir';
}

/**
 * compareListings(finalListing(rootA), finalListing(rootB)) by a walk of both trees in tree order that skips a
 * subtree both hold as the same node (trees forked from one base share the nodes neither changed, forkTree): the
 * same changes in the same order, and the same content basis (the pairs skipped are equal entries; they are looked
 * at only when the basis still depends on them). An explicit stack: no recursion.
 */
export function compareTrees(rootA: FileNode, rootB: FileNode): {changes: FileChange[]; contentBasis: ContentBasis} {
	const changes: FileChange[] = [];
	const basis: Basis = {digest: 0, size: 0};
	const shared: FileNode[] = [];
	// Pairs at one path (either may be absent), popped in tree order.
	const stack: Array<[FileNode | undefined, FileNode | undefined]> = [];
	const pushChildren = (a: FileNode | undefined, b: FileNode | undefined): void => {
		const left = a !== undefined && opens(a) ? a.children : undefined;
		const right = b !== undefined && opens(b) ? b.children : undefined;
		const names = new Set<string>(left?.keys());
		for (const name of right?.keys() ?? []) {
			names.add(name);
		}

		const sorted = [...names].sort();
		for (let index = sorted.length - 1; index >= 0; index--) {
			const name = sorted[index]!;
			const x = left?.get(name);
			const y = right?.get(name);
			if (x !== undefined && x === y) {
				shared.push(x);
			} else {
				stack.push([x, y]);
			}
		}
	};

	pushChildren(rootA, rootB);
	for (let pair = stack.pop(); pair !== undefined; pair = stack.pop()) {
		const [a, b] = pair;
		const found = change(a === undefined ? undefined : listed(a), b === undefined ? undefined : listed(b), basis);
		if (found !== undefined) {
			changes.push(found);
		}

		pushChildren(a, b);
	}

	// Every pair in a shared subtree is an entry and itself: a digest to compare, or a file compared by size.
	const countShared = (wanted: (entry: LayerEntry) => boolean): boolean => {
		const pending = [...shared];
		for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
			if (wanted(listed(node))) {
				return true;
			}

			if (opens(node)) {
				for (const child of node.children?.values() ?? []) {
					pending.push(child);
				}
			}
		}

		return false;
	};

	if (basis.digest === 0 && countShared(entry => entry.digest !== undefined)) {
		basis.digest++;
	}

	if (basis.size === 0 && countShared(entry => entry.digest === undefined && entry.type === 'file')) {
		basis.size++;
	}

	return {changes, contentBasis: basisOf(basis)};
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

/**
 * A side from an image as read and its analysis: the final filesystem's listing (`root`: that filesystem when the
 * caller has it, e.g. from analyzeImageTree; else the layers are stacked here).
 */
export function sideOf(image: RawImage, analysis: AnalysisFigures, root: FileNode = finalFilesystem(image)): CompareSide & {readonly listing: readonly LayerEntry[]} {
	let listing: LayerEntry[] | undefined;
	return {
		name: image.name,
		analysis,
		// Made when asked for (the UI keeps it; compareImages walks `root` instead).
		get listing() {
			listing ??= finalListing(root);
			return listing;
		},
		root,
	};
}

/** A side from an image as read: analysed, and listed from the filesystem the analysis stacked (one stacking). */
export function readSide(image: RawImage): CompareSide & {readonly listing: readonly LayerEntry[]} {
	const {analysis, root} = analyzeImageFigures(image);
	return sideOf(image, analysis, root);
}

/**
 * readSide of two images at once: the layers they begin with in common (the same parsed contents) are analysed
 * once (analyzeImagePair).
 */
export function readSides(a: RawImage, b: RawImage): [CompareSide & {readonly listing: readonly LayerEntry[]}, CompareSide & {readonly listing: readonly LayerEntry[]}] {
	const [first, second] = analyzeImagePair(a, b);
	return [sideOf(a, first.analysis, first.root), sideOf(b, second.analysis, second.root)];
}

/** A against B: figures, layers and file changes (see the types above for each definition). */
export function compareImages(a: CompareSide, b: CompareSide, visit?: MergeVisitor): ImageComparison {
	const figuresA = imageFigures(a);
	const figuresB = imageFigures(b);
	let merged: {changes: FileChange[]; contentBasis: ContentBasis};
	if (visit === undefined && a.root !== undefined && b.root !== undefined) {
		merged = compareTrees(a.root, b.root);
	} else {
		const {changes, basis} = compareListings(a.listing, b.listing, visit);
		merged = {changes, contentBasis: basisOf(basis)};
	}

	const {changes, contentBasis} = merged;

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
