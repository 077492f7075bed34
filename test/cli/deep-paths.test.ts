// Deep, long, distinct paths (the kind of case a08 that the reader's 4096-byte name limit lets through): the tree
// of N files each 61 components deep holds N × 61 nodes and O(N · 61²) bytes of paths. Under the analysis path
// budget the image analyses and `tree` streams its listing; over it, every command refuses with one line.
import assert from 'node:assert/strict';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {runMeasured} from '../helpers/crafted.js';
import {deepNodeCount, writeDeepImage} from '../helpers/deep-image.js';

const rssLimitMb = 400;
const refusal = /^layerscope: the image's paths add up to over 512 MiB across its tree nodes \(deep, long paths\); over the analysis budget\n$/;
let dir = '';
let small = '';
let large = '';
const smallShape = {entries: 300};
// 5,000 × (61 nodes, paths averaging ~1.9 KB): 576 MB of paths, past the 512 MiB budget.
const largeShape = {entries: 5000};

before(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'layerscope-deep-'));
	small = path.join(dir, 'small.tar');
	large = path.join(dir, 'large.tar');
	await writeDeepImage(small, smallShape);
	await writeDeepImage(large, largeShape);
});

after(async () => {
	await rm(dir, {recursive: true, force: true});
});

test('a deep-path image under the budget: the report, and a tree listing of one line a node', async () => {
	const report = await runMeasured([small, '--no-cache'], {timeoutMs: 120_000});
	assert.equal(report.code, 0, report.stderr);
	assert.match(report.stdout, /18300 files in the final filesystem/);
	assert.ok(report.peakMb < rssLimitMb, `report peak ${report.peakMb} MB`);

	const tree = await runMeasured(['tree', small, '--no-cache'], {timeoutMs: 120_000});
	assert.equal(tree.code, 0, tree.stderr);
	const lines = tree.stdout.split('\n');
	assert.equal(lines.pop(), '');
	assert.equal(lines.length, deepNodeCount(smallShape));
	assert.equal(lines.filter(line => line.startsWith('-')).length, smallShape.entries);
	assert.ok(tree.peakMb < rssLimitMb, `tree peak ${tree.peakMb} MB`);

	const json = await runMeasured(['tree', small, '--no-cache', '--json', '-'], {timeoutMs: 120_000});
	assert.equal(json.code, 0, json.stderr);
	const records = JSON.parse(json.stdout) as Array<{path: string}>;
	assert.equal(records.length, deepNodeCount(smallShape));
	assert.deepEqual(records.map(record => record.path), lines.map(line => line.slice(line.indexOf(' /') + 1)));
});

test('a deep-path image over the budget: the report, --json and tree refuse with one line, in bounded memory', async () => {
	for (const args of [[large], [large, '--json', '-'], ['tree', large]]) {
		const result = await runMeasured([...args, '--no-cache'], {timeoutMs: 120_000});
		assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
		assert.match(result.stderr, refusal);
		assert.equal(result.stdout, '');
		assert.ok(result.peakMb < rssLimitMb, `${args.join(' ')}: peak ${result.peakMb} MB`);
		assert.ok(result.seconds < 60, `${args.join(' ')}: ${result.seconds} s`);
	}
});
