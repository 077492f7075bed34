// Generated archives of every format and compression give the same analysis, however the bytes are chunked.
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {analyzeImage} from '../../src/analysis/analyze.js';
import type {RawImage} from '../../src/analysis/types.js';
import {readImageArchive, readOciLayout} from '../../src/archive/read-image.js';
import {buildImageArchive, buildImageFiles, collectPack, type FixtureLayer, writeOciLayout} from '../../scripts/lib/image-builder.js';
import {chunked} from '../helpers/fixtures.js';

const longName = `opt/${'deep/'.repeat(30)}file-with-a-long-name.txt`;
const layers: FixtureLayer[] = [
	{command: '/bin/sh -c #(nop) ADD base', entries: [
		{path: './bin', type: 'dir'},
		{path: './bin/busybox', size: 5000, mode: 0o755},
		{path: './bin/sh', type: 'hardlink', linkTarget: './bin/busybox', mode: 0o755},
		{path: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n'},
		{path: 'implicit/parent/file.txt', content: 'no header for my parents'},
		{path: longName, content: 'pax'},
		{path: `var/${'gnu/'.repeat(30)}long.txt`, content: 'gnu', gnuLongName: true},
		{path: 'usr/lib/libz.so', type: 'symlink', linkTarget: 'libz.so.1'},
		{path: 'dev/null', type: 'char', mode: 0o666},
		{path: 'run/fifo', type: 'fifo'},
		{path: 'data/cache', type: 'dir'},
		{path: 'data/cache/a.bin', size: 3000},
		{path: 'data/cache/b.bin', size: 2000},
		{path: 'setuid-tool', size: 10, mode: 0o4755, uid: 1000, gid: 1000},
	]},
	{command: '/bin/sh -c true', entries: []},
	{command: '/bin/sh -c echo >> /etc/passwd && rm -rf /data/cache', entries: [
		{path: 'etc', type: 'dir'},
		{path: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n'},
		{path: 'data/.wh.cache'},
		{path: 'bin/.wh..wh..opq'},
		{path: 'bin', type: 'dir'},
		{path: 'bin/busybox', size: 5000, mode: 0o755},
	]},
	{command: '/bin/sh -c true', entries: []},
];

function comparable(image: RawImage) {
	const analysis = analyzeImage(image);
	return {
		image: {...analysis.image, name: ''},
		layers: analysis.layers.map(layer => ({...layer, id: '', digest: '', blobBytes: 0, compression: 'none'})),
		entries: image.layers.map(layer => layer.contents.entries),
	};
}

const reference = comparable(await readImageArchive(chunked(await buildImageArchive(layers, {format: 'docker-legacy'}), 65_536), {name: 'x'}));

test('the reference image reads as built', () => {
	const [base] = reference.entries;
	assert.ok(base?.some(entry => entry.path === longName), 'PAX long name');
	assert.ok(base?.some(entry => entry.path.startsWith('var/gnu/gnu/') && entry.path.endsWith('long.txt')), 'GNU long name');
	const sh = base?.find(entry => entry.path === 'bin/sh');
	assert.deepEqual([sh?.type, sh?.mode, sh?.uid, sh?.gid, sh?.size, sh?.mtime, sh?.linkTarget], ['hardlink', 0o755, 0, 0, 0, 1_704_067_200, 'bin/busybox']);
	assert.equal(base?.find(entry => entry.path === 'setuid-tool')?.mode, 0o4755);
	assert.equal(reference.layers[1]?.entryCount, 0);
	assert.equal(reference.layers[1]?.tarBytes, 1024, 'the empty layer is the bare end-of-archive marker');
	assert.equal(reference.layers.length, 4);
	// Opaque /bin drops the hardlink bin/sh; the whiteout drops data/cache and its two files: 4 paths.
	assert.deepEqual(reference.layers.map(layer => layer.removed), [0, 0, 4, 0]);
	assert.equal(reference.image.reclaimableBytes, 5000 + 3000 + 2000 + 26);
	// bin/busybox twice, /etc/passwd twice (26 + 63 bytes), bin/sh hidden by the opaque dir (0 bytes, as a file whiteout).
	assert.equal(reference.image.wastedBytes, 10_000 + 26 + 63);
});

for (const format of ['docker-legacy', 'docker25', 'kaniko', 'oci'] as const) {
	for (const compression of ['none', 'gzip', 'zstd'] as const) {
		if (format === 'kaniko' && compression === 'zstd') {
			continue;
		}

		test(`${format} archive with ${compression} layers, fed whole, byte by byte and in odd chunks`, async () => {
			const archive = await buildImageArchive(layers, {format, compression, duplicateAsSymlink: true});
			for (const size of [archive.length, 1, 7, 511, 513, 4099]) {
				const image = await readImageArchive(chunked(archive, size), {name: 'x'});
				assert.deepEqual(comparable(image), reference, `chunk size ${size}`);
				if (compression !== 'none') {
					assert.ok(image.layers.every(layer => layer.contents.compression === compression || layer.contents.entries.length === 0 || format === 'kaniko'));
				}
			}
		});
	}
}

test('legacy docker save: a duplicate layer stored as a symlink to the first copy', async () => {
	const same: FixtureLayer = {entries: [{path: 'same.txt', content: 'same'}]};
	const built = await buildImageFiles([same, {entries: [{path: 'other', content: 'x'}]}, same], {format: 'docker-legacy', duplicateAsSymlink: true});
	assert.equal(built.symlinks.length, 1);
	const archive = await buildImageArchive([same, {entries: [{path: 'other', content: 'x'}]}, same], {format: 'docker-legacy', duplicateAsSymlink: true});
	const image = await readImageArchive(chunked(archive, 1000), {name: 'x'});
	assert.deepEqual(image.layers.map(layer => layer.contents.entries.map(entry => entry.path)), [['same.txt'], ['other'], ['same.txt']]);
	assert.equal(analyzeImage(image).image.inefficiencies[0]?.path, '/same.txt');
});

for (const compression of ['none', 'gzip', 'zstd'] as const) {
	test(`OCI layout directory with ${compression} layers`, async () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-oci-'));
		try {
			await writeOciLayout(dir, layers, compression);
			assert.deepEqual(comparable(await readOciLayout(dir, {name: 'x'})), reference);
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});
}

test('a multi-platform OCI index: the host platform is chosen, attestations skipped, --platform obeyed', async () => {
	const amd = await buildImageFiles([{entries: [{path: 'amd64.txt', content: 'a'}]}], {format: 'oci'});
	const arm = await buildImageFiles([{entries: [{path: 'arm64.txt', content: 'b'}]}], {format: 'oci'});
	const manifestOf = (files: typeof amd.files) => {
		const index = JSON.parse(files.find(([name]) => name === 'index.json')![1].toString()) as {manifests: Array<Record<string, unknown>>};
		return index.manifests[0]!;
	};

	const blobs = [...amd.files, ...arm.files].filter(([name]) => name.startsWith('blobs/'));
	const attestation = {...manifestOf(arm.files), platform: {os: 'unknown', architecture: 'unknown'}, annotations: {'vnd.docker.reference.type': 'attestation-manifest'}};
	const index = {schemaVersion: 2, manifests: [attestation, {...manifestOf(arm.files), platform: {os: 'linux', architecture: 'arm64'}}, {...manifestOf(amd.files), platform: {os: 'linux', architecture: 'amd64'}}]};
	const {default: tarStream} = await import('tar-stream');
	const pack = tarStream.pack();
	const packed = collectPack(pack);
	for (const [name, data] of [...blobs, ['index.json', Buffer.from(JSON.stringify(index))] as const]) {
		pack.entry({name, size: data.length}, data);
	}

	pack.finalize();
	const archive = await packed;
	const host = process.arch === 'arm64' ? 'arm64.txt' : 'amd64.txt';
	const chosen = await readImageArchive(chunked(archive, 4096), {name: 'x'});
	assert.deepEqual(chosen.layers[0]?.contents.entries.map(entry => entry.path), [process.arch === 'arm64' || process.arch === 'x64' ? host : 'arm64.txt']);
	const arm64 = await readImageArchive(chunked(archive, 4096), {name: 'x', platform: {os: 'linux', architecture: 'arm64'}});
	assert.deepEqual(arm64.layers[0]?.contents.entries.map(entry => entry.path), ['arm64.txt']);
});
