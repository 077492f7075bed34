// Bad input fails with one clear message, never a hang or an unhandled error.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {gzipSync} from 'node:zlib';
import {readImageArchive} from '../../src/archive/read-image.js';
import {buildImageArchive, collectPack} from '../../scripts/lib/image-builder.js';
import {chunked, diveFixture} from '../helpers/fixtures.js';

const read = async (data: Buffer) => readImageArchive(chunked(data, 4096), {name: 'x'});
const docker = readFileSync(diveFixture('test-docker-image.tar'));
const kaniko = readFileSync(diveFixture('test-kaniko-image.tar'));

test('a truncated archive', async () => {
	await assert.rejects(read(docker.subarray(0, 700_000)), {message: 'truncated archive: the data ends in the middle of an entry'});
});

test('a truncated archive of gzip layers', async () => {
	await assert.rejects(read(kaniko.subarray(0, 600_000)), /truncated/);
});

test('corrupt gzip layer data', async () => {
	const corrupt = Buffer.from(kaniko);
	corrupt.fill(0, 300_000, 300_100);
	await assert.rejects(read(corrupt), /^Error: corrupt gzip layer data: /);
	await assert.rejects(readImageArchive(chunked(corrupt, 65_536), {name: 'x'}), /^Error: corrupt gzip layer data: /);
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
