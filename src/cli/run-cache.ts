// The layer cache of this run: opened once on first use (unless --no-cache or LAYERSCOPE_NO_CACHE), flushed
// before the process ends. Its debug lines go to stderr under --debug.
import {cacheDirectory, cacheDisabledByEnv, defaultMaxBytes, LayerCache, parseSize} from '../cache/layer-cache.js';
import {beforeExit, runFlags} from './run-hooks.js';

let debug = false;
let opened: LayerCache | undefined;

/** Show the cache's debug lines (a damaged entry ignored, writes turned off) on stderr. */
export function setCacheDebug(on: boolean): void {
	debug = on;
}

/**
 * The run's layer cache, or undefined when caching is off (`noCache`, i.e. --no-cache, or LAYERSCOPE_NO_CACHE=1).
 * Where: cacheDirectory(); size cap: LAYERSCOPE_CACHE_MAX_SIZE (e.g. 500MB; default 2 GB).
 */
export function runCache(noCache = false, env: NodeJS.ProcessEnv = process.env): LayerCache | undefined {
	if (noCache || cacheDisabledByEnv(env)) {
		return undefined;
	}

	const cap = env['LAYERSCOPE_CACHE_MAX_SIZE'];
	if (opened === undefined) {
		// main.ts finishes the writes before the process exits, without loading this module itself.
		beforeExit(flushRunCache);
	}

	opened ??= new LayerCache({
		dir: cacheDirectory(env),
		maxBytes: cap === undefined || cap === '' ? defaultMaxBytes : parseSize(cap) ?? defaultMaxBytes,
		onDebug(line) {
			if (debug || runFlags.debug) {
				process.stderr.write(`layerscope: ${line}\n`);
			}
		},
	});
	return opened;
}

/** Finish the cache writes of this run (call before the process exits). */
export async function flushRunCache(): Promise<void> {
	await opened?.flush();
}
