// The bytes of chosen regular files of one layer blob, streamed as the tar goes by (nothing else is kept), for
// `cat`, `extract` and the file viewer. The entries are the analysis's own (walkLayer: Go-exact framing, sparse
// files as their logical bytes).
import type {Readable} from 'node:stream';
import type {LayerEntry} from '../analysis/types.js';
import {walkLayer} from './tar-walk.js';

/** Receives one wanted file: its entry and its bytes (read them, or they are skipped once the promise settles). */
export type FileVisitor = (entry: LayerEntry, body: AsyncIterable<Buffer>) => Promise<void>;

/**
 * Stream a layer blob (plain, gzip or zstd tar) and hand each regular file whose path is in `wanted` to
 * `visit`, in tar order, with backpressure. The walk stops (and `blob` is destroyed) once every wanted path has
 * been seen. Resolves with the paths that were found; rejects with a FormatError for a layer that cannot be read.
 */
export async function readLayerFiles(blob: Readable, wanted: ReadonlySet<string>, visit: FileVisitor, signal?: AbortSignal): Promise<Set<string>> {
	const found = new Set<string>();
	if (wanted.size === 0) {
		blob.destroy();
		return found;
	}

	await walkLayer(blob, async (entry, body) => {
		if (body === undefined || entry.type !== 'file' || !wanted.has(entry.path) || found.has(entry.path)) {
			return undefined;
		}

		found.add(entry.path);
		await visit(entry, body);
		return found.size === wanted.size ? 'stop' : undefined;
	}, {signal});
	return found;
}
