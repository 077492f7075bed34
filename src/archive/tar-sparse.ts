// GNU sparse files, every encoding Go's archive/tar reads: PAX 0.0 (GNU.sparse.offset/numbytes records), 0.1
// (GNU.sparse.map), 1.0 (the map as decimal lines at the start of the data) and old GNU 'S' headers with their
// extended sparse header blocks. A sparse map lists the data fragments {offset, length} of the logical file; the
// rest are holes (zeros). Definitions from Go's reader.go/common.go (readGNUSparseMap1x0, readGNUSparseMap0x1,
// readOldGNUSparseMap, validateSparseEntries, invertSparseEntries).

import {parseDecimal, type PaxRecords, paxKeys, paxText} from './tar-pax.js';
import {parseNumeric, TarHeaderError, TarLimitError} from './tar-header.js';

/** A data fragment (in a sparse map) or a hole: bytes [offset, offset + length) of the logical file. */
export type SparseSpan = {readonly offset: number; readonly length: number};

/** Most fragments one sparse map may list (a guard on memory; real files have a few thousand at most). */
export const maxSparseEntries = 1 << 20;

function fail(message = 'invalid GNU sparse map'): never {
	throw new TarHeaderError(message);
}

function checkCount(count: number): void {
	if (count > maxSparseEntries) {
		throw new TarLimitError(`refused: a GNU sparse map with more than ${maxSparseEntries} fragments`);
	}
}

/** Which PAX sparse encoding the records announce, as Go decides it; undefined for a file that is not sparse. */
export function paxSparseVersion(records: PaxRecords | undefined): '0.x' | '1.0' | undefined {
	const major = paxText(records, paxKeys.sparseMajor);
	const minor = paxText(records, paxKeys.sparseMinor);
	if (major === '0' && (minor === '0' || minor === '1')) {
		return '0.x';
	}

	if (major === '1' && minor === '0') {
		return '1.0';
	}

	if (major !== '' || minor !== '') {
		return undefined; // An unknown version: Go reads the entry as a plain file.
	}

	return paxText(records, paxKeys.sparseMap) === '' ? undefined : '0.x';
}

function pairs(tokens: readonly string[]): SparseSpan[] {
	const spans: SparseSpan[] = [];
	for (let index = 0; index + 1 < tokens.length; index += 2) {
		const offset = parseDecimal(tokens[index]!);
		const length = parseDecimal(tokens[index + 1]!);
		if (offset === undefined || length === undefined) {
			fail();
		}

		spans.push({offset, length});
	}

	return spans;
}

/** PAX sparse 0.0/0.1: GNU.sparse.numblocks and the comma-separated GNU.sparse.map. */
export function sparseMap0x(records: PaxRecords | undefined): SparseSpan[] {
	const count = parseDecimal(paxText(records, paxKeys.sparseNumBlocks));
	if (count === undefined || count < 0) {
		fail();
	}

	checkCount(count);
	const text = paxText(records, paxKeys.sparseMap);
	const tokens = text === '' ? [] : text.split(',');
	if (tokens.length !== 2 * count) {
		fail();
	}

	return pairs(tokens);
}

/**
 * PAX sparse 1.0: the map is decimal numbers, one a line (count, then offset/length pairs), at the start of the
 * entry's data, in whole 512-byte blocks. Feed blocks with `add` until `done`; then `spans` and `bytes` (what
 * the map used of the data).
 */
export class SparseMap1x0Reader {
	/** Bytes of data the map has taken (whole blocks). */
	bytes = 0;
	private readonly parts: Buffer[] = [];
	private newlines = 0;
	private wanted = 1;
	private count: number | undefined;
	/** Longest map text accepted (its blocks are held until complete). */
	private static readonly maxBytes = 32 * 1024 * 1024;

	/** Take one 512-byte block; true when the map is complete. */
	add(block: Buffer): boolean {
		this.parts.push(Buffer.from(block));
		this.bytes += block.length;
		if (this.bytes > SparseMap1x0Reader.maxBytes) {
			throw new TarLimitError('refused: a GNU sparse map longer than 32 MiB');
		}

		for (const byte of block) {
			if (byte === 0x0A) {
				this.newlines++;
			}
		}

		if (this.count === undefined && this.newlines >= 1) {
			const first = this.tokens(1)[0]!;
			const count = parseDecimal(first);
			if (count === undefined || count < 0) {
				fail();
			}

			checkCount(count);
			this.count = count;
			this.wanted = 1 + (2 * count);
		}

		return this.count !== undefined && this.newlines >= this.wanted;
	}

	/** The fragments (call once `add` returned true). */
	spans(): SparseSpan[] {
		return pairs(this.tokens(this.wanted).slice(1));
	}

	private tokens(count: number): string[] {
		const text = Buffer.concat(this.parts).toString('latin1');
		const out: string[] = [];
		let from = 0;
		for (let index = 0; index < count; index++) {
			const end = text.indexOf('\n', from);
			out.push(text.slice(from, end));
			from = end + 1;
		}

		return out;
	}
}

/**
 * Old GNU sparse entries in a header (4 at byte 386) or an extended sparse block (21 at byte 0): appended to
 * `into` until an entry whose offset starts with NUL. Returns whether another extended block follows.
 */
export function oldGnuSparseEntries(block: Uint8Array, start: number, entries: number, into: SparseSpan[]): boolean {
	for (let index = 0; index < entries; index++) {
		const at = start + (index * 24);
		if (block[at] === 0) {
			break;
		}

		const offset = parseNumeric(block, at, 12);
		const length = parseNumeric(block, at + 12, 12);
		if (offset === undefined || length === undefined) {
			fail();
		}

		into.push({offset, length});
		checkCount(into.length);
	}

	return block[start + (entries * 24)]! > 0;
}

/** Go's validateSparseEntries: fragments in order, not overlapping, inside the logical size. */
export function validSparse(spans: readonly SparseSpan[], size: number): boolean {
	if (size < 0) {
		return false;
	}

	let previousEnd = 0;
	for (const span of spans) {
		if (span.offset < 0 || span.length < 0 || span.offset > Number.MAX_SAFE_INTEGER - span.length) {
			return false;
		}

		if (span.offset + span.length > size || previousEnd > span.offset) {
			return false;
		}

		previousEnd = span.offset + span.length;
	}

	return true;
}

/** Go's invertSparseEntries: the holes between the data fragments; the last hole (maybe empty) ends at `size`. */
export function sparseHoles(spans: readonly SparseSpan[], size: number): SparseSpan[] {
	const holes: SparseSpan[] = [];
	let previous = 0;
	for (const span of spans) {
		if (span.length === 0) {
			continue;
		}

		if (span.offset - previous > 0) {
			holes.push({offset: previous, length: span.offset - previous});
		}

		previous = span.offset + span.length;
	}

	holes.push({offset: previous, length: size - previous});
	return holes;
}
