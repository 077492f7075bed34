// Reading files out of an image: one file's bytes (`cat`, the TUI's viewer) or every file of a subtree
// (`extract`), each from the one layer that holds it, reading no other layer.
import type {LayerEntry, RawImage} from '../analysis/types.js';
import {type ContentSource, type LayerView, lookupPath, resolvePath, subtreeNodes, viewAtLayer, cleanUserPath} from '../analysis/file-origin.js';
import {decide, indexLayer, type LayerIndex, type Resolution, resolveTopDown} from '../analysis/top-down.js';
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
	/** With `note`: the layer that removed the path (`layer` is the one whose copy is used). */
	readonly removedAt?: number;
};

/**
 * An image as `cat`, `extract` and the viewer read it: layers whose entries are read only when asked for (each
 * once), and whose bytes can be opened again.
 */
export type ContentImage = {
	readonly layerCount: number;
	/** Entries of layer `index` (0 = base), read on the first call. */
	readonly entries: (index: number) => Promise<readonly LayerEntry[]>;
	readonly open: LayerOpener;
};

/** A ContentImage over an image read whole already. */
export function contentImageOf(image: RawImage, open: LayerOpener): ContentImage {
	return {layerCount: image.layers.length, entries: async index => image.layers[index]!.contents.entries, open};
}

async function allEntries(image: ContentImage, top: number): Promise<Array<readonly LayerEntry[]>> {
	const out: Array<readonly LayerEntry[]> = [];
	for (let index = 0; index <= top; index++) {
		out.push(await image.entries(index));
	}

	return out;
}

/** Top-down lookups over a ContentImage: layers are read (and indexed) only when a decision needs them. */
class TopDown {
	private readonly indexes: Array<LayerIndex | undefined>;
	private readonly image: ContentImage;

	constructor(image: ContentImage) {
		this.image = image;
		this.indexes = Array.from({length: image.layerCount});
	}

	async resolve(top: number, path: string): Promise<Exclude<Resolution, {kind: 'need'}>> {
		for (;;) {
			const result = resolveTopDown(this.indexes, top, path);
			if (result.kind !== 'need') {
				return result;
			}

			await this.load(result.layer);
		}
	}

	/** Where a regular file's or hardlink's bytes are (a hardlink's target as its layer saw it). */
	async content(layer: number, entry: LayerEntry): Promise<ContentSource | undefined> {
		let current: {layer: number; entry: LayerEntry} = {layer, entry};
		for (let hops = 0; hops < 40; hops++) {
			if (current.entry.type === 'file') {
				return current;
			}

			if (current.entry.type !== 'hardlink' || current.entry.linkTarget === undefined) {
				return undefined;
			}

			const target = current.entry.linkTarget;
			let decision = decide(this.indexes, current.layer, target);
			while (decision.kind === 'need') {
				await this.load(decision.layer);
				decision = decide(this.indexes, current.layer, target);
			}

			if (decision.kind !== 'found' || decision.entry === undefined || decision.entry === current.entry) {
				return undefined;
			}

			current = {layer: decision.layer, entry: decision.entry};
		}

		return undefined;
	}

	private async load(index: number): Promise<void> {
		this.indexes[index] = indexLayer(await this.image.entries(index));
	}
}

/** The layer index the user asked for (default: the top), checked. */
export function layerIndex(image: ContentImage | RawImage, layer: number | undefined): number {
	const top = ('layerCount' in image ? image.layerCount : image.layers.length) - 1;
	if (layer === undefined) {
		return top;
	}

	if (!Number.isInteger(layer) || layer < 0 || layer > top) {
		throw new SourceError(`--layer ${layer} does not exist: the image has layers 0 to ${top}`);
	}

	return layer;
}

/** Where a path the user named is, as `cat`, `extract` and the viewer all look it up. */
type Located = {
	readonly lookups: TopDown;
	/** The answer at the asked layer, or (when that layer removed the path) at the last layer that had it. */
	readonly found: Exclude<Resolution, {kind: 'need'}>;
	/** The layer whose view `found` is (the asked one, or the last layer before the removal). */
	readonly viewLayer: number;
	/** The layer that removed the path (itself, or an ancestor directory: `rm -rf`, an opaque directory). */
	readonly removedAt?: number;
	/** The answer at the asked layer when the path is missing there. */
	readonly missing?: Extract<Resolution, {kind: 'absent'}>;
};

/**
 * Look `path` up at `layer` (symlinks followed, layers read from that one down only until it is decided); when
 * the layer removed it (itself or an ancestor: a whiteout, an opaque directory, a file put in a directory's
 * place), look again at the layer below the removal, down to the last layer that had it.
 */
async function locate(image: ContentImage, path: string, layer: number): Promise<Located> {
	const lookups = new TopDown(image);
	let found = await lookups.resolve(layer, path);
	const missing = found.kind === 'absent' ? found : undefined;
	let removedAt: number | undefined;
	let viewLayer = layer;
	while (found.kind === 'absent' && found.removedAt !== undefined && found.removedAt > 0) {
		// The last removal on the way down is the one that took it away (the layers between lacked it too).
		removedAt = found.removedAt;
		viewLayer = found.removedAt - 1;
		found = await lookups.resolve(viewLayer, path);
	}

	return {lookups, found, viewLayer: found.kind === 'found' ? viewLayer : layer, removedAt: found.kind === 'found' ? removedAt : undefined, missing};
}

/** The one-line error for a path that is not there at `layer` (a dangling symlink named, or the nearest directory). */
function missingMessage(path: string, layer: number, missing: Extract<Resolution, {kind: 'absent'}>): string {
	const shown = escapeName(`/${cleanUserPath(path)}`);
	const {dangling} = missing;
	if (dangling !== undefined) {
		const link = escapeName(`/${dangling.link}`);
		const why = dangling.reason === 'missing'
			? `there is no ${escapeName(`/${dangling.missing}`)}`
			: `${escapeName(`/${dangling.missing}`)} is not a directory`;
		const what = `a symlink to ${escapeName(dangling.target)}, which does not exist at layer ${layer}: ${why}`;
		return link === shown ? `${shown} is ${what}` : `${shown} does not exist at layer ${layer}: ${link} is ${what}`;
	}

	return `${shown} does not exist at layer ${layer}; the nearest existing directory is ${escapeName(`/${missing.nearest}`)}`;
}

/** The note for a path the asked layer removed, shown as an earlier layer had it. */
function removedNote(path: string, removedAt: number, viewLayer: number, verb: string): string {
	return `${escapeName(`/${cleanUserPath(path)}`)} was removed by layer ${removedAt}; ${verb} it as layer ${viewLayer} had it`;
}

/**
 * Find the file `cat` should print: `path` (symlinks followed as inside the image) at layer `layer`, reading
 * layers from that one down only until the path is decided. A path the layer removed (itself, or with a
 * directory above it) is taken from the last layer that had it, with a note. Errors (SourceError, one line)
 * name the nearest existing parent directory, or the dangling symlink and its missing component, or say why
 * the path has no bytes (a directory, a device…).
 */
export async function findFile(image: ContentImage, path: string, layer: number): Promise<FileTarget> {
	const {lookups, found, viewLayer, removedAt, missing} = await locate(image, path, layer);
	const shown = escapeName(`/${cleanUserPath(path)}`);
	if (found.kind === 'absent') {
		throw new SourceError(missingMessage(path, layer, missing ?? found));
	}

	if (found.entry === undefined || found.entry.type === 'dir') {
		const where = removedAt === undefined
			? `${shown} is a directory at layer ${layer}`
			: `${shown} was removed by layer ${removedAt}; layer ${viewLayer} had it as a directory`;
		throw new SourceError(`${where}: use \`layerscope extract\` for a subtree`);
	}

	const content = await lookups.content(found.layer, found.entry);
	if (content === undefined) {
		const {type} = found.entry;
		const what = type === 'hardlink' ? 'a hardlink whose target is missing' : `a ${type === 'char' ? 'character device' : type === 'block' ? 'block device' : type}`;
		throw new SourceError(`${shown} is ${what}: it has no content to show`);
	}

	const note = removedAt === undefined ? undefined : removedNote(path, removedAt, viewLayer, 'showing');
	return {path: `/${found.path}`, size: content.entry.size, content, layer: found.layer, note, ...(removedAt === undefined ? {} : {removedAt})};
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
	/** The selected node's absolute path in the image. */
	readonly path: string;
	readonly isDirectory: boolean;
	/** The layer whose view is extracted: the asked one, or the last layer that had a path the asked one removed. */
	readonly layer: number;
	/** Set when the asked layer removed the path and an earlier layer's copy is extracted. */
	readonly note?: string;
	/** The layer that removed the path (set with `note`). */
	readonly removedAt?: number;
	/** Parents before children. */
	readonly items: readonly ExtractItem[];
};

/**
 * Plan an extraction of `path` at `layer`. A directory's contents go directly below the output; a single file
 * keeps its name. A path the layer removed (itself or an ancestor) is extracted as the last layer that had it,
 * with a note, as `cat` shows it. SourceError when the path does not exist (the same line as `cat`'s: the
 * nearest existing directory, or the dangling symlink).
 */
export async function planExtract(image: ContentImage, path: string, layer: number): Promise<ExtractPlan> {
	const clean = cleanUserPath(path);
	let viewLayer = layer;
	let note: string | undefined;
	let removedBy: number | undefined;
	let view = viewAtLayer(await allEntries(image, layer), layer);
	let node = pick(view, clean);
	if (node === undefined) {
		const {found, viewLayer: last, removedAt, missing} = await locate(image, path, layer);
		if (found.kind === 'absent' || removedAt === undefined) {
			throw new SourceError(missingMessage(path, layer, missing ?? (found.kind === 'absent' ? found : {kind: 'absent', nearest: ''})));
		}

		viewLayer = last;
		note = removedNote(path, removedAt, viewLayer, 'extracting');
		removedBy = removedAt;
		view = viewAtLayer(await allEntries(image, viewLayer), viewLayer);
		node = pick(view, clean);
		if (node === undefined) {
			throw new SourceError(`${escapeName(`/${clean}`)} does not exist at layer ${layer}`);
		}
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

	return {path: `/${base}`, isDirectory, layer: viewLayer, note, removedAt: removedBy, items};
}

/** The node `extract` takes for a path: the literal one (a symlink named is extracted as a link), else the one it leads to. */
function pick(view: LayerView, clean: string): FileNode | undefined {
	const literal = lookupPath(view, clean);
	if (literal.found) {
		return literal.node;
	}

	const followed = resolvePath(view, clean);
	return followed.found ? followed.node : undefined;
}

/** A window of a file's bytes for the TUI's viewer: at most `maxBytes` from `offset`, and the newlines before it. */
export type FileWindowRead = {
	readonly offset: number;
	readonly bytes: Buffer;
	readonly totalBytes: number;
	readonly linesBefore: number;
	readonly note?: string;
	/** With `note`: the layer whose copy is shown and the layer that removed the path. */
	readonly shownFrom?: {readonly layer: number; readonly removedAt: number};
};

/**
 * Read one window of `path` at `layer` (the viewer's pages): the bytes before `offset` stream past (their
 * newlines counted), the window is kept, and reading stops right after it.
 */
export async function readFileWindow(image: ContentImage, path: string, layer: number, offset: number, maxBytes: number, signal?: AbortSignal): Promise<FileWindowRead> {
	const target = await findFile(image, path, layerIndex(image, layer));
	const {open} = image;
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
	return {offset, bytes: Buffer.concat(parts), totalBytes: content.entry.size, linesBefore, note: target.note, ...(target.removedAt === undefined ? {} : {shownFrom: {layer: target.layer, removedAt: target.removedAt}})};
}
