import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {analyzeImage, analyzeImageFigures, analyzeImagePair, analyzeImageTree, figuresOf} from '../../src/analysis/analyze.js';
import {compareFilesystems, compareImages, compareListings, compareTrees, entryDifferences, type FileChange, finalListing, largestFirst, readSide, readSides, sideOf, treeOrder} from '../../src/analysis/compare.js';
import {listTree, type TreeRecord} from '../../src/analysis/listing.js';
import {sameFile, stackLayers} from '../../src/analysis/tree.js';
import type {LayerEntry, RawImage} from '../../src/analysis/types.js';

const file = (path: string, size = 1, extra: Partial<LayerEntry> = {}): LayerEntry => ({path, type: 'file', mode: 0o644, uid: 0, gid: 0, size, ...extra});
const dir = (path: string, extra: Partial<LayerEntry> = {}): LayerEntry => ({path, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, ...extra});
const link = (path: string, target: string): LayerEntry => ({path, type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkTarget: target});

function image(name: string, layers: Array<{diffId: string; entries: LayerEntry[]}>): RawImage {
	return {
		name,
		tags: [],
		config: {id: `sha256:${name}`, os: 'linux', architecture: 'amd64', created: ''},
		layers: layers.map((layer, index) => ({
			id: String(index),
			digest: layer.diffId,
			diffId: layer.diffId,
			command: `step ${index} of ${name}`,
			created: '',
			contents: {entries: layer.entries, tarBytes: 0, blobBytes: 0, compression: 'none' as const},
		})),
	};
}

const side = (raw: RawImage) => sideOf(raw, figuresOf(analyzeImage(raw)));
const brief = (changes: readonly FileChange[]) => changes.map(change => `${change.kind[0]} ${change.path}${change.reasons.length > 0 ? ` ${change.reasons.join(',')}` : ''}`);

test('every kind of difference, directories not modified for what changed below them', () => {
	const base = {diffId: 'sha256:base', entries: [dir('etc'), file('etc/passwd', 10), dir('bin'), file('bin/sh', 100)]};
	const a = image('a', [base, {diffId: 'sha256:a1', entries: [
		dir('app'), file('app/same', 5, {digest: 'xxh64:1'}), file('app/content', 5, {digest: 'xxh64:1'}),
		file('app/mode', 3), file('app/owner', 3), link('app/link', 'same'), dir('app/tree'), file('app/tree/x', 7), dir('app/tree/sub'),
		file('app/grows', 4), file('app/gone', 9), file('app/was-file', 2),
	]}]);
	const b = image('b', [base, {diffId: 'sha256:b1', entries: [
		dir('app'), file('app/same', 5, {digest: 'xxh64:1'}), file('app/content', 5, {digest: 'xxh64:2'}),
		file('app/mode', 3, {mode: 0o755}), file('app/owner', 3, {uid: 1000}), link('app/link', 'content'), file('app/tree', 11),
		file('app/grows', 40), file('app/new', 8), dir('app/was-file'), file('app/was-file/inner', 1),
	]}]);
	const result = compareImages(side(a), side(b));
	assert.deepEqual(brief(result.changes), [
		'm /app/content content',
		'r /app/gone',
		'm /app/grows content,size',
		'm /app/link link',
		'm /app/mode mode',
		'a /app/new',
		'm /app/owner owner',
		'm /app/tree size,mode,type',
		'r /app/tree/sub',
		'r /app/tree/x',
		'm /app/was-file size,mode,type',
		'a /app/was-file/inner',
	]);
	const tree = result.changes.find(change => change.path === '/app/tree')!;
	assert.deepEqual([tree.type, tree.typeA, tree.sizeA, tree.sizeB], ['file', 'dir', 0, 11]);
	assert.deepEqual(result.summary, {added: 2, removed: 3, modified: 7, addedBytes: 9, removedBytes: 16, modifiedBytesA: 17, modifiedBytesB: 62, sizeDelta: result.b.sizeBytes - result.a.sizeBytes});
	assert.deepEqual(result.layers, {
		shared: 1,
		sharedBytes: 110,
		onlyA: [{index: 1, diffId: 'sha256:a1', sizeBytes: 38, command: 'step 1 of a'}],
		onlyB: [{index: 1, diffId: 'sha256:b1', sizeBytes: 76, command: 'step 1 of b'}],
	});
	assert.equal(result.contentBasis, 'mixed');
	assert.deepEqual(largestFirst(result.changes).slice(0, 3).map(change => change.path), ['/app/grows', '/app/tree', '/app/gone']);
});

test('without digests the size stands in for the content; digests of two algorithms never match', () => {
	assert.deepEqual(entryDifferences(file('x', 5), file('x', 5)), []);
	assert.deepEqual(entryDifferences(file('x', 5), file('x', 6)), ['content', 'size']);
	assert.deepEqual(entryDifferences(file('x', 5, {digest: 'sha256:1'}), file('x', 5, {digest: 'xxh64:1'})), ['content']);
	assert.deepEqual(entryDifferences(file('x', 5, {digest: 'sha256:1'}), file('x', 5)), []);
	assert.deepEqual(entryDifferences(file('x', 5, {digest: 'xxh64:1'}), file('x', 5, {digest: 'xxh64:2'})), ['content']);
	assert.deepEqual(entryDifferences(file('x', 5, {gid: 3}), {...link('x', 'y'), mode: 0o644}), ['size', 'owner', 'type']);
	const only = (digests: boolean) => compareImages(
		side(image('a', [{diffId: 'sha256:1', entries: [file('f', 1, digests ? {digest: 'xxh64:1'} : {})]}])),
		side(image('b', [{diffId: 'sha256:2', entries: [file('f', 1, digests ? {digest: 'xxh64:1'} : {})]}])),
	).contentBasis;
	assert.equal(only(true), 'digest');
	assert.equal(only(false), 'size');
});

test('the same image on both sides: every layer shared, no change', () => {
	const layers = [{diffId: 'sha256:1', entries: [dir('a'), file('a/b', 3)]}, {diffId: 'sha256:2', entries: [{...file('a/b'), whiteout: true as const}, file('c', 4)]}];
	const result = compareImages(side(image('x', layers)), side(image('y', layers)));
	assert.equal(result.changes.length, 0);
	assert.equal(result.layers.shared, 2);
	assert.deepEqual([result.layers.onlyA, result.layers.onlyB], [[], []]);
	assert.equal(result.delta.sizeBytes, 0);
});

test('a path 5000 directories deep does not overflow anything', () => {
	const deep = Array.from({length: 5000}, (_, index) => `d${index % 10}`).join('/');
	const {changes} = compareFilesystems(stackLayers([[file(`${deep}/x`)]]), stackLayers([[file(`${deep}/y`)]]));
	assert.deepEqual(changes.map(change => change.kind), ['removed', 'added']);
});

// The oracle: both final filesystems listed (src/analysis/listing.ts), joined by path in a map.
function naive(a: LayerEntry[][], b: LayerEntry[][]): string[] {
	const left = new Map(listTree(stackLayers(a)).map(record => [record.path, record]));
	const right = new Map(listTree(stackLayers(b)).map(record => [record.path, record]));
	const same = (x: TreeRecord, y: TreeRecord) => x.type === y.type && x.size === y.size && x.mode === y.mode && x.uid === y.uid && x.gid === y.gid && (x.type !== 'symlink' || x.linkTarget === y.linkTarget);
	const out: string[] = [];
	for (const [path, record] of left) {
		const other = right.get(path);
		if (other === undefined) {
			out.push(`removed ${path}`);
		} else if (!same(record, other)) {
			out.push(`modified ${path}`);
		}
	}

	for (const path of right.keys()) {
		if (!left.has(path)) {
			out.push(`added ${path}`);
		}
	}

	return out.sort();
}

test('property: the merge equals a join of the two listings by path', () => {
	const name = fc.constantFrom('a', 'b', 'c', 'a-b', 'a.b');
	const path = fc.array(name, {minLength: 1, maxLength: 4}).map(parts => parts.join('/'));
	const entry = fc.record({
		path,
		kind: fc.constantFrom('file', 'dir', 'symlink', 'whiteout'),
		size: fc.integer({min: 0, max: 3}),
		mode: fc.constantFrom(0o644, 0o755),
	}).map(({path, kind, size, mode}): LayerEntry => {
		if (kind === 'dir') {
			return dir(path, {mode});
		}

		if (kind === 'symlink') {
			return link(path, String(size));
		}

		return kind === 'whiteout' ? {...file(path), whiteout: true} : file(path, size, {mode});
	});
	const layers = fc.array(fc.array(entry, {maxLength: 8}), {minLength: 1, maxLength: 3});
	fc.assert(fc.property(layers, layers, (a, b) => {
		const {changes} = compareFilesystems(stackLayers(a), stackLayers(b));
		assert.deepEqual(changes.map(change => `${change.kind} ${change.path}`).sort(), naive(a, b));
		// Tree order: every parent before its children, siblings in byte order.
		const bySegments = (x: string, y: string): number => {
			const left = x.split('/');
			const right = y.split('/');
			for (let index = 0; index < Math.min(left.length, right.length); index++) {
				if (left[index] !== right[index]) {
					return left[index]! < right[index]! ? -1 : 1;
				}
			}

			return left.length - right.length;
		};

		const order = changes.map(change => change.path);
		assert.deepEqual(order, [...order].sort(bySegments));
	}), {numRuns: 300});
});

/** Entries of random layers: few names, so that layers collide; every kind the stacking treats apart. */
const randomEntry = (() => {
	const name = fc.constantFrom('a', 'b', 'a-b');
	const path = fc.array(name, {minLength: 1, maxLength: 3}).map(parts => parts.join('/'));
	return fc.record({path, kind: fc.constantFrom('file', 'dir', 'symlink', 'whiteout', 'opaque'), size: fc.integer({min: 0, max: 3}), digest: fc.constantFrom(undefined, 'x', 'y', 'any')})
		.map(({path, kind, size, digest}): LayerEntry => {
			switch (kind) {
				case 'dir': {
					return dir(path);
				}

				case 'symlink': {
					return link(path, String(size));
				}

				case 'whiteout': {
					return {...file(path), whiteout: true};
				}

				case 'opaque': {
					return {...dir(path), opaque: true};
				}

				default: {
					// Mostly a digest that goes with one size; 'any' gives one digest to files of other sizes too.
					return file(path, size, digest === undefined ? {} : {digest: digest === 'any' ? 'xxh64:0' : `xxh64:${digest}${size}`});
				}
			}
		});
})();

test('property: readSide lists the filesystem the analysis stacked, the same as stacking the layers again', () => {
	const entry = randomEntry;
	fc.assert(fc.property(fc.array(fc.array(entry, {maxLength: 8}), {minLength: 1, maxLength: 4}), layers => {
		const raw = image('x', layers.map((entries, index) => ({diffId: `sha256:${index}`, entries})));
		const once = readSide(raw);
		assert.deepEqual(once.listing, finalListing(stackLayers(layers)));
		const other = side(raw);
		assert.deepEqual([once.name, once.analysis, once.listing], [other.name, other.analysis, other.listing]);
	}), {numRuns: 300});
});

test('property: a path is unchanged exactly when src/analysis/tree.ts\'s sameFile says so', () => {
	const entry = fc.record({
		type: fc.constantFrom('file' as const, 'dir' as const, 'symlink' as const, 'hardlink' as const),
		size: fc.integer({min: 0, max: 2}),
		mode: fc.constantFrom(0o644, 0o755, 0o4755),
		uid: fc.constantFrom(0, 1),
		gid: fc.constantFrom(0, 1),
		linkTarget: fc.option(fc.constantFrom('x', 'y'), {nil: undefined}),
		digest: fc.option(fc.constantFrom('xxh64:1', 'xxh64:2', 'sha256:1'), {nil: undefined}),
	}).map((fields): LayerEntry => ({path: 'p', ...fields}));
	fc.assert(fc.property(entry, entry, (a, b) => {
		assert.equal(entryDifferences(a, b).length === 0, sameFile(a, b));
	}), {numRuns: 2000});
});

test('property: the merge gives each pair of entries entryDifferences\' reasons and counts its content basis the same way', () => {
	const entry = fc.record({
		type: fc.constantFrom('file' as const, 'dir' as const, 'symlink' as const),
		size: fc.integer({min: 0, max: 2}),
		mode: fc.constantFrom(0o644, 0o755),
		uid: fc.constantFrom(0, 1),
		gid: fc.constantFrom(0, 1),
		linkTarget: fc.option(fc.constantFrom('', 'x', 'y'), {nil: undefined}),
		digest: fc.option(fc.constantFrom('xxh64:1', 'xxh64:2', 'sha256:1'), {nil: undefined}),
	}).map((fields): LayerEntry => ({path: 'p', ...fields}));
	fc.assert(fc.property(fc.array(fc.tuple(entry, entry), {minLength: 1, maxLength: 6}), pairs => {
		const listA = pairs.map(([a], index) => ({...a, path: `p${index}`}));
		const listB = pairs.map(([, b], index) => ({...b, path: `p${index}`}));
		const basis = {digest: 0, size: 0};
		const expected = pairs.flatMap(([a, b], index) => {
			const reasons = entryDifferences(a, b, basis);
			return reasons.length === 0 ? [] : [{path: `/p${index}`, reasons}];
		});
		const merged = compareListings(listA, listB);
		assert.deepEqual(merged.changes.map(change => ({path: change.path, reasons: change.reasons})), expected);
		assert.deepEqual(merged.basis, basis);
	}), {numRuns: 2000});
});

test('tree order: an ancestor first, then names in code unit order, "/" below every other character', () => {
	const paths = ['a-b', 'a', 'a/x', 'a.b', 'a/x/y', 'a/-', 'b', 'a/x-'];
	assert.deepEqual([...paths].sort(treeOrder), ['a', 'a/-', 'a/x', 'a/x/y', 'a/x-', 'a-b', 'a.b', 'b']);
	assert.equal(treeOrder('same', 'same'), 0);
});

test('property: readSides (the layers two images begin with analysed once, the rest copy on write) equals readSide of each', () => {
	const layers = fc.array(fc.array(randomEntry, {maxLength: 8}), {maxLength: 3});
	fc.assert(fc.property(layers, layers, layers, fc.boolean(), (common, onlyA, onlyB, ignoring) => {
		// The common layers are the same parsed contents in both images (as compare's readers hand them over).
		const a = image('a', [...common, ...onlyA].map((entries, index) => ({diffId: `sha256:a${index}`, entries})));
		const b0 = image('b', [...common, ...onlyB].map((entries, index) => ({diffId: `sha256:b${index}`, entries})));
		const b: RawImage = {...b0, layers: b0.layers.map((layer, index) => (index < common.length ? {...layer, contents: a.layers[index]!.contents} : layer))};
		const ignore = ignoring ? (path: string) => path.startsWith('/a/') : undefined;
		const [pairA, pairB] = analyzeImagePair(a, b, {ignore});
		const alone = [analyzeImageTree(a, {ignore}), analyzeImageTree(b, {ignore})];
		// The same figures (duplicate bytes counted from the base's, and each image's own), without the lists.
		assert.deepEqual(pairA.analysis, figuresOf(alone[0]!.analysis));
		assert.deepEqual(pairB.analysis, figuresOf(alone[1]!.analysis));
		// Each alone without the lists (duplicate bytes counted, not grouped): the same figures.
		assert.deepEqual(analyzeImageFigures(b, {ignore}).analysis, figuresOf(alone[1]!.analysis));
		assert.deepEqual(finalListing(pairA.root), finalListing(alone[0]!.root));
		assert.deepEqual(finalListing(pairB.root), finalListing(alone[1]!.root));
		// The layers shared are their own image's: B's layer ids and commands, not A's.
		assert.deepEqual(pairB.analysis.layers.map(layer => layer.command), b.layers.map(layer => layer.command));
		const [sideA, sideB] = readSides(a, b);
		assert.deepEqual([sideA.listing, sideB.listing], [readSide(a).listing, readSide(b).listing]);
		// The walk of the two trees that skips what they share: the merge of the listings, changes and basis.
		const merged = compareListings(finalListing(pairA.root), finalListing(pairB.root));
		const basis = merged.basis.size === 0 ? 'digest' : (merged.basis.digest === 0 ? 'size' : 'mixed');
		assert.deepEqual(compareTrees(pairA.root, pairB.root), {changes: merged.changes, contentBasis: basis});
		assert.deepEqual(compareTrees(alone[0]!.root, alone[1]!.root), {changes: merged.changes, contentBasis: basis});
	}), {numRuns: 500});
});
