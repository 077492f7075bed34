// The cacache-backed store: hits, misses, damaged and foreign entries, size cap, prune, unwritable directories and
// two processes at once, on a real cache directory.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import cacache from 'cacache';
import {Packr} from 'msgpackr';
import type {LayerContents, LayerEntry} from '../../src/analysis/types.js';
import {encodeLayer} from '../../src/cache/codec.js';
import {cacheDirectory, cacheDisabledByEnv, LayerCache, parseSize} from '../../src/cache/layer-cache.js';

function tempDir(t: {after: (fn: () => void) => void}): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-cache-test-'));
	t.after(() => {
		rmSync(dir, {recursive: true, force: true});
	});
	return dir;
}

const diffIdOf = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

function layer(files: number, prefix = 'usr/lib', diffId?: string): LayerContents {
	const entries: LayerEntry[] = Array.from({length: files}, (_, index) => ({
		path: `${prefix}/file-${index}`, type: 'file', mode: 0o644, uid: 0, gid: 0, size: index, linkTarget: undefined, mtime: 1_700_000_000,
		digest: `xxh64:${index.toString(16).padStart(16, '0')}`, whiteout: undefined, opaque: undefined,
	}));
	return {entries, tarBytes: 512 * (files + 2), blobBytes: 100, compression: 'gzip', ...(diffId === undefined ? {} : {diffId}), summary: {sizeBytes: (files * (files - 1)) / 2, whiteouts: 0, opaques: 0}};
}

/** Every content file of a cacache directory. */
function contentFiles(dir: string): string[] {
	const out: string[] = [];
	const walk = (at: string): void => {
		for (const name of readdirSync(at)) {
			const full = path.join(at, name);
			if (statSync(full).isDirectory()) {
				walk(full);
			} else {
				out.push(full);
			}
		}
	};

	try {
		walk(path.join(dir, 'content-v2'));
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
			throw error;
		}
	}

	return out;
}

test('the cache directory: LAYERSCOPE_CACHE_DIR, else $XDG_CACHE_HOME/layerscope, else ~/.cache/layerscope', () => {
	assert.equal(cacheDirectory({LAYERSCOPE_CACHE_DIR: '/x/y', XDG_CACHE_HOME: '/c'}), '/x/y');
	assert.equal(cacheDirectory({XDG_CACHE_HOME: '/c'}), '/c/layerscope');
	assert.equal(cacheDirectory({XDG_CACHE_HOME: 'relative'}).endsWith(path.join('.cache', 'layerscope')), true);
	assert.equal(cacheDisabledByEnv({LAYERSCOPE_NO_CACHE: '1'}), true);
	assert.equal(cacheDisabledByEnv({LAYERSCOPE_NO_CACHE: '0'}), false);
	assert.equal(cacheDisabledByEnv({}), false);
	assert.equal(parseSize('2GB'), 2e9);
	assert.equal(parseSize('1.5 MiB'), 1_572_864);
	assert.equal(parseSize('1000'), 1000);
	assert.equal(parseSize('lots'), undefined);
});

test('miss, then a hit with the same contents; info counts it', async t => {
	const dir = tempDir(t);
	const cache = new LayerCache({dir});
	assert.equal(await cache.getLayer(diffIdOf(1)), undefined);
	const contents = layer(1000);
	cache.putLayer(diffIdOf(1), contents);
	await cache.flush();
	assert.deepStrictEqual(await new LayerCache({dir}).getLayer(diffIdOf(1)), {...contents, diffId: diffIdOf(1)});
	// Reads within the hour record no new use: the key's index bucket keeps its one line.
	for (let read = 0; read < 5; read++) {
		assert.ok(await cache.getLayer(diffIdOf(1)) !== undefined);
	}

	await cache.flush();
	const buckets = readdirSync(path.join(dir, 'index-v5'), {recursive: true, encoding: 'utf8'}).filter(name => statSync(path.join(dir, 'index-v5', name)).isFile());
	assert.equal(buckets.length, 1);
	assert.equal(readFileSync(path.join(dir, 'index-v5', buckets[0]!), 'utf8').trim().split('\n').length, 1);
	const info = await cache.info();
	assert.equal(info.dir, dir);
	assert.equal(info.layers, 1);
	assert.ok(info.bytes > 1000 && info.bytes < 40_000, `${info.bytes} bytes`);
});

test('a damaged or truncated entry is a miss with one debug line, is removed, and a new write replaces it', async t => {
	for (const damage of ['flip', 'truncate'] as const) {
		const dir = tempDir(t);
		const cache = new LayerCache({dir});
		cache.putLayer(diffIdOf(2), layer(500));
		await cache.flush();
		const [file] = contentFiles(dir);
		assert.ok(file !== undefined);
		const bytes = readFileSync(file);
		if (damage === 'flip') {
			bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xFF;
			writeFileSync(file, bytes);
		} else {
			writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
		}

		const lines: string[] = [];
		const reader = new LayerCache({dir, onDebug: line => lines.push(line)});
		assert.equal(await reader.getLayer(diffIdOf(2)), undefined, damage);
		await reader.flush();
		assert.equal(lines.length, 1, lines.join('\n'));
		assert.match(lines[0]!, /EINTEGRITY|EBADSIZE/);
		assert.equal((await reader.info()).layers, 0);
		reader.putLayer(diffIdOf(2), layer(500));
		await reader.flush();
		assert.deepStrictEqual(await new LayerCache({dir}).getLayer(diffIdOf(2)), layer(500, 'usr/lib', diffIdOf(2)));
	}
});

test('an entry of another format version or for another diff_id is a miss, never a wrong layer', async t => {
	const dir = tempDir(t);
	const foreign = new Packr({useRecords: false}).pack({v: 999, diffId: diffIdOf(3), n: 0});
	await cacache.put(dir, `layer:${diffIdOf(3)}`, foreign);
	await cacache.put(dir, `layer:${diffIdOf(4)}`, encodeLayer(diffIdOf(5), layer(3)));
	const lines: string[] = [];
	const cache = new LayerCache({dir, onDebug: line => lines.push(line)});
	assert.equal(await cache.getLayer(diffIdOf(3)), undefined);
	assert.equal(await cache.getLayer(diffIdOf(4)), undefined);
	await cache.flush();
	assert.equal(lines.length, 2);
	assert.match(lines[0]!, /format version 999/);
	assert.match(lines[1]!, /not sha256:0+4/);
});

test('over the size cap, the least recently used layers go first', async t => {
	const dir = tempDir(t);
	const one = encodeLayer(diffIdOf(1), layer(2000)).length;
	// Every read records its use (by default at most once an hour).
	const cache = new LayerCache({dir, maxBytes: Math.floor(one * 3.5), touchIntervalMs: 0});
	for (const n of [1, 2, 3]) {
		cache.putLayer(diffIdOf(n), layer(2000));
		await cache.flush();
		await new Promise(resolve => setTimeout(resolve, 5));
	}

	assert.ok(await cache.getLayer(diffIdOf(1)) !== undefined); // 1 is now the most recently used.
	await cache.flush();
	await new Promise(resolve => setTimeout(resolve, 5));
	cache.putLayer(diffIdOf(4), layer(2000));
	await cache.flush();
	const present = [];
	for (const n of [1, 2, 3, 4]) {
		present.push(await new LayerCache({dir}).getLayer(diffIdOf(n)) !== undefined);
	}

	assert.deepStrictEqual(present, [true, false, true, true]);
});

test('prune: --max-size keeps the newest within the size, --older-than drops old entries, alone it empties the cache', async t => {
	const dir = tempDir(t);
	const cache = new LayerCache({dir});
	for (const n of [1, 2, 3]) {
		cache.putLayer(diffIdOf(n), layer(1000));
		await cache.flush();
		await new Promise(resolve => setTimeout(resolve, 5));
	}

	const one = (await cache.info()).bytes / 3;
	assert.deepStrictEqual(await cache.prune({olderThanDays: 1}), {removed: 0, bytes: 0});
	const pruned = await cache.prune({maxBytes: Math.floor(one * 2)});
	assert.equal(pruned.removed, 1);
	assert.equal(await cache.getLayer(diffIdOf(1)), undefined);
	// Entries last used 2 days ago.
	await cacache.index.insert(dir, `layer:${diffIdOf(2)}`, (await cacache.get.info(dir, `layer:${diffIdOf(2)}`))!.integrity, {time: Date.now() - (2 * 86_400_000)} as cacache.index.InsertOptions);
	assert.equal((await cache.prune({olderThanDays: 1})).removed, 1);
	assert.equal((await cache.info()).layers, 1);
	assert.equal((await cache.prune()).removed, 1);
	assert.deepStrictEqual(await cache.info(), {dir, layers: 0, images: 0, analyses: 0, bytes: 0});
	assert.equal(contentFiles(dir).length, 0);
});

test('a cache directory that cannot be written turns writing off for the run, with one debug line', async t => {
	const parent = tempDir(t);
	const blocker = path.join(parent, 'file');
	writeFileSync(blocker, 'not a directory');
	const lines: string[] = [];
	const cache = new LayerCache({dir: path.join(blocker, 'cache'), onDebug: line => lines.push(line)});
	assert.equal(await cache.getLayer(diffIdOf(1)), undefined);
	cache.putLayer(diffIdOf(1), layer(10));
	await cache.flush();
	cache.putLayer(diffIdOf(2), layer(10));
	await cache.flush();
	assert.equal(lines.length, 1, lines.join('\n'));
	assert.match(lines[0]!, /writes off for this run: ENOTDIR/);
});

test('two processes writing and reading the same layers at once leave a cache where every entry decodes', async t => {
	const dir = tempDir(t);
	const script = `
		import {LayerCache} from ${JSON.stringify(path.resolve('src/cache/layer-cache.ts'))};
		const cache = new LayerCache({dir: process.argv[1]});
		const layer = n => ({entries: Array.from({length: 20000}, (_, i) => ({path: 'p/' + n + '/' + i, type: 'file', mode: 420, uid: 0, gid: 0, size: i, linkTarget: undefined, mtime: 0, digest: undefined, whiteout: undefined, opaque: undefined})), tarBytes: 1, blobBytes: 1, compression: 'none'});
		for (let round = 0; round < 3; round++) {
			for (let n = 1; n <= 6; n++) {
				const id = 'sha256:' + String(n).padStart(64, '0');
				const got = await cache.getLayer(id);
				if (got !== undefined && got.entries.length !== 20000) throw new Error('wrong layer');
				cache.putLayer(id, layer(n));
			}
			await cache.flush();
		}
	`;
	const runOne = async (): Promise<number | null> => new Promise(resolve => {
		const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir], {stdio: ['ignore', 'inherit', 'inherit']});
		child.on('close', resolve);
	});
	assert.deepStrictEqual(await Promise.all([runOne(), runOne()]), [0, 0]);
	const cache = new LayerCache({dir});
	for (let n = 1; n <= 6; n++) {
		const got = await cache.getLayer(`sha256:${String(n).padStart(64, '0')}`);
		assert.equal(got?.entries.length, 20_000);
		assert.equal(got.entries[7]!.path, `p/${n}/7`);
	}

	const {verifiedContent, badContentCount} = await cacache.verify(dir) as {verifiedContent: number; badContentCount: number};
	assert.equal(badContentCount, 0);
	assert.equal(verifiedContent, 6);
});
