// One layer blob (plain, gzip or zstd tar) → its entries, in one streaming pass; nothing is kept but headers.
import {createHash, type Hash} from 'node:crypto';
import {type Transform, Writable} from 'node:stream';
import tarStream, {type Header} from 'tar-stream';
import type {EntryType, LayerContents, LayerEntry} from '../analysis/types.js';
import {type BlobKind, decoderFor} from './blob.js';
import {FormatError} from './manifest.js';
import {headerLinkName, headerName, normalizePath} from './names.js';
import {TarFraming} from './tar-framing.js';

const whiteoutPrefix = '.wh.';
const opaqueMarker = '.wh..wh..opq';

const typeMap: Record<string, EntryType | undefined> = {
	file: 'file',
	'contiguous-file': 'file',
	directory: 'dir',
	symlink: 'symlink',
	link: 'hardlink',
	'character-device': 'char',
	'block-device': 'block',
	fifo: 'fifo',
};

type TarHeader = Partial<Header> & {name: string};

/** Convert a tar header to a layer entry; undefined for entries that are not filesystem objects. */
export function toEntry(header: TarHeader): LayerEntry | undefined {
	const type = typeMap[header.type ?? 'file'];
	if (type === undefined) {
		return undefined;
	}

	let path = normalizePath(headerName(header));
	if (path === '') {
		return undefined;
	}

	let whiteout: true | undefined;
	let opaque: true | undefined;
	const slash = path.lastIndexOf('/');
	if (path.startsWith(whiteoutPrefix, slash + 1)) {
		const dir = slash < 0 ? '' : path.slice(0, slash);
		const base = path.slice(slash + 1);
		if (base === opaqueMarker) {
			path = dir;
			opaque = true;
		} else if (base.startsWith(opaqueMarker.slice(0, 8))) {
			return undefined; // Other aufs metadata (.wh..wh.plnk, .wh..wh.aufs): not part of the filesystem.
		} else {
			const name = base.slice(whiteoutPrefix.length);
			path = dir === '' ? name : `${dir}/${name}`;
			whiteout = true;
		}
	}

	let linkTarget: string | undefined;
	if (header.linkname && (type === 'symlink' || type === 'hardlink')) {
		const target = headerLinkName(header);
		linkTarget = type === 'hardlink' ? normalizePath(target) : target;
	}

	// Every entry has the same shape (one hidden class): the analysis walks hundreds of thousands of them.
	return {
		path,
		type,
		mode: (header.mode ?? 0) & 0o7777,
		uid: header.uid ?? 0,
		gid: header.gid ?? 0,
		size: type === 'file' ? header.size ?? 0 : 0,
		linkTarget,
		mtime: header.mtime === undefined ? 0 : Math.floor(header.mtime.getTime() / 1000),
		whiteout,
		opaque,
	};
}

export type LayerProgress = (entries: number) => void;

/** How to parse a layer. */
export type LayerParseOptions = {
	/** Called every 1024 entries with the number read so far. */
	readonly onEntries?: LayerProgress;
	/**
	 * Hash the whole uncompressed stream with sha256 (every byte the decoder yields, data after the tar's end marker
	 * included) and return it as `LayerContents.diffId` ("sha256:<hex>"), to check it against the config's diff_id.
	 */
	readonly computeDiffId?: boolean;
};

/** tar-stream's errors in words for the user, for the outer archive or a layer. */
export function tarError(error: Error, subject: 'archive' | 'layer', compression: LayerContents['compression'] = 'none'): Error {
	if (error instanceof FormatError) {
		return error;
	}

	if (error.message === 'Unexpected end of data') {
		return new FormatError(subject === 'archive' ? 'truncated archive: the data ends in the middle of an entry' : 'truncated layer tar');
	}

	if (error.message.startsWith('Invalid tar header')) {
		return new FormatError(subject === 'archive'
			? 'not an image archive: the input is not a tar file (nor a gzip or zstd compressed one)'
			: `corrupt ${compression === 'none' ? '' : `${compression} `}layer data: invalid tar header`);
	}

	return new FormatError(`cannot read the ${subject}: ${error.message}`);
}

/**
 * Parses one layer blob pushed to it chunk by chunk (no stream objects in between: decoder → framing →
 * tar-stream). `write` returns a promise only when the caller must wait (backpressure).
 */
export class LayerParser {
	readonly contents: Promise<LayerContents>;
	private blobBytes = 0;
	private readonly decoder: Transform | undefined;
	private readonly framing = new TarFraming();
	private readonly extract = tarStream.extract({filenameEncoding: 'latin1', highWaterMark: 1024 * 1024} as Parameters<typeof tarStream.extract>[0]);
	private failure: Error | undefined;
	private rejectContents: (error: Error) => void = () => undefined;
	private readonly diffIdHash: Hash | undefined;

	/** `options` may be just the progress callback (older callers). */
	constructor(kind: BlobKind, options: LayerParseOptions | LayerProgress = {}) {
		const {onEntries, computeDiffId} = typeof options === 'function' ? {onEntries: options, computeDiffId: false} : options;
		this.diffIdHash = computeDiffId === true ? createHash('sha256') : undefined;
		const decoder = decoderFor(kind);
		this.decoder = decoder;
		const compression = kind === 'gzip' || kind === 'zstd' ? kind : 'none';
		const {extract, framing} = this;
		const entries: LayerEntry[] = [];
		let sizeBytes = 0;
		let whiteouts = 0;
		let opaques = 0;
		this.contents = new Promise<LayerContents>((resolve, reject) => {
			this.rejectContents = reject;
			extract.on('error', (error: Error) => {
				this.fail(tarError(error, 'layer', compression));
			});
			extract.on('entry', (header: TarHeader, stream, next) => {
				const entry = toEntry(header);
				if (entry !== undefined) {
					entries.push(entry);
					sizeBytes += entry.size;
					whiteouts += entry.whiteout === true ? 1 : 0;
					opaques += entry.opaque === true ? 1 : 0;
					if (onEntries !== undefined && (entries.length & 0x3FF) === 0) {
						onEntries(entries.length);
					}
				}

				stream.on('error', () => undefined); // The extract reports it.
				stream.on('end', next);
				stream.resume();
			});
			extract.on('finish', () => {
				const diffId = this.diffIdHash === undefined ? undefined : `sha256:${this.diffIdHash.digest('hex')}`;
				resolve({entries, tarBytes: framing.bytes, blobBytes: this.blobBytes, compression, diffId, summary: {sizeBytes, whiteouts, opaques}});
			});
		});
		this.contents.catch(() => undefined); // Reported to whoever awaits it.
		if (decoder !== undefined) {
			decoder.on('error', error => {
				this.fail(new Error(`corrupt ${kind} layer data: ${error.message}`));
			});
			decoder.on('data', (chunk: Buffer) => {
				if (!this.toExtract(chunk)) {
					decoder.pause();
				}
			});
			extract.on('drain', () => decoder.resume());
			decoder.on('end', () => {
				this.endExtract();
			});
		}
	}

	/** Push the next bytes of the blob. */
	write(chunk: Buffer): Promise<void> | undefined {
		if (this.failure !== undefined) {
			return Promise.reject(this.failure);
		}

		this.blobBytes += chunk.length;
		const {decoder, extract} = this;
		if (decoder !== undefined) {
			return decoder.write(chunk) ? undefined : this.waitFor(decoder);
		}

		return this.toExtract(chunk) ? undefined : this.waitFor(extract);
	}

	/** No more bytes: resolves with the layer's contents (or rejects with why it could not be read). */
	async end(): Promise<LayerContents> {
		if (this.decoder === undefined) {
			this.endExtract();
		} else {
			this.decoder.end();
		}

		return this.contents;
	}

	private toExtract(chunk: Buffer): boolean {
		this.diffIdHash?.update(chunk);
		const part = this.framing.feed(chunk);
		return part.length === 0 ? true : this.extract.write(part);
	}

	private endExtract(): void {
		const error = this.framing.finish();
		if (error === undefined) {
			this.extract.end(undefined);
		} else {
			this.fail(error);
		}
	}

	private fail(error: Error): void {
		if (this.failure === undefined) {
			this.failure = error;
			this.rejectContents(error);
			this.decoder?.destroy();
			this.extract.destroy();
		}
	}

	private async waitFor(target: {once(event: 'drain', listener: () => void): unknown}): Promise<void> {
		await Promise.race([
			new Promise<void>(resolve => {
				target.once('drain', resolve);
			}),
			this.contents.then(() => undefined),
		]);
		if (this.failure !== undefined) {
			throw this.failure;
		}
	}
}

/** A Writable over LayerParser, for piping a layer stream in (e.g. `docker export` output). */
export class LayerSink extends Writable {
	readonly contents: Promise<LayerContents>;
	private readonly parser: LayerParser;

	constructor(kind: BlobKind, options: LayerParseOptions | LayerProgress = {}) {
		super({highWaterMark: 1024 * 1024});
		this.parser = new LayerParser(kind, options);
		this.contents = this.parser.contents;
	}

	override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		const pending = this.parser.write(chunk);
		if (pending === undefined) {
			callback();
		} else {
			pending.then(() => {
				callback();
			}, (error: unknown) => {
				callback(error as Error);
			});
		}
	}

	override _final(callback: (error?: Error | null) => void): void {
		this.parser.end().then(() => {
			callback();
		}, (error: unknown) => {
			callback(error as Error);
		});
	}
}
