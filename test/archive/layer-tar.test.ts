// The layer parse: diff_id verification (sha256 of the uncompressed stream) for every compression and chunking.
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {test} from 'node:test';
import {LayerParser} from '../../src/archive/layer-tar.js';
import {sniff} from '../../src/archive/blob.js';
import type {LayerContents} from '../../src/analysis/types.js';
import {buildLayerTar, compress, type Compression} from '../../scripts/lib/image-builder.js';

/** Parse a blob pushed in chunks of `size` bytes. */
export async function parseChunked(blob: Buffer, size: number, options: ConstructorParameters<typeof LayerParser>[1] = {}): Promise<LayerContents> {
	const parser = new LayerParser(sniff(blob.subarray(0, 512)), options);
	for (let offset = 0; offset < blob.length; offset += size) {
		await parser.write(blob.subarray(offset, offset + size));
	}

	return parser.end();
}

test('computeDiffId gives sha256 of the uncompressed tar, trailing bytes after the end marker included', async () => {
	const tar = Buffer.concat([await buildLayerTar([{path: 'a.txt', content: 'hello'}, {path: 'dir', type: 'dir'}]), Buffer.alloc(4096)]);
	const expected = `sha256:${createHash('sha256').update(tar).digest('hex')}`;
	for (const compression of ['none', 'gzip', 'zstd'] as Compression[]) {
		const blob = compress(tar, compression);
		for (const size of [blob.length, 1, 7, 4096]) {
			const contents = await parseChunked(blob, size, {computeDiffId: true});
			assert.equal(contents.diffId, expected, `${compression} in chunks of ${size}`);
			assert.deepEqual(contents.entries.map(entry => entry.path), ['a.txt', 'dir']);
		}
	}

	assert.equal((await parseChunked(tar, tar.length)).diffId, undefined, 'not computed unless asked');
});
