// The bytes of chosen regular files of one layer blob, streamed as the tar goes by (nothing else is kept), for
// `cat`, `extract` and the file viewer.
import type {Readable} from 'node:stream';
import tarStream from 'tar-stream';
import type {LayerEntry} from '../analysis/types.js';
import {decoderFor, readHead, sniff} from './blob.js';
import {FormatError} from './manifest.js';
import {tarError, toEntry} from './layer-tar.js';
import {TarFraming} from './tar-framing.js';

/** Receives one wanted file: its entry and its bytes (read them, or they are skipped once the promise settles). */
export type FileVisitor = (entry: LayerEntry, body: AsyncIterable<Buffer>) => Promise<void>;

/**
 * Stream a layer blob (plain, gzip or zstd tar) and hand each regular file whose path is in `wanted` to
 * `visit`, in tar order, with backpressure. The walk stops (and `blob` is destroyed) once every wanted path has
 * been seen. Resolves with the paths that were found.
 */
export async function readLayerFiles(blob: Readable, wanted: ReadonlySet<string>, visit: FileVisitor): Promise<Set<string>> {
	const found = new Set<string>();
	if (wanted.size === 0) {
		blob.destroy();
		return found;
	}

	const head = await readHead(blob, 4);
	if (!blob.readableEnded && head.length > 0) {
		blob.unshift(head);
	}

	const kind = sniff(head);
	const decoder = decoderFor(kind);
	const compression = kind === 'gzip' || kind === 'zstd' ? kind : 'none';
	const framing = new TarFraming();
	const extract = tarStream.extract({filenameEncoding: 'latin1'} as Parameters<typeof tarStream.extract>[0]);
	const source = decoder === undefined ? blob : blob.pipe(decoder);
	let done = false;
	const stop = (): void => {
		done = true;
		source.pause();
		blob.destroy();
		decoder?.destroy();
		extract.destroy();
	};

	await new Promise<void>((resolve, reject) => {
		const fail = (error: Error): void => {
			if (!done) {
				stop();
				reject(error);
			}
		};

		blob.on('error', error => {
			fail(new FormatError(`cannot read the layer: ${(error as NodeJS.ErrnoException).code ?? error.message}`));
		});
		decoder?.on('error', error => {
			fail(new FormatError(`corrupt ${kind} layer data: ${error.message}`));
		});
		source.on('data', (chunk: Buffer) => {
			if (done) {
				return;
			}

			const part = framing.feed(chunk);
			if (part.length > 0 && !extract.write(part)) {
				source.pause();
			}
		});
		extract.on('drain', () => source.resume());
		source.on('end', () => {
			const error = framing.finish();
			if (error === undefined) {
				extract.end(undefined);
			} else {
				fail(error);
			}
		});
		extract.on('error', (error: Error) => {
			fail(tarError(error, 'layer', compression));
		});
		extract.on('finish', () => {
			if (!done) {
				done = true;
				resolve();
			}
		});
		extract.on('entry', (header, stream, next) => {
			const entry = toEntry(header);
			stream.on('error', () => undefined); // The extract reports it.
			if (entry === undefined || entry.type !== 'file' || entry.whiteout === true || !wanted.has(entry.path) || found.has(entry.path)) {
				stream.on('end', next);
				stream.resume();
				return;
			}

			found.add(entry.path);
			visit(entry, stream as unknown as AsyncIterable<Buffer>).then(() => {
				stream.resume(); // Whatever the visitor left unread.
				if (found.size === wanted.size) {
					stop();
					resolve();
					return;
				}

				if ((stream as unknown as {readableEnded?: boolean}).readableEnded === true || stream.destroyed) {
					next();
				} else {
					stream.on('end', next);
				}
			}, (error: unknown) => {
				fail(error as Error);
			});
		});
	});
	return found;
}
