// How the UI shows layer commands: escaped only where it must be, and never ambiguous.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {escapeCommand} from '../../src/ui/format.js';

/** Read a shown command back: what a reader (or this decoder) can recover from the screen. */
function decode(shown: string): string {
	let out = '';
	let index = 0;
	while (index < shown.length) {
		if (shown[index] !== '\\') {
			out += shown[index];
			index++;
			continue;
		}

		let run = 0;
		while (shown[index + run] === '\\') {
			run++;
		}

		const next = shown[index + run];
		if (next !== 'x' && next !== 'u') {
			out += '\\'.repeat(run);
			index += run;
			continue;
		}

		out += '\\'.repeat(Math.floor(run / 2));
		index += run;
		if (run % 2 === 0) {
			continue;
		}

		// One escape: \xNN or \u{N…}.
		const match = /^x([0-9a-f]{2})|^u\{([0-9a-f]+)\}/.exec(shown.slice(index));
		assert.ok(match, `a lone backslash before ${next} must start an escape: ${shown}`);
		out += String.fromCodePoint(Number.parseInt(match[1] ?? match[2]!, 16));
		index += match[0].length;
	}

	return out;
}

test('backslashes stay single unless they could be read as an escape', () => {
	assert.equal(escapeCommand(String.raw`printf 'a\nb'`), String.raw`printf 'a\nb'`);
	assert.equal(escapeCommand(String.raw`sed -e 's/\(a\)\\/\1/'`), String.raw`sed -e 's/\(a\)\\/\1/'`);
	assert.equal(escapeCommand(String.raw`echo \x1b`), String.raw`echo \\x1b`, 'typed \\x1b is not an ESC');
	assert.equal(escapeCommand('echo \u001B'), String.raw`echo \x1b`, 'an ESC byte');
	assert.equal(escapeCommand('a \\\u001B'), String.raw`a \\\x1b`, 'a backslash before an escaped character is doubled');
	assert.equal(escapeCommand(String.raw`a \u{202e}`), String.raw`a \\u{202e}`);
	assert.equal(escapeCommand('a \\\nb'), 'a \\↵b', 'newlines show as ↵, as in the layers list');
	assert.equal(escapeCommand('bidi\u202Eexe'), String.raw`bidi\u{202e}exe`);
});

test('property: the shown command reads back to the command, and has no control character', () => {
	const chars = fc.constantFrom('\\', 'x', 'u', '{', '}', '1', 'b', 'a', ' ', 'n', '\u001B', '\u0007', '\t', '\u202E', '\u009B', '日', '\r');
	fc.assert(fc.property(fc.array(chars, {maxLength: 30}).map(parts => parts.join('')), command => {
		const shown = escapeCommand(command);
		assert.doesNotMatch(shown, /[\u0000-\u001F\u007F-\u009F\u202A-\u202E]/);
		assert.equal(decode(shown), command);
	}), {numRuns: 2000});
});
