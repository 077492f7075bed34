// Benchmark of `layerscope compare`: two images of over 200,000 entries each, compared, against loading the larger
// one alone. The target: compare ≤ 1.2 × load.
//
//   node --import tsx scripts/bench-compare.ts [--runs N] [--files N] [--baseline DIR] [--gzip]
//
// Builds (once, cached under .bench/) three docker-save archives with plain layers: A is a base layer of
// 0.7 × N files and an app layer of 0.3 × N; B has the same base layer (same bytes, same diff_id) and an app layer
// where 5% of A's app files changed content, 2% changed size, 1% changed mode, 2% are gone and 3% are new; A′ is
// A with its base layer's mtimes moved a day (another diff_id, the same files): B and A′ share no layer. Then,
// alternating, the built CLI as a user runs it (npm run build first), under /usr/bin/time:
//   load:     layerscope B --ci (every rule off)    — read + analysis of B and a few lines of report
//   compare:  layerscope compare A B --json FILE    — both read at once (A in a worker thread, B in the main one),
//             the shared base layer parsed once (by the main thread), both analysed there together (the base's
//             analysis done once, copy on write), merged
//   distinct: layerscope compare A′ B --json FILE   — the same, nothing shared: each image read and analysed whole,
//             each in its own thread
//   floor:    layerscope A′ --ci and layerscope B --ci at the same time, two processes: the least any comparison
//             that reads and analyses both images costs on this machine (no sharing, nothing done between them)
// Reports the median wall and CPU time (user + system, all threads), peak RSS, and the ratios to load, with the
// load average before and after. The layer cache is off (LAYERSCOPE_NO_CACHE=1): every run reads every layer.
// --baseline DIR: another checkout of layerscope (built) whose `compare A B` runs in the same rotation, so a change
// is measured against what it replaces under the same machine load. --gzip: the same images with gzip layers
// (level 1; a registry's or `docker save`'s Docker 25+ OCI layout's are gzip), which a second parse also inflates.
import {spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync} from 'node:fs';
import path from 'node:path';
import {pipeline} from 'node:stream/promises';
import {createGzip} from 'node:zlib';
import tarStream from 'tar-stream';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
	const index = args.indexOf(`--${name}`);
	return index < 0 ? fallback : Number(args[index + 1]);
};

const benchDir = path.resolve('.bench');
const baseTime = new Date('2024-01-01T00:00:00Z');
const mtime = baseTime;

type Entry = {name: string; size: number; mode: number; seed: number};

function body(size: number, seed: number): Buffer {
	const out = Buffer.alloc(size);
	let value = seed;
	for (let offset = 0; offset < size; offset++) {
		value = ((value * 1_103_515_245) + 12_345) & 0x7F_FF_FF_FF;
		out[offset] = 97 + (value % 26);
	}

	return out;
}

async function writeLayer(file: string, entries: readonly Entry[], mtime = baseTime): Promise<string> {
	const pack = tarStream.pack();
	const hash = createHash('sha256');
	pack.on('data', (chunk: unknown) => hash.update(chunk as Buffer));
	const done = pipeline(pack, createWriteStream(file));
	let lastDir = '';
	for (const entry of entries) {
		const dir = entry.name.slice(0, entry.name.lastIndexOf('/'));
		if (dir !== lastDir) {
			pack.entry({name: `${dir}/`, type: 'directory', mode: 0o755, mtime});
			lastDir = dir;
		}

		pack.entry({name: entry.name, size: entry.size, mode: entry.mode, mtime}, body(entry.size, entry.seed));
	}

	pack.finalize();
	await done;
	return `sha256:${hash.digest('hex')}`;
}

async function writeArchive(target: string, tag: string, layers: readonly string[], diffIds: readonly string[]): Promise<void> {
	const config = JSON.stringify({
		architecture: 'amd64',
		os: 'linux',
		rootfs: {type: 'layers', diff_ids: diffIds},
		history: layers.map((_, index) => ({created_by: `/bin/sh -c generate layer ${index}`})),
	});
	const pack = tarStream.pack();
	const done = pipeline(pack, createWriteStream(`${target}.tmp`));
	const names = layers.map((_, index) => `layer${index}/layer.tar`);
	for (const [index, layer] of layers.entries()) {
		const entry = pack.entry({name: names[index]!, size: statSync(layer).size, mode: 0o644, mtime});
		await pipeline(createReadStream(layer), entry);
	}

	pack.entry({name: 'config.json', mode: 0o644, mtime}, config);
	pack.entry({name: 'manifest.json', mode: 0o644, mtime}, JSON.stringify([{Config: 'config.json', RepoTags: [tag], Layers: names}]));
	pack.finalize();
	await done;
	renameSync(`${target}.tmp`, target);
}

const fileSize = (index: number): number => 200 + ((index * 7919) % 1000);

async function build(files: number, gzip: boolean): Promise<{a: string; b: string; distinct: string}> {
	const suffix = gzip ? '-gzip' : '';
	const a = path.join(benchDir, `compare-a-${files}${suffix}.tar`);
	const b = path.join(benchDir, `compare-b-${files}${suffix}.tar`);
	const distinct = path.join(benchDir, `compare-a-distinct-${files}${suffix}.tar`);
	if (existsSync(a) && existsSync(b) && existsSync(distinct)) {
		return {a, b, distinct};
	}

	mkdirSync(benchDir, {recursive: true});
	const baseCount = Math.floor(files * 0.7);
	const appCount = files - baseCount;
	const base: Entry[] = Array.from({length: baseCount}, (_, index) => ({name: `usr/share/base/d${Math.floor(index / 500)}/f${index}.txt`, size: fileSize(index), mode: 0o644, seed: index}));
	const appA: Entry[] = Array.from({length: appCount}, (_, index) => ({name: `opt/app/d${Math.floor(index / 500)}/f${index}.js`, size: fileSize(index), mode: 0o644, seed: index + 1}));
	const appB: Entry[] = [];
	for (const [index, entry] of appA.entries()) {
		const bucket = index % 100;
		if (bucket < 2) {
			continue; // Gone in B.
		}

		if (bucket < 7) {
			appB.push({...entry, seed: entry.seed + 7}); // Same size, new content.
		} else if (bucket < 9) {
			appB.push({...entry, size: entry.size + 10}); // Grown.
		} else if (bucket < 10) {
			appB.push({...entry, mode: 0o755});
		} else {
			appB.push(entry);
		}
	}

	for (let index = 0; index < Math.floor(appCount * 0.03); index++) {
		appB.push({name: `opt/app/new/d${Math.floor(index / 500)}/n${index}.js`, size: fileSize(index), mode: 0o644, seed: index + 3});
	}

	process.stderr.write(`building compare bench images (${files.toLocaleString('en-US')} files each)…\n`);
	const names = ['cmp-base.tar', 'cmp-base-2.tar', 'cmp-app-a.tar', 'cmp-app-b.tar'];
	const layer = (name: string): string => path.join(benchDir, name);
	const baseId = await writeLayer(layer('cmp-base.tar'), base);
	const otherBaseId = await writeLayer(layer('cmp-base-2.tar'), base, new Date('2024-01-02T00:00:00Z'));
	const appAId = await writeLayer(layer('cmp-app-a.tar'), appA);
	const appBId = await writeLayer(layer('cmp-app-b.tar'), appB);
	if (gzip) {
		// Each layer compressed once: A's and B's base blobs are the same bytes, as two pulls of one blob are.
		for (const name of names) {
			await pipeline(createReadStream(layer(name)), createGzip({level: 1}), createWriteStream(`${layer(name)}.gz`));
			renameSync(`${layer(name)}.gz`, layer(name));
		}
	}

	await writeArchive(a, 'layerscope-bench/compare:a', [layer('cmp-base.tar'), layer('cmp-app-a.tar')], [baseId, appAId]);
	await writeArchive(b, 'layerscope-bench/compare:b', [layer('cmp-base.tar'), layer('cmp-app-b.tar')], [baseId, appBId]);
	await writeArchive(distinct, 'layerscope-bench/compare:a-distinct', [layer('cmp-base-2.tar'), layer('cmp-app-a.tar')], [otherBaseId, appAId]);
	for (const name of names) {
		rmSync(layer(name));
	}

	return {a, b, distinct};
}

type Measure = {wallMs: number; cpuMs: number; maxRssMb: number};

/** One run of the built CLI (of `root`) under /usr/bin/time, the layer cache off: wall time, CPU (user + system), peak RSS. */
async function measure(args: readonly string[], root = '.'): Promise<Measure> {
	const start = performance.now();
	return new Promise((resolve, reject) => {
		const child = spawn('/usr/bin/time', ['-f', '%U %S %M', process.execPath, path.resolve(root, 'bin/layerscope.js'), ...args], {stdio: ['ignore', 'ignore', 'pipe'], env: {...process.env, CI: '', LAYERSCOPE_NO_CACHE: '1'}});
		let stderr = '';
		child.stderr.setEncoding('utf8').on('data', (text: string) => {
			stderr += text;
		});
		child.on('error', reject);
		child.on('close', code => {
			if (code !== 0) {
				reject(new Error(`bench task ${args.join(' ')} failed: ${stderr}`));
				return;
			}

			const [user = 0, system = 0, rssKb = 0] = stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
			resolve({wallMs: performance.now() - start, cpuMs: (user + system) * 1000, maxRssMb: rssKb / 1024});
		});
	});
}

/**
 * Two loads at once, each a process of its own (`layerscope X --ci` for A′ and for B): what any comparison that reads
 * and analyses both images costs on this machine at the least, with no sharing and nothing between the two. CPU is
 * the sum of both, peak RSS the sum of both peaks.
 */
async function measurePair(argsA: readonly string[], argsB: readonly string[]): Promise<Measure> {
	const start = performance.now();
	const [one, other] = await Promise.all([measure(argsA), measure(argsB)]);
	return {wallMs: performance.now() - start, cpuMs: one.cpuMs + other.cpuMs, maxRssMb: one.maxRssMb + other.maxRssMb};
}

function median(values: number[]): number {
	const sorted = [...values].sort((x, y) => x - y);
	return sorted[Math.floor(sorted.length / 2)]!;
}

const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const baselineIndex = args.indexOf('--baseline');
const baseline = baselineIndex < 0 ? undefined : args[baselineIndex + 1];
const runs = option('runs', 5);
const files = option('files', 210_000);
const {a, b, distinct} = await build(files, args.includes('--gzip'));
console.log(`images: A ${(statSync(a).size / 1e6).toFixed(0)} MB, B ${(statSync(b).size / 1e6).toFixed(0)} MB, A′ ${(statSync(distinct).size / 1e6).toFixed(0)} MB (docker save, ${args.includes('--gzip') ? 'gzip' : 'plain'} layers, ${files.toLocaleString('en-US')} files each); ${runs} runs of each, alternating; median shown`);
console.log(`load average before: ${loadAverage()}`);
const output = path.join(benchDir, 'compare-out.json');
const tasks = {
	load: [b, '--ci', '--lowest-efficiency', 'off', '--highest-user-wasted-percent', 'off'],
	shared: ['compare', a, b, '--json', output],
	distinct: ['compare', distinct, b, '--json', output],
} as const;
type Task = keyof typeof tasks | 'baseline' | 'pair';
const measured: Record<Task, Measure[]> = {load: [], shared: [], distinct: [], baseline: [], pair: []};
for (let run = 0; run < runs; run++) {
	for (const [name, args] of Object.entries(tasks) as Array<[keyof typeof tasks, readonly string[]]>) {
		measured[name].push(await measure(args));
		if (name === 'shared' && baseline !== undefined) {
			measured.baseline.push(await measure(args, baseline));
		}
	}

	measured.pair.push(await measurePair([distinct, ...tasks.load.slice(1)], tasks.load));
}

const wall = (name: Task): number => median(measured[name].map(item => item.wallMs));
const row = (label: string, name: Task): string => {
	const list = measured[name];
	return `${label.padEnd(44)} ${(wall(name) / 1000).toFixed(2).padStart(6)} s wall  ${(median(list.map(item => item.cpuMs)) / 1000).toFixed(2).padStart(6)} s CPU  ${median(list.map(item => item.maxRssMb)).toFixed(0).padStart(5)} MB peak RSS`;
};

console.log(row('layerscope B --ci (load alone)', 'load'));
console.log(row('layerscope compare A B --json FILE (shared)', 'shared'));
console.log(row('layerscope compare A′ B --json FILE (distinct)', 'distinct'));
console.log(row('floor: A′ --ci and B --ci at once, 2 processes', 'pair'));
if (baseline !== undefined) {
	console.log(row(`baseline compare A B (${baseline})`, 'baseline'));
}

console.log(`load average after: ${loadAverage()}`);
console.log(`\ncompare / load: ${(wall('shared') / wall('load')).toFixed(2)}× with a shared base layer (target ≤ 1.2×), ${(wall('distinct') / wall('load')).toFixed(2)}× sharing nothing`);
console.log(`floor / load: ${(wall('pair') / wall('load')).toFixed(2)}× (both images read and analysed at once, in two processes: no comparison that analyses both can be faster on this machine without sharing work); distinct compare / floor: ${(wall('distinct') / wall('pair')).toFixed(2)}×`);
