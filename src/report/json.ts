// dive's JSON export schema (so dive consumers work unchanged), plus layerscope's own image figures.
import type {Analysis, EntryType, LayerEntry, RawImage} from '../analysis/types.js';

/** dive's per-file record: Go's tar header FileInfo, fields in dive's order. */
export type DiveFileInfo = {
	path: string;
	typeFlag: number;
	linkName: string;
	size: number;
	fileMode: number;
	uid: number;
	gid: number;
	isDir: boolean;
};

const typeFlags: Record<EntryType, string> = {file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6'};

// Go's os.FileMode type bits (as a tar header's FileInfo().Mode() sets them).
const modeDir = 2 ** 31;
const modeSymlink = 2 ** 27;
const modeDevice = 2 ** 26;
const modeNamedPipe = 2 ** 25;
const modeSetuid = 2 ** 23;
const modeSetgid = 2 ** 22;
const modeCharDevice = 2 ** 21;
const modeSticky = 2 ** 20;

export function goFileMode(entry: LayerEntry): number {
	let mode = entry.mode & 0o777;
	mode += (entry.mode & 0o4000) === 0 ? 0 : modeSetuid;
	mode += (entry.mode & 0o2000) === 0 ? 0 : modeSetgid;
	mode += (entry.mode & 0o1000) === 0 ? 0 : modeSticky;
	switch (entry.type) {
		case 'dir': {
			return mode + modeDir;
		}

		case 'symlink': {
			return mode + modeSymlink;
		}

		case 'char': {
			return mode + modeDevice + modeCharDevice;
		}

		case 'block': {
			return mode + modeDevice;
		}

		case 'fifo': {
			return mode + modeNamedPipe;
		}

		default: {
			return mode;
		}
	}
}

function tarName(entry: LayerEntry): string {
	if (entry.whiteout !== true) {
		return entry.path;
	}

	const slash = entry.path.lastIndexOf('/');
	return slash < 0 ? `.wh.${entry.path}` : `${entry.path.slice(0, slash)}/.wh.${entry.path.slice(slash + 1)}`;
}

export function diveFileInfo(entry: LayerEntry): DiveFileInfo {
	return {
		path: tarName(entry),
		typeFlag: typeFlags[entry.type].codePointAt(0)!,
		linkName: entry.linkTarget ?? '',
		size: entry.size,
		fileMode: goFileMode(entry),
		uid: entry.uid,
		gid: entry.gid,
		isDir: entry.type === 'dir',
	};
}

/** A layer's entries in dive's order: its own tree, children first, names in byte order; implicit dirs left out. */
export function diveFileList(entries: readonly LayerEntry[]): DiveFileInfo[] {
	return [...diveFiles(entries)];
}

/** The name a layer's own tree sorts an entry by: its path, with `.wh.` before a whiteout's last name. */
function sortName(entry: LayerEntry): string {
	return entry.whiteout === true ? tarName(entry) : entry.path;
}

/**
 * Order of two paths in dive's child-first walk of a layer tree (names in code-unit order, children before their
 * parent): compare name by name; a path before its ancestors; a shorter name before a longer one it begins.
 */
export function compareChildFirst(a: string, b: string): number {
	const length = Math.min(a.length, b.length);
	let index = 0;
	while (index < length && a.charCodeAt(index) === b.charCodeAt(index)) {
		index++;
	}

	if (index === length) {
		if (a.length === b.length) {
			return 0;
		}

		// One is the other plus more: a descendant ("a" and "a/b") comes first; "ab" after "a" is a sibling.
		const longer = a.length > b.length ? a : b;
		const descendant = longer.charCodeAt(index) === 0x2F;
		return (a.length > b.length) === descendant ? -1 : 1;
	}

	// The names differ here: the one that ends (at "/") is a prefix of the other, so it comes first.
	const x = a.charCodeAt(index);
	const y = b.charCodeAt(index);
	if (x === 0x2F) {
		return -1;
	}

	if (y === 0x2F) {
		return 1;
	}

	return x - y;
}

/**
 * diveFileList one record at a time: the entries sorted into dive's order (the layer's tree walked children
 * first, names in code-unit order; for a path named twice, the last entry; opaque markers and implicit
 * directories are no records). Sorting indexes instead of building the layer's tree keeps the memory to one
 * number an entry.
 */
export function * diveFiles(entries: readonly LayerEntry[]): Generator<DiveFileInfo> {
	const names = entries.map(entry => sortName(entry));
	const order: number[] = [];
	for (const [index, entry] of entries.entries()) {
		if (entry.opaque !== true && entry.path !== '') {
			order.push(index);
		}
	}

	// Stable: entries with one name keep their tar order, and the last of them is the one the tree keeps.
	order.sort((a, b) => compareChildFirst(names[a]!, names[b]!));
	for (let at = 0; at < order.length; at++) {
		const index = order[at]!;
		const next = order[at + 1];
		if (next === undefined || names[next] !== names[index]) {
			yield diveFileInfo(entries[index]!);
		}
	}
}

export type JsonExtras = {
	/** Rule results of a CI run (--ci with --json). */
	readonly ci?: unknown;
};

/** A layer's record without its file list (which comes last, as in dive's export). */
function layerHead(layer: Analysis['layers'][number]) {
	return {index: layer.index, id: layer.id, digestId: layer.diffId, sizeBytes: layer.sizeBytes, command: layer.command};
}

/** The export's "image" object: dive's figures, then layerscope's. NaN (dive's 0/0) becomes null. */
function imageRecord(analysis: Analysis) {
	const {image: summary} = analysis;
	return {
		sizeBytes: summary.sizeBytes,
		inefficientBytes: summary.wastedBytes,
		efficiencyScore: summary.efficiency,
		fileReference: summary.inefficiencies.map(item => ({count: item.count, sizeBytes: item.cumulativeSize, file: item.path})),
		userSizeBytes: summary.userSizeBytes,
		userWastedPercent: Number.isNaN(summary.userWastedPercent) ? null : summary.userWastedPercent,
		reclaimableBytes: summary.reclaimableBytes,
		fileCount: summary.fileCount,
		duplicateBytes: summary.duplicateBytes,
		duplicateFiles: summary.duplicateFiles.map(item => ({digest: item.digest, sizeBytes: item.sizeBytes, count: item.count, paths: item.paths})),
	};
}

/** The export document, whole (see jsonExportChunks for the streamed text). */
export function toJsonExport(image: RawImage, analysis: Analysis, extras: JsonExtras = {}): unknown {
	return {
		layer: analysis.layers.map((layer, index) => ({
			...layerHead(layer),
			fileList: diveFileList(image.layers[index]?.contents.entries ?? []),
		})),
		image: imageRecord(analysis),
		...(extras.ci === undefined ? {} : {ci: extras.ci}),
	};
}

/** JSON.stringify(value, null, 2) for a value that sits `depth` levels deep in a document indented by 2. */
function nested(value: unknown, depth: number): string {
	// JSON text has no raw line breaks inside strings: every "\n" is a line break of the layout.
	return JSON.stringify(value, null, 2).replaceAll('\n', `\n${'  '.repeat(depth)}`);
}

/** nested(info, 4) for a file record, written out directly: far less garbage for hundreds of thousands of them. */
function fileRecordText(info: DiveFileInfo): string {
	const json = JSON.stringify;
	return `{\n          "path": ${json(info.path)},\n          "typeFlag": ${json(info.typeFlag)},\n          "linkName": ${json(info.linkName)},\n          "size": ${json(info.size)},\n          "fileMode": ${json(info.fileMode)},\n          "uid": ${json(info.uid)},\n          "gid": ${json(info.gid)},\n          "isDir": ${json(info.isDir)}\n        }`;
}

/** Chunks are gathered up to about this many UTF-16 units before they are handed on. */
const chunkUnits = 64 * 1024;

/**
 * The export as text, in chunks of about 64 KiB: exactly `formatJson(toJsonExport(image, analysis, extras))`,
 * without ever holding more than one layer's tree and one chunk (the whole document for a 300k-file image is
 * hundreds of megabytes as objects and text).
 */
export function * jsonExportChunks(image: RawImage, analysis: Analysis, extras: JsonExtras = {}): Generator<string> {
	let buffer = '{\n  "layer": [';
	const flush = function * (): Generator<string> {
		if (buffer.length >= chunkUnits) {
			yield buffer;
			buffer = '';
		}
	};

	for (const [index, layer] of analysis.layers.entries()) {
		// The layer's record with an empty list, then the list written in place of that "[]".
		const head = nested({...layerHead(layer), fileList: []}, 2);
		buffer += `${index === 0 ? '' : ','}\n    ${head.slice(0, -'[]\n    }'.length)}`;
		let count = 0;
		for (const record of diveFiles(image.layers[index]?.contents.entries ?? [])) {
			buffer += `${count === 0 ? '[' : ','}\n        ${fileRecordText(record)}`;
			count++;
			yield * flush();
		}

		buffer += count === 0 ? '[]\n    }' : '\n      ]\n    }';
		yield * flush();
	}

	buffer += analysis.layers.length === 0 ? ']' : '\n  ]';
	buffer += ',\n  "image": ';
	// The image's lists (inefficient files, duplicate files) can be long: item by item too.
	for (const text of valueChunks(imageRecord(analysis), 1, 3)) {
		buffer += text;
		yield * flush();
	}

	if (extras.ci !== undefined) {
		buffer += `,\n  "ci": ${nested(extras.ci, 1)}`;
	}

	yield `${buffer}\n}\n`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * nested(value, depth) in pieces: arrays and plain objects down to `levels` levels are written member by member
 * (as JSON.stringify lays them out with an indent of 2: members of an object whose value is undefined left out,
 * empty ones as [] and {}); deeper values whole.
 */
export function * valueChunks(value: unknown, depth: number, levels: number): Generator<string> {
	const inner = `\n${'  '.repeat(depth + 1)}`;
	if (levels > 0 && Array.isArray(value) && value.length > 0) {
		for (const [index, item] of value.entries()) {
			yield `${index === 0 ? '[' : ','}${inner}`;
			// JSON.stringify writes undefined (and functions) in arrays as null.
			yield * valueChunks(item === undefined || typeof item === 'function' ? null : item, depth + 1, levels - 1);
		}

		yield `\n${'  '.repeat(depth)}]`;
		return;
	}

	if (levels > 0 && isRecord(value) && typeof value['toJSON'] !== 'function') {
		const keys = Object.keys(value).filter(key => value[key] !== undefined && typeof value[key] !== 'function');
		if (keys.length > 0) {
			for (const [index, key] of keys.entries()) {
				yield `${index === 0 ? '{' : ','}${inner}${JSON.stringify(key)}: `;
				yield * valueChunks(value[key], depth + 1, levels - 1);
			}

			yield `\n${'  '.repeat(depth)}}`;
			return;
		}
	}

	yield nested(value, depth);
}

export function formatJson(document: unknown): string {
	return `${JSON.stringify(document, null, 2)}\n`;
}
