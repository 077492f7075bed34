// A whole image's analysis from the layer cache when the same image (same layers by diff_id, same ids, history
// and config) was analysed before by the same analysis code; else analysed, and stored.
import {createHash} from 'node:crypto';
import {readdirSync, readFileSync} from 'node:fs';
import {analyzeImage} from '../analysis/analyze.js';
import type {Analysis, RawImage} from '../analysis/types.js';
import type {LayerCache} from '../cache/layer-cache.js';

/**
 * The analysing code's fingerprint: a sha256 of every file of src/analysis as built (or as run from source), so an
 * analysis is reused only by the same analysis code.
 */
function programStamp(): string | undefined {
	try {
		const dir = new URL('../analysis/', import.meta.url);
		const hash = createHash('sha256');
		for (const name of readdirSync(dir, {withFileTypes: true}).filter(entry => entry.isFile()).map(entry => entry.name).sort()) {
			hash.update(name).update(readFileSync(new URL(name, dir)));
		}

		return hash.digest('hex');
	} catch {
		return undefined; // Unknown code: no analysis is reused.
	}
}

/**
 * The key of an image's analysis: a sha256 over everything analyzeImage reads but the entries, which the layer
 * diff_ids stand for, and the analysis code's fingerprint. Undefined when that is unknown or a layer's entries are not known to be those of its diff_id (not verified).
 */
export function analysisKey(image: RawImage, stamp = programStamp()): string | undefined {
	if (stamp === undefined || image.layers.some(layer => layer.diffId === '' || layer.contents.diffId !== layer.diffId)) {
		return undefined;
	}

	const described = {
		stamp,
		name: image.name,
		tags: image.tags,
		config: image.config,
		layers: image.layers.map(layer => [layer.id, layer.digest, layer.diffId, layer.command, layer.created, layer.contents.tarBytes, layer.contents.blobBytes, layer.contents.compression]),
	};
	return `sha256:${createHash('sha256').update(JSON.stringify(described)).digest('hex')}`;
}

/** analyzeImage(image) (default options only), through the cache when there is one. */
export async function analyzeWithCache(image: RawImage, cache: LayerCache | undefined): Promise<Analysis> {
	const key = cache === undefined ? undefined : analysisKey(image);
	if (cache === undefined || key === undefined) {
		return analyzeImage(image);
	}

	const cached = await cache.getAnalysis(key);
	if (cached !== undefined) {
		return cached;
	}

	const analysis = analyzeImage(image);
	cache.putAnalysis(key, analysis);
	return analysis;
}
