// The top-down lookup (cat's, which reads as few layers as it can) must agree with the stacked filesystem (the
// analysis's own, applyLayer) on every path: checked on generated layer stacks with whiteouts, opaque directories,
// files replacing directories, symlinks and hardlinks.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {lookupPath, resolvePath, viewAtLayer} from '../../src/analysis/file-origin.js';
import {decide, indexLayer, resolveTopDown} from '../../src/analysis/top-down.js';
import type {LayerEntry} from '../../src/analysis/types.js';

const names = ['a', 'b', 'c'];
const pathArbitrary = fc.array(fc.constantFrom(...names), {minLength: 1, maxLength: 3}).map(parts => parts.join('/'));

function entry(path: string, type: LayerEntry['type'], extra: Partial<LayerEntry> = {}): LayerEntry {
	return {path, type, mode: 0o644, uid: 0, gid: 0, size: type === 'file' ? path.length : 0, linkTarget: undefined, mtime: 0, whiteout: undefined, opaque: undefined, ...extra};
}

const entryArbitrary = fc.oneof(
	pathArbitrary.map(path => entry(path, 'file')),
	pathArbitrary.map(path => entry(path, 'dir')),
	pathArbitrary.map(path => entry(path, 'file', {whiteout: true})),
	pathArbitrary.map(path => entry(path, 'dir', {opaque: true})),
	fc.tuple(pathArbitrary, pathArbitrary, fc.boolean()).map(([path, target, absolute]) => entry(path, 'symlink', {linkTarget: absolute ? `/${target}` : `../${target}`})),
);

/**
 * Layers as a tar lists them: a path at most once per layer (with its whiteout or opaque marker apart), and no
 * non-directory with entries below it in the same layer (a tar Docker cannot apply: ENOTDIR).
 */
const layersArbitrary = fc.array(fc.array(entryArbitrary, {maxLength: 6}), {minLength: 1, maxLength: 4}).map(layers => layers.map(entries => {
	const seen = new Set<string>();
	const unique = entries.filter(item => {
		const key = `${item.path}|${item.whiteout === true ? 'w' : item.opaque === true ? 'o' : ''}`;
		if (seen.has(key)) {
			return false;
		}

		seen.add(key);
		return true;
	});
	return unique.filter(item => item.whiteout === true || item.opaque === true || item.type === 'dir'
		|| !unique.some(other => other.path.startsWith(`${item.path}/`)));
}));

test('top-down lookups equal the stacked filesystem (generated stacks)', () => {
	fc.assert(fc.property(layersArbitrary, fc.array(pathArbitrary, {minLength: 1, maxLength: 5}), (layers, paths) => {
		const indexes = layers.map(entries => indexLayer(entries));
		for (let top = 0; top < layers.length; top++) {
			const view = viewAtLayer(layers, top);
			for (const path of paths) {
				let stacked;
				let stackedError: string | undefined;
				try {
					stacked = resolvePath(view, path);
				} catch (error) {
					stackedError = (error as Error).message;
				}

				let topDown;
				let topDownError: string | undefined;
				try {
					topDown = resolveTopDown(indexes, top, path);
				} catch (error) {
					topDownError = (error as Error).message;
				}

				assert.equal(topDownError, stackedError, `${path} at ${top}`);
				if (stacked === undefined || topDown === undefined) {
					continue;
				}

				assert.equal(topDown.kind === 'found', stacked.found, `found ${path} at ${top}: ${JSON.stringify(layers)}`);
				if (stacked.found && topDown.kind === 'found') {
					assert.equal(topDown.path, stacked.node.path, `resolved path of ${path} at ${top}`);
					const isDirectory: boolean = topDown.entry === undefined || topDown.entry.type === 'dir';
					assert.equal(isDirectory, stacked.node.children !== undefined, `directory ${path} at ${top}`);
					if (!isDirectory) {
						assert.equal(topDown.entry, stacked.node.entry, `entry of ${path} at ${top}`);
					}
				}
			}
		}
	}), {seed: 20_261_130, numRuns: 400});
});

test('a lookup asks only for the layers it needs, from the top down', () => {
	const layers = [
		[entry('etc', 'dir'), entry('etc/base.conf', 'file')],
		[entry('opt/app', 'file')],
		[entry('etc/top.conf', 'file')],
	];
	const indexes: Array<ReturnType<typeof indexLayer> | undefined> = [undefined, undefined, indexLayer(layers[2]!)];
	assert.deepEqual(decide(indexes, 2, 'etc/top.conf'), {kind: 'found', layer: 2, entry: layers[2]![1 - 1]});
	assert.deepEqual(decide(indexes, 2, 'etc/base.conf'), {kind: 'need', layer: 1});
});

test('a path removed with an ancestor (rm -rf, an opaque directory, a file in its place) says which layer removed it', () => {
	const layers = [
		[entry('var', 'dir'), entry('var/cache', 'dir'), entry('var/cache/pkg', 'dir'), entry('var/cache/pkg/a.pkg', 'file'), entry('app/static/x/b.js', 'file')],
		[entry('var/cache/pkg', 'file', {whiteout: true})],
		[entry('app/static', 'dir', {opaque: true}), entry('app/static/index.html', 'file')],
		[entry('var/cache', 'file')],
	];
	const indexes = layers.map(entries => indexLayer(entries));
	assert.deepEqual(resolveTopDown(indexes, 1, '/var/cache/pkg/a.pkg'), {kind: 'absent', nearest: 'var/cache', removedAt: 1});
	assert.deepEqual(resolveTopDown(indexes, 1, '/var/cache/pkg'), {kind: 'absent', nearest: 'var/cache', removedAt: 1});
	assert.deepEqual(resolveTopDown(indexes, 2, '/app/static/x/b.js'), {kind: 'absent', nearest: 'app/static', removedAt: 2});
	assert.deepEqual(resolveTopDown(indexes, 3, '/var/cache/x'), {kind: 'absent', nearest: 'var', removedAt: 3});
	assert.equal(resolveTopDown(indexes, 0, '/var/cache/pkg/a.pkg').kind, 'found');
	// A directory replaced by a symlink (/lib become a link to usr/lib): what was below it was removed there.
	const merged = [
		[entry('lib/old.so', 'file'), entry('usr/lib/new.so', 'file')],
		[entry('lib', 'symlink', {linkTarget: 'usr/lib'})],
	].map(entries => indexLayer(entries));
	assert.deepEqual(resolveTopDown(merged, 1, '/lib/old.so'), {kind: 'absent', nearest: 'usr/lib', removedAt: 1});
	assert.equal(resolveTopDown(merged, 1, '/lib/new.so').kind, 'found');
	assert.equal(resolveTopDown(merged, 0, '/lib/old.so').kind, 'found');
});

test('a dangling symlink names itself, its target and the missing component', () => {
	const layers = [[
		entry('data/link', 'symlink', {linkTarget: '../nowhere/file'}),
		entry('data/chain', 'symlink', {linkTarget: 'link'}),
		entry('data/through', 'symlink', {linkTarget: '/etc/passwd/x'}),
		entry('etc/passwd', 'file'),
		entry('data/dir', 'symlink', {linkTarget: '/etc'}),
	]];
	const indexes = layers.map(entries => indexLayer(entries));
	assert.deepEqual(resolveTopDown(indexes, 0, '/data/link'), {kind: 'absent', nearest: '', dangling: {link: 'data/link', target: '../nowhere/file', missing: 'nowhere', reason: 'missing'}});
	assert.deepEqual(resolveTopDown(indexes, 0, '/data/chain').kind === 'absent' && resolveTopDown(indexes, 0, '/data/chain'), {kind: 'absent', nearest: '', dangling: {link: 'data/link', target: '../nowhere/file', missing: 'nowhere', reason: 'missing'}});
	assert.deepEqual(resolveTopDown(indexes, 0, '/data/through'), {kind: 'absent', nearest: 'etc', dangling: {link: 'data/through', target: '/etc/passwd/x', missing: 'etc/passwd', reason: 'not-a-directory'}});
	// Not dangling: the link leads to /etc, where the named file is missing.
	assert.deepEqual(resolveTopDown(indexes, 0, '/data/dir/nope'), {kind: 'absent', nearest: 'etc', removedAt: undefined});
});

test('removedAt agrees with the stacked filesystem: a path some lower layer had and the top lacks was removed above it (generated stacks, no symlinks)', () => {
	const plain = layersArbitrary.map(layers => layers.map(entries => entries.filter(item => item.type !== 'symlink')));
	fc.assert(fc.property(plain, fc.array(pathArbitrary, {minLength: 1, maxLength: 5}), (layers, paths) => {
		const indexes = layers.map(entries => indexLayer(entries));
		const views = layers.map((_, top) => viewAtLayer(layers, top));
		for (let top = 0; top < layers.length; top++) {
			for (const path of paths) {
				const result = resolveTopDown(indexes, top, path);
				if (result.kind !== 'absent') {
					continue;
				}

				const had = views.slice(0, top).map(view => lookupPath(view, path).found).lastIndexOf(true);
				if (had >= 0) {
					assert.ok(result.removedAt !== undefined && result.removedAt > had && result.removedAt <= top, `${path} at ${top}: had at ${had}, removedAt ${result.removedAt}: ${JSON.stringify(layers)}`);
				}

				if (result.removedAt !== undefined) {
					for (let layer = result.removedAt; layer <= top; layer++) {
						assert.equal(lookupPath(views[layer]!, path).found, false, `${path} absent from ${result.removedAt} to ${top}`);
					}
				}
			}
		}
	}), {seed: 20_261_130, numRuns: 400});
});
