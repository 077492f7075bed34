import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import type {LayerEntry} from '../../src/analysis/types.js';
import {packListing, unpackListing} from '../../src/cli/compare-load.js';

test('a packed listing unpacks to the same entries (hostile names, links and digests or none)', () => {
	const entry = fc.record({
		path: fc.string({unit: 'binary', minLength: 1}).map(text => text.replaceAll('\u0000', '_')),
		type: fc.constantFrom('file' as const, 'dir' as const, 'symlink' as const, 'hardlink' as const, 'char' as const, 'block' as const, 'fifo' as const),
		mode: fc.integer({min: 0, max: 0o7777}),
		uid: fc.integer({min: 0, max: 2 ** 32}),
		gid: fc.integer({min: 0, max: 2 ** 32}),
		size: fc.integer({min: 0, max: Number.MAX_SAFE_INTEGER}),
		linkTarget: fc.option(fc.string().map(text => text.replaceAll('\u0000', '_')), {nil: undefined}),
		digest: fc.option(fc.constantFrom('xxh64:0123456789abcdef', 'sha256:00'), {nil: undefined}),
	}).map(fields => Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as unknown as LayerEntry);
	fc.assert(fc.property(fc.array(entry, {maxLength: 20}), listing => {
		assert.deepEqual(unpackListing(structuredClone(packListing(listing))), listing);
	}), {numRuns: 300});
	assert.deepEqual(unpackListing(packListing([{path: 'bad\uDCFFname', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1}]))[0]!.path, 'bad\uDCFFname');
});
