// A source only produces bytes and metadata; reading and analysis happen elsewhere.
import type {Readable} from 'node:stream';

/** Progress of work a source does before its bytes flow (a pull). */
export type SourceStatus = {
	readonly phase: 'pull' | 'export' | 'read';
	readonly message: string;
	/** Bytes done / total in this phase, when known. */
	readonly current?: number;
	readonly total?: number;
};

export type SourceOptions = {
	readonly onStatus?: (status: SourceStatus) => void;
	readonly signal?: AbortSignal;
	/** The daemon to use: 'docker' (default discovery) or 'podman'. */
	readonly engine?: 'docker' | 'podman';
};

/** An image as a byte stream in one of the archive formats (docker save, OCI archive…). */
export type ArchiveSource = {
	readonly kind: 'archive';
	/** What to call the image in reports. */
	readonly name: string;
	readonly open: () => Promise<Readable>;
	readonly totalBytes?: number;
	/** The archive's path when it is a file on disk (its layers can then be read again by seeking). */
	readonly file?: string;
	/** A stream that can be read only once (standard input, a named pipe): no layer can be read from it again. */
	readonly once?: boolean;
	/** For archives holding several images: which tag to pick. */
	readonly tag?: string;
	/**
	 * What the source knows of the image before any byte (the daemon's inspect): its id (the config digest) and its
	 * layers' diff_ids, base first. With these, a cache can answer without opening the archive at all.
	 */
	readonly known?: {readonly imageId: string; readonly diffIds: readonly string[]};
};

/** An OCI image layout directory, read blob by blob. */
export type LayoutSource = {
	readonly kind: 'layout';
	readonly name: string;
	readonly dir: string;
	/** Which image of the layout's index (a ref name); default: the only or the host platform's one. */
	readonly ref?: string;
};

export type ImageSource = ArchiveSource | LayoutSource;

/** An error whose message is fit to show the user as is (one line). */
export class SourceError extends Error {}

/**
 * One layer whose bytes open lazily (go-containerregistry's v1.Layer): what a registry, an OCI layout or the
 * daemon's inspect knows before any layer byte is read, so a cache can answer by diff_id first.
 */
export type LazyLayer = {
	/** Digest of the blob as stored (sha256:…); '' when unknown. */
	readonly digest: string;
	/** sha256 of the uncompressed tar (the config's rootfs.diff_ids entry), "sha256:…"; '' when unknown. */
	readonly diffId: string;
	/** Bytes of the blob as stored, when known. */
	readonly size?: number;
	readonly mediaType?: string;
	/** The blob's bytes as stored (plain, gzip or zstd). Each call starts a new read. */
	readonly open: (signal?: AbortSignal) => Promise<Readable>;
};

/** An image known by its manifest and config before any layer byte is read. */
export type LazyImage = {
	readonly kind: 'lazy';
	/** What to call the image in reports. */
	readonly name: string;
	readonly tags: readonly string[];
	/** The image config (application/vnd.oci.image.config.v1+json) as bytes, to be parsed by the archive reader. */
	readonly config: Uint8Array;
	/** Digest of the config blob (the image id). */
	readonly configDigest: string;
	/** Base first. */
	readonly layers: readonly LazyLayer[];
};
