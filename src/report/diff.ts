// `layerscope diff`: a container's changes as plain text (for pipes and files) and as JSON. Pure formatters.
import type {ContainerChange, ContainerDiff} from '../analysis/container-diff.js';
import {humanBytes} from '../ci/go-format.js';
import {escapeName} from './escape.js';
import {bytes, columnWidth, modeString, padEnd, padStart} from './format.js';

const kindLetters: Record<ContainerChange['kind'], string> = {added: 'A', modified: 'C', deleted: 'D'};

function shortId(id: string): string {
	return id.replace(/^sha256:/, '').slice(0, 12);
}

function changeMode(change: ContainerChange): string {
	if (change.type === 'unknown') {
		return '?---------';
	}

	return change.mode === null ? `${modeString({type: change.type, mode: 0}).slice(0, 1)}?????????` : modeString({type: change.type, mode: change.mode});
}

function owner(change: ContainerChange): string {
	return change.uid === null || change.gid === null ? '?' : `${change.uid}:${change.gid}`;
}

function pathText(change: ContainerChange): string {
	let text = escapeName(change.path);
	if (change.linkTarget !== null) {
		text += change.type === 'hardlink' ? `  (hardlink to ${escapeName(change.linkTarget)})` : ` → ${escapeName(change.linkTarget)}`;
	}

	if (change.vanished === true) {
		text += '  (gone before it could be read)';
	}

	if (change.changedWhileReading === true) {
		text += '  (changed while it was read)';
	}

	return text;
}

function plural(count: number, word: string): string {
	return `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;
}

/** Summary lines, then one row per change: docker diff's letter, mode, owner, size, size in the image, layer, path. */
export function formatDiffText(diff: ContainerDiff): string {
	const {container, summary, changes} = diff;
	const lines: string[] = [];
	lines.push(`Container ${escapeName(container.name)} (${shortId(container.id)}, ${escapeName(container.state)}) on image ${escapeName(container.image)} (${shortId(container.imageId)})`);
	const daemon = summary.sizeRw === null ? 'the daemon reports no size' : `daemon SizeRw ${bytes(summary.sizeRw)}`;
	lines.push(`Writable layer: ${bytes(summary.bytes)} in ${plural(changes.length, 'changed path')} (${daemon})`);
	let addedBytes = 0;
	let modifiedBytes = 0;
	let modifiedBefore = 0;
	let deletedBefore = 0;
	for (const change of changes) {
		if (change.kind === 'added') {
			addedBytes += change.size;
		} else if (change.kind === 'modified') {
			modifiedBytes += change.size;
			modifiedBefore += change.previousSize ?? 0;
		} else {
			deletedBefore += change.previousSize ?? 0;
		}
	}

	lines.push(
		`  added     ${padStart(summary.added.toLocaleString('en-US'), 7)}  ${padStart(bytes(addedBytes), 10)}`,
		`  modified  ${padStart(summary.modified.toLocaleString('en-US'), 7)}  ${padStart(bytes(modifiedBytes), 10)}  (${bytes(modifiedBefore)} in the image)`,
		`  deleted   ${padStart(summary.deleted.toLocaleString('en-US'), 7)}  ${padStart('', 10)}  (${bytes(deletedBefore)} in the image)`,
	);
	if (changes.length === 0) {
		lines.push('', 'No changes: the writable layer holds nothing the image does not.');
		return `${lines.join('\n')}\n`;
	}

	const rows = changes.map(change => ({
		letter: kindLetters[change.kind],
		mode: changeMode(change),
		owner: owner(change),
		size: change.kind === 'deleted' ? '-' : bytes(change.size),
		before: change.previousSize === null ? '-' : bytes(change.previousSize),
		layer: change.fromLayer === null ? '-' : String(change.fromLayer),
		path: pathText(change),
	}));
	const width = (pick: (row: typeof rows[number]) => string, title: string): number => columnWidth(rows.map(pick), title.length);
	const ownerWidth = width(row => row.owner, 'UID:GID');
	const sizeWidth = width(row => row.size, 'Size');
	const beforeWidth = width(row => row.before, 'In image');
	const layerWidth = width(row => row.layer, 'Layer');
	lines.push('', [
		' ',
		padEnd('Mode', 10),
		padEnd('UID:GID', ownerWidth),
		padStart('Size', sizeWidth),
		padStart('In image', beforeWidth),
		padStart('Layer', layerWidth),
		'Path',
	].join('  '));
	for (const row of rows) {
		lines.push([
			row.letter,
			padEnd(row.mode, 10),
			padEnd(row.owner, ownerWidth),
			padStart(row.size, sizeWidth),
			padStart(row.before, beforeWidth),
			padStart(row.layer, layerWidth),
			row.path,
		].join('  '));
	}

	return `${lines.join('\n')}\n`;
}

/** The JSON export: container, summary, and every change with its image-side facts. */
export type DiffJson = {
	container: {id: string; name: string; image: string; imageId: string; state: string};
	summary: {added: number; modified: number; deleted: number; bytes: number; sizeRw: number | null};
	changes: Array<{
		path: string;
		kind: ContainerChange['kind'];
		type: ContainerChange['type'];
		mode: number | null;
		uid: number | null;
		gid: number | null;
		size: number;
		previousSize: number | null;
		fromLayer: number | null;
		linkTarget: string | null;
		/** Content digest of the container's file, when it was read (a modified file the image has at the same size). */
		digest: string | null;
		vanished?: true;
		changedWhileReading?: true;
	}>;
};

export function diffJson(diff: ContainerDiff): DiffJson {
	const {container, summary} = diff;
	return {
		container: {id: container.id, name: container.name, image: container.image, imageId: container.imageId, state: container.state},
		summary: {added: summary.added, modified: summary.modified, deleted: summary.deleted, bytes: summary.bytes, sizeRw: summary.sizeRw},
		changes: diff.changes.map(change => ({
			path: change.path,
			kind: change.kind,
			type: change.type,
			mode: change.mode,
			uid: change.uid,
			gid: change.gid,
			size: change.size,
			previousSize: change.previousSize,
			fromLayer: change.fromLayer,
			linkTarget: change.linkTarget,
			digest: change.digest ?? null,
			...(change.vanished === true ? {vanished: true as const} : {}),
			...(change.changedWhileReading === true ? {changedWhileReading: true as const} : {}),
		})),
	};
}

export function formatDiffJson(diff: ContainerDiff): string {
	return `${JSON.stringify(diffJson(diff), undefined, 2)}\n`;
}

/**
 * Lines for the TUI's notes (raw text: the TUI escapes what it prints): the container, the daemon's change list and
 * the writable layer against SizeRw, each with shorter wordings for a narrow pane (longest first). Sizes as the
 * TUI prints every size (go-humanize, as dive: "1.0 MB").
 */
export function diffNotes(diff: ContainerDiff): Array<string | string[]> {
	const {summary, container} = diff;
	const letters = `${summary.added.toLocaleString('en-US')} A, ${summary.modified.toLocaleString('en-US')} C, ${summary.deleted.toLocaleString('en-US')} D`;
	const written = humanBytes(summary.bytes);
	const sizeRw = summary.sizeRw === null ? undefined : humanBytes(summary.sizeRw);
	const notes: Array<string | string[]> = [
		[`Container: ${container.name} (${container.state})`, `${container.name} (${container.state})`, container.name],
		// The daemon's change list, by its letters: not the layer's +~- counts (a deleted directory is one D there).
		[`docker diff: ${letters}`, `diff: ${letters}`],
		sizeRw === undefined
			? [`Writable layer: ${written}`, `Writable: ${written}`]
			: [`Writable layer: ${written} (SizeRw ${sizeRw})`, `Writable: ${written}, SizeRw ${sizeRw}`, `Written ${written}/${sizeRw}`],
	];
	const vanished = diff.changes.filter(change => change.vanished === true).length;
	if (vanished > 0) {
		notes.push(`${plural(vanished, 'path')} gone before read`);
	}

	const changing = diff.changes.filter(change => change.changedWhileReading === true).length;
	if (changing > 0) {
		notes.push(`${plural(changing, 'path')} changed while read`);
	}

	return notes;
}
