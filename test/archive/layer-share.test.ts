import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import type {LayerContents} from '../../src/analysis/types.js';
import {indexTar, readIndexedArchive} from '../../src/archive/indexed-archive.js';
import {type BlobLocation, type LayerShare, sameBlobBytes, type ShareableLayer} from '../../src/archive/layer-share.js';
import {buildImageArchive} from '../../scripts/lib/image-builder.js';

const work = mkdtempSync(path.join(tmpdir(), 'layerscope-layer-share-'));
after(() => {
	rmSync(work, {recursive: true, force: true});
});

const at = (file: string, offset: number, size: number): BlobLocation => ({file, offset, size});

/** A docker-save archive of two layers (etc/base, then app/main.js), written as `name`; its path. */
async function baseAndApp(name: string): Promise<string> {
	const file = path.join(work, name);
	writeFileSync(file, await buildImageArchive([
		{entries: [{path: 'etc/', type: 'dir'}, {path: 'etc/base', content: 'base'}]},
		{entries: [{path: 'app/', type: 'dir'}, {path: 'app/main.js', content: 'main'}]},
	], {format: 'docker-legacy'}));
	return file;
}

test('sameBlobBytes: equal ranges of two files, a difference anywhere, another size, the same range', async () => {
	const first = path.join(work, 'one');
	const second = path.join(work, 'two');
	const body = Buffer.alloc(3 * 1024 * 1024 + 17, 'abc');
	writeFileSync(first, Buffer.concat([Buffer.from('xx'), body]));
	const changed = Buffer.from(body);
	changed[changed.length - 1] = 0x7A;
	writeFileSync(second, Buffer.concat([body, changed]));
	assert.equal(await sameBlobBytes(at(first, 2, body.length), at(second, 0, body.length)), true);
	assert.equal(await sameBlobBytes(at(first, 2, body.length), at(second, body.length, body.length)), false);
	assert.equal(await sameBlobBytes(at(first, 2, body.length), at(second, 0, body.length - 1)), false);
	assert.equal(await sameBlobBytes(at(first, 2, body.length), at(path.join(work, 'missing'), 0, body.length)), false);
	assert.equal(await sameBlobBytes(at(path.join(work, 'missing'), 0, 5), at(path.join(work, 'missing'), 0, 5)), true);
});

test('an indexed archive offers its layers to a share: parses its own first, takes what the other reader gives', async () => {
	const file = await baseAndApp('image.tar');
	const index = (await indexTar(file))!;
	const marker: LayerContents = {entries: [{path: 'given', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1}], tarBytes: 0, blobBytes: 0, compression: 'none'};
	let offered: readonly ShareableLayer[] | null = [];
	const handed: Array<[string, string[]]> = [];
	let give!: (contents: LayerContents | undefined) => void;
	const share = (base: LayerContents | undefined): LayerShare => ({
		async plan(layers) {
			offered = layers;
			return [{kind: 'wait', contents: new Promise(resolve => {
				give = resolve;
			})}, {kind: 'read', share: true}];
		},
		read(diffId, contents) {
			handed.push([diffId, contents.entries.map(entry => entry.path)]);
			// The base arrives only once the top layer is parsed: a reader that waited for it first would hang.
			give(base);
		},
	});
	const image = (await readIndexedArchive(file, index, undefined, {name: 'x', share: share(marker)}))!;
	assert.deepEqual(offered?.map(layer => layer.diffId), image.layers.map(layer => layer.diffId));
	for (const layer of offered ?? []) {
		const member = [...index.members.values()].find(item => item.offset === layer.location?.offset)!;
		assert.deepEqual(layer.location, {file, offset: member.offset, size: member.size});
		assert.equal(layer.bytes, member.size);
	}

	assert.equal(image.layers[0]!.contents, marker);
	assert.deepEqual(handed, [[image.layers[1]!.diffId, ['app', 'app/main.js']]]);
	assert.deepEqual(image.layers[1]!.contents.entries.map(entry => entry.path), ['app', 'app/main.js']);
	// Not given after all (the other reader's blob differed): read here.
	handed.length = 0;
	const own = (await readIndexedArchive(file, index, undefined, {name: 'x', share: share(undefined)}))!;
	assert.deepEqual(own.layers[0]!.contents.entries.map(entry => entry.path), ['etc', 'etc/base']);
	assert.equal(own.layers[0]!.contents.diffId, undefined, 'no hashing without a cache');
});

test('a share that says no to the layer cache for a diff_id: that layer is offered to the share, not taken from the cache', async () => {
	const file = await baseAndApp('cached.tar');
	const index = (await indexTar(file))!;
	const plain = (await readIndexedArchive(file, index, undefined, {name: 'x', share: {plan: async layers => (layers ?? []).map(() => ({kind: 'read', share: false})), read() {}}}))!;
	const [baseId, appId] = plain.layers.map(layer => layer.diffId);
	// The cache holds another reader's copy of both layers (a marker stands for it).
	const cached: LayerContents = {entries: [{path: 'from-cache', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1}], tarBytes: 0, blobBytes: 0, compression: 'none'};
	const store = {get: async () => cached, verified() {}};
	let offered: string[] = [];
	const share: LayerShare = {
		async plan(layers) {
			offered = (layers ?? []).map(layer => layer.diffId);
			return (layers ?? []).map(() => ({kind: 'read', share: false}));
		},
		read() {},
		fromStore: diffId => diffId !== baseId,
	};
	const image = (await readIndexedArchive(file, index, store, {name: 'x', share}))!;
	assert.deepEqual(offered, [baseId]);
	assert.deepEqual(image.layers[0]!.contents.entries.map(entry => entry.path), ['etc', 'etc/base'], 'read from its own blob');
	assert.equal(image.layers[1]!.contents, cached, `${appId} from the cache`);
});
