// Reading an image whose layers open one by one (a LazyImage from a registry, or an OCI layout's blobs): each
// layer's bytes stream straight into the layer parser, a few layers in flight at once, results in layer order.
import type {Readable} from 'node:stream';
import type {LayerContents, RawImage} from '../analysis/types.js';
import {type LazyImage, type LazyLayer, SourceError} from '../sources/types.js';
import {type BlobKind, sniff, sniffBytes} from './blob.js';
import {escapeName, singleLine} from '../report/escape.js';
import {LayerParser} from './layer-tar.js';
import {blobPath, FormatError, type ImagePlan, planFromConfig} from './manifest.js';
import type {ReadProgress} from './read-image.js';

/** Layers read at once by default: enough to overlap downloads with decoding, few enough to bound memory. */
export const defaultConcurrency = 3;

/** Layers the caller already has, by diff_id (the layer cache), and what to do with layers read and verified. */
export type LayerStore = {
	/** The layer's contents when stored (checked against the diff_id when stored), else undefined. */
	readonly get: (diffId: string) => Promise<LayerContents | undefined>;
	/** Whether a layer is stored, without reading it (get may still miss: a damaged entry). */
	readonly has?: (diffId: string) => Promise<boolean>;
	/** Called with each layer read whose uncompressed bytes hash to its diff_id. */
	readonly verified?: (diffId: string, contents: LayerContents) => void;
};

export type LayerReadOptions = {
	readonly signal?: AbortSignal;
	/** Hash the uncompressed bytes into LayerContents.diffId (sha256). */
	readonly computeDiffId?: boolean;
	/** Bytes of the blob as stored, as they arrive. */
	readonly onBytes?: (count: number) => void;
	/** Entries parsed so far in this layer (called every so often and once at the end). */
	readonly onEntries?: (count: number) => void;
	/** How to name the layer in errors (default its digest). */
	readonly label?: string;
};

function isLayerKind(kind: BlobKind): kind is 'tar' | 'gzip' | 'zstd' {
	return kind === 'tar' || kind === 'gzip' || kind === 'zstd';
}

/**
 * One LazyLayer → its contents: opens the blob, recognises plain/gzip/zstd by its first bytes, parses it while it
 * streams. The only inputs are the layer and these options, so a cache can wrap it by diff_id. Rejects with a
 * FormatError naming the layer for bad data, or the source's own (SourceError) for a failed or unverified read.
 */
export async function readLazyLayer(layer: LazyLayer, options: LayerReadOptions = {}): Promise<LayerContents> {
	// From the image's manifest: escaped once here, for every message that names the layer.
	const label = escapeName(options.label ?? (layer.digest || layer.diffId || 'layer'));
	const {signal} = options;
	if (signal?.aborted === true) {
		throw new SourceError('cancelled');
	}

	const stream: Readable = await layer.open(signal);
	const onAbort = (): void => {
		stream.destroy(new SourceError('cancelled'));
	};

	signal?.addEventListener('abort', onAbort, {once: true});
	let parser: LayerParser | undefined;
	let head: Buffer[] = [];
	let headBytes = 0;
	/** Parser calls; their failures are the layer's data's fault and name the layer. */
	const parse = async (chunk: Buffer | undefined): Promise<LayerContents | undefined> => {
		try {
			if (parser === undefined) {
				const bytes = Buffer.concat(head);
				head = [];
				const kind = bytes.length === 0 ? 'tar' : sniff(bytes);
				if (!isLayerKind(kind)) {
					throw new FormatError(`layer ${label} is not a tar, gzip or zstd blob`);
				}

				parser = new LayerParser(kind, {onEntries: options.onEntries, computeDiffId: options.computeDiffId});
				if (bytes.length > 0) {
					await parser.write(bytes);
				}
			} else if (chunk !== undefined) {
				await parser.write(chunk);
			}

			return chunk === undefined ? await parser.end() : undefined;
		} catch (error) {
			const message = (error as Error).message;
			throw message.startsWith(`layer ${label}`) ? error : new FormatError(`layer ${label}: ${message}`);
		}
	};

	try {
		for await (const data of stream) {
			const chunk = data as Buffer;
			options.onBytes?.(chunk.length);
			if (parser === undefined) {
				head.push(chunk);
				headBytes += chunk.length;
				if (headBytes >= sniffBytes) {
					await parse(Buffer.alloc(0));
				}

				continue;
			}

			await parse(chunk);
		}

		const contents = (await parse(undefined))!;
		options.onEntries?.(contents.entries.length);
		return contents;
	} catch (error) {
		stream.destroy();
		const {code} = error as NodeJS.ErrnoException;
		if (!(error instanceof SourceError) && !(error instanceof FormatError) && code !== undefined) {
			throw new FormatError(`cannot read layer ${label}: ${code}`);
		}

		throw error;
	} finally {
		signal?.removeEventListener('abort', onAbort);
	}
}

/** A layer to read and how to name it in errors. */
export type LabelledLayer = {readonly layer: LazyLayer; readonly label: string};

export type LayersReadOptions = {
	readonly signal?: AbortSignal;
	/** Layers in flight at once (default 3). */
	readonly concurrency?: number;
	/** Total bytes of all blobs, when known (for progress). */
	readonly totalBytes?: number;
	readonly onProgress?: (progress: ReadProgress) => void;
	/**
	 * Layers already parsed, by diff_id: a stored layer's blob is never opened; a layer read whose bytes hash to its
	 * diff_id goes to `store.verified`.
	 */
	readonly store?: LayerStore;
};

/**
 * Read layers, a bounded number at once, into contents in layer order. The first failure stops the others (their
 * reads are aborted) and is what rejects; nothing partial is returned.
 */
export async function readLayers(layers: readonly LabelledLayer[], options: LayersReadOptions = {}): Promise<LayerContents[]> {
	const concurrency = Math.max(1, options.concurrency ?? defaultConcurrency);
	const controller = new AbortController();
	const onOuterAbort = (): void => {
		controller.abort();
	};

	options.signal?.addEventListener('abort', onOuterAbort, {once: true});
	const results: LayerContents[] = [];
	const entriesOf = Array.from({length: layers.length}, () => 0);
	let entries = 0;
	let bytes = 0;
	let layersDone = 0;
	let layersFromCache = 0;
	let next = 0;
	let failure: unknown;
	const {store} = options;
	const report = (): void => {
		options.onProgress?.({bytes, totalBytes: options.totalBytes, layersDone, entries, ...(layersFromCache > 0 ? {layersFromCache} : {})});
	};

	const worker = async (): Promise<void> => {
		while (failure === undefined && next < layers.length) {
			const index = next++;
			const {layer, label} = layers[index]!;
			try {
				const stored = store === undefined || layer.diffId === '' ? undefined : await store.get(layer.diffId);
				if (stored !== undefined) {
					results[index] = stored;
					entries += stored.entries.length;
					layersDone++;
					layersFromCache++;
					bytes += layer.size ?? 0;
					report();
					continue;
				}

				const contents = await readLazyLayer(layer, {
					signal: controller.signal,
					label,
					computeDiffId: store !== undefined,
					onBytes(count) {
						bytes += count;
						report();
					},
					onEntries(count) {
						entries += count - entriesOf[index]!;
						entriesOf[index] = count;
					},
				});
				results[index] = contents;
				if (layer.diffId !== '' && contents.diffId === layer.diffId) {
					store?.verified?.(layer.diffId, contents);
				}

				layersDone++;
				report();
			} catch (error) {
				failure ??= error;
				controller.abort();
			}
		}
	};

	try {
		await Promise.all(Array.from({length: Math.min(concurrency, layers.length)}, async () => worker()));
	} finally {
		options.signal?.removeEventListener('abort', onOuterAbort);
	}

	if (failure !== undefined) {
		throw failure as Error;
	}

	return results;
}

/**
 * Assemble the image from a plan and the layers read. `locate` gives a layer's location (its path in the archive
 * or layout, links resolved); undefined for sources that know blobs only by digest (a registry).
 */
export function assemble(plan: ImagePlan, name: string, layerAt: (index: number) => LayerContents, locate: ((path: string) => string) | undefined = path => path): RawImage {
	return {
		name,
		tags: plan.tags,
		config: plan.config,
		layers: plan.layers.map((ref, index) => {
			const contents = layerAt(index);
			const diffId = plan.diffIds[index] ?? '';
			return {
				id: ref.path.split('/')[0] ?? ref.path,
				// A legacy `docker save` names no blob digests, but its layer.tar is the uncompressed tar: its digest is
				// the diff id.
				digest: ref.digest === '' && contents.compression === 'none' ? diffId : ref.digest,
				diffId,
				command: plan.history[index]?.command ?? '',
				created: plan.history[index]?.created ?? '',
				contents,
				...(locate === undefined ? {} : {location: locate(ref.path)}),
			};
		}),
	};
}

export type LazyReadOptions = LayersReadOptions & {
	/** Shown as the image name (default the image's own). */
	readonly name?: string;
};

/** Read a LazyImage: its config parsed into the plan, its layers streamed through the parser. */
export async function readLazyImage(image: LazyImage, options: LazyReadOptions = {}): Promise<RawImage> {
	let config: unknown;
	try {
		config = JSON.parse(Buffer.from(image.config).toString('utf8'));
	} catch (error) {
		throw new FormatError(`image config ${escapeName(image.configDigest)} is not valid JSON: ${singleLine((error as Error).message)}`);
	}

	const plan = planFromConfig(config, image.configDigest, image.layers.map(layer => ({path: layer.digest === '' ? '' : blobPath(layer.digest), digest: layer.digest})), [...image.tags]);
	const known = image.layers.every(layer => layer.size !== undefined);
	const totalBytes = options.totalBytes ?? (known ? image.layers.reduce((sum, layer) => sum + (layer.size ?? 0), 0) : undefined);
	const contents = await readLayers(image.layers.map(layer => ({layer, label: layer.digest})), {...options, totalBytes});
	return assemble(plan, options.name ?? image.name, index => contents[index]!, undefined);
}
