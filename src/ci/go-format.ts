// Number formatting exactly as dive prints it: Go's fmt verbs and go-humanize's helpers.
//
// JavaScript's toFixed rounds an exact tie away from zero; Go rounds it to even (12.5 → "12"). A report meant to
// equal dive's byte for byte needs Go's rule, so fixed-point text is made from the exact decimal value of the double.

/** The exact value of a finite double as `digits / 10^scale` (digits ≥ 0), and its sign. */
function exactDecimal(value: number): {negative: boolean; digits: bigint; scale: number} {
	const view = new DataView(new ArrayBuffer(8));
	view.setFloat64(0, value);
	const high = view.getUint32(0);
	const low = view.getUint32(4);
	const negative = (high >>> 31) === 1;
	const biased = (high >>> 20) & 0x7_FF;
	let mantissa = (BigInt(high & 0xF_FF_FF) << 32n) | BigInt(low);
	let exponent: number;
	if (biased === 0) {
		exponent = -1074; // Subnormal.
	} else {
		mantissa |= 1n << 52n;
		exponent = biased - 1075;
	}

	if (exponent >= 0) {
		return {negative, digits: mantissa << BigInt(exponent), scale: 0};
	}

	// Mantissa / 2^k = mantissa · 5^k / 10^k.
	return {negative, digits: mantissa * (5n ** BigInt(-exponent)), scale: -exponent};
}

function nonFinite(value: number): string | undefined {
	if (Number.isNaN(value)) {
		return 'NaN';
	}

	if (value === Number.POSITIVE_INFINITY) {
		return '+Inf';
	}

	if (value === Number.NEGATIVE_INFINITY) {
		return '-Inf';
	}

	return undefined;
}

/** Go's `%.<precision>f`: correctly rounded, exact ties to even; `+Inf`, `-Inf`, `NaN` as Go prints them. */
export function goFixed(value: number, precision: number): string {
	const special = nonFinite(value);
	if (special !== undefined) {
		return special;
	}

	const {negative, digits, scale} = exactDecimal(value);
	let scaled: bigint;
	if (scale <= precision) {
		scaled = digits * (10n ** BigInt(precision - scale));
	} else {
		const divisor = 10n ** BigInt(scale - precision);
		scaled = digits / divisor;
		const twiceRest = (digits % divisor) * 2n;
		if (twiceRest > divisor || (twiceRest === divisor && scaled % 2n === 1n)) {
			scaled++;
		}
	}

	let text = scaled.toString();
	if (precision > 0) {
		text = text.padStart(precision + 1, '0');
		text = `${text.slice(0, -precision)}.${text.slice(-precision)}`;
	}

	return negative ? `-${text}` : text;
}

/**
 * Go's `%v` for a float64: the shortest text that reads back to the same double, in exponent form when the
 * decimal exponent is below -4 or at least 6, like strconv's shortest %g (1e-05, 0.0001, 0.95, 1, 1e+06).
 */
export function goFloat(value: number): string {
	const special = nonFinite(value);
	if (special !== undefined) {
		return special;
	}

	if (value === 0) {
		return Object.is(value, -0) ? '-0' : '0';
	}

	const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
	const exponent = Number(exponentText);
	if (exponent < -4 || exponent >= 6) {
		const sign = exponent < 0 ? '-' : '+';
		return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
	}

	return String(value);
}

const siSizes = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'] as const;

/** go-humanize `Bytes`: SI units, one decimal below 10 ("6.4 kB", "13 kB", "131 B", "1.2 MB"). */
export function humanBytes(bytes: number): string {
	if (bytes < 10) {
		return `${bytes} B`;
	}

	// The largest power of 1000 not above the size (go-humanize takes floor(log1000); exact powers agree).
	let exponent = 0;
	while (exponent < siSizes.length - 1 && 1000 ** (exponent + 1) <= bytes) {
		exponent++;
	}

	const value = Math.floor((bytes / (1000 ** exponent) * 10) + 0.5) / 10;
	const suffix = siSizes[exponent] ?? 'EB';
	return `${goFixed(value, value < 10 ? 1 : 0)} ${suffix}`;
}

/** go-humanize `Comma`: thousands separated by commas ("1,234"). */
export function commaInt(value: number): string {
	const sign = value < 0 ? '-' : '';
	const digits = String(Math.trunc(Math.abs(value)));
	return sign + digits.replaceAll(/\B(?=(\d{3})+$)/g, ',');
}

/** A non-negative integer that may exceed 2^53, printed as Go prints a uint64 (no exponent). */
export function uintText(value: number): string {
	return BigInt(Math.trunc(value)).toString();
}
