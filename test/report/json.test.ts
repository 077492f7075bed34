import assert from 'node:assert/strict';
import {test} from 'node:test';
import {analyzeImage} from '../../src/analysis/analyze.js';
import type {LayerEntry, RawImage} from '../../src/analysis/types.js';
import fc from 'fast-check';
import {buildLayerTree, childFirstOrder} from '../../src/analysis/tree.js';
import {diveFileInfo, diveFiles, formatJson, jsonExportChunks, toJsonExport, valueChunks} from '../../src/report/json.js';
import {demoImage, diveFixture, loadArchive} from '../helpers/fixtures.js';

function streamed(...args: Parameters<typeof jsonExportChunks>): {text: string; chunks: number} {
	let text = '';
	let chunks = 0;
	for (const chunk of jsonExportChunks(...args)) {
		text += chunk;
		chunks++;
	}

	return {text, chunks};
}

test('the streamed export is byte for byte the whole document (dive fixture, demo image, with CI results)', async () => {
	for (const file of [diveFixture('test-docker-image.tar'), diveFixture('test-kaniko-image.tar'), await demoImage()]) {
		const {image, analysis} = await loadArchive(file);
		assert.equal(streamed(image, analysis).text, formatJson(toJsonExport(image, analysis)), file);
		const ci = {pass: false, rules: [{name: 'x', status: 'fail', text: 'a\nb "quoted"'}], nested: {empty: [], list: [1, [2, {}]]}};
		assert.equal(streamed(image, analysis, {ci}).text, formatJson(toJsonExport(image, analysis, {ci})));
	}
});

test('the streamed export: empty layers, no layers, NaN figures, names that need escaping, many chunks', () => {
	const layer = (entries: LayerEntry[]) => ({id: 'l"1', digest: '', diffId: '', command: 'echo "a\nb"', created: '', contents: {entries, tarBytes: 0, blobBytes: 0, compression: 'none' as const}});
	const config = {id: '', os: '', architecture: '', created: ''};
	const many: LayerEntry[] = Array.from({length: 3000}, (_, index) => ({path: `d${index % 7}/\u2028f\t${index}"`, type: 'file', mode: 0o644, uid: 0, gid: 0, size: index, digest: `xxh64:${index % 50}`}));
	const images: RawImage[] = [
		{name: 'none', tags: [], config, layers: []},
		{name: 'empty', tags: [], config, layers: [layer([]), layer([])]},
		{name: 'many', tags: ['t'], config, layers: [layer([]), layer(many), layer([{...many[0]!, whiteout: true}])]},
	];
	for (const image of images) {
		const analysis = analyzeImage(image);
		const {text, chunks} = streamed(image, analysis);
		assert.equal(text, formatJson(toJsonExport(image, analysis)), image.name);
		if (image.name === 'many') {
			assert.ok(chunks > 3, `written in ${chunks} chunks`);
		}
	}
});

test('the export carries the duplicate files of the final filesystem', () => {
	const file = (path: string): LayerEntry => ({path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 4, digest: 'xxh64:0000000000000001'});
	const image: RawImage = {name: 'dups', tags: [], config: {id: '', os: '', architecture: '', created: ''}, layers: [
		{id: 'l', digest: '', diffId: '', command: '', created: '', contents: {entries: [file('b'), file('a')], tarBytes: 0, blobBytes: 0, compression: 'none'}},
	]};
	const document = JSON.parse(streamed(image, analyzeImage(image)).text) as {image: {duplicateBytes: number; duplicateFiles: unknown}};
	assert.equal(document.image.duplicateBytes, 4);
	assert.deepEqual(document.image.duplicateFiles, [{digest: 'xxh64:0000000000000001', sizeBytes: 4, count: 2, paths: ['/a', '/b']}]);
});

test('dive\'s file order by sorting equals the walk of the layer\'s own tree (children first, names in code-unit order)', () => {
	const treeOrder = (entries: LayerEntry[]) => childFirstOrder(buildLayerTree(entries)).flatMap(([, node]) => (node.entry === undefined ? [] : [diveFileInfo(node.entry)]));
	const name = fc.constantFrom('a', 'ab', 'a.b', 'a-', 'b', 'B', '.wh.a', 'é', '\u{1F600}', 'a b');
	const entry = fc.record({
		parts: fc.array(name, {minLength: 1, maxLength: 4}),
		kind: fc.constantFrom('file', 'dir', 'whiteout', 'opaque'),
		size: fc.nat(9),
	}).map(({parts, kind, size}): LayerEntry => ({
		path: parts.join('/'),
		type: kind === 'dir' ? 'dir' : 'file',
		mode: 0o644,
		uid: 0,
		gid: 0,
		size,
		...(kind === 'whiteout' ? {whiteout: true as const} : {}),
		...(kind === 'opaque' ? {opaque: true as const} : {}),
	}));
	fc.assert(fc.property(fc.array(entry, {maxLength: 40}), entries => {
		assert.deepEqual([...diveFiles(entries)], treeOrder(entries));
	}), {numRuns: 2000});
});

test('valueChunks lays any JSON value out exactly as JSON.stringify(value, null, 2) at its depth', () => {
	const value = fc.oneof(fc.jsonValue(), fc.record({a: fc.constant(undefined), b: fc.jsonValue(), c: fc.array(fc.oneof(fc.jsonValue(), fc.constant(undefined)))}));
	fc.assert(fc.property(value, fc.nat(3), fc.nat(4), (item, depth, levels) => {
		const expected = JSON.stringify(item, null, 2).replaceAll('\n', `\n${'  '.repeat(depth)}`);
		assert.equal([...valueChunks(item, depth, levels)].join(''), expected);
	}), {numRuns: 1000});
});
