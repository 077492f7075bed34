// `layerscope compare` through the built CLI on dive's fixture archives (no daemon): outputs, the gate's exit
// codes, errors naming the side.
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {runCli} from '../helpers/cli.js';
import {diveFixture} from '../helpers/fixtures.js';

const work = mkdtempSync(path.join(tmpdir(), 'layerscope-compare-cli-'));
after(() => {
	rmSync(work, {recursive: true, force: true});
});

const a = diveFixture('test-docker-image.tar');
const b = diveFixture('test-kaniko-image.tar');

test('text when piped, --json FILE instead of it, --markdown', async () => {
	const text = await runCli(['compare', a, b]);
	assert.equal(text.code, 0, text.stderr);
	assert.match(text.stdout, /^A: test-docker-image\.tar \(/);
	assert.match(text.stdout, /\nLayers: 0 shared \(0 B\), 14 only in A, 14 only in B\n/);
	assert.match(text.stdout, /\nFiles: 18 changed paths\n {2}added {12}7/);
	assert.match(text.stdout, /\n~ +1\.08 MB +1\.15 MB +\+69\.6 kB +content,size +\/bin\/\[\n/, 'largest change first');

	const file = path.join(work, 'out.json');
	const json = await runCli(['compare', a, b, '--json', file]);
	assert.equal(json.code, 0, json.stderr);
	assert.equal(json.stdout, '');
	const document = JSON.parse(readFileSync(file, 'utf8')) as {summary: {added: number; removed: number; modified: number}; changes: unknown[]; contentBasis: string};
	assert.deepEqual(document.summary.added + document.summary.removed + document.summary.modified, document.changes.length);
	assert.equal(document.contentBasis, 'digest');

	const markdown = await runCli(['compare', a, b, '--markdown']);
	assert.equal(markdown.code, 0, markdown.stderr);
	// Both to standard output: a usage error, not one of them dropped.
	const both = await runCli(['compare', a, b, '--markdown', '--json', '-']);
	assert.equal(both.code, 2);
	assert.equal(both.stdout, '');
	assert.equal(both.stderr, 'layerscope: --markdown and --json - both write to standard output: give --json a file, or leave one out\n');
	assert.match(markdown.stdout, /^### Image comparison: /);
	assert.match(markdown.stdout, /\n\| files \| 423 \| 429 \| \+6 \|\n/);
});

test('the gate: 0 when every rule passes, 1 when one fails, 2 for a bad value or an unreadable image', async () => {
	const pass = await runCli(['compare', a, b, '--highest-added-files', '7', '--highest-size-increase', '10%']);
	assert.equal(pass.code, 0, pass.stdout + pass.stderr);
	assert.match(pass.stdout, /\nPASS \[pass:2 skip:2\]\n$/);
	const fail = await runCli(['compare', a, b, '--ci', '--highest-size-increase', '5%', '--markdown']);
	assert.equal(fail.code, 1, fail.stdout + fail.stderr);
	assert.match(fail.stdout, /\*\*FAIL \[fail:1 skip:3\]\*\*/);
	assert.match(fail.stdout, /❌ `highestSizeIncrease` \(image grew too much \(size-increase=\+105812 bytes = 8\.67% of A > threshold=5%\)\)/);
	const bad = await runCli(['compare', a, b, '--highest-added-files', 'many']);
	assert.equal(bad.code, 2);
	assert.equal(bad.stderr, 'layerscope: --highest-added-files: invalid highestAddedFiles value "many": not a whole number\n');
	const missing = await runCli(['compare', a, path.join(work, 'missing.tar')]);
	assert.equal(missing.code, 2);
	assert.match(missing.stderr, /^layerscope: B: no such file or directory: .*missing\.tar\n$/);
	const one = await runCli(['compare', a]);
	assert.equal(one.code, 2);
	assert.match(one.stderr, /compare needs two images, A and B/);
});
