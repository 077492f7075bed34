// The loading screen's headline says its verb once ("Exporting  exporting …" was the issue).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {progressHeadline} from '../../src/ui/progress-text.js';

test('a message that names its verb is the headline; otherwise the phase comes first', () => {
	assert.equal(progressHeadline('export', 'exporting app:1 from Docker'), 'Exporting app:1 from Docker');
	assert.equal(progressHeadline('pull', 'pulling nginx:1: 1/2 layers'), 'Pulling nginx:1: 1/2 layers');
	assert.equal(progressHeadline('read', 'reading demo.tar'), 'Reading demo.tar');
	assert.equal(progressHeadline('read', 'read 5 of 12 changed paths'), 'Read 5 of 12 changed paths');
	assert.equal(progressHeadline('analyse', 'analysing'), 'Analysing');
	assert.equal(progressHeadline('read', ''), 'Reading');
	assert.equal(progressHeadline('read', 'app.tar'), 'Reading  app.tar');
});
