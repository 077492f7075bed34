import assert from 'node:assert/strict';
import {test} from 'node:test';
import {compareImages} from '../../src/analysis/compare.js';
import {compareJson} from '../../src/report/compare-json.js';
import {code, formatCompareMarkdown} from '../../src/report/compare-markdown.js';
import {formatCompareText} from '../../src/report/compare-text.js';
import {dir, file, image, link, samplePair, side} from '../helpers/compare-images.js';

test('text: figures with deltas, layers only on one side, totals, then changes largest first', () => {
	const {comparison} = samplePair();
	const text = formatCompareText(comparison);
	assert.equal(text, [
		'A: app:main (appmain01234)',
		'B: app:pr (apppr0123456)',
		'',
		'                      A        B     Delta',
		'  size          12.4 kB  14.1 kB   +1.7 kB',
		'  efficiency   100.00 %  96.45 %  -3.55 pt',
		'  wasted            0 B    500 B    +500 B',
		'  reclaimable       0 B    500 B    +500 B',
		'  duplicate         0 B      0 B       0 B',
		'  files               7        7         0',
		'',
		'Layers: 1 shared (10.1 kB), 1 only in A, 2 only in B',
		'  A  1  2.3 kB  step 1 of app:main',
		'  B  1    4 kB  step 1 of app:pr',
		'  B  2     0 B  RUN rm /app/tmp',
		'',
		'Files: 3 changed paths',
		'  added            1       +1 kB',
		'  removed          1      -300 B',
		'  modified         1      +500 B  (2 kB → 2.5 kB)',
		'File contents compared by size only (no content digests): a change that keeps the size is not seen.',
		'',
		'   Size A  Size B   Delta  What          Path',
		'~    2 kB  2.5 kB  +500 B  content,size  /app/main.js',
		'+       -    1 kB   +1 kB                /app/new.bin',
		'-   300 B       -  -300 B                /app/old.js',
		'',
	].join('\n'));
});

test('text: untrusted names and commands are escaped; links and replaced types are shown', () => {
	const a = image('a', [{diffId: 'sha256:1', entries: [link('l', 'one'), dir('d'), file('evil\u001B[2Jname', 3)], command: 'RUN \u001B]0;title\u0007'}]);
	const b = image('b', [{diffId: 'sha256:2', entries: [link('l', 'two'), file('d', 4)]}]);
	const text = formatCompareText(compareImages(side(a), side(b)));
	assert.ok(!text.includes('\u001B'), 'no raw escape character');
	assert.match(text, /RUN \\x1b]0;title\\x07/);
	assert.match(text, /evil\\x1b\[2Jname/);
	assert.match(text, /\/l → two \(was one\)/);
	assert.match(text, /\/d {2}\(dir → file\)/);
});

test('JSON: the shape of the issue, absolute paths, null sizes for a missing side', () => {
	const {comparison} = samplePair();
	const json = JSON.parse(JSON.stringify(compareJson(comparison))) as Record<string, unknown>;
	assert.deepEqual(Object.keys(json), ['a', 'b', 'delta', 'layers', 'summary', 'contentBasis', 'changes']);
	assert.deepEqual(Object.keys(json['a'] as object), ['ref', 'id', 'sizeBytes', 'efficiencyScore', 'inefficientBytes', 'reclaimableBytes', 'duplicateBytes', 'fileCount']);
	assert.deepEqual(json['changes'], [
		{path: '/app/main.js', kind: 'modified', type: 'file', sizeA: 2000, sizeB: 2500, reasons: ['content', 'size']},
		{path: '/app/new.bin', kind: 'added', type: 'file', sizeA: null, sizeB: 1000, reasons: []},
		{path: '/app/old.js', kind: 'removed', type: 'file', sizeA: 300, sizeB: null, reasons: []},
	]);
	assert.deepEqual(json['summary'], {added: 1, removed: 1, modified: 1, addedBytes: 1000, removedBytes: 300, modifiedBytesA: 2000, modifiedBytesB: 2500, sizeDelta: 1700});
	assert.deepEqual((json['layers'] as {shared: number}).shared, 1);
	assert.deepEqual(Object.keys(compareJson(comparison, {ci: {pass: true}}) as object).at(-1), 'ci');
});

test('Markdown: a table of figures, the largest changes cut to the top N, names that cannot break the table', () => {
	const {comparison} = samplePair();
	const markdown = formatCompareMarkdown(comparison, {top: 2});
	assert.match(markdown, /^### Image comparison: `app:main \(appmain01234\)` → `app:pr \(apppr0123456\)`\n/);
	assert.match(markdown, /\n\| size \| 12\.4 kB \| 14\.1 kB \| \+1\.7 kB \|\n/);
	assert.match(markdown, /\*\*Largest changes\*\* \(2 of 3\):/);
	assert.equal(markdown.match(/^\| (➕|➖|✏️)/gmu)?.length, 2);
	assert.equal(code('a|b`c'), '``a\\|b`c``');
	assert.equal(code('`x'), '`` `x ``');
});

test('markdown: a long command is cut with … and its backslashes read as typed', () => {
	const long = `/bin/sh -c printf 'a\\nb' && ${'x'.repeat(400)}`;
	const a = image('a', [{diffId: 'sha256:1', entries: [file('f', 1)], command: 'ADD rootfs /'}]);
	const b = image('b', [{diffId: 'sha256:2', entries: [file('f', 2)], command: long}]);
	const markdown = formatCompareMarkdown(compareImages(side(a), side(b)));
	const row = markdown.split('\n').find(line => line.includes("printf 'a\\nb'"));
	assert.ok(row, markdown);
	assert.match(row, /x…` \|$/);
});
