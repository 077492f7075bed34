// Analyses of dive's fixture archives for the CI tests, each read once per test process.
import {createReadStream} from 'node:fs';
import path from 'node:path';
import {analyzeImage, type AnalyzeOptions} from '../../src/analysis/analyze.js';
import type {Analysis} from '../../src/analysis/types.js';
import {readImageArchive} from '../../src/archive/read-image.js';

export {diveFixtures} from '../helpers/fixtures.js';
import {diveFixtures} from '../helpers/fixtures.js';

const cache = new Map<string, Promise<Analysis>>();

/** The analysis of `test/fixtures/dive/<file>` (optionally with ignore globs applied). */
export async function fixtureAnalysis(file: string, options: AnalyzeOptions = {}): Promise<Analysis> {
	const key = options.ignore === undefined ? file : '';
	const cached = key === '' ? undefined : cache.get(key);
	if (cached !== undefined) {
		return cached;
	}

	const result = (async () => {
		const image = await readImageArchive(createReadStream(path.join(diveFixtures, file)), {name: file});
		return analyzeImage(image, options);
	})();
	if (key !== '') {
		cache.set(key, result);
	}

	return result;
}

/** One snapshot of a go-snaps file ("[name - 1]\n<value>\n---"), its value. */
export function snapshot(text: string, name: string): string {
	const start = text.indexOf(`\n[${name} - 1]\n`);
	if (start < 0) {
		throw new Error(`snapshot ${name} not found`);
	}

	const body = start + name.length + 8;
	const end = text.indexOf('\n---\n', body);
	return text.slice(body, end);
}
