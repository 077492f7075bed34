// npm run bench — throughput and memory of the analysis on a large image, against a bare tar-stream walk.
//
// Builds (once, cached under .bench/) an image of 300,000 files and over 1 GB as a docker-save archive with
// plain layers, as a kaniko-style archive with gzip layers and as its zstd twin. Then, in one run, alternating, it measures in child
// processes: the floor (a bare tar-stream walk that only counts entries, through nested layer tars and gunzip) and
// layerscope's full read + analysis. Reports median wall time, MB/s of tar, entries/s and peak RSS. Then the two
// outputs of the plain archive, each written to a file: the text report and the streamed --json export.
// Usage: npm run bench [-- --runs N] [-- --files N]
import {spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {cpSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {pipeline} from 'node:stream/promises';
import zlib from 'node:zlib';
import tarStream from 'tar-stream';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
	const index = args.indexOf(`--${name}`);
	return index < 0 ? fallback : Number(args[index + 1]);
};

const runs = option('runs', 3);
const totalFiles = option('files', 300_000);
const benchDir = path.resolve('.bench');
const mtime = new Date('2024-01-01T00:00:00Z');

/** Text-like data (compresses about 3:1 with gzip, like real files) that file contents are sliced from. */
function makePool(size: number): Buffer {
	const words = ['lorem', 'ipsum', 'dolor', 'layer', 'image', 'static', 'const', 'return', 'function', 'import', '{', '}', '\n', 'value', '=', '0x'];
	const out = Buffer.alloc(size);
	let offset = 0;
	let seed = 12_345;
	while (offset < size) {
		seed = ((seed * 1_103_515_245) + 12_345) % 2_147_483_648;
		const word = seed % 5 === 0 ? (seed % 100_000).toString(36) : words[seed % words.length]!;
		offset += out.write(`${word} `, offset);
	}

	return out;
}

type LayerPlan = {files: number; prefix: string; overwriteFrom?: string; overwrite?: number; whiteouts?: number; big?: number};

async function writeLayer(file: string, plan: LayerPlan, pool: Buffer): Promise<number> {
	const pack = tarStream.pack();
	const done = pipeline(pack, createWriteStream(file));
	let entries = 0;
	const add = async (header: Parameters<typeof pack.entry>[0], body?: Buffer): Promise<void> => {
		entries++;
		await new Promise<void>((resolve, reject) => {
			const callback = (error?: Error | null): void => {
				if (error) {
					reject(error);
				} else {
					resolve();
				}
			};

			if (body === undefined) {
				pack.entry(header, callback);
			} else {
				pack.entry(header, body, callback);
			}
		});
	};

	const dirs = Math.ceil(plan.files / 500);
	for (let dir = 0; dir < dirs; dir++) {
		await add({name: `${plan.prefix}/d${dir}/`, type: 'directory', mode: 0o755, mtime});
		for (let index = dir * 500; index < Math.min(plan.files, (dir + 1) * 500); index++) {
			const size = 1000 + ((index * 7919) % 4000);
			const start = (index * 4099) % (pool.length - size);
			await add({name: `${plan.prefix}/d${dir}/file-${index}.txt`, size, mode: 0o644, mtime}, pool.subarray(start, start + size));
		}
	}

	for (let index = 0; index < (plan.overwrite ?? 0); index++) {
		const size = 2000;
		const dir = Math.floor(index / 500);
		await add({name: `${plan.overwriteFrom!}/d${dir}/file-${index}.txt`, size, mode: 0o600, mtime}, pool.subarray(index % 1000, (index % 1000) + size));
	}

	for (let index = 0; index < (plan.whiteouts ?? 0); index++) {
		const dir = Math.floor((index + 50_000) / 500);
		await add({name: `${plan.overwriteFrom!}/d${dir}/.wh.file-${index + 50_000}.txt`, size: 0, mode: 0o644, mtime}, Buffer.alloc(0));
	}

	for (let index = 0; index < (plan.big ?? 0); index++) {
		const size = 32 * 1024 * 1024;
		const body = Buffer.alloc(size);
		for (let offset = 0; offset < size; offset += pool.length) {
			pool.copy(body, offset, (index * 977) % 1024);
		}

		await add({name: `${plan.prefix}/big-${index}.bin`, size, mode: 0o644, mtime}, body);
	}

	pack.finalize();
	await done;
	return entries;
}

/**
 * The zstd twin of the plain archive: the same layer tars, each compressed with zstd (level 3, as `docker buildx
 * --output compression=zstd` and containerd default to), named `layerN.tar.zst`. Derived from the plain archive.
 */
async function buildZstdArchive(plain: string, target: string): Promise<void> {
	if (existsSync(target)) {
		return;
	}

	process.stderr.write('building the zstd archive…\n');
	const {CompressStream} = await import('zstd-napi');
	const outer = tarStream.extract();
	const pack = tarStream.pack();
	const done = pipeline(pack, createWriteStream(`${target}.tmp`));
	const layers: string[] = [];
	outer.on('entry', (header, stream, next) => {
		if (header.name.endsWith('/layer.tar')) {
			const name = `layer${layers.length}.tar.zst`;
			const file = path.join(benchDir, name);
			layers.push(name);
			pipeline(stream, new CompressStream({compressionLevel: 3}), createWriteStream(file)).then(() => {
				const entry = pack.entry({name, size: statSync(file).size, mode: 0o644, mtime}, error => {
					rmSync(file);
					next(error);
				});
				createReadStream(file).pipe(entry);
			}, next);
			return;
		}

		if (header.name === 'manifest.json') {
			const parts: Buffer[] = [];
			stream.on('data', (chunk: unknown) => {
				parts.push(chunk as Buffer);
			});
			stream.on('end', () => {
				const manifest = JSON.parse(Buffer.concat(parts).toString('utf8')) as Array<{Layers: string[]}>;
				manifest[0]!.Layers = layers;
				pack.entry({name: header.name, mode: 0o644, mtime}, JSON.stringify(manifest));
				next();
			});
			return;
		}

		const entry = pack.entry(header, next);
		stream.pipe(entry);
	});
	await pipeline(createReadStream(plain), outer);
	pack.finalize();
	await done;
	renameSync(`${target}.tmp`, target);
}

async function buildArchives(): Promise<{plain: string; gzip: string; entries: number; tarBytes: number}> {
	const tag = `files${totalFiles}`;
	const plain = path.join(benchDir, `image-${tag}.tar`);
	const gzip = path.join(benchDir, `image-${tag}-gzip.tar`);
	const meta = path.join(benchDir, `image-${tag}.json`);
	if (existsSync(plain) && existsSync(gzip) && existsSync(meta)) {
		return {plain, gzip, ...(JSON.parse(await import('node:fs').then(fs => fs.readFileSync(meta, 'utf8'))) as {entries: number; tarBytes: number})};
	}

	mkdirSync(benchDir, {recursive: true});
	const pool = makePool(4 * 1024 * 1024);
	const base = Math.floor(totalFiles * 0.5);
	const plans: LayerPlan[] = [
		{files: base, prefix: 'usr/share/base', big: 12},
		{files: Math.floor(totalFiles * 0.3), prefix: 'opt/app', big: 10},
		{files: Math.floor(totalFiles * 0.1), prefix: 'var/lib/data', overwriteFrom: 'usr/share/base', overwrite: 30_000, whiteouts: 10_000},
		{files: Math.floor(totalFiles * 0.03), prefix: 'srv/extra', big: 10},
	];
	const layerFiles: string[] = [];
	let entries = 0;
	let tarBytes = 0;
	for (const [index, plan] of plans.entries()) {
		const file = path.join(benchDir, `layer-${index}.tar`);
		process.stderr.write(`building layer ${index} (${plan.files} files)…\n`);
		entries += await writeLayer(file, plan, pool);
		tarBytes += statSync(file).size;
		layerFiles.push(file);
	}

	const diffIds: string[] = [];
	for (const file of layerFiles) {
		const hash = createHash('sha256');
		await pipeline(createReadStream(file), hash);
		diffIds.push(`sha256:${hash.digest('hex')}`);
		await pipeline(createReadStream(file), zlib.createGzip({level: 6}), createWriteStream(`${file}.gz`));
	}

	const config = JSON.stringify({
		architecture: 'amd64',
		os: 'linux',
		rootfs: {type: 'layers', diff_ids: diffIds},
		history: plans.map((plan, index) => ({created_by: `/bin/sh -c generate layer ${index} (${plan.files} files)`})),
	});
	const writeArchive = async (target: string, names: string[], sources: string[]): Promise<void> => {
		const pack = tarStream.pack();
		const done = pipeline(pack, createWriteStream(`${target}.tmp`));
		for (const [index, name] of names.entries()) {
			const source = sources[index]!;
			const entry = pack.entry({name, size: statSync(source).size, mode: 0o644, mtime});
			await pipeline(createReadStream(source), entry);
		}

		pack.entry({name: 'config.json', mode: 0o644, mtime}, config);
		pack.entry({name: 'manifest.json', mode: 0o644, mtime}, JSON.stringify([{Config: 'config.json', RepoTags: ['layerscope-bench:latest'], Layers: names}]));
		pack.finalize();
		await done;
		renameSync(`${target}.tmp`, target);
	};

	await writeArchive(plain, layerFiles.map((_, index) => `layer${index}/layer.tar`), layerFiles);
	await writeArchive(gzip, layerFiles.map((_, index) => `layer${index}.tar.gz`), layerFiles.map(file => `${file}.gz`));
	for (const file of layerFiles) {
		rmSync(file);
		rmSync(`${file}.gz`);
	}

	writeFileSync(meta, JSON.stringify({entries, tarBytes}));
	return {plain, gzip, entries, tarBytes};
}

type Measure = {wallMs: number; cpuMs: number; entries: number; maxRssMb: number};

function measure(task: 'floor' | 'analyse' | 'text' | 'json' | 'open', archive: string, cacheDir?: string): Measure {
	// The compiled JavaScript (npm run bench builds first), as users run it.
	const compiled = 'dist/scripts/bench-task.js';
	const command = existsSync(compiled) ? [compiled] : ['--import', 'tsx', 'scripts/bench-task.ts'];
	const result = spawnSync(process.execPath, [...command, task, archive, ...(cacheDir === undefined ? [] : [cacheDir])], {encoding: 'utf8', maxBuffer: 1024 * 1024});
	if (result.status !== 0) {
		throw new Error(`bench task ${task} failed: ${result.stderr}`);
	}

	return JSON.parse(result.stdout) as Measure;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

const {plain, gzip, entries, tarBytes} = await buildArchives();
const zstd = plain.replace(/\.tar$/, '-zstd.tar');
await buildZstdArchive(plain, zstd);
console.log(`image: ${entries.toLocaleString('en-US')} entries, ${(tarBytes / 1e9).toFixed(2)} GB of layer tar; archives ${(statSync(plain).size / 1e9).toFixed(2)} GB plain, ${(statSync(gzip).size / 1e9).toFixed(2)} GB gzip, ${(statSync(zstd).size / 1e9).toFixed(2)} GB zstd`);
console.log(`runs: ${runs} of each, alternating; median shown\n`);
const rows: string[] = [];
const floors = new Map<string, number>();
for (const [label, archive] of [['plain layers', plain], ['gzip layers', gzip], ['zstd layers', zstd]] as const) {
	const floor: Measure[] = [];
	const analyse: Measure[] = [];
	for (let run = 0; run < runs; run++) {
		floor.push(measure('floor', archive));
		analyse.push(measure('analyse', archive));
	}

	for (const [name, list] of [['floor (bare tar-stream walk)', floor], ['layerscope read + analysis', analyse]] as const) {
		const wall = median(list.map(item => item.wallMs));
		const cpu = median(list.map(item => item.cpuMs));
		rows.push(`${label.padEnd(13)} ${name.padEnd(29)} ${(wall / 1000).toFixed(2).padStart(6)} s wall ${(cpu / 1000).toFixed(2).padStart(6)} s cpu ${((tarBytes / 1e6) / (wall / 1000)).toFixed(0).padStart(5)} MB/s ${Math.round(list[0]!.entries / (wall / 1000)).toLocaleString('en-US').padStart(8)} entries/s ${Math.max(...list.map(item => item.maxRssMb)).toFixed(0).padStart(4)} MB peak RSS`);
	}

	floors.set(archive, median(floor.map(item => item.wallMs)));
	const ratio = median(analyse.map(item => item.wallMs)) / median(floor.map(item => item.wallMs));
	const cpuRatio = median(analyse.map(item => item.cpuMs)) / median(floor.map(item => item.cpuMs));
	rows.push(`${label.padEnd(13)} ratio analysis / floor: ${ratio.toFixed(2)}× wall, ${cpuRatio.toFixed(2)}× cpu (target ≤ 1.5×)`, '');
	if (analyse[0]!.entries !== floor[0]!.entries) {
		rows.push(`WARNING: entry counts differ: floor ${floor[0]!.entries}, analysis ${analyse[0]!.entries}`);
	}
}

// The outputs: the text report and the --json export (streamed), written to a file, on the plain archive.
const outputs: Record<'text' | 'json', Measure[]> = {text: [], json: []};
for (let run = 0; run < runs; run++) {
	outputs.text.push(measure('text', plain));
	outputs.json.push(measure('json', plain));
}

const peak = (list: Measure[]): number => median(list.map(item => item.maxRssMb));
for (const [name, list] of [['text report', outputs.text], ['--json export', outputs.json]] as const) {
	rows.push(`output        ${name.padEnd(29)} ${(median(list.map(item => item.wallMs)) / 1000).toFixed(2).padStart(6)} s wall ${peak(list).toFixed(0).padStart(4)} MB peak RSS (median)`);
}

rows.push(`output        --json / text peak RSS: ${(peak(outputs.json) / peak(outputs.text)).toFixed(2)}× (target ≤ 1.1×, and ≤ 400 MB)`, '');
console.log(rows.join('\n'));

// cat of one file, by the layer that holds it (scripts/bench-content.ts).
spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench-content.ts', plain, gzip], {stdio: 'inherit'});

/**
 * The same image with another top layer (a new build of the app): the archive copied member by member, the last
 * layer replaced by a small new one, the config's diff_ids and manifest following.
 */
async function topChanged(source: string): Promise<string> {
	const target = source.replace(/\.tar$/, '-top.tar');
	if (existsSync(target)) {
		return target;
	}

	const pool = makePool(1024 * 1024);
	const layerFile = path.join(benchDir, 'layer-top.tar');
	await writeLayer(layerFile, {files: 2000, prefix: 'srv/extra/new'}, pool);
	const layer = readFileSync(layerFile);
	const diffId = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
	const extract = tarStream.extract();
	const pack = tarStream.pack();
	const done = pipeline(pack, createWriteStream(`${target}.tmp`));
	let config: {rootfs: {diff_ids: string[]}} | undefined;
	let manifest: unknown;
	extract.on('entry', (header, stream, next) => {
		const chunks: Buffer[] = [];
		if (header.name === 'config.json' || header.name === 'manifest.json') {
			stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
			stream.on('end', () => {
				const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
				if (header.name === 'config.json') {
					config = value as typeof config;
				} else {
					manifest = value;
				}

				next();
			});
			return;
		}

		if (header.name === 'layer3/layer.tar') {
			stream.resume();
			stream.on('end', () => {
				pack.entry({...header, size: layer.length}, layer, next);
			});
			return;
		}

		stream.pipe(pack.entry(header, next));
	});
	await pipeline(createReadStream(source, {highWaterMark: 1024 * 1024}), extract);
	config!.rootfs.diff_ids[3] = diffId;
	pack.entry({name: 'config.json', mode: 0o644, mtime}, JSON.stringify(config));
	pack.entry({name: 'manifest.json', mode: 0o644, mtime}, JSON.stringify(manifest));
	pack.finalize();
	await done;
	rmSync(layerFile);
	renameSync(`${target}.tmp`, target);
	return target;
}

/** Bytes of the files under a directory. */
function diskBytes(dir: string): number {
	let total = 0;
	for (const entry of readdirSync(dir, {withFileTypes: true, recursive: true})) {
		if (entry.isFile()) {
			total += statSync(path.join(entry.parentPath, entry.name)).size;
		}
	}

	return total;
}

// The layer cache (README "Cache"): `layerscope FILE` = read through the cache + analysis, in fresh processes.
const changed = await topChanged(plain);
const cacheRoot = mkdtempSync(path.join(tmpdir(), 'layerscope-bench-cache-'));
const floorMs = floors.get(plain)!;
const firstOpen: Measure[] = [];
const secondOpen: Measure[] = [];
const changedOpen: Measure[] = [];
const seeded = path.join(cacheRoot, 'seeded');
let cacheBytes = 0;
for (let run = 0; run < runs; run++) {
	const fresh = path.join(cacheRoot, `first-${run}`);
	firstOpen.push(measure('open', plain, fresh));
	if (run === 0) {
		cacheBytes = diskBytes(fresh);
		cpSync(fresh, seeded, {recursive: true});
	}

	rmSync(fresh, {recursive: true, force: true});
}

for (let run = 0; run < runs; run++) {
	secondOpen.push(measure('open', plain, seeded));
	// Each run of the changed image starts from the cache of the first image only.
	const copy = path.join(cacheRoot, `changed-${run}`);
	cpSync(seeded, copy, {recursive: true});
	changedOpen.push(measure('open', changed, copy));
	rmSync(copy, {recursive: true, force: true});
}

const cacheRows = [
	'layer cache, plain layers (layerscope FILE = read + analysis, through the cache):',
	...([['first open (empty cache)', firstOpen], ['second open', secondOpen], ['second open, top layer changed', changedOpen]] as const).map(([name, list]) => {
		const wall = median(list.map(item => item.wallMs));
		return `  ${name.padEnd(31)} ${(wall / 1000).toFixed(2).padStart(6)} s wall ${(median(list.map(item => item.cpuMs)) / 1000).toFixed(2).padStart(6)} s cpu ${(wall / floorMs).toFixed(2).padStart(5)}× floor ${Math.max(...list.map(item => item.maxRssMb)).toFixed(0).padStart(4)} MB peak RSS`;
	}),
	`  second open / floor (${(floorMs / 1000).toFixed(2)} s): ${(median(secondOpen.map(item => item.wallMs)) / floorMs).toFixed(2)}× (target ≤ 0.5×, ≤ 1 s)`,
	`  cache on disk: ${(cacheBytes / 1e6).toFixed(1)} MB for ${entries.toLocaleString('en-US')} entries = ${(cacheBytes / 1e6 / (entries / 100_000)).toFixed(2)} MB per 100k entries (layers and the image's analysis)`,
];
if (secondOpen[0]!.entries !== firstOpen[0]!.entries) {
	cacheRows.push(`WARNING: entry counts differ: first ${firstOpen[0]!.entries}, second ${secondOpen[0]!.entries}`);
}

console.log(cacheRows.join('\n'));
rmSync(cacheRoot, {recursive: true, force: true});

// The terminal UI in a real terminal (tmux): start-up against the text report, key → screen against `less`.
if (spawnSync('tmux', ['-V']).status === 0) {
	console.log('\nterminal UI (scripts/bench-ui.ts):');
	spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench-ui.ts'], {stdio: 'inherit'});
} else {
	console.log('\nterminal UI: skipped (no tmux)');
}
