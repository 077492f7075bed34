// One member (a layer blob) of an outer image archive, without reading the rest: in a plain tar file on disk by
// seeking from header to header, in any other archive stream by skipping to it and stopping right after it.
import {open} from 'node:fs/promises';
import {PassThrough, type Readable} from 'node:stream';
import tarStream, {type Header} from 'tar-stream';
import {decoderFor, readHead, sniff} from './blob.js';
import {FormatError} from './manifest.js';
import {decodeLatin1Name, headerName, normalizePath} from './names.js';

const block = 512;
/** Long-name and PAX records larger than this are not archive member names. */
const metadataLimit = 1024 * 1024;

/** Where a member's data lies in a tar file. */
export type MemberSpan = {
	/** Byte offset of the member's data. */
	readonly offset: number;
	/** Bytes of data. */
	readonly size: number;
};

function field(header: Buffer, start: number, length: number): string {
	const end = header.indexOf(0, start);
	return header.toString('latin1', start, end < 0 || end > start + length ? start + length : end);
}

/** A numeric header field: octal (space or NUL terminated) or GNU base-256. */
function numeric(header: Buffer, start: number, length: number): number {
	if ((header[start]! & 0x80) !== 0) {
		let value = header[start]! & 0x7F;
		for (let index = start + 1; index < start + length; index++) {
			value = (value * 256) + header[index]!;
		}

		return value;
	}

	const text = field(header, start, length).trim();
	return text === '' ? 0 : Number.parseInt(text, 8);
}

function paxValue(data: Buffer, key: string): string | undefined {
	let offset = 0;
	let found: string | undefined;
	while (offset < data.length) {
		const space = data.indexOf(0x20, offset);
		if (space < 0) {
			break;
		}

		const length = Number.parseInt(data.toString('latin1', offset, space), 10);
		if (!Number.isInteger(length) || length <= 0 || offset + length > data.length) {
			break;
		}

		const record = data.subarray(space + 1, offset + length - 1);
		const equals = record.indexOf(0x3D);
		if (equals > 0 && record.toString('latin1', 0, equals) === key) {
			found = record.subarray(equals + 1).toString('utf8');
		}

		offset += length;
	}

	return found;
}

/** A member of a tar file: where its data lies, and for links what they point to. */
export type IndexedMember = MemberSpan & {
	/** '0' regular file, '1' hardlink, '2' symlink, '5' directory… (the header's typeflag). */
	readonly type: string;
	/** Link target, as in the header. */
	readonly linkName: string;
};

/** Most members indexed in one archive (an image archive has a few per layer). */
const memberLimit = 1_000_000;

/**
 * Index an uncompressed tar file by reading only its headers (seeking over the data): normalised member path →
 * where its data lies. Undefined when the file is not a plain tar (compressed: it must be streamed instead).
 * FormatError for a name record over 1 MiB, over a million members, or a member whose data runs past the end of the
 * file (a truncated archive).
 */
export async function indexTarFile(file: string): Promise<Map<string, IndexedMember> | undefined> {
	const handle = await open(file, 'r');
	try {
		const {size: fileSize} = await handle.stat();
		const header = Buffer.alloc(block);
		const members = new Map<string, IndexedMember>();
		let position = 0;
		let longName: string | undefined;
		let longLink: string | undefined;
		let endMarker = false;
		while (position < fileSize) {
			const {bytesRead} = await handle.read(header, 0, block, position);
			if (header.subarray(0, bytesRead).every(byte => byte === 0)) {
				endMarker = true;
				break;
			}

			if (bytesRead < block) {
				throw new FormatError(`truncated archive: the data ends in the middle of an entry's header (${fileSize} bytes)`);
			}

			if (position === 0 && header.toString('latin1', 257, 262) !== 'ustar' && !/^[0-7 \0]+$/.test(field(header, 124, 12) || '0')) {
				return undefined;
			}

			const size = numeric(header, 124, 12);
			const type = String.fromCodePoint(header[156]!);
			const dataStart = position + block;
			const next = dataStart + (Math.ceil(size / block) * block);
			// A member whose data runs past the end of the file: the archive was cut (an interrupted copy or
			// download), said as the streaming reader says it, rather than as whatever the cut took away.
			if (dataStart + size > fileSize && (type === '0' || type === '\0' || type === '7' || type === 'L' || type === 'K' || type === 'x')) {
				throw new FormatError(`truncated archive: the data ends in the middle of an entry (${fileSize} bytes; the entry at byte ${position} needs ${dataStart + size})`);
			}

			if (type === 'L' || type === 'K' || type === 'x') {
				if (size > metadataLimit) {
					throw new FormatError('the archive has a name record over 1 MiB');
				}

				const data = Buffer.alloc(size);
				await handle.read(data, 0, size, dataStart);
				if (type === 'L') {
					longName = decodeLatin1Name(field(data, 0, size));
				} else if (type === 'K') {
					longLink = decodeLatin1Name(field(data, 0, size));
				} else {
					longName = paxValue(data, 'path') ?? longName;
					longLink = paxValue(data, 'linkpath') ?? longLink;
				}

				position = next;
				continue;
			}

			if (type !== 'g') {
				let name = longName;
				if (name === undefined) {
					const prefix = header.toString('latin1', 257, 262) === 'ustar' ? field(header, 345, 155) : '';
					name = decodeLatin1Name(prefix === '' ? field(header, 0, 100) : `${prefix}/${field(header, 0, 100)}`);
				}

				if (members.size >= memberLimit) {
					throw new FormatError('the archive has over a million members: not an image archive');
				}

				const linkName = longLink ?? decodeLatin1Name(field(header, 157, 100));
				members.set(normalizePath(name), {offset: dataStart, size: type === '0' || type === '\0' || type === '7' ? size : 0, type: type === '\0' || type === '7' ? '0' : type, linkName});
			}

			longName = undefined;
			longLink = undefined;
			position = next;
		}

		// Cut at an entry's edge: tar's end-of-archive blocks are missing too (every tar writer puts them), and
		// with them, here, what an image archive needs.
		if (!endMarker && members.size > 0 && !members.has('manifest.json') && !members.has('index.json')) {
			throw new FormatError(`truncated archive: it ends (${fileSize} bytes) without tar's end-of-archive blocks, before any manifest.json or index.json`);
		}

		return members;
	} finally {
		await handle.close();
	}
}

/**
 * The bytes of `member` from an archive stream (plain, gzip or zstd compressed): entries before it are skipped,
 * and `input` is destroyed once the member has been read (a `docker save` stops there). Rejects with a
 * FormatError when the archive ends without it.
 */
export async function streamTarMember(input: Readable, member: string): Promise<Readable> {
	const head = await readHead(input, 4);
	if (!input.readableEnded && head.length > 0) {
		input.unshift(head);
	}

	const decoder = decoderFor(sniff(head));
	const tar = decoder === undefined ? input : input.pipe(decoder);
	const extract = tarStream.extract({filenameEncoding: 'latin1'} as Parameters<typeof tarStream.extract>[0]);
	const stop = (): void => {
		tar.unpipe(extract);
		input.destroy();
		decoder?.destroy();
		extract.destroy();
	};

	return new Promise<Readable>((resolve, reject) => {
		let found = false;
		const fail = (error: Error): void => {
			stop();
			reject(error instanceof FormatError ? error : new FormatError(`cannot read the archive: ${(error as NodeJS.ErrnoException).code ?? error.message}`));
		};

		input.on('error', error => {
			if (!found) {
				fail(error);
			}
		});
		decoder?.on('error', error => {
			if (!found) {
				fail(error);
			}
		});
		extract.on('error', error => {
			if (!found) {
				fail(error);
			}
		});
		extract.on('finish', () => {
			if (!found) {
				fail(new FormatError(`the archive has no member ${member}`));
			}
		});
		extract.on('entry', (header: Header, stream, next) => {
			if (!found && (header.type === 'file' || header.type === 'contiguous-file') && normalizePath(headerName(header)) === member) {
				found = true;
				const out = new PassThrough();
				// The reader may stop early (it has found its file): the entry then errors as its pipe closes.
				stream.on('error', () => undefined);
				stream.pipe(out);
				stream.on('end', stop);
				out.on('close', stop);
				resolve(out);
				return;
			}

			stream.on('end', next);
			stream.resume();
		});
		tar.pipe(extract);
	});
}
