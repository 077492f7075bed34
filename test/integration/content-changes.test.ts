// cases/03 and its kind, on a real image built by the daemon: a same-size content change is "modified", an identical
// rewrite (mtime only) is not; duplicate content in the final filesystem (copies, not hardlinks). The text report,
// the JSON export, `tree` and the TUI's views (the model the panes draw) must all agree.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {analyzeImage} from '../../src/analysis/analyze.js';
import {buildUnionTree, layerView, markKind, visibleTree} from '../../src/analysis/views.js';
import {runCli} from '../helpers/cli.js';
import {buildImage, ensureBusyboxImage, readFromFile, removeImages, requireDocker, saveImage, tempDir, uniqueTag} from '../helpers/docker.js';

test('same-size content change → modified; identical rewrite → unmodified; duplicates: copies, not hardlinks (text, JSON, tree, TUI views)', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	const base = await ensureBusyboxImage();
	const tag = uniqueTag('samesize');
	t.after(async () => removeImages(tag));
	await buildImage(tag, [
		`FROM ${base}`,
		'RUN echo mode=fast > /etc/app.conf',
		'RUN sed -i s/fast/slow/ /etc/app.conf',
		'RUN touch /etc/app.conf',
		'RUN echo mode=fastest > /etc/app.conf',
		'RUN head -c 5000 /bin/busybox > /d1 && cp /d1 /d2 && ln /d1 /d3 && cp /etc/app.conf /etc/copy.conf',
		'',
	].join('\n'));
	const file = await saveImage(tag, await tempDir(t));

	// Text report: the Layers table.
	const text = await runCli([file, '--no-tui']);
	assert.equal(text.code, 0, text.stderr);
	const row = (index: number): string => text.stdout.split('\n').find(line => new RegExp(`^ +${index} `).test(line))!;
	assert.match(row(2), / \+0 ~1 -0 +sed /, 'same size, other bytes: modified');
	assert.match(row(3), / \+0 ~0 -0 +touch /, 'identical bytes, new mtime: unmodified');
	assert.match(row(4), / \+0 ~1 -0 +echo /, 'other size: modified');
	assert.match(text.stdout, /^Duplicate files: 5\.01 kB \(5013 bytes\) stored more than once$/m);
	assert.match(text.stdout, /^ {2}2 {7}5 kB {8}5 kB {2}\/d1\n {28}\/d2$/m);

	// The same figures from the analysis, and the TUI's views (what the tree pane marks and its title counts).
	const image = await readFromFile(file, 'samesize.tar');
	const analysis = analyzeImage(image);
	const counts = analysis.layers.map(layer => [layer.added, layer.modified, layer.removed]);
	assert.deepEqual(counts.slice(1, 5), [[1, 0, 0], [0, 1, 0], [0, 0, 0], [0, 1, 0]]);
	const union = buildUnionTree(image.layers.map(layer => layer.contents.entries));
	const marks = (layer: number): Record<string, string> => {
		const view = layerView(union, layer, 'layer');
		const out: Record<string, string> = {};
		for (const path of ['/etc', '/etc/app.conf']) {
			out[path] = markKind(view.mark[union.paths.indexOf(path)]!);
		}

		assert.deepEqual([view.counts.added, view.counts.modified, view.counts.removed], counts[layer], `tree pane counts of layer ${layer}`);
		return out;
	};

	assert.deepEqual(marks(2), {'/etc': 'modified', '/etc/app.conf': 'modified'});
	assert.deepEqual(marks(3), {'/etc': 'unmodified', '/etc/app.conf': 'unmodified'});
	assert.deepEqual(marks(4), {'/etc': 'modified', '/etc/app.conf': 'modified'});
	// Ctrl-U (hide unmodified) keeps the one file layer 2 changed.
	const hidden = visibleTree(layerView(union, 2, 'layer'), {added: false, removed: false, modified: false, unmodified: true});
	assert.equal(hidden.visible[union.paths.indexOf('/etc/app.conf')], 1);
	assert.equal(hidden.visible[union.paths.indexOf('/etc/passwd')], 0);

	// JSON: the duplicates (the hardlink /d3 is the same file as /d1, not a copy); /etc/copy.conf equals app.conf.
	const json = await runCli([file, '--json', '-']);
	assert.equal(json.code, 0, json.stderr);
	const document = JSON.parse(json.stdout) as {image: {duplicateBytes: number; duplicateFiles: Array<{digest: string; sizeBytes: number; count: number; paths: string[]}>}};
	assert.equal(document.image.duplicateBytes, 5013);
	assert.deepEqual(document.image.duplicateFiles.map(item => [item.sizeBytes, item.count, item.paths]), [[5000, 2, ['/d1', '/d2']], [13, 2, ['/etc/app.conf', '/etc/copy.conf']]]);
	assert.match(document.image.duplicateFiles[0]!.digest, /^(?:xxh64:[\da-f]{16}|sha256:[\da-f]{64})$/);
	assert.deepEqual(document.image.duplicateFiles, analysis.image.duplicateFiles);

	// tree: layer 2's /etc/app.conf is the new 10-byte file.
	const tree = await runCli(['tree', file, '--layer', '2']);
	assert.match(tree.stdout, /^-rw-r--r-- +0:0 +10 \/etc\/app\.conf$/m);
});
