// One layer blob (plain, gzip or zstd tar) → its entries, in one streaming pass; nothing is kept but headers.
import {Writable} from 'node:stream';
import tarStream, {type Header} from 'tar-stream';
import type {EntryType, LayerContents, LayerEntry} from '../analysis/types.js';
import {type BlobKind, decoderFor, writeTo} from './blob.js';
import {decodeLatin1Name, normalizePath} from './names.js';
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

	let path = normalizePath(decodeLatin1Name(header.name));
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
		const target = decodeLatin1Name(header.linkname);
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

/** A Writable taking the bytes of one layer blob; `contents` resolves once it has finished. */
export class LayerSink extends Writable {
	readonly contents: Promise<LayerContents>;
	private blobBytes = 0;
	private readonly input: Writable;
	private readonly framing = new TarFraming();

	constructor(kind: BlobKind, onEntries?: LayerProgress) {
		super({highWaterMark: 1024 * 1024});
		const decoder = decoderFor(kind);
		const compression = kind === 'gzip' || kind === 'zstd' ? kind : 'none';
		const extract = tarStream.extract({filenameEncoding: 'latin1'} as Parameters<typeof tarStream.extract>[0]);
		const entries: LayerEntry[] = [];
		const {framing} = this;
		this.input = decoder ?? framing;
		this.contents = new Promise<LayerContents>((resolve, reject) => {
			const fail = (error: Error): void => {
				reject(error);
				extract.destroy();
			};

			decoder?.on('error', error => {
				fail(new Error(`corrupt ${kind} layer data: ${error.message}`));
			});
			decoder?.pipe(framing);
			framing.on('error', fail);
			extract.on('error', (error: Error) => {
				if (error.message === 'Unexpected end of data') {
					fail(new Error('truncated layer tar'));
				} else if (error.message.startsWith('Invalid tar header')) {
					fail(new Error(`corrupt ${compression === 'none' ? '' : `${compression} `}layer data: invalid tar header`));
				} else {
					fail(error);
				}
			});
			framing.on('data', (chunk: Buffer) => {
				if (!extract.write(chunk)) {
					framing.pause();
				}
			});
			extract.on('drain', () => framing.resume());
			framing.on('end', () => {
				extract.end(undefined);
			});
			extract.on('entry', (header: TarHeader, stream, next) => {
				const entry = toEntry(header);
				if (entry !== undefined) {
					entries.push(entry);
					if (onEntries !== undefined && (entries.length & 0x3FF) === 0) {
						onEntries(entries.length);
					}
				}

				stream.on('error', () => undefined); // The extract reports it.
				stream.on('end', next);
				stream.resume();
			});
			extract.on('finish', () => {
				resolve({entries, tarBytes: framing.bytes, blobBytes: this.blobBytes, compression});
			});
		});
		// Errors are reported through `contents`.
		this.contents.catch(() => undefined);
	}

	override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		this.blobBytes += chunk.length;
		writeTo(this.input, chunk).then(() => {
			callback();
		}, (error: unknown) => {
			callback(error as Error);
		});
	}

	override _final(callback: (error?: Error | null) => void): void {
		this.input.end();
		this.contents.then(() => {
			callback();
		}, (error: unknown) => {
			callback(error as Error);
		});
	}
}
