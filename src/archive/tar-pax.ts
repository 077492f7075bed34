// PAX extended header records (POSIX.1-2001 pax format), parsed by their length prefixes exactly as Go's
// archive/tar parsePAX/parsePAXRecord do: a value may hold newlines, '=' and text that looks like other records.

import {TarHeaderError} from './tar-header.js';

/** Records of one PAX header: key (latin1, one char per byte) → value bytes. Later records replace earlier ones. */
export type PaxRecords = Map<string, Buffer>;

export const paxKeys = {
	path: 'path',
	linkpath: 'linkpath',
	size: 'size',
	uid: 'uid',
	gid: 'gid',
	mtime: 'mtime',
	atime: 'atime',
	ctime: 'ctime',
	sparseMajor: 'GNU.sparse.major',
	sparseMinor: 'GNU.sparse.minor',
	sparseName: 'GNU.sparse.name',
	sparseSize: 'GNU.sparse.size',
	sparseRealSize: 'GNU.sparse.realsize',
	sparseNumBlocks: 'GNU.sparse.numblocks',
	sparseMap: 'GNU.sparse.map',
	sparseOffset: 'GNU.sparse.offset',
	sparseNumBytes: 'GNU.sparse.numbytes',
} as const;

const space = 0x20;
const newline = 0x0A;
const equals = 0x3D;

/**
 * Go's strconv.ParseInt(text, 10, 64): an optional sign, then decimal digits only. undefined where Go fails, and
 * (stricter) for values beyond ±2^53, which no real size, id or time reaches.
 */
export function parseDecimal(text: string): number | undefined {
	if (!/^[+-]?\d+$/.test(text)) {
		return undefined;
	}

	const value = Number(text);
	return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Go's parsePAXTime, to whole seconds as Go's Time.Unix() gives them: "SECS[.FRACTION]"; a negative time with a
 * fraction rounds down. undefined where Go refuses it.
 */
export function parsePaxTime(text: string): number | undefined {
	const dot = text.indexOf('.');
	const whole = dot < 0 ? text : text.slice(0, dot);
	const fraction = dot < 0 ? '' : text.slice(dot + 1);
	const seconds = parseDecimal(whole);
	if (seconds === undefined) {
		return undefined;
	}

	if (fraction === '') {
		return seconds;
	}

	if (!/^\d+$/.test(fraction)) {
		return undefined;
	}

	const nanos = Number(fraction.padEnd(9, '0').slice(0, 9));
	return whole.startsWith('-') && nanos > 0 ? seconds - 1 : seconds;
}

function fail(): never {
	throw new TarHeaderError('invalid PAX header record');
}

/**
 * Parse the body of a PAX header ('x' or 'g'). GNU sparse 0.0 offset/numbytes pairs are gathered into
 * GNU.sparse.map as Go does. Throws TarHeaderError for what Go's parsePAX refuses.
 */
export function parsePaxRecords(body: Buffer): PaxRecords {
	const records: PaxRecords = new Map();
	const sparseMap: string[] = [];
	let offset = 0;
	while (offset < body.length) {
		// "%d %s=%s\n": the length counts the whole record, its own digits and the newline included.
		const spaceAt = body.indexOf(space, offset);
		if (spaceAt < 0) {
			fail();
		}

		const length = parseDecimal(body.toString('latin1', offset, spaceAt));
		const rest = body.length - offset;
		if (length === undefined || length < 5 || length > rest) {
			fail();
		}

		const end = offset + length;
		if (end - 1 <= spaceAt || body[end - 1] !== newline) {
			fail();
		}

		const equalsAt = body.indexOf(equals, spaceAt + 1);
		if (equalsAt < 0 || equalsAt >= end - 1) {
			fail();
		}

		const key = body.toString('latin1', spaceAt + 1, equalsAt);
		const value = body.subarray(equalsAt + 1, end - 1);
		if (key === '') {
			fail();
		}

		const valueChecked = key === paxKeys.path || key === paxKeys.linkpath || key === 'uname' || key === 'gname';
		if (valueChecked ? value.includes(0) : key.includes('\0')) {
			fail();
		}

		if (key === paxKeys.sparseOffset || key === paxKeys.sparseNumBytes) {
			const expected = sparseMap.length % 2 === 0 ? paxKeys.sparseOffset : paxKeys.sparseNumBytes;
			if (key !== expected || value.includes(0x2C)) {
				fail();
			}

			sparseMap.push(value.toString('latin1'));
		} else {
			records.set(key, Buffer.from(value));
		}

		offset = end;
	}

	if (sparseMap.length > 0) {
		records.set(paxKeys.sparseMap, Buffer.from(sparseMap.join(','), 'latin1'));
	}

	return records;
}

/** A record's value as text ('' when absent), for numbers and versions. */
export function paxText(records: PaxRecords | undefined, key: string): string {
	return records?.get(key)?.toString('latin1') ?? '';
}
