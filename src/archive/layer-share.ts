// Layers shared between two readers of one run: `layerscope compare` reads two images at once, and images built
// from the same base hold the same layers (same diff_id). A reader that knows its image's layers before reading any
// (an archive file on disk, indexed) offers them to a LayerShare, which answers, for each layer, whether this
// reader parses it or receives it parsed by the other reader. Layers are matched by diff_id (the sha256 of the
// uncompressed tar, OCI image spec), but a diff_id is only what a config claims: a layer parsed from one image's
// blob is used for the other only when that is the same blob, or a byte-for-byte equal one (sameBlobBytes), so a
// hostile image cannot borrow another's layer under its diff_id.
import {open} from 'node:fs/promises';
import type {LayerContents} from '../analysis/types.js';

/** Where a layer's blob sits in a file on disk: bytes [offset, offset + size) (plain, gzip or zstd). */
export type BlobLocation = {
	readonly file: string;
	readonly offset: number;
	readonly size: number;
};

/** A layer as its reader knows it before reading it. */
export type ShareableLayer = {
	/** From the image config's rootfs.diff_ids ("sha256:…"; never ''). */
	readonly diffId: string;
	/** Bytes of the blob as stored: the measure the work is balanced by. */
	readonly bytes: number;
	/** Where another reader can read the blob itself, when it is in a file. */
	readonly location?: BlobLocation;
};

/** What a share says of one offered layer. */
export type ShareAnswer =
	/** Parse it here; `share`: the other reader waits for it (hash its bytes, then hand the contents to `read`). */
	| {readonly kind: 'read'; readonly share: boolean}
	/**
	 * The other reader parses it: its contents, or undefined when they are not this image's (the blob the other
	 * reader parsed differs from this one's): read it here after all.
	 */
	| {readonly kind: 'wait'; readonly contents: Promise<LayerContents | undefined>};

export type LayerShare = {
	/**
	 * Called once, before any layer byte is read, with the layers the reader would read (distinct diff_ids, base
	 * first); null when this reader cannot offer any (a stream it cannot seek), so the other reader is not kept
	 * waiting. `cached`: the diff_ids of the layers it takes from the layer cache instead, as the cache held them
	 * before this run wrote to it (two readers that both take a layer from the cache may take the same decoded copy:
	 * each would have used that entry alone). Resolves to one answer per offered layer.
	 */
	plan(layers: readonly ShareableLayer[] | null, cached?: readonly string[]): Promise<ShareAnswer[]>;
	/** A layer answered { kind: 'read', share: true } was parsed. */
	read(diffId: string, contents: LayerContents): void;
	/**
	 * Whether the reader may take a layer from the layer cache instead (default: yes). No for a diff_id the other
	 * image holds when the other reader parses it in this run (unless the cache held it for this image before): the
	 * cache may hold that reader's copy already, and this image's blob must be found equal to it first.
	 */
	fromStore?(diffId: string): boolean;
};

export function sameLocation(a: BlobLocation, b: BlobLocation): boolean {
	return a.file === b.file && a.offset === b.offset && a.size === b.size;
}

/**
 * Whether two blobs hold the same bytes, read side by side in 1 MiB chunks (the copies from the page cache run on
 * libuv's threads; this thread only compares). Stops at the first difference; a read error counts as different.
 */
export async function sameBlobBytes(a: BlobLocation, b: BlobLocation): Promise<boolean> {
	if (sameLocation(a, b)) {
		return true;
	}

	if (a.size !== b.size) {
		return false;
	}

	const chunk = 1024 * 1024;
	let left;
	let right;
	try {
		left = await open(a.file, 'r');
		right = await open(b.file, 'r');
		const x = Buffer.allocUnsafe(Math.min(chunk, a.size));
		const y = Buffer.allocUnsafe(Math.min(chunk, a.size));
		for (let done = 0; done < a.size;) {
			const length = Math.min(chunk, a.size - done);
			const [first, second] = await Promise.all([left.read(x, 0, length, a.offset + done), right.read(y, 0, length, b.offset + done)]);
			if (first.bytesRead !== length || second.bytesRead !== length || !x.subarray(0, length).equals(y.subarray(0, length))) {
				return false;
			}

			done += length;
		}

		return true;
	} catch {
		return false;
	} finally {
		await left?.close();
		await right?.close();
	}
}
