// Opening one layer's blob again, from whatever source the image came from, reading as little as the source
// allows: a seek in a plain archive file, one blob file of an OCI layout, one registry blob; an export stream
// (the daemon, a compressed archive) is read up to that layer and stopped.
import path from 'node:path';
import {Readable, Transform} from 'node:stream';
import {fileChunks} from '../archive/file-chunks.js';
import type {RawImage} from '../analysis/types.js';
import {type IndexedMember, indexTarFile, streamTarMember} from '../archive/archive-member.js';
import {escapeName} from '../report/escape.js';
import {type ImageSource, type LazyImage, SourceError} from '../sources/types.js';

/** Opens the blob of layer `index` (0 = base) of an image read from `source`. */
export type LayerOpener = (index: number, signal?: AbortSignal) => Promise<Readable>;

/** Bytes of the blob streams opened so far (for tests and the benchmark: what a `cat` really read). */
export type BlobReadCounter = {bytes: number};

/** `stream` with its bytes added to `counter` as they are read (a pass-through: the reader's pace is kept). */
export function counted(stream: Readable, counter: BlobReadCounter | undefined): Readable {
	if (counter === undefined) {
		return stream;
	}

	const counting = new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			counter.bytes += chunk.length;
			callback(null, chunk);
		},
	});
	stream.on('error', error => counting.destroy(error));
	counting.on('close', () => stream.destroy());
	return stream.pipe(counting);
}

/**
 * A function that opens any layer of `image` again from `source`. Errors (SourceError, one line) when the
 * source cannot be read twice (stdin).
 */
export function layerOpener(source: ImageSource | LazyImage, image: RawImage, counter?: BlobReadCounter): LayerOpener {
	// An archive file's headers are indexed once, on the first layer opened (undefined: not a plain tar).
	let members: Promise<Map<string, IndexedMember> | undefined> | undefined;
	return async (index, signal) => {
		const layer = image.layers[index];
		if (layer === undefined) {
			throw new SourceError(`layer ${index} does not exist (the image has ${image.layers.length})`);
		}

		if (source.kind === 'lazy') {
			const lazy = source.layers[index];
			if (lazy === undefined) {
				throw new SourceError(`layer ${index} does not exist in the registry manifest`);
			}

			return counted(await lazy.open(signal), counter);
		}

		const location = layer.location;
		if (location === undefined) {
			throw new SourceError(`layer ${index} cannot be read again from ${escapeName(source.name)}`);
		}

		if (source.kind === 'layout') {
			return counted(fileChunks(path.join(source.dir, ...location.split('/'))), counter);
		}

		if (source.once === true) {
			const what = source.name === 'stdin' ? 'stdin' : `${escapeName(source.name)} (a pipe)`;
			throw new SourceError(`${what} cannot be read twice: save the archive to a file first (e.g. \`docker save IMAGE -o image.tar\`) and name the file`);
		}

		if (source.file !== undefined) {
			members ??= indexTarFile(source.file);
			const span = (await members)?.get(location);
			if (span?.type === '0') {
				if (span.size === 0) {
					return Readable.from([]);
				}

				return counted(fileChunks(source.file, {start: span.offset, end: span.offset + span.size - 1}), counter);
			}
		}

		// A compressed archive or an export stream (the daemon's `docker save`): read up to the member, then stop.
		const stream = counted(await source.open(), counter);
		signal?.addEventListener('abort', () => {
			stream.destroy(new SourceError('cancelled'));
		}, {once: true});
		return streamTarMember(stream, location);
	};
}
