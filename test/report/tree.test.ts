import assert from 'node:assert/strict';
import {test} from 'node:test';
import {listTree} from '../../src/analysis/listing.js';
import {stackLayers} from '../../src/analysis/tree.js';
import type {LayerEntry} from '../../src/analysis/types.js';
import {formatJson} from '../../src/report/json.js';
import {treeChunks, treeJsonChunks} from '../../src/report/tree.js';
import {deepPath} from '../helpers/deep-image.js';

const file = (path: string, size = 1, extra: Partial<LayerEntry> = {}): LayerEntry => ({path, type: 'file', mode: 0o644, uid: 0, gid: 0, size, ...extra});

test('tree JSON in chunks is formatJson of the records, empty tree included', () => {
	const root = stackLayers([[file('etc/passwd', 12), file('bin/sh', 1200, {uid: 1000}), file('bin/ls', 3, {type: 'symlink', linkTarget: 'sh\n"x"'})]]);
	assert.equal([...treeJsonChunks(root)].join(''), formatJson(listTree(root)));
	assert.equal([...treeJsonChunks(stackLayers([]))].join(''), formatJson([]));
	assert.deepEqual([...treeChunks(stackLayers([]))], []);
});

test('tree JSON records carry a regular file\'s content digest, null for the rest', () => {
	const root = stackLayers([[file('etc/passwd', 12, {digest: 'xxh64:00000000000000ab'}), file('bin/ls', 0, {type: 'symlink', linkTarget: 'sh'})]]);
	const records = JSON.parse([...treeJsonChunks(root)].join('')) as Array<{path: string; digest: string | null}>;
	assert.deepEqual(records.map(record => [record.path, record.digest]), [['/bin', null], ['/bin/ls', null], ['/etc', null], ['/etc/passwd', 'xxh64:00000000000000ab']]);
});

test('a deep tree is listed in chunks of whole lines, one line a node, columns as wide as the widest value', () => {
	const root = stackLayers([Array.from({length: 40}, (_, index) => file(deepPath(index, 30, 20), index === 7 ? 123_456 : 1))]);
	const chunks = [...treeChunks(root)];
	assert.ok(chunks.length > 1, 'more than one chunk');
	assert.ok(chunks.every(chunk => chunk.endsWith('\n') && chunk.length < 128 * 1024));
	const lines = chunks.join('').split('\n').slice(0, -1);
	assert.equal(lines.length, 40 * 30);
	assert.ok(lines.every(line => /^[-d][-rwx]{9} 0:0 {1,6}\d+ \//.test(line)), lines[0]);
	assert.ok(lines.some(line => line.includes(' 0:0 123456 /')));
	assert.equal(lines.filter(line => line.startsWith('-')).length, 40);
});
