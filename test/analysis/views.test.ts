import assert from 'node:assert/strict';
import {test} from 'node:test';
import {listTree} from '../../src/analysis/listing.js';
import fc from 'fast-check';
import {type FileNode, type LayerChanges, applyLayer, newRoot, sameFile, stackLayers} from '../../src/analysis/tree.js';
import type {ChangeKind, LayerEntry} from '../../src/analysis/types.js';
import {
	type LayerView,
	type UnionTree,
	buildUnionTree,
	implicitDir,
	layerView,
	markKind,
	newMatchCache,
	stateAt,
	treeRows,
	visibleTree,
} from '../../src/analysis/views.js';
import {demoImage, diveFixture, loadArchive} from '../helpers/fixtures.js';

const file = (path: string, size = 1, extra: Partial<LayerEntry> = {}): LayerEntry => ({path, type: 'file', mode: 0o644, uid: 0, gid: 0, size, ...extra});
const dir = (path: string, mode = 0o755): LayerEntry => ({path, type: 'dir', mode, uid: 0, gid: 0, size: 0});
const whiteout = (path: string): LayerEntry => ({...file(path, 0), whiteout: true});
const opaque = (path: string): LayerEntry => ({...file(path, 0), opaque: true});

/** Path → kind of every node a view lists. */
function marks(view: LayerView): Record<string, ChangeKind> {
	const out: Record<string, ChangeKind> = {};
	for (let node = 1; node < view.union.size; node++) {
		if (view.mark[node] !== 0) {
			out[view.union.paths[node]!] = markKind(view.mark[node]!);
		}
	}

	return out;
}

/** The filesystem the union says layer i has, in listTree's record form. */
function presentAt(union: UnionTree, layer: number): Array<[string, string, number, number]> {
	const out: Array<[string, string, number, number]> = [];
	for (let node = 1; node < union.size; node++) {
		const value = stateAt(union, node, layer);
		if (value === implicitDir) {
			out.push([union.paths[node]!, 'dir', 0o755, 0]);
		} else if (value >= 0) {
			const entry = union.entries[value]!;
			out.push([union.paths[node]!, entry.type, entry.mode, entry.size]);
		}
	}

	return out;
}

function assertSameAsStack(layers: LayerEntry[][]): void {
	const union = buildUnionTree(layers);
	for (let index = 0; index < layers.length; index++) {
		const expected = listTree(stackLayers(layers.slice(0, index + 1))).map(record => [record.path, record.type, record.mode, record.size]);
		assert.deepEqual(presentAt(union, index), expected, `layer ${index}`);
	}
}

test('the union tree has, at every layer, exactly the filesystem stackLayers builds', async () => {
	assertSameAsStack([[dir('a'), file('a/x'), file('a/y')], [file('a/z'), whiteout('a/x')]]);
	assertSameAsStack([[dir('a'), file('a/x'), dir('a/sub'), file('a/sub/y')], [file('a/new'), opaque('a'), dir('a')]]);
	assertSameAsStack([[dir('a'), file('a/x')], [file('a')], [file('a/again')]]);
	assertSameAsStack([[file('x/y/z')], [whiteout('x/y')], [file('x/y', 3)]]);
	assertSameAsStack([[dir('a'), file('a/x')], [opaque(''), file('b')]]);
	// Whited out and added back in the same layer.
	assertSameAsStack([[dir('a'), file('a/x', 1)], [whiteout('a/x'), file('a/x', 2)]]);
	for (const name of ['test-docker-image.tar', 'test-kaniko-image.tar']) {
		const {image} = await loadArchive(diveFixture(name));
		assertSameAsStack(image.layers.map(layer => [...layer.contents.entries]));
	}

	const {image} = await loadArchive(await demoImage());
	assertSameAsStack(image.layers.map(layer => [...layer.contents.entries]));
});

test('the union tree is in depth-first order with children by name, and subtree ends are right', () => {
	const union = buildUnionTree([[file('b/z'), file('a'), dir('b'), file('b/c/d')], [file('B')]]);
	assert.deepEqual(union.paths, ['/', '/B', '/a', '/b', '/b/c', '/b/c/d', '/b/z']);
	assert.deepEqual([...union.end], [7, 2, 3, 7, 6, 6, 7]);
	assert.deepEqual([...union.depth], [0, 1, 1, 1, 2, 3, 2]);
});

test('layer mode marks what the layer did; removed paths stay listed; directories are derived', () => {
	const layers = [
		[dir('etc'), file('etc/keep'), file('etc/change', 1), file('etc/gone'), dir('var'), file('var/log')],
		[dir('etc'), file('etc/change', 2), whiteout('etc/gone'), file('etc/new'), dir('opt'), file('opt/tool')],
	];
	const union = buildUnionTree(layers);
	assert.deepEqual(marks(layerView(union, 1, 'layer')), {
		'/etc': 'modified',
		'/etc/change': 'modified',
		'/etc/gone': 'removed',
		'/etc/keep': 'unmodified',
		'/etc/new': 'added',
		'/opt': 'added',
		'/opt/tool': 'added',
		'/var': 'unmodified',
		'/var/log': 'unmodified',
	});
	// Layer 0 shows everything unmodified, in both modes (dive).
	for (const mode of ['layer', 'aggregated'] as const) {
		assert.deepEqual(new Set(Object.values(marks(layerView(union, 0, mode)))), new Set(['unmodified']));
	}
});

test('a header that changes nothing is unmodified; a chmod is modified', () => {
	const union = buildUnionTree([[dir('d'), file('d/f')], [dir('d'), file('d/f', 1, {mode: 0o444})], [dir('d'), file('d/f', 1, {mode: 0o444})]]);
	assert.deepEqual(marks(layerView(union, 1, 'layer')), {'/d': 'modified', '/d/f': 'modified'});
	assert.deepEqual(marks(layerView(union, 2, 'layer')), {'/d': 'unmodified', '/d/f': 'unmodified'});
});

test('removing a directory lists its whole subtree as removed, with the removed sizes', () => {
	const union = buildUnionTree([[dir('r'), dir('r/d'), file('r/d/a', 10), file('r/d/b', 20), file('r/keep', 5)], [whiteout('r/d')]]);
	const view = layerView(union, 1, 'layer');
	assert.deepEqual(marks(view), {'/r': 'modified', '/r/d': 'removed', '/r/d/a': 'removed', '/r/d/b': 'removed', '/r/keep': 'unmodified'});
	const tree = visibleTree(view);
	const size = (path: string) => tree.size[union.paths.indexOf(path)];
	// The removed directory shows what it held; its parent leaves the removed bytes out.
	assert.equal(size('/r/d'), 30);
	assert.equal(size('/r'), 5);
	assert.equal(size('/r/d/a'), 10);
});

test('aggregated mode compares with layer 0 and lists everything ever removed up to the layer', () => {
	const layers = [
		[dir('a'), file('a/base', 1)],
		[file('a/tmp', 4), file('a/base', 2)],
		[whiteout('a/tmp'), file('a/base', 1)],
		[file('a/tmp', 4)],
	];
	const union = buildUnionTree(layers);
	assert.deepEqual(marks(layerView(union, 1, 'aggregated')), {'/a': 'modified', '/a/base': 'modified', '/a/tmp': 'added'});
	// Back to layer 0's metadata: unmodified against layer 0; the temporary file is gone: removed.
	assert.deepEqual(marks(layerView(union, 2, 'aggregated')), {'/a': 'modified', '/a/base': 'unmodified', '/a/tmp': 'removed'});
	// Listed as removed, but /a/tmp was not in layer 0: no change against it (the 'vs 0:' counts).
	assert.deepEqual(layerView(union, 2, 'aggregated').counts, {unmodified: 2, modified: 0, added: 0, removed: 0});
	assert.deepEqual(marks(layerView(union, 3, 'aggregated')), {'/a': 'modified', '/a/base': 'unmodified', '/a/tmp': 'added'});
	// Layer mode at 2 sees the removal, at 3 the re-addition.
	assert.deepEqual(marks(layerView(union, 2, 'layer')), {'/a': 'modified', '/a/base': 'modified', '/a/tmp': 'removed'});
	assert.deepEqual(marks(layerView(union, 3, 'layer')), {'/a': 'modified', '/a/base': 'unmodified', '/a/tmp': 'added'});
});

test('an opaque directory removes what the lower layers had in it', () => {
	const union = buildUnionTree([[dir('o'), file('o/old'), dir('o/sub'), file('o/sub/x')], [opaque('o'), dir('o'), file('o/new')]]);
	assert.deepEqual(marks(layerView(union, 1, 'layer')), {'/o': 'modified', '/o/new': 'added', '/o/old': 'removed', '/o/sub': 'removed', '/o/sub/x': 'removed'});
});

test('counts per kind', () => {
	const union = buildUnionTree([[dir('a'), file('a/x')], [file('a/y'), whiteout('a/x')]]);
	// /a is marked modified (something below it changed) but counted unmodified: its own header stayed.
	assert.deepEqual(layerView(union, 1, 'layer').counts, {unmodified: 1, modified: 0, added: 1, removed: 1});
	assert.equal(marks(layerView(union, 1, 'layer'))['/a'], 'modified');
	assert.throws(() => layerView(union, 2, 'layer'), RangeError);
});

test('hiding kinds keeps the parents of what stays visible; the filter matches absolute paths', () => {
	const union = buildUnionTree([[dir('a'), file('a/x', 3), dir('b'), file('b/y', 4)], [file('a/new', 7)]]);
	const view = layerView(union, 1, 'layer');
	const listed = (tree: ReturnType<typeof visibleTree>) => [...treeRows(tree, () => false).nodes].map(node => union.paths[node]);
	assert.deepEqual(listed(visibleTree(view, {added: false, removed: false, modified: false, unmodified: true})), ['/a', '/a/new']);
	assert.deepEqual(listed(visibleTree(view, {added: true, removed: false, modified: false, unmodified: false})), ['/a', '/a/x', '/b', '/b/y']);
	const filtered = visibleTree(view, undefined, newMatchCache(union, /^\/b\//));
	assert.deepEqual(listed(filtered), ['/b', '/b/y']);
	// Directory sizes are the sum of visible descendants only.
	const all = visibleTree(view);
	assert.equal(all.size[union.paths.indexOf('/a')], 10);
	const onlyNew = visibleTree(view, undefined, newMatchCache(union, /new/));
	assert.equal(onlyNew.size[union.paths.indexOf('/a')], 7);
});

test('a literal filter (tested by substring, inherited from parents) lists what the same regex lists', () => {
	const union = buildUnionTree([[dir('ab'), dir('ab/cd'), file('ab/cd/ef'), file('ab/x'), dir('a'), dir('a/b'), file('a/b/c'), file('xab'), file('b/c/a'), file('q')]]);
	const view = layerView(union, 0, 'layer');
	const listed = (tree: ReturnType<typeof visibleTree>) => [...treeRows(tree, () => false).nodes].map(node => union.paths[node]);
	for (const text of ['a', 'ab', 'b/c', 'd/e', '/a/', 'cd/ef', '/', 'q', 'zz']) {
		const literal = newMatchCache(union, new RegExp(text));
		assert.equal(literal.literal, text, text);
		// A regex with the same matches but no literal text goes through the regex itself.
		const viaRegex = newMatchCache(union, new RegExp(`(?:${text})`));
		assert.equal(viaRegex.literal, undefined);
		assert.deepEqual(listed(visibleTree(view, undefined, literal)), listed(visibleTree(view, undefined, viaRegex)), text);
	}

	assert.equal(newMatchCache(union, /a/i).literal, undefined);
	assert.equal(newMatchCache(union, /a.b/).literal, undefined);
	assert.deepEqual(listed(visibleTree(view, undefined, newMatchCache(union, /b\/c/))), ['/a', '/a/b', '/a/b/c', '/ab', '/ab/cd', '/ab/cd/ef', '/b', '/b/c', '/b/c/a']);
});

test('rows skip collapsed directories, and size order sorts siblings largest first', () => {
	const union = buildUnionTree([[dir('a'), file('a/small', 1), file('a/big', 9), dir('z'), file('z/huge', 100)]]);
	const tree = visibleTree(layerView(union, 0, 'layer'));
	const a = union.paths.indexOf('/a');
	const names = (rows: ReturnType<typeof treeRows>) => [...rows.nodes].map(node => union.paths[node]);
	assert.deepEqual(names(treeRows(tree, () => false)), ['/a', '/a/big', '/a/small', '/z', '/z/huge']);
	assert.deepEqual(names(treeRows(tree, node => node === a)), ['/a', '/z', '/z/huge']);
	const bySize = treeRows(tree, () => false, 'size');
	assert.deepEqual(names(bySize), ['/z', '/z/huge', '/a', '/a/big', '/a/small']);
	assert.equal(bySize.isLast[a], 1);
	assert.equal(bySize.isLast[union.paths.indexOf('/z')], 0);
});

/** path → entry (or 'implicit' for a directory without a header) of every path in a stacked filesystem. */
function flatten(root: FileNode): Map<string, LayerEntry | 'implicit'> {
	const out = new Map<string, LayerEntry | 'implicit'>();
	const stack = [...root.children?.values() ?? []];
	while (stack.length > 0) {
		const node = stack.pop()!;
		out.set(node.path, node.entry ?? 'implicit');
		stack.push(...node.children?.values() ?? []);
	}

	return out;
}

/** Each layer's counts as applyLayer returns them (what the analysis reports). */
function layerChangeCounts(layers: LayerEntry[][]): LayerChanges[] {
	const root = newRoot();
	return layers.map(entries => applyLayer(root, entries));
}

/** The counts by their definition, from two stackLayers filesystems (an oracle independent of the union tree). */
function countsByDefinition(layers: LayerEntry[][], index: number): LayerChanges {
	const before = index === 0 ? new Map<string, LayerEntry | 'implicit'>() : flatten(stackLayers(layers.slice(0, index)));
	const after = flatten(stackLayers(layers.slice(0, index + 1)));
	let added = 0;
	let modified = 0;
	let removed = 0;
	for (const [path, entry] of after) {
		const lower = before.get(path);
		if (lower === undefined) {
			added++;
		} else if (lower === 'implicit' || entry === 'implicit' ? lower !== entry : !sameFile(lower, entry)) {
			modified++;
		}
	}

	for (const path of before.keys()) {
		removed += after.has(path) ? 0 : 1;
	}

	return {added, modified, removed};
}

test('change counts: directories count, every path of a removed directory counts, derived directory changes do not', () => {
	const layers = [
		[dir('etc'), file('etc/app.conf', 10, {digest: 'xxh64:aa'}), dir('gone'), file('gone/a'), dir('gone/sub'), file('gone/sub/b')],
		[dir('etc'), file('etc/app.conf', 10, {digest: 'xxh64:bb'}), whiteout('gone')],
		[file('etc/app.conf', 10, {digest: 'xxh64:bb', mtime: 99})],
		[dir('etc', 0o700), file('new/deep/x')],
	];
	const counts = layerChangeCounts(layers);
	assert.deepEqual(counts, [
		{added: 6, modified: 0, removed: 0},
		// Same size, other bytes: modified. /etc is marked ~ in the tree (something below changed) but not counted.
		{added: 0, modified: 1, removed: 4},
		// Identical bytes rewritten (only the mtime differs): no change.
		{added: 0, modified: 0, removed: 0},
		// A chmod of a directory; an implicit directory is a path too.
		{added: 3, modified: 1, removed: 0},
	]);
	const view = layerView(buildUnionTree(layers), 1, 'layer');
	assert.deepEqual(marks(view)['/etc'], 'modified');
	assert.deepEqual(marks(view)['/etc/app.conf'], 'modified');
	assert.deepEqual(marks(layerView(buildUnionTree(layers), 2, 'layer'))['/etc/app.conf'], 'unmodified');
});

test('change counts equal their definition over stackLayers, and the + and - rows of the layer view, for any layers', () => {
	const names = ['a', 'a/b', 'a/b/c', 'a/d', 'e', 'e/f'];
	const entry = fc.record({
		path: fc.constantFrom(...names),
		kind: fc.constantFrom('file', 'dir', 'symlink', 'hardlink', 'whiteout', 'opaque'),
		mode: fc.constantFrom(0o644, 0o755),
		size: fc.constantFrom(0, 1, 2),
		digest: fc.constantFrom(undefined, 'xxh64:1', 'xxh64:2', 'sha256:1'),
		uid: fc.constantFrom(0, 1),
		link: fc.constantFrom('x', 'y'),
	}).map(({path, kind, mode, size, digest, uid, link}): LayerEntry => {
		if (kind === 'whiteout') {
			return whiteout(path);
		}

		if (kind === 'opaque') {
			return opaque(path);
		}

		if (kind === 'dir') {
			return {...dir(path, mode), uid};
		}

		if (kind === 'file') {
			return file(path, size, {mode, uid, ...(digest === undefined ? {} : {digest})});
		}

		return {path, type: kind, mode, uid, gid: 0, size: 0, linkTarget: link};
	});
	// One entry a path in a layer (tars with two headers for a path are another matter).
	const layer = fc.uniqueArray(entry, {selector: item => `${item.path}${item.whiteout === true ? '/wh' : ''}${item.opaque === true ? '/opq' : ''}`, maxLength: 6});
	fc.assert(fc.property(fc.array(layer, {minLength: 1, maxLength: 4}), layers => {
		const union = buildUnionTree(layers);
		const counts = layerChangeCounts(layers);
		for (let index = 0; index < layers.length; index++) {
			assert.deepEqual(counts[index], countsByDefinition(layers, index), `layer ${index}`);
			if (index > 0) {
				const {counts: shown} = layerView(union, index, 'layer');
				assert.equal(shown.added, counts[index]!.added);
				assert.equal(shown.removed, counts[index]!.removed);
				assert.equal(shown.modified, counts[index]!.modified);
			}
		}
	}), {numRuns: 400});
});
