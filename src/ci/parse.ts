// Parsing rule values the way dive does: Go's strconv.ParseFloat for ratios and go-humanize's ParseBytes for sizes.
// Each parser returns the value or a short reason, never throws; config.ts turns a reason into a CiConfigError.

export type Parsed = {readonly ok: true; readonly value: number} | {readonly ok: false; readonly reason: string};

/** dive's test for a switched-off rule: "", "disabled", "off" or "false", any case, surrounding spaces ignored. */
export function isDisabledValue(text: string): boolean {
	const value = text.trim().toLowerCase();
	return value === '' || value === 'disabled' || value === 'off' || value === 'false';
}

// Go's decimal float syntax (no surrounding spaces; Go's hexadecimal floats are not accepted here).
const goDecimal = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const goSpecial = /^(?:[+-]?(?:inf|infinity)|nan)$/i;

/** strconv.ParseFloat(text, 64): undefined when Go would return an error (syntax or out of range). */
export function parseGoFloat(text: string): number | undefined {
	if (goSpecial.test(text)) {
		if (/nan/i.test(text)) {
			return Number.NaN;
		}

		return text.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
	}

	if (!goDecimal.test(text)) {
		return undefined;
	}

	const value = Number(text);
	// Go reports a finite literal that overflows as a range error.
	return Number.isFinite(value) ? value : undefined;
}

/** A ratio rule value: a number in [0, 1]. */
export function parseRatio(text: string): Parsed {
	const value = parseGoFloat(text);
	if (value === undefined) {
		// "20%": a percent where dive (and layerscope) take a ratio.
		const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
		return {ok: false, reason: percent === null ? 'not a number' : `not a number (a ratio: ${Number(percent[1]) / 100} for ${percent[1]} %)`};
	}

	// Dive lets NaN through its range check (and the rule then never fails); a ratio must be a number in [0, 1].
	if (Number.isNaN(value) || value < 0 || value > 1) {
		return {ok: false, reason: 'must be a ratio between 0 and 1'};
	}

	return {ok: true, value};
}

const kilo = 1000;
const kibi = 1024;

/** go-humanize's unit table: SI and IEC, with or without the trailing "b", matched in lower case. */
const units = new Map<string, number>([
	['', 1],
	['b', 1],
	['k', kilo],
	['kb', kilo],
	['ki', kibi],
	['kib', kibi],
	['m', kilo ** 2],
	['mb', kilo ** 2],
	['mi', kibi ** 2],
	['mib', kibi ** 2],
	['g', kilo ** 3],
	['gb', kilo ** 3],
	['gi', kibi ** 3],
	['gib', kibi ** 3],
	['t', kilo ** 4],
	['tb', kilo ** 4],
	['ti', kibi ** 4],
	['tib', kibi ** 4],
	['p', kilo ** 5],
	['pb', kilo ** 5],
	['pi', kibi ** 5],
	['pib', kibi ** 5],
	['e', kilo ** 6],
	['eb', kilo ** 6],
	['ei', kibi ** 6],
	['eib', kibi ** 6],
]);

const maxUint64 = 2 ** 64;

/**
 * go-humanize ParseBytes: a number made of digits, "." and "," (commas dropped), then an optional unit after
 * optional spaces, case-insensitive: "20MB" = "20Mb" = "20 mb" = 20,000,000; "20MiB" = 20,971,520; "1.5k" = 1500.
 * The product is truncated to an integer; 2^64 or more is too large.
 */
export function parseByteSize(text: string): Parsed {
	let end = 0;
	while (end < text.length && /[\d.,]/.test(text[end]!)) {
		end++;
	}

	const number = text.slice(0, end).replaceAll(',', '');
	const value = parseGoFloat(number);
	if (value === undefined) {
		return {ok: false, reason: 'not a byte size'};
	}

	const unit = text.slice(end).trim().toLowerCase();
	const multiplier = units.get(unit);
	if (multiplier === undefined) {
		return {ok: false, reason: 'not a byte size (unknown unit)'};
	}

	const bytes = value * multiplier;
	if (bytes >= maxUint64) {
		return {ok: false, reason: 'too large'};
	}

	return {ok: true, value: Math.trunc(bytes)};
}
