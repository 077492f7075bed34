// Content access: walk one layer blob (plain, gzip or zstd tar) entry by entry with each regular file's logical
// content as a stream, for `cat`, `extract` and the content viewer. Same framing as the analysis parse
// (tar-reader.ts): the entries are those Go's archive/tar yields. Nothing is buffered beyond one decoded chunk.

import {Readable} from 'node:stream';
import type {LayerEntry} from '../analysis/types.js';
import {decodeErrorMessage, decoderFor, readHead, sniff, ZstdDecoder, zstdEngine} from './blob.js';
import {entryFromHeader} from './layer-tar.js';
import {FormatError} from './manifest.js';
import {defaultTarLimits, type TarHeader, type TarLimits, TarReader} from './tar-reader.js';

/** What a visitor returns: 'stop' ends the walk after this entry (nothing more is read). */
export type WalkControl = void | 'stop';

/**
 * Called once per entry, in archive order. `body` is the logical content of a regular file (holes of sparse files
 * as zeros), undefined for other entries. Read it (or pipe it) before the returned promise settles; a body left
 * unread is drained. `entry.digest` is absent here: the body is the content.
 */
export type WalkVisitor = (entry: LayerEntry, body: Readable | undefined) => WalkControl | Promise<WalkControl>;

export type WalkOptions = {
	/** Aborting stops the walk as 'stop' does. */
	readonly signal?: AbortSignal;
	readonly limits?: TarLimits;
	/** Highest bytes a body buffers before the reader waits (default 256 KiB). */
	readonly bodyHighWaterMark?: number;
};

export type WalkResult = {
	/** True when the visitor or the signal stopped the walk before the end of the tar. */
	readonly stopped: boolean;
	/** Entries visited. */
	readonly entries: number;
};

type Event = {kind: 'header'; header: TarHeader} | {kind: 'data'; chunk: Buffer} | {kind: 'hole'; length: number} | {kind: 'end'};

const zeroPiece = 64 * 1024;

/** The uncompressed bytes of a blob whose first bytes are `head`, pulled lazily. */
async function * decoded(head: Buffer, blob: Readable): AsyncGenerator<Buffer> {
	const kind = head.length === 0 ? 'tar' : sniff(head);
	if (kind !== 'tar' && kind !== 'gzip' && kind !== 'zstd') {
		throw new FormatError('not a layer: the blob is neither a tar nor a gzip or zstd compressed one');
	}

	async function * raw(): AsyncGenerator<Buffer> {
		if (head.length > 0) {
			yield head;
		}

		for await (const chunk of blob.iterator({destroyOnReturn: false})) {
			yield chunk as Buffer;
		}
	}

	if (kind === 'tar') {
		yield * raw();
		return;
	}

	if (kind === 'zstd' && zstdEngine() !== 'node-zlib') {
		// The native or fzstd decoder, pulled piece by piece (the generator is the backpressure).
		const decoder = new ZstdDecoder();
		try {
			for await (const chunk of raw()) {
				yield * decoder.decode(chunk);
			}

			decoder.finish();
		} catch (error) {
			throw error instanceof FormatError ? error : new FormatError(`corrupt zstd layer data: ${(error as Error).message}`);
		}

		return;
	}

	const stream = decoderFor(kind)!;
	const source = Readable.from(raw(), {objectMode: false});
	source.on('error', error => stream.destroy(error));
	source.pipe(stream);
	try {
		for await (const chunk of stream) {
			yield chunk as Buffer;
		}
	} catch (error) {
		throw error instanceof FormatError ? error : new FormatError(decodeErrorMessage(error as Error, kind, 'layer'));
	} finally {
		source.destroy();
	}
}

/** Waits for a body to want more, or to be gone, or for its visitor to be done with it. */
class Body {
	readonly stream: Readable;
	private wake: (() => void) | undefined;
	private left = false;

	constructor(highWaterMark: number) {
		this.stream = new Readable({
			highWaterMark,
			read: () => {
				this.release();
			},
		});
		this.stream.on('close', () => {
			this.release();
		});
		this.stream.on('error', () => undefined); // The visitor's business; the walk goes on.
	}

	/** True once nobody will read the rest: destroyed, or left unread by a visitor that is done. */
	get abandoned(): boolean {
		return this.left || this.stream.destroyed;
	}

	/** Push a piece; resolves when the body can take more (or nobody reads it any more). */
	async push(chunk: Buffer, visitDone: Promise<unknown>): Promise<void> {
		const {stream} = this;
		if (this.abandoned) {
			return;
		}

		if (stream.push(chunk)) {
			return;
		}

		const wanted = new Promise<void>(resolve => {
			this.wake = resolve;
		});
		const settled = await Promise.race([wanted.then(() => false), visitDone.then(() => true, () => true)]);
		if (settled && !stream.destroyed && stream.readableFlowing !== true) {
			// The visitor is done and left the body unread: the rest is skipped, not produced (a sparse file's
			// holes may claim terabytes), and what is buffered drains.
			this.left = true;
			stream.resume();
		}
	}

	end(): void {
		if (!this.stream.destroyed && !this.stream.readableEnded) {
			this.stream.push(null);
		}
	}

	private release(): void {
		const wake = this.wake;
		this.wake = undefined;
		wake?.();
	}
}

/**
 * Walk the entries of one layer blob (its kind is sniffed from its bytes). Resolves when the tar ends or the walk
 * is stopped; rejects with a FormatError (one line) for a layer Go's reader or the limits refuse, or with the
 * visitor's own error. Stopping early destroys `blob`; after the end marker the rest of `blob` is drained.
 */
export async function walkLayer(blob: Readable, visit: WalkVisitor, options: WalkOptions = {}): Promise<WalkResult> {
	const queue: Event[] = [];
	const reader = new TarReader({
		header(header) {
			queue.push({kind: 'header', header});
		},
		data(chunk) {
			queue.push({kind: 'data', chunk});
		},
		hole(length) {
			queue.push({kind: 'hole', length});
		},
		end() {
			queue.push({kind: 'end'});
		},
	}, options.limits ?? defaultTarLimits);
	const highWaterMark = options.bodyHighWaterMark ?? 256 * 1024;
	let entries = 0;
	let entry: LayerEntry | undefined;
	let body: Body | undefined;
	let visiting: Promise<WalkControl> | undefined;
	let stopped = false;

	const process = async (): Promise<void> => {
		for (const event of queue) {
			if (stopped) {
				break;
			}

			switch (event.kind) {
				case 'header': {
					entry = entryFromHeader(event.header);
					if (entry !== undefined) {
						entries++;
						body = entry.type === 'file' ? new Body(highWaterMark) : undefined;
						visiting = Promise.resolve(visit(entry, body?.stream));
						visiting.catch(() => undefined); // Awaited at the entry's end.
					}

					break;
				}

				case 'data': {
					await body?.push(event.chunk, visiting!);
					break;
				}

				case 'hole': {
					for (let left = event.length; left > 0 && body !== undefined && !body.abandoned; left -= zeroPiece) {
						await body.push(Buffer.alloc(Math.min(left, zeroPiece)), visiting!);
					}

					break;
				}

				case 'end': {
					body?.end();
					if (visiting !== undefined) {
						const control = await visiting;
						if (control === 'stop' || options.signal?.aborted === true) {
							stopped = true;
						}
					}

					entry = undefined;
					body = undefined;
					visiting = undefined;
					break;
				}
			}
		}

		queue.length = 0;
	};

	if (options.signal?.aborted === true) {
		blob.destroy();
		return {stopped: true, entries: 0};
	}

	const head = await readHead(blob);
	const chunks = decoded(head, blob);
	try {
		for await (const chunk of chunks) {
			let failure: unknown;
			try {
				reader.write(chunk);
			} catch (error) {
				failure = error;
			}

			await process();
			if (failure !== undefined) {
				throw failure;
			}

			if (stopped || reader.ended) {
				break;
			}
		}

		if (!stopped) {
			reader.end();
			await process();
		}
	} catch (error) {
		body?.stream.destroy(error as Error);
		throw error;
	} finally {
		await chunks.return(undefined);
		if (stopped) {
			blob.destroy();
		} else if (!blob.destroyed) {
			blob.resume(); // Bytes after the end marker: drained, so a surrounding stream goes on.
		}
	}

	return {stopped, entries};
}
