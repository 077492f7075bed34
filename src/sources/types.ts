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
	/** For archives holding several images: which tag to pick. */
	readonly tag?: string;
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
