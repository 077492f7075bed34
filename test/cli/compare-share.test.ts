import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import type {BlobLocation, ShareableLayer} from '../../src/archive/layer-share.js';
import {assignLayers} from '../../src/cli/compare-share.js';

const at = (file: string, offset: number, size: number): BlobLocation => ({file, offset, size});
const offered = (diffId: string, bytes: number, location?: BlobLocation): ShareableLayer => ({diffId, bytes, ...(location === undefined ? {} : {location})});

test('assignment: a shared base to one reader, both top layers to the other (the bench\'s pair)', () => {
	const a = [offered('sha256:base', 215, at('a.tar', 0, 215)), offered('sha256:app-a', 95, at('a.tar', 300, 95))];
	const b = [offered('sha256:base', 215, at('b.tar', 0, 215)), offered('sha256:app-b', 96, at('b.tar', 300, 96))];
	const {A, B} = assignLayers({A: a, B: b});
	assert.deepEqual(A.answers, [{kind: 'read', share: true}, {kind: 'wait', from: at('a.tar', 300, 95)}]);
	assert.deepEqual(A.foreign, []);
	assert.deepEqual(B.answers, [{kind: 'wait', from: at('a.tar', 0, 215)}, {kind: 'read', share: false}]);
	assert.deepEqual(B.foreign, [{diffId: 'sha256:app-a', location: at('a.tar', 300, 95)}]);
});

test('assignment: with an analyser, the layers both hold go to it and the other reader takes the rest (the bench\'s pair)', () => {
	const a = [offered('sha256:base', 215, at('a.tar', 0, 215)), offered('sha256:app-a', 95, at('a.tar', 300, 95))];
	const b = [offered('sha256:base', 215, at('b.tar', 0, 215)), offered('sha256:app-b', 96, at('b.tar', 300, 96))];
	// Without one, A takes the base (the tie goes to A); with B analysing, B does, and A both top layers.
	const {A, B} = assignLayers({A: a, B: b}, 'B');
	assert.deepEqual(B.answers, [{kind: 'read', share: true}, {kind: 'wait', from: at('b.tar', 300, 96)}]);
	assert.deepEqual(B.foreign, []);
	assert.deepEqual(A.answers, [{kind: 'wait', from: at('b.tar', 0, 215)}, {kind: 'read', share: false}]);
	assert.deepEqual(A.foreign, [{diffId: 'sha256:app-b', location: at('b.tar', 300, 96)}]);
	// Both readers in one thread: nothing to balance, each reads its own (the shared base: the analyser's).
	const together = assignLayers({A: a, B: b}, 'B', true);
	assert.deepEqual(together.B.answers, [{kind: 'read', share: true}, {kind: 'read', share: false}]);
	assert.deepEqual(together.A.answers, [{kind: 'wait', from: at('b.tar', 0, 215)}, {kind: 'read', share: false}]);
	assert.deepEqual([together.A.foreign, together.B.foreign], [[], []]);
	// Even when that leaves the analyser more to parse: a shared layer never crosses a thread.
	const big = [offered('sha256:x', 10, at('a.tar', 0, 10)), offered('sha256:y', 10, at('a.tar', 10, 10))];
	const both = assignLayers({A: big, B: big.map(layer => ({...layer, location: at('b.tar', layer.location!.offset, 10)}))}, 'A');
	assert.deepEqual(both.A.answers, [{kind: 'read', share: true}, {kind: 'read', share: true}]);
	assert.deepEqual(both.B.answers.map(answer => answer.kind), ['wait', 'wait']);
});

test('assignment: no share without a location or from a reader that offers nothing; every layer read once', () => {
	const a = [offered('sha256:base', 10), offered('sha256:x', 5, at('a.tar', 0, 5))];
	const b = [offered('sha256:base', 10, at('b.tar', 0, 10)), offered('sha256:y', 50, at('b.tar', 10, 50))];
	const {A, B} = assignLayers({A: a, B: b});
	// A's base has no location: A reads its own; B's is B's alone, and A, with less to do, reads it for B.
	assert.deepEqual(A.answers[0], {kind: 'read', share: false});
	assert.deepEqual(B.answers, [{kind: 'wait', from: at('b.tar', 0, 10)}, {kind: 'read', share: false}]);
	assert.deepEqual(A.foreign, [{diffId: 'sha256:base', location: at('b.tar', 0, 10)}]);
	const none = assignLayers({A: null, B: b});
	assert.deepEqual(none.A, {answers: [], foreign: []});
	assert.deepEqual(none.B.answers, [{kind: 'read', share: false}, {kind: 'read', share: false}]);

	// Property: each diff_id (with locations on both sides) is read by exactly one reader, and the other waits.
	const layer = fc.record({id: fc.integer({min: 0, max: 6}), bytes: fc.integer({min: 1, max: 100})});
	const side = (name: string) => fc.uniqueArray(layer, {selector: item => item.id, maxLength: 6})
		.map(items => items.map(item => offered(`sha256:${item.id}`, item.bytes, at(`${name}.tar`, item.id * 100, item.bytes))));
	fc.assert(fc.property(side('a'), side('b'), fc.constantFrom(undefined, 'A' as const, 'B' as const), (left, right, analyser) => {
		const {A: first, B: second} = assignLayers({A: left, B: right}, analyser);
		const readers = new Map<string, number>();
		const count = (diffId: string): void => {
			readers.set(diffId, (readers.get(diffId) ?? 0) + 1);
		};

		for (const [list, assignment, other] of [[left, first, right], [right, second, left]] as const) {
			for (const [index, item] of list.entries()) {
				const answer = assignment.answers[index]!;
				if (answer.kind === 'read') {
					count(item.diffId);
					assert.equal(answer.share, other.some(layer => layer.diffId === item.diffId));
				}
			}

			for (const item of assignment.foreign) {
				count(item.diffId);
				assert.ok(!list.some(layer => layer.diffId === item.diffId), 'a foreign layer is one the reader does not hold');
			}
		}

		const all = new Set([...left, ...right].map(item => item.diffId));
		assert.deepEqual([...readers.keys()].sort(), [...all].sort());
		assert.ok([...readers.values()].every(times => times === 1));
		if (analyser !== undefined) {
			// Every diff_id both hold is read by the analyser's reader.
			const mine = (analyser === 'A' ? first : second).answers;
			for (const [index, item] of (analyser === 'A' ? left : right).entries()) {
				if ((analyser === 'A' ? right : left).some(layer => layer.diffId === item.diffId)) {
					assert.deepEqual(mine[index], {kind: 'read', share: true});
				}
			}
		}
	}), {numRuns: 300});
});
