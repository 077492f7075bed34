// Blobs are recognised by their bytes, never by name or media type, and decoded while they stream.
import {createRequire} from 'node:module';
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

/** zstd-napi's low-level decompression context (native libzstd); undefined when the addon cannot load. */
type NativeDctx = {decompressStream(dst: Uint8Array, src: Uint8Array): [number, number, number]};
type NativeBinding = {DCtx: new () => NativeDctx};

let nativeBinding: NativeBinding | null | undefined;
function zstdNative(): NativeBinding | undefined {
	if (nativeBinding === undefined) {
		try {
			nativeBinding = createRequire(import.meta.url)('zstd-napi/binding') as NativeBinding;
		} catch {
			nativeBinding = null;
		}
	}

	return nativeBinding ?? undefined;
}

const zstdOutBytes = 256 * 1024;

/**
 * A zstd decompressor that yields its output piece by piece (at most 256 KiB each, lazily), so a consumer that
 * stops pulling stops the decoding: a 33 KB bomb of 1 GB zeros costs no more memory than one piece. Native
 * libzstd (zstd-napi) where it loads, else fzstd (pure JavaScript, fed 256-byte slices so that one call cannot
 * expand far).
 */
export class ZstdDecoder {
	/** Which implementation decodes. */
	readonly engine: 'zstd-napi' | 'fzstd';
	private readonly native: NativeDctx | undefined;
	private readonly fallback: Decompress | undefined;
	private fallbackOut: Buffer[] = [];
	private inFrame = false;
	private reusable: Buffer | undefined;

	/** `engine` forces one implementation (tests of the fallback); by default native where it loads. */
	constructor(engine?: 'zstd-napi' | 'fzstd') {
		const binding = engine === 'fzstd' ? undefined : zstdNative();
		if (binding === undefined) {
			this.engine = 'fzstd';
			this.fallback = new Decompress(chunk => {
				this.fallbackOut.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
			});
		} else {
			this.engine = 'zstd-napi';
			this.native = new binding.DCtx();
		}
	}

	/**
	 * The output for the next input bytes. With `reuse`, pieces share one buffer (each is valid only until the
	 * next is pulled). Throws for corrupt data.
	 */
	* decode(input: Buffer, reuse = false): Generator<Buffer, void, undefined> {
		if (this.native === undefined) {
			for (let offset = 0; offset < input.length; offset += 256) {
				this.fallback!.push(input.subarray(offset, offset + 256));
				const out = this.fallbackOut;
				this.fallbackOut = [];
				yield * out;
			}

			return;
		}

		let source = input;
		for (;;) {
			const target = reuse ? (this.reusable ??= Buffer.allocUnsafe(zstdOutBytes)) : Buffer.allocUnsafe(zstdOutBytes);
			const [hint, produced, consumed] = this.native.decompressStream(target, source);
			source = source.subarray(consumed);
			if (produced > 0) {
				yield target.subarray(0, produced);
			}

			if (source.length === 0 && (produced < target.length || hint === 0)) {
				this.inFrame = hint !== 0;
				return;
			}
		}
	}

	/** The input is complete: throws when it stopped inside a frame. */
	finish(): void {
		if (this.native === undefined) {
			this.fallback!.push(new Uint8Array(0), true);
			return;
		}

		if (this.inFrame) {
			throw new Error('the data ends in the middle of a zstd frame');
		}
	}
}

/** A Transform over ZstdDecoder that honours backpressure inside one input chunk. */
class ZstdTransform extends Transform {
	private readonly decoder = new ZstdDecoder();
	private pieces: Iterator<Buffer> | undefined;
	private done: TransformCallback | undefined;

	override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
		this.pieces = this.decoder.decode(chunk);
		this.done = callback;
		this.pump();
	}

	override _read(size: number): void {
		if (this.pieces === undefined) {
			super._read(size);
		} else {
			this.pump();
		}
	}

	override _flush(callback: TransformCallback): void {
		try {
			this.decoder.finish();
			callback();
		} catch (error) {
			callback(new Error(`corrupt zstd data: ${(error as Error).message}`));
		}
	}

	private pump(): void {
		for (;;) {
			let next: IteratorResult<Buffer>;
			try {
				next = this.pieces!.next();
			} catch (error) {
				this.pieces = undefined;
				this.done!(new Error(`corrupt zstd data: ${(error as Error).message}`));
				return;
			}

			if (next.done === true) {
				this.pieces = undefined;
				const callback = this.done!;
				this.done = undefined;
				callback();
				return;
			}

			if (!this.push(next.value)) {
				return; // _read continues.
			}
		}
	}
}

const decodeChunk = 1024 * 1024;

/** Which zstd decoder runs: native libzstd via zstd-napi, else Node's own zlib zstd (Node ≥ 22.15), else fzstd. */
export function zstdEngine(): 'zstd-napi' | 'node-zlib' | 'fzstd' {
	if (zstdNative() !== undefined) {
		return 'zstd-napi';
	}

	return (zlib as ZlibWithZstd).createZstdDecompress === undefined ? 'fzstd' : 'node-zlib';
}

type ZlibWithZstd = typeof zlib & {createZstdDecompress?: (options?: {chunkSize?: number}) => Transform};

/**
 * A gzip or zstd decoder's error in the user's words, for `subject` ("archive", "layer"): data cut short reads as
 * "truncated …" (zlib's Z_BUF_ERROR "unexpected end of file", a zstd frame left open), anything else as "corrupt …"
 * with the decoder's own message (zlib's, e.g. "incorrect header check"), never a bare error code.
 */
export function decodeErrorMessage(error: Error, kind: 'gzip' | 'zstd', subject: 'archive' | 'layer'): string {
	const {code} = error as NodeJS.ErrnoException;
	const what = subject === 'archive' ? 'archive' : `${kind} layer data`;
	if (code === 'Z_BUF_ERROR' || error.message === 'unexpected end of file' || error.message.includes('ends in the middle of a zstd frame')) {
		return subject === 'archive' ? `truncated archive: the ${kind} data ends early` : `truncated ${what}: the ${kind} data ends early`;
	}

	const detail = error.message.replace(/^corrupt zstd data: /, '');
	return subject === 'archive' ? `corrupt ${kind} archive: ${detail}` : `corrupt ${what}: ${detail}`;
}

/** A decoder for a compressed blob kind, or undefined when the bytes are a plain tar. */
export function decoderFor(kind: BlobKind): Transform | undefined {
	if (kind === 'gzip') {
		return zlib.createGunzip({chunkSize: decodeChunk});
	}

	if (kind === 'zstd') {
		const nodeZstd = (zlib as ZlibWithZstd).createZstdDecompress;
		return zstdEngine() === 'node-zlib' && nodeZstd !== undefined ? nodeZstd({chunkSize: decodeChunk}) : new ZstdTransform();
	}

	return undefined;
}

/**
 * A push decoder: compressed bytes in through `write`, uncompressed bytes out through the `output` callback given
 * at creation. `write` returns a promise only when the caller must wait. Errors go to `onError` (once).
 */
export type BlobDecoder = {
	write(chunk: Buffer): Promise<void> | undefined;
	/** All input given: resolves once every output byte has been delivered; rejects when the data is cut short. */
	end(): Promise<void>;
	onError(listener: (error: Error) => void): void;
	destroy(): void;
};

/** zstd, decoded synchronously into the consumer: bounded memory without any stream in between. */
class SyncZstdDecoder implements BlobDecoder {
	private readonly decoder = new ZstdDecoder();
	private readonly output: (chunk: Buffer) => void;
	private errorListener: (error: Error) => void = () => undefined;
	private failed = false;

	constructor(output: (chunk: Buffer) => void) {
		this.output = output;
	}

	write(chunk: Buffer): undefined {
		if (this.failed) {
			return undefined;
		}

		try {
			for (const piece of this.decoder.decode(chunk, true)) {
				this.output(piece);
				if (this.failed) {
					break;
				}
			}
		} catch (error) {
			this.fail(error as Error);
		}

		return undefined;
	}

	async end(): Promise<void> {
		if (!this.failed) {
			this.decoder.finish();
		}
	}

	onError(listener: (error: Error) => void): void {
		this.errorListener = listener;
	}

	destroy(): void {
		this.failed = true;
	}

	private fail(error: Error): void {
		if (!this.failed) {
			this.failed = true;
			this.errorListener(error);
		}
	}
}

/** A Node stream decoder (gzip; zstd when only Node's zlib has it) driven as a push decoder. */
class StreamDecoder implements BlobDecoder {
	private readonly stream: Transform;
	private readonly finished: Promise<void>;

	constructor(stream: Transform, output: (chunk: Buffer) => void) {
		this.stream = stream;
		stream.on('data', output);
		this.finished = new Promise((resolve, reject) => {
			stream.on('end', resolve);
			stream.on('error', reject);
			stream.on('close', () => {
				reject(new Error('decoding stopped'));
			}); // Destroyed: whoever waits stops waiting (after 'end' this changes nothing).
		});
		this.finished.catch(() => undefined);
	}

	write(chunk: Buffer): Promise<void> | undefined {
		if (this.stream.write(chunk)) {
			return undefined;
		}

		return Promise.race([
			new Promise<void>(resolve => {
				this.stream.once('drain', resolve);
			}),
			this.finished,
		]);
	}

	async end(): Promise<void> {
		this.stream.end();
		return this.finished;
	}

	onError(listener: (error: Error) => void): void {
		this.stream.on('error', listener);
	}

	destroy(): void {
		this.stream.destroy();
	}
}

/** The push decoder for a blob kind, or undefined for a plain tar (and for kinds that are no layer). */
export function blobDecoder(kind: BlobKind, output: (chunk: Buffer) => void): BlobDecoder | undefined {
	if (kind === 'zstd' && zstdEngine() !== 'node-zlib') {
		return new SyncZstdDecoder(output);
	}

	const stream = decoderFor(kind);
	return stream === undefined ? undefined : new StreamDecoder(stream, output);
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
