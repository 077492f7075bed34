// The file-tree pane against dive's own render goldens (cmd/dive/cli/internal/ui/v1/viewmodel/testdata), made
// from test-docker-image.tar. Each case drives the real reducer with the same steps as dive's test and compares the
// text of the rows in the window, byte for byte (dive ends its buffer with an extra newline).
import assert from 'node:assert/strict';
import {before, test} from 'node:test';
import {BrowserModel} from '../../src/ui/state/model.js';
import {initialState, reduce} from '../../src/ui/state/reducer.js';
import type {CommandId, UiState} from '../../src/ui/state/types.js';
import {treeText} from '../../src/ui/tree-text.js';
import {diveFixture, loadArchive, readDiveSnapshot} from '../helpers/fixtures.js';

let model: BrowserModel;

before(async () => {
	model = new BrowserModel(await loadArchive(diveFixture('test-docker-image.tar')));
});

/** A state with the tree focused, `rows` tree rows on screen and attributes on or off. */
function start(rows: number, attributes: boolean): UiState {
	const state = initialState({width: 200, height: rows + 3}, {focus: 'tree'});
	return {...state, tree: {...state.tree, attributes}};
}

function run(state: UiState, ...steps: Array<CommandId | {layer: number} | {filter: string}>): UiState {
	let current = state;
	for (const step of steps) {
		if (typeof step === 'string') {
			current = reduce(model, current, {type: 'command', command: step});
		} else if ('layer' in step) {
			current = reduce(model, current, {type: 'select-layer', layer: step.layer});
		} else {
			current = reduce(model, current, {type: 'filter.set', text: step.filter});
		}
	}

	return current;
}

function windowText(state: UiState): string {
	const rows = model.rows(state);
	const layout = model.layout(state);
	assert.equal(model.layout(state).treeRows >= 1, true);
	const lines = treeText(rows, state.tree.top, state.tree.top + layout.treeRows, layout.attributes);
	return lines.map(line => `${line}\n`).join('') + '\n';
}

function assertGolden(name: string, state: UiState): void {
	assert.equal(windowText(state), readDiveSnapshot(`${name}.txt`));
}

test('TestFileTreeGoCase: layer 0, attributes on, 415 rows', () => {
	const state = start(1000, true);
	assert.equal(model.rows(state).count, 415);
	assertGolden('TestFileTreeGoCase', state);
});

test('TestFileTreeNoAttributes', () => {
	assertGolden('TestFileTreeNoAttributes', start(1000, false));
});

test('TestFileTreeRestrictedHeight: 21 rows', () => {
	assertGolden('TestFileTreeRestrictedHeight', start(21, false));
});

test('TestFileTreeDirCollapse: collapse /bin, down twice, collapse /etc', () => {
	assertGolden('TestFileTreeDirCollapse', run(start(100, true), 'tree.toggle', 'cursor.down', 'cursor.down', 'tree.toggle'));
});

test('TestFileTreeDirCollapseAll', () => {
	assertGolden('TestFileTreeDirCollapseAll', run(start(100, true), 'tree.toggleAll'));
});

test('TestFileTreeDirCursorRight: collapse /etc then expand it with →', () => {
	const state = run(start(100, true), 'tree.toggle', 'cursor.down', 'cursor.down', 'tree.toggle', 'tree.right');
	assert.equal(model.union.paths[model.rows(state).nodes[state.tree.cursor]!], '/etc');
	assertGolden('TestFileTreeDirCursorRight', state);
});

test('TestFileTreeSelectLayer: layer 1', () => {
	assertGolden('TestFileTreeSelectLayer', run(start(100, true), 'tree.toggle', {layer: 1}));
});

test('TestFileShowAggregateChanges: layers 1..13 against layer 0', () => {
	assertGolden('TestFileShowAggregateChanges', run(start(100, true), 'tree.toggle', 'mode.aggregated', {layer: 13}));
});

test('TestFileTreeHideAddedRemovedModified (aggregated, layer 7)', () => {
	const state = run(start(100, true), 'tree.toggle', 'mode.aggregated', {layer: 7}, 'tree.hide.added', 'tree.hide.modified', 'tree.hide.removed');
	assertGolden('TestFileTreeHideAddedRemovedModified', state);
});

test('TestFileTreeHideUnmodified (aggregated, layer 7)', () => {
	assertGolden('TestFileTreeHideUnmodified', run(start(100, true), 'tree.toggle', 'mode.aggregated', {layer: 7}, 'tree.hide.unmodified'));
});

test('TestFileTreeHideTypeWithFilter: hide added + filter "saved" leaves nothing', () => {
	const state = run(start(100, true), 'tree.toggle', 'mode.aggregated', {layer: 7}, 'tree.hide.added', {filter: 'saved'});
	assert.equal(model.rows(state).count, 0);
	assertGolden('TestFileTreeHideTypeWithFilter', state);
});

test('TestFileTreeFilterTree: regex "network"', () => {
	assertGolden('TestFileTreeFilterTree', run(start(1000, true), {filter: 'network'}));
});

test('TestFileTreePageDown: three pages of a 10-row window', () => {
	assertGolden('TestFileTreePageDown', run(start(10, true), 'page.down', 'page.down', 'page.down'));
});

test('TestFileTreePageUp: two pages down, one up', () => {
	assertGolden('TestFileTreePageUp', run(start(10, true), 'page.down', 'page.down', 'page.up'));
});
