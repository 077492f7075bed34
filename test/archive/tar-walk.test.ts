// walkLayer: each regular file's logical content as a stream with backpressure, early stop, unread bodies drained,
// the same entries as the analysis parse; a zstd bomb streams in bounded memory.
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {Readable} from 'node:stream';
import {text} from 'node:stream/consumers';
import {test} from 'node:test';
import {compress as zstdCompress} from 'zstd-napi';
import {gzipSync} from 'node:zlib';
import {walkLayer} from '../../src/archive/tar-walk.js';
import {LayerParser} from '../../src/archive/layer-tar.js';
import {chunked} from '../helpers/fixtures.js';
import {file, header, paxHeader, tar} from '../helpers/tar-bytes.js';

const layer = tar(
	header({name: 'etc/', typeflag: '5', mode: 0o755}),
	file('etc/hostname', 'box\n'),
	header({name: 'etc/link', typeflag: '2', linkname: 'hostname', size: 3}),
	paxHeader([['path', 'etc/big.bin']]),
	file('ignored', Buffer.alloc(300_000, 0x61)),
	file('etc/after', 'after\n'),
);

async function listing(blob: Readable, read: (path: string) => boolean): Promise<string[]> {
	const out: string[] = [];
	await walkLayer(blob, async (entry, body) => {
		out.push(`${entry.type} ${entry.path}${body !== undefined && read(entry.path) ? ` ${(await text(body)).length}` : ''}`);
	});
	return out;
}

test('walkLayer gives every entry and each file\'s content, plain, gzip and zstd, in any chunking', async () => {
	for (const blob of [layer, gzipSync(layer), zstdCompress(layer)]) {
		for (const size of [blob.length, 1, 4099]) {
			assert.deepEqual(await listing(chunked(blob, size), () => true), ['dir etc', 'file etc/hostname 4', 'symlink etc/link', 'file etc/big.bin 300000', 'file etc/after 6']);
			// Bodies nobody reads are drained, the walk goes on.
			assert.deepEqual(await listing(chunked(blob, size), () => false), ['dir etc', 'file etc/hostname', 'symlink etc/link', 'file etc/big.bin', 'file etc/after']);
		}
	}
});

test('walkLayer stops right after the visitor says so, and destroys the blob', async () => {
	const blob = chunked(Buffer.concat([layer, Buffer.alloc(10_000_000)]), 65_536);
	let content = '';
	const result = await walkLayer(blob, async (entry, body) => {
		if (entry.path === 'etc/hostname') {
			content = await text(body!);
			return 'stop';
		}

		return undefined;
	});
	assert.deepEqual(result, {stopped: true, entries: 2});
	assert.equal(content, 'box\n');
	assert.equal(blob.destroyed, true);
});

test('walkLayer refuses what the parse refuses, with the same message', async () => {
	const bad = Buffer.from(layer);
	bad[0] = 0x78;
	await assert.rejects(walkLayer(chunked(bad, 512), () => undefined), /invalid tar header \(bad checksum\)/);
	const parser = new LayerParser('tar');
	await assert.rejects(async () => {
		await parser.write(bad);
		await parser.end();
	}, /invalid tar header \(bad checksum\)/);
});

test('a06: a zstd layer of 1 GiB of zeros streams in bounded memory, in the parse and in the walk', async () => {
	const size = 1024 * 1024 * 1024;
	const zeros = Buffer.alloc(64 * 1024 * 1024);
	// Compress the tar of one 1 GiB file piece by piece (no 1 GiB buffer in the test either).
	const {CompressStream} = await import('zstd-napi');
	const compressor = new CompressStream();
	const parts: Buffer[] = [];
	compressor.on('data', (chunk: Buffer) => parts.push(chunk));
	const done = new Promise(resolve => compressor.on('end', resolve));
	compressor.write(header({name: 'zeros.bin', size}));
	for (let written = 0; written < size; written += zeros.length) {
		compressor.write(zeros);
	}

	compressor.end(Buffer.alloc(1024));
	await done;
	const bomb = Buffer.concat(parts);
	assert.ok(bomb.length < 1024 * 1024, `bomb is ${bomb.length} bytes`);
	global.gc?.();
	const before = process.memoryUsage().rss;
	let peak = before;
	const timer = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage().rss);
	}, 5);
	try {
		const parser = new LayerParser('zstd');
		await parser.write(bomb);
		const contents = await parser.end();
		assert.equal(contents.entries[0]?.size, size);
		let bytes = 0;
		await walkLayer(Readable.from([bomb]), async (_entry, body) => {
			for await (const chunk of body!) {
				bytes += (chunk as Buffer).length;
			}
		});
		assert.equal(bytes, size);
	} finally {
		clearInterval(timer);
	}

	assert.ok(peak - before < 200 * 1024 * 1024, `RSS grew by ${Math.round((peak - before) / 1e6)} MB`);
});

/** A PAX 1.0 sparse file of `size` logical bytes holding `data` at offset 0 (the rest one hole). */
function hugeSparse(size: number, data: string): Buffer {
	const map = Buffer.alloc(512);
	map.write(`1\n0\n${data.length}\n`);
	const stored = Buffer.concat([map, Buffer.from(data)]);
	return tar(
		paxHeader([['GNU.sparse.major', '1'], ['GNU.sparse.minor', '0'], ['GNU.sparse.name', 'var/log/huge'], ['GNU.sparse.realsize', String(size)]]),
		file('GNUSparseFile.1/huge', stored),
		file('after', 'after\n'),
	);
}

test('a sparse file whose hole claims a terabyte: the parse gives no digest (no terabyte hashed), a walk that skips its body ends at once, a body read in part ends when destroyed', async () => {
	const blob = hugeSparse(2 ** 40, 'head');
	const parser = new LayerParser('tar');
	await parser.write(blob);
	const contents = await parser.end();
	assert.deepEqual(contents.entries.map(entry => [entry.path, entry.size, entry.digest === undefined]), [['var/log/huge', 2 ** 40, true], ['after', 6, false]]);
	const started = Date.now();
	assert.deepEqual(await listing(chunked(blob, 4096), () => false), ['file var/log/huge', 'file after']);
	let head = '';
	await walkLayer(chunked(blob, 4096), async (entry, body) => {
		if (entry.path === 'var/log/huge') {
			const first = await new Promise<Buffer>(resolve => {
				body!.once('data', resolve);
			});
			head = first.toString('latin1', 0, 8);
			body!.destroy(); // As `cat | head` does.

		}
	});
	assert.equal(head.slice(0, 4), 'head');
	assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`);
});

test('walkLayer stops when its AbortSignal is aborted', async () => {
	const controller = new AbortController();
	const seen: string[] = [];
	const result = await walkLayer(chunked(layer, 100), entry => {
		seen.push(entry.path);
		if (entry.path === 'etc/link') {
			controller.abort();
		}
	}, {signal: controller.signal});
	assert.deepEqual(result, {stopped: true, entries: 3});
	assert.deepEqual(seen, ['etc', 'etc/hostname', 'etc/link']);
});

test('the pure-JavaScript zstd fallback (fzstd) also yields its output in bounded pieces', async () => {
	const {ZstdDecoder} = await import('../../src/archive/blob.js');
	const data = Buffer.concat([header({name: 'zeros.bin', size: 64 * 1024 * 1024}), Buffer.alloc(64 * 1024 * 1024), Buffer.alloc(1024)]);
	const compressed = zstdCompress(data);
	for (const engine of ['fzstd', 'zstd-napi'] as const) {
		const decoder = new ZstdDecoder(engine);
		assert.equal(decoder.engine, engine);
		let total = 0;
		let largest = 0;
		const hash = createHash('sha256');
		for (let offset = 0; offset < compressed.length; offset += 65_536) {
			for (const piece of decoder.decode(compressed.subarray(offset, offset + 65_536))) {
				total += piece.length;
				largest = Math.max(largest, piece.length);
				hash.update(piece);
			}
		}

		decoder.finish();
		assert.equal(total, data.length, engine);
		assert.equal(hash.digest('hex'), createHash('sha256').update(data).digest('hex'), engine);
		assert.ok(largest <= 8 * 1024 * 1024, `${engine}: largest piece ${largest} bytes`);
	}
});
