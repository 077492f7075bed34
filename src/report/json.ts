// dive's JSON export schema (so dive consumers work unchanged), plus layerscope's own image figures.
import {buildLayerTree, childFirstOrder} from '../analysis/tree.js';
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
	const out: DiveFileInfo[] = [];
	for (const [, node] of childFirstOrder(buildLayerTree(entries))) {
		if (node.entry !== undefined) {
			out.push(diveFileInfo(node.entry));
		}
	}

	return out;
}

export type JsonExtras = {
	/** Rule results of a CI run (--ci with --json). */
	readonly ci?: unknown;
};

/** The export document. Numbers that are NaN (dive's 0/0) become null. */
export function toJsonExport(image: RawImage, analysis: Analysis, extras: JsonExtras = {}): unknown {
	const {image: summary} = analysis;
	return {
		layer: analysis.layers.map((layer, index) => ({
			index: layer.index,
			id: layer.id,
			digestId: layer.diffId,
			sizeBytes: layer.sizeBytes,
			command: layer.command,
			fileList: diveFileList(image.layers[index]?.contents.entries ?? []),
		})),
		image: {
			sizeBytes: summary.sizeBytes,
			inefficientBytes: summary.wastedBytes,
			efficiencyScore: summary.efficiency,
			fileReference: summary.inefficiencies.map(item => ({count: item.count, sizeBytes: item.cumulativeSize, file: item.path})),
			userSizeBytes: summary.userSizeBytes,
			userWastedPercent: Number.isNaN(summary.userWastedPercent) ? null : summary.userWastedPercent,
			reclaimableBytes: summary.reclaimableBytes,
			fileCount: summary.fileCount,
		},
		...(extras.ci === undefined ? {} : {ci: extras.ci}),
	};
}

export function formatJson(document: unknown): string {
	return `${JSON.stringify(document, null, 2)}\n`;
}
