// Pane heights of the left column (src/ui/state/layout.ts) for the terminal sizes a newcomer uses.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {computeLayout, detailsExtra, detailsLines, fewLayers} from '../../src/ui/state/layout.js';
import type {UiState} from '../../src/ui/state/types.js';

const state = (width: number, height: number, focus?: UiState['focus']) => ({
	viewport: {width, height},
	filter: {open: false, text: '', applied: '', error: undefined},
	tree: {attributes: true} as UiState['tree'],
	focus,
});

test('a short layer list is shown whole at 80×24 (23 rows drawn), the inefficient files\' table giving way until Image details has the focus', () => {
	const counts = {layerCount: 6, noteCount: 0, inefficiencyCount: 4};
	const layout = computeLayout(state(80, 23), counts);
	assert.equal(layout.layerRows, 6);
	assert.equal(layout.layersHeight + layout.detailsHeight + layout.imageHeight, layout.bodyHeight);
	assert.equal(layout.imageRows, 0);
	const focused = computeLayout(state(80, 23, 'image'), counts);
	assert.ok(focused.imageRows >= 2, 'with the focus, the table shows');
	assert.ok(focused.layerRows < 6);
	// A long list scrolls in its share, and the table keeps its rows.
	const long = computeLayout(state(80, 23), {...counts, layerCount: fewLayers + 4});
	assert.ok(long.layerRows < 10);
	assert.ok(long.imageRows >= 2);
});

test('Layer details takes the rows Image details would leave empty, up to detailsExtra lines more', () => {
	const counts = {layerCount: 6, noteCount: 0, inefficiencyCount: 4};
	const tall = computeLayout(state(200, 59), counts);
	assert.equal(tall.detailsHeight, detailsLines + detailsExtra);
	assert.ok(tall.imageRows >= 4, 'the image pane keeps what it shows');
	assert.equal(tall.layersHeight + tall.detailsHeight + tall.imageHeight, tall.bodyHeight);
	// No spare rows: the details keep their 7 lines.
	assert.equal(computeLayout(state(100, 30), {...counts, inefficiencyCount: 40}).detailsHeight, detailsLines);
	// No more than the longest layer's details need (title + lines).
	assert.equal(computeLayout(state(200, 59), {...counts, detailLines: () => 8}).detailsHeight, 9);
	assert.equal(computeLayout(state(200, 59), {...counts, detailLines: () => 3}).detailsHeight, detailsLines);
	// A few spare rows: exactly those.
	const some = computeLayout(state(100, 31), counts);
	assert.equal(some.detailsHeight - detailsLines, some.bodyHeight - some.layersHeight - detailsLines - (1 + 6 + 1 + 4));
});
