// Reading the two images of `layerscope compare` at the same time: A in a worker thread, B in the main thread. Each
// reader reads its image (src/cli/load.ts), analyses it and lists its final filesystem; the worker hands its
// analysis and listing (plain data, packed: compare-pack.ts) to the main thread, which merges. Reading and parsing
// are CPU work in JavaScript: on one thread two images take twice as long as one; on two, about as long as one.
//
// Layers the two images share (same diff_id: two builds on one base) are parsed once. Each reader tells the main
// thread's LayerExchange its image's layers before reading any (src/archive/layer-share.ts); once both have, each
// diff_id is assigned to one reader, balancing blob bytes (compare-share.ts), and a layer one reader parses for the
// other is passed across packed. A reader parses its own layers first, then takes the other's; it may also parse a
// layer of the other image for it (from that image's file), so that with two images on one base one reader takes
// the base while the other takes both top layers. What one reader parsed from its blob is used by the other only
// when that blob is its own or equal to its own byte for byte (sameBlobBytes, checked while it works on its own).
//
// The worker runs this same module (its top level checks workerData), so the bundle needs no extra entry point.
import {createReadStream} from 'node:fs';
import {isMainThread, parentPort, Worker, workerData} from 'node:worker_threads';
import {type CompareSide, readSide} from '../analysis/compare.js';
import type {LayerContents} from '../analysis/types.js';
import {type BlobLocation, type LayerShare, sameBlobBytes, type ShareableLayer, type ShareAnswer} from '../archive/layer-share.js';
import {readLazyLayer} from '../archive/read-lazy.js';
import {SourceError, type SourceStatus} from '../sources/types.js';
import {type PackedEntries, type PackedLayer, PackedListing, listingEntries, packEntries, packLayer, transferables, unpackLayer} from './compare-pack.js';
import {assignLayers, type SideAssignment, type SideName} from './compare-share.js';
import {type LoadOptions, loadImage} from './load.js';

export type {SideName} from './compare-share.js';

/** What a worker is asked for: plain data only (the layer cache is opened by the worker itself). */
type Request = {
	readonly kind: 'layerscope-compare-load';
	readonly side: SideName;
	readonly target: string;
	readonly load: Pick<LoadOptions, 'source' | 'platform' | 'insecure'>;
	/** Use the layer cache (the caller had one). */
	readonly cache: boolean;
	/** Share layers with the other reader through the main thread's LayerExchange. */
	readonly share: boolean;
};

type Read = {bytes: number; totalBytes?: number; layersDone: number; entries: number};

/** A layer one reader parsed for the other. */
type LayerMessage = {readonly type: 'layer'; readonly diffId: string; readonly layer: PackedLayer};

/** From a reader to the main thread. */
type Message =
	| {readonly type: 'status'; readonly status: SourceStatus}
	| {readonly type: 'read'; readonly read: Read}
	| {readonly type: 'notice'; readonly line: string}
	| {readonly type: 'plan'; readonly layers: readonly ShareableLayer[] | null}
	| LayerMessage
	| {readonly type: 'done'; readonly name: string; readonly analysis: CompareSide['analysis']; readonly listing: PackedEntries}
	| {readonly type: 'error'; readonly message: string; readonly stack?: string};

/** From the main thread to a reader. */
type Reply = {readonly type: 'assign'; readonly assignment: SideAssignment} | LayerMessage;

/** A load failure, named by its side ("B: no such image …"). */
export class SideError extends Error {}

export type SideProgress = Pick<LoadOptions, 'onStatus' | 'onRead' | 'onNotice'>;

const otherSide = (side: SideName): SideName => (side === 'A' ? 'B' : 'A');

/** How the exchange reaches a reader: a worker's postMessage, or a function of this thread. */
type Deliver = (reply: Reply, transfer: ArrayBuffer[]) => void;

/**
 * The main thread's end of the layer sharing between the two readers: collects what each offers, answers both
 * once both have (assignLayers), and passes the layers one parses for the other across.
 */
export class LayerExchange {
	private readonly offers: Partial<Record<SideName, readonly ShareableLayer[] | null>> = {};
	private readonly readers = new Map<SideName, Deliver>();

	join(side: SideName, deliver: Deliver): void {
		this.readers.set(side, deliver);
	}

	offer(side: SideName, layers: readonly ShareableLayer[] | null): void {
		this.offers[side] = layers;
		const {A: a, B: b} = this.offers;
		if (a === undefined || b === undefined) {
			return;
		}

		const assigned = assignLayers({A: a, B: b});
		for (const name of ['A', 'B'] as const) {
			this.readers.get(name)?.({type: 'assign', assignment: assigned[name]}, []);
		}
	}

	/** A layer `from` parsed, for the other reader (its buffers are moved on, not copied). */
	hand(from: SideName, message: LayerMessage): void {
		this.readers.get(otherSide(from))?.(message, transferables(message.layer.entries));
	}
}

/** What a reader's messages mean on the main thread: progress for the user, offers and layers for the exchange. */
function relay(side: SideName, message: Exclude<Message, {type: 'done' | 'error'}>, progress: SideProgress, exchange: LayerExchange | undefined): void {
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

		case 'plan': {
			exchange?.offer(side, message.layers);
			break;
		}

		case 'layer': {
			exchange?.hand(side, message);
			break;
		}
	}
}

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

type LoadInput = Pick<LoadOptions, 'source' | 'platform' | 'insecure' | 'cache'>;

/**
 * Read, analyse and list one image in a worker thread. Rejects with a SideError; `signal` stops the worker.
 * `exchange`: the layer sharing of the two loads (both must be given the same one); none: no sharing.
 */
export async function loadSide(target: string, side: SideName, load: LoadInput, progress: SideProgress, signal: AbortSignal, exchange?: LayerExchange): Promise<CompareSide> {
	const request: Request = {kind: 'layerscope-compare-load', side, target, load: {source: load.source, platform: load.platform, insecure: load.insecure}, cache: load.cache !== undefined, share: exchange !== undefined};
	const worker = spawnWorker(request);
	exchange?.join(side, (reply, transfer) => {
		worker.postMessage(reply, transfer);
	});
	try {
		return await new Promise<CompareSide>((resolve, reject) => {
			const stop = (): void => {
				reject(new SideError(`${side}: cancelled`));
				void worker.terminate();
			};

			signal.addEventListener('abort', stop, {once: true});
			worker.on('message', (message: Message) => {
				if (message.type === 'done') {
					resolve({name: message.name, analysis: message.analysis, listing: new PackedListing(message.listing)});
				} else if (message.type === 'error') {
					const error = new SideError(`${side}: ${message.message}`);
					if (message.stack !== undefined) {
						error.stack = message.stack;
					}

					reject(error);
				} else {
					relay(side, message, progress, exchange);
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

/**
 * loadSide in this thread: the other image is read by a worker meanwhile, so two cores are busy, and this side's
 * listing needs no packing. Its synchronous parts (the analysis) hold this thread's event loop while they run.
 * Rejects with a SideError.
 */
export async function loadSideHere(target: string, side: SideName, load: LoadInput, progress: SideProgress, signal: AbortSignal, exchange?: LayerExchange): Promise<CompareSide> {
	let listener: ((reply: Reply) => void) | undefined;
	exchange?.join(side, reply => {
		// Later, as a message would arrive: never inside the call that caused it.
		setImmediate(() => listener?.(reply));
	});
	const endpoint: Endpoint = {
		post(message) {
			relay(side, message, progress, exchange);
		},
		listen(onReply) {
			listener = onReply;
		},
	};
	try {
		return await readAndList(target, side, {...load, signal}, endpoint, exchange !== undefined);
	} catch (error) {
		const failure = new SideError(`${side}: ${signal.aborted ? 'cancelled' : (error instanceof Error ? error.message : String(error))}`);
		if (error instanceof Error && error.stack !== undefined) {
			failure.stack = error.stack;
		}

		throw failure;
	}
}

/** A reader's line to the main thread: messages out, replies in. */
type Endpoint = {
	post(message: Exclude<Message, {type: 'done' | 'error'}>, transfer?: ArrayBuffer[]): void;
	listen(onReply: (reply: Reply) => void): void;
};

/** Resolvable from outside. */
type Deferred<T> = {readonly promise: Promise<T>; resolve(value: T): void};

function deferred<T>(): Deferred<T> {
	let resolve!: (value: T) => void;
	const promise = new Promise<T>(done => {
		resolve = done;
	});
	return {promise, resolve};
}

/**
 * A reader's end of the sharing: a LayerShare for loadImage that offers the image's layers to the exchange,
 * receives the other reader's layers (each checked: parsed from this image's own blob or an equal one), hands over
 * its own, and parses the other image's layers assigned to it. `failed` rejects when such a parse fails, or when
 * `signal` aborts (the other reader failed: what was awaited from it will not come); `finished` waits for those
 * parses (the reader must not end before: the other one waits for them).
 */
function readerShare(endpoint: Endpoint, side: SideName, signal: AbortSignal | undefined): {share: LayerShare; failed: Promise<never>; finished: () => Promise<void>} {
	const assignment = deferred<SideAssignment>();
	const arriving = new Map<string, Deferred<LayerContents>>();
	const handed = new Set<string>();
	const parses: Array<Promise<void>> = [];
	let fail!: (error: unknown) => void;
	const failed = new Promise<never>((_resolve, reject) => {
		fail = reject;
	});
	// Never unhandled: the reader races it.
	failed.catch(() => undefined);
	signal?.addEventListener('abort', () => {
		fail(new SourceError('cancelled'));
	}, {once: true});
	endpoint.listen(reply => {
		if (reply.type === 'assign') {
			assignment.resolve(reply.assignment);
		} else {
			arriving.get(reply.diffId)?.resolve(unpackLayer(reply.layer));
		}
	});
	const hand = (diffId: string, contents: LayerContents): void => {
		if (!handed.has(diffId)) {
			handed.add(diffId);
			const layer = packLayer(contents);
			endpoint.post({type: 'layer', diffId, layer}, transferables(layer.entries));
		}
	};

	const parseForOther = async (diffId: string, location: BlobLocation): Promise<void> => {
		const contents = await readLazyLayer({
			digest: '',
			diffId,
			size: location.size,
			async open() {
				return createReadStream(location.file, {start: location.offset, end: location.offset + location.size - 1, highWaterMark: 1024 * 1024});
			},
		}, {label: `${diffId} of ${otherSide(side)}`});
		hand(diffId, contents);
	};

	const share: LayerShare = {
		async plan(layers) {
			endpoint.post({type: 'plan', layers});
			if (layers === null) {
				return [];
			}

			const {answers, foreign} = await assignment.promise;
			for (const {diffId, location} of foreign) {
				const parse = parseForOther(diffId, location);
				parse.catch(fail);
				parses.push(parse);
			}

			return layers.map((layer, index): ShareAnswer => {
				const answer = answers[index] ?? {kind: 'read', share: false};
				if (answer.kind === 'read') {
					return answer;
				}

				const arrival = deferred<LayerContents>();
				arriving.set(layer.diffId, arrival);
				// Checked while this reader parses its own layers; unequal blobs: this image's layer is read here.
				const same = layer.location === undefined ? Promise.resolve(false) : sameBlobBytes(answer.from, layer.location);
				const contents = Promise.all([arrival.promise, same]).then(([given, equal]) => (equal ? given : undefined));
				return {kind: 'wait', contents};
			});
		},
		read: hand,
	};
	return {
		share,
		failed,
		async finished() {
			await Promise.all(parses);
		},
	};
}

/** One image read (sharing layers through `endpoint` when `sharing`), analysed, and its final filesystem listed. */
async function readAndList(target: string, side: SideName, load: LoadInput & Pick<LoadOptions, 'signal'>, endpoint: Endpoint, sharing: boolean): Promise<CompareSide> {
	let last = 0;
	const shared = sharing ? readerShare(endpoint, side, load.signal) : undefined;
	const loading = loadImage(target, {
		...load,
		share: shared?.share,
		onNotice(line) {
			endpoint.post({type: 'notice', line});
		},
		onStatus(status) {
			endpoint.post({type: 'status', status});
		},
		onRead(read) {
			const now = Date.now();
			if (now - last >= 100) {
				last = now;
				endpoint.post({type: 'read', read});
			}
		},
	});
	const image = await (shared === undefined ? loading : Promise.race([loading, shared.failed]));
	const compared = readSide(image);
	await shared?.finished();
	return compared;
}

/** The worker: one image read, analysed and listed, posted back. */
async function work(request: Request): Promise<void> {
	const port = parentPort!;
	const endpoint: Endpoint = {
		post(message, transfer = []) {
			port.postMessage(message satisfies Message, transfer);
		},
		listen(onReply) {
			port.on('message', onReply);
		},
	};
	try {
		// The layer cache (and cacache with it) loads only when there is one.
		const cached = request.cache ? await import('./run-cache.js') : undefined;
		const side = await readAndList(request.target, request.side, {...request.load, cache: cached?.runCache()}, endpoint, request.share);
		// The cache's writes finish before the worker is let go.
		await cached?.flushRunCache();
		const listing = packEntries(listingEntries(side.listing));
		port.postMessage({type: 'done', name: side.name, analysis: side.analysis, listing} satisfies Message, transferables(listing));
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		port.postMessage({type: 'error', message, stack: error instanceof Error ? error.stack : undefined} satisfies Message);
	}
}

if (!isMainThread && (workerData as Partial<Request> | undefined)?.kind === 'layerscope-compare-load') {
	await work(workerData as Request);
}
