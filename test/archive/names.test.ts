// Names are bytes: UTF-8 from ustar, GNU and PAX records alike; invalid UTF-8 kept and shown escaped.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {decodeBytes, normalizePath} from '../../src/archive/names.js';
import {LayerParser} from '../../src/archive/layer-tar.js';
import {escapeName} from '../../src/report/escape.js';
import {buildLayerTar} from '../../scripts/lib/image-builder.js';

async function entriesOf(tar: Buffer): Promise<string[]> {
	const parser = new LayerParser('tar');
	await parser.write(tar);
	return (await parser.end()).entries.map(entry => entry.path);
}

/** A one-entry ustar archive whose name field holds exactly these bytes. */
function ustarWithName(name: Buffer): Buffer {
	const header = Buffer.alloc(512);
	name.copy(header, 0);
	header.write('0000644\0', 100, 'latin1');
	header.write('0000000\0', 108, 'latin1');
	header.write('0000000\0', 116, 'latin1');
	header.write('00000000000\0', 124, 'latin1');
	header.write('00000000000\0', 136, 'latin1');
	header.write('        ', 148, 'latin1');
	header.write('0', 156, 'latin1');
	header.write('ustar\u000000', 257, 'latin1');
	let sum = 0;
	for (const byte of header) {
		sum += byte;
	}

	header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
	return Buffer.concat([header, Buffer.alloc(1024)]);
}

test('UTF-8 names survive ustar, PAX and GNU records unchanged', async () => {
	const short = 'café/\u202Eevil\u009B.txt';
	const long = `${'ünïcödé/'.repeat(16)}\u202Efile.txt`;
	const gnu = `${'日本語/'.repeat(30)}x`;
	const tar = await buildLayerTar([{path: short, content: 'a'}, {path: long, content: 'b'}, {path: gnu, content: 'c', gnuLongName: true}]);
	assert.deepEqual((await entriesOf(tar)).sort(), [gnu, long, short].sort());
});

test('invalid UTF-8 bytes are kept as U+DC80..U+DCFF and shown as \\xNN', async () => {
	const [name] = await entriesOf(ustarWithName(Buffer.from([0x62, 0x61, 0x64, 0xFF, 0xFE, 0x2E, 0xC3, 0xA9])));
	assert.equal(name, 'bad\uDCFF\uDCFE.é');
	assert.equal(escapeName(name!), 'bad\\xff\\xfe.é');
	assert.equal(decodeBytes(Buffer.from([0xC0, 0x80, 0xED, 0xA0, 0x80, 0xF0, 0x9F, 0x98, 0x80])), '\uDCC0\uDC80\uDCED\uDCA0\uDC80😀');
});

test('escapeName leaves ordinary names alone and neutralises every terminal control', () => {
	assert.equal(escapeName('usr/lib/x86_64-linux-gnu/libc.so.6'), 'usr/lib/x86_64-linux-gnu/libc.so.6');
	assert.equal(escapeName('a\u001B[2Jb\u0007c\nd\re\tf\u009Bg\u202Eh\\i'), 'a\\x1b[2Jb\\x07c\\x0ad\\x0de\\x09f\\x9bg\\u{202e}h\\\\i');
	assert.equal(escapeName('😀'), '😀');
});

test('paths are cleaned as Go\'s path.Clean does, then made relative', () => {
	const cases: Array<[string, string]> = [['./a/b/', 'a/b'], ['/a//b/./c/../d', 'a/b/d'], ['.', ''], ['a/.hidden', 'a/.hidden'], ['a..', 'a..']];
	for (const [input, expected] of cases) {
		assert.equal(normalizePath(input), expected, input);
	}
});
