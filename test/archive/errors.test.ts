// Bad input fails with one clear message, never a hang or an unhandled error.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {gzipSync} from 'node:zlib';
import {indexTarFile} from '../../src/archive/archive-member.js';
import {LayerParser} from '../../src/archive/layer-tar.js';
import {readImageArchive, readOciLayout} from '../../src/archive/read-image.js';
import {buildImageArchive, collectPack, writeOciLayout} from '../../scripts/lib/image-builder.js';
import {chunked, diveFixture} from '../helpers/fixtures.js';

const read = async (data: Buffer) => readImageArchive(chunked(data, 4096), {name: 'x'});
const docker = readFileSync(diveFixture('test-docker-image.tar'));
const kaniko = readFileSync(diveFixture('test-kaniko-image.tar'));

/** Byte offsets of the (ustar) headers of a plain tar, walked by their size fields. */
function headerOffsets(tar: Buffer): number[] {
	const offsets: number[] = [];
	for (let offset = 0; offset + 512 <= tar.length && tar[offset] !== 0;) {
		offsets.push(offset);
		const size = Number.parseInt(tar.toString('latin1', offset + 124, offset + 136).replaceAll('\0', '').trim() || '0', 8);
		offset += 512 + (Math.ceil(size / 512) * 512);
	}

	return offsets;
}

test('a truncated archive', async () => {
	await assert.rejects(read(docker.subarray(0, 700_000)), {message: 'truncated archive: the data ends in the middle of an entry'});
});

test('a truncated archive cut at an entry\'s edge (no end-of-archive blocks, no manifest.json yet) says so', async () => {
	// The dive fixture's last entries are its manifest.json and repositories: cut at the first header past 700 kB.
	const edge = headerOffsets(docker).find(offset => offset > 700_000)!;
	await assert.rejects(read(docker.subarray(0, edge)), {message: `truncated archive: it ends (${edge} bytes) without tar's end-of-archive blocks, before any manifest.json or index.json`});
	// A complete filesystem tar still reads as one, not as a truncated archive.
	await assert.rejects(read(readFileSync(diveFixture('test-gzip-image.tar'))), /^Error: not an image archive: no manifest\.json/);
});

test('the header index of an archive file (a file on disk is read by seeking) names a truncated archive', async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-truncated-'));
	try {
		const cut = async (length: number): Promise<Map<string, unknown> | undefined> => {
			const file = path.join(dir, `cut-${length}.tar`);
			writeFileSync(file, docker.subarray(0, length));
			return indexTarFile(file);
		};

		const edge = headerOffsets(docker).find(offset => offset > 700_000)!;
		await assert.rejects(cut(700_000), /^Error: truncated archive: the data ends in the middle of an entry \(700000 bytes; the entry at byte \d+ needs \d+\)$/);
		await assert.rejects(cut(edge + 100), /^Error: truncated archive: the data ends in the middle of an entry's header/);
		await assert.rejects(cut(edge), /^Error: truncated archive: it ends \(\d+ bytes\) without tar's end-of-archive blocks/);
		// Whole, or short of only some of its trailing zero blocks: indexed.
		assert.ok((await cut(docker.length))?.has('manifest.json'));
		assert.ok((await cut(docker.length - 512))?.has('manifest.json'));
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});

test('a truncated archive of gzip layers', async () => {
	await assert.rejects(read(kaniko.subarray(0, 600_000)), /truncated/);
});

test('a whole archive compressed with gzip or zstd, cut short or corrupt: one line in words, never a zlib code', async () => {
	const gzipped = gzipSync(docker);
	const zstded = execFileSync('zstd', ['-q', '-c'], {input: docker, maxBuffer: 64 * 1024 * 1024});
	await assert.rejects(read(gzipped.subarray(0, 100_000)), /^Error: truncated archive: the gzip data ends early$/);
	await assert.rejects(read(zstded.subarray(0, 100_000)), /^Error: truncated archive: the zstd data ends early$/);
	const corrupt = Buffer.from(gzipped);
	corrupt.fill(0x58, corrupt.length - 8, corrupt.length - 4); // The CRC-32 of the gzip trailer.
	await assert.rejects(read(corrupt), /^Error: corrupt gzip archive: incorrect data check$/);
});

test('a gzip or zstd layer cut short: truncated layer data, in words', async () => {
	const tar = readFileSync(diveFixture('test-docker-image.tar'));
	for (const [kind, blob] of [['gzip', gzipSync(tar)], ['zstd', execFileSync('zstd', ['-q', '-c'], {input: tar, maxBuffer: 64 * 1024 * 1024})]] as const) {
		const parser = new LayerParser(kind);
		await parser.write(blob.subarray(0, 50_000));
		await assert.rejects(parser.end(), new RegExp(`^Error: truncated ${kind} layer data: the ${kind} data ends early$`), kind);
	}
});

test('corrupt gzip layer data', async () => {
	const corrupt = Buffer.from(kaniko);
	corrupt.fill(0, 300_000, 300_100);
	await assert.rejects(read(corrupt), /^Error: layer [a-f0-9]{64}\.tar\.gz: corrupt gzip layer data: /);
	await assert.rejects(readImageArchive(chunked(corrupt, 65_536), {name: 'x'}), /^Error: layer [a-f0-9]{64}\.tar\.gz: corrupt gzip layer data: /);
});

test('random bytes, an empty input, a plain filesystem tar', async () => {
	const random = Buffer.alloc(5000);
	for (let index = 0; index < random.length; index++) {
		random[index] = (index * 7919) % 251;
	}

	await assert.rejects(read(random), /not an image archive: the input is not a tar file/);
	await assert.rejects(read(Buffer.alloc(0)), /empty archive/);
	await assert.rejects(read(readFileSync(diveFixture('test-gzip-image.tar'))), /not an image archive: no manifest\.json or index\.json/);
});

test('a whole archive compressed with gzip is read as the archive itself', async () => {
	const image = await read(gzipSync(docker));
	assert.equal(image.layers.length, 14);
});

test('a manifest naming a layer that is not in the archive', async () => {
	const archive = await buildImageArchive([{entries: [{path: 'a', content: 'a'}]}], {format: 'docker25'});
	// Drop the layer blob: rebuild the tar without it.
	const {default: tarStream} = await import('tar-stream');
	const extract = tarStream.extract();
	const pack = tarStream.pack();
	const packed = collectPack(pack);
	let dropped = false;
	extract.on('entry', (header, stream, next) => {
		const parts: Buffer[] = [];
		stream.on('data', (chunk: unknown) => parts.push(chunk as Buffer));
		stream.on('end', () => {
			const data = Buffer.concat(parts);
			if (!dropped && header.name.startsWith('blobs/sha256/') && data.length > 1000) {
				dropped = true;
			} else {
				pack.entry(header, data);
			}

			next();
		});
	});
	extract.on('finish', () => pack.finalize());
	extract.end(archive);
	const rebuilt = await packed;
	assert.ok(dropped);
	await assert.rejects(read(rebuilt), /layer blobs\/sha256\/[a-f0-9]+ is missing from the archive/);
});

/** A tar archive of the given files (tar-stream), for hand-made archives. */
async function tarOf(files: Array<[string, Buffer | string]>): Promise<Buffer> {
	const {default: tarStream} = await import('tar-stream');
	const pack = tarStream.pack();
	const packed = collectPack(pack);
	for (const [name, data] of files) {
		pack.entry({name}, data);
	}

	pack.finalize();
	return packed;
}

test('data after the archive\'s end marker is ignored, as tar readers do', async () => {
	const junk = Buffer.alloc(3000, 0x5A);
	const image = await read(Buffer.concat([docker, junk]));
	assert.equal(image.layers.length, 14);
});

test('a blob the image does not use may be anything; a broken one it uses is named', async () => {
	const archive = await buildImageArchive([{entries: [{path: 'a', content: 'a'}]}], {format: 'docker-legacy'});
	// An extra gzip file that is not a tar: ignored, since no manifest refers to it.
	const extraEntries = await tarOf([['notes.txt.gz', gzipSync('just text, not a tar')]]);
	const merged = Buffer.concat([extraEntries.subarray(0, extraEntries.length - 1024), archive]);
	const image = await read(merged);
	assert.deepEqual(image.layers[0]?.contents.entries.map(entry => entry.path), ['a']);
});

test('an invalid manifest.json and a too-short input are named as such', async () => {
	await assert.rejects(read(await tarOf([['manifest.json', '[{"Config": "x.json", ']])), /manifest\.json is not valid JSON/);
	await assert.rejects(read(Buffer.from('{}')), /not an image archive: 2 bytes is too short for a tar file/);
});

test('an OCI layout whose blob is a FIFO fails at once instead of blocking', async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-fifo-'));
	try {
		await writeOciLayout(dir, [{entries: [{path: 'a', content: 'a'}]}]);
		const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as {manifests: Array<{digest: string}>};
		const manifest = JSON.parse(readFileSync(path.join(dir, 'blobs/sha256', index.manifests[0]!.digest.slice(7)), 'utf8')) as {layers: Array<{digest: string}>};
		const layer = path.join(dir, 'blobs/sha256', manifest.layers[0]!.digest.slice(7));
		rmSync(layer);
		execFileSync('mkfifo', [layer]);
		await assert.rejects(readOciLayout(dir, {name: 'x'}), /blobs\/sha256\/[a-f0-9]+ in the layout is not a regular file/);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});
