// Reading the two images of `layerscope compare` at the same time, each in a worker thread of its own: a worker
// reads its image (src/cli/load.ts), analyses it and lists its final filesystem, then hands the analysis and the
// listing (plain data) to the main thread, which only merges. Reading and parsing are CPU work in JavaScript: on
// one thread two images take twice as long as one; on two they take about as long as the larger.
//
// The worker runs this same module (its top level checks workerData), so the bundle needs no extra entry point.
import {isMainThread, parentPort, Worker, workerData} from 'node:worker_threads';
import {type CompareSide, readSide} from '../analysis/compare.js';
import type {EntryType, LayerEntry} from '../analysis/types.js';
import type {SourceStatus} from '../sources/types.js';
import {type LoadOptions, loadImage} from './load.js';
import {flushRunCache, runCache} from './run-cache.js';

export type SideName = 'A' | 'B';

/** What a worker is asked for: plain data only (the layer cache is opened by the worker itself). */
type Request = {
	readonly kind: 'layerscope-compare-load';
	readonly target: string;
	readonly load: Pick<LoadOptions, 'source' | 'platform' | 'insecure'>;
	/** Use the layer cache (the caller had one). */
	readonly cache: boolean;
};

type Read = {bytes: number; totalBytes?: number; layersDone: number; entries: number};

type Message =
	| {readonly type: 'status'; readonly status: SourceStatus}
	| {readonly type: 'read'; readonly read: Read}
	| {readonly type: 'notice'; readonly line: string}
	| {readonly type: 'done'; readonly name: string; readonly analysis: CompareSide['analysis']; readonly listing: PackedListing}
	| {readonly type: 'error'; readonly message: string; readonly stack?: string};

/**
 * A listing as a few strings and typed arrays: structured-cloning 200k small objects costs seconds, a few large
 * strings and transferred buffers almost nothing. Texts are joined with NUL, which no tar name can hold.
 */
export type PackedListing = {
	readonly count: number;
	readonly paths: string;
	readonly links: string;
	readonly digests: string;
	/** Per entry: size, mode, uid, gid. */
	readonly numbers: Float64Array;
	readonly types: Uint8Array;
	/** Bit 0: has a link target; bit 1: has a digest. */
	readonly flags: Uint8Array;
};

const typeCodes: readonly EntryType[] = ['file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo'];

export function packListing(listing: readonly LayerEntry[]): PackedListing {
	const count = listing.length;
	const numbers = new Float64Array(count * 4);
	const types = new Uint8Array(count);
	const flags = new Uint8Array(count);
	const paths: string[] = [];
	const links: string[] = [];
	const digests: string[] = [];
	for (let index = 0; index < count; index++) {
		const entry = listing[index]!;
		paths.push(entry.path);
		numbers[index * 4] = entry.size;
		numbers[(index * 4) + 1] = entry.mode;
		numbers[(index * 4) + 2] = entry.uid;
		numbers[(index * 4) + 3] = entry.gid;
		types[index] = typeCodes.indexOf(entry.type);
		if (entry.linkTarget !== undefined) {
			flags[index]! |= 1;
			links.push(entry.linkTarget);
		}

		if (entry.digest !== undefined) {
			flags[index]! |= 2;
			digests.push(entry.digest);
		}
	}

	return {count, paths: paths.join('\0'), links: links.join('\0'), digests: digests.join('\0'), numbers, types, flags};
}

export function unpackListing(packed: PackedListing): LayerEntry[] {
	const paths = packed.count === 0 ? [] : packed.paths.split('\0');
	const links = packed.links.split('\0');
	const digests = packed.digests.split('\0');
	const out: LayerEntry[] = [];
	let link = 0;
	let digest = 0;
	for (let index = 0; index < packed.count; index++) {
		const flag = packed.flags[index]!;
		const entry: {-readonly [K in keyof LayerEntry]: LayerEntry[K]} = {
			path: paths[index]!,
			type: typeCodes[packed.types[index]!]!,
			mode: packed.numbers[(index * 4) + 1]!,
			uid: packed.numbers[(index * 4) + 2]!,
			gid: packed.numbers[(index * 4) + 3]!,
			size: packed.numbers[index * 4]!,
		};
		if ((flag & 1) !== 0) {
			entry.linkTarget = links[link++]!;
		}

		if ((flag & 2) !== 0) {
			entry.digest = digests[digest++]!;
		}

		out.push(entry);
	}

	return out;
}

/** A load failure, named by its side ("B: no such image …"). */
export class SideError extends Error {}

export type SideProgress = Pick<LoadOptions, 'onStatus' | 'onRead' | 'onNotice'>;

/**
 * A worker running this module. Built, it is a .js chunk; from the TypeScript sources (tests, benchmarks under
 * tsx) the worker registers tsx itself first, as Node 20 does not carry `--import` loaders into workers.
 */
function spawnWorker(request: Request): Worker {
	const self = import.meta.url;
	if (!self.endsWith('.ts')) {
		return new Worker(new URL(self), {workerData: request});
	}

	const bootstrap = `import('tsx/esm/api').then(api => { api.register(); return import(${JSON.stringify(self)}); })`;
	return new Worker(bootstrap, {eval: true, workerData: request});
}

/** Read, analyse and list one image in a worker thread. Rejects with a SideError; `signal` stops the worker. */
export async function loadSide(target: string, side: SideName, load: Pick<LoadOptions, 'source' | 'platform' | 'insecure' | 'cache'>, progress: SideProgress, signal: AbortSignal): Promise<CompareSide> {
	const request: Request = {kind: 'layerscope-compare-load', target, load: {source: load.source, platform: load.platform, insecure: load.insecure}, cache: load.cache !== undefined};
	const worker = spawnWorker(request);
	try {
		return await new Promise<CompareSide>((resolve, reject) => {
			const stop = (): void => {
				reject(new SideError(`${side}: cancelled`));
				void worker.terminate();
			};

			signal.addEventListener('abort', stop, {once: true});
			worker.on('message', (message: Message) => {
				switch (message.type) {
					case 'status': {
						progress.onStatus?.(message.status);
						break;
					}

					case 'read': {
						progress.onRead?.(message.read);
						break;
					}

					case 'notice': {
						progress.onNotice?.(`${side}: ${message.line}`);
						break;
					}

					case 'done': {
						resolve({name: message.name, analysis: message.analysis, listing: unpackListing(message.listing)});
						break;
					}

					case 'error': {
						const error = new SideError(`${side}: ${message.message}`);
						if (message.stack !== undefined) {
							error.stack = message.stack;
						}

						reject(error);
						break;
					}
				}
			});
			worker.on('error', error => {
				reject(new SideError(`${side}: ${error.message}`));
			});
			worker.on('exit', code => {
				reject(new SideError(`${side}: the reader stopped (exit ${code})`));
			});
		});
	} finally {
		await worker.terminate();
	}
}

/** The worker: one image read, analysed and listed, posted back. */
async function work(request: Request): Promise<void> {
	const port = parentPort!;
	let last = 0;
	try {
		const image = await loadImage(request.target, {
			...request.load,
			cache: request.cache ? runCache() : undefined,
			onNotice(line) {
				port.postMessage({type: 'notice', line} satisfies Message);
			},
			onStatus(status) {
				port.postMessage({type: 'status', status} satisfies Message);
			},
			onRead(read) {
				const now = Date.now();
				if (now - last >= 100) {
					last = now;
					port.postMessage({type: 'read', read} satisfies Message);
				}
			},
		});
		const side = readSide(image);
		// The cache's writes finish before the worker is let go.
		await flushRunCache();
		const listing = packListing(side.listing);
		port.postMessage({type: 'done', name: side.name, analysis: side.analysis, listing} satisfies Message, [listing.numbers.buffer as ArrayBuffer, listing.types.buffer as ArrayBuffer, listing.flags.buffer as ArrayBuffer]);
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		port.postMessage({type: 'error', message, stack: error instanceof Error ? error.stack : undefined} satisfies Message);
	}
}

if (!isMainThread && (workerData as Partial<Request> | undefined)?.kind === 'layerscope-compare-load') {
	await work(workerData as Request);
}
