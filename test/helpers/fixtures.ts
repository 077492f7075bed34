// Loading the dive fixtures and generated archives in tests.
import {createReadStream, existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {Readable} from 'node:stream';
import {fileURLToPath} from 'node:url';
import {analyzeImage} from '../../src/analysis/analyze.js';
import type {Analysis, RawImage} from '../../src/analysis/types.js';
import {readImageArchive} from '../../src/archive/read-image.js';
import {writeDemoImage} from '../../scripts/lib/demo-image.js';
// A test file run on its own (node --test FILE) gets its own layer cache too, never the user's.
import './cache-env.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const diveFixtures = path.resolve(repoRoot, 'test/fixtures/dive');

export function diveFixture(name: string): string {
	return path.join(diveFixtures, name);
}

export async function loadArchive(file: string): Promise<{image: RawImage; analysis: Analysis}> {
	const image = await readImageArchive(createReadStream(file), {name: path.basename(file)});
	return {image, analysis: analyzeImage(image)};
}

/** A stream giving `data` in chunks of the given size (1 = byte by byte). */
export function chunked(data: Buffer, size: number): Readable {
	const chunks: Buffer[] = [];
	for (let offset = 0; offset < data.length; offset += size) {
		chunks.push(data.subarray(offset, offset + size));
	}

	return Readable.from(chunks, {objectMode: false, highWaterMark: 16});
}

export function readDiveSnapshot(name: string): string {
	return readFileSync(path.join(diveFixtures, 'goldens', name), 'utf8');
}

/** The demo image archive (what `npm start` shows), made if a fresh checkout does not have it yet. */
export async function demoImage(): Promise<string> {
	const file = path.join(repoRoot, 'test/fixtures/demo-image.tar');
	if (!existsSync(file)) {
		await writeDemoImage(file);
	}

	return file;
}
