// What the daemon really extracts: images whose layers hold GNU sparse files (written by GNU tar --sparse --posix,
// PAX sparse 1.0, 0.1 and 0.0) and pre-POSIX directories are `docker load`ed, a container is created and `docker export`ed;
// layerscope's stacked filesystem of the archive equals the export, file digests included.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {closeSync, createReadStream, ftruncateSync, mkdirSync, openSync, writeFileSync, writeSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import tarStream from 'tar-stream';
import {LayerSink} from '../../src/archive/layer-tar.js';
import {collectPack} from '../../scripts/lib/image-builder.js';
import {docker, exportListing, readFromFile, removeContainers, removeImages, requireDocker, stackedListing, tempDir, uniqueTag} from '../helpers/docker.js';
import {file, header, paxHeader, tar} from '../helpers/tar-bytes.js';

/** A legacy `docker save` archive of one image with these layer tars. */
async function dockerArchive(layers: Buffer[], tag: string): Promise<Buffer> {
	const pack = tarStream.pack();
	const packed = collectPack(pack);
	const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
	const config = Buffer.from(JSON.stringify({
		architecture: 'amd64', os: 'linux', config: {},
		rootfs: {type: 'layers', diff_ids: layers.map(layer => `sha256:${sha(layer)}`)},
		history: layers.map((_, index) => ({created_by: `layer ${index}`})),
	}));
	const names = layers.map((layer, index) => `${sha(Buffer.concat([layer, Buffer.from([index])]))}/layer.tar`);
	for (const [index, layer] of layers.entries()) {
		pack.entry({name: names[index]!}, layer);
	}

	pack.entry({name: `${sha(config)}.json`}, config);
	pack.entry({name: 'manifest.json'}, JSON.stringify([{Config: `${sha(config)}.json`, RepoTags: [tag], Layers: names}]));
	pack.finalize();
	return packed;
}

test('docker load + export: sparse files (PAX 1.0, 0.1, 0.0), old-style directories, a01/a03 hidden entries are what layerscope lists', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	const dir = await tempDir(t, 'layerscope-test-tar-docker-');
	const root = path.join(dir, 'root');
	mkdirSync(path.join(root, 'var/log'), {recursive: true});
	mkdirSync(path.join(root, 'opt'), {recursive: true});
	mkdirSync(path.join(root, 'srv'), {recursive: true});
	const sparse = (name: string, size: number, pieces: Array<[number, string]>): void => {
		const fd = openSync(path.join(root, name), 'w');
		ftruncateSync(fd, size);
		for (const [offset, text] of pieces) {
			writeSync(fd, Buffer.from(text), 0, text.length, offset);
		}

		closeSync(fd);
	};

	sparse('var/log/lastlog', 292_292, [[8192, 'entry']]);
	sparse('var/log/faillog', 32_032, [[32_031, 'x']]);
	sparse('opt/many', 12 * 65_536, Array.from({length: 12}, (_, index) => [(index * 65_536) + 4096, `piece ${index}`] as [number, string]));
	sparse('srv/zero-zero', 100_000, [[50_000, 'half']]);
	writeFileSync(path.join(root, 'var/log/plain.txt'), 'plain\n');
	const gnuTar = (flags: string[], members: string[]): Buffer => execFileSync('tar', ['--sparse', ...flags, '--owner=0', '--group=0', '--numeric-owner', '--mtime=@1700000000', '-C', root, '-cf', '-', ...members], {maxBuffer: 64 * 1024 * 1024});
	const layers = [
		gnuTar(['--posix'], ['var']),
		gnuTar(['--posix', '--sparse-version=0.1'], ['opt']),
		gnuTar(['--posix', '--sparse-version=0.0'], ['srv']),
		// a01 and a03: a PAX path holding "\n1 size=0\n", then a symlink whose size field covers the entries after it.
		tar(
			paxHeader([['path', 'etc/motd\n1 size=0\n']]),
			file('etc/motd', Buffer.alloc(1024)),
			header({name: 'etc/alternatives', typeflag: '2', linkname: '/usr/share', size: 1536, mode: 0o777}), // Symlinks are 0777 on Linux.
			file('usr/bin/backdoor', '#!/bin/sh\necho owned\n', {mode: 0o4755}),
			file('usr/bin/other', 'x'),
		),
		tar(
			header({name: 'legacy/', typeflag: '\0', mode: 0o700, uid: 1000, gid: 1000}),
			file('legacy/inner.txt', 'inner\n', {typeflag: '\0'}),
			header({name: 'emptydir/', typeflag: '\0', mode: 0o750, uid: 1000, gid: 1000}),
		),
	];
	const tag = uniqueTag('tar-dialects');
	const container = `layerscope-test-tar-dialects-${process.pid}-${Date.now()}`;
	const archive = path.join(dir, 'image.tar');
	writeFileSync(archive, await dockerArchive(layers, tag));
	t.after(async () => {
		await removeContainers(container);
		await removeImages(tag);
	});
	await docker('load', '-i', archive);
	await docker('create', '--name', container, tag, '/x');
	const image = await readFromFile(archive, 'image.tar');
	// The runtime adds /etc (for /etc/hosts and friends) to every container: compare what the image holds.
	const mine = (record: {path: string}): boolean => /^\/(?:var|opt|srv|legacy|emptydir|usr)(?:\/|$)|^\/etc\/(?:motd|alternatives)/.test(record.path);
	const exported = (await exportListing(container)).filter(record => mine(record));
	assert.deepEqual(stackedListing(image).filter(record => mine(record)), exported);
	assert.equal(exported.length, 18, exported.map(record => record.path).join(' '));
	const ours = new Map(image.layers.flatMap(layer => layer.contents.entries).map(entry => [entry.path, entry]));
	assert.equal(ours.get('var/log/lastlog')?.size, 292_292);
	assert.equal(ours.get('emptydir')?.type, 'dir');
	assert.equal(ours.get('usr/bin/backdoor')?.mode, 0o4755);
	assert.equal(ours.get('etc/motd\n1 size=0\n')?.size, 1024);
	// Content digests: those of the files docker extracted (its export writes them whole, holes as zeros).
	const exportFile = path.join(dir, 'export.tar');
	await docker('export', '-o', exportFile, container);
	const sink = new LayerSink('tar');
	createReadStream(exportFile).pipe(sink);
	const theirs = new Map((await sink.contents).entries.map(entry => [entry.path, entry.digest]));
	for (const name of ['var/log/lastlog', 'var/log/faillog', 'var/log/plain.txt', 'opt/many', 'srv/zero-zero', 'legacy/inner.txt']) {
		assert.ok(ours.get(name)?.digest?.startsWith('xxh64:'), name);
		assert.equal(ours.get(name)?.digest, theirs.get(name), name);
	}

});
