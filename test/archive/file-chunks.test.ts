// fileChunks (src/archive/file-chunks.ts): the bytes of a file or a span of it, in chunks of up to 1 MiB, with a read
// ahead; errors keep their code.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {fileChunks} from '../../src/archive/file-chunks.js';

const work = mkdtempSync(path.join(tmpdir(), 'layerscope-file-chunks-'));
after(() => {
	rmSync(work, {recursive: true, force: true});
});

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer[]> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) {
		chunks.push(chunk);
	}

	return chunks;
}

test('a file whole and in spans (inclusive ends, as createReadStream), chunks of at most 1 MiB', async () => {
	const data = randomBytes((3.5 * 1024 * 1024) + 7);
	const file = path.join(work, 'data');
	writeFileSync(file, data);
	const whole = await collect(fileChunks(file));
	assert.ok(whole.every(chunk => chunk.length <= 1024 * 1024));
	assert.deepEqual(whole.map(chunk => chunk.length), [1024 * 1024, 1024 * 1024, 1024 * 1024, (512 * 1024) + 7]);
	assert.ok(Buffer.concat(whole).equals(data));
	for (const [start, end] of [[0, 0], [100, (2.5 * 1024 * 1024) - 1], [1024 * 1024, 1024 * 1024], [data.length - 10, data.length + 5000]] as const) {
		assert.ok(Buffer.concat(await collect(fileChunks(file, {start, end}))).equals(data.subarray(start, end + 1)), `${start}-${end}`);
	}

	assert.deepEqual(await collect(fileChunks(file, {start: 10, end: 9})), []);
});

test('a missing file: the stream fails with ENOENT; a stream left after one chunk stops without a stray error', async () => {
	await assert.rejects(collect(fileChunks(path.join(work, 'missing'))), {code: 'ENOENT'});
	const file = path.join(work, 'big');
	writeFileSync(file, randomBytes(4 * 1024 * 1024));
	for await (const chunk of fileChunks(file)) {
		assert.equal(chunk.length, 1024 * 1024);
		break;
	}
});
