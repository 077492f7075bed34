// The layer codec: every LayerEntry field comes back exactly, whatever the names and numbers hold.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import type {EntryType, LayerContents, LayerEntry} from '../../src/analysis/types.js';
import {CacheFormatError, decodeLayer, encodeLayer} from '../../src/cache/codec.js';

const diffId = `sha256:${'ab'.repeat(32)}`;

/** An entry with every key toEntry gives (undefined where absent), as the reader makes them. */
function entry(fields: Partial<LayerEntry> & {path: string}): LayerEntry {
	return {
		type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, linkTarget: undefined, mtime: 0, digest: undefined, whiteout: undefined, opaque: undefined,
		...fields,
	};
}

const pathPart = fc.oneof(
	fc.string({minLength: 1, maxLength: 8}),
	fc.constantFrom('usr', 'lib', 'bin', '日本語', 'café', '\uDC80\uDCFF', '\uD83D\uDE00', 'a\uD83D'),
);
const arbitraryEntry: fc.Arbitrary<LayerEntry> = fc.record({
	path: fc.array(pathPart, {minLength: 1, maxLength: 5}).map(parts => parts.join('/')),
	type: fc.constantFrom<EntryType>('file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo'),
	mode: fc.integer({min: 0, max: 0o7777}),
	uid: fc.oneof(fc.constant(0), fc.integer({min: 0, max: 2 ** 32 - 1}), fc.constant(2 ** 40)),
	gid: fc.integer({min: 0, max: 70_000}),
	size: fc.oneof(fc.integer({min: 0, max: 5000}), fc.constant(2 ** 33 + 7), fc.constant(Number.MAX_SAFE_INTEGER)),
	linkTarget: fc.option(fc.oneof(fc.string(), fc.constant('../\uDC9Bx')), {nil: undefined}),
	mtime: fc.option(fc.oneof(fc.integer({min: -(2 ** 40), max: 2 ** 40}), fc.constant(0)), {nil: undefined}),
	digest: fc.option(fc.oneof(fc.stringMatching(/^xxh64:[\da-f]{16}$/), fc.constant('sha256:ABC'), fc.constant('xxh64:0123')), {nil: undefined}),
	whiteout: fc.option(fc.constant(true as const), {nil: undefined}),
	opaque: fc.option(fc.constant(true as const), {nil: undefined}),
}).map(fields => ({...fields})); // A plain object, as the reader makes (fast-check's has no prototype).

test('encode then decode gives the same contents, every field and key included', () => {
	fc.assert(fc.property(fc.array(arbitraryEntry, {maxLength: 40}), fc.constantFrom<LayerContents['compression']>('none', 'gzip', 'zstd'), fc.boolean(), (entries, compression, withSummary) => {
		const contents: LayerContents = {
			entries,
			tarBytes: 2 ** 35,
			blobBytes: 12_345,
			compression,
			diffId,
			...(withSummary ? {summary: {sizeBytes: 99, whiteouts: 1, opaques: 2}} : {}),
		};
		const decoded = decodeLayer(encodeLayer(diffId, contents), diffId);
		assert.deepStrictEqual(decoded, contents);
	}), {numRuns: 300});
});

test('sorted paths are front-coded: 10,000 entries of a directory take under half the bytes of their text', () => {
	const entries = Array.from({length: 10_000}, (_, index) => entry({path: `usr/share/doc/package-${Math.floor(index / 20)}/file-${index}.txt`, digest: `xxh64:${index.toString(16).padStart(16, '0')}`}));
	const bytes = encodeLayer(diffId, {entries, tarBytes: 1, blobBytes: 1, compression: 'none'});
	const text = entries.reduce((sum, item) => sum + item.path.length + item.digest!.length, 0);
	assert.ok(bytes.length < text / 2, `${bytes.length} bytes for ${text} characters of paths and digests`);
	assert.deepStrictEqual(decodeLayer(bytes, diffId).entries, entries);
});

test('another diff_id, another format version, truncated or random bytes: a CacheFormatError, never a wrong layer', () => {
	const contents: LayerContents = {entries: [entry({path: 'a'}), entry({path: 'a/b', type: 'symlink', linkTarget: '../c'})], tarBytes: 3072, blobBytes: 3072, compression: 'none', diffId};
	const bytes = encodeLayer(diffId, contents);
	assert.throws(() => decodeLayer(bytes, `sha256:${'cd'.repeat(32)}`), CacheFormatError);
	const foreign = Buffer.from(bytes);
	// The version is the first value of the map: {v: 1, …} → {v: 9, …}.
	const at = foreign.indexOf(Buffer.from([0xA1, 0x76, 0x01]));
	assert.ok(at >= 0);
	foreign[at + 2] = 9;
	assert.throws(() => decodeLayer(foreign, diffId), /format version 9/);
	for (let cut = 0; cut < bytes.length; cut += 7) {
		assert.throws(() => decodeLayer(bytes.subarray(0, cut), diffId), CacheFormatError);
	}

	fc.assert(fc.property(fc.uint8Array({maxLength: 300}), random => {
		assert.throws(() => decodeLayer(random, diffId), CacheFormatError);
	}));
});
