// The layer cache: a layer's parsed contents by its diff_id, and what an image source said of an image (its
// config, layer ids and history) by image id, in a cacache store (content-addressed, written to a temporary file
// and moved into place, verified on every read). This is the only code that touches the cache directory.
//
// Nothing here fails a run: a damaged, truncated or foreign-version entry is a miss (one debug line) and is
// removed; a write that fails (full disk, read-only directory) turns the cache off for the rest of the run.
import os from 'node:os';
import path from 'node:path';
import cacache from 'cacache';
import {Packr} from 'msgpackr';
import type {Analysis, LayerContents, RawLayer} from '../analysis/types.js';
import {decodeLayer, encodeLayer, formatVersion} from './codec.js';

/** The default size cap: 2 GB (10^9 bytes each). */
export const defaultMaxBytes = 2e9;

/**
 * Where the cache lives: `$LAYERSCOPE_CACHE_DIR`, else `$XDG_CACHE_HOME/layerscope`, else `~/.cache/layerscope`
 * (the XDG base directory default).
 */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
	const own = env['LAYERSCOPE_CACHE_DIR'];
	if (own !== undefined && own !== '') {
		return path.resolve(own);
	}

	const xdg = env['XDG_CACHE_HOME'];
	// The XDG spec: a relative XDG_CACHE_HOME is invalid and ignored.
	if (xdg !== undefined && path.isAbsolute(xdg)) {
		return path.join(xdg, 'layerscope');
	}

	return path.join(os.homedir(), '.cache', 'layerscope');
}

export {cacheDisabledByEnv} from './cache-env.js';

const units: Record<string, number> = {
	'': 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};

/** A size such as `500MB`, `2GB`, `1.5GiB` or `1000000` (bytes) → bytes; undefined when it is none. */
export function parseSize(text: string): number | undefined {
	const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
	const factor = match === null ? undefined : units[match[2]!.toLowerCase()];
	if (match === null || factor === undefined) {
		return undefined;
	}

	return Math.floor(Number(match[1]) * factor);
}

/** What an image source said of an image besides its layers' contents: enough to rebuild its RawImage from cache. */
export type ImageRecord = {
	readonly tags: readonly string[];
	readonly config: {readonly id: string; readonly os: string; readonly architecture: string; readonly created: string};
	/** Base first: each layer's RawLayer fields but its contents. */
	readonly layers: ReadonlyArray<Omit<RawLayer, 'contents'>>;
};

export type CacheInfo = {
	readonly dir: string;
	/** Cached layers and images. */
	readonly layers: number;
	readonly images: number;
	/** Cached whole-image analyses. */
	readonly analyses: number;
	/** Bytes of the stored values (what the size cap counts). */
	readonly bytes: number;
};

export type PruneOptions = {
	/** Evict least recently used entries until the stored values total at most this many bytes. */
	readonly maxBytes?: number;
	/** Remove entries not used for this many days. Without either option, everything is removed. */
	readonly olderThanDays?: number;
};

export type LayerCacheOptions = {
	readonly dir: string;
	/** The size cap in bytes (default 2 GB). */
	readonly maxBytes?: number;
	/** One line per notable event (a miss on a damaged entry, a failed write), for --debug. */
	readonly onDebug?: (line: string) => void;
	/** A read records the entry's use when its last recorded use is older than this (ms; default an hour). */
	readonly touchIntervalMs?: number;
};

const layerKey = (diffId: string): string => `layer:${diffId}`;
const imageKey = (key: string): string => `image:${key}`;
const analysisKey = (key: string): string => `analysis:${key}`;
const valuePackr = new Packr({useRecords: false});

type Entry = {key: string; integrity: string; size: number; time: number};

/** How stale an entry's last-use time may get before a read records a new one (ms), by default. */
const defaultTouchInterval = 3_600_000;

export class LayerCache {
	readonly dir: string;
	readonly maxBytes: number;
	/** False after a write failed: the rest of the run neither writes nor evicts. */
	private writable = true;
	private readonly pending = new Set<Promise<void>>();
	private readonly onDebug: (line: string) => void;
	private written = false;
	private readonly touchInterval: number;

	constructor(options: LayerCacheOptions) {
		this.touchInterval = options.touchIntervalMs ?? defaultTouchInterval;
		this.dir = options.dir;
		this.maxBytes = options.maxBytes ?? defaultMaxBytes;
		this.onDebug = options.onDebug ?? (() => undefined);
	}

	/** The cached contents of the layer with this diff_id, or undefined (a miss). Never throws. */
	async getLayer(diffId: string): Promise<LayerContents | undefined> {
		const bytes = await this.read(layerKey(diffId));
		if (bytes === undefined) {
			return undefined;
		}

		try {
			return decodeLayer(bytes, diffId);
		} catch (error) {
			this.onDebug(`cache: ignoring the entry for layer ${diffId}: ${(error as Error).message}`);
			this.forget(layerKey(diffId));
			return undefined;
		}
	}

	/**
	 * Whether the cache holds an entry for the layer with this diff_id (its index only: nothing is read or decoded,
	 * so a damaged entry still says yes and getLayer then misses). Never throws.
	 */
	async hasLayer(diffId: string): Promise<boolean> {
		try {
			return await cacache.get.info(this.dir, layerKey(diffId)) !== null;
		} catch {
			return false;
		}
	}

	/**
	 * Store a layer's contents under its diff_id. Call only with contents whose bytes were verified against the
	 * diff_id. The write runs in the background (see flush); it never throws.
	 */
	putLayer(diffId: string, contents: LayerContents): void {
		if (!this.writable || !/^sha256:[\da-f]{64}$/.test(diffId)) {
			return;
		}

		let bytes: Buffer;
		try {
			bytes = encodeLayer(diffId, contents);
		} catch (error) {
			this.onDebug(`cache: cannot encode layer ${diffId}: ${(error as Error).message}`);
			return;
		}

		this.write(layerKey(diffId), bytes);
	}

	/** What was recorded of an image under `key`, or undefined. Never throws. */
	async getImage(key: string): Promise<ImageRecord | undefined> {
		return this.getValue(imageKey(key), value => {
			const image = value as Partial<ImageRecord> | undefined;
			return Array.isArray(image?.layers) && Array.isArray(image.tags) && typeof image.config === 'object';
		}) as Promise<ImageRecord | undefined>;
	}

	putImage(key: string, image: ImageRecord): void {
		const record: ImageRecord = {
			tags: [...image.tags],
			config: {...image.config},
			layers: image.layers.map(layer => ({
				id: layer.id, digest: layer.digest, diffId: layer.diffId, command: layer.command, created: layer.created,
				...(layer.location === undefined ? {} : {location: layer.location}),
			})),
		};
		this.putValue(imageKey(key), record);
	}

	/**
	 * A whole image's analysis stored under `key`, which the caller derives from everything the analysis depends on
	 * (the image's layer diff_ids, ids, history, config, and the analysing program's version).
	 */
	async getAnalysis(key: string): Promise<Analysis | undefined> {
		return this.getValue(analysisKey(key), value => {
			const analysis = value as Partial<Analysis> | undefined;
			return typeof analysis?.image === 'object' && Array.isArray(analysis.layers) && typeof analysis.config === 'object';
		}) as Promise<Analysis | undefined>;
	}

	putAnalysis(key: string, analysis: Analysis): void {
		this.putValue(analysisKey(key), analysis);
	}

	private async getValue(key: string, valid: (value: unknown) => boolean): Promise<unknown> {
		const bytes = await this.read(key);
		if (bytes === undefined) {
			return undefined;
		}

		try {
			const stored = valuePackr.unpack(bytes) as {v?: unknown; key?: unknown; value?: unknown};
			if (stored.v !== formatVersion || stored.key !== key || !valid(stored.value)) {
				throw new Error(`format version ${String(stored.v)} or shape not this version's`);
			}

			return stored.value;
		} catch (error) {
			this.onDebug(`cache: ignoring the entry ${key}: ${(error as Error).message}`);
			this.forget(key);
			return undefined;
		}
	}

	private putValue(key: string, value: unknown): void {
		if (this.writable) {
			this.write(key, valuePackr.pack({v: formatVersion, key, value}));
		}
	}

	/** Wait for the writes started so far, then keep the cache under its size cap (least recently used go first). */
	async flush(): Promise<void> {
		while (this.pending.size > 0) {
			await Promise.all(this.pending);
		}

		if (this.written && this.writable) {
			this.written = false;
			try {
				await this.evict({maxBytes: this.maxBytes});
			} catch (error) {
				this.onDebug(`cache: cannot keep the cache under ${this.maxBytes} bytes: ${(error as Error).message}`);
			}
		}
	}

	/** Where the cache is, how many entries and how many bytes it holds. */
	async info(): Promise<CacheInfo> {
		const entries = await this.entries();
		return {
			dir: this.dir,
			layers: entries.filter(entry => entry.key.startsWith('layer:')).length,
			images: entries.filter(entry => entry.key.startsWith('image:')).length,
			analyses: entries.filter(entry => entry.key.startsWith('analysis:')).length,
			bytes: entries.reduce((sum, entry) => sum + entry.size, 0),
		};
	}

	/** Remove entries (all of them when no option is given); resolves to how many and how many bytes went. */
	async prune(options: PruneOptions = {}): Promise<{removed: number; bytes: number}> {
		if (options.maxBytes === undefined && options.olderThanDays === undefined) {
			const before = await this.entries();
			await cacache.rm.all(this.dir);
			return {removed: before.length, bytes: before.reduce((sum, entry) => sum + entry.size, 0)};
		}

		return this.evict(options);
	}

	private async evict(options: PruneOptions): Promise<{removed: number; bytes: number}> {
		// Least recently used first.
		const entries = (await this.entries()).sort((a, b) => a.time - b.time);
		let total = entries.reduce((sum, entry) => sum + entry.size, 0);
		const cutoff = options.olderThanDays === undefined ? -Infinity : Date.now() - (options.olderThanDays * 86_400_000);
		let removed = 0;
		let bytes = 0;
		for (const entry of entries) {
			const old = entry.time < cutoff;
			const over = options.maxBytes !== undefined && total > options.maxBytes;
			if (!old && !over) {
				continue;
			}

			await this.remove(entry);
			total -= entry.size;
			removed++;
			bytes += entry.size;
		}

		return {removed, bytes};
	}

	private async entries(): Promise<Entry[]> {
		let listing: Record<string, {key: string; integrity: string; size?: number; time: number}>;
		try {
			listing = await cacache.ls(this.dir);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
				return [];
			}

			throw error;
		}

		return Object.values(listing).map(entry => ({key: entry.key, integrity: entry.integrity, size: entry.size ?? 0, time: entry.time}));
	}

	private async remove(entry: Entry): Promise<void> {
		await cacache.rm.entry(this.dir, entry.key);
		await cacache.rm.content(this.dir, entry.integrity);
	}

	private async read(key: string): Promise<Buffer | undefined> {
		let data: Buffer;
		let info: cacache.CacheObject | null;
		try {
			info = await cacache.get.info(this.dir, key);
			if (info === null) {
				return undefined;
			}

			// Read by the index entry's integrity: the content is checked against it (and its size) as it is read.
			data = await cacache.get.byDigest(this.dir, info.integrity, {size: info.size});
		} catch (error) {
			const {code} = error as NodeJS.ErrnoException;
			if (code !== 'ENOENT' && code !== 'ENOTDIR') {
				// EINTEGRITY (damaged or truncated content), EBADSIZE, a directory we may not read…
				this.onDebug(`cache: ignoring the entry ${key}: ${code ?? (error as Error).message}`);
				this.forget(key);
			}

			return undefined;
		}

		// Mark it used (least recently used entries are evicted first): one more index line for the key, at most
		// one an hour, so a key's index bucket stays small however often it is read.
		if (this.writable && Date.now() - info.time >= this.touchInterval) {
			this.track(cacache.index.insert(this.dir, key, info.integrity, {size: info.size}).then(() => undefined));
		}

		return data;
	}

	private write(key: string, bytes: Buffer): void {
		this.written = true;
		this.track(cacache.put(this.dir, key, bytes).then(() => undefined));
	}

	/** Drop an entry that could not be used, its content too (a rewrite of the same bytes must not find it). */
	private forget(key: string): void {
		if (this.writable) {
			this.track((async () => {
				const info = await cacache.get.info(this.dir, key);
				await cacache.rm.entry(this.dir, key);
				if (info !== null) {
					await cacache.rm.content(this.dir, info.integrity);
				}
			})());
		}
	}

	private track(operation: Promise<void>): void {
		const tracked = operation.catch((error: unknown) => {
			if (this.writable) {
				this.writable = false;
				this.onDebug(`cache: writes off for this run: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
			}
		}).finally(() => {
			this.pending.delete(tracked);
		});
		this.pending.add(tracked);
	}
}
