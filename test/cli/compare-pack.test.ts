import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import type {LayerEntry} from '../../src/analysis/types.js';
import {compareListings} from '../../src/analysis/compare.js';
import {listingEntries, PackedListing, packEntries, packLayer, unpackEntries, unpackLayer} from '../../src/cli/compare-pack.js';

/** An entry without its undefined keys (unpacking gives every key, as the layer reader does). */
const defined = (entry: LayerEntry): LayerEntry => Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined)) as unknown as LayerEntry;

test('packed entries unpack to the same entries (hostile names, links, digests, mtimes, whiteouts, opaques or none)', () => {
	const entry = fc.record({
		path: fc.string({unit: 'binary', minLength: 1}).map(text => text.replaceAll('\u0000', '_')),
		type: fc.constantFrom('file' as const, 'dir' as const, 'symlink' as const, 'hardlink' as const, 'char' as const, 'block' as const, 'fifo' as const),
		mode: fc.integer({min: 0, max: 0o7777}),
		uid: fc.integer({min: 0, max: 2 ** 32}),
		gid: fc.integer({min: 0, max: 2 ** 32}),
		size: fc.integer({min: 0, max: Number.MAX_SAFE_INTEGER}),
		linkTarget: fc.option(fc.string().map(text => text.replaceAll('\u0000', '_')), {nil: undefined}),
		mtime: fc.option(fc.integer({min: -(2 ** 40), max: 2 ** 40}), {nil: undefined}),
		digest: fc.option(fc.constantFrom('xxh64:0123456789abcdef', 'sha256:00'), {nil: undefined}),
		whiteout: fc.option(fc.constant(true as const), {nil: undefined}),
		opaque: fc.option(fc.constant(true as const), {nil: undefined}),
	}).map(fields => defined(fields as LayerEntry));
	fc.assert(fc.property(fc.array(entry, {maxLength: 20}), entries => {
		const back = unpackEntries(structuredClone(packEntries(entries)));
		assert.deepEqual(back.map(item => defined(item)), entries);
		// Every key present, in the reader's order: one hidden class for the analysis.
		for (const item of back) {
			assert.deepEqual(Object.keys(item), ['path', 'type', 'mode', 'uid', 'gid', 'size', 'linkTarget', 'mtime', 'digest', 'whiteout', 'opaque']);
		}
	}), {numRuns: 300});
	assert.equal(unpackEntries(packEntries([{path: 'bad\uDCFFname', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1}]))[0]!.path, 'bad\uDCFFname');
	const layer = {entries: [{path: 'a', type: 'file' as const, mode: 0o644, uid: 0, gid: 0, size: 3}], tarBytes: 2048, blobBytes: 100, compression: 'gzip' as const, summary: {sizeBytes: 3, whiteouts: 0, opaques: 0}};
	const back = unpackLayer(structuredClone(packLayer(layer)));
	assert.deepEqual({...back, entries: back.entries.map(item => defined(item))}, layer);
});

test('a packed listing read in place gives each entry as unpacking does, and the same merge', () => {
	const entry = fc.record({
		path: fc.constantFrom('a', 'a/b', 'a/c', 'b', 'b/x', 'c'),
		type: fc.constantFrom('file' as const, 'dir' as const, 'symlink' as const),
		size: fc.integer({min: 0, max: 3}),
		linkTarget: fc.option(fc.constantFrom('x', 'y'), {nil: undefined}),
		digest: fc.option(fc.constantFrom('xxh64:1', 'xxh64:2'), {nil: undefined}),
	}).map(fields => defined({mode: 0o644, uid: 0, gid: 0, ...fields} as LayerEntry));
	const listing = fc.uniqueArray(entry, {selector: item => item.path, maxLength: 6}).map(items => items.sort((x, y) => (x.path < y.path ? -1 : 1)));
	fc.assert(fc.property(listing, listing, (a, b) => {
		const view = new PackedListing(structuredClone(packEntries(a)));
		assert.equal(view.length, a.length);
		assert.deepEqual(listingEntries(view), unpackEntries(packEntries(a)));
		assert.equal(view.at(a.length), undefined);
		assert.equal(view.at(-1), undefined);
		assert.deepEqual(compareListings(view, b), compareListings(a, b));
		assert.deepEqual(compareListings(b, new PackedListing(packEntries(a))), compareListings(b, a));
	}), {numRuns: 300});
});
