// `layerscope compare A B` as plain text (pipes, files): the figures of both images with deltas, the layers they
// share, totals per kind of change, then every changed path, largest first. Pure.
import {type FileChange, type ImageComparison, type ImageFigures, largestFirst} from '../analysis/compare.js';
import {escapeName} from './escape.js';
import {bytes, columnWidth, escapeCommand, padEnd, padStart, percent} from './format.js';

/** "+1.2 MB", "-300 B", "0 B". */
export function signedBytes(value: number): string {
	return value === 0 ? '0 B' : `${value > 0 ? '+' : '-'}${bytes(Math.abs(value))}`;
}

/** "+1,234", "-5", "0". */
export function signedCount(value: number): string {
	return value === 0 ? '0' : `${value > 0 ? '+' : '-'}${Math.abs(value).toLocaleString('en-US')}`;
}

/** A ratio delta in percentage points: "+1.25 pt". */
export function signedPoints(value: number): string {
	const text = (Math.abs(value) * 100).toFixed(2);
	return text === '0.00' ? '0.00 pt' : `${value > 0 ? '+' : '-'}${text} pt`;
}

export type FigureRow = {readonly label: string; readonly a: string; readonly b: string; readonly delta: string};

/** The figures table both the text and the Markdown show. */
export function figureRows(comparison: ImageComparison): FigureRow[] {
	const {a, b, delta} = comparison;
	return [
		{label: 'size', a: bytes(a.sizeBytes), b: bytes(b.sizeBytes), delta: signedBytes(delta.sizeBytes)},
		{label: 'efficiency', a: percent(a.efficiencyScore), b: percent(b.efficiencyScore), delta: signedPoints(delta.efficiencyScore)},
		{label: 'wasted', a: bytes(a.inefficientBytes), b: bytes(b.inefficientBytes), delta: signedBytes(delta.inefficientBytes)},
		{label: 'reclaimable', a: bytes(a.reclaimableBytes), b: bytes(b.reclaimableBytes), delta: signedBytes(delta.reclaimableBytes)},
		{label: 'duplicate', a: bytes(a.duplicateBytes), b: bytes(b.duplicateBytes), delta: signedBytes(delta.duplicateBytes)},
		{label: 'files', a: a.fileCount.toLocaleString('en-US'), b: b.fileCount.toLocaleString('en-US'), delta: signedCount(delta.fileCount)},
	];
}

/** "app:1 (sha256:0123456789ab)". */
export function imageLabel(figures: ImageFigures): string {
	const id = figures.id.replace(/^sha256:/, '').slice(0, 12);
	return `${escapeName(figures.ref)}${id === '' ? '' : ` (${id})`}`;
}

export function plural(count: number, word: string): string {
	return `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;
}

/** One line on how contents were compared. */
export function basisLine(comparison: ImageComparison): string {
	switch (comparison.contentBasis) {
		case 'digest': {
			return 'File contents compared by digest.';
		}

		case 'size': {
			return 'File contents compared by size only (no content digests): a change that keeps the size is not seen.';
		}

		case 'mixed': {
			return 'File contents compared by digest where both sides had one, else by size.';
		}
	}
}

const kindGlyph: Record<FileChange['kind'], string> = {added: '+', removed: '-', modified: '~'};

/** What the change row says about a path: its type (and the type it had), link targets. */
export function changePath(change: FileChange): string {
	let text = escapeName(change.path);
	if (change.typeA !== undefined) {
		text += `  (${change.typeA} → ${change.type})`;
	} else if (change.type !== 'file') {
		text += change.type === 'dir' ? '/' : '';
	}

	if (change.linkA !== undefined && change.linkB !== undefined && change.linkA !== change.linkB) {
		text += ` → ${escapeName(change.linkB)} (was ${escapeName(change.linkA)})`;
	} else if (change.linkB ?? change.linkA) {
		text += ` → ${escapeName((change.linkB ?? change.linkA)!)}`;
	}

	return text;
}

export function sizeText(size: number | null): string {
	return size === null ? '-' : bytes(size);
}

export function deltaText(change: FileChange): string {
	return signedBytes((change.sizeB ?? 0) - (change.sizeA ?? 0));
}

/** The text report, ending with a newline. */
export function formatCompareText(comparison: ImageComparison): string {
	const {a, b, layers, summary} = comparison;
	const lines: string[] = [`A: ${imageLabel(a)}`, `B: ${imageLabel(b)}`, ''];
	const rows = figureRows(comparison);
	const widths = {
		label: columnWidth(rows.map(row => row.label)),
		a: columnWidth(rows.map(row => row.a), 1),
		b: columnWidth(rows.map(row => row.b), 1),
		delta: columnWidth(rows.map(row => row.delta), 5),
	};
	lines.push(`  ${padEnd('', widths.label)}  ${padStart('A', widths.a)}  ${padStart('B', widths.b)}  ${padStart('Delta', widths.delta)}`);
	for (const row of rows) {
		lines.push(`  ${padEnd(row.label, widths.label)}  ${padStart(row.a, widths.a)}  ${padStart(row.b, widths.b)}  ${padStart(row.delta, widths.delta)}`);
	}

	lines.push('', `Layers: ${layers.shared} shared (${bytes(layers.sharedBytes)}), ${layers.onlyA.length} only in A, ${layers.onlyB.length} only in B`);
	const only = [...layers.onlyA.map(layer => ({side: 'A', layer})), ...layers.onlyB.map(layer => ({side: 'B', layer}))];
	if (only.length > 0) {
		const indexWidth = columnWidth(only.map(item => String(item.layer.index)), 1);
		const sizeWidth = columnWidth(only.map(item => bytes(item.layer.sizeBytes)), 4);
		for (const {side, layer} of only) {
			lines.push(`  ${side}  ${padStart(String(layer.index), indexWidth)}  ${padStart(bytes(layer.sizeBytes), sizeWidth)}  ${escapeCommand(layer.command)}`);
		}
	}

	lines.push(
		'',
		`Files: ${plural(summary.added + summary.removed + summary.modified, 'changed path')}`,
		`  added     ${padStart(summary.added.toLocaleString('en-US'), 8)}  ${padStart(signedBytes(summary.addedBytes), 10)}`,
		`  removed   ${padStart(summary.removed.toLocaleString('en-US'), 8)}  ${padStart(signedBytes(-summary.removedBytes), 10)}`,
		`  modified  ${padStart(summary.modified.toLocaleString('en-US'), 8)}  ${padStart(signedBytes(summary.modifiedBytesB - summary.modifiedBytesA), 10)}  (${bytes(summary.modifiedBytesA)} → ${bytes(summary.modifiedBytesB)})`,
		basisLine(comparison),
	);
	if (comparison.changes.length === 0) {
		lines.push('', 'No file differs.');
		return `${lines.join('\n')}\n`;
	}

	const changes = largestFirst(comparison.changes);
	const cells = changes.map(change => ({
		glyph: kindGlyph[change.kind],
		a: sizeText(change.sizeA),
		b: sizeText(change.sizeB),
		delta: deltaText(change),
		what: change.reasons.join(','),
		path: changePath(change),
	}));
	const w = {
		a: columnWidth(cells.map(cell => cell.a), 6),
		b: columnWidth(cells.map(cell => cell.b), 6),
		delta: columnWidth(cells.map(cell => cell.delta), 5),
		what: columnWidth(cells.map(cell => cell.what), 4),
	};
	lines.push('', `   ${padStart('Size A', w.a)}  ${padStart('Size B', w.b)}  ${padStart('Delta', w.delta)}  ${padEnd('What', w.what)}  Path`);
	for (const cell of cells) {
		lines.push(`${cell.glyph}  ${padStart(cell.a, w.a)}  ${padStart(cell.b, w.b)}  ${padStart(cell.delta, w.delta)}  ${padEnd(cell.what, w.what)}  ${cell.path}`);
	}

	return `${lines.join('\n')}\n`;
}
