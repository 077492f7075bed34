// The terminal UI's speed, measured where users see it: the built CLI in a real terminal (tmux), with `less` on a
// 300,000-line file as the baseline, in the same harness and the same run (scripts/lib/tmux-harness.ts: keys go in
// through a tmux control client, the program's output comes back timestamped; no screen polling).
//
//   npm run build && node --import tsx scripts/bench-ui.ts [--runs 5] [--keys 15] [--sessions 1] [--files 232000]
//     [--in-process] [--demo-only] [--startup-only] [--keys-only] [--baseline OTHER/bin/layerscope.js]
//
// 1. Start-up on the demo image (test/fixtures/demo-image.tar), runs alternating: node's own start (the floor), the
//    text report (`--no-tui`, to /dev/null), and the UI: time to the first progress frame and to the browser.
// 2. Key → screen: on the demo image and on a generated image of about 300,000 entries (10 layers, docker-save;
//    made once into .bench/ui/), each key pressed after the last one's frame is out and 150 ms of quiet; the time
//    is from sending the key to the last byte of its frame (output then quiet for 40 ms). `less -S` on a
//    300,000-line file takes the same kinds of keys in the same harness, before and after. So do two floors, in the
//    same run: scripts/lib/floor-raw.mjs (a Node program that writes one line per key: Node's and the terminal's
//    own latency) and scripts/lib/floor-ink.mjs (an ink app of ONE <Text> that changes with each key: what any key
//    of any ink 6 + React 19 app costs at least). --baseline: the other build's browser takes the same keys too,
//    alternating with this one's; --sessions N repeats the whole round (less, floors, browser(s), less) N times.
// --in-process: instead, time key → frame through ink-testing-library (no terminal; React, layout and frame only).
import {spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {pipeline} from 'node:stream/promises';
import {parseArgs} from 'node:util';
import tarStream from 'tar-stream';
import {analyzeImage} from '../src/analysis/analyze.js';
import {readImageArchive} from '../src/archive/read-image.js';
import {BrowserModel} from '../src/ui/state/model.js';
import {TmuxHarness} from './lib/tmux-harness.js';

type Item = {name: string; type?: 'file' | 'directory'; size?: number; mode?: number};

const {values: options} = parseArgs({options: {
	files: {type: 'string', default: '232000'},
	rounds: {type: 'string', default: '30'},
	pace: {type: 'string', default: '60'},
	runs: {type: 'string', default: '5'},
	keys: {type: 'string', default: '15'},
	'in-process': {type: 'boolean', default: false},
	/** Ink render options to compare, e.g. --render maxFps=30,incremental=0 --render maxFps=60,incremental=1. */
	render: {type: 'string', multiple: true, default: ['']},
	/** Leave out the 300k-entry image (quicker). */
	'demo-only': {type: 'boolean', default: false},
	/** Only the start-up figures. */
	'startup-only': {type: 'boolean', default: false},
	/** Only the key figures. */
	'keys-only': {type: 'boolean', default: false},
	/** Rounds of key sessions per image (less, floors, the browser, the baseline's, less), each adding to the figures. */
	sessions: {type: 'string', default: '1'},
	/** Another entry script (e.g. an older build's bin/layerscope.js) timed in the same runs, alternating: start-up and keys. */
	baseline: {type: 'string'},
}});
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

async function inProcess(): Promise<void> {
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


const median = (values: readonly number[]): number => percentile([...values], 0.5);
/** The load average now (1, 5, 15 minutes): the machine may be shared, and figures are read against it. */
const loadAverage = (): string => os.loadavg().map(value => value.toFixed(2)).join(' ');
const demoArchive = path.resolve('test/fixtures/demo-image.tar');
const entry = path.resolve('bin/layerscope.js');
const width = 100;
const height = 40;

function shellQuote(text: string): string {
	return `'${text.replaceAll('\'', '\'\\\'\'')}'`;
}

/** Start-up: median ms from asking tmux to run the command to the first progress frame, the browser, the report. */
async function startup(harness: TmuxHarness, runs: number): Promise<string[]> {
	// Variants, alternating in each run: this build (and --baseline), with each --render option.
	const builds: Array<[string, string]> = [['', entry]];
	if (options.baseline !== undefined) {
		builds[0]![0] = 'this build';
		builds.push(['baseline', path.resolve(options.baseline)]);
	}

	const entries: Array<[string, string, Record<string, string>]> = builds.flatMap(([name, script]) => options.render.map(render => {
		const label = [name, render === '' ? '' : `ink ${render}`].filter(part => part !== '').join(', ');
		return [label === '' ? '' : `${label}: `, script, render === '' ? {} : {LAYERSCOPE_INK_RENDER: render}] as [string, string, Record<string, string>];
	}));

	const times = entries.map(() => ({node: [] as number[], report: [] as number[], progress: [] as number[], browser: [] as number[], reportCpu: [] as number[], uiCpu: [] as number[]}));
	// CPU time (user + sys, ms) of a command, from bash's `time` after it exits.
	const timed = (command: string): string => `bash -c ${shellQuote(`TIMEFORMAT='cpu-time %U %S'; time ${command}`)} 2>&1`;
	const cpu = async (since: number): Promise<number> => {
		await harness.waitForText('cpu-time', since);
		const [, user, system] = /cpu-time (\d+\.\d+) (\d+\.\d+)/.exec(harness.screen()) ?? [];
		return (Number(user) + Number(system)) * 1000;
	};

	for (let run = 0; run < runs; run++) {
		for (const [index, [, script, environment]] of entries.entries()) {
			const into = times[index]!;
			let sent = harness.run(`${shellQuote(process.execPath)} -e "process.stdout.write('node-up')"; sleep 100`);
			into.node.push((await harness.waitForText('node-up', sent))! - sent);
			sent = harness.run(`${shellQuote(process.execPath)} ${shellQuote(script)} ${shellQuote(demoArchive)} --no-tui > /dev/null; echo report-done; sleep 100`);
			into.report.push((await harness.waitForText('report-done', sent))! - sent);
			// CPU time in runs of their own (bash in between would be in the wall times).
			sent = harness.run(`${timed(`${shellQuote(process.execPath)} ${shellQuote(script)} ${shellQuote(demoArchive)} --no-tui > /dev/null`)}; sleep 100`);
			into.reportCpu.push(await cpu(sent));
			sent = harness.run(`${timed(`${shellQuote(process.execPath)} ${shellQuote(script)} ${shellQuote(demoArchive)}`)}; sleep 100`, environment);
			if (await harness.waitForText('Layer details', sent) === undefined) {
				throw new Error(`the UI did not show up:\n${harness.screen()}`);
			}

			harness.key('q');
			into.uiCpu.push(await cpu(sent));
			sent = harness.run(`${shellQuote(process.execPath)} ${shellQuote(script)} ${shellQuote(demoArchive)}; sleep 100`, environment);
			const progress = await harness.waitForText('layerscope ·', sent);
			const browser = await harness.waitForText('Layer details', sent);
			if (progress === undefined || browser === undefined) {
				throw new Error(`the UI did not show up:\n${harness.screen()}`);
			}

			into.progress.push(progress - sent);
			into.browser.push(browser - sent);
			harness.key('q');
			await harness.sleep(300);
		}
	}

	const lines = [`start-up on the demo image (${(statSync(demoArchive).size / 1e6).toFixed(1)} MB), median of ${runs} runs${entries.length > 1 ? ' (alternating)' : ''}, ms from the command to the screen:`];
	for (const [index, [label]] of entries.entries()) {
		const into = times[index]!;
		const report = median(into.report);
		lines.push(
			`  ${label}node alone (prints one word)          ${median(into.node).toFixed(0).padStart(6)}`,
			`  ${label}text report (--no-tui > /dev/null)    ${report.toFixed(0).padStart(6)}`,
			`  ${label}UI: first progress frame              ${median(into.progress).toFixed(0).padStart(6)}   (target ≤ 150 ms after node's own start: ${(median(into.progress) - median(into.node)).toFixed(0)} ms)`,
			`  ${label}UI: browser                           ${median(into.browser).toFixed(0).padStart(6)}   (${(median(into.browser) / report).toFixed(2)}× the text report; target ≤ 2×)`,
			`  ${label}CPU ms (user+sys): text report ${median(into.reportCpu).toFixed(0)}, UI opened and quit at once ${median(into.uiCpu).toFixed(0)} (${(median(into.uiCpu) / median(into.reportCpu)).toFixed(2)}×)`,
		);
	}

	return lines;
}

/** Keys pressed `count` times each, in turn (PgDn, PgUp, PgDn…: the screen always changes). */
type KeyPlan = ReadonlyArray<{readonly count: number; readonly keys: ReadonlyArray<{readonly label: string; readonly key: string}>}>;

/** Press each key of the plan, one at a time; latencies by label. A key without output is counted apart. */
async function pressAll(harness: TmuxHarness, plan: KeyPlan, into: Map<string, number[]>): Promise<void> {
	for (const {count, keys} of plan) {
		for (let index = 0; index < count; index++) {
			for (const {label, key} of keys) {
				await harness.sleep(150);
				const sent = harness.key(key);
				const settled = await harness.settled(sent, 40, 3000);
				if (settled === undefined) {
					missed.set(label, (missed.get(label) ?? 0) + 1);
					continue;
				}

				const list = into.get(label) ?? [];
				list.push(settled - sent);
				into.set(label, list);
			}
		}
	}
}

const missed = new Map<string, number>();

/** ↓, PgDn and PgUp in turn, ↑: the keys `less` and the floors take (labels `${prefix} ↓` …). */
function lineKeys(prefix: string, keys: number): KeyPlan {
	return [
		{count: keys, keys: [{label: `${prefix} ↓`, key: 'Down'}]},
		{count: keys, keys: [{label: `${prefix} PgDn`, key: 'PageDown'}, {label: `${prefix} PgUp`, key: 'PageUp'}]},
		{count: keys, keys: [{label: `${prefix} ↑`, key: 'Up'}]},
	];
}

/** The floors (scripts/lib/floor-*.mjs): a raw Node program, and an ink app of one <Text>. */
const floors = [
	{prefix: 'floor: node', script: 'scripts/lib/floor-raw.mjs'},
	{prefix: 'floor: ink 1 Text', script: 'scripts/lib/floor-ink.mjs'},
] as const;

/**
 * A baseline that takes line keys (less, a floor): `command` started in the pane, once `ready` shows its line keys
 * pressed (labels `${prefix} ↓` …), then q.
 */
async function lineSession(harness: TmuxHarness, command: string, environment: Record<string, string>, ready: string, prefix: string, keys: number, into: Map<string, number[]>): Promise<void> {
	const sent = harness.run(`${command}; sleep 100`, environment);
	if (await harness.waitForText(ready, sent, 30_000) === undefined) {
		throw new Error(`${command} did not start:\n${harness.screen()}`);
	}

	await harness.sleep(500);
	await pressAll(harness, lineKeys(prefix, keys), into);
	harness.key('q');
	await harness.sleep(300);
}

async function lessSession(harness: TmuxHarness, file: string, keys: number, into: Map<string, number[]>): Promise<void> {
	await lineSession(harness, `less -S ${shellQuote(file)}`, {}, '1', 'less', keys, into);
}

async function floorSession(harness: TmuxHarness, script: string, prefix: string, keys: number, into: Map<string, number[]>): Promise<void> {
	await lineSession(harness, `${shellQuote(process.execPath)} ${shellQuote(path.resolve(script))}`, {NODE_ENV: 'production'}, 'ready', prefix, keys, into);
}

async function uiSession(harness: TmuxHarness, script: string, prefix: string, archive: string, layers: number, keys: number, into: Map<string, number[]>, render: string): Promise<void> {
	const sent = harness.run(`${shellQuote(process.execPath)} ${shellQuote(script)} ${shellQuote(archive)}; sleep 100`, render === '' ? {} : {LAYERSCOPE_INK_RENDER: render});
	if (await harness.waitForText('Layer details', sent, 300_000) === undefined) {
		throw new Error(`the UI did not show up:\n${harness.screen()}`);
	}

	await harness.sleep(1000);
	await pressAll(harness, [
		{count: layers - 1, keys: [{label: `${prefix}layer ↓ (first visit)`, key: 'Down'}]},
		{count: layers - 1, keys: [{label: `${prefix}layer ↑`, key: 'Up'}]},
	], into);
	harness.key('Tab');
	await harness.sleep(500);
	await pressAll(harness, [
		{count: keys, keys: [{label: `${prefix}tree ↓`, key: 'Down'}]},
		{count: keys, keys: [{label: `${prefix}tree PgDn`, key: 'PageDown'}, {label: `${prefix}tree PgUp`, key: 'PageUp'}]},
		{count: keys, keys: [{label: `${prefix}tree ↑`, key: 'Up'}]},
	], into);
	harness.key('q');
	await harness.sleep(300);
}

function keyTable(title: string, ui: Map<string, number[]>, less: Map<string, number[]>): string[] {
	const lessDown = median([...less.get('less ↓') ?? [], ...less.get('less ↑') ?? []]);
	const lessPage = median([...less.get('less PgDn') ?? [], ...less.get('less PgUp') ?? []]);
	const width = Math.max(24, ...[...less.keys(), ...ui.keys()].map(label => label.length));
	const rows = [title, `  ${'key'.padEnd(width)} ${'n'.padStart(3)} ${'median'.padStart(7)} ${'p90'.padStart(7)}   vs less (target ≤ 1.5×)`];
	for (const [label, values] of [...less, ...ui]) {
		const baseline = label.includes('Pg') ? lessPage : lessDown;
		const ratio = label.startsWith('less') ? '' : `${(median(values) / baseline).toFixed(2)}×`;
		rows.push(`  ${label.padEnd(width)} ${String(values.length).padStart(3)} ${median(values).toFixed(1).padStart(7)} ${percentile(values, 0.9).toFixed(1).padStart(7)}   ${ratio}`);
	}

	const floor = [...less.entries()].filter(([label]) => label.startsWith(floors[1].prefix)).flatMap(([, values]) => values);
	const node = [...less.entries()].filter(([label]) => label.startsWith(floors[0].prefix)).flatMap(([, values]) => values);
	if (floor.length > 0) {
		rows.push(`  ink's floor (one <Text>, all its keys): ${median(floor).toFixed(1)} ms = ${(median(floor) / lessDown).toFixed(2)}× less's ↓/↑; a raw Node program: ${median(node).toFixed(1)} ms`);
	}

	return rows;
}

async function terminal(): Promise<void> {
	if (!existsSync(path.resolve('dist/cli/main.js'))) {
		throw new Error('build first: npm run build');
	}

	if (!existsSync(demoArchive)) {
		spawnSync(process.execPath, ['--import', 'tsx', 'scripts/make-demo-image.ts', '--if-missing'], {stdio: 'inherit'});
	}

	if (!existsSync(archive)) {
		console.log(`generating ${path.relative(process.cwd(), archive)} …`);
		await generate();
	}

	const lines = path.join(benchDir, 'lines-300000.txt');
	if (!existsSync(lines)) {
		writeFileSync(lines, Array.from({length: 300_000}, (_, index) => `line ${index + 1}: ${'lorem ipsum dolor sit amet '.repeat(3)}`).join('\n') + '\n');
	}

	const runs = Number(options.runs);
	const keys = Number(options.keys);
	const harness = await TmuxHarness.start(width, height, {NO_COLOR: ''});
	const out: string[] = [];
	const builds: Array<[string, string]> = [['', entry]];
	if (options.baseline !== undefined) {
		builds.push(['baseline: ', path.resolve(options.baseline)]);
	}

	try {
		if (!options['keys-only']) {
			out.push(...await startup(harness, runs), '');
		}

		const images = [['demo image', demoArchive, 6], ['300k-entry image', archive, 10]] as const;
		for (const [name, file, layers] of options['startup-only'] ? [] : options['demo-only'] ? images.slice(0, 1) : images) {
			for (const render of options.render) {
				// The baselines (less, then the floors) and the browser(s), in turn, in every round.
				const less = new Map<string, number[]>();
				const ui = new Map<string, number[]>();
				for (let session = 0; session < Number(options.sessions); session++) {
					await lessSession(harness, lines, keys, less);
					for (const {prefix, script} of floors) {
						await floorSession(harness, script, prefix, keys, less);
					}

					for (const [prefix, script] of session % 2 === 0 ? builds : [...builds].reverse()) {
						await uiSession(harness, script, prefix, file, layers, keys, ui, render);
					}

					await lessSession(harness, lines, keys, less);
				}

				const how = render === '' ? '' : `, ink ${render}`;
				out.push(...keyTable(`key → screen in tmux ${width}×${height}, ms (${name}${how}; less -S on a 300,000-line file before and after; uptime: ${loadAverage()}):`, ui, less), '');
			}
		}
	} finally {
		harness.stop();
	}

	if (missed.size > 0) {
		out.push(`keys without output (not counted): ${[...missed].map(([label, count]) => `${label} ×${count}`).join(', ')}`);
	}

	console.log(out.join('\n'));
}

await (options['in-process'] ? inProcess() : terminal());
