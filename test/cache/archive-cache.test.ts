// The layer cache as users meet it: the built CLI on archive files and stdin, run twice. A second open takes cached
// layers without reading their bytes (proved by garbling those bytes in the file), a changed top layer is the only
// one read, and the figures are the same with, without and through a damaged cache.
import assert from 'node:assert/strict';
import {mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import cacache from 'cacache';
import type {ReadProgress} from '../../src/archive/read-image.js';
import {LayerCache} from '../../src/cache/layer-cache.js';
import {loadImage} from '../../src/cli/load.js';
import {type ArchiveFormat, type Compression, type FixtureLayer, buildImageArchive} from '../../scripts/lib/image-builder.js';
import {runCli} from '../helpers/cli.js';

function tempDir(t: {after: (fn: () => void) => void}): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-cache-cli-'));
	t.after(() => {
		rmSync(dir, {recursive: true, force: true});
	});
	return dir;
}

const files = (prefix: string, count: number): FixtureLayer['entries'] => Array.from({length: count}, (_, index) => ({path: `${prefix}/f${index}.txt`, content: `${prefix} ${index}\n`}));
const baseLayers: FixtureLayer[] = [
	{command: 'base', entries: [{path: 'usr', type: 'dir'}, {path: 'usr/lib', type: 'dir'}, ...files('usr/lib', 300), {path: 'usr/lib/link', type: 'symlink', linkTarget: 'f1.txt'}]},
	{command: 'app', entries: [{path: 'app', type: 'dir'}, ...files('app', 200), {path: 'usr/lib/.wh.f3.txt', content: ''}, {path: 'usr/lib/f4.txt', content: 'changed\n'}]},
	{command: 'top', entries: [{path: 'app/version', content: '1\n'}]},
];
const changedTop: FixtureLayer[] = [...baseLayers.slice(0, 2), {command: 'top', entries: [{path: 'app/version', content: '2\n'}, {path: 'app/f7.txt', content: 'seven\n'}]}];

/** The offsets and sizes of the members of a (ustar) tar archive whose names match. */
function memberSpans(archive: Buffer, match: (name: string) => boolean): Array<{offset: number; size: number}> {
	const found: Array<{offset: number; size: number}> = [];
	let position = 0;
	while (position + 512 <= archive.length) {
		const header = archive.subarray(position, position + 512);
		if (header.every(byte => byte === 0)) {
			break;
		}

		const name = header.toString('latin1', 0, 100).replace(/\0.*$/s, '');
		const size = Number.parseInt(header.toString('latin1', 124, 136).replaceAll('\0', ' ').trim() || '0', 8);
		if (header[156] !== 0x78 && header[156] !== 0x35 && match(name)) {
			found.push({offset: position + 512, size});
		}

		position += 512 + (Math.ceil(size / 512) * 512);
	}

	return found;
}

/** Overwrite the middle of each member's data in the file (same size): whoever reads those bytes gets garbage. */
function garble(file: string, spans: ReadonlyArray<{offset: number; size: number}>): void {
	const fd = openSync(file, 'r+');
	try {
		for (const span of spans) {
			writeSync(fd, Buffer.alloc(Math.min(1024, span.size >> 1), 0xA5), 0, Math.min(1024, span.size >> 1), span.offset + (span.size >> 2));
		}
	} finally {
		closeSync(fd);
	}
}

/** The members that are layer blobs, known by their first bytes: gzip, zstd or a tar header. */
function layerBlobs(archive: Buffer): Array<{offset: number; size: number}> {
	return memberSpans(archive, () => true).filter(({offset, size}) => size >= 8 && (
		(archive[offset] === 0x1F && archive[offset + 1] === 0x8B)
		|| archive.readUInt32BE(offset) === 0x28_B5_2F_FD
		|| (size >= 512 && archive.toString('latin1', offset + 257, offset + 262) === 'ustar')));
}

for (const [format, compression] of [['docker-legacy', 'none'], ['docker25', 'gzip'], ['oci', 'zstd'], ['kaniko', 'gzip']] as Array<[ArchiveFormat, Compression]>) {
	test(`${format} ${compression}: the second open reads no cached layer's bytes and gives the same JSON`, async t => {
		const dir = tempDir(t);
		const cacheDir = path.join(dir, 'cache');
		const env = {LAYERSCOPE_CACHE_DIR: cacheDir};
		const archive = path.join(dir, 'image.tar');
		const bytes = await buildImageArchive(baseLayers, {format, compression});
		writeFileSync(archive, bytes);
		const first = await runCli([archive, '--json', '-'], {env});
		assert.equal(first.code, 0, first.stderr);
		const uncached = await runCli([archive, '--json', '-', '--no-cache'], {env: {LAYERSCOPE_CACHE_DIR: path.join(dir, 'unused')}});
		assert.equal(uncached.stdout, first.stdout);
		const info = await new LayerCache({dir: cacheDir}).info();
		assert.equal(info.layers, 3);

		// Every layer blob garbled: only a read that skips them all still gives the image.
		const blobs = layerBlobs(bytes);
		assert.equal(blobs.length, 3);
		garble(archive, blobs);
		const second = await runCli([archive, '--json', '-'], {env});
		assert.equal(second.code, 0, second.stderr);
		assert.equal(second.stdout, first.stdout);
		const bypass = await runCli([archive, '--json', '-', '--no-cache'], {env});
		assert.notEqual(bypass.code, 0, 'without the cache the garbled layers are read, and fail');
		const viaEnv = await runCli([archive, '--json', '-'], {env: {...env, LAYERSCOPE_NO_CACHE: '1'}});
		assert.notEqual(viaEnv.code, 0, 'LAYERSCOPE_NO_CACHE=1 bypasses the cache as --no-cache does');
	});
}

test('a changed top layer is the only layer read; progress counts the others as from cache', async t => {
	const dir = tempDir(t);
	const cache = new LayerCache({dir: path.join(dir, 'cache')});
	const first = path.join(dir, 'v1.tar');
	const second = path.join(dir, 'v2.tar');
	writeFileSync(first, await buildImageArchive(baseLayers, {format: 'docker25', compression: 'gzip'}));
	const secondBytes = await buildImageArchive(changedTop, {format: 'docker25', compression: 'gzip'});
	writeFileSync(second, secondBytes);
	await loadImage(first, {cache});
	await cache.flush();
	const progress: ReadProgress[] = [];
	const image = await loadImage(second, {cache, onRead: item => progress.push(item)});
	await cache.flush();
	assert.equal(progress.at(-1)?.layersFromCache, 2);
	assert.equal(progress.at(-1)?.layersDone, 3);
	// Bytes read: the new top layer's blob, not the cached two.
	const blobs = layerBlobs(secondBytes);
	const top = image.layers[2]!.contents.blobBytes;
	const readBytes = progress.filter(item => item.layersFromCache === undefined).at(-1)?.bytes ?? 0;
	assert.ok(readBytes <= top + 64 * 1024, `${readBytes} bytes read for a ${top}-byte top layer`);
	assert.equal(blobs.length, 3);
	// The same image as read without the cache (as JSON: what a report or export can show).
	const plain = await loadImage(second, {});
	assert.deepStrictEqual(JSON.parse(JSON.stringify({...image, layers: image.layers.map(layer => ({...layer, contents: {...layer.contents, diffId: undefined}}))})), JSON.parse(JSON.stringify(plain)));
	assert.equal((await cache.info()).layers, 4);
});

test('stdin fills the cache with verified layers; a layer whose bytes do not hash to its diff_id is never cached', async t => {
	const dir = tempDir(t);
	const cacheDir = path.join(dir, 'cache');
	const bytes = await buildImageArchive(baseLayers, {format: 'docker-legacy'});
	const piped = await runCli(['-', '--json', '-'], {env: {LAYERSCOPE_CACHE_DIR: cacheDir}, input: bytes});
	assert.equal(piped.code, 0, piped.stderr);
	assert.equal((await new LayerCache({dir: cacheDir}).info()).layers, 3);

	// The same image whose config names a wrong diff_id for its base layer.
	const text = bytes.toString('latin1');
	const config = JSON.parse(/\{"architecture".*?"history":\[.*?\]\}/s.exec(text)![0]) as {rootfs: {diff_ids: string[]}};
	const wrong = config.rootfs.diff_ids[0]!.replace(/.$/, c => (c === '0' ? '1' : '0'));
	const forged = Buffer.from(text.replace(config.rootfs.diff_ids[0]!, wrong), 'latin1');
	const otherCache = path.join(dir, 'other');
	const run = await runCli(['-', '--json', '-'], {env: {LAYERSCOPE_CACHE_DIR: otherCache}, input: forged});
	assert.equal(run.code, 0, run.stderr);
	const entries = await cacache.ls(otherCache);
	const keys = Object.keys(entries).filter(key => key.startsWith('layer:'));
	assert.equal(keys.length, 2);
	assert.ok(!keys.includes(`layer:${wrong}`));
});

test('a damaged cache entry is ignored with one --debug line and the image is read again: same figures', async t => {
	const dir = tempDir(t);
	const cacheDir = path.join(dir, 'cache');
	const env = {LAYERSCOPE_CACHE_DIR: cacheDir};
	const archive = path.join(dir, 'image.tar');
	writeFileSync(archive, await buildImageArchive(baseLayers, {format: 'oci', compression: 'gzip'}));
	const first = await runCli([archive, '--json', '-'], {env});
	for (const entry of Object.values(await cacache.ls(cacheDir))) {
		const info = await cacache.get.info(cacheDir, entry.key);
		const data = readFileSync(info!.path);
		writeFileSync(info!.path, data.subarray(0, data.length - 9));
	}

	const second = await runCli([archive, '--json', '-', '--debug'], {env});
	assert.equal(second.code, 0, second.stderr);
	assert.equal(second.stdout, first.stdout);
	const lines = second.stderr.split('\n').filter(line => line.includes('cache: ignoring'));
	assert.ok(lines.length >= 1 && lines.length <= 4, second.stderr);
	const quiet = await runCli([archive, '--json', '-'], {env});
	assert.equal(quiet.stdout, first.stdout);
	assert.equal(quiet.stderr, '', 'the entries were rewritten: nothing damaged is left');
});

test('two runs at once on an empty cache both succeed with the same output and leave a consistent cache', async t => {
	const dir = tempDir(t);
	const cacheDir = path.join(dir, 'cache');
	const archive = path.join(dir, 'image.tar');
	writeFileSync(archive, await buildImageArchive(baseLayers, {format: 'docker25'}));
	const [one, two] = await Promise.all([runCli([archive, '--json', '-'], {env: {LAYERSCOPE_CACHE_DIR: cacheDir}}), runCli([archive, '--json', '-'], {env: {LAYERSCOPE_CACHE_DIR: cacheDir}})]);
	assert.equal(one.code, 0, one.stderr);
	assert.equal(two.code, 0, two.stderr);
	assert.equal(one.stdout, two.stdout);
	const verified = await cacache.verify(cacheDir) as {badContentCount: number};
	assert.equal(verified.badContentCount, 0);
	const third = await runCli([archive, '--json', '-', '--debug'], {env: {LAYERSCOPE_CACHE_DIR: cacheDir}});
	assert.equal(third.stdout, one.stdout);
	assert.doesNotMatch(third.stderr, /cache:/);
});

test('cache info and cache prune', async t => {
	const dir = tempDir(t);
	const cacheDir = path.join(dir, 'cache');
	const env = {LAYERSCOPE_CACHE_DIR: cacheDir};
	const archive = path.join(dir, 'image.tar');
	writeFileSync(archive, await buildImageArchive(baseLayers, {format: 'docker25'}));
	// --debug: a cache write that failed says why (seen once in CI: two layers of three, not reproduced since).
	const first = await runCli([archive, '--json', path.join(dir, 'out.json'), '--debug'], {env});
	assert.equal(first.code, 0, first.stderr);
	const info = await runCli(['cache', 'info'], {env});
	assert.equal(info.code, 0, info.stderr);
	assert.match(info.stdout, new RegExp(`^directory: ${cacheDir}$`, 'm'));
	assert.match(info.stdout, /^layers: 3$/m, `the run's --debug lines: ${first.stderr}`);
	assert.match(info.stdout, /^bytes: \d/m);
	const keep = await runCli(['cache', 'prune', '--max-size', '1GB', '--older-than', '30'], {env});
	assert.equal(keep.code, 0, keep.stderr);
	assert.match(keep.stdout, /^removed 0 entries/m);
	const all = await runCli(['cache', 'prune'], {env});
	assert.equal(all.code, 0, all.stderr);
	assert.match(all.stdout, /^removed \d+ entries/m);
	assert.match((await runCli(['cache', 'info'], {env})).stdout, /^layers: 0$/m);
	const bad = await runCli(['cache', 'prune', '--max-size', 'lots'], {env});
	assert.equal(bad.code, 2);
	assert.match(bad.stderr, /--max-size/);
});
