// The Layer details pane's lines: nothing cut, values wrapped where a reader expects.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {layerDetailLines} from '../../src/ui/details-text.js';
import {BrowserModel} from '../../src/ui/state/model.js';
import {demoImage, loadArchive} from '../helpers/fixtures.js';
import {displayWidth} from '../../src/ui/text-width.js';

test('the creation time is never split: a pane too narrow for label and value puts the value on the next line', async () => {
	const model = new BrowserModel(await loadArchive(await demoImage()));
	const created = model.data.analysis.layers[0]!.created;
	assert.ok(created.length > 20, created);
	for (const width of [30, 31, 40]) {
		const lines = layerDetailLines(model, 0, width);
		assert.ok(lines.every(line => displayWidth(line) <= width), `width ${width}`);
		const index = lines.findIndex(line => line.startsWith('Created:'));
		const value = lines.slice(index, index + 2).join('');
		assert.ok(value.includes(created), `width ${width}: ${lines.slice(index, index + 2).join(' | ')}`);
	}

	// Wide enough: one line.
	assert.ok(layerDetailLines(model, 0, 60).includes(`Created: ${created}`));
});
