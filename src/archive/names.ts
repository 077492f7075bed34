// Tar names are bytes. Valid UTF-8 becomes a normal string; each byte of an invalid sequence becomes the lone
// surrogate U+DC00+byte, U+DC80..U+DCFF (as Python's "surrogateescape"), so nothing is lost and display code can show `\xNN`.

function sequenceLength(bytes: Uint8Array, index: number): number {
	const first = bytes[index]!;
	let length: number;
	let minimum: number;
	if (first >= 0xC2 && first <= 0xDF) {
		length = 2;
		minimum = 0x80;
	} else if (first >= 0xE0 && first <= 0xEF) {
		length = 3;
		minimum = 0x800;
	} else if (first >= 0xF0 && first <= 0xF4) {
		length = 4;
		minimum = 0x10000;
	} else {
		return 0;
	}

	if (index + length > bytes.length) {
		return 0;
	}

	let code = first & (0xFF >> (length + 1));
	for (let offset = 1; offset < length; offset++) {
		const byte = bytes[index + offset]!;
		if ((byte & 0xC0) !== 0x80) {
			return 0;
		}

		code = (code << 6) | (byte & 0x3F);
	}

	if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
		return 0;
	}

	return length;
}

export function decodeBytes(bytes: Uint8Array): string {
	let ascii = true;
	for (let index = 0; index < bytes.length; index++) {
		if (bytes[index]! >= 0x80) {
			ascii = false;
			break;
		}
	}

	if (ascii) {
		return Buffer.isBuffer(bytes) ? bytes.toString('latin1') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
	}

	let out = '';
	let index = 0;
	while (index < bytes.length) {
		const byte = bytes[index]!;
		if (byte < 0x80) {
			out += String.fromCodePoint(byte);
			index++;
			continue;
		}

		const length = sequenceLength(bytes, index);
		if (length === 0) {
			out += String.fromCodePoint(0xDC_00 + byte);
			index++;
			continue;
		}

		out += Buffer.from(bytes.buffer, bytes.byteOffset + index, length).toString('utf8');
		index += length;
	}

	return out;
}

/** A tar header as tar-stream gives it, read with filenameEncoding latin1. */
type NamedHeader = {name: string; linkname?: string | null; pax?: unknown};

function paxField(header: NamedHeader, key: 'path' | 'linkpath'): string | undefined {
	const pax = header.pax as Record<string, unknown> | null | undefined;
	const value = pax?.[key];
	return typeof value === 'string' ? value : undefined;
}

/**
 * The entry's name: a PAX path is UTF-8 already (tar-stream decodes it); a ustar or GNU name arrives as latin1
 * (one char per byte) and is decoded here.
 */
export function headerName(header: NamedHeader): string {
	return paxField(header, 'path') ?? decodeLatin1Name(header.name);
}

/** The link target, decoded as headerName decodes the name ('' when there is none). */
export function headerLinkName(header: NamedHeader): string {
	if (!header.linkname) {
		return '';
	}

	return paxField(header, 'linkpath') ?? decodeLatin1Name(header.linkname);
}

/** A name tar-stream decoded as latin1 (one char per byte), decoded properly. */
export function decodeLatin1Name(name: string): string {
	return /[^\u0000-\u007F]/.test(name) ? decodeBytes(Buffer.from(name, 'latin1')) : name;
}

/** A path that path.Clean would change (other than a single trailing slash). */
const cleanPath = /^\.{0,2}(?:\/|$)|\/\.{0,2}\/|\/\.{1,2}$|\/\/|^\/|\/\/$/;

/** Clean a tar path as Go's path.Clean would, then make it relative ('' for the root). */
export function normalizePath(name: string): string {
	// The common case needs no work: "a/b/c", or "a/b/" for a directory.
	if (!cleanPath.test(name)) {
		return name.endsWith('/') ? name.slice(0, -1) : name;
	}

	const out: string[] = [];
	for (const part of name.split('/')) {
		if (part === '' || part === '.') {
			continue;
		}

		if (part === '..') {
			out.pop();
			continue;
		}

		out.push(part);
	}

	return out.join('/');
}

/** The bytes a decoded name stands for: UTF-8, with each U+DC80..U+DCFF (an invalid byte, see decodeBytes) back as that byte. */
export function encodeNameBytes(name: string): Buffer {
	if (!/[\uDC80-\uDCFF]/.test(name)) {
		return Buffer.from(name, 'utf8');
	}

	const parts: Buffer[] = [];
	let start = 0;
	for (let index = 0; index < name.length; index++) {
		const code = name.charCodeAt(index);
		const previous = index > 0 ? name.charCodeAt(index - 1) : 0;
		// A low surrogate after a high one is half of a real character, not a stand-in byte.
		if (code >= 0xDC_80 && code <= 0xDC_FF && !(previous >= 0xD8_00 && previous <= 0xDB_FF)) {
			parts.push(Buffer.from(name.slice(start, index), 'utf8'), Buffer.of(code - 0xDC_00));
			start = index + 1;
		}
	}

	parts.push(Buffer.from(name.slice(start), 'utf8'));
	return Buffer.concat(parts);
}
