// Follows tar framing (headers, PAX/GNU long records, data blocks) without decoding entries:
// it ends the stream at the end-of-archive marker (two zero blocks), as Go's archive/tar and docker do, so data
// after it (the estargz TOC, padding) is never read as entries, and it names the entry a truncated tar ends in.

import {parseDecimal, parsePaxRecords} from './tar-pax.js';

const block = 512;

function octal(buf: Buffer, offset: number, length: number): number {
	// GNU base-256 for large values.
	if ((buf[offset]! & 0x80) !== 0) {
		let value = 0;
		for (let index = offset + 1; index < offset + length; index++) {
			value = (value * 256) + buf[index]!;
		}

		return value;
	}

	let value = 0;
	for (let index = offset; index < offset + length; index++) {
		const byte = buf[index]!;
		if (byte >= 0x30 && byte <= 0x37) {
			value = (value * 8) + (byte - 0x30);
		} else if (value > 0 && (byte === 0 || byte === 0x20)) {
			break;
		}
	}

	return value;
}

function isZero(buf: Buffer): boolean {
	for (let index = 0; index < buf.length; index++) {
		if (buf[index] !== 0) {
			return false;
		}
	}

	return true;
}

/** The PAX `size` record, parsed by length prefixes (a path value may hold "\n1 size=0\n"); undefined if none. */
function paxSize(record: Buffer): number | undefined {
	try {
		const value = parsePaxRecords(record).get('size');
		return value === undefined || value.length === 0 ? undefined : parseDecimal(value.toString('latin1'));
	} catch {
		return undefined; // Malformed: the tar parser behind this reports it.
	}
}

export class TarFraming {
	/** Bytes of tar passed on, up to and including the end-of-archive marker. */
	bytes = 0;
	ended = false;
	private skip = 0;
	private readonly header = Buffer.alloc(block);
	private headerFill = 0;
	private zeroBlocks = 0;
	/** Collecting a PAX record: its remaining bytes and the parts so far. */
	private pax: {remaining: number; parts: Buffer[]} | undefined;
	private nextSize: number | undefined;

	/** Take the next bytes of the tar; returns the part that belongs to the archive (empty once it has ended). */
	feed(chunk: Buffer): Buffer {
		if (this.ended) {
			return chunk.subarray(0, 0);
		}

		let offset = 0;
		let passUntil = chunk.length;
		while (offset < chunk.length) {
			if (this.skip > 0) {
				const take = Math.min(this.skip, chunk.length - offset);
				if (this.pax !== undefined) {
					const wanted = Math.min(take, this.pax.remaining);
					if (wanted > 0) {
						this.pax.parts.push(chunk.subarray(offset, offset + wanted));
						this.pax.remaining -= wanted;
					}

					if (this.pax.remaining === 0 && this.skip - take === 0) {
						this.nextSize = paxSize(Buffer.concat(this.pax.parts));
						this.pax = undefined;
					}
				}

				this.skip -= take;
				offset += take;
				continue;
			}

			const take = Math.min(block - this.headerFill, chunk.length - offset);
			chunk.copy(this.header, this.headerFill, offset, offset + take);
			this.headerFill += take;
			offset += take;
			if (this.headerFill < block) {
				break;
			}

			this.headerFill = 0;
			if (isZero(this.header)) {
				this.zeroBlocks++;
				if (this.zeroBlocks === 2) {
					this.ended = true;
					passUntil = offset;
					break;
				}

				continue;
			}

			this.zeroBlocks = 0;
			const type = String.fromCodePoint(this.header[156]!);
			let size = octal(this.header, 124, 12);
			if (type === 'x' || type === 'g') {
				const padded = Math.ceil(size / block) * block;
				if (type === 'x') {
					this.pax = {remaining: size, parts: []};
				}

				this.skip = padded;
				continue;
			}

			if (type === 'L' || type === 'K') {
				this.skip = Math.ceil(size / block) * block;
				continue;
			}

			if (this.nextSize !== undefined) {
				size = this.nextSize;
				this.nextSize = undefined;
			}

			// As tar-stream reads it: a directory carries no data blocks whatever its size field says.
			this.skip = type === '5' ? 0 : Math.ceil(size / block) * block;
		}

		this.bytes += passUntil;
		return passUntil === chunk.length ? chunk : chunk.subarray(0, passUntil);
	}

	/** At the end of the input: an error when the tar stopped in the middle of an entry. */
	finish(): Error | undefined {
		if (!this.ended && (this.skip > 0 || this.headerFill > 0)) {
			return new Error('truncated layer tar');
		}

		return undefined;
	}
}
