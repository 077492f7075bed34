// Display width: cuts, pads and wraps measured in terminal columns (string-width, as ink measures), by grapheme.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import stringWidth from 'string-width';
import {displayWidth, fit, oneColumnRanges, truncate, truncateMiddle, truncateStart, wrap} from '../../src/ui/text-width.js';

const family = '👩‍👩‍👧‍👦';
const eAcute = 'e\u0301';

test('widths: CJK and fullwidth take 2 columns, a ZWJ family 2, e + U+0301 one', () => {
	assert.equal(displayWidth('日本語'), 6);
	assert.equal(displayWidth('한국어'), 6);
	assert.equal(displayWidth('ＡＢＣ１２３'), 12);
	assert.equal(displayWidth(family), 2);
	assert.equal(displayWidth(`caf${eAcute}`), 4);
	assert.equal(displayWidth('plain'), 5);
});

test('truncate cuts by display width and never splits a grapheme; the ellipsis counts', () => {
	assert.equal(truncate('日本語のファイル', 7), '日本語…');
	assert.equal(truncate('日本語のファイル', 8), '日本語…', 'a wide character that would straddle the edge is left out');
	assert.equal(truncate(`${family}${family}${family}`, 5), `${family}${family}…`);
	assert.equal(truncate(`${family}abc`, 2), '…', 'the family emoji is never split into its code points');
	assert.equal(truncate(`caf${eAcute}${eAcute}${eAcute}x`, 6), `caf${eAcute}${eAcute}…`);
	assert.equal(truncate('ＡＢＣ１２３', 12), 'ＡＢＣ１２３');
	assert.equal(truncate('ＡＢＣ１２３', 11), 'ＡＢＣ１２…');
	assert.equal(truncate('abc', 0), '');
	assert.equal(fit('日本', 5), '日本 ');
	assert.equal(fit('日本語', 5), '日本…');
	assert.equal(displayWidth(fit('日本語', 4)), 4, '日… plus a space: exactly the width');
});

test('wrap keeps every grapheme, in lines no wider than the width', () => {
	const text = `echo 日本語と한국어と${family}と${eAcute}とＡＢＣ１２３ > /x && done`;
	for (const width of [1, 2, 3, 5, 7, 10, 20]) {
		const lines = wrap(text, width);
		assert.equal(lines.join(''), text, `width ${width}`);
		for (const line of lines) {
			assert.ok(displayWidth(line) <= Math.max(width, 2), `width ${width}: ${line}`);
		}
	}

	assert.deepEqual(wrap('Command: echo step-one > /s1 && echo step-two', 20, {words: true}), ['Command: echo ', 'step-one > /s1 && ', 'echo step-two']);
	assert.deepEqual(wrap('sha256:0123456789abcdef', 12, {indent: '  '}), ['sha256:01234', '  56789abcde', '  f']);
});

// Printable text made of the kinds of graphemes that go wrong: ASCII, CJK, fullwidth, ZWJ emoji, combining accents.
const pieces = fc.constantFrom('a', 'Z', ' ', '/', '日', '語', '한', 'Ａ', '１', family, eAcute, '👍', '…', '-');
const texts = fc.array(pieces, {maxLength: 40}).map(parts => parts.join(''));

test('property: truncate, fit and wrap never exceed the width (string-width, as ink measures) and lose nothing', () => {
	fc.assert(fc.property(texts, fc.integer({min: 2, max: 30}), (text, width) => {
		const cut = truncate(text, width);
		assert.ok(stringWidth(cut) <= width);
		assert.ok(cut === text || cut.endsWith('…'));
		assert.equal(stringWidth(fit(text, width)), width);
		const lines = wrap(text, width, {words: true});
		assert.equal(lines.join(''), text);
		for (const line of lines) {
			assert.ok(stringWidth(line) <= width, `${JSON.stringify(line)} > ${width}`);
		}
	}));
});

test('truncateStart keeps the end of a path (its file name), by display width and grapheme', () => {
	assert.equal(truncateStart('/app/static/bundle.min.js', 14), '…bundle.min.js');
	assert.equal(truncateStart('/app/x', 14), '/app/x');
	assert.equal(truncateStart('/データ/ファイル.txt', 9), '…イル.txt');
	assert.equal(truncateStart('/a/👩‍👩‍👧‍👦', 3), '…👩‍👩‍👧‍👦');
	assert.equal(truncateStart('abc', 0), '');
});

test('truncateMiddle keeps the start and the end, one … between, never wider than the width', () => {
	const message = './bundle.min.js exists here: not extracted (move it away or use layerscope extract)';
	const cut = truncateMiddle(message, 60);
	assert.equal(displayWidth(cut), 60);
	assert.ok(cut.startsWith('./bundle.min.js exists here'), cut);
	assert.ok(cut.endsWith('use layerscope extract)'), cut);
	assert.equal([...cut].filter(char => char === '…').length, 1);
	assert.equal(truncateMiddle('short', 60), 'short');
	fc.assert(fc.property(fc.string({unit: 'grapheme', maxLength: 60}), fc.integer({min: 0, max: 40}), (text, width) => {
		const out = truncateMiddle(text, width);
		assert.ok(displayWidth(out) <= Math.max(width, 0), `${JSON.stringify(out)} in ${width}`);
		if (displayWidth(text) <= width) {
			assert.equal(out, text);
		}
	}), {numRuns: 500, seed: 7});
});

test('the fast path\'s characters (tree glyphs, arrows, Latin-1, …) are each one column and a grapheme of their own, as string-width and Intl.Segmenter say', () => {
	const segmenter = new Intl.Segmenter('en', {granularity: 'grapheme'});
	let count = 0;
	for (const [from, to] of oneColumnRanges) {
		for (let code = from; code <= to; code++) {
			const char = String.fromCodePoint(code);
			assert.equal(stringWidth(char), 1, `U+${code.toString(16)}`);
			for (const neighbour of ['a', '├', '…', char]) {
				assert.equal([...segmenter.segment(`${neighbour}${char}${neighbour}`)].length, 3, `U+${code.toString(16)} beside ${neighbour}`);
			}

			count++;
		}
	}

	assert.ok(count > 400);
	// Each edge of the ranges is where string-width says so: the soft hyphen (0 columns), two wide squares.
	assert.equal(stringWidth('\u00AD'), 0);
	assert.equal(stringWidth('\u25FD'), 2);
});

test('cuts and widths of tree rows (the fast path) agree with string-width and a cut by grapheme', () => {
	const piece = fc.constantFrom('a', '├── ', '│   ', '└─⊕ ', ' → ', '…', '●', 'é', 'e\u0301', '日本', '\u00AD', '\u25FD', 'x');
	fc.assert(fc.property(fc.array(piece, {maxLength: 12}).map(parts => parts.join('')), fc.integer({min: 0, max: 30}), (text, width) => {
		assert.equal(displayWidth(text), stringWidth(text));
		const cut = truncate(text, width);
		assert.ok(displayWidth(cut) <= width);
		if (width === 0) {
			assert.equal(cut, '', 'no room: nothing (a zero-width text too)');
		} else if (stringWidth(text) <= width) {
			assert.equal(cut, text);
		} else {
			assert.ok(cut.endsWith('…'));
			assert.ok(text.startsWith(cut.slice(0, -1)));
		}
	}), {numRuns: 500});
});
