import assert from 'node:assert/strict';
import {test} from 'node:test';
import {escapeName, singleLine, terminalSafe} from '../../src/report/escape.js';

test('escapeName: controls, bidi, noncharacters U+FFFE/U+FFFF and lone surrogates become text; a backslash doubles', () => {
	assert.equal(escapeName('a\u001B]0;T\u0007b'), 'a\\x1b]0;T\\x07b');
	assert.equal(escapeName('x\uFFFEy\uFFFFz'), 'x\\u{fffe}y\\u{ffff}z');
	assert.equal(escapeName('bad\uDCFF'), 'bad\\xff');
	assert.equal(escapeName('\u202Etxt'), '\\u{202e}txt');
	assert.equal(escapeName('a\\x1b'), 'a\\\\x1b');
	assert.equal(escapeName('plain ünïcode \uD83D\uDE00'), 'plain ünïcode \uD83D\uDE00');
});

test('terminalSafe: escapes what escapeName escapes but the backslash (a composed line is not garbled twice)', () => {
	const composed = `layer ${escapeName('\u001B[2J/x')} is missing`;
	assert.equal(terminalSafe(composed), composed);
	assert.equal(terminalSafe('raw \u001B[31m\u009B\uFFFF\u0000'), 'raw \\x1b[31m\\x9b\\u{ffff}\\x00');
	assert.equal(terminalSafe('a\\b'), 'a\\b');
	assert.equal(singleLine(' a\n\tb\u001B '), 'a b\\x1b');
});
