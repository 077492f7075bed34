// Whether the environment turns the layer cache off: a module of its own (no cacache), so that compare's worker,
// started before the CLI loads, can tell whether to load the cache's modules while it waits (compare-prestart.ts).

/** True when `LAYERSCOPE_NO_CACHE` is set to anything but '', '0' or 'false'. */
export function cacheDisabledByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
	const value = env['LAYERSCOPE_NO_CACHE'];
	return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
