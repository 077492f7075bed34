// One measured task of the benchmark, in its own process so its peak RSS is its own. Prints JSON.
import {createReadStream, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import tarStream from 'tar-stream';
import {DecompressStream} from 'zstd-napi';
import {analyzeImage} from '../src/analysis/analyze.js';
import {readImageArchive} from '../src/archive/read-image.js';
import {writeOutput} from '../src/cli/output.js';
import {jsonExportChunks} from '../src/report/json.js';
import {formatTextReport} from '../src/report/text.js';
import {LayerCache} from '../src/cache/layer-cache.js';
import {analyzeWithCache} from '../src/cli/cached-analysis.js';
import {loadImage} from '../src/cli/load.js';

const [task, archive, cacheDir] = process.argv.slice(2) as ['floor' | 'analyse' | 'text' | 'json' | 'open', string, string | undefined];

/**
 * The floor: walk the archive and every layer tar inside it with tar-stream (gzip through Node's zlib, zstd through
 * zstd-napi's stream), counting entries, nothing else: no content is hashed, no entry kept.
 */
async function floor(file: string): Promise<number> {
	let entries = 0;
	const outer = tarStream.extract();
	await new Promise<void>((resolve, reject) => {
		outer.on('entry', (header, stream, next) => {
			if (!/\.tar(?:\.gz|\.zst)?$/.test(header.name)) {
				stream.on('end', () => next());
				stream.resume();
				return;
			}

			const inner = tarStream.extract();
			inner.on('entry', (_header, entry, nextInner) => {
				entries++;
				entry.on('end', () => nextInner());
				entry.resume();
			});
			inner.on('finish', () => next());
			inner.on('error', reject);
			if (header.name.endsWith('.gz')) {
				stream.pipe(zlib.createGunzip({chunkSize: 1024 * 1024})).pipe(inner);
			} else if (header.name.endsWith('.zst')) {
				stream.pipe(new DecompressStream()).pipe(inner); // Native libzstd, as the floor's gunzip is native zlib.
			} else {
				stream.pipe(inner);
			}
		});
		outer.on('finish', resolve);
		outer.on('error', reject);
		createReadStream(file, {highWaterMark: 1024 * 1024}).pipe(outer);
	});
	return entries;
}

async function analyse(file: string): Promise<number> {
	const image = await readImageArchive(createReadStream(file, {highWaterMark: 1024 * 1024}), {name: path.basename(file)});
	const analysis = analyzeImage(image);
	return analysis.layers.reduce((sum, layer) => sum + layer.entryCount, 0);
}

/** What `layerscope ARCHIVE --no-tui > F` and `--json F` do: read, analyse, write the output to a file. */
async function output(file: string, kind: 'text' | 'json'): Promise<number> {
	const image = await readImageArchive(createReadStream(file, {highWaterMark: 1024 * 1024}), {name: path.basename(file)});
	const analysis = analyzeImage(image);
	const target = path.join(tmpdir(), `layerscope-bench-${process.pid}.out`);
	try {
		await writeOutput(target, kind === 'text' ? formatTextReport(analysis) : jsonExportChunks(image, analysis));
	} finally {
		rmSync(target, {force: true});
	}

	return analysis.layers.reduce((sum, layer) => sum + layer.entryCount, 0);
}

/** What `layerscope FILE` does before showing anything: read (through the layer cache in cacheDir) and analyse. */
async function open(file: string, dir: string): Promise<number> {
	const cache = new LayerCache({dir});
	const image = await loadImage(file, {cache});
	const analysis = await analyzeWithCache(image, cache);
	await cache.flush();
	return analysis.layers.reduce((sum, layer) => sum + layer.entryCount, 0);
}

const start = performance.now();
const entries = task === 'floor' ? await floor(archive) : task === 'open' ? await open(archive, cacheDir!) : (task === 'analyse' ? await analyse(archive) : await output(archive, task));
const wallMs = performance.now() - start;
const usage = process.resourceUsage();
process.stdout.write(JSON.stringify({wallMs, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, entries, maxRssMb: usage.maxRSS / 1024}));
