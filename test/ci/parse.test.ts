import assert from 'node:assert/strict';
import {test} from 'node:test';
import {isDisabledValue, parseByteSize, parseGoFloat, parseRatio} from '../../src/ci/parse.js';

function bytes(text: string): number | string {
	const parsed = parseByteSize(text);
	return parsed.ok ? parsed.value : `error: ${parsed.reason}`;
}

test('byte sizes parse as go-humanize ParseBytes: SI and IEC, any case, fractions, spaces', () => {
	assert.equal(bytes('20MB'), 20_000_000);
	assert.equal(bytes('20Mb'), 20_000_000);
	assert.equal(bytes('20mb'), 20_000_000);
	assert.equal(bytes('20 MB'), 20_000_000);
	assert.equal(bytes('20M'), 20_000_000);
	assert.equal(bytes('20MiB'), 20_971_520);
	assert.equal(bytes('20mi'), 20_971_520);
	assert.equal(bytes('19Mb'), 19_000_000);
	assert.equal(bytes('50kB'), 50_000);
	assert.equal(bytes('50KB'), 50_000);
	assert.equal(bytes('1.5kB'), 1500);
	assert.equal(bytes('1.5KiB'), 1536);
	assert.equal(bytes('.5k'), 500);
	assert.equal(bytes('1B'), 1);
	assert.equal(bytes('0'), 0);
	assert.equal(bytes('131'), 131);
	assert.equal(bytes('1,000 kB'), 1_000_000);
	assert.equal(bytes('2.5 GB'), 2_500_000_000);
	assert.equal(bytes('1TiB'), 1_099_511_627_776);
	assert.equal(bytes('0.3B'), 0); // Truncated, as Go's uint64 conversion does.
	assert.equal(bytes('15EiB'), 15 * (2 ** 60));
});

test('byte sizes that dive rejects are rejected', () => {
	for (const text of ['not_a_size', '', 'MB', '-1MB', '+1MB', ' 20MB', '1e3', '1.2.3MB', '20XB', '20 M B', '.']) {
		assert.match(String(bytes(text)), /^error: /, text);
	}

	assert.equal(bytes('16EiB'), 'error: too large');
});

test('ratios parse as Go ParseFloat and must lie in [0, 1]', () => {
	const ratio = (text: string) => {
		const parsed = parseRatio(text);
		return parsed.ok ? parsed.value : `error: ${parsed.reason}`;
	};

	assert.equal(ratio('0.9'), 0.9);
	assert.equal(ratio('0.90'), 0.9);
	assert.equal(ratio('1'), 1);
	assert.equal(ratio('0'), 0);
	assert.equal(ratio('1e-1'), 0.1);
	assert.equal(ratio('.5'), 0.5);
	assert.equal(ratio('+0.5'), 0.5);
	assert.equal(ratio('1.1'), 'error: must be a ratio between 0 and 1');
	assert.equal(ratio('20%'), 'error: not a number (a ratio: 0.2 for 20 %)');
	assert.equal(ratio('12.5 %'), 'error: not a number (a ratio: 0.125 for 12.5 %)');
	assert.equal(ratio('many'), 'error: not a number');
	assert.equal(ratio('-0.1'), 'error: must be a ratio between 0 and 1');
	assert.equal(ratio('NaN'), 'error: must be a ratio between 0 and 1');
	assert.equal(ratio('inf'), 'error: must be a ratio between 0 and 1');
	assert.equal(ratio('not_a_number'), 'error: not a number');
	assert.equal(ratio(' 0.5'), 'error: not a number');
	assert.equal(ratio('50%'), 'error: not a number (a ratio: 0.5 for 50 %)');
	assert.equal(ratio('0x1p-2'), 'error: not a number');
	assert.equal(parseGoFloat('1e400'), undefined); // Go: value out of range.
	assert.equal(parseGoFloat('-Infinity'), Number.NEGATIVE_INFINITY);
});

test('disabled values are dive\'s: empty, disabled, off, false in any case', () => {
	for (const text of ['', '  ', 'disabled', 'DISABLED', 'off', 'Off', 'false', 'FALSE', ' off ']) {
		assert.equal(isDisabledValue(text), true, text);
	}

	for (const text of ['no', '0', 'none', 'disable']) {
		assert.equal(isDisabledValue(text), false, text);
	}
});
