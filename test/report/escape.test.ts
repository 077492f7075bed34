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

test('the soft hyphen (U+00AD) is shown, not sent: string-width gives it 0 columns, tmux, xterm and wcwidth 1, so a name holding some overflowed its pane', async () => {
	const {escapeContentText} = await import('../../src/report/content-text.js');
	const {displayWidth} = await import('../../src/ui/text-width.js');
	const name = 'b\u00ADsoft\u00ADsoft';
	assert.equal(escapeName(name), 'b\\xadsoft\\xadsoft');
	assert.equal(terminalSafe(name), 'b\\xadsoft\\xadsoft');
	assert.equal(escapeContentText(name), 'b⟨U+00AD⟩soft⟨U+00AD⟩soft');
	// What is left has one width everywhere: as many columns as characters.
	assert.equal(displayWidth(escapeName(name)), escapeName(name).length);
});
