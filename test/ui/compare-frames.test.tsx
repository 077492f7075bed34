// The compare UI (ink-testing-library frames): the merged tree marked +/~/- with sizes of A and B and the delta,
// the summary and layers beside it, and the browser's keys (filter, hide kinds, sort, collapse) on it.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {compareImages} from '../../src/analysis/compare.js';
import {CompareBrowser} from '../../src/ui/components/compare-browser.js';
import {CompareModel} from '../../src/ui/state/compare-model.js';
import {initialCompareState, reduceCompare} from '../../src/ui/state/compare-reducer.js';
import {dir, file, image, link, side} from '../helpers/compare-images.js';
import {drive} from './ink-driver.js';
import {assertSnapshot, normaliseFrame} from './snapshot.js';

function model(): CompareModel {
	const base = {diffId: 'sha256:base', entries: [dir('etc'), file('etc/passwd', 100), dir('bin'), file('bin/sh', 10_000)], command: 'ADD rootfs /'};
	const a = image('app:main', [base, {diffId: 'sha256:a1', entries: [
		dir('app'), file('app/main.js', 2000), file('app/old.js', 300), link('app/current', 'v1'), dir('app/cache'), file('app/cache/x', 700), file('app/cache/y', 50),
	], command: 'COPY app /app'}]);
	const b = image('app:pr', [base, {diffId: 'sha256:b1', entries: [
		dir('app'), file('app/main.js', 2500), file('app/new.bin', 1_000_000), link('app/current', 'v2'), file('app/cache', 5),
	], command: 'COPY app /app'}]);
	const left = side(a);
	const right = side(b);
	const comparison = compareImages(left, right);
	return new CompareModel(comparison, left.listing, right.listing);
}

const viewport = {width: 100, height: 22};

test('compare UI: the merged tree with A, B and delta; summary and layers beside it', async () => {
	const ui = await drive(<CompareBrowser model={model()} viewport={viewport} colors={false} onQuit={() => undefined}/>);
	const frame = ui.frame();
	assert.equal(normaliseFrame(frame).split('\n').length - 1, viewport.height, 'the frame fills the viewport exactly');
	assert.match(frame, /━━ A → B ━+ \+1 ~3 -3 ━/);
	assert.match(frame, /│>~ {3}3\.1 kB {4}1\.0 MB {3}\+1000 kB {2}├── app/);
	assert.match(frame, /│ \+ {8}- +1\.0 MB +\+1\.0 MB {2}│ {3}├── new\.bin/);
	assert.match(frame, /│ ~ +0 B +0 B +0 B {2}│ {3}├── current → v2/);
	assert.match(frame, /│ ~ +750 B +5 B +-745 B {2}│ {3}├── cache\n.*│ - +700 B +- +-700 B {2}│ {3}│ {3}├── x/);
	assert.match(frame, /1 shared from the base \(10 kB\)/);
	assertSnapshot('compare-tree', frame);

	// Hide unmodified paths, then sort by |delta|: the 1 MB file first.
	await ui.press('ctrl+u', 'ctrl+o', 'ctrl+o');
	const sorted = ui.frame();
	assert.match(sorted, /by delta/);
	assert.match(sorted, /└── app\n.*\+ {8}- +1\.0 MB +\+1\.0 MB {6}├── new\.bin\n.*├── cache/);
	assert.doesNotMatch(sorted, /passwd/);
	assertSnapshot('compare-tree-by-delta', sorted);

	// A filter keeps the parents of what matches.
	await ui.press('/', ...'cache', 'enter');
	const filtered = ui.frame();
	assert.match(filtered, /Filter: cache/);
	assert.doesNotMatch(filtered, /new\.bin/);
	assert.match(filtered, /cache/);
	ui.unmount();
});

test('compare reducer: Ctrl-O cycles name → size → delta, Tab and Ctrl-L keep the tree on B', () => {
	const m = model();
	let state = initialCompareState(m, viewport);
	assert.deepEqual([state.tree.sort, state.bySizeDelta, state.focus, state.layer], ['name', false, 'tree', 1]);
	state = reduceCompare(m, state, {type: 'key', name: 'ctrl+o'});
	assert.deepEqual([state.tree.sort, state.bySizeDelta], ['size', false]);
	state = reduceCompare(m, state, {type: 'key', name: 'ctrl+o'});
	assert.deepEqual([state.tree.sort, state.bySizeDelta], ['size', true]);
	state = reduceCompare(m, state, {type: 'key', name: 'ctrl+o'});
	assert.deepEqual([state.tree.sort, state.bySizeDelta], ['name', false]);
	for (const name of ['tab', 'ctrl+l', 'shift+tab']) {
		state = reduceCompare(m, state, {type: 'key', name});
		assert.deepEqual([state.focus, state.layer, state.mode], ['tree', 1, 'layer']);
	}

	// Sizes per node: a directory holds everything below it, on each side.
	const app = m.union.paths.indexOf('/app');
	assert.deepEqual([m.sizeA[app], m.sizeB[app]], [3050, 1_002_505]);
});
