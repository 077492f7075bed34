import assert from 'node:assert/strict';
import {test} from 'node:test';
import {analyzeImage} from '../../src/analysis/analyze.js';
import {
	applyHardlinks,
	buildContainerDiff,
	type ContainerInfo,
	containerLayer,
	type DaemonChange,
	imageBytesLookup,
	imageWithContainerLayer,
	indexImage,
	nameByteLength,
	planPathFetches,
	planHardlinkChecks,
} from '../../src/analysis/container-diff.js';
import {getNode, stackLayers} from '../../src/analysis/tree.js';
import type {EntryType, LayerEntry, RawImage, RawLayer} from '../../src/analysis/types.js';

function entry(path: string, type: EntryType, size = 0, extra: Partial<LayerEntry> = {}): LayerEntry {
	return {path, type, mode: type === 'dir' ? 0o755 : 0o644, uid: 0, gid: 0, size, ...extra};
}

function layer(id: string, entries: LayerEntry[]): RawLayer {
	return {id, digest: '', diffId: '', command: id, created: '', contents: {entries, tarBytes: 0, blobBytes: 0, compression: 'none'}};
}

// Modelled on the image the daemon tests build: a base, a RUN that creates /data, a RUN that changes it.
const image: RawImage = {
	name: 'test',
	tags: [],
	config: {id: 'sha256:abc', os: 'linux', architecture: 'amd64', created: ''},
	layers: [
		layer('base', [entry('bin', 'dir'), entry('bin/busybox', 'file', 1000), entry('bin/sh', 'symlink', 0, {linkTarget: 'busybox'})]),
		layer('l1', [
			entry('data', 'dir'),
			entry('data/a.txt', 'file', 6),
			entry('data/append.txt', 'file', 5),
			entry('data/gone', 'dir'),
			entry('data/gone/deep', 'dir'),
			entry('data/gone/deep/f', 'file', 2),
			entry('data/gone/link', 'symlink', 0, {linkTarget: '../a.txt'}),
			entry('data/mode.txt', 'file', 2),
			// No header for opt/implicit: a directory only implied by its file.
			entry('opt/implicit/x', 'file', 3),
		]),
		layer('l2', [entry('data', 'dir'), entry('data/append.txt', 'file', 11), entry('data/sub', 'dir'), entry('data/sub/l3.txt', 'file', 7)]),
		layer('l3', [entry('opt/implicit/y', 'file', 4)]),
	],
};

const container: ContainerInfo = {id: 'f'.repeat(64), name: 'web-1', image: 'test', imageId: 'sha256:abc', state: 'exited', sizeRw: 1_048_613};

function stat(type: EntryType, size = 0, extra: Partial<LayerEntry> = {}): LayerEntry {
	return entry('x', type, size, extra);
}

test('joins the change list with stats and the image: kinds, sizes, previous sizes and layers', () => {
	const changes: DaemonChange[] = [
		{path: '/newdir', kind: 'added'},
		{path: '/data/gone', kind: 'deleted'},
		{path: '/data', kind: 'modified'},
		{path: '/data/big', kind: 'added'},
		{path: '/data/append.txt', kind: 'modified'},
		{path: '/data/mode.txt', kind: 'modified'},
		{path: '/data/link', kind: 'added'},
		{path: '/newdir/z', kind: 'added'},
		{path: '/data/big', kind: 'added'}, // Duplicates are dropped.
	];
	const stats = new Map<string, LayerEntry>([
		['/newdir', stat('dir')],
		['/data', stat('dir')],
		['/data/big', stat('file', 1_048_576)],
		['/data/append.txt', stat('file', 16)],
		['/data/mode.txt', stat('file', 2, {mode: 0o600, uid: 1000, gid: 100})],
		['/data/link', stat('symlink', 0, {linkTarget: '/data/a.txt'})],
		['/newdir/z', stat('file', 2)],
	]);
	const diff = buildContainerDiff({container, changes, stats, image});
	assert.deepEqual(diff.changes.map(change => change.path), [
		'/data', '/data/append.txt', '/data/big', '/data/gone', '/data/link', '/data/mode.txt', '/newdir', '/newdir/z',
	]);
	const byPath = new Map(diff.changes.map(change => [change.path, change]));
	assert.deepEqual(byPath.get('/data/append.txt'), {
		path: '/data/append.txt', kind: 'modified', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 16, previousSize: 11, fromLayer: 2, linkTarget: null,
	});
	assert.deepEqual(byPath.get('/data/mode.txt'), {
		path: '/data/mode.txt', kind: 'modified', type: 'file', mode: 0o600, uid: 1000, gid: 100, size: 2, previousSize: 2, fromLayer: 1, linkTarget: null,
	});
	// A deleted directory: type and metadata from the image, previousSize is all it hid (2 + len("../a.txt")).
	assert.deepEqual(byPath.get('/data/gone'), {
		path: '/data/gone', kind: 'deleted', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, previousSize: 10, fromLayer: 1, linkTarget: null,
	});
	// A modified directory counts no bytes; the highest layer with a header for it is layer 2.
	assert.equal(byPath.get('/data')?.size, 0);
	assert.equal(byPath.get('/data')?.previousSize, 0);
	assert.equal(byPath.get('/data')?.fromLayer, 2);
	// A symlink's size is its target's length, as the filesystem (and SizeRw) count it.
	assert.equal(byPath.get('/data/link')?.size, 11);
	assert.equal(byPath.get('/data/link')?.linkTarget, '/data/a.txt');
	assert.equal(byPath.get('/data/link')?.previousSize, null);
	assert.equal(byPath.get('/data/link')?.fromLayer, null);
	assert.deepEqual(diff.summary, {added: 4, modified: 3, deleted: 1, bytes: 1_048_576 + 16 + 2 + 11 + 2, sizeRw: 1_048_613});
});

test('a directory replaced by a file hides everything beneath it; a file replaced by a directory', () => {
	const diff = buildContainerDiff({
		container,
		changes: [{path: '/data/sub', kind: 'modified'}, {path: '/data/a.txt', kind: 'modified'}],
		stats: new Map([['/data/sub', stat('file', 2)], ['/data/a.txt', stat('dir')]]),
		image,
	});
	const [a, sub] = diff.changes;
	assert.equal(sub?.path, '/data/sub');
	assert.equal(sub?.previousSize, 7);
	assert.equal(sub?.fromLayer, 2);
	assert.equal(a?.path, '/data/a.txt');
	assert.equal(a?.type, 'dir');
	assert.equal(a?.previousSize, 6);
	assert.equal(diff.summary.bytes, 2);
});

test('implicit directories, paths the image never had, and paths that vanished', () => {
	const diff = buildContainerDiff({
		container: {...container, sizeRw: undefined},
		changes: [
			{path: '/opt/implicit', kind: 'deleted'},
			{path: '/.dockerenv', kind: 'deleted'},
			{path: '/tmp/gone-since', kind: 'added'},
			{path: '/data/append.txt', kind: 'modified'},
		],
		stats: new Map(),
		image,
	});
	const byPath = new Map(diff.changes.map(change => [change.path, change]));
	// An implicit directory: the highest layer that put anything beneath it, no recorded metadata.
	assert.deepEqual(byPath.get('/opt/implicit'), {
		path: '/opt/implicit', kind: 'deleted', type: 'dir', mode: null, uid: null, gid: null, size: 0, previousSize: 7, fromLayer: 3, linkTarget: null,
	});
	assert.deepEqual(byPath.get('/.dockerenv'), {
		path: '/.dockerenv', kind: 'deleted', type: 'unknown', mode: null, uid: null, gid: null, size: 0, previousSize: null, fromLayer: null, linkTarget: null,
	});
	assert.equal(byPath.get('/tmp/gone-since')?.vanished, true);
	assert.equal(byPath.get('/tmp/gone-since')?.type, 'unknown');
	// Vanished but listed as modified: the image side is still known.
	assert.equal(byPath.get('/data/append.txt')?.previousSize, 11);
	assert.equal(byPath.get('/data/append.txt')?.fromLayer, 2);
	assert.equal(diff.summary.sizeRw, null);
	assert.deepEqual([diff.summary.added, diff.summary.modified, diff.summary.deleted, diff.summary.bytes], [1, 1, 2, 0]);
});

test('a path deleted and recreated in a higher image layer comes from that layer', () => {
	const withRecreate: RawImage = {
		...image,
		layers: [...image.layers, layer('l4', [entry('data/gone', 'file', 0, {whiteout: true})]), layer('l5', [entry('data/gone', 'file', 9)])],
	};
	const diff = buildContainerDiff({container, changes: [{path: '/data/gone', kind: 'deleted'}], stats: new Map(), image: withRecreate});
	assert.equal(diff.changes[0]?.fromLayer, 5);
	assert.equal(diff.changes[0]?.type, 'file');
	assert.equal(diff.changes[0]?.previousSize, 9);
});

test('the writable layer as a synthetic top layer: entries, whiteouts, and its analysis', () => {
	const diff = buildContainerDiff({
		container,
		changes: [
			{path: '/data', kind: 'modified'},
			{path: '/data/append.txt', kind: 'modified'},
			{path: '/data/gone', kind: 'deleted'},
			{path: '/data/link', kind: 'added'},
			{path: '/data/big', kind: 'added'},
			{path: '/vanished', kind: 'added'},
		],
		stats: new Map([
			['/data', stat('dir')],
			['/data/append.txt', stat('file', 16)],
			['/data/link', stat('symlink', 0, {linkTarget: 'a.txt'})],
			['/data/big', stat('file', 100)],
		]),
		image,
	});
	const top = containerLayer(diff);
	assert.equal(top.id, 'container');
	assert.equal(top.command, 'container (writable)');
	assert.deepEqual(top.contents.entries.map(item => [item.path, item.type, item.size, item.whiteout === true, item.linkTarget]), [
		['data', 'dir', 0, false, undefined],
		['data/append.txt', 'file', 16, false, undefined],
		['data/big', 'file', 100, false, undefined],
		['data/gone', 'dir', 0, true, undefined],
		['data/link', 'symlink', 0, false, 'a.txt'],
	]);

	const {image: stacked, containerLayer: index} = imageWithContainerLayer(image, diff);
	assert.equal(index, 4);
	assert.equal(stacked.layers.length, 5);
	const analysis = analyzeImage(stacked);
	const summary = analysis.layers[index]!;
	assert.equal(summary.sizeBytes, 116);
	// Added: big, link. Modified: append.txt. Removed: the directory gone and the 3 paths below it (the layer's
	// counts count every path; the daemon's list names the directory once). /data has the same metadata as below.
	assert.deepEqual([summary.added, summary.modified, summary.removed], [2, 1, 4]);
	const root = stackLayers(stacked.layers.map(item => item.contents.entries));
	assert.equal(getNode(root, 'data/gone'), undefined);
	assert.equal(getNode(root, 'data/big')?.entry?.size, 100);
	assert.equal(getNode(root, 'data/sub/l3.txt')?.entry?.size, 7);
});

test('name byte length counts invalid bytes (lone surrogates) as one byte', () => {
	assert.equal(nameByteLength('abc'), 3);
	assert.equal(nameByteLength('é'), 2);
	assert.equal(nameByteLength('€'), 3);
	assert.equal(nameByteLength('😀'), 4);
	assert.equal(nameByteLength('a\uDCFFb'), 3);
});

test('fetch plan: added directories as one subtree, cheap modified directories as one, the rest one by one', () => {
	const mib = 1024 * 1024;
	const changes: DaemonChange[] = [
		{path: '/data', kind: 'modified'},
		{path: '/data/append.txt', kind: 'modified'},
		{path: '/data/mode.txt', kind: 'modified'},
		{path: '/data/gone', kind: 'deleted'},
		{path: '/new', kind: 'added'},
		{path: '/new/dir', kind: 'added'},
		{path: '/new/dir/a', kind: 'added'},
		{path: '/empty', kind: 'added'},
		{path: '/bin', kind: 'modified'},
		{path: '/bin/busybox', kind: 'modified'},
		{path: '/top.txt', kind: 'added'},
	];
	const sizes = new Map([['/data', 30], ['/bin', 20 * mib]]);
	const plan = planPathFetches(changes, {imageBytes: path => sizes.get(path), bytesPerRequest: 8 * mib});
	const shape = plan.map(request => [request.path, request.subtree, request.covers]);
	assert.deepEqual(shape, [
		// 3 changed paths over 30 image bytes: cheaper streamed than asked one by one.
		['/data', true, ['/data', '/data/append.txt', '/data/mode.txt']],
		['/new', true, ['/new', '/new/dir', '/new/dir/a']],
		['/empty', false, ['/empty']],
		// 20 MiB under /bin costs more than one extra request (8 MiB): each path alone.
		['/bin', false, ['/bin']],
		['/bin/busybox', false, ['/bin/busybox']],
		['/top.txt', false, ['/top.txt']],
	]);
	// The budget: what the image holds there, 8 MiB a covered path, and 64 MiB of slack.
	assert.equal(plan[0]!.budgetBytes, 30 + (3 * 8 * mib) + (64 * mib));
	assert.equal(plan[1]!.budgetBytes, (3 * 8 * mib) + (64 * mib));
	// Without the image's sizes only added directories become subtrees; singlesOnly never.
	assert.deepEqual(planPathFetches(changes).filter(request => request.subtree).map(request => request.path), ['/new']);
	assert.ok(planPathFetches(changes, {singlesOnly: true}).every(request => !request.subtree));
	assert.equal(planPathFetches(changes, {singlesOnly: true}).length, 10);
	// The root is never a subtree (that would be a whole export), however small the image.
	const atRoot = planPathFetches([{path: '/a', kind: 'added'}, {path: '/b', kind: 'added'}], {imageBytes: () => 0});
	assert.deepEqual(atRoot.map(request => [request.path, request.subtree]), [['/a', false], ['/b', false]]);
});

test('image bytes under a path: files and symlink targets, memoised per node', () => {
	const lookup = imageBytesLookup(indexImage(image.layers));
	// a.txt, append.txt (its layer-2 size), gone/ (a file and an 8-byte link target), mode.txt, sub/l3.txt.
	assert.equal(lookup('/data'), 6 + 11 + 10 + 2 + 7);
	assert.equal(lookup('/data/gone'), 2 + 8);
	// busybox, the sh → busybox link, /data, /opt.
	assert.equal(lookup('/'), 1000 + 7 + 36 + 7);
	assert.equal(lookup('/nope'), undefined);
});

test('hardlink checks: regular files alike (size, mtime, mode, owner) read by different requests, one subtree of their deepest common directory', () => {
	const blob = stat('file', 100, {mtime: 7});
	const stats = new Map<string, LayerEntry>([
		['/top.bin', blob],
		['/out/a.bin', blob],
		['/out/b.bin', stat('hardlink', 0, {linkTarget: 'out/a.bin'})],
		['/etc/c.bin', blob],
		['/etc/other.bin', stat('file', 100, {mtime: 8})],
		['/lib/x/same.bin', stat('file', 5, {mtime: 1})],
		['/lib/y/same.bin', stat('file', 5, {mtime: 1})],
		['/one/p', stat('file', 9, {mtime: 1})],
		['/one/q', stat('file', 9, {mtime: 1})],
		['/empty1', stat('file', 0)],
		['/empty2', stat('file', 0)],
	]);
	const providedBy = new Map([
		['/top.bin', '/top.bin'], ['/out/a.bin', '/out'], ['/out/b.bin', '/out'], ['/etc/c.bin', '/etc/c.bin'], ['/etc/other.bin', '/etc/other.bin'],
		['/lib/x/same.bin', '/lib/x/same.bin'], ['/lib/y/same.bin', '/lib/y/same.bin'],
		// Both in one archive: that archive already told whether they are one file.
		['/one/p', '/one'], ['/one/q', '/one'],
		['/empty1', '/empty1'], ['/empty2', '/empty2'],
	]);
	const checks = planHardlinkChecks(stats, providedBy, {imageBytes: () => 10, slackBytes: 0});
	// The root covers /lib's set too (nested requests merged).
	assert.deepEqual(checks.map(check => [check.path, check.subtree, check.covers]), [
		['/', true, ['/etc/c.bin', '/lib/x/same.bin', '/lib/y/same.bin', '/out/a.bin', '/out/b.bin', '/top.bin']],
	]);
	assert.equal(checks[0]!.budgetBytes, 10 + (100 * 4) + 5 + 5 + 9 + 9);

	// What the root archive showed: /etc/c.bin first, then the others linked to it; /lib's two are separate files.
	applyHardlinks(stats, [
		{path: '/etc/c.bin', inode: '/etc/c.bin'},
		{path: '/lib/x/same.bin', inode: '/lib/x/same.bin'},
		{path: '/lib/y/same.bin', inode: '/lib/y/same.bin'},
		{path: '/out/a.bin', inode: '/etc/c.bin'},
		{path: '/out/b.bin', inode: '/etc/c.bin'},
		{path: '/top.bin', inode: '/etc/c.bin'},
	]);
	const shape = (path: string) => [stats.get(path)!.type, stats.get(path)!.size, stats.get(path)!.linkTarget];
	assert.deepEqual(['/etc/c.bin', '/out/a.bin', '/out/b.bin', '/top.bin', '/lib/x/same.bin', '/lib/y/same.bin'].map(path => shape(path)), [
		['file', 100, undefined],
		['hardlink', 0, 'etc/c.bin'],
		['hardlink', 0, 'etc/c.bin'],
		['hardlink', 0, 'etc/c.bin'],
		['file', 5, undefined],
		['file', 5, undefined],
	]);
	// Nothing alike across requests: no check.
	assert.deepEqual(planHardlinkChecks(new Map([['/a', blob]]), new Map()), []);
});
