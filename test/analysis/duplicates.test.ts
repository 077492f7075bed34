import assert from 'node:assert/strict';
import {test} from 'node:test';
import {analyzeImage} from '../../src/analysis/analyze.js';
import {FilesystemTally, findDuplicates} from '../../src/analysis/duplicates.js';
import {stackLayers} from '../../src/analysis/tree.js';
import type {LayerEntry, RawImage} from '../../src/analysis/types.js';

const file = (path: string, size: number, digest?: string): LayerEntry => ({path, type: 'file', mode: 0o644, uid: 0, gid: 0, size, ...(digest === undefined ? {} : {digest})});

test('duplicates: identical content at different paths, largest duplicated bytes first; hardlinks, empty files and unknown content are not copies', () => {
	const root = stackLayers([
		[
			file('a/one', 100, 'xxh64:a'),
			file('b/two', 100, 'xxh64:a'),
			{path: 'b/link', type: 'hardlink', mode: 0o644, uid: 0, gid: 0, size: 0, linkTarget: 'a/one'},
			file('c/x', 30, 'xxh64:c'),
			file('c/y', 30, 'xxh64:c'),
			file('c/z', 30, 'xxh64:c'),
			file('empty1', 0, 'xxh64:e'),
			file('empty2', 0, 'xxh64:e'),
			file('unknown1', 5),
			file('unknown2', 5),
			file('single', 7, 'xxh64:s'),
		],
		// A later layer replaces one copy with other bytes: it no longer counts.
		[file('c/z', 30, 'xxh64:d')],
	]);
	assert.deepEqual(findDuplicates(root), {
		duplicateBytes: 130,
		duplicateFiles: [
			{digest: 'xxh64:a', sizeBytes: 100, count: 2, paths: ['/a/one', '/b/two']},
			{digest: 'xxh64:c', sizeBytes: 30, count: 2, paths: ['/c/x', '/c/y']},
		],
	});
});

test('duplicates: one digest at two sizes (an xxh64 collision an image can hold) is two groups, counted apart', () => {
	const root = stackLayers([[
		file('c1a', 9, 'xxh64:26e46d59c4d531a7'),
		file('c1b', 9, 'xxh64:26e46d59c4d531a7'),
		file('c2a', 8, 'xxh64:26e46d59c4d531a7'),
		file('c2b', 8, 'xxh64:26e46d59c4d531a7'),
	]]);
	assert.deepEqual(findDuplicates(root), {
		duplicateBytes: 17,
		duplicateFiles: [
			{digest: 'xxh64:26e46d59c4d531a7', sizeBytes: 9, count: 2, paths: ['/c1a', '/c1b']},
			{digest: 'xxh64:26e46d59c4d531a7', sizeBytes: 8, count: 2, paths: ['/c2a', '/c2b']},
		],
	});
	// compare's tally, which counts afresh when one digest has two sizes: the same bytes.
	assert.equal(new FilesystemTally(root).duplicateBytes, 17);
});

test('analyzeImage reports the duplicates of the final filesystem', () => {
	const layer = (entries: LayerEntry[]) => ({id: 'l', digest: '', diffId: '', command: '', created: '', contents: {entries, tarBytes: 0, blobBytes: 0, compression: 'none' as const}});
	const image: RawImage = {name: 'x', tags: [], config: {id: '', os: '', architecture: '', created: ''}, layers: [
		layer([file('x', 9, 'xxh64:9'), file('y', 9, 'xxh64:9')]),
		layer([{...file('y', 0), whiteout: true}, file('z', 9, 'xxh64:9'), file('w', 9, 'xxh64:9')]),
	]};
	const {image: summary} = analyzeImage(image);
	assert.equal(summary.duplicateBytes, 18);
	assert.deepEqual(summary.duplicateFiles.map(item => item.paths), [['/w', '/x', '/z']]);
});
