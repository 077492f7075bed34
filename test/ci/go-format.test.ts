import assert from 'node:assert/strict';
import {test} from 'node:test';
import {commaInt, goFixed, goFloat, humanBytes, uintText} from '../../src/ci/go-format.js';

test('goFixed rounds like Go: exact ties to even, everything else to nearest', () => {
	assert.equal(goFixed(98.442_121_341_843_09, 2), '98.44');
	assert.equal(goFixed(48.349_110_014_040_49, 2), '48.35');
	assert.equal(goFixed(100, 2), '100.00');
	assert.equal(goFixed(0, 2), '0.00');
	// Exact binary ties: Go goes to even, JavaScript's toFixed goes up.
	assert.equal(goFixed(12.5, 0), '12');
	assert.equal(goFixed(13.5, 0), '14');
	assert.equal(goFixed(0.125, 2), '0.12');
	assert.equal(goFixed(0.375, 2), '0.38');
	// Not ties: 2.675, 1.005 and 0.175 are stored just below, 0.135 and 0.195 just above.
	assert.equal(goFixed(2.675, 2), '2.67');
	assert.equal(goFixed(1.005, 2), '1.00');
	assert.equal(goFixed(0.175, 2), '0.17');
	assert.equal(goFixed(0.135, 2), '0.14');
	assert.equal(goFixed(0.195, 2), '0.20');
	assert.equal(goFixed(0.719_780_219_780_219_8, 2), '0.72');
	assert.equal(goFixed(9.96, 1), '10.0');
	assert.equal(goFixed(-1.25, 1), '-1.2');
	assert.equal(goFixed(5e-324, 3), '0.000');
	assert.equal(goFixed(1e21, 0), '1000000000000000000000');
	assert.equal(goFixed(Number.NaN, 2), 'NaN');
	assert.equal(goFixed(Number.POSITIVE_INFINITY, 2), '+Inf');
	assert.equal(goFixed(Number.NEGATIVE_INFINITY, 2), '-Inf');
});

test('goFloat is Go\'s %v: shortest digits, exponent form below 1e-4', () => {
	assert.equal(goFloat(0.1), '0.1');
	assert.equal(goFloat(0.95), '0.95');
	assert.equal(goFloat(0.9), '0.9');
	assert.equal(goFloat(1), '1');
	assert.equal(goFloat(0), '0');
	assert.equal(goFloat(0.0001), '0.0001');
	assert.equal(goFloat(0.000_01), '1e-05');
	assert.equal(goFloat(0.000_012_5), '1.25e-05');
	assert.equal(goFloat(123_456), '123456');
	assert.equal(goFloat(1_234_567), '1.234567e+06');
});

test('humanBytes is go-humanize Bytes (SI, one decimal below 10)', () => {
	const cases: Array<[number, string]> = [
		[0, '0 B'],
		[9, '9 B'],
		[10, '10 B'],
		[17, '17 B'],
		[131, '131 B'],
		[999, '999 B'],
		[1000, '1.0 kB'],
		[6405, '6.4 kB'],
		[12_810, '13 kB'],
		[12_500, '12 kB'], // 12.5 rounds to even in Go
		[32_025, '32 kB'],
		[999_999, '1000 kB'],
		[1_000_000, '1.0 MB'],
		[1_220_598, '1.2 MB'],
		[4_277_894, '4.3 MB'],
		[1e9, '1.0 GB'],
		[1e12, '1.0 TB'],
		[1e18, '1.0 EB'],
	];
	for (const [bytes, text] of cases) {
		assert.equal(humanBytes(bytes), text, String(bytes));
	}
});

test('commaInt and uintText', () => {
	assert.equal(commaInt(451), '451');
	assert.equal(commaInt(1000), '1,000');
	assert.equal(commaInt(1_234_567), '1,234,567');
	assert.equal(uintText(20_000_000), '20000000');
	assert.equal(uintText(2 ** 63), '9223372036854775808');
});
