// The file viewer's reducer (no ink): text rows with escapes shown, hex for binary, scrolling and search, and the
// window reader that pages a large file without holding it.
import assert from 'node:assert/strict';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, test} from 'node:test';
import {readFileWindow} from '../../src/cli/content.js';
import {openImageForContent} from '../../src/cli/content-source.js';
import {type FileWindow, openViewer, viewerReducer, type ViewerState, windowRows} from '../../src/ui/state/viewer.js';
import {buildImageArchive} from '../../scripts/lib/image-builder.js';

function window(text: string | Buffer, extra: Partial<FileWindow> = {}): FileWindow {
	const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
	return {offset: 0, bytes, totalBytes: bytes.length, linesBefore: 0, ...extra};
}

function loaded(text: string, height = 3): ViewerState {
	return viewerReducer(viewerReducer(openViewer('/etc/x', 1), {type: 'viewer.resize', height}), {type: 'viewer.loaded', window: window(text)});
}

describe('viewer state', () => {
	test('text rows: control characters shown as pictures, tabs expanded, backslashes kept', () => {
		const {rows, binary} = windowRows(window('a\u001B[2Jb\n\tx\\n\n'));
		assert.equal(binary, false);
		assert.deepEqual(rows, ['a␛[2Jb', '        x\\n']);
	});

	test('binary files as a hex dump', () => {
		const {rows, binary} = windowRows(window(Buffer.from([0x7F, 0x45, 0x4C, 0x46, 0, 1, 2, 0x41])));
		assert.equal(binary, true);
		assert.equal(rows[0], `00000000  7f 45 4c 46 00 01 02 41  ${' '.repeat(23)}  |.ELF...A|`);
	});

	test('scrolling is clamped to the content; page moves by a screen', () => {
		let state = loaded('1\n2\n3\n4\n5\n6\n7\n');
		state = viewerReducer(state, {type: 'viewer.scroll', delta: -5});
		assert.equal(state.top, 0);
		state = viewerReducer(state, {type: 'viewer.page', direction: 1});
		assert.equal(state.top, 2);
		state = viewerReducer(state, {type: 'viewer.end'});
		assert.equal(state.top, 4);
	});

	test('search finds the next match, wraps, and says when nothing matches', () => {
		let state = loaded('alpha\nbeta\ngamma\ndelta\nepsilon\nBETA again\n');
		state = viewerReducer(state, {type: 'viewer.search.start'});
		for (const char of 'beta') {
			state = viewerReducer(state, {type: 'viewer.search.input', text: char});
		}

		state = viewerReducer(state, {type: 'viewer.search.submit'});
		assert.equal(state.search.match, 1);
		state = viewerReducer(state, {type: 'viewer.search.next', direction: 1});
		assert.equal(state.search.match, 5);
		assert.ok(state.top <= 5 && state.top + state.height > 5, 'the match is on screen');
		state = viewerReducer(state, {type: 'viewer.search.next', direction: 1});
		assert.equal(state.search.match, 1, 'wraps around');
		state = viewerReducer(viewerReducer(state, {type: 'viewer.search.start'}), {type: 'viewer.search.input', text: 'zzz'});
		state = viewerReducer(state, {type: 'viewer.search.submit'});
		assert.equal(state.search.failed, true);
	});
});

test('readFileWindow pages a file: bytes from an offset, newlines before it counted', async () => {
	const lines = Array.from({length: 5000}, (_, index) => `line ${index + 1}`).join('\n');
	const file = path.join(mkdtempSync(path.join(tmpdir(), 'layerscope-viewer-')), 'image.tar');
	writeFileSync(file, await buildImageArchive([{entries: [{path: 'big.txt', content: lines}]}], {format: 'oci', compression: 'gzip'}));
	const image = await openImageForContent(file, {});
	const first = await readFileWindow(image, '/big.txt', 0, 0, 100);
	assert.equal(first.bytes.length, 100);
	assert.equal(first.totalBytes, Buffer.byteLength(lines));
	const offset = lines.indexOf('line 4000');
	const later = await readFileWindow(image, '/big.txt', 0, offset, 20);
	assert.equal(later.linesBefore, 3999);
	assert.equal(later.bytes.toString(), 'line 4000\nline 4001\n');
	assert.equal(windowRows(later).rows[0], 'line 4000');
	assert.equal(windowRows(later).firstNumber, 4000);
});
