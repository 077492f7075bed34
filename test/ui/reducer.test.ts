// The reducer, without rendering: every command and the key resolution, on the dive fixture and small images.
import assert from 'node:assert/strict';
import {before, test} from 'node:test';
import type {LayerEntry, RawImage} from '../../src/analysis/types.js';
import {analyzeImage} from '../../src/analysis/analyze.js';
import {BrowserModel} from '../../src/ui/state/model.js';
import {initialState, reduce} from '../../src/ui/state/reducer.js';
import type {Action, CommandId, UiState} from '../../src/ui/state/types.js';
import {diveFixture, loadArchive} from '../helpers/fixtures.js';

let dive: BrowserModel;

before(async () => {
	dive = new BrowserModel(await loadArchive(diveFixture('test-docker-image.tar')));
});

const file = (path: string, size = 1, extra: Partial<LayerEntry> = {}): LayerEntry => ({path, type: 'file', mode: 0o644, uid: 0, gid: 0, size, ...extra});
const dir = (path: string): LayerEntry => ({path, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0});

function modelOf(layers: LayerEntry[][]): BrowserModel {
	const image: RawImage = {
		name: 'small',
		tags: [],
		config: {id: '', os: 'linux', architecture: 'amd64', created: ''},
		layers: layers.map((entries, index) => ({
			id: `l${index}`,
			digest: '',
			diffId: '',
			command: `step ${index}`,
			created: '',
			contents: {entries, tarBytes: 0, blobBytes: 0, compression: 'none'},
		})),
	};
	return new BrowserModel({image, analysis: analyzeImage(image)});
}

function start(model: BrowserModel, overrides: Partial<UiState> = {}, viewport = {width: 120, height: 40}): UiState {
	return reduce(model, initialState(viewport, overrides), {type: 'resize', viewport});
}

function apply(model: BrowserModel, state: UiState, ...actions: Array<CommandId | Action>): UiState {
	let current = state;
	for (const action of actions) {
		current = reduce(model, current, typeof action === 'string' ? {type: 'command', command: action} : action);
	}

	return current;
}

const key = (name: string, text?: string): Action => ({type: 'key', name, text});

function selectedPath(model: BrowserModel, state: UiState): string | undefined {
	const node = model.rows(state).nodes[state.tree.cursor];
	return node === undefined ? undefined : model.union.paths[node];
}

test('Tab and Shift-Tab cycle the panes: layers → tree → layer details → image', () => {
	let state = start(dive);
	assert.equal(state.focus, 'layers');
	state = apply(dive, state, key('tab'));
	assert.equal(state.focus, 'tree');
	state = apply(dive, state, key('tab'));
	assert.equal(state.focus, 'details');
	state = apply(dive, state, key('tab'));
	assert.equal(state.focus, 'image');
	state = apply(dive, state, key('tab'));
	assert.equal(state.focus, 'layers');
	state = apply(dive, state, key('shift+tab'));
	assert.equal(state.focus, 'image');
});

test('moving in the layers pane selects the layer; Enter goes to its tree', () => {
	let state = start(dive);
	state = apply(dive, state, key('down'), key('j'));
	assert.equal(state.layer, 2);
	state = apply(dive, state, key('k'));
	assert.equal(state.layer, 1);
	state = apply(dive, state, key('G'));
	assert.equal(state.layer, 13);
	state = apply(dive, state, key('down'));
	assert.equal(state.layer, 13, 'stops at the last layer');
	state = apply(dive, state, key('g'));
	assert.equal(state.layer, 0);
	state = apply(dive, state, key('up'));
	assert.equal(state.layer, 0);
	state = apply(dive, state, key('end'), key('home'), key('pgdn'));
	assert.ok(state.layer > 1 && state.layer <= 13);
	state = apply(dive, state, key('pgup'));
	assert.equal(state.layer, 0);
	state = apply(dive, state, key('enter'));
	assert.equal(state.focus, 'tree');
});

test('the layers pane scrolls to keep the selected layer in view', () => {
	// 14 layers in a small terminal: the layers pane holds fewer rows.
	let state = start(dive, {}, {width: 100, height: 16});
	const {layerRows} = dive.layout(state);
	assert.ok(layerRows < 14);
	state = apply(dive, state, key('G'));
	assert.equal(state.layerTop, 14 - layerRows);
	state = apply(dive, state, key('g'));
	assert.equal(state.layerTop, 0);
});

test('tree cursor: up/down, page, home/end, with the window following', () => {
	let state = start(dive, {focus: 'tree'}, {width: 120, height: 13});
	const rows = dive.layout(state).treeRows;
	assert.equal(rows, 10);
	state = apply(dive, state, key('j'), key('down'));
	assert.equal(state.tree.cursor, 2);
	state = apply(dive, state, key('up'));
	assert.equal(state.tree.cursor, 1);
	state = apply(dive, state, key('d'));
	assert.deepEqual([state.tree.cursor, state.tree.top], [10, 9]);
	state = apply(dive, state, key('u'));
	assert.deepEqual([state.tree.cursor, state.tree.top], [1, 0]);
	state = apply(dive, state, key('end'));
	assert.deepEqual([state.tree.cursor, state.tree.top], [414, 405]);
	state = apply(dive, state, key('down'));
	assert.equal(state.tree.cursor, 414);
	state = apply(dive, state, key('home'));
	assert.deepEqual([state.tree.cursor, state.tree.top], [0, 0]);
});

test('Space collapses and expands the directory under the cursor; a file ignores it', () => {
	let state = start(dive, {focus: 'tree'});
	assert.equal(dive.rows(state).count, 415);
	state = apply(dive, state, key('space'));
	assert.equal(dive.rows(state).count, 21);
	state = apply(dive, state, key('space'));
	assert.equal(dive.rows(state).count, 415);
	state = apply(dive, state, key('j'));
	assert.equal(selectedPath(dive, state), '/bin/[');
	assert.equal(apply(dive, state, key('space')), state);
});

test('Ctrl-Space collapses and expands every directory', () => {
	let state = start(dive, {focus: 'tree'});
	state = apply(dive, state, key('space'), key('ctrl+space'));
	assert.equal(dive.rows(state).count, 8);
	assert.equal(state.tree.toggled.size, 0, 'collapse-all overrides single toggles');
	state = apply(dive, state, key('ctrl+space'));
	assert.equal(dive.rows(state).count, 415);
});

test('← collapses an open directory, then goes to the parent; → expands, then goes in', () => {
	let state = start(dive, {focus: 'tree'});
	state = apply(dive, state, key('j'), key('j'));
	assert.equal(selectedPath(dive, state), '/bin/[[');
	state = apply(dive, state, key('h'));
	assert.equal(selectedPath(dive, state), '/bin');
	state = apply(dive, state, key('left'));
	assert.equal(dive.rows(state).count, 21, "/bin collapsed");
	assert.equal(apply(dive, state, key('h')), state, 'a top-level node has no parent to go to');
	state = apply(dive, state, key('l'));
	assert.equal(dive.rows(state).count, 415, '/bin expanded again');
	assert.equal(selectedPath(dive, state), '/bin');
	state = apply(dive, state, key('right'));
	assert.equal(selectedPath(dive, state), '/bin/[');
	assert.equal(apply(dive, state, key('right')), state, 'a file does not expand');
});

test('Ctrl-L / Ctrl-A switch compare modes; in the tree pane Ctrl-A hides added files instead', () => {
	let state = start(dive);
	state = apply(dive, state, key('ctrl+a'));
	assert.equal(state.mode, 'aggregated');
	state = apply(dive, state, key('ctrl+l'));
	assert.equal(state.mode, 'layer');
	state = apply(dive, state, key('shift+tab'), key('ctrl+a'));
	assert.equal(state.focus, 'image');
	assert.equal(state.mode, 'aggregated');
	state = apply(dive, state, key('tab'), key('tab'), key('ctrl+a'));
	assert.equal(state.focus, 'tree');
	assert.equal(state.mode, 'aggregated');
	assert.equal(state.tree.hidden.added, true);
	state = apply(dive, state, key('ctrl+l'));
	assert.equal(state.mode, 'layer', 'Ctrl-L works from the tree pane too');
});

test('Ctrl-A/R/M/U hide kinds in the tree pane; Ctrl-M arrives as Enter', () => {
	let state = start(dive, {focus: 'tree'});
	state = apply(dive, state, {type: 'select-layer', layer: 7}, key('ctrl+r'), key('ctrl+u'));
	assert.deepEqual(state.tree.hidden, {added: false, removed: true, modified: false, unmodified: true});
	// /root/example is modified (a file in it was removed), so it stays.
	assert.deepEqual([...dive.rows(state).nodes].map(node => dive.union.paths[node]), ['/root', '/root/example', '/root/saved.txt']);
	state = apply(dive, state, key('enter'), key('ctrl+m'));
	assert.equal(state.tree.hidden.modified, false);
	state = apply(dive, state, key('ctrl+m'));
	assert.equal(state.tree.hidden.modified, true);
	assert.equal(dive.rows(state).count, 2, 'a modified parent stays to hold a visible child');
});

test('Ctrl-B toggles attributes (the layout hides them below 60 columns anyway); Ctrl-O sorts by size', () => {
	let state = start(dive, {focus: 'tree'});
	state = apply(dive, state, key('ctrl+b'));
	assert.equal(state.tree.attributes, false);
	assert.equal(dive.layout(state).attributes, false);
	state = apply(dive, state, key('ctrl+b'));
	assert.equal(dive.layout(state).attributes, true);
	assert.equal(dive.layout(apply(dive, state, {type: 'resize', viewport: {width: 59, height: 40}})).attributes, false);
	state = apply(dive, state, key('space'), key('ctrl+o'));
	assert.equal(state.tree.sort, 'size');
	assert.equal(selectedPath(dive, state), '/bin', 'the selection follows the node');
	assert.deepEqual([...dive.rows(state).nodes].slice(0, 4).map(node => dive.union.paths[node]), ['/bin', '/etc', '/etc/passwd', '/etc/group']);
	state = apply(dive, state, key('ctrl+o'));
	assert.equal(state.tree.sort, 'name');
});

test('changing layer keeps the selected file selected, or its nearest listed parent', () => {
	let state = start(dive, {focus: 'tree'});
	state = apply(dive, state, {type: 'select-layer', layer: 13}, 'mode.aggregated', key('space'));
	const row = [...dive.rows(state).nodes].findIndex(node => dive.union.paths[node] === '/root/example/somefile2.txt');
	state = apply(dive, state, {type: 'command', command: 'cursor.home'});
	for (let index = 0; index < row; index++) {
		state = apply(dive, state, key('j'));
	}

	assert.equal(selectedPath(dive, state), '/root/example/somefile2.txt');
	state = apply(dive, state, {type: 'select-layer', layer: 5}, 'mode.layer');
	assert.equal(selectedPath(dive, state), '/root/example/somefile2.txt');
	state = apply(dive, state, {type: 'select-layer', layer: 4});
	assert.equal(selectedPath(dive, state), '/root/example', 'somefile2 does not exist yet: its directory is selected');
	state = apply(dive, state, {type: 'select-layer', layer: 13});
	assert.equal(selectedPath(dive, state), '/root', 'layer 13 alone does not list /root/example (removed in layer 9)');
});

test('filter: / opens the input, typing filters live, an invalid regex is reported and the last valid one kept', () => {
	let state = start(dive, {focus: 'tree'});
	state = apply(dive, state, key('/'));
	assert.equal(state.filter.open, true);
	for (const char of 'network') {
		state = apply(dive, state, key(char, char));
	}

	assert.deepEqual(state.filter, {open: true, text: 'network', applied: 'network', error: undefined});
	assert.equal(dive.rows(state).count, 6);
	state = apply(dive, state, key('(', '('));
	assert.equal(state.filter.applied, 'network');
	assert.match(state.filter.error ?? '', /Unterminated group/);
	assert.equal(dive.rows(state).count, 6);
	state = apply(dive, state, key('backspace'));
	assert.deepEqual(state.filter, {open: true, text: 'network', applied: 'network', error: undefined});
	// Keys that mean something elsewhere are text here; arrows still move in the tree.
	state = apply(dive, state, key('q', 'q'), key('backspace'), key('down'));
	assert.equal(state.quit, false);
	assert.equal(state.tree.cursor, 1);
	state = apply(dive, state, key('enter'));
	assert.deepEqual(state.filter, {open: false, text: 'network', applied: 'network', error: undefined});
	state = apply(dive, state, key('ctrl+f'), key('esc'));
	assert.deepEqual(state.filter, {open: false, text: '', applied: '', error: undefined});
	assert.equal(dive.rows(state).count, 415);
});

test('? opens the full help; while open only ?, Esc, quit and scrolling keys act', () => {
	let state = start(dive);
	state = apply(dive, state, key('?'));
	assert.equal(state.help, true);
	assert.equal(apply(dive, state, key('ctrl+a')), state);
	assert.equal(apply(dive, state, key('tab')), state);
	assert.equal(apply(dive, state, key('?')).help, false);
	assert.equal(apply(dive, state, key('esc')).help, false);
	assert.equal(apply(dive, state, key('q')).quit, true);
});

test('q and Ctrl-C quit', () => {
	assert.equal(apply(dive, start(dive), key('q')).quit, true);
	assert.equal(apply(dive, start(dive, {focus: 'tree'}), key('ctrl+c')).quit, true);
});

test('the image pane scrolls the inefficient-files table', () => {
	const layers: LayerEntry[][] = [[dir('d')]];
	for (let index = 0; index < 3; index++) {
		layers.push(Array.from({length: 30}, (_, n) => file(`d/f${n}`, n + 1 + index)));
	}

	const model = modelOf(layers);
	assert.equal(model.inefficiencyCount, 30);
	let state = start(model, {focus: 'image'}, {width: 120, height: 30});
	const {imageRows} = model.layout(state);
	assert.ok(imageRows > 0 && imageRows < 30);
	state = apply(model, state, key('j'), key('j'));
	assert.equal(state.imageTop, 2);
	state = apply(model, state, key('k'));
	assert.equal(state.imageTop, 1);
	state = apply(model, state, key('G'));
	assert.equal(state.imageTop, 30 - imageRows);
	state = apply(model, state, key('j'));
	assert.equal(state.imageTop, 30 - imageRows);
	state = apply(model, state, key('pgup'), key('g'));
	assert.equal(state.imageTop, 0);
});

test('resize keeps the cursor on screen and re-lays the panes', () => {
	let state = start(dive, {focus: 'tree'}, {width: 120, height: 60});
	state = apply(dive, state, key('end'));
	assert.equal(state.tree.cursor, 414);
	state = apply(dive, state, {type: 'resize', viewport: {width: 80, height: 20}});
	const layout = dive.layout(state);
	assert.ok(state.tree.cursor >= state.tree.top && state.tree.cursor < state.tree.top + layout.treeRows);
	assert.equal(layout.width, 80);
	assert.ok(layout.leftWidth < 40, 'the layers column shrinks below 90 columns');
	assert.equal(apply(dive, state, {type: 'resize', viewport: {width: 80, height: 20}}), state);
});

test('keys nobody binds change nothing', () => {
	const state = start(dive);
	assert.equal(apply(dive, state, key('z', 'z')), state);
	assert.equal(apply(dive, state, key('ctrl+z')), state);
});
