// Plain, JSON-serialisable data shared by archive readers, analysis, reports, CI and the UI.

/** The kind of a filesystem entry, as the tar header says. */
export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/**
 * One entry of a layer tar, normalised: `path` has no leading `/` or `./` and no trailing `/`.
 * A whiteout `.wh.NAME` becomes an entry for NAME with `whiteout: true`; an opaque whiteout
 * `DIR/.wh..wh..opq` becomes an entry for DIR with `opaque: true`.
 */
export type LayerEntry = {
	readonly path: string;
	readonly type: EntryType;
	/** Permission bits plus setuid/setgid/sticky (0o7777). */
	readonly mode: number;
	readonly uid: number;
	readonly gid: number;
	/** Size from the tar header (0 for everything but regular files). */
	readonly size: number;
	/** Symlink target, or the hardlink's target path (normalised like `path`). */
	readonly linkTarget?: string;
	readonly mtime?: number;
	/**
	 * Digest of a regular file's content as "ALGO:HEX" (e.g. "xxh64:0123456789abcdef"), computed while the layer
	 * streams; the logical content for sparse files (holes are zeros). Absent for non-files and where unknown.
	 * A hardlink has none of its own: it shares its target's.
	 */
	readonly digest?: string;
	readonly whiteout?: true;
	readonly opaque?: true;
};

/** What streaming one layer tar produced. */
export type LayerContents = {
	readonly entries: LayerEntry[];
	/** Bytes of the uncompressed tar stream. */
	readonly tarBytes: number;
	/** Bytes of the blob as stored (compressed size). */
	readonly blobBytes: number;
	readonly compression: 'none' | 'gzip' | 'zstd';
	/**
	 * sha256 of the whole uncompressed blob ("sha256:<64 hex>"), i.e. the layer's diff_id as the OCI image spec
	 * defines it; present only when the parse was asked for it (`computeDiffId`).
	 */
	readonly diffId?: string;
	/** Figures the reader gathers while the entries are hot (analysis computes them when absent). */
	readonly summary?: LayerContentsSummary;
};

export type LayerContentsSummary = {
	/** Σ entry sizes. */
	readonly sizeBytes: number;
	readonly whiteouts: number;
	readonly opaques: number;
};

/** The summary of a list of entries (what the reader gathers as it goes). */
export function summarizeEntries(entries: readonly LayerEntry[]): LayerContentsSummary {
	let sizeBytes = 0;
	let whiteouts = 0;
	let opaques = 0;
	for (const entry of entries) {
		sizeBytes += entry.size;
		whiteouts += entry.whiteout === true ? 1 : 0;
		opaques += entry.opaque === true ? 1 : 0;
	}

	return {sizeBytes, whiteouts, opaques};
}

/** A layer of an image as read from a source, in manifest order (index 0 = base). */
export type RawLayer = {
	/** dive's layer id: the first path segment of the layer's location in the archive (or the blob name). */
	readonly id: string;
	/** Digest of the blob as stored (sha256:…), when known. */
	readonly digest: string;
	/** Uncompressed digest from the image config (rootfs.diff_ids), when known. */
	readonly diffId: string;
	/** History `created_by`, with a leading "/bin/sh -c " removed (as dive shows it). */
	readonly command: string;
	/** ISO time from the image history, or '' */
	readonly created: string;
	readonly contents: LayerContents;
	/**
	 * Where the layer's blob is in its source, to open it again (cat, extract): the member path in an image
	 * archive, or the blob's path in an OCI layout; absent where the source is not a file (a registry knows its
	 * blobs by digest).
	 */
	readonly location?: string;
};

/** An image, fully read: everything analysis needs. */
export type RawImage = {
	/** What the user asked for (reference, file name). */
	readonly name: string;
	/** Tags from the archive (RepoTags) or the reference. */
	readonly tags: readonly string[];
	readonly config: ImageConfigSummary;
	readonly layers: readonly RawLayer[];
};

export type ImageConfigSummary = {
	readonly id: string;
	readonly os: string;
	readonly architecture: string;
	readonly created: string;
};

/** A path that occurs in two or more layers (dive's "inefficiency"). */
export type Inefficiency = {
	/** Absolute path, as dive prints it ("/root/saved.txt"). */
	readonly path: string;
	/** How many layers touch the path (added, changed or deleted it). */
	readonly count: number;
	/** dive's cumulative size: bytes of every copy (a whiteout of a directory counts its removed subtree). */
	readonly cumulativeSize: number;
	/** dive's minimum discovered size. */
	readonly minimumSize: number;
};

/** Regular files with identical content (equal digests) at different paths of the final filesystem. */
export type DuplicateFiles = {
	/** The shared content digest ("xxh64:…" or "sha256:…"). */
	readonly digest: string;
	/** Size of one copy. */
	readonly sizeBytes: number;
	/** Number of copies (≥ 2); hardlinks are one file, never counted as copies. */
	readonly count: number;
	/** Absolute paths of the copies, in byte order. */
	readonly paths: readonly string[];
};

export type LayerSummary = {
	readonly index: number;
	readonly id: string;
	readonly digest: string;
	readonly diffId: string;
	readonly command: string;
	readonly created: string;
	/** Sum of the tar header sizes of the layer's entries (dive's layer size). */
	readonly sizeBytes: number;
	/** Nodes of the layer's own tree, implicit parent directories included (dive's count). */
	readonly nodeCount: number;
	/** Entries in the layer tar (whiteouts included). */
	readonly entryCount: number;
	readonly tarBytes: number;
	readonly blobBytes: number;
	readonly compression: LayerContents['compression'];
	/**
	 * The layer's change counts against the filesystem of the layers below it (empty for layer 0), directories
	 * included; defined once in src/analysis/tree.ts `LayerChanges`: paths added, modified (sameFile:
	 * type, content digest, mode, uid, gid, link target) and removed (each path below a removed directory too).
	 */
	readonly added: number;
	readonly modified: number;
	readonly removed: number;
};

/** The whole-image figures, defined as dive defines them, plus layerscope's own. */
export type ImageSummary = {
	readonly name: string;
	readonly tags: readonly string[];
	readonly sizeBytes: number;
	/** Size of every layer but the first. */
	readonly userSizeBytes: number;
	/** Sum of cumulative sizes of every path seen in two or more layers. */
	readonly wastedBytes: number;
	/** wastedBytes / userSizeBytes; NaN when userSizeBytes is 0 (dive's 0/0). */
	readonly userWastedPercent: number;
	/** Σ minimum sizes / Σ cumulative sizes over all leaf paths; 1 when nothing was seen. */
	readonly efficiency: number;
	/** Bytes squashing the image would drop: every copy of a file that a later layer overwrites or deletes. */
	readonly reclaimableBytes: number;
	/** Entries in the final filesystem (what `docker export` would hold). */
	readonly fileCount: number;
	/** Sum of every layer's node count (dive's "files:" figure). */
	readonly nodeCount: number;
	readonly inefficiencies: readonly Inefficiency[];
	/** Σ size × (copies − 1) over duplicateFiles: bytes stored more than once in the final filesystem. */
	readonly duplicateBytes: number;
	/** Groups of identical regular files at different paths, largest duplicated bytes first. */
	readonly duplicateFiles: readonly DuplicateFiles[];
};

export type Analysis = {
	readonly image: ImageSummary;
	readonly layers: readonly LayerSummary[];
	readonly config: ImageConfigSummary;
};

/** An analysis without its lists of files (inefficiencies, duplicate groups): the figures `compare` shows. */
export type AnalysisFigures = {
	readonly image: Omit<ImageSummary, 'inefficiencies' | 'duplicateFiles'>;
	readonly layers: readonly LayerSummary[];
	readonly config: ImageConfigSummary;
};

/** How a path in a tree view relates to the layers compared. */
export type ChangeKind = 'added' | 'modified' | 'removed' | 'unmodified';
