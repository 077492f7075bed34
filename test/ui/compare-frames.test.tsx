// The compare UI (ink-testing-library frames): the merged tree marked +/~/- with sizes of A and B and the delta,
// the summary and layers beside it, and the browser's keys (filter, hide kinds, sort, collapse) on it.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {compareImages} from '../../src/analysis/compare.js';
import {CompareBrowser} from '../../src/ui/components/compare-browser.js';
import {CompareLayersPane} from '../../src/ui/components/compare-layers-pane.js';
import {type CompareColumns, compareColumnsFor, compareColumnWidths, compareTreeHeader} from '../../src/ui/components/compare-tree-pane.js';
import {compareSummaryText} from '../../src/ui/components/compare-summary-pane.js';
import {displayWidth} from '../../src/ui/text-width.js';
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

/** A pair with figures as wide as they come in practice: MB sizes, an efficiency drop, thousands of files, deep names. */
function wideModel(): CompareModel {
	const many = Array.from({length: 1200}, (_, index) => file(`usr/lib/mod-${index}.so`, 1000));
	const base = {diffId: 'sha256:base', entries: [dir('usr'), dir('usr/lib'), ...many, dir('usr/share'), file('usr/share/hello.txt', 300_000)], command: 'ADD rootfs /'};
	const cache = [dir('srv'), dir('srv/app'), dir('srv/app/cache')];
	const a = image('app:main', [base, {diffId: 'sha256:a1', entries: [...cache, file('srv/app/cache/data-cache.bin', 1_000_000)], command: 'COPY app /srv/app'}]);
	const b = image('app:pr', [
		base,
		{diffId: 'sha256:b1', entries: [...cache, file('srv/app/cache/data-cache.bin', 1_500_000), file('srv/app/cache/index-0001.json', 1_000_000)], command: 'COPY app /srv/app'},
		{diffId: 'sha256:b2', entries: [...cache, file('srv/app/cache/data-cache.bin', 1_500_000), ...Array.from({length: 40}, (_, index) => file(`srv/app/cache/part-${index}`, 1000))], command: 'RUN make cache'},
	]);
	const left = side(a);
	const right = side(b);
	return new CompareModel(compareImages(left, right), left.listing, right.listing);
}

/** The frame's lines: exactly `height` of them, none wider than `width` by display width, the bar keeping help and quit. */
function checkFrame(frame: string, width: number, height: number, bar = /\? Help {2}q Quit$/): string[] {
	const lines = normaliseFrame(frame).replace(/\n$/, '').split('\n');
	assert.equal(lines.length, height, 'the frame fills the viewport exactly');
	for (const line of lines) {
		assert.ok(displayWidth(line) <= width, `wider than ${width}: ${JSON.stringify(line)}`);
	}

	assert.match(lines.at(-1)!, bar, 'the help bar keeps ? Help and q Quit (^C Quit while typing a filter)');
	// Only layer commands may be cut: no figure, header, title or file name ends in an ellipsis.
	for (const line of lines.slice(0, -1)) {
		const [left = '', ...right] = line.split('│');
		assert.ok(!left.includes('…') || /^[-+] [AB]\d+ /.test(left), `cut in the left column: ${JSON.stringify(left)}`);
		assert.ok(!right.join('│').includes('…'), `cut in the tree: ${JSON.stringify(line)}`);
	}

	return lines;
}

test('compare UI at 80x24, 75x24 and 60x20: every figure whole or its column hidden, names first, ? Help and q Quit', async () => {
	// `tree`: in view first the deep names (srv/app/cache/data-cache.bin needs 30 columns), so only the columns that
	// leave them whole are drawn (the delta at 80 and 75 columns, none at 60); `collapsed`: srv/app/cache collapsed,
	// the names short, the columns come back.
	const cases = [
		{width: 80, height: 24, snapshot: 'compare-80x24', summary: [/^ +A +B +Delta │/m, /^size +2\.5 MB 5\.5 MB \+3\.0 MB │/m, /^effic\. +100\.0% +72\.9% -27\.1pt │/m, /^files +1,208 +1,249 +\+41 │/m],
			tree: [/│ {6}Delta {2}Filetree\n/, /│ ~ +\+500 kB {2}│ {11}├── data-cache\.bin\n/, /│ \+ +\+1\.0 MB {2}│ {11}├── index-0001\.json\n/],
			collapsed: [/│ {4}Size B {4}Delta {2}Filetree\n/, /│>~ +2\.5 MB +\+1\.5 MB {2}│ {7}└─⊕ cache\n/], layers: /── Layers ─+ only A 1 · B 2 ─│/},
		{width: 75, height: 24, summary: [/^ +A +B +Delta │/m, /^size +2\.5 MB 5\.5 MB \+3\.0 MB │/m, /^eff\. +100\.0% +72\.9% -27\.1pt │/m, /^recl\. +0 B 1\.5 MB \+1\.5 MB │/m],
			tree: [/│ {6}Delta {2}Filetree\n/, /│ ~ +\+500 kB {2}│ {11}├── data-cache\.bin\n/],
			collapsed: [/│ {4}Size B {4}Delta {2}Filetree\n/, /│>~ +2\.5 MB +\+1\.5 MB {2}│ {7}└─⊕ cache\n/], layers: /── Layers ─+ only A 1 · B 2 ─│/},
		{width: 60, height: 20, snapshot: 'compare-60x20', summary: [/^ +B +Delta│/m, /^size +5\.5 MB \+3\.0 MB│/m, /^effic\. +72\.9% -27\.1pt│/m, /^files +1,249 +\+41│/m],
			tree: [/│ {3}Filetree\n/, /│ ~ │ {11}├── data-cache\.bin\n/, /│ \+ │ {11}├── index-0001\.json\n/],
			collapsed: [/│ {6}Delta {2}Filetree\n/, /│>~ +\+1\.5 MB {2}│ {7}└─⊕ cache\n/], layers: /── Layers {2}A 1 · B 2 ─│/},
	];
	for (const {width, height, snapshot, summary, tree, collapsed, layers} of cases) {
		const ui = await drive(<CompareBrowser model={wideModel()} viewport={{width, height}} colors={false} onQuit={() => undefined}/>);
		const frame = normaliseFrame(ui.frame());
		checkFrame(frame, width, height);
		for (const pattern of [...summary, ...tree, layers]) {
			assert.match(frame, pattern, `${width}x${height}`);
		}

		assert.match(frame, /^\+41: \+1\.0 MB {2}-0: 0 B *│/m, 'the file totals whole');
		if (snapshot !== undefined) {
			assertSnapshot(snapshot, frame);
		}

		await ui.press('down', 'down', 'space');
		const short = normaliseFrame(ui.frame());
		checkFrame(short, width, height);
		for (const pattern of collapsed) {
			assert.match(short, pattern, `${width}x${height} collapsed`);
		}

		// Filtered and sorted by delta: still within the width, help and quit kept.
		await ui.press('ctrl+o', 'ctrl+o', '/', ...'cache');
		checkFrame(ui.frame(), width, height, /Esc Clear {2}\^C Quit$/);
		assert.match(ui.frame(), /Filter \(regex on path\): cache/);
		await ui.press('enter', 'space', 'G');
		checkFrame(ui.frame(), width, height);
		ui.unmount();
	}
});

test('compare UI at 200x60: the roomy layout (A, B and delta columns, long labels, every bar item)', async () => {
	const ui = await drive(<CompareBrowser model={wideModel()} viewport={{width: 200, height: 60}} colors={false} onQuit={() => undefined}/>);
	const frame = normaliseFrame(ui.frame());
	checkFrame(frame, 200, 60);
	assert.match(frame, /^reclaim +0 B +1\.5 MB +\+1\.5 MB│/m);
	assert.match(frame, /│ +Size A +Size B +Delta {2}Filetree\n/);
	assert.match(frame, /── Layers ─+ 1 only A · 2 only B ─│/);
	assert.match(frame, /1 shared from the base \(1\.5 MB\)/);
	assert.match(frame, /\^O Sort: name {2}v View {2}\^E Extract {2}\^F Filter {2}\? Help {2}q Quit\n?$/);
	assertSnapshot('compare-200x60', frame);
	ui.unmount();
});

test('compare layers pane: the title keeps its counts whole in ever narrower panes (forms most telling first)', async () => {
	const expected: Array<[number, RegExp]> = [[40, /── Layers ─+ 1 only A · 2 only B ─/], [30, /── Layers ─+ only A 1 · B 2 ─/], [22, /── Layers {2}A 1 · B 2 ─/], [20, /── Layers ─+ -1 \+2 ─/], [18, /── Layers {2}-1 \+2 ─/]];
	for (const [width, title] of expected) {
		const ui = await drive(<CompareLayersPane layers={wideModel().comparison.layers} width={width} height={6} colors={false}/>);
		const lines = normaliseFrame(ui.frame()).split('\n');
		assert.match(lines[0]!, title, `${width} wide`);
		assert.ok(lines.every(line => displayWidth(line) <= width), `${width} wide`);
		ui.unmount();
	}
});

test('compare tree columns: names get the room first, the columns go A first, then B, then the delta', () => {
	// [tree pane width, widest name in view (glyphs included), columns]
	const expected: Array<[number, number, CompareColumns]> = [
		[200, 0, 'all'], [58, 0, 'all'], [57, 0, 'b-delta'], [45, 0, 'b-delta'], [44, 0, 'delta'], [37, 0, 'delta'], [36, 0, 'none'], [19, 0, 'none'],
		[58, 24, 'all'], [58, 25, 'b-delta'], [49, 28, 'b-delta'], [49, 29, 'delta'], [49, 36, 'delta'], [49, 37, 'none'], [49, 200, 'none'], [37, 24, 'delta'], [37, 25, 'none'], [36, 10, 'none'],
	];
	for (const [width, need, columns] of expected) {
		assert.equal(compareColumnsFor(width, need), columns, `tree pane ${width} wide, names ${need}`);
	}

	// Each header ends its column titles where the figures end.
	for (const columns of ['all', 'b-delta', 'delta', 'none'] as const) {
		assert.equal(displayWidth(compareTreeHeader(columns)), 3 + compareColumnWidths[columns] + 'Filetree'.length, columns);
	}
});

test('compare summary: at every left-column width from 14 to 64, rows fit and the deltas are whole', () => {
	const {comparison} = wideModel();
	const deltas = ['+3.0 MB', '-27.1pt', '+3.0 MB', '+1.5 MB', '0 B', '+41'];
	for (let width = 14; width <= 64; width++) {
		const {header, rows, totals} = compareSummaryText(comparison, width);
		for (const line of [header, ...rows, ...totals.map(total => total.text)]) {
			assert.ok(displayWidth(line) <= width, `${width}: ${JSON.stringify(line)}`);
		}

		assert.match(header, /Delta$/);
		for (const [index, row] of rows.entries()) {
			assert.ok(row.endsWith(` ${deltas[index]!}`), `${width}: ${JSON.stringify(row)}`);
		}

		// B's column goes last but one: when shown, its figures are whole.
		assert.equal(/ B /.test(`${header} `), rows[0]!.includes(' 5.5 MB '), `${width}: ${header}`);
	}

	assert.deepEqual(compareSummaryText(comparison, 14).totals.map(total => total.kind), ['added', 'removed', 'modified']);
});

test('compare help (?) lists the keys that work in compare, not the browser\'s layer, pane and file keys', async () => {
	const ui = await drive(<CompareBrowser model={model()} viewport={{width: 100, height: 60}} colors={false} onQuit={() => undefined}/>);
	await ui.press('?');
	const help = ui.frame();
	assert.match(help, /Keys \(\? or Esc closes\)/);
	assert.match(help, /Sort by name, by size in B, or by the size change/);
	assert.match(help, /Filter files by a regex/);
	for (const absent of ['Next pane', 'Layers pane', 'View the file', 'Extract the file', 'Layer details pane', 'selected layer only']) {
		assert.ok(!help.includes(absent), absent);
	}

	ui.unmount();
});

test('compare UI: v, Enter on a file, Ctrl-E, Tab and Ctrl-L (the browser\'s file, pane and layer keys) change nothing, and q still quits', async () => {
	let quit = 0;
	const ui = await drive(<CompareBrowser model={model()} viewport={viewport} colors={false} onQuit={() => {
		quit++;
	}}/>);
	// Onto a file: app/cache/x.
	await ui.press('down', 'down');
	const before = ui.frame();
	assert.match(before, />- .*├── x\n/);
	await ui.pressInert('v', 'enter', 'ctrl+e', 'tab', 'ctrl+l');
	assert.equal(ui.frame(), before);

	await ui.press('q');
	assert.equal(quit, 1, 'q quits: no hidden viewer took it');
	ui.unmount();
});

test('compare UI below 20×8: the message with the size needed instead of panes that would scroll off', async () => {
	const ui = await drive(<CompareBrowser model={model()} viewport={{width: 30, height: 7}} colors={false} onQuit={() => undefined}/>);
	assert.match(ui.frame().replaceAll(/\s+/g, ' '), /Terminal too small: layerscope needs 20 columns and 9 rows/);
	assert.doesNotMatch(ui.frame(), /Summary|Filetree/);
	ui.unmount();
});
