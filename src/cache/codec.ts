// A layer's parsed contents (LayerContents) as compact bytes and back: columnar arrays in a msgpack container.
// Paths are front-coded (the length shared with the previous path, then the rest): a layer tar lists a directory's
// children together, so most of each path is its predecessor's. Strings that are not well-formed UTF-16 (names
// with invalid bytes carry lone surrogates U+DC80..U+DCFF, see src/archive/names.ts) are kept as UTF-16, never
// through UTF-8, which would replace them.
import {Packr} from 'msgpackr';
import type {EntryType, LayerContents, LayerEntry} from '../analysis/types.js';

/** Bumped whenever the encoded shape or the meaning of a field changes: other versions are a cache miss. */
export const formatVersion = 1;

const types: readonly EntryType[] = ['file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo'];
const typeCode = new Map<EntryType, number>(types.map((type, index) => [type, index]));

// Flag bits beside the 3-bit type code.
const flagWhiteout = 1 << 3;
const flagOpaque = 1 << 4;
const flagLink = 1 << 5;
/** The digest is "xxh64:" + 16 lowercase hex digits, kept as 8 bytes. */
const flagDigestXxh64 = 1 << 6;
/** Some other digest, kept as a string. */
const flagDigestOther = 1 << 7;
const flagNoMtime = 1 << 8;

const xxh64Digest = /^xxh64:[\da-f]{16}$/;

type NumberColumn = {readonly kind: 'u8' | 'u16' | 'u32' | 'i32' | 'f64'; readonly bytes: Uint8Array};

/** A column of numbers in the narrowest typed array that holds every value exactly. */
function packNumbers(values: ArrayLike<number>): NumberColumn {
	let min = 0;
	let max = 0;
	let integers = true;
	for (let index = 0; index < values.length; index++) {
		const value = values[index]!;
		if (value < min) {
			min = value;
		}

		if (value > max) {
			max = value;
		}

		if (integers && !Number.isInteger(value)) {
			integers = false;
		}
	}

	let array: Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;
	let kind: NumberColumn['kind'];
	if (!integers || min < -0x8000_0000 || max > 0xFFFF_FFFF || (min < 0 && max > 0x7FFF_FFFF)) {
		kind = 'f64';
		array = Float64Array.from(values);
	} else if (min < 0) {
		kind = 'i32';
		array = Int32Array.from(values);
	} else if (max <= 0xFF) {
		kind = 'u8';
		array = Uint8Array.from(values);
	} else if (max <= 0xFFFF) {
		kind = 'u16';
		array = Uint16Array.from(values);
	} else {
		kind = 'u32';
		array = Uint32Array.from(values);
	}

	return {kind, bytes: new Uint8Array(array.buffer, array.byteOffset, array.byteLength)};
}

const bytesPer: Record<NumberColumn['kind'], number> = {u8: 1, u16: 2, u32: 4, i32: 4, f64: 8};

function unpackNumbers(column: NumberColumn, count: number): ArrayLike<number> {
	// A copy: the decoded bytes may sit at any offset, typed arrays need their element alignment.
	const buffer = new Uint8Array(column.bytes).buffer;
	const array = column.kind === 'u8' ? new Uint8Array(buffer)
		: column.kind === 'u16' ? new Uint16Array(buffer)
			: column.kind === 'u32' ? new Uint32Array(buffer)
				: column.kind === 'i32' ? new Int32Array(buffer)
					: new Float64Array(buffer);
	if (array.length !== count) {
		throw new Error(`column of ${array.length} values for ${count} entries`);
	}

	return array;
}

type Text = {readonly encoding: 'utf8' | 'utf16le'; readonly bytes: Uint8Array};

function packText(text: string): Text {
	// With the u flag, \p{Cs} matches only lone surrogates (a pair is one code point).
	const encoding = /\p{Cs}/u.test(text) ? 'utf16le' : 'utf8';
	return {encoding, bytes: Buffer.from(text, encoding)};
}

function unpackText(text: Text): string {
	const {bytes} = text;
	return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(text.encoding === 'utf16le' ? 'utf16le' : 'utf8');
}

/** The stored shape (msgpack map). Short keys: they are written once per layer, not per entry. */
type Encoded = {
	readonly v: number;
	readonly diffId: string;
	readonly n: number;
	readonly tarBytes: number;
	readonly blobBytes: number;
	readonly compression: LayerContents['compression'];
	/** sizeBytes, whiteouts, opaques; absent when the contents had no summary. */
	readonly summary?: readonly [number, number, number];
	/** Type code and flag bits per entry. */
	readonly flags: NumberColumn;
	/** UTF-16 units each path shares with the previous one. */
	readonly shared: NumberColumn;
	/** UTF-16 units of each path's own rest, which follow one another in `rest`. */
	readonly restLength: NumberColumn;
	readonly rest: Text;
	readonly mode: NumberColumn;
	readonly uid: NumberColumn;
	readonly gid: NumberColumn;
	readonly size: NumberColumn;
	readonly mtime: NumberColumn;
	/** UTF-16 units of the link target of each entry with flagLink, in order; the targets follow one another in `linkText`. */
	readonly linkLength: NumberColumn;
	readonly linkText: Text;
	/** 8 bytes per entry with flagDigestXxh64, in order. */
	readonly xxh64: Uint8Array;
	/** The digests of entries with flagDigestOther, in order. */
	readonly digests: readonly string[];
};

// Records off: plain maps, so a foreign or damaged value cannot refer to structures it does not define.
const packr = new Packr({useRecords: false, moreTypes: false});

/**
 * Encode a layer's contents with the layer's diff_id ("sha256:…"), which decoding checks. Every LayerEntry field
 * is kept exactly (sizes up to 2^53, lone surrogates in names).
 */
export function encodeLayer(diffId: string, contents: LayerContents): Buffer {
	const {entries} = contents;
	const count = entries.length;
	const flags = new Uint16Array(count);
	const shared = new Uint32Array(count);
	const restLength = new Uint32Array(count);
	const rests: string[] = [];
	const mode = new Array<number>(count);
	const uid = new Array<number>(count);
	const gid = new Array<number>(count);
	const size = new Array<number>(count);
	const mtime = new Array<number>(count);
	const links: string[] = [];
	const linkLength: number[] = [];
	const digests: string[] = [];
	const xxh64: Buffer[] = [];
	let previous = '';
	for (let index = 0; index < count; index++) {
		const entry = entries[index]!;
		const {path} = entry;
		const limit = Math.min(path.length, previous.length, 0xFFFF);
		let same = 0;
		while (same < limit && path.charCodeAt(same) === previous.charCodeAt(same)) {
			same++;
		}

		// Never split a surrogate pair between the shared part and the rest.
		if (same > 0 && same < path.length && (path.charCodeAt(same) & 0xFC_00) === 0xDC_00) {
			same--;
		}

		shared[index] = same;
		const rest = path.slice(same);
		restLength[index] = rest.length;
		rests.push(rest);
		previous = path;
		let bits = typeCode.get(entry.type) ?? 0;
		if (entry.whiteout === true) {
			bits |= flagWhiteout;
		}

		if (entry.opaque === true) {
			bits |= flagOpaque;
		}

		if (entry.linkTarget !== undefined) {
			bits |= flagLink;
			links.push(entry.linkTarget);
			linkLength.push(entry.linkTarget.length);
		}

		if (entry.digest !== undefined) {
			if (xxh64Digest.test(entry.digest)) {
				bits |= flagDigestXxh64;
				xxh64.push(Buffer.from(entry.digest.slice(6), 'hex'));
			} else {
				bits |= flagDigestOther;
				digests.push(entry.digest);
			}
		}

		if (entry.mtime === undefined) {
			bits |= flagNoMtime;
		}

		flags[index] = bits;
		mode[index] = entry.mode;
		uid[index] = entry.uid;
		gid[index] = entry.gid;
		size[index] = entry.size;
		mtime[index] = entry.mtime ?? 0;
	}

	const {summary} = contents;
	const encoded: Encoded = {
		v: formatVersion,
		diffId,
		n: count,
		tarBytes: contents.tarBytes,
		blobBytes: contents.blobBytes,
		compression: contents.compression,
		...(summary === undefined ? {} : {summary: [summary.sizeBytes, summary.whiteouts, summary.opaques] as const}),
		flags: packNumbers(flags),
		shared: packNumbers(shared),
		restLength: packNumbers(restLength),
		rest: packText(rests.join('')),
		mode: packNumbers(mode),
		uid: packNumbers(uid),
		gid: packNumbers(gid),
		size: packNumbers(size),
		mtime: packNumbers(mtime),
		linkLength: packNumbers(linkLength),
		linkText: packText(links.join('')),
		xxh64: Buffer.concat(xxh64),
		digests,
	};
	return packr.pack(encoded);
}

/** Why bytes could not be decoded as a layer of this format (a cache miss, never shown as an error of the image). */
export class CacheFormatError extends Error {}

function isNumberColumn(value: unknown): value is NumberColumn {
	const column = value as NumberColumn | undefined;
	return typeof column === 'object' && column !== null && column.bytes instanceof Uint8Array
		&& ['u8', 'u16', 'u32', 'i32', 'f64'].includes(column.kind);
}

function check(condition: boolean, what: string): asserts condition {
	if (!condition) {
		throw new CacheFormatError(what);
	}
}

/**
 * Decode what encodeLayer wrote. Throws CacheFormatError for another format version, another diff_id, or bytes
 * that do not hold a whole, consistent layer.
 */
export function decodeLayer(bytes: Uint8Array, diffId: string): LayerContents {
	let value: Encoded;
	try {
		value = packr.unpack(bytes) as Encoded;
	} catch (error) {
		throw new CacheFormatError(`undecodable: ${(error as Error).message}`);
	}

	check(typeof value === 'object' && value !== null, 'not a map');
	check(value.v === formatVersion, `format version ${String(value.v)}, not ${formatVersion}`);
	check(value.diffId === diffId, `entry for ${String(value.diffId)}, not ${diffId}`);
	const count = value.n;
	check(Number.isSafeInteger(count) && count >= 0, 'bad entry count');
	for (const key of ['flags', 'shared', 'restLength', 'mode', 'uid', 'gid', 'size', 'mtime', 'linkLength'] as const) {
		check(isNumberColumn(value[key]), `bad column ${key}`);
	}

	for (const key of ['rest', 'linkText'] as const) {
		check(typeof value[key] === 'object' && value[key] !== null && value[key].bytes instanceof Uint8Array, `bad text ${key}`);
	}

	check(Array.isArray(value.digests) && value.xxh64 instanceof Uint8Array, 'bad link or digest lists');
	check(['none', 'gzip', 'zstd'].includes(value.compression) && typeof value.tarBytes === 'number' && typeof value.blobBytes === 'number', 'bad layer figures');
	let flags: ArrayLike<number>;
	let shared: ArrayLike<number>;
	let restLength: ArrayLike<number>;
	let mode: ArrayLike<number>;
	let uid: ArrayLike<number>;
	let gid: ArrayLike<number>;
	let size: ArrayLike<number>;
	let mtime: ArrayLike<number>;
	let linkLength: ArrayLike<number>;
	try {
		flags = unpackNumbers(value.flags, count);
		shared = unpackNumbers(value.shared, count);
		restLength = unpackNumbers(value.restLength, count);
		mode = unpackNumbers(value.mode, count);
		uid = unpackNumbers(value.uid, count);
		gid = unpackNumbers(value.gid, count);
		size = unpackNumbers(value.size, count);
		mtime = unpackNumbers(value.mtime, count);
		linkLength = unpackNumbers(value.linkLength, value.linkLength.bytes.length / bytesPer[value.linkLength.kind]);
	} catch (error) {
		throw new CacheFormatError((error as Error).message);
	}

	const rest = unpackText(value.rest);
	const linkText = unpackText(value.linkText);
	let linkOffset = 0;
	const {xxh64} = value;
	const entries = new Array<LayerEntry>(count);
	let previous = '';
	let offset = 0;
	let linkIndex = 0;
	let digestIndex = 0;
	let xxhOffset = 0;
	for (let index = 0; index < count; index++) {
		const bits = flags[index]!;
		const same = shared[index]!;
		const length = restLength[index]!;
		check(same <= previous.length && offset + length <= rest.length, 'path data out of range');
		const path = previous.slice(0, same) + rest.slice(offset, offset + length);
		offset += length;
		previous = path;
		const type = types[bits & 7];
		check(type !== undefined, 'bad entry type');
		let linkTarget: string | undefined;
		if ((bits & flagLink) !== 0) {
			const linkSize = linkLength[linkIndex++];
			check(linkSize !== undefined && linkOffset + linkSize <= linkText.length, 'missing link target');
			linkTarget = linkText.slice(linkOffset, linkOffset + linkSize);
			linkOffset += linkSize;
		}

		let digest: string | undefined;
		if ((bits & flagDigestXxh64) !== 0) {
			check(xxhOffset + 8 <= xxh64.length, 'missing digest');
			digest = ['xxh64:', Buffer.from(xxh64.buffer, xxh64.byteOffset + xxhOffset, 8).toString('hex')].join(''); // Flat, as the reader makes it (layer-tar.ts).
			xxhOffset += 8;
		} else if ((bits & flagDigestOther) !== 0) {
			digest = value.digests[digestIndex++];
			check(typeof digest === 'string', 'missing digest');
		}

		// The shape toEntry (src/archive/layer-tar.ts) gives every entry: the same keys, so one hidden class.
		entries[index] = {
			path,
			type,
			mode: mode[index]!,
			uid: uid[index]!,
			gid: gid[index]!,
			size: size[index]!,
			linkTarget,
			mtime: (bits & flagNoMtime) === 0 ? mtime[index]! : undefined,
			digest,
			whiteout: (bits & flagWhiteout) === 0 ? undefined : true,
			opaque: (bits & flagOpaque) === 0 ? undefined : true,
		};
	}

	check(offset === rest.length && linkIndex === linkLength.length && linkOffset === linkText.length && digestIndex === value.digests.length && xxhOffset === xxh64.length, 'trailing data');
	const summary = value.summary;
	return {
		entries,
		tarBytes: value.tarBytes,
		blobBytes: value.blobBytes,
		compression: value.compression,
		// Only verified layers are stored: their bytes hashed to this diff_id.
		diffId,
		...(Array.isArray(summary) && summary.length === 3 ? {summary: {sizeBytes: summary[0], whiteouts: summary[1], opaques: summary[2]}} : {}),
	};
}
