// A whole image's analysis from the layer cache when the same image (same layers by diff_id, same ids, history
// and config) was analysed before by the same analysis code; else analysed, and stored.
import {createHash} from 'node:crypto';
import {readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {analyzeImage} from '../analysis/analyze.js';
import type {Analysis, RawImage} from '../analysis/types.js';
import type {LayerCache} from '../cache/layer-cache.js';

/** sha256 of the files under `dir` (recursively) whose names match, in name order. */
function hashFiles(dir: string, match: RegExp): string {
	const hash = createHash('sha256');
	const names = readdirSync(dir, {recursive: true, encoding: 'utf8'}).filter(name => match.test(name)).sort();
	for (const name of names) {
		const file = path.join(dir, name);
		if (statSync(file).isFile()) {
			hash.update(name).update(readFileSync(file));
		}
	}

	return hash.digest('hex');
}

/**
 * The analysing code's fingerprint, so an analysis is reused only by the same analysis code: run from source, a
 * sha256 of src/analysis; built, of the whole bundle (dist/cli/main.js and its chunks) that holds it.
 */
function programStamp(): string | undefined {
	try {
		const here = fileURLToPath(import.meta.url);
		if (here.endsWith('.ts')) {
			return hashFiles(path.join(path.dirname(here), '..', 'analysis'), /\.ts$/);
		}

		const dir = path.dirname(here);
		return hashFiles(path.basename(dir) === 'chunks' ? path.dirname(dir) : dir, /\.js$/);
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
