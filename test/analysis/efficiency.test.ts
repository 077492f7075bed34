import assert from 'node:assert/strict';
import {test} from 'node:test';
import {computeEfficiency} from '../../src/analysis/efficiency.js';
import {buildLayerTree} from '../../src/analysis/tree.js';
import type {LayerEntry} from '../../src/analysis/types.js';

const file = (path: string, size: number): LayerEntry => ({path, type: 'file', mode: 0o644, uid: 0, gid: 0, size});
const dir = (path: string): LayerEntry => ({path, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0});
const whiteout = (path: string): LayerEntry => ({path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, whiteout: true});
const opaque = (path: string): LayerEntry => ({path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, opaque: true});

const run = (layers: LayerEntry[][]) => computeEfficiency(layers.map(entries => buildLayerTree(entries)));

test('dive TestEfficiency: score 0.75, one inefficient path with cumulative 7000', () => {
	const result = run([
		[file('etc/nginx/nginx.conf', 2000), file('etc/nginx/public', 3000)],
		[file('etc/nginx/nginx.conf', 5000), file('etc/athing', 10_000)],
		[whiteout('etc/nginx')],
	]);
	assert.equal(result.efficiency, 0.75);
	assert.deepEqual(result.inefficiencies.map(item => [item.path, item.cumulativeSize]), [['/etc/nginx/nginx.conf', 7000]]);
	assert.equal(result.wastedBytes, 7000);
});

test('dive TestEfficiency_ScratchImage: a single empty file scores 1 with no matches', () => {
	const result = run([[file('nothing.txt', 0)]]);
	assert.equal(result.efficiency, 1);
	assert.deepEqual(result.inefficiencies, []);
});

test('a whiteout of a directory with a header counts its removed subtree', () => {
	const result = run([
		[dir('d'), file('d/a', 100), file('d/b', 50)],
		[dir('d'), file('d/a', 100)],
		[whiteout('d')],
	]);
	// /d/a: 100 + 100 (min 100); /d/b: 50; /d: 150 (the whiteout of the subtree, seen once).
	assert.equal(result.efficiency, (100 + 50 + 150) / (200 + 50 + 150));
	assert.deepEqual(result.inefficiencies.map(item => [item.path, item.count, item.cumulativeSize]), [['/d/a', 2, 200]]);
	// As in dive, a layer that touches d/a without a header for d leaves d without directory data: its
	// whiteout then counts 0 bytes.
	const quirk = run([[dir('d'), file('d/a', 100), file('d/b', 50)], [file('d/a', 100)], [whiteout('d')]]);
	assert.equal(quirk.efficiency, (100 + 50) / (200 + 50));
});

test('a whiteout of a file adds 0 bytes and makes the path a second sighting', () => {
	const result = run([[file('a', 10)], [whiteout('a')]]);
	assert.deepEqual(result.inefficiencies.map(item => [item.path, item.count, item.cumulativeSize, item.minimumSize]), [['/a', 2, 10, 0]]);
	assert.equal(result.efficiency, 0);
});

test('dive stops a layer at a whiteout of a path missing below it', () => {
	// Layer 1: `.wh.ghost` sorts before `zz`, so `zz` is never counted.
	const result = run([[file('a', 10)], [whiteout('ghost'), file('zz', 5)], [file('zz', 5)]]);
	assert.deepEqual(result.inefficiencies, []);
});

test('ties are ordered as dive orders them: the later-found first', () => {
	const result = run([[file('a', 5), file('b', 5)], [file('b', 5)], [file('a', 5)]]);
	assert.deepEqual(result.inefficiencies.map(item => item.path), ['/a', '/b']);
});

test('an opaque directory counts each lower path it hides like a whiteout (dive ignores them)', () => {
	const result = run([
		[dir('d'), file('d/keep', 10), file('d/gone', 20), dir('d/sub'), file('d/sub/x', 30)],
		[dir('d'), opaque('d'), file('d/keep', 10)],
	]);
	// d/gone: 20 then 0 (file whiteout); d/sub hidden: subtree 30 counted at /d/sub; d/keep overwritten: 10 + 10.
	assert.deepEqual(result.inefficiencies.map(item => [item.path, item.cumulativeSize]).sort(), [['/d/gone', 20], ['/d/keep', 20]]);
	// Hidden at any depth below the opaque directory: d/sub/x is not put back.
	const nested = run([
		[dir('d'), dir('d/sub'), file('d/sub/x', 30), file('d/sub/y', 5)],
		[dir('d'), opaque('d'), dir('d/sub'), file('d/sub/y', 5)],
	]);
	assert.deepEqual(nested.inefficiencies.map(item => [item.path, item.cumulativeSize]).sort(), [['/d/sub/x', 30], ['/d/sub/y', 10]]);
	const withIgnore = computeEfficiency([
		buildLayerTree([dir('d'), file('d/keep', 10)]),
		buildLayerTree([dir('d'), file('d/keep', 10)]),
	], path => path.startsWith('/d/'));
	assert.deepEqual(withIgnore.inefficiencies, []);
});
