// One 512-byte tar header block → its raw fields, exactly as Go's archive/tar reads them (reader.go readHeader,
// format.go getFormat, strconv.go parseNumeric/parseOctal). Go's reader is what docker and dive use, so it defines
// which bytes are which entry; every number it rejects is rejected here too.

import {FormatError} from './manifest.js';

export const blockSize = 512;

/** The tar dialect of a header block, as Go's getFormat tells them apart. */
export type BlockFormat = 'v7' | 'ustar' | 'gnu' | 'star';

/** The fields of one header block (before PAX records, GNU long names and sparse maps apply). */
export type RawHeader = {
	/** Typeflag byte, as written (NUL for the pre-POSIX regular file). */
	readonly typeflag: number;
	readonly format: BlockFormat;
	/** Name bytes up to the first NUL, with the ustar/star prefix joined by '/' when there is one. */
	readonly name: Buffer;
	readonly linkname: Buffer;
	/** The size field (may be negative in base-256; Go rejects that only for types that carry data). */
	readonly size: number;
	readonly mode: number;
	readonly uid: number;
	readonly gid: number;
	/** Seconds since the epoch. */
	readonly mtime: number;
};

/** A header Go's reader refuses (its ErrHeader): one line, no entry name (names are untrusted). */
export class TarHeaderError extends FormatError {}

/** A layer past one of the reader's limits on metadata (names, PAX records, sparse maps): refused, not corrupt. */
export class TarLimitError extends TarHeaderError {}

const ascii0 = 0x30;

const noBytes = Buffer.alloc(0);

/** A copy of the bytes of `block` from `start` up to the first NUL within `length` (Go's parseString). */
export function cString(block: Uint8Array, start: number, length: number): Buffer {
	let end = start;
	const limit = start + length;
	while (end < limit && block[end] !== 0) {
		end++;
	}

	if (end === start) {
		return noBytes; // Most link names and prefixes: no allocation (a zero-length Buffer holds nothing to change).
	}

	const out = Buffer.allocUnsafe(end - start);
	for (let index = start; index < end; index++) {
		out[index - start] = block[index]!; // Names are short: a loop beats a subarray view plus a copy call.
	}

	return out;
}

/**
 * Go's parseOctal: trim spaces and NULs at both ends, cut at the first NUL, then every byte must be an octal digit.
 * An empty field is 0. Returns undefined where Go sets ErrHeader.
 */
function parseOctal(block: Uint8Array, start: number, length: number): number | undefined {
	let from = start;
	let to = start + length;
	while (from < to && (block[from] === 0x20 || block[from] === 0)) {
		from++;
	}

	while (to > from && (block[to - 1] === 0x20 || block[to - 1] === 0)) {
		to--;
	}

	if (from === to) {
		return 0;
	}

	let value = 0;
	for (let index = from; index < to; index++) {
		const byte = block[index]!;
		if (byte === 0) {
			break; // parseString: the value ends at the first NUL.
		}

		const digit = byte - ascii0;
		if (digit < 0 || digit > 7) {
			return undefined;
		}

		value = (value * 8) + digit;
	}

	// A 12-byte field holds at most 12 octal digits (2^36): always exact.
	return value;
}

/**
 * Go's parseNumeric: base-256 (GNU/star: the high bit of the first byte set; the next bit is the sign) or octal.
 * undefined where Go sets ErrHeader; values beyond ±2^53 are refused too (Go would accept up to 2^63, but no
 * real size, id or time comes near them, and JavaScript numbers cannot hold them exactly).
 */
export function parseNumeric(block: Uint8Array, start: number, length: number): number | undefined {
	const first = block[start]!;
	if ((first & 0x80) === 0) {
		return parseOctal(block, start, length);
	}

	const inv = (first & 0x40) === 0 ? 0 : 0xFF;
	let value = 0n;
	for (let index = 0; index < length; index++) {
		let byte = block[start + index]! ^ inv;
		if (index === 0) {
			byte &= 0x7F;
		}

		if ((value >> 56n) > 0n) {
			return undefined; // Go: integer overflow.
		}

		value = (value << 8n) | BigInt(byte);
	}

	if ((value >> 63n) > 0n) {
		return undefined;
	}

	const signed = inv === 0xFF ? -value - 1n : value; // ^x in two's complement.
	if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) {
		return undefined;
	}

	return Number(signed);
}

/** parseNumeric, throwing Go's ErrHeader for what it refuses. */
function numericField(block: Uint8Array, at: number, length: number): number {
	const value = parseNumeric(block, at, length);
	if (value === undefined) {
		throw new TarHeaderError('invalid tar header (a numeric field is not a number)');
	}

	return value;
}

/** True when the block is 512 zero bytes (one half of the end-of-archive marker). */
export function isZeroBlock(block: Uint8Array, start = 0): boolean {
	for (let index = start; index < start + blockSize; index++) {
		if (block[index] !== 0) {
			return false;
		}
	}

	return true;
}

function matches(block: Uint8Array, start: number, bytes: readonly number[]): boolean {
	for (let index = 0; index < bytes.length; index++) {
		if (block[start + index] !== bytes[index]) {
			return false;
		}
	}

	return true;
}

const asciiBytes = (text: string): number[] => [...text].map(char => char.codePointAt(0)!);
const magicUstar = asciiBytes('ustar\0');
const magicGnu = asciiBytes('ustar  \0');
const trailerStar = asciiBytes('tar\0');

/** The view the checksum reads 32-bit words through: one per buffer, as headers come from few large chunks. */
let wordBuffer: ArrayBufferLike | undefined;
let wordView: DataView | undefined;

/**
 * The unsigned sum of a header block's bytes with the checksum field (148..155) as 8 spaces, four bytes at a
 * time: each 32-bit word adds its even and its odd bytes in two 16-bit lanes (at most 128 × 255 per lane, so no
 * lane overflows into the next).
 */
function unsignedChecksum(block: Uint8Array, start: number): number {
	if (wordBuffer !== block.buffer) {
		wordBuffer = block.buffer;
		wordView = new DataView(block.buffer);
	}

	const view = wordView!;
	const base = block.byteOffset + start;
	let even = 0;
	let odd = 0;
	for (let word = 0; word < blockSize; word += 4) {
		if (word === 148) {
			word += 4; // 148..155: two words of the checksum field itself.
			continue;
		}

		const value = view.getUint32(base + word, true);
		even += value & 0x00_FF_00_FF;
		odd += (value >>> 8) & 0x00_FF_00_FF;
	}

	return (8 * 0x20) + (even & 0xFF_FF) + (even >>> 16) + (odd & 0xFF_FF) + (odd >>> 16);
}

/** Go's getFormat: undefined when the checksum is wrong (Go: FormatUnknown, which its reader refuses). */
export function blockFormat(block: Uint8Array, start = 0): BlockFormat | undefined {
	const stored = parseOctal(block, start + 148, 8);
	if (stored === undefined) {
		return undefined;
	}

	// The checksum field counts as 8 spaces. Signed sums (old Sun tar) only when the unsigned one does not match.
	const unsigned = unsignedChecksum(block, start);
	if (stored !== unsigned) {
		let high = 0;
		for (let index = start; index < start + blockSize; index++) {
			if (block[index]! >= 0x80 && (index - start < 148 || index - start >= 156)) {
				high++;
			}
		}

		if (stored !== unsigned - (0x100 * high)) {
			return undefined;
		}
	}

	if (matches(block, start + 257, magicUstar)) {
		return matches(block, start + 508, trailerStar) ? 'star' : 'ustar';
	}

	if (matches(block, start + 257, magicGnu)) {
		return 'gnu';
	}

	return 'v7';
}

function hasNonAscii(bytes: Uint8Array): boolean {
	for (const byte of bytes) {
		if (byte >= 0x80) {
			return true;
		}
	}

	return false;
}

/**
 * Decode one header block at `start` of `block` (a non-zero block). Throws TarHeaderError where Go's reader
 * returns ErrHeader. The returned name and link name are copies (the block may be reused).
 */
export function parseHeader(block: Uint8Array, start = 0): RawHeader {
	const format = blockFormat(block, start);
	if (format === undefined) {
		throw new TarHeaderError('invalid tar header (bad checksum)');
	}

	const typeflag = block[start + 156]!;
	let name = cString(block, start, 100);
	const linkname = cString(block, start + 157, 100);
	const size = numericField(block, start + 124, 12);
	const mode = numericField(block, start + 100, 8);
	const uid = numericField(block, start + 108, 8);
	const gid = numericField(block, start + 116, 8);
	const mtime = numericField(block, start + 136, 12);
	if (format !== 'v7') {
		numericField(block, start + 329, 8); // Device major and minor: Go parses them, and refuses the header when they are not numbers.
		numericField(block, start + 337, 8);
		let prefix: Buffer | undefined;
		if (format === 'ustar') {
			prefix = cString(block, start + 345, 155);
		} else if (format === 'star') {
			prefix = cString(block, start + 345, 131);
			numericField(block, start + 476, 12); // Access and change time.
			numericField(block, start + 488, 12);
		} else {
			// GNU: access and change time; if either is not a number, Go calls the block "not GNU" and uses the
			// ustar prefix field when it is ASCII.
			const timeBad = (offset: number): boolean => block[start + offset] !== 0 && parseNumeric(block, start + offset, 12) === undefined;
			if (timeBad(345) || timeBad(357)) {
				const candidate = cString(block, start + 345, 155);
				if (!hasNonAscii(candidate)) {
					prefix = candidate;
				}
			}
		}

		if (prefix !== undefined && prefix.length > 0) {
			name = Buffer.concat([prefix, Buffer.from('/'), name]);
		}
	}

	return {typeflag, format, name, linkname, size, mode, uid, gid, mtime};
}

/** An old GNU sparse header's real size (bytes 483..495), or undefined when Go refuses it. */
export function gnuRealSize(block: Uint8Array, start = 0): number | undefined {
	return parseNumeric(block, start + 483, 12);
}
