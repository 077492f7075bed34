// Entries as a few strings and typed arrays, to cross a worker thread's boundary: structured-cloning 200,000 small
// objects costs seconds (measured 1.8 s for a 210k-entry listing); a few large strings and transferred buffers
// almost nothing. Used for compare's final listings and for the layers its two readers hand each other.
import type {Listing} from '../analysis/compare.js';
import type {EntryType, LayerContents, LayerEntry} from '../analysis/types.js';

/** Entries packed: texts joined with NUL (which no tar name holds), numbers and flags in typed arrays. */
export type PackedEntries = {
	readonly count: number;
	readonly paths: string;
	readonly links: string;
	readonly digests: string;
	/** Per entry: size, mode, uid, gid, mtime. */
	readonly numbers: Float64Array;
	readonly types: Uint8Array;
	/** Bit 0: has a link target; 1: a digest; 2: an mtime; 3: a whiteout; 4: an opaque directory. */
	readonly flags: Uint8Array;
};

/** A layer's contents packed (see LayerContents). */
export type PackedLayer = Omit<LayerContents, 'entries'> & {readonly entries: PackedEntries};

const typeCodes: readonly EntryType[] = ['file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo'];
const width = 5;

export function packEntries(entries: readonly LayerEntry[]): PackedEntries {
	const count = entries.length;
	const numbers = new Float64Array(count * width);
	const types = new Uint8Array(count);
	const flags = new Uint8Array(count);
	const paths: string[] = [];
	const links: string[] = [];
	const digests: string[] = [];
	for (let index = 0; index < count; index++) {
		const entry = entries[index]!;
		paths.push(entry.path);
		const at = index * width;
		numbers[at] = entry.size;
		numbers[at + 1] = entry.mode;
		numbers[at + 2] = entry.uid;
		numbers[at + 3] = entry.gid;
		types[index] = typeCodes.indexOf(entry.type);
		let flag = 0;
		if (entry.linkTarget !== undefined) {
			flag |= 1;
			links.push(entry.linkTarget);
		}

		if (entry.digest !== undefined) {
			flag |= 2;
			digests.push(entry.digest);
		}

		if (entry.mtime !== undefined) {
			flag |= 4;
			numbers[at + 4] = entry.mtime;
		}

		if (entry.whiteout === true) {
			flag |= 8;
		}

		if (entry.opaque === true) {
			flag |= 16;
		}

		flags[index] = flag;
	}

	return {count, paths: paths.join('\0'), links: links.join('\0'), digests: digests.join('\0'), numbers, types, flags};
}

/**
 * An entry made from packed data (unpackEntries, PackedListing.at). A class of its own on purpose: made by an
 * object literal with the reader's keys in the reader's order (src/archive/layer-tar.ts), it shared the hidden
 * class of the entries this thread's reader made, and its fields' values (read from typed arrays) made V8
 * deprecate that class, so that every one of those entries was migrated to a new class on its next access.
 * Measured on compare's benchmark images: the merge of two 210,000-path listings 250 → 60 ms; compare with a
 * shared base layer about 0.15 s faster.
 */
class ListedEntry implements LayerEntry {
	readonly path: string;
	readonly type: EntryType;
	readonly mode: number;
	readonly uid: number;
	readonly gid: number;
	readonly size: number;
	readonly linkTarget: string | undefined;
	readonly mtime: number | undefined;
	readonly digest: string | undefined;
	readonly whiteout: true | undefined;
	readonly opaque: true | undefined;

	constructor(path: string, type: EntryType, mode: number, uid: number, gid: number, size: number, linkTarget: string | undefined, mtime: number | undefined, digest: string | undefined, whiteout: true | undefined, opaque: true | undefined) {
		this.path = path;
		this.type = type;
		this.mode = mode;
		this.uid = uid;
		this.gid = gid;
		this.size = size;
		this.linkTarget = linkTarget;
		this.mtime = mtime;
		this.digest = digest;
		this.whiteout = whiteout;
		this.opaque = opaque;
	}
}

/**
 * The entries back, each with every LayerEntry key (absent ones undefined), all of one class (ListedEntry): the
 * analysis walks them beside the reader's own entries with two hidden classes. Made as PackedListing makes them.
 */
export function unpackEntries(packed: PackedEntries): LayerEntry[] {
	const listing = new PackedListing(packed);
	const out = new Array<LayerEntry>(listing.length);
	for (let index = 0; index < listing.length; index++) {
		out[index] = listing.at(index)!;
	}

	return out;
}

/**
 * A packed listing read in place: each entry is made when asked for (as unpackEntries makes it), so a merge that
 * looks at each once keeps none of them alive; the texts are split once.
 */
export class PackedListing implements Listing {
	readonly length: number;
	private readonly packed: PackedEntries;
	private readonly paths: string[];
	private readonly links: string[];
	private readonly digests: string[];
	/** Per entry: the index of its link target in `links`, of its digest in `digests` (when it has one). */
	private readonly linkAt: Int32Array;
	private readonly digestAt: Int32Array;

	constructor(packed: PackedEntries) {
		this.packed = packed;
		this.length = packed.count;
		this.paths = packed.count === 0 ? [] : packed.paths.split('\0');
		this.links = packed.links.split('\0');
		this.digests = packed.digests.split('\0');
		this.linkAt = new Int32Array(packed.count);
		this.digestAt = new Int32Array(packed.count);
		let link = 0;
		let digest = 0;
		for (let index = 0; index < packed.count; index++) {
			const flag = packed.flags[index]!;
			this.linkAt[index] = link;
			this.digestAt[index] = digest;
			link += flag & 1;
			digest += (flag >> 1) & 1;
		}
	}

	at(index: number): LayerEntry | undefined {
		if (index < 0 || index >= this.length) {
			return undefined;
		}

		const {numbers, types, flags} = this.packed;
		const flag = flags[index]!;
		const at = index * width;
		return new ListedEntry(
			this.paths[index]!,
			typeCodes[types[index]!]!,
			numbers[at + 1]!,
			numbers[at + 2]!,
			numbers[at + 3]!,
			numbers[at]!,
			(flag & 1) === 0 ? undefined : this.links[this.linkAt[index]!]!,
			(flag & 4) === 0 ? undefined : numbers[at + 4]!,
			(flag & 2) === 0 ? undefined : this.digests[this.digestAt[index]!]!,
			(flag & 8) === 0 ? undefined : true,
			(flag & 16) === 0 ? undefined : true,
		);
	}
}

/** A listing's entries as an array (the TUI keeps them): the array itself, or every entry of a view made once. */
export function listingEntries(listing: Listing): readonly LayerEntry[] {
	if (Array.isArray(listing)) {
		return listing as readonly LayerEntry[];
	}

	const out = new Array<LayerEntry>(listing.length);
	for (let index = 0; index < listing.length; index++) {
		out[index] = listing.at(index)!;
	}

	return out;
}

/** The buffers to transfer (not copy) with a packed value. */
export function transferables(packed: PackedEntries): ArrayBuffer[] {
	return [packed.numbers.buffer as ArrayBuffer, packed.types.buffer as ArrayBuffer, packed.flags.buffer as ArrayBuffer];
}

export function packLayer(contents: LayerContents): PackedLayer {
	return {...contents, entries: packEntries(contents.entries)};
}

export function unpackLayer(packed: PackedLayer): LayerContents {
	return {...packed, entries: unpackEntries(packed.entries)};
}
