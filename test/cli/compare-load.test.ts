// compare's two readers (a worker and the main thread) sharing the layers their images have in common, through the
// built CLI on archives written here: the result equals comparing the two images read on their own, in one thread;
// a layer that claims another image's diff_id with other bytes is read from its own image, not borrowed.
import assert from 'node:assert/strict';
import {execFileSync, spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {LayerCache} from '../../src/cache/layer-cache.js';
import {compareRead, loadBoth} from '../../src/cli/compare-command.js';
import {loadImage} from '../../src/cli/load.js';
import {compareJson} from '../../src/report/compare-json.js';
import {formatJson} from '../../src/report/json.js';
import {buildImageArchive, buildLayerTar, type FixtureLayer} from '../../scripts/lib/image-builder.js';
import {runCli} from '../helpers/cli.js';
import {manyFilesLayer, outerArchive} from '../helpers/crafted.js';

const work = mkdtempSync(path.join(tmpdir(), 'layerscope-compare-load-'));
after(() => {
	rmSync(work, {recursive: true, force: true});
});

const base: FixtureLayer = {entries: [
	{path: 'etc/', type: 'dir'},
	{path: 'etc/good', content: 'g'.repeat(100)},
	{path: 'usr/bin/', type: 'dir'},
	...Array.from({length: 50}, (_, index) => ({path: `usr/bin/tool${index}`, size: 100 + index})),
]};
const appA: FixtureLayer = {entries: [{path: 'app/', type: 'dir'}, {path: 'app/main.js', content: 'one'}, {path: 'app/old.js', content: 'old'}]};
const appB: FixtureLayer = {entries: [{path: 'app/', type: 'dir'}, {path: 'app/main.js', content: 'two'}, {path: 'app/new.js', content: 'new'}, {path: 'etc/.wh.good'}]};

async function write(name: string, data: Buffer): Promise<string> {
	const file = path.join(work, name);
	writeFileSync(file, data);
	return file;
}

/** What the CLI writes with --json, and what comparing the two images read on their own in this thread gives. */
async function both(a: string, b: string, env: NodeJS.ProcessEnv = {LAYERSCOPE_NO_CACHE: '1'}): Promise<{cli: string; alone: string}> {
	const out = path.join(work, 'out.json');
	const result = await runCli(['compare', a, b, '--json', out], {env});
	assert.equal(result.code, 0, result.stderr);
	const alone = compareRead(await loadImage(a, {}), await loadImage(b, {}));
	return {cli: readFileSync(out, 'utf8'), alone: formatJson(compareJson(alone))};
}

test('two images on one base: the shared layer read once gives what reading both whole gives', async () => {
	const a = await write('a.tar', await buildImageArchive([base, appA], {format: 'docker-legacy', tag: 'app:a'}));
	const b = await write('b.tar', await buildImageArchive([base, appB], {format: 'docker25', tag: 'app:b'}));
	const {cli, alone} = await both(a, b);
	assert.equal(cli, alone);
	const document = JSON.parse(cli) as {layers: {shared: number}; changes: Array<{path: string; kind: string}>};
	assert.equal(document.layers.shared, 1);
	assert.deepEqual(document.changes.map(change => `${change.kind} ${change.path}`), ['modified /app/main.js', 'added /app/new.js', 'removed /app/old.js', 'removed /etc/good']);
	// B's base gzip-compressed: the same diff_id, other blob bytes: read from B, the same result.
	const gzipped = await write('b-gzip.tar', await buildImageArchive([base, appB], {format: 'oci', compression: 'gzip', tag: 'app:b'}));
	const mixed = await both(a, gzipped);
	assert.equal(mixed.cli, mixed.alone);
	// Nothing in common (another base): each image read and analysed in a thread of its own, the same result.
	const otherBase: FixtureLayer = {entries: [...base.entries, {path: 'etc/other', content: 'o'}]};
	const apart = await write('apart.tar', await buildImageArchive([otherBase, appB], {format: 'docker-legacy', tag: 'app:apart'}));
	const distinct = await both(a, apart);
	assert.equal(distinct.cli, distinct.alone);
	assert.equal((JSON.parse(distinct.cli) as {layers: {shared: number}}).layers.shared, 0);
	// The same archive twice: every layer shared, nothing changed.
	const same = await both(a, a);
	assert.equal(same.cli, same.alone);
	assert.deepEqual((JSON.parse(same.cli) as {changes: unknown[]}).changes, []);
	// With the layer cache (this test process's own directory): filled by the first run, read by the second.
	const cacheDir = mkdtempSync(path.join(work, 'cache-'));
	for (let run = 0; run < 2; run++) {
		const cached = await both(a, b, {LAYERSCOPE_CACHE_DIR: cacheDir});
		assert.equal(cached.cli, cached.alone);
	}

	assert.ok(readdirSync(cacheDir).length > 0, 'the cache was written');
});

test('with the layer cache filled, two images on one base are read in one thread: the base decoded and analysed once', async () => {
	const a = await write('warm-a.tar', await buildImageArchive([base, appA], {format: 'docker-legacy', tag: 'app:a'}));
	const b = await write('warm-b.tar', await buildImageArchive([base, appB], {format: 'docker25', tag: 'app:b'}));
	const cacheDir = mkdtempSync(path.join(work, 'cache-'));
	for (let run = 0; run < 2; run++) {
		// The first run fills the cache; the second takes every layer from it.
		const result = await both(a, b, {LAYERSCOPE_CACHE_DIR: cacheDir});
		assert.equal(result.cli, result.alone);
	}

	const quiet = {stdout: () => undefined, stderr: () => undefined, stderrIsTTY: false, color: false};
	// The worker opens the cache the environment names, as in the CLI.
	const before = process.env['LAYERSCOPE_CACHE_DIR'];
	process.env['LAYERSCOPE_CACHE_DIR'] = cacheDir;
	try {
		for (const [x, y] of [[a, b], [b, a]] as const) {
			const [sideA, sideB] = await loadBoth({a: x, b: y, load: {cache: new LayerCache({dir: cacheDir})}, io: quiet});
			// One decoded copy of the base, stacked once: the directory only the base holds is one node in both
			// filesystems (two threads, or two decodes, would give two).
			const usr = sideA.root?.children?.get('usr');
			assert.ok(usr !== undefined);
			assert.equal(sideB.root?.children?.get('usr'), usr);
		}
	} finally {
		process.env['LAYERSCOPE_CACHE_DIR'] = before;
	}
});

test('a shared layer of 40,000 files, parsed by one side and handed to the other: the same comparison', async () => {
	const sha = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
	const big = manyFilesLayer('usr/lib', 40_000);
	const topA = manyFilesLayer('app', 10);
	const topB = manyFilesLayer('app', 12);
	const archive = async (name: string, top: Buffer): Promise<string> => {
		const config = JSON.stringify({architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: [`sha256:${sha(big)}`, `sha256:${sha(top)}`]}, history: [{created_by: 'base'}, {created_by: 'app'}]});
		return write(name, await outerArchive([
			['base/layer.tar', big],
			['top/layer.tar', top],
			['config.json', config],
			['manifest.json', JSON.stringify([{Config: 'config.json', RepoTags: [`big:${name.length}`], Layers: ['base/layer.tar', 'top/layer.tar']}])],
		]));
	};

	const {cli, alone} = await both(await archive('big-a.tar', topA), await archive('big-bb.tar', topB));
	assert.equal(cli, alone);
	const document = JSON.parse(cli) as {layers: {shared: number}; b: {fileCount: number}; changes: Array<{path: string; kind: string}>};
	assert.equal(document.layers.shared, 1);
	assert.ok(document.b.fileCount > 40_000);
	assert.deepEqual(document.changes.map(change => `${change.kind} ${change.path}`), ['added /app/d0/file_10.py', 'added /app/d0/file_11.py']);
});

test('a side that fails on a layer the other waits for: one line naming it, exit 2, no hang', async () => {
	const goodTar = await buildLayerTar(base.entries);
	const garbage = Buffer.alloc(goodTar.length, 'x');
	const appTar = await buildLayerTar(appA.entries);
	const bigTar = await buildLayerTar(Array.from({length: 200}, (_, index) => ({path: `big/f${index}`, size: 2000})));
	const sha = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
	/** An archive of these layer blobs whose config names `diffIds`. */
	const archive = async (name: string, blobs: readonly Buffer[], diffIds: readonly string[]): Promise<string> => {
		const config = JSON.stringify({architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: diffIds.map(id => `sha256:${id}`)}, history: blobs.map((_, index) => ({created_by: `step ${index}`}))});
		return write(name, await outerArchive([
			...blobs.map((blob, index): [string, Buffer] => [`l${index}/layer.tar`, blob]),
			['config.json', config],
			['manifest.json', JSON.stringify([{Config: 'config.json', RepoTags: [`x:${index(name)}`], Layers: blobs.map((_, index) => `l${index}/layer.tar`)}])],
		]));
	};

	const index = (name: string): string => name.replaceAll(/\W/g, '');
	const good = await archive('good.tar', [goodTar, appTar], [sha(goodTar), sha(appTar)]);
	// A (the worker) parses the shared base (the larger side on a tie) and fails: B, waiting for it, is stopped.
	const badA = await archive('bad-a.tar', [garbage, appTar], [sha(goodTar), sha(appTar)]);
	const first = await runCli(['compare', badA, good], {env: {LAYERSCOPE_NO_CACHE: '1'}, timeoutMs: 30_000});
	assert.equal(first.code, 2, first.stderr);
	assert.match(first.stderr, /^layerscope: A: layer l0\/layer\.tar is not a tar, gzip or zstd blob\n$/);
	// A holds a larger layer of its own, so B (the main thread) parses the shared base, and fails: A is stopped.
	const bigA = await archive('big-a.tar', [goodTar, bigTar], [sha(goodTar), sha(bigTar)]);
	const badB = await archive('bad-b.tar', [garbage, appTar], [sha(goodTar), sha(appTar)]);
	const second = await runCli(['compare', bigA, badB], {env: {LAYERSCOPE_NO_CACHE: '1'}, timeoutMs: 30_000});
	assert.equal(second.code, 2, second.stderr);
	assert.match(second.stderr, /^layerscope: B: layer l0\/layer\.tar is not a tar, gzip or zstd blob\n$/);
	// Nothing shared; B holds two large layers, so A's reader parses one of them for B (balancing) — and that one is
	// broken: the error names B, whose layer it is.
	// (Smaller than the other: the larger goes to B's own reader first, then this one to A's, which has less to do.)
	const otherBig = await buildLayerTar(Array.from({length: 150}, (_, index) => ({path: `other/f${index}`, size: 2000})));
	const brokenBig = Buffer.alloc(otherBig.length, 'y');
	const smallA = await archive('small-a.tar', [appTar], [sha(appTar)]);
	// The other way round, all layers sound: the main thread parses one of A's for the worker (kept there, a stand-in
	// in A's image, which then comes over whole): what reading each alone gives.
	const twoGood = await archive('two-good.tar', [bigTar, otherBig], [sha(bigTar), sha(otherBig)]);
	const helped = await both(twoGood, smallA);
	assert.equal(helped.cli, helped.alone);
	const twoBig = await archive('two-big.tar', [bigTar, brokenBig], [sha(bigTar), sha(otherBig)]);
	const third = await runCli(['compare', smallA, twoBig], {env: {LAYERSCOPE_NO_CACHE: '1'}, timeoutMs: 30_000});
	assert.equal(third.code, 2, third.stderr);
	assert.match(third.stderr, /^layerscope: B: layer sha256:[\da-f]{64} is not a tar, gzip or zstd blob\n$/);
});

test('A or B from standard input (read in the main thread), not both', async () => {
	const a = await write('stdin-a.tar', await buildImageArchive([base, appA], {format: 'docker-legacy', tag: 'app:a'}));
	const b = await write('stdin-b.tar', await buildImageArchive([base, appB], {format: 'docker25', tag: 'app:b'}));
	const files = await runCli(['compare', a, b, '--json', '-'], {env: {LAYERSCOPE_NO_CACHE: '1'}});
	assert.equal(files.code, 0, files.stderr);
	const withoutRefs = (text: string): string => text.replaceAll(/"ref": ".*"/g, '"ref"');
	for (const [args, input] of [[['-', b], a], [[a, '-'], b]] as const) {
		const piped = await runCli(['compare', ...args, '--json', '-'], {env: {LAYERSCOPE_NO_CACHE: '1'}, input: readFileSync(input)});
		assert.equal(piped.code, 0, piped.stderr);
		assert.equal(withoutRefs(piped.stdout), withoutRefs(files.stdout));
		assert.match(piped.stdout, /"ref": "stdin"/);
	}

	const twice = await runCli(['compare', '-', '-'], {input: readFileSync(a)});
	assert.equal(twice.code, 2);
	assert.equal(twice.stderr, 'layerscope: A and B cannot both be read from standard input (-)\n');
});

test('a layer claiming another image\'s diff_id with other bytes (same size) is read from its own image', async () => {
	const a = await write('a2.tar', await buildImageArchive([base, appA], {format: 'docker-legacy', tag: 'app:a'}));
	const goodTar = await buildLayerTar(base.entries);
	const evilTar = await buildLayerTar(base.entries.map(entry => (entry.path === 'etc/good' ? {path: 'etc/evil', content: 'e'.repeat(100)} : entry)));
	assert.equal(evilTar.length, goodTar.length);
	const appTar = await buildLayerTar(appA.entries);
	const sha = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
	// B's config names A's base diff_id for a base blob that holds /etc/evil instead of /etc/good.
	const config = JSON.stringify({architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: [`sha256:${sha(goodTar)}`, `sha256:${sha(appTar)}`]}, history: [{created_by: 'base'}, {created_by: 'app'}]});
	const b = await write('evil.tar', await outerArchive([
		['base/layer.tar', evilTar],
		['app/layer.tar', appTar],
		['config.json', config],
		['manifest.json', JSON.stringify([{Config: 'config.json', RepoTags: ['app:evil'], Layers: ['base/layer.tar', 'app/layer.tar']}])],
	]));
	const {cli, alone} = await both(a, b);
	assert.equal(cli, alone);
	const document = JSON.parse(cli) as {changes: Array<{path: string; kind: string}>};
	assert.deepEqual(document.changes.map(change => `${change.kind} ${change.path}`), ['added /etc/evil', 'removed /etc/good']);
	// The same with the layer cache on, empty at the start, either way round: the image read second (B, handed over
	// to the main thread) must not take A's base from the cache A's reader has just filled.
	for (const [first, second, expected] of [[a, b, ['added /etc/evil', 'removed /etc/good']], [b, a, ['removed /etc/evil', 'added /etc/good']]] as const) {
		const cached = await both(first, second, {LAYERSCOPE_CACHE_DIR: mkdtempSync(path.join(work, 'cache-'))});
		assert.equal(cached.cli, cached.alone);
		assert.deepEqual((JSON.parse(cached.cli) as typeof document).changes.map(change => `${change.kind} ${change.path}`), [...expected].sort((x, y) => (x.slice(x.indexOf('/')) < y.slice(y.indexOf('/')) ? -1 : 1)));
	}
});

test('a side whose shared layer is corrupt fails with one line, cache on or off, either way round (no borrowed layer)', async () => {
	const goodTar = await buildLayerTar(base.entries);
	const appTar = await buildLayerTar(appA.entries);
	const sha = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
	const broken = Buffer.from(goodTar);
	broken[0] = broken[0]! ^ 0xFF;
	const archive = async (name: string, layer: Buffer): Promise<string> => write(name, await outerArchive([
		['base/layer.tar', layer],
		['app/layer.tar', appTar],
		['config.json', JSON.stringify({architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: [`sha256:${sha(goodTar)}`, `sha256:${sha(appTar)}`]}, history: [{created_by: 'base'}, {created_by: 'app'}]})],
		['manifest.json', JSON.stringify([{Config: 'config.json', RepoTags: [`x:${name.length}`], Layers: ['base/layer.tar', 'app/layer.tar']}])],
	]));
	const good = await archive('good.tar', goodTar);
	const bad = await archive('bad-header.tar', broken);
	for (const cache of [false, true]) {
		for (const [args, side] of [[[bad, good], 'A'], [[good, bad], 'B']] as const) {
			// The cache empty at the start (a layer cached by an earlier run is trusted by its diff_id: see README).
			const env = cache ? {LAYERSCOPE_CACHE_DIR: mkdtempSync(path.join(work, 'cache-'))} : {LAYERSCOPE_NO_CACHE: '1'};
			const result = await runCli(['compare', ...args, '--json', path.join(work, 'never.json')], {env});
			assert.equal(result.code, 2, `${side} ${JSON.stringify(env)}: ${result.stderr}`);
			assert.match(result.stderr, new RegExp(`^layerscope: ${side}: .*bad checksum.*\n$`));
		}
	}
});

test('A or B from a named pipe: read once, front to back, the same comparison (it was indexed, then read again)', async () => {
	const a = await write('pipe-a.tar', await buildImageArchive([base, appA], {format: 'docker-legacy', tag: 'app:a'}));
	const b = await write('pipe-b.tar', await buildImageArchive([base, appB], {format: 'docker25', tag: 'app:b'}));
	const expected = formatJson(compareJson(compareRead(await loadImage(a, {}), await loadImage(b, {}))));
	for (const [side, args] of [['A', (pipe: string) => [pipe, b]], ['B', (pipe: string) => [a, pipe]]] as const) {
		const pipe = path.join(work, `pipe-${side}`);
		execFileSync('mkfifo', [pipe]);
		const writer = spawn('sh', ['-c', `cat "$0" > "$1"`, side === 'A' ? a : b, pipe], {stdio: 'ignore'});
		const written = new Promise(resolve => writer.once('exit', resolve));
		const out = path.join(work, `pipe-${side}.json`);
		const result = await runCli(['compare', ...args(pipe), '--json', out], {env: {LAYERSCOPE_NO_CACHE: '1'}});
		assert.equal(await written, 0, 'the writer wrote it all');
		assert.equal(result.code, 0, result.stderr);
		// The pipe's name stands where the file's was.
		assert.equal(readFileSync(out, 'utf8').replaceAll(pipe, side === 'A' ? a : b).replaceAll(`pipe-${side}`, side === 'A' ? 'pipe-a.tar' : 'pipe-b.tar'), expected);
	}
});
