// TUI latency on a large image: time from a key press to the new frame, through the real stack (ink's input
// parsing → key table → reducer → memoised views → React render → ink layout and frame output), rendered with
// ink-testing-library (debug mode: every update is rendered synchronously, no frame throttling, no terminal I/O).
//
//   node --import tsx scripts/bench-ui.ts [--files N] [--rounds N] [--pace MS]
//
// React runs its production build, as under runTui. Keys are pressed --pace ms apart (default 60, about a fast
// typist; the UI uses idle time to prepare the neighbouring layers), each timed from the write to the new frame.
//
// The image (≥200k files over 10 layers, docker-save format) is generated once into .bench/ui/ and reused.
import {createHash} from 'node:crypto';
import {createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {pipeline} from 'node:stream/promises';
import {parseArgs} from 'node:util';
import tarStream from 'tar-stream';
import {analyzeImage} from '../src/analysis/analyze.js';
import {readImageArchive} from '../src/archive/read-image.js';
import {BrowserModel} from '../src/ui/state/model.js';

type Item = {name: string; type?: 'file' | 'directory'; size?: number; mode?: number};

const {values: options} = parseArgs({options: {files: {type: 'string', default: '150000'}, rounds: {type: 'string', default: '30'}, pace: {type: 'string', default: '60'}}});
const baseFiles = Number(options.files);
const rounds = Number(options.rounds);
const pace = Number(options.pace);
const benchDir = path.resolve('.bench/ui');
const archive = path.join(benchDir, `image-${baseFiles}.tar`);

function* range(count: number): Generator<number> {
	for (let index = 0; index < count; index++) {
		yield index;
	}
}

/** The layers, as generators of tar items (so no layer is ever held in memory). */
function layerPlans(): Array<{command: string; items: () => Iterable<Item>}> {
	const apps = 20;
	const modules = 100;
	const perModule = Math.max(1, Math.round(baseFiles / (apps * modules)));
	const fileSize = (index: number): number => (index % 16 === 0 ? 1024 + (index % 4096) : 0);
	return [
		{
			command: 'ADD rootfs /',
			*items() {
				for (const app of range(apps)) {
					yield {name: `opt/app${app}/`, type: 'directory'};
					for (const module of range(modules)) {
						yield {name: `opt/app${app}/mod${module}/`, type: 'directory'};
						for (const file of range(perModule)) {
							yield {name: `opt/app${app}/mod${module}/f${file}.dat`, size: fileSize(file + module)};
						}
					}
				}
			},
		},
		{
			command: 'COPY data /srv/data',
			*items() {
				for (const dir of range(200)) {
					yield {name: `srv/data/d${dir}/`, type: 'directory'};
					for (const file of range(250)) {
						yield {name: `srv/data/d${dir}/x${file}`, size: fileSize(file)};
					}
				}
			},
		},
		{
			command: 'RUN chmod -R o-r /opt/app0 … /opt/app4',
			*items() {
				for (const app of range(5)) {
					for (const module of range(10)) {
						for (const file of range(perModule)) {
							yield {name: `opt/app${app}/mod${module}/f${file}.dat`, size: fileSize(file + module), mode: 0o640};
						}
					}
				}
			},
		},
		{
			command: 'RUN rm -rf /opt/app19 && replace /opt/app18/mod0',
			*items() {
				yield {name: 'opt/.wh.app19'};
				yield {name: 'opt/app18/mod0/', type: 'directory'};
				yield {name: 'opt/app18/mod0/.wh..wh..opq'};
				yield {name: 'opt/app18/mod0/replaced.dat', size: 4096};
			},
		},
		{
			command: 'RUN install docs',
			*items() {
				for (const pkg of range(500)) {
					yield {name: `usr/share/doc/pkg${pkg}/`, type: 'directory'};
					for (const file of range(20)) {
						yield {name: `usr/share/doc/pkg${pkg}/page${file}.html`, size: fileSize(file + 3)};
					}
				}
			},
		},
		{
			command: 'RUN rm -rf /srv/data/d0 … /srv/data/d9',
			*items() {
				for (const dir of range(10)) {
					yield {name: `srv/data/.wh.d${dir}`};
				}
			},
		},
		...[6, 7, 8, 9].map(layer => ({
			command: `RUN step ${layer}`,
			*items(): Iterable<Item> {
				for (const file of range(100)) {
					yield {name: `etc/step${layer}/conf${file}`, size: 100 + file};
				}
			},
		})),
	];
}

async function writeTar(file: string, items: Iterable<Item> | AsyncIterable<Item & {source?: string}>): Promise<{digest: string; bytes: number}> {
	const pack = tarStream.pack();
	const hash = createHash('sha256');
	let bytes = 0;
	const output = createWriteStream(file);
	pack.on('data', (chunk: unknown) => {
		hash.update(chunk as Buffer);
		bytes += (chunk as Buffer).length;
	});
	const done = pipeline(pack, output);
	const zeros = Buffer.alloc(8192);
	let count = 0;
	for await (const item of items) {
		const source = (item as {source?: string}).source;
		const size = source === undefined ? (item.size ?? 0) : statSync(source).size;
		const header = {name: item.name, type: item.type ?? 'file', size, mode: item.mode ?? (item.type === 'directory' ? 0o755 : 0o644), mtime: new Date(0)};
		if (source !== undefined) {
			const entry = pack.entry(header);
			await pipeline(createReadStream(source), entry);
		} else if (header.type === 'directory') {
			pack.entry(header);
		} else {
			pack.entry(header, zeros.subarray(0, size));
		}

		if (++count % 512 === 0) {
			// Let the packed bytes drain to the file before packing more.
			await new Promise(resolve => {
				setImmediate(resolve);
			});
		}
	}

	pack.finalize();
	await done;
	return {digest: hash.digest('hex'), bytes};
}

async function generate(): Promise<void> {
	mkdirSync(path.join(benchDir, 'layers'), {recursive: true});
	const plans = layerPlans();
	const layers: Array<{digest: string; file: string}> = [];
	for (const [index, plan] of plans.entries()) {
		const file = path.join(benchDir, 'layers', `${index}.tar`);
		const {digest} = await writeTar(file, plan.items());
		layers.push({digest, file});
	}

	const config = JSON.stringify({
		architecture: 'amd64',
		os: 'linux',
		rootfs: {type: 'layers', diff_ids: layers.map(layer => `sha256:${layer.digest}`)},
		history: plans.map(plan => ({created: '2024-01-01T00:00:00Z', created_by: plan.command})),
	});
	const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
	const manifest = JSON.stringify([{Config: configName, RepoTags: ['bench/ui:latest'], Layers: layers.map(layer => `${layer.digest}/layer.tar`)}]);
	async function * outer(): AsyncIterable<Item & {source?: string}> {
		for (const layer of layers) {
			yield {name: `${layer.digest}/layer.tar`, source: layer.file};
		}
	}

	const configFile = path.join(benchDir, 'layers', 'config.json');
	const manifestFile = path.join(benchDir, 'layers', 'manifest.json');
	writeFileSync(configFile, config);
	writeFileSync(manifestFile, manifest);
	async function * all(): AsyncIterable<Item & {source?: string}> {
		yield * outer();
		yield {name: configName, source: configFile};
		yield {name: 'manifest.json', source: manifestFile};
	}

	await writeTar(`${archive}.tmp`, all());
	renameSync(`${archive}.tmp`, archive);
	rmSync(path.join(benchDir, 'layers'), {recursive: true, force: true});
}

function percentile(values: number[], fraction: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
	if (!existsSync(archive)) {
		console.log(`generating ${path.relative(process.cwd(), archive)} …`);
		await generate();
	}

	let started = performance.now();
	const image = await readImageArchive(createReadStream(archive), {name: path.basename(archive)});
	const analysis = analyzeImage(image);
	const readMs = performance.now() - started;
	started = performance.now();
	const model = new BrowserModel({image, analysis});
	const modelMs = performance.now() - started;
	const files = analysis.image.fileCount;
	console.log(`image: ${image.layers.length} layers, ${model.union.size - 1} paths in all layers, ${files} files in the final filesystem, ${(statSync(archive).size / 1e6).toFixed(0)} MB archive`);
	console.log(`read + analyse: ${readMs.toFixed(0)} ms; union tree (once, before the browser shows): ${modelMs.toFixed(0)} ms`);

	// As runTui does: React's production build, loaded only now.
	process.env['NODE_ENV'] ??= 'production';
	const [{render}, {createElement}, {Browser}] = await Promise.all([import('ink-testing-library'), import('react'), import('../src/ui/components/browser.js')]);
	started = performance.now();
	const instance = render(createElement(Browser, {model, viewport: {width: 100, height: 40}, colors: true, onQuit() {}}));
	console.log(`first frame: ${(performance.now() - started).toFixed(1)} ms`);
	await new Promise(resolve => {
		setImmediate(resolve);
	});

	const timings = new Map<string, number[]>();
	const press = async (label: string, bytes: string): Promise<void> => {
		await new Promise(resolve => {
			setTimeout(resolve, pace);
		});
		const before = instance.frames.length;
		const start = performance.now();
		instance.stdin.write(bytes);
		while (instance.frames.length === before) {
			await new Promise(resolve => {
				setImmediate(resolve);
			});
		}

		const list = timings.get(label) ?? [];
		list.push(performance.now() - start);
		timings.set(label, list);
	};

	const layerCount = image.layers.length;
	// Layer change: every layer once going down (each view built for the first time), then back up (cached).
	for (let index = 1; index < layerCount; index++) {
		await press('layer change (first visit)', '\u001B[B');
	}

	for (let index = 1; index < layerCount; index++) {
		await press('layer change (visited)', '\u001B[A');
	}

	await press('switch pane', '\t');
	for (let index = 0; index < rounds; index++) {
		await press('cursor down', '\u001B[B');
	}

	for (let index = 0; index < rounds; index++) {
		await press('page down', '\u001B[6~');
	}

	for (let index = 0; index < rounds; index++) {
		await press('collapse-all toggle', '\u0000');
	}

	await press('open filter', '/');
	for (const char of 'app1/mod2') {
		await press('filter keystroke', char);
	}

	for (let index = 0; index < 4; index++) {
		await press('filter backspace', '\u007F');
	}

	await press('close filter (Esc)', '\u001B');
	await press('aggregated mode', '\t\t\u0001');
	instance.unmount();

	console.log(`\nkey → frame (ms), ink-testing-library render of the full browser, 100×40, keys ${pace} ms apart, React ${process.env['NODE_ENV']}:`);
	console.log(`${'action'.padEnd(28)} ${'n'.padStart(4)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'max'.padStart(8)}`);
	for (const [label, values] of timings) {
		const each = values.length <= 10 ? `  [${values.map(value => value.toFixed(0)).join(' ')}]` : '';
		console.log(`${label.padEnd(28)} ${String(values.length).padStart(4)} ${percentile(values, 0.5).toFixed(1).padStart(8)} ${percentile(values, 0.95).toFixed(1).padStart(8)} ${Math.max(...values).toFixed(1).padStart(8)}${each}`);
	}
}

await main();
