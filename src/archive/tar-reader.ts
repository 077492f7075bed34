// The layer tar reader: bytes pushed in chunks → entries with their logical content, exactly the entries Go's
// archive/tar (what docker and dive use) yields for the same bytes. One state machine, no recursion, no entry
// buffered: content goes to the sink slice by slice (holes of sparse files as lengths of zeros).
//
// Follows Go's Reader.next(): PAX 'x' headers apply to the next entry only (a second one replaces the first), PAX
// global 'g' headers apply to nothing (and drop what was pending), GNU 'L'/'K' give the next entry's name/link,
// the header-only types (hardlink, symlink, char, block, dir, FIFO) carry no data whatever their size says, a
// pre-POSIX regular file whose name ends in '/' is a directory, GNU sparse files (PAX 0.0/0.1/1.0, old GNU 'S')
// have their real name and size and their holes as zeros. The end is two zero blocks (or the end of the input at
// a header boundary); a zero block followed by anything else is refused, as Go refuses it.

import {blockSize, gnuRealSize, isZeroBlock, parseHeader, type RawHeader, TarHeaderError, TarLimitError, blockFormat} from './tar-header.js';
import {parseDecimal, parsePaxRecords, parsePaxTime, type PaxRecords, paxKeys, paxText} from './tar-pax.js';
import {oldGnuSparseEntries, paxSparseVersion, sparseHoles, type SparseSpan, sparseMap0x, SparseMap1x0Reader, validSparse} from './tar-sparse.js';

/** Limits on metadata, so that no input can make the reader hold more than a bounded amount. */
export type TarLimits = {
	/** Longest entry name or link target in bytes (Linux PATH_MAX, 4096: docker could not create a longer one). */
	readonly maxNameBytes: number;
	/** Largest PAX or GNU long-name record body (Go's own limit: 1 MiB). */
	readonly maxSpecialBytes: number;
	/** Σ name and link target bytes of all entries of one layer. */
	readonly maxMetadataBytes: number;
};

export const defaultTarLimits: TarLimits = {maxNameBytes: 4096, maxSpecialBytes: 1024 * 1024, maxMetadataBytes: 256 * 1024 * 1024};

/** One entry as Go's tar.Reader.Next() returns it (PAX, GNU long names and sparse maps applied). */
/** A type's fields without readonly (for the reader's own object while it fills it in). */
type Mutable<T> = {-readonly [K in keyof T]: T[K]};

export type TarHeader = {
	/** Typeflag after Go's fix-ups: NUL becomes '0', or '5' when the name ends in '/'. */
	readonly typeflag: number;
	readonly name: Buffer;
	readonly linkname: Buffer;
	/** Logical size: the real size for a sparse file; the size field as written for header-only types. */
	readonly size: number;
	readonly mode: number;
	readonly uid: number;
	readonly gid: number;
	/** Seconds since the epoch (PAX fractions dropped, rounding down). */
	readonly mtime: number;
	/** True for a GNU sparse file (its content arrives as data and holes). */
	readonly sparse: boolean;
	/** Bytes of content that follow (the logical size for sparse files; 0 for header-only types). */
	readonly contentBytes: number;
};

/** Receives what the reader finds, in order: header, then content (data slices and holes), then end. */
export type TarSink = {
	header(header: TarHeader): void;
	/** The next bytes of the current entry's content. The slice may be a view of the input chunk: copy to keep. */
	data(chunk: Buffer): void;
	/** `length` zero bytes of the current entry's content (a hole of a sparse file). */
	hole(length: number): void;
	/** The current entry's content is complete. */
	end(): void;
};

const typeRegA = 0;
const typeReg = 0x30;
const typeDir = 0x35;
const typeXHeader = 0x78; // 'x'
const typeXGlobal = 0x67; // 'g'
const typeLongName = 0x4C; // 'L'
const typeLongLink = 0x4B; // 'K'
const typeGnuSparse = 0x53; // 'S'
const slash = 0x2F;

/** Go's isHeaderOnlyType: hardlink, symlink, char, block, dir, FIFO. */
export function isHeaderOnly(typeflag: number): boolean {
	return typeflag >= 0x31 && typeflag <= 0x36;
}

type State =
	| 'header' // Collecting a header block.
	| 'zero' // One zero block seen: the next must be zero too.
	| 'special' // Collecting the body of an 'x', 'g', 'L' or 'K' header.
	| 'gnu-extended' // Collecting old GNU extended sparse blocks.
	| 'sparse-map' // Collecting the blocks of a PAX 1.0 sparse map (part of the entry's data).
	| 'data' // Passing content on.
	| 'padding' // Skipping to the next block boundary.
	| 'end' // The end-of-archive marker has been read: nothing more is looked at.
	| 'failed';

function alignUp(size: number): number {
	return Math.ceil(size / blockSize) * blockSize;
}

/** Go's readSpecialFile result: a NUL cuts a GNU long name. */
function untilNul(bytes: Buffer): Buffer {
	const nul = bytes.indexOf(0);
	return nul < 0 ? bytes : bytes.subarray(0, nul);
}

/**
 * The push parser. `write` each chunk of the uncompressed tar, then `end`. Throws TarHeaderError (a FormatError)
 * for what Go refuses or the limits refuse, and for a truncated tar; after a throw the reader takes nothing more.
 */
export class TarReader {
	/** Bytes of tar read, up to and including the end-of-archive marker. */
	bytes = 0;
	private state: State = 'header';
	private readonly block = Buffer.alloc(blockSize);
	private blockFill = 0;
	private readonly sink: TarSink;
	private readonly limits: TarLimits;
	private metadataBytes = 0;

	// What the next entry inherits from meta headers (reset by every real entry and by a global header).
	private pax: PaxRecords | undefined;
	private longName: Buffer | undefined;
	private longLink: Buffer | undefined;

	// The header being completed (special body, extended sparse blocks, sparse map).
	private special: {parts: Buffer[]; size: number; remaining: number; typeflag: number} | undefined;
	private gnuSparse: SparseSpan[] | undefined;
	private gnuRealSize = 0;
	private map1x0: SparseMap1x0Reader | undefined;
	/** The entry being assembled; handed to the sink as it is (one object per entry). */
	private pending: Mutable<TarHeader> | undefined;

	// The content being passed on.
	/** Physical bytes of the entry's data still to come. */
	private physical = 0;
	/** Padding after the data. */
	private padding = 0;
	/** Sparse files: the holes (Go's inverted map) and the logical position. */
	private holes: SparseSpan[] | undefined;
	private holeIndex = 0;
	private position = 0;

	constructor(sink: TarSink, limits: TarLimits = defaultTarLimits) {
		this.sink = sink;
		this.limits = limits;
	}

	/** True once the end-of-archive marker has been read (later bytes are ignored). */
	get ended(): boolean {
		return this.state === 'end';
	}

	write(chunk: Buffer): void {
		if (this.state === 'failed') {
			throw new TarHeaderError('the layer tar could not be read');
		}

		try {
			this.consume(chunk);
		} catch (error) {
			this.state = 'failed';
			throw error;
		}
	}

	/** The input is complete: throws when it stops in the middle of an entry. */
	end(): void {
		const {state} = this;
		const specialComplete = state === 'special' && this.blockFill >= this.special!.remaining;
		if (specialComplete) {
			// The body is complete, only its padding is missing: Go still parses it (and refuses a bad one).
			const special = this.special!;
			special.parts.push(Buffer.from(this.block.subarray(0, special.remaining)));
			try {
				this.onSpecial(special.typeflag, Buffer.concat(special.parts, special.size));
			} catch (error) {
				this.state = 'failed';
				throw error;
			}
		}

		if (state === 'end' || state === 'padding' || specialComplete || ((state === 'header' || state === 'zero') && this.blockFill === 0)) {
			// Go: a clean io.EOF at a header boundary, after one zero block, or inside the padding after data or
			// after a meta header's body (what the meta header would have applied to never comes).
			if (state === 'padding') {
				this.state = 'end';
			}

			return;
		}

		this.state = 'failed';
		throw new TarHeaderError('truncated layer tar: the data ends in the middle of an entry');
	}

	private consume(chunk: Buffer): void {
		let offset = 0;
		const {length} = chunk;
		while (offset < length) {
			switch (this.state) {
				case 'header':
				case 'zero':
				case 'gnu-extended':
				case 'sparse-map':
				case 'special': {
					// Whole blocks: parsed in place when the chunk holds one, else gathered.
					let block: Buffer;
					let at: number;
					if (this.blockFill === 0 && length - offset >= blockSize) {
						block = chunk;
						at = offset;
						offset += blockSize;
					} else {
						const take = Math.min(blockSize - this.blockFill, length - offset);
						chunk.copy(this.block, this.blockFill, offset, offset + take);
						this.blockFill += take;
						offset += take;
						if (this.blockFill < blockSize) {
							continue;
						}

						this.blockFill = 0;
						block = this.block;
						at = 0;
					}

					this.bytes += blockSize;
					this.onBlock(block, at);
					break;
				}

				case 'data': {
					offset = this.onData(chunk, offset);
					break;
				}

				case 'padding': {
					const take = Math.min(this.padding, length - offset);
					this.padding -= take;
					offset += take;
					this.bytes += take;
					if (this.padding === 0) {
						this.state = 'header';
					}

					break;
				}

				case 'end':
				case 'failed': {
					return;
				}
			}
		}
	}

	private onBlock(block: Buffer, at: number): void {
		switch (this.state) {
			case 'header': {
				if (isZeroBlock(block, at)) {
					this.state = 'zero';
					return;
				}

				this.onHeader(parseHeader(block, at), block, at);
				return;
			}

			case 'zero': {
				if (!isZeroBlock(block, at)) {
					throw new TarHeaderError('invalid tar header: a zero block followed by data');
				}

				this.state = 'end';
				return;
			}

			case 'special': {
				const special = this.special!;
				const take = Math.min(special.remaining, blockSize);
				if (take > 0) {
					special.parts.push(Buffer.from(block.subarray(at, at + take)));
					special.remaining -= take;
				}

				if (special.remaining === 0) {
					this.onSpecial(special.typeflag, Buffer.concat(special.parts, special.size));
				}

				return;
			}

			case 'gnu-extended': {
				if (!oldGnuSparseEntries(block, at, 21, this.gnuSparse!)) {
					this.startSparse(this.gnuSparse!, this.gnuRealSize);
				}

				return;
			}

			case 'sparse-map': {
				const map = this.map1x0!;
				if (this.physical < blockSize) {
					throw new TarHeaderError('truncated GNU sparse map');
				}

				this.physical -= blockSize;
				if (map.add(Buffer.from(block.subarray(at, at + blockSize)))) {
					const size = this.pending!.size;
					this.map1x0 = undefined;
					this.startSparse(map.spans(), size);
				}

				return;
			}

			default: {
				throw new Error(`tar reader: block in state ${this.state}`);
			}
		}
	}

	private onHeader(raw: RawHeader, block: Buffer, at: number): void {
		const {typeflag} = raw;
		// Go's first handleRegularFile, on the header as written: a negative size is refused for types with data.
		if (raw.size < 0 && !isHeaderOnly(typeflag)) {
			throw new TarHeaderError('invalid tar header: negative size');
		}

		if (typeflag === typeXHeader || typeflag === typeXGlobal || typeflag === typeLongName || typeflag === typeLongLink) {
			if (raw.size > this.limits.maxSpecialBytes) {
				throw new TarLimitError(`refused: a ${typeflag === typeXHeader || typeflag === typeXGlobal ? 'PAX header' : 'GNU long name'} larger than ${this.limits.maxSpecialBytes} bytes`);
			}

			this.special = {parts: [], size: raw.size, remaining: raw.size, typeflag};
			if (raw.size === 0) {
				this.onSpecial(typeflag, Buffer.alloc(0));
			} else {
				this.state = 'special';
			}

			return;
		}

		this.onEntry(raw, block, at);
	}

	private onSpecial(typeflag: number, body: Buffer): void {
		this.special = undefined;
		this.state = 'header';
		if (typeflag === typeXHeader) {
			this.pax = parsePaxRecords(body); // Replaces an earlier one, as in Go.
		} else if (typeflag === typeXGlobal) {
			parsePaxRecords(body); // Checked (Go refuses a bad one), applied to nothing; pending meta is dropped.
			this.pax = undefined;
			this.longName = undefined;
			this.longLink = undefined;
		} else if (typeflag === typeLongName) {
			this.longName = Buffer.from(untilNul(body));
		} else {
			this.longLink = Buffer.from(untilNul(body));
		}
	}

	private onEntry(raw: RawHeader, block: Buffer, at: number): void {
		const {pax} = this;
		let {name, linkname, size, uid, gid, mtime} = raw;
		const {mode} = raw;
		if (pax !== undefined) {
			// Go's mergePAX: an empty value keeps the header's field; a bad number refuses the header.
			for (const [key, value] of pax) {
				if (value.length === 0) {
					continue;
				}

				let number: number | undefined = 0;
				switch (key) {
					case paxKeys.path: {
						name = value;
						break;
					}

					case paxKeys.linkpath: {
						linkname = value;
						break;
					}

					case paxKeys.uid: {
						number = parseDecimal(value.toString('latin1'));
						uid = number ?? 0;
						break;
					}

					case paxKeys.gid: {
						number = parseDecimal(value.toString('latin1'));
						gid = number ?? 0;
						break;
					}

					case paxKeys.size: {
						number = parseDecimal(value.toString('latin1'));
						size = number ?? 0;
						break;
					}

					case paxKeys.mtime: {
						number = parsePaxTime(value.toString('latin1'));
						mtime = number ?? 0;
						break;
					}

					case paxKeys.atime:
					case paxKeys.ctime: {
						number = parsePaxTime(value.toString('latin1'));
						break;
					}

					default: {
						break;
					}
				}

				if (number === undefined) {
					throw new TarHeaderError(`invalid PAX ${key} record`);
				}
			}
		}

		if (this.longName !== undefined && this.longName.length > 0) {
			name = this.longName;
		}

		if (this.longLink !== undefined && this.longLink.length > 0) {
			linkname = this.longLink;
		}

		this.pax = undefined;
		this.longName = undefined;
		this.longLink = undefined;

		let {typeflag} = raw;
		if (typeflag === typeRegA) {
			typeflag = name.length > 0 && name[name.length - 1] === slash ? typeDir : typeReg;
		}

		// Go's second handleRegularFile, with the PAX size.
		const headerOnly = isHeaderOnly(typeflag);
		if (size < 0 && !headerOnly) {
			throw new TarHeaderError('invalid tar header: negative size');
		}

		this.physical = headerOnly ? 0 : size;
		this.padding = alignUp(this.physical) - this.physical;
		this.pending = {typeflag, name, linkname, size, mode, uid, gid, mtime, sparse: false, contentBytes: 0};

		if (raw.typeflag === typeGnuSparse) {
			if (blockFormat(block, at) !== 'gnu') {
				throw new TarHeaderError('invalid tar header: an old GNU sparse header that is not GNU');
			}

			const realSize = gnuRealSize(block, at);
			if (realSize === undefined) {
				throw new TarHeaderError('invalid GNU sparse header');
			}

			const spans: SparseSpan[] = [];
			this.pending = {...this.pending, size: realSize};
			if (oldGnuSparseEntries(block, at + 386, 4, spans)) {
				this.gnuSparse = spans;
				this.gnuRealSize = realSize;
				this.state = 'gnu-extended';
				return;
			}

			this.startSparse(spans, realSize);
			return;
		}

		const version = paxSparseVersion(pax);
		if (version === undefined) {
			this.startContent(undefined);
			return;
		}

		const sparseName = pax?.get(paxKeys.sparseName);
		if (sparseName !== undefined && sparseName.length > 0) {
			this.pending = {...this.pending, name: sparseName};
		}

		let sizeText = paxText(pax, paxKeys.sparseSize);
		if (sizeText === '') {
			sizeText = paxText(pax, paxKeys.sparseRealSize);
		}

		if (sizeText !== '') {
			const realSize = parseDecimal(sizeText);
			if (realSize === undefined) {
				throw new TarHeaderError('invalid GNU sparse size');
			}

			this.pending = {...this.pending, size: realSize};
		}

		if (version === '1.0') {
			this.map1x0 = new SparseMap1x0Reader();
			this.state = 'sparse-map';
			return;
		}

		this.startSparse(sparseMap0x(pax), this.pending.size);
	}

	/** A sparse map is known: check it as Go does, then pass the logical content on. */
	private startSparse(spans: SparseSpan[], size: number): void {
		const pending = this.pending!;
		this.gnuSparse = undefined;
		if (isHeaderOnly(pending.typeflag) || !validSparse(spans, size)) {
			throw new TarHeaderError('invalid GNU sparse map');
		}

		const holes = sparseHoles(spans, size);
		let holeBytes = 0;
		for (const hole of holes) {
			holeBytes += hole.length;
		}

		// Go fails reading such a file (errMissData / errUnrefData), so docker cannot extract it: refuse now.
		if (size - holeBytes !== this.physical) {
			throw new TarHeaderError(size - holeBytes > this.physical ? 'GNU sparse file references data it does not hold' : 'GNU sparse file holds data its map does not reference');
		}

		this.pending = {...pending, size};
		this.startContent(holes);
	}

	private startContent(holes: SparseSpan[] | undefined): void {
		const pending = this.pending!;
		this.pending = undefined;
		const {limits} = this;
		if (pending.name.length > limits.maxNameBytes || pending.linkname.length > limits.maxNameBytes) {
			throw new TarLimitError(`refused: an entry name or link target longer than ${limits.maxNameBytes} bytes`);
		}

		this.metadataBytes += pending.name.length + pending.linkname.length;
		if (this.metadataBytes > limits.maxMetadataBytes) {
			throw new TarLimitError(`refused: names and link targets of the layer exceed ${limits.maxMetadataBytes} bytes`);
		}

		const headerOnly = isHeaderOnly(pending.typeflag);
		const contentBytes = headerOnly ? 0 : (holes === undefined ? this.physical : pending.size);
		pending.sparse = holes !== undefined;
		pending.contentBytes = contentBytes;
		this.sink.header(pending);
		this.holes = holes;
		this.holeIndex = 0;
		this.position = 0;
		this.state = 'data';
		this.finishIfDone();
	}

	/** Pass content from `chunk` at `offset`; returns the new offset. */
	private onData(chunk: Buffer, offset: number): number {
		const {holes} = this;
		if (holes === undefined) {
			const take = Math.min(this.physical, chunk.length - offset);
			if (take > 0) {
				this.sink.data(take === chunk.length ? chunk : chunk.subarray(offset, offset + take));
				this.physical -= take;
				this.bytes += take;
				offset += take;
			}
		} else {
			// In a data fragment: up to the next hole's start.
			const hole = holes[this.holeIndex]!;
			const take = Math.min(hole.offset - this.position, chunk.length - offset);
			if (take > 0) {
				this.sink.data(chunk.subarray(offset, offset + take));
				this.physical -= take;
				this.bytes += take;
				this.position += take;
				offset += take;
			}
		}

		this.finishIfDone();
		return offset;
	}

	/** Emit holes that are due and end the entry when its content is complete. */
	private finishIfDone(): void {
		const {holes} = this;
		if (holes !== undefined) {
			for (;;) {
				const hole = holes[this.holeIndex]!;
				if (this.position < hole.offset) {
					return; // A data fragment comes first.
				}

				const holeEnd = hole.offset + hole.length;
				if (this.position < holeEnd) {
					this.sink.hole(holeEnd - this.position);
					this.position = holeEnd;
				}

				if (this.holeIndex === holes.length - 1) {
					break; // The last hole ends at the logical size.
				}

				this.holeIndex++;
			}
		} else if (this.physical > 0) {
			return;
		}

		this.holes = undefined;
		this.sink.end();
		this.state = this.padding > 0 ? 'padding' : 'header';
	}
}
