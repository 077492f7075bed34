// Reading the two images of `layerscope compare` at the same time: A in a worker thread (started before the CLI
// loads: compare-prestart.ts), B in the main thread (the other way round when A is standard input). Each reader
// reads its image (src/cli/load.ts) and first tells the main thread's LayerExchange which layers it holds (an
// archive file on disk: from its index; src/archive/layer-share.ts).
//
// Images that share layers (same diff_id, blobs on disk on both sides: two builds on one base) are both read in the
// main thread: the worker is told to hand its image over, and loadSideHere reads it there beside the other. A layer
// both hold is parsed once, by the first image's reader, and kept; the other image has a stand-in for it, put back
// once both are read (ArrivedImage), and only when its own blob is equal to the parsed one byte for byte
// (sameBlobBytes, checked by the idle worker while this thread parses: LayerExchange.compareWith): a diff_id is only
// what a config claims. Both images are then analysed together (analyzeImagePair). Two threads do not parse them
// because on this project's two cores two threads parsing at once each ran at half speed (CPU profiles; the worker
// parsing A's own layer meanwhile was measured again: 1.11 s against 1.06 s), no time gained, more CPU.
//
// Images that share nothing keep a thread each: the layers are balanced across the two readers by blob bytes
// (compare-share.ts); a layer one parses for the other is passed across packed (worker → main thread), or kept in
// the main thread with a stand-in in the worker's image (main thread → worker; that image then comes over whole, to
// be analysed with the other). Otherwise each side is analysed where it was read, at the same time, and the worker
// hands its figures and listing over (plain data, packed: compare-pack.ts).
//
// The worker runs this module (its top level checks workerData), an entry point of the bundle of its own.
import {isMainThread, parentPort, Worker, workerData} from 'node:worker_threads';
import {figuresOf} from '../analysis/analyze.js';
import {type CompareSide, readSide} from '../analysis/compare.js';
import type {LayerContents, RawImage, RawLayer} from '../analysis/types.js';
import {fileChunks} from '../archive/file-chunks.js';
import {type BlobLocation, type LayerShare, sameBlobBytes, type ShareableLayer, type ShareAnswer} from '../archive/layer-share.js';
import {readLazyLayer} from '../archive/read-lazy.js';
import {SourceError, type SourceStatus} from '../sources/types.js';
import {type PackedEntries, type PackedLayer, PackedListing, packEntries, packLayer, transferables, unpackLayer} from './compare-pack.js';
import {type PrestartData, prestartKind, takePrestartedWorker} from './compare-prestart.js';
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

/** A layer of the worker's image as it crosses: packed, or the diff_id of one the main thread keeps. */
type PackedRawLayer = Omit<RawLayer, 'contents'> & {readonly contents: PackedLayer | {readonly kept: string}};

/** The worker's image as it crosses (see PackedRawLayer). */
type PackedImage = Omit<RawImage, 'layers'> & {readonly layers: readonly PackedRawLayer[]};

/** From a reader to the main thread. */
type Message =
	| {readonly type: 'status'; readonly status: SourceStatus}
	| {readonly type: 'read'; readonly read: Read}
	| {readonly type: 'notice'; readonly line: string}
	| {readonly type: 'plan'; readonly layers: readonly ShareableLayer[] | null; readonly cached: readonly string[]}
	| LayerMessage
	| {readonly type: 'done'; readonly image: PackedImage}
	| {readonly type: 'analysed'; readonly name: string; readonly analysis: CompareSide['analysis']; readonly listing: PackedEntries}
	| {readonly type: 'handed-over'}
	| {readonly type: 'same-bytes'; readonly id: number; readonly equal: boolean}
	| {readonly type: 'error'; readonly message: string; readonly stack?: string; readonly side?: SideName};

/** The messages a reader sends while it reads (the others end its work). */
type Relayed = Exclude<Message, {type: 'done' | 'analysed' | 'handed-over' | 'same-bytes' | 'error'}>;

/** From the main thread to a reader. */
type Reply = {readonly type: 'assign'; readonly assignment: SideAssignment} | {readonly type: 'hand-over'} | LayerMessage;

/** To a worker that handed its image over: are these two blobs equal byte for byte (sameBlobBytes)? */
type BytesQuestion = {readonly type: 'same-bytes'; readonly id: number; readonly a: BlobLocation; readonly b: BlobLocation};

/** What a worker told to hand its image over (the images share layers: both are read in the main thread) throws. */
class HandOverError extends Error {}

/** A load failure, named by its side ("B: no such image …"). */
export class SideError extends Error {}

/** A failure in a layer of the other image, which this reader parsed for it: named by that image's side. */
class OtherImageError extends Error {
	readonly side: SideName;

	constructor(side: SideName, message: string) {
		super(message);
		this.side = side;
	}
}

export type SideProgress = Pick<LoadOptions, 'onStatus' | 'onRead' | 'onNotice'>;

const otherSide = (side: SideName): SideName => (side === 'A' ? 'B' : 'A');

/** How the exchange reaches a reader: a worker's postMessage, or a function of this thread. */
type Deliver = (reply: Reply, transfer: ArrayBuffer[]) => void;

/**
 * The main thread's end of the layer sharing between the two readers: collects what each offers, answers both
 * once both have (assignLayers, the layers both hold to `here`, the reader of this thread), and passes the layers
 * one parses for the other across; those this thread's reader parses for both stay here (kept).
 */
export class LayerExchange {
	private readonly offers: Partial<Record<SideName, readonly ShareableLayer[] | null>> = {};
	/** The layers each reader took from the layer cache, as its first offer said (before this run wrote to it). */
	private readonly cachedAtStart: Partial<Record<SideName, ReadonlySet<string>>> = {};
	private readonly readers = new Map<SideName, Deliver>();
	private readonly keptLayers = new Map<string, LayerContents>();
	private readonly here: SideName;
	/** Both images are read in this thread (they share layers): the worker was told to hand its image over. */
	private oneThread = false;
	private comparer: ((a: BlobLocation, b: BlobLocation) => Promise<boolean>) | undefined;

	/** @param here the side read in this thread (its reader keeps the layers both images hold). */
	constructor(here: SideName) {
		this.here = here;
	}

	join(side: SideName, deliver: Deliver): void {
		this.readers.set(side, deliver);
	}

	/**
	 * A reader's layers (see LayerShare.plan). Once both have offered: when the images share a layer (with a blob on
	 * disk on both sides, or taken from the layer cache by both), the worker is told to hand its image over, to be
	 * read in this thread (loadSideHere), and this thread's reader gets its answers; else each gets its answers
	 * (assignLayers, balanced across the threads). The worker's image read here offers again, and is answered at once.
	 */
	offer(side: SideName, layers: readonly ShareableLayer[] | null, cached: readonly string[] = []): void {
		const first = this.offers.A === undefined || this.offers.B === undefined;
		this.offers[side] = layers;
		this.cachedAtStart[side] ??= new Set(cached);
		const {A: a, B: b} = this.offers;
		if (a === undefined || b === undefined) {
			return;
		}

		if (first) {
			const there = otherSide(this.here);
			const heldHere = new Set((this.offers[this.here] ?? []).filter(layer => layer.location !== undefined).map(layer => layer.diffId));
			const cachedHere = this.cachedAtStart[this.here]!;
			this.oneThread = (this.offers[there] ?? []).some(layer => layer.location !== undefined && heldHere.has(layer.diffId))
				|| [...this.cachedAtStart[there]!].some(diffId => cachedHere.has(diffId));
			if (this.oneThread) {
				this.readers.get(there)?.({type: 'hand-over'}, []);
				this.answer(this.here);
				return;
			}

			this.answer('A');
			this.answer('B');
			return;
		}

		this.answer(side);
	}

	/**
	 * Blobs are compared by `compare` from now on: the worker's, idle once it handed its image over, so that this
	 * thread, which parses both images, only waits for the answer.
	 */
	compareWith(compare: (a: BlobLocation, b: BlobLocation) => Promise<boolean>): void {
		this.comparer = compare;
	}

	/** Whether the blobs at `a` and `b` hold the same bytes (sameBlobBytes; in the worker when it is idle). */
	async sameBytes(a: BlobLocation, b: BlobLocation): Promise<boolean> {
		return (this.comparer ?? sameBlobBytes)(a, b);
	}

	/** Whether the worker was told to hand its image over (offer). */
	get together(): boolean {
		return this.oneThread;
	}

	/** Whether `side`'s reader took the layer of that diff_id from the layer cache, as its first offer said. */
	tookFromCache(side: SideName, diffId: string): boolean {
		return this.cachedAtStart[side]?.has(diffId) === true;
	}

	/** Whether `side` offered a layer of that diff_id with its blob on disk. */
	holds(side: SideName, diffId: string): boolean {
		return (this.offers[side] ?? []).some(layer => layer.diffId === diffId && layer.location !== undefined);
	}

	/** The side whose reader keeps the layers both images hold (the one first read in this thread). */
	get keeper(): SideName {
		return this.here;
	}

	private answer(side: SideName): void {
		const {A: a, B: b} = this.offers;
		const assigned = assignLayers({A: a!, B: b!}, this.here, this.oneThread);
		this.readers.get(side)?.({type: 'assign', assignment: assigned[side]}, []);
	}

	/** A layer `from` parsed, for the other reader (its buffers are moved on, not copied). */
	hand(from: SideName, message: LayerMessage): void {
		this.readers.get(otherSide(from))?.(message, transferables(message.layer.entries));
	}

	/**
	 * A layer this thread's reader parsed that the worker's image holds too: kept here (the worker's image has a
	 * stand-in for it, put back by ArrivedImage.complete).
	 */
	keep(diffId: string, contents: LayerContents): void {
		this.keptLayers.set(diffId, contents);
	}

	/** Whether this thread's reader keeps any layer for both images (the worker's image then comes to be analysed here). */
	keepsAny(): boolean {
		return this.keptLayers.size > 0;
	}

	/** The layer this thread's reader kept under `diffId` (once that reader is done). */
	kept(diffId: string): LayerContents {
		const layer = this.keptLayers.get(diffId);
		if (layer === undefined) {
			throw new SourceError(`the layer ${diffId} of the other image was not read`);
		}

		return layer;
	}
}

/** What a reader's messages mean on the main thread: progress for the user, offers and layers for the exchange. */
function relay(side: SideName, message: Relayed, progress: SideProgress, exchange: LayerExchange | undefined): void {
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
			exchange?.offer(side, message.layers, message.cached);
			break;
		}

		case 'layer': {
			exchange?.hand(side, message);
			break;
		}
	}
}

/**
 * A worker running this module: the one bin/layerscope.js started early when there is one, else a new one. Built,
 * this module is an entry of its own; from the TypeScript sources (tests, benchmarks under tsx) the worker registers
 * tsx itself first, as Node 20 does not carry `--import` loaders into workers.
 */
function spawnWorker(request: Request): Worker {
	const early = takePrestartedWorker();
	if (early !== undefined) {
		early.postMessage(request);
		return early;
	}

	const self = import.meta.url;
	if (!self.endsWith('.ts')) {
		return new Worker(new URL(self), {workerData: request});
	}

	const bootstrap = `import('tsx/esm/api').then(api => { api.register(); return import(${JSON.stringify(self)}); })`;
	return new Worker(bootstrap, {eval: true, workerData: request});
}

type LoadInput = Pick<LoadOptions, 'source' | 'platform' | 'insecure' | 'cache' | 'cacheReads'>;

/**
 * An image read while the other reader was still at work, with stand-ins for the layers that reader parses for
 * both images: the worker's image as it arrives (its own layers unpacked at once), or one read in this thread
 * beside the other. `complete` puts those layers in, once the other reader is done.
 */
export class ArrivedImage {
	private readonly image: Omit<RawImage, 'layers'>;
	private readonly layers: ReadonlyArray<RawLayer | PackedRawLayer>;

	constructor(image: Omit<RawImage, 'layers'>, layers: ReadonlyArray<RawLayer | PackedRawLayer>) {
		this.image = image;
		this.layers = layers;
	}

	/** The worker's image (PackedImage). */
	static unpacked(image: PackedImage): ArrivedImage {
		return new ArrivedImage(image, image.layers.map(layer => ('kept' in layer.contents ? layer : {...layer, contents: unpackLayer(layer.contents)})));
	}

	/** An image read in this thread, whose stand-ins `standIns` knows. */
	static standingIn(image: RawImage, standIns: WeakMap<LayerContents, string>): ArrivedImage {
		return new ArrivedImage(image, image.layers.map(layer => {
			const diffId = standIns.get(layer.contents);
			return diffId === undefined ? layer : {...layer, contents: {kept: diffId}};
		}));
	}

	/** The image whole: the stand-ins replaced by what `exchange` kept. */
	complete(exchange: LayerExchange | undefined): RawImage {
		return {
			...this.image,
			layers: this.layers.map((layer): RawLayer => ('kept' in layer.contents ? {...layer, contents: exchange!.kept(layer.contents.kept)} : layer as RawLayer)),
		};
	}
}

/**
 * Read one image in a worker thread: the image itself when it holds layers the main thread keeps (to be analysed
 * here with the other, analyzeImagePair), else analysed and listed in the worker (at the same time as the main
 * thread analyses its own). Rejects with a SideError; `signal` stops the worker. `exchange`: the layer sharing of
 * the two loads (both must be given the same one); none: no sharing.
 */
export async function loadSide(target: string, side: SideName, load: LoadInput, progress: SideProgress, signal: AbortSignal, exchange?: LayerExchange): Promise<ArrivedImage | CompareSide | HandedOver> {
	const request: Request = {kind: 'layerscope-compare-load', side, target, load: {source: load.source, platform: load.platform, insecure: load.insecure}, cache: load.cache !== undefined, share: exchange !== undefined};
	const worker = spawnWorker(request);
	exchange?.join(side, (reply, transfer) => {
		worker.postMessage(reply, transfer);
	});
	// Once the image is handed over, the worker compares blobs for this thread until released.
	const questions = new Map<number, {question: BytesQuestion; answer: (equal: Promise<boolean>) => void}>();
	let asked = 0;
	let handedOver: HandedOver | undefined;
	const ask = async (a: BlobLocation, b: BlobLocation): Promise<boolean> => new Promise<boolean>(resolve => {
		const question: BytesQuestion = {type: 'same-bytes', id: ++asked, a, b};
		questions.set(question.id, {question, answer: resolve});
		worker.postMessage(question);
	});
	// A worker that stops (released, or failed) leaves its questions to this thread.
	worker.on('exit', () => {
		exchange?.compareWith(sameBlobBytes);
		for (const {question, answer} of questions.values()) {
			answer(sameBlobBytes(question.a, question.b));
		}

		questions.clear();
	});
	try {
		return await new Promise<ArrivedImage | CompareSide | HandedOver>((resolve, reject) => {
			const stop = (): void => {
				reject(new SideError(`${side}: cancelled`));
				void worker.terminate();
			};

			signal.addEventListener('abort', stop, {once: true});
			worker.on('message', (message: Message) => {
				if (message.type === 'analysed') {
					resolve({name: message.name, analysis: message.analysis, listing: new PackedListing(message.listing)});
				} else if (message.type === 'done') {
					resolve(ArrivedImage.unpacked(message.image));
				} else if (message.type === 'handed-over') {
					exchange?.compareWith(ask);
					handedOver = new HandedOver(async () => {
						await worker.terminate();
					});
					resolve(handedOver);
				} else if (message.type === 'same-bytes') {
					questions.get(message.id)?.answer(Promise.resolve(message.equal));
					questions.delete(message.id);
				} else if (message.type === 'error') {
					const error = new SideError(`${message.side ?? side}: ${message.message}`);
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
		if (handedOver === undefined || signal.aborted) {
			await worker.terminate();
		}
	}
}

/**
 * What loadSide gives when the worker handed its image over (LayerExchange.offer): read the image with loadSideHere,
 * then `release` the worker, which compares blobs for this thread meanwhile (LayerExchange.compareWith).
 */
export class HandedOver {
	readonly release: () => Promise<void>;

	constructor(release: () => Promise<void>) {
		this.release = release;
	}
}

/**
 * loadSide in this thread: the other image is read by a worker meanwhile, so two cores are busy; the layers this
 * side parses for both images stay here. Or, when the worker handed its image over, that image, read here beside
 * the other (an ArrivedImage: the layers the other reader parses for both are put in once it is done). Rejects
 * with a SideError.
 */
export async function loadSideHere(target: string, side: SideName, load: LoadInput, progress: SideProgress, signal: AbortSignal, exchange?: LayerExchange): Promise<RawImage | ArrivedImage> {
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
		hand(diffId, contents) {
			exchange?.keep(diffId, contents);
		},
		async sameBytes(a, b) {
			return exchange === undefined ? sameBlobBytes(a, b) : exchange.sameBytes(a, b);
		},
	};
	try {
		if (exchange?.together === true && side !== exchange.keeper) {
			let standIns: WeakMap<LayerContents, string> | undefined;
			// A layer the other image holds is the other reader's, taken only once this image's blob is found equal to
			// its (never from the cache, which may hold the other reader's copy by now, unless this image's reader took
			// it from there before: then it takes the same decoded copy as the other, LoadOptions.cacheReads).
			const image = await readImage(target, side, {...load, signal}, endpoint, true, kept => {
				standIns = kept;
			}, diffId => exchange.holds(exchange.keeper, diffId) && !exchange.tookFromCache(side, diffId));
			return ArrivedImage.standingIn(image, standIns!);
		}

		return await readImage(target, side, {...load, signal}, endpoint, exchange !== undefined);
	} catch (error) {
		const named = error instanceof OtherImageError ? error.side : side;
		const failure = new SideError(`${named}: ${signal.aborted ? 'cancelled' : (error instanceof Error ? error.message : String(error))}`);
		if (error instanceof Error && error.stack !== undefined) {
			failure.stack = error.stack;
		}

		throw failure;
	}
}

/** A reader's line to the main thread: messages out, replies in. */
type Endpoint = {
	post(message: Relayed, transfer?: ArrayBuffer[]): void;
	listen(onReply: (reply: Reply) => void): void;
	/** A layer this reader parsed that the other image holds too: packed and posted, or kept in the main thread. */
	hand(diffId: string, contents: LayerContents): void;
	/** Whether two blobs hold the same bytes (sameBlobBytes, here or where the main thread has it done). */
	sameBytes(a: BlobLocation, b: BlobLocation): Promise<boolean>;
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
function readerShare(endpoint: Endpoint, side: SideName, signal: AbortSignal | undefined, standIns: boolean, notFromStore?: (diffId: string) => boolean): {share: LayerShare; failed: Promise<never>; finished: () => Promise<void>; kept: WeakMap<LayerContents, string>} {
	const assignment = deferred<SideAssignment>();
	const arriving = new Map<string, Deferred<LayerContents>>();
	const handed = new Set<string>();
	const parses: Array<Promise<void>> = [];
	// Stand-ins for the layers the main thread keeps, by the diff_id they stand for.
	const kept = new WeakMap<LayerContents, string>();
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
		} else if (reply.type === 'hand-over') {
			fail(new HandOverError('handed over'));
		} else if (reply.type === 'layer') {
			arriving.get(reply.diffId)?.resolve(unpackLayer(reply.layer));
		}
	});
	const standIn = (diffId: string): LayerContents => {
		const stand: LayerContents = {entries: [], tarBytes: 0, blobBytes: 0, compression: 'none'};
		kept.set(stand, diffId);
		return stand;
	};

	const hand = (diffId: string, contents: LayerContents): void => {
		if (!handed.has(diffId)) {
			handed.add(diffId);
			endpoint.hand(diffId, contents);
		}
	};

	const parseForOther = async (diffId: string, location: BlobLocation): Promise<void> => {
		const contents = await readLazyLayer({
			digest: '',
			diffId,
			size: location.size,
			async open() {
				return fileChunks(location.file, {start: location.offset, end: location.offset + location.size - 1});
			},
		}, {label: diffId}).catch((error: unknown) => {
			throw new OtherImageError(otherSide(side), error instanceof Error ? error.message : String(error));
		});
		hand(diffId, contents);
	};

	const share: LayerShare = {
		async plan(layers, cached = []) {
			endpoint.post({type: 'plan', layers, cached});
			if (layers === null) {
				// Nothing to parse; a reader that takes layers from the cache goes on once answered (a worker may be told
				// to hand its image over instead, before it decodes them).
				if (cached.length > 0) {
					await assignment.promise;
				}

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

				// Checked while this reader parses its own layers; unequal blobs: this image's layer is read here.
				const same = layer.location === undefined ? Promise.resolve(false) : endpoint.sameBytes(answer.from, layer.location);
				if (standIns) {
					// The main thread parses it and keeps it for this image too: a stand-in, without waiting for it.
					return {kind: 'wait', contents: same.then(equal => (equal ? standIn(layer.diffId) : undefined))};
				}

				const arrival = deferred<LayerContents>();
				arriving.set(layer.diffId, arrival);
				const contents = Promise.all([arrival.promise, same]).then(([given, equal]) => (equal ? given : undefined));
				return {kind: 'wait', contents};
			});
		},
		read: hand,
		fromStore: diffId => notFromStore?.(diffId) !== true,
	};
	return {
		share,
		failed,
		async finished() {
			await Promise.all(parses);
		},
		kept,
	};
}

/**
 * One image read, sharing layers through `endpoint` when `sharing`; `kept` hears of the stand-ins in it for layers
 * the main thread keeps.
 */
async function readImage(target: string, side: SideName, load: LoadInput & Pick<LoadOptions, 'signal'>, endpoint: Endpoint, sharing: boolean, kept?: (stand: WeakMap<LayerContents, string>) => void, notFromStore?: (diffId: string) => boolean): Promise<RawImage> {
	let last = 0;
	// The worker (the one told of stand-ins) does not wait for the layers the main thread keeps for it.
	const shared = sharing ? readerShare(endpoint, side, load.signal, kept !== undefined, notFromStore) : undefined;
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
	if (shared !== undefined) {
		kept?.(shared.kept);
	}

	const image = await (shared === undefined ? loading : Promise.race([loading, shared.failed]));
	await shared?.finished();
	return image;
}

/** The image packed to cross to the main thread: the stand-ins of `kept` become the diff_id they stand for. */
function packImage(image: RawImage, kept: WeakMap<LayerContents, string> | undefined): {image: PackedImage; transfer: ArrayBuffer[]} {
	const transfer: ArrayBuffer[] = [];
	const layers = image.layers.map((layer): PackedRawLayer => {
		const stand = kept?.get(layer.contents);
		if (stand !== undefined) {
			return {...layer, contents: {kept: stand}};
		}

		const contents = packLayer(layer.contents);
		transfer.push(...transferables(contents.entries));
		return {...layer, contents};
	});
	return {image: {...image, layers}, transfer};
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
		hand(diffId, contents) {
			const layer = packLayer(contents);
			port.postMessage({type: 'layer', diffId, layer} satisfies Message, transferables(layer.entries));
		},
		sameBytes: sameBlobBytes,
	};
	try {
		// The layer cache (and cacache with it) loads only when there is one.
		const cached = request.cache ? await import('./run-cache.js') : undefined;
		let kept: WeakMap<LayerContents, string> | undefined;
		const image = await readImage(request.target, request.side, {...request.load, cache: cached?.runCache()}, endpoint, request.share, stand => {
			kept = stand;
		});
		// The cache's writes finish before the worker is let go.
		await cached?.flushRunCache();
		if (image.layers.some(layer => kept?.has(layer.contents) === true)) {
			// Layers the main thread keeps: the image goes there, to be analysed with the other one.
			const packed = packImage(image, kept);
			port.postMessage({type: 'done', image: packed.image} satisfies Message, packed.transfer);
		} else {
			// Nothing in common: analysed here, while the main thread analyses its own.
			const side = readSide(image);
			const listing = packEntries(side.listing);
			port.postMessage({type: 'analysed', name: side.name, analysis: figuresOf(side.analysis), listing} satisfies Message, transferables(listing));
		}
	} catch (error) {
		if (error instanceof HandOverError) {
			// Both images are read in the main thread now; this one compares blobs for it until it is let go.
			port.on('message', (question: BytesQuestion | Reply) => {
				if (question.type === 'same-bytes') {
					void sameBlobBytes(question.a, question.b).then(equal => {
						port.postMessage({type: 'same-bytes', id: question.id, equal} satisfies Message);
					});
				}
			});
			port.postMessage({type: 'handed-over'} satisfies Message);
			return;
		}

		const message = error instanceof Error ? error.message : String(error);
		port.postMessage({type: 'error', message, stack: error instanceof Error ? error.stack : undefined, side: error instanceof OtherImageError ? error.side : undefined} satisfies Message);
	}
}

if (!isMainThread) {
	const {kind} = (workerData ?? {}) as {kind?: string};
	if (kind === 'layerscope-compare-load') {
		await work(workerData as Request);
	} else if (kind === prestartKind) {
		// Started before the CLI loaded (compare-prestart.ts): the request is the first message. The layer cache's
		// modules (cacache) load meanwhile when the run will likely use it.
		if ((workerData as PrestartData).cache) {
			void import('./run-cache.js');
		}

		parentPort!.once('message', (request: Request) => {
			void work(request);
		});
	}
}
