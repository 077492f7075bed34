// From the user's IMAGE argument to a read image: pick the source, stream it through the archive reader — or,
// with the layer cache, take the layers it holds and read only the rest.
import {indexTar, readIndexedArchive} from '../archive/indexed-archive.js';
import {readImageArchive, readOciLayout, type ReadProgress} from '../archive/read-image.js';
import type {LayerShare} from '../archive/layer-share.js';
import type {LayerStore} from '../archive/read-lazy.js';
import {parsePlatform, PlatformMismatchError, type Platform} from '../archive/manifest.js';
import type {LayerContents, RawImage, RawLayer} from '../analysis/types.js';
import type {ImageRecord, LayerCache} from '../cache/layer-cache.js';
import {isLocalReference, localSource} from '../sources/archive.js';
import {escapeName, singleLine} from '../report/escape.js';
import {type ArchiveSource, type ImageSource, type LazyImage, type SourceStatus, SourceError} from '../sources/types.js';
import {UsageError} from './args.js';
import {sourceNames} from './source-names.js';

export type LoadOptions = {
	readonly source?: string;
	readonly platform?: string;
	/** Registry: allow plain HTTP and unverified TLS (--insecure). */
	readonly insecure?: boolean;
	readonly signal?: AbortSignal;
	readonly onStatus?: (status: SourceStatus) => void;
	readonly onRead?: (progress: ReadProgress) => void;
	/** A line worth telling the user (e.g. that the registry is used because no daemon answers). */
	readonly onNotice?: (line: string) => void;
	/** The layer cache to consult and fill (see run-cache.ts); none: every layer is read. */
	readonly cache?: LayerCache;
	/**
	 * Layers shared with another load of this run (compare; src/archive/layer-share.ts): told this image's layers
	 * when it is an archive file on disk, and the ones it takes from the layer cache (a daemon image whose every
	 * layer is cached too), else told null before the image is read.
	 */
	readonly share?: LayerShare;
	/**
	 * Layers taken from the cache by the loads of one thread, by diff_id: a second load that takes the same layer gets
	 * the same decoded contents (compare: two images on one base decode it once, and analyse it once).
	 */
	readonly cacheReads?: Map<string, Promise<LayerContents | undefined>>;
};

export {sourceNames} from './source-names.js';
const sources = new Set(sourceNames);

const registryPrefix = 'registry:';

/** How long a bare reference waits for the daemon's ping before the registry is used instead. */
const daemonProbeMs = 3000;

/** The --platform the user asked for, parsed; a UsageError (one line) when it is not OS/ARCH. */
export function platformOf(options: Pick<LoadOptions, 'platform'>): Platform | undefined {
	const platform = options.platform === undefined ? undefined : parsePlatform(options.platform);
	if (platform !== undefined && platform.architecture === '') {
		throw new UsageError(`--platform wants OS/ARCH, e.g. linux/amd64 (got "${escapeName(options.platform ?? '')}")`);
	}

	return platform;
}

async function registrySource(reference: string, options: LoadOptions): Promise<LazyImage> {
	// The registry client loads only when a registry is used.
	const {registryImage} = await import('../sources/registry/client.js');
	return registryImage(reference, {platform: platformOf(options), insecure: options.insecure, signal: options.signal, onStatus: options.onStatus});
}

/** Whether a Docker daemon answers a ping (briefly): a bare reference goes to it, else to the registry. */
async function daemonAnswers(signal: AbortSignal | undefined): Promise<boolean> {
	const {ensureDaemon} = await import('../sources/daemon.js');
	try {
		await ensureDaemon('docker', {signal, timeoutMs: daemonProbeMs});
		return true;
	} catch (error) {
		if (signal?.aborted === true) {
			throw error;
		}

		return false;
	}
}

/**
 * Where the user's IMAGE argument's bytes come from (no layer byte read yet, but a daemon may be asked, and a
 * registry's manifest and config are fetched): `registry:REF` or --source registry, a bare reference (the daemon
 * when one answers, else its registry, told through onNotice), a path, or a prefixed archive or layout.
 */
export async function resolveSource(target: string, options: LoadOptions): Promise<ImageSource | LazyImage> {
	const {source} = options;
	if (source !== undefined && !sources.has(source)) {
		throw new UsageError(`unknown --source "${source}" (${sourceNames.join(', ')})`);
	}

	if (target.startsWith(registryPrefix) || source === 'registry') {
		if (source !== undefined && source !== 'registry') {
			throw new UsageError(`${registryPrefix}… reads from a registry, not --source ${source}`);
		}

		const reference = target.startsWith(registryPrefix) ? target.slice(registryPrefix.length) : target;
		if (reference === '') {
			throw new SourceError(`${registryPrefix} needs an image reference, e.g. registry:ghcr.io/acme/app:1.4`);
		}

		return registrySource(reference, options);
	}

	if (options.insecure === true) {
		throw new UsageError('--insecure goes with a registry image (registry:REFERENCE or --source registry)');
	}

	if (source === undefined && !isLocalReference(target) && !await daemonAnswers(options.signal)) {
		options.onNotice?.(`no Docker daemon answers; reading ${singleLine(target)} straight from its registry`);
		return registrySource(target, options);
	}

	if (source === 'docker' || source === 'podman' || (source === undefined && !isLocalReference(target))) {
		// The daemon module loads dockerode: only when a daemon is used.
		const {daemonSource} = await import('../sources/daemon.js');
		return daemonSource(target, {engine: source === 'podman' ? 'podman' : 'docker', onStatus: options.onStatus, signal: options.signal});
	}

	if (source === 'oci' && !target.startsWith('oci:')) {
		return localSource(`oci:${target}`);
	}

	return localSource(target);
}

/** Store each layer whose bytes were hashed to its diff_id while it was read. */
function cacheVerifiedLayers(cache: LayerCache, image: RawImage): void {
	for (const layer of image.layers) {
		if (layer.diffId !== '' && layer.contents.diffId === layer.diffId) {
			cache.putLayer(layer.diffId, layer.contents);
		}
	}
}

/** The cache as the readers see it: layers by diff_id, and where verified layers go. */
function layerStore(cache: LayerCache, reads?: Map<string, Promise<LayerContents | undefined>>): LayerStore {
	return {
		async get(diffId) {
			if (reads === undefined) {
				return cache.getLayer(diffId);
			}

			let read = reads.get(diffId);
			if (read === undefined) {
				read = cache.getLayer(diffId);
				reads.set(diffId, read);
			}

			return read;
		},
		has: async diffId => cache.hasLayer(diffId),
		verified(diffId, contents) {
			cache.putLayer(diffId, contents);
		},
	};
}

/** `store` without the layers `allowed` says no to (it neither has nor gives them). */
function allowedBy(store: LayerStore, allowed: (diffId: string) => boolean): LayerStore {
	return {
		...store,
		get: async diffId => (allowed(diffId) ? store.get(diffId) : undefined),
		has: async diffId => allowed(diffId) && await store.has?.(diffId) === true,
	};
}

/** The cache's record of a daemon image (config, ids, history) when it is this image's (its id and diff_ids). */
async function cachedRecord(cache: LayerCache, source: ArchiveSource, imageKey: string): Promise<ImageRecord | undefined> {
	const {known} = source;
	const record = await cache.getImage(imageKey);
	if (known === undefined || record?.config.id !== known.imageId || record.layers.length !== known.diffIds.length
		|| record.layers.some((layer, index) => layer.diffId !== known.diffIds[index])) {
		return undefined;
	}

	return record;
}

/** The diff_ids of a daemon image that fromCacheOnly would take whole from the cache (no layer read), else undefined. */
async function cachedLayerIds(cache: LayerCache, source: ArchiveSource, imageKey: string): Promise<string[] | undefined> {
	const record = await cachedRecord(cache, source, imageKey);
	if (record === undefined) {
		return undefined;
	}

	for (const layer of record.layers) {
		if (!await cache.hasLayer(layer.diffId)) {
			return undefined;
		}
	}

	return record.layers.map(layer => layer.diffId);
}

/** The diff_ids of a registry image's layers that the store holds. */
async function storedLayers(source: LazyImage, store: LayerStore): Promise<string[]> {
	const found = new Set<string>();
	for (const {diffId} of source.layers) {
		if (diffId !== '' && !found.has(diffId) && await store.has?.(diffId) === true) {
			found.add(diffId);
		}
	}

	return [...found];
}

/** A daemon image whose every layer and whose record (config, ids, history) are cached: no `docker save`. */
async function fromCacheOnly(cache: LayerCache, store: LayerStore, source: ArchiveSource, imageKey: string, options: LoadOptions): Promise<RawImage | undefined> {
	const record = await cachedRecord(cache, source, imageKey);
	if (record === undefined) {
		return undefined;
	}

	const layers: RawLayer[] = [];
	let entries = 0;
	for (const layer of record.layers) {
		const contents: LayerContents | undefined = await store.get(layer.diffId);
		if (contents === undefined) {
			return undefined;
		}

		layers.push({...layer, contents});
		entries += contents.entries.length;
		options.onRead?.({bytes: 0, layersDone: layers.length, layersFromCache: layers.length, entries});
	}

	return {name: source.name, tags: record.tags, config: record.config, layers};
}

export async function loadImage(target: string, options: LoadOptions): Promise<RawImage> {
	platformOf(options);
	const source = await resolveSource(target, options);
	try {
		return await loadImageFrom(source, options);
	} catch (error) {
		const fromDaemon = source.kind === 'archive' && (options.source === 'docker' || options.source === 'podman' || (options.source === undefined && !isLocalReference(target)));
		if (error instanceof PlatformMismatchError && fromDaemon) {
			// A daemon keeps one platform per tag; the save archive it wrote is not the user's "archive".
			const engine = options.source === 'podman' ? 'podman' : 'docker';
			throw new SourceError(`${singleLine(target)} in the ${engine === 'podman' ? 'podman' : 'Docker'} daemon is ${error.holds}, not ${error.wanted}: a daemon keeps one platform of an image; pull that one first (${engine} pull --platform ${error.wanted} ${singleLine(target)}), or leave out --platform`);
		}

		throw error;
	}
}

/** Read an image from a resolved source (the source can then be asked again for one layer's bytes). */
export async function loadImageFrom(source: ImageSource | LazyImage, options: LoadOptions): Promise<RawImage> {
	const platform = platformOf(options);
	const {cache, share} = options;
	let store = cache === undefined ? undefined : layerStore(cache, options.cacheReads);
	if (source.kind === 'lazy' && store !== undefined && share?.fromStore !== undefined) {
		// A registry image takes from the cache only what the share allows (archive files ask the share themselves).
		store = allowedBy(store, diffId => share.fromStore!(diffId));
	}

	options.onStatus?.({phase: 'read', message: `reading ${source.name}`});
	const imageKey = source.kind === 'archive' && source.known !== undefined ? `${source.known.imageId} ${source.name} ${source.tag ?? ''}` : undefined;
	// Only an archive file's layers are offered to a share (the other load is told at once when there are none); a
	// registry or daemon image says which layers it takes from the layer cache (a daemon image only when the cache
	// holds them all), before decoding any.
	if (share !== undefined && (source.kind !== 'archive' || source.file === undefined)) {
		let cached: readonly string[] = [];
		if (source.kind === 'lazy' && store !== undefined) {
			cached = await storedLayers(source, store);
		} else if (source.kind === 'archive' && cache !== undefined && imageKey !== undefined) {
			cached = await cachedLayerIds(cache, source, imageKey) ?? [];
		}

		await share.plan(null, cached);
	}

	if (source.kind === 'lazy') {
		const {readLazyImage} = await import('../archive/read-lazy.js');
		let bytes = 0;
		// A registry's layers: a cached one's blob is never fetched.
		const image = await readLazyImage(source, {signal: options.signal, store, onProgress(progress) {
			bytes = progress.bytes;
			options.onRead?.(progress);
		}});
		options.onStatus?.({phase: 'pull', message: `pulled ${singleLine(source.name)}`, current: bytes, total: bytes});
		return image;
	}

	if (source.kind === 'layout') {
		return readOciLayout(source.dir, {name: source.name, platform, tag: source.ref, onProgress: options.onRead, store});
	}

	const readOptions = {name: source.name, platform, tag: source.tag, totalBytes: source.totalBytes, onProgress: options.onRead, computeDiffId: cache !== undefined};
	if ((store !== undefined || share !== undefined) && source.file !== undefined) {
		// A file on disk: index it and skip the bytes of cached layers (and, with a share, of layers the other load
		// parses). When it cannot be indexed (compressed, unusual) or no layer is cached and there is no share, it
		// is streamed as below.
		const index = await indexTar(source.file);
		const image = index === undefined ? undefined : await readIndexedArchive(source.file, index, store, {...readOptions, share});
		if (image !== undefined) {
			return image;
		}

		if (index === undefined) {
			void share?.plan(null);
		}
	}

	if (cache !== undefined && store !== undefined && imageKey !== undefined) {
		const cached = await fromCacheOnly(cache, store, source, imageKey, options);
		if (cached !== undefined) {
			return cached;
		}
	}

	const stream = await source.open();
	options.signal?.addEventListener('abort', () => {
		stream.destroy(new SourceError('cancelled'));
	}, {once: true});
	const image = await readImageArchive(stream, readOptions);
	if (cache !== undefined) {
		cacheVerifiedLayers(cache, image);
		if (imageKey !== undefined && image.config.id === source.known?.imageId) {
			cache.putImage(imageKey, image);
		}
	}

	return image;
}
