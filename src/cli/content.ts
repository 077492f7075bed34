// Reading files out of an image: one file's bytes (`cat`, the TUI's viewer) or every file of a subtree
// (`extract`), each from the one layer that holds it, reading no other layer.
import type {LayerEntry, RawImage} from '../analysis/types.js';
import {type ContentSource, type LayerView, findPath, lookupPath, resolvePath, subtreeNodes, viewAtLayer, cleanUserPath} from '../analysis/file-origin.js';
import type {FileNode} from '../analysis/tree.js';
import {readLayerFiles} from '../archive/layer-files.js';
import {escapeName} from '../report/escape.js';
import {SourceError} from '../sources/types.js';
import type {LayerOpener} from './layer-blob.js';

/** A path the user named, as `cat` found it. */
export type FileTarget = {
	/** Absolute path in the image after symlinks were followed. */
	readonly path: string;
	readonly size: number;
	readonly content: ContentSource;
	/** The layer of the view it was found in (below the asked layer when that layer had removed it). */
	readonly layer: number;
	/** Set when the asked layer does not have it and an earlier layer's copy is used. */
	readonly note?: string;
};

function entriesOf(image: RawImage): Array<readonly LayerEntry[]> {
	return image.layers.map(layer => layer.contents.entries);
}

/** The layer index the user asked for (default: the top), checked. */
export function layerIndex(image: RawImage, layer: number | undefined): number {
	const top = image.layers.length - 1;
	if (layer === undefined) {
		return top;
	}

	if (!Number.isInteger(layer) || layer < 0 || layer > top) {
		throw new SourceError(`--layer ${layer} does not exist: the image has layers 0 to ${top}`);
	}

	return layer;
}

/**
 * Find the file `cat` should print: `path` (symlinks followed as inside the image) at layer `layer`. A path
 * the layer removed is taken from the last layer that had it, with a note. Errors (SourceError, one line) name
 * the nearest existing parent directory, or say why the path has no bytes (a directory, a device…).
 */
export function findFile(image: RawImage, path: string, layer: number): FileTarget {
	const {at, lastPresent, nearest} = findPath(entriesOf(image), layer, path);
	const shown = escapeName(`/${cleanUserPath(path)}`);
	const found = at ?? lastPresent;
	if (found === undefined) {
		throw new SourceError(`${shown} does not exist at layer ${layer}; the nearest existing directory is ${escapeName(`/${nearest}`)}`);
	}

	if (found.isDirectory) {
		throw new SourceError(`${shown} is a directory at layer ${found.layer}: use \`layerscope extract\` for a subtree`);
	}

	if (found.content === undefined) {
		const type = found.entry?.type ?? 'dir';
		const what = type === 'hardlink' ? 'a hardlink whose target is missing' : `a ${type === 'char' ? 'character device' : type === 'block' ? 'block device' : type}`;
		throw new SourceError(`${shown} is ${what}: it has no content to show`);
	}

	const note = at === undefined
		? `${shown} was removed at or below layer ${layer}; showing it as layer ${found.layer} had it`
		: undefined;
	return {path: `/${found.path}`, size: found.content.entry.size, content: found.content, layer: found.layer, note};
}

/**
 * Stream a file's bytes to `write` (awaited per chunk: backpressure), reading only the layer that holds them.
 * Rejects when the layer does not hold them after all (the archive changed since it was read).
 */
export async function streamFile(open: LayerOpener, target: FileTarget, write: (chunk: Buffer) => Promise<void> | void, signal?: AbortSignal): Promise<number> {
	const {content} = target;
	let bytes = 0;
	const blob = await open(content.layer, signal);
	const found = await readLayerFiles(blob, new Set([content.entry.path]), async (_entry, body) => {
		for await (const chunk of body) {
			bytes += chunk.length;
			await write(chunk);
		}
	});
	if (found.size === 0) {
		throw new SourceError(`layer ${content.layer} no longer holds ${escapeName(`/${content.entry.path}`)} (did the image change since it was read?)`);
	}

	return bytes;
}

/** One node of an extraction: what to create, and for regular files where the bytes are. */
export type ExtractItem = {
	/** Path relative to the output (''= the selected directory itself). */
	readonly relative: string;
	readonly node: FileNode;
	readonly content: ContentSource | undefined;
};

/** What `extract` will write: the node the path names (literally, or with symlinks followed) and its subtree. */
export type ExtractPlan = {
	readonly view: LayerView;
	/** The selected node's absolute path in the image. */
	readonly path: string;
	readonly isDirectory: boolean;
	/** Parents before children. */
	readonly items: readonly ExtractItem[];
};

/**
 * Plan an extraction of `path` at `layer`. A directory's contents go directly below the output; a single file
 * keeps its name. SourceError when the path does not exist (naming the nearest existing directory).
 */
export function planExtract(image: RawImage, path: string, layer: number): ExtractPlan {
	const view = viewAtLayer(entriesOf(image), layer);
	const clean = cleanUserPath(path);
	let node: FileNode | undefined;
	const literal = lookupPath(view, clean);
	if (literal.found) {
		node = literal.node;
	} else {
		const followed = resolvePath(view, clean);
		if (!followed.found) {
			throw new SourceError(`${escapeName(`/${clean}`)} does not exist at layer ${layer}; the nearest existing directory is ${escapeName(`/${literal.nearest}`)}`);
		}

		node = followed.node;
	}

	const isDirectory = node.children !== undefined;
	const base = node.path;
	const items: ExtractItem[] = [];
	for (const current of subtreeNodes(node)) {
		let relative: string;
		if (isDirectory) {
			relative = current.path === base ? '' : (base === '' ? current.path : current.path.slice(base.length + 1));
		} else {
			relative = current.name;
		}

		items.push({relative, node: current, content: view.contentOf(current.entry)});
	}

	return {view, path: `/${base}`, isDirectory, items};
}

/** A window of a file's bytes for the TUI's viewer: at most `maxBytes` from `offset`, and the newlines before it. */
export type FileWindowRead = {
	readonly offset: number;
	readonly bytes: Buffer;
	readonly totalBytes: number;
	readonly linesBefore: number;
	readonly note?: string;
};

/**
 * Read one window of `path` at `layer` (the viewer's pages): the bytes before `offset` stream past (their
 * newlines counted), the window is kept, and reading stops right after it.
 */
export async function readFileWindow(image: RawImage, open: LayerOpener, path: string, layer: number, offset: number, maxBytes: number, signal?: AbortSignal): Promise<FileWindowRead> {
	const target = findFile(image, path, layerIndex(image, layer));
	const {content} = target;
	const parts: Buffer[] = [];
	let kept = 0;
	let position = 0;
	let linesBefore = 0;
	const blob = await open(content.layer, signal);
	await readLayerFiles(blob, new Set([content.entry.path]), async (_entry, body) => {
		for await (const chunk of body) {
			const start = position;
			position += chunk.length;
			if (position <= offset) {
				for (let index = chunk.indexOf(10); index >= 0; index = chunk.indexOf(10, index + 1)) {
					linesBefore++;
				}

				continue;
			}

			let piece = start < offset ? chunk.subarray(offset - start) : chunk;
			if (start < offset) {
				const skipped = chunk.subarray(0, offset - start);
				for (let index = skipped.indexOf(10); index >= 0; index = skipped.indexOf(10, index + 1)) {
					linesBefore++;
				}
			}

			piece = piece.subarray(0, maxBytes - kept);
			parts.push(piece);
			kept += piece.length;
			if (kept >= maxBytes) {
				return;
			}
		}
	});
	return {offset, bytes: Buffer.concat(parts), totalBytes: content.entry.size, linesBefore, note: target.note};
}
