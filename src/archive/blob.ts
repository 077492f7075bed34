// Blobs are recognised by their bytes, never by name or media type, and decoded while they stream.
import zlib from 'node:zlib';
import {Transform, type Readable, type TransformCallback} from 'node:stream';
import {Decompress} from 'fzstd';

export type BlobKind = 'tar' | 'gzip' | 'zstd' | 'json' | 'unknown';

/** Bytes needed to tell kinds apart: a tar header. */
export const sniffBytes = 512;

function tarChecksumValid(head: Uint8Array): boolean {
	if (head.length < 512) {
		return false;
	}

	let sum = 0;
	for (let index = 0; index < 512; index++) {
		sum += index >= 148 && index < 156 ? 32 : head[index]!;
	}

	const stored = Number.parseInt(Buffer.from(head.subarray(148, 156)).toString('latin1').replaceAll('\0', ' ').trim(), 8);
	return stored === sum;
}

export function sniff(head: Uint8Array): BlobKind {
	if (head.length >= 2 && head[0] === 0x1F && head[1] === 0x8B) {
		return 'gzip';
	}

	if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xB5 && head[2] === 0x2F && head[3] === 0xFD) {
		return 'zstd';
	}

	if (head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar') {
		return 'tar';
	}

	if (head.length >= 512 && head.subarray(0, 512).every(byte => byte === 0)) {
		return 'tar'; // An empty layer: only the end-of-archive marker.
	}

	if (tarChecksumValid(head)) {
		return 'tar';
	}

	for (const byte of head) {
		if (byte === 0x20 || byte === 0x0A || byte === 0x0D || byte === 0x09) {
			continue;
		}

		return byte === 0x7B || byte === 0x5B ? 'json' : 'unknown';
	}

	return 'unknown';
}

class FzstdTransform extends Transform {
	private readonly decoder = new Decompress((chunk: Uint8Array) => {
		this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
	});

	override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
		try {
			this.decoder.push(chunk);
			callback();
		} catch (error) {
			callback(new Error(`corrupt zstd data: ${(error as Error).message}`));
		}
	}

	override _flush(callback: TransformCallback): void {
		try {
			this.decoder.push(new Uint8Array(0), true);
			callback();
		} catch (error) {
			callback(new Error(`corrupt zstd data: ${(error as Error).message}`));
		}
	}
}

const decodeChunk = 1024 * 1024;

type ZlibWithZstd = typeof zlib & {createZstdDecompress?: (options?: {chunkSize?: number}) => Transform};

/** A decoder for a compressed blob kind, or undefined when the bytes are a plain tar. */
export function decoderFor(kind: BlobKind): Transform | undefined {
	if (kind === 'gzip') {
		return zlib.createGunzip({chunkSize: decodeChunk});
	}

	if (kind === 'zstd') {
		const native = (zlib as ZlibWithZstd).createZstdDecompress;
		return native === undefined ? new FzstdTransform() : native({chunkSize: decodeChunk});
	}

	return undefined;
}

/** Read the first bytes of a stream (without losing them: they are returned as `head`). */
export async function readHead(stream: Readable, bytes = sniffBytes): Promise<Buffer> {
	const parts: Buffer[] = [];
	let total = 0;
	for await (const chunk of stream.iterator({destroyOnReturn: false})) {
		const buffer = chunk as Buffer;
		parts.push(buffer);
		total += buffer.length;
		if (total >= bytes) {
			break;
		}
	}

	return Buffer.concat(parts);
}
