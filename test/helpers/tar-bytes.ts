// Hand-built tar bytes for reader tests: header blocks with exactly the fields given (checksummed), PAX records,
// padding. Nothing here decides how a header is read: that is what the tests compare against Go and GNU tar.

export type HeaderFields = {
	name?: string | Buffer;
	mode?: number;
	uid?: number;
	gid?: number;
	size?: number;
	mtime?: number;
	/** One byte: '0', '5', '\0', 'x', … */
	typeflag?: string;
	linkname?: string | Buffer;
	/** 'ustar' (default), 'gnu' or 'v7'. */
	magic?: 'ustar' | 'gnu' | 'v7';
	/** Raw bytes for a numeric field (overrides the number), e.g. base-256 or space-terminated octal. */
	raw?: Partial<Record<'mode' | 'uid' | 'gid' | 'size' | 'mtime', Buffer>>;
	/** Bytes to put at an offset after the standard fields (before the checksum). */
	patch?: Array<[number, Buffer]>;
};

const bytes = (value: string | Buffer): Buffer => typeof value === 'string' ? Buffer.from(value, 'utf8') : value;

export function octalField(value: number, width: number): Buffer {
	return Buffer.from(`${value.toString(8).padStart(width - 1, '0')}\0`, 'latin1');
}

/** One 512-byte header block. */
export function header(fields: HeaderFields): Buffer {
	const block = Buffer.alloc(512);
	bytes(fields.name ?? 'file').copy(block, 0, 0, 100);
	const numeric = (key: 'mode' | 'uid' | 'gid' | 'size' | 'mtime', offset: number, width: number, value: number): void => {
		(fields.raw?.[key] ?? octalField(value, width)).copy(block, offset);
	};

	numeric('mode', 100, 8, fields.mode ?? 0o644);
	numeric('uid', 108, 8, fields.uid ?? 0);
	numeric('gid', 116, 8, fields.gid ?? 0);
	numeric('size', 124, 12, fields.size ?? 0);
	numeric('mtime', 136, 12, fields.mtime ?? 1_700_000_000);
	block.write(fields.typeflag ?? '0', 156, 'latin1');
	bytes(fields.linkname ?? '').copy(block, 157, 0, 100);
	const magic = fields.magic ?? 'ustar';
	if (magic === 'ustar') {
		block.write('ustar\u000000', 257, 'latin1');
	} else if (magic === 'gnu') {
		block.write('ustar  \0', 257, 'latin1');
	}

	for (const [offset, patch] of fields.patch ?? []) {
		patch.copy(block, offset);
	}

	block.fill(0x20, 148, 156);
	let sum = 0;
	for (const byte of block) {
		sum += byte;
	}

	block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
	return block;
}

export function pad(data: Buffer): Buffer {
	const rest = (512 - (data.length % 512)) % 512;
	return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(rest)]);
}

/** One PAX record "%d %s=%s\n" with its correct length. */
export function paxRecord(key: string, value: string | Buffer): Buffer {
	const body = Buffer.concat([Buffer.from(` ${key}=`, 'latin1'), bytes(value), Buffer.from('\n')]);
	let length = body.length + 1;
	while (String(length).length + body.length !== length) {
		length = String(length).length + body.length;
	}

	return Buffer.concat([Buffer.from(String(length)), body]);
}

/** A PAX extended header ('x', or 'g' for global) with its records, padded. */
export function paxHeader(records: Array<[string, string | Buffer]>, typeflag = 'x'): Buffer {
	const data = Buffer.concat(records.map(([key, value]) => paxRecord(key, value)));
	return Buffer.concat([header({name: 'PaxHeaders/x', size: data.length, typeflag}), pad(data)]);
}

/** A regular file: header and padded data. */
export function file(name: string | Buffer, data: string | Buffer, fields: HeaderFields = {}): Buffer {
	const content = bytes(data);
	return Buffer.concat([header({name, size: content.length, ...fields}), pad(content)]);
}

export const endMarker = Buffer.alloc(1024);

export function tar(...parts: Buffer[]): Buffer {
	return Buffer.concat([...parts, endMarker]);
}
