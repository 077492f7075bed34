import assert from 'node:assert/strict';
import {test} from 'node:test';
import {listTree} from '../../src/analysis/listing.js';
import {applyLayer, buildLayerTree, newRoot, PathBudget, PathBudgetError, sameFile, stackLayers} from '../../src/analysis/tree.js';
import type {LayerEntry} from '../../src/analysis/types.js';

const file = (path: string, size = 1, extra: Partial<LayerEntry> = {}): LayerEntry => ({path, type: 'file', mode: 0o644, uid: 0, gid: 0, size, ...extra});
const dir = (path: string, mode = 0o755): LayerEntry => ({path, type: 'dir', mode, uid: 0, gid: 0, size: 0});
const paths = (layers: LayerEntry[][]) => listTree(stackLayers(layers)).map(record => record.path);

test('whiteouts apply to lower layers wherever they stand in the tar', () => {
	const entry = {...file('a/x'), whiteout: true as const};
	assert.deepEqual(paths([[dir('a'), file('a/x'), file('a/y')], [file('a/z'), entry]]), ['/a', '/a/y', '/a/z']);
});

test('an opaque whiteout drops the lower contents and keeps the layer\'s own', () => {
	const marker: LayerEntry = {...file('a', 0), opaque: true};
	assert.deepEqual(paths([[dir('a'), file('a/x'), dir('a/sub'), file('a/sub/y')], [file('a/new'), marker, dir('a')]]), ['/a', '/a/new']);
});

test('a file over a directory replaces the subtree; a directory over a directory keeps children', () => {
	assert.deepEqual(paths([[dir('a'), file('a/x')], [file('a')]]), ['/a']);
	const root = stackLayers([[dir('a'), file('a/x')], [dir('a', 0o700)]]);
	assert.deepEqual(listTree(root).map(record => [record.path, record.mode]), [['/a', 0o700], ['/a/x', 0o644]]);
});

test('parents without headers are implicit directories', () => {
	assert.deepEqual(listTree(stackLayers([[file('x/y/z')]])).map(record => [record.path, record.type]), [['/x', 'dir'], ['/x/y', 'dir'], ['/x/y/z', 'file']]);
});

test('the observer sees added, modified, unmodified and removed paths, and drops are reported', () => {
	const root = newRoot();
	applyLayer(root, [dir('a'), file('a/x', 5), file('a/y', 7)]);
	const seen: string[] = [];
	let dropped = 0;
	applyLayer(root, [dir('a'), file('a/x', 6), {...file('a/y'), whiteout: true}, file('a/z')], (path, kind) => seen.push(`${kind}:${path}`), node => {
		dropped += node.entry?.size ?? 0;
	});
	assert.deepEqual(seen.sort(), ['added:a/z', 'modified:a/x', 'removed:a/y', 'unmodified:a']);
	assert.equal(dropped, 12);
});

test('sameFile: type, content digest, mode, uid, gid and link target decide; the mtime does not', () => {
	const conf = file('etc/app.conf', 10, {digest: 'xxh64:00000000000000aa', mtime: 1});
	assert.equal(sameFile(conf, {...conf, mtime: 2}), true);
	assert.equal(sameFile(conf, {...conf, digest: 'xxh64:00000000000000bb'}), false, 'same size, other bytes');
	assert.equal(sameFile(conf, {...conf, digest: 'sha256:00000000000000aa'}), false, 'another algorithm never matches');
	assert.equal(sameFile(conf, {...conf, mode: 0o600}), false);
	assert.equal(sameFile(conf, {...conf, uid: 1}), false);
	assert.equal(sameFile(conf, {...conf, gid: 1}), false);
	assert.equal(sameFile(conf, {...conf, type: 'hardlink', size: 0, linkTarget: 'x'}), false);
	const link = {...file('l', 0), type: 'symlink' as const, linkTarget: 'a'};
	assert.equal(sameFile(link, {...link, linkTarget: 'b'}), false);
	// Content unknown on either side: equal sizes count as the same content.
	assert.equal(sameFile(file('x', 3), file('x', 3)), true);
	assert.equal(sameFile(file('x', 3), file('x', 3, {digest: 'xxh64:1'})), true);
	assert.equal(sameFile(file('x', 3), file('x', 4, {digest: 'xxh64:1'})), false);
});

test('the path budget counts every node\'s path once (implicit directories too) and stops a build past it', () => {
	// a, a/bb, a/bb/ccc, a/bb/ddd: 1 + 4 + 8 + 8 = 21 code units of path across 4 nodes.
	const entries = [file('a/bb/ccc'), file('a/bb/ddd')];
	assert.equal(buildLayerTree(entries, new PathBudget(21)).count, 4);
	assert.throws(() => buildLayerTree(entries, new PathBudget(20)), PathBudgetError);
	assert.deepEqual(paths([entries]), ['/a', '/a/bb', '/a/bb/ccc', '/a/bb/ddd']);
	assert.doesNotThrow(() => stackLayers([entries], new PathBudget(21)));
	assert.throws(() => stackLayers([entries], new PathBudget(20)), /paths add up to over 0 MiB across its tree nodes \(deep, long paths\); over the analysis budget/);
	// One budget for the whole stack: a second layer's new nodes count on top of the first's.
	assert.throws(() => stackLayers([entries, [file('e')]], new PathBudget(21)), PathBudgetError);
});
