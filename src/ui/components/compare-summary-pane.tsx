import {Box} from 'ink';
import type {ImageComparison} from '../../analysis/compare.js';
import type {ChangeKind} from '../../analysis/types.js';
import {humanBytes} from '../../ci/go-format.js';
import {padEnd} from '../../report/format.js';
import {displayWidth, padStartWidth} from '../text-width.js';
import {Lines} from './lines.js';
import {paneTitleText} from '../pane-title.js';

type Props = {
	readonly comparison: ImageComparison;
	readonly width: number;
	readonly colors: boolean;
};

function signedBytes(value: number): string {
	return value === 0 ? '0 B' : `${value > 0 ? '+' : '-'}${humanBytes(Math.abs(value))}`;
}

function signedCount(value: number): string {
	return value === 0 ? '0' : `${value > 0 ? '+' : '-'}${Math.abs(value).toLocaleString('en-US')}`;
}

/** A ratio delta in percentage points, one decimal: "+1.5pt", "0.0pt". */
function points(value: number): string {
	const text = (Math.abs(value) * 100).toFixed(1);
	return text === '0.0' ? '0.0pt' : `${value > 0 ? '+' : '-'}${text}pt`;
}

const ratio = (value: number): string => `${(value * 100).toFixed(1)}%`;

/** One figure row: its long and short label, then A's, B's and the delta's text. */
type FigureRow = {readonly long: string; readonly short: string; readonly cells: readonly [string, string, string]};

/** A line of file totals and its colour. */
type Total = {readonly text: string; readonly kind: ChangeKind};

/** Which of the A, B and Delta columns the summary draws (0 = A, 1 = B, 2 = Delta), most first. */
const columnChoices: ReadonlyArray<readonly number[]> = [[0, 1, 2], [1, 2], [2]];
const headers = ['A', 'B', 'Delta'] as const;

/**
 * The summary's text lines for a pane `width` columns wide: a header, six figure rows, the file totals. Every figure
 * is whole: at the widths where the roomy layout (columns a third of the pane each) does not fit, the columns take
 * their figures' width, then the labels get shorter (`reclaim` → `recl.`), then the A column goes, then B (A is
 * B − Delta); only the Delta column is never dropped. The totals take one line a kind when they do not fit on two.
 */
export function compareSummaryText(comparison: ImageComparison, width: number): {header: string; rows: string[]; totals: Total[]} {
	const {a, b, delta, summary} = comparison;
	const figures: FigureRow[] = [
		{long: 'size', short: 'size', cells: [humanBytes(a.sizeBytes), humanBytes(b.sizeBytes), signedBytes(delta.sizeBytes)]},
		{long: 'effic.', short: 'eff.', cells: [ratio(a.efficiencyScore), ratio(b.efficiencyScore), points(delta.efficiencyScore)]},
		{long: 'wasted', short: 'waste', cells: [humanBytes(a.inefficientBytes), humanBytes(b.inefficientBytes), signedBytes(delta.inefficientBytes)]},
		{long: 'reclaim', short: 'recl.', cells: [humanBytes(a.reclaimableBytes), humanBytes(b.reclaimableBytes), signedBytes(delta.reclaimableBytes)]},
		{long: 'dupes', short: 'dupes', cells: [humanBytes(a.duplicateBytes), humanBytes(b.duplicateBytes), signedBytes(delta.duplicateBytes)]},
		{long: 'files', short: 'files', cells: [a.fileCount.toLocaleString('en-US'), b.fileCount.toLocaleString('en-US'), signedCount(delta.fileCount)]},
	];
	const needed = [0, 1, 2].map(column => Math.max(displayWidth(headers[column]!), ...figures.map(row => displayWidth(row.cells[column]!))));
	const draw = (labelWidth: number, columns: readonly number[], cellWidth: (column: number) => number, short: boolean) => ({
		header: padEnd('', labelWidth) + columns.map(column => ` ${padStartWidth(headers[column]!, cellWidth(column))}`).join(''),
		rows: figures.map(row => padEnd(short ? row.short : row.long, labelWidth) + columns.map(column => ` ${padStartWidth(row.cells[column]!, cellWidth(column))}`).join('')),
	});

	// The roomy layout (as wide terminals have always drawn it): three equal columns of at least 8.
	const label = 7;
	const column = Math.max(8, Math.floor((width - label) / 3));
	let table = draw(label, [0, 1, 2], () => column - 1, false);
	if (label + (3 * column) > width || needed.some(value => value > column - 1)) {
		table = draw(5, [2], column => needed[column]!, true);
		search: for (const columns of columnChoices) {
			for (const short of [false, true]) {
				const labelWidth = Math.max(...figures.map(row => displayWidth(short ? row.short : row.long)));
				if (labelWidth + columns.reduce((sum, column) => sum + 1 + needed[column]!, 0) <= width) {
					table = draw(labelWidth, columns, column => needed[column]!, short);
					break search;
				}
			}
		}
	}

	const added = `+${summary.added.toLocaleString('en-US')}: ${signedBytes(summary.addedBytes)}`;
	const removed = `-${summary.removed.toLocaleString('en-US')}: ${signedBytes(-summary.removedBytes)}`;
	const modifiedFigure = `~${summary.modified.toLocaleString('en-US')}: ${signedBytes(summary.modifiedBytesB - summary.modifiedBytesA)}`;
	// "(by size)": contents were compared by size only; the note goes when it does not fit, the figure stays.
	const modified = comparison.contentBasis === 'size' && displayWidth(`${modifiedFigure} (by size)`) <= width ? `${modifiedFigure} (by size)` : modifiedFigure;
	const together = `${added}  ${removed}`;
	const totals: Total[] = displayWidth(together) <= width
		? [{text: together, kind: 'added'}, {text: modified, kind: 'modified'}]
		: [{text: added, kind: 'added'}, {text: removed, kind: 'removed'}, {text: modified, kind: 'modified'}];
	return {...table, totals};
}

/** Lines the summary pane takes at `width` (title, header, six figures, two or three lines of file totals). */
export function compareSummaryLines(comparison: ImageComparison, width: number): number {
	return 2 + 6 + compareSummaryText(comparison, width).totals.length;
}

/** A's and B's figures with the deltas (compact, to fit the left column), and the file totals per kind. */
export function CompareSummaryPane({comparison, width, colors}: Props) {
	const {header, rows, totals} = compareSummaryText(comparison, width);
	return (
		<Box flexDirection='column' width={width} height={2 + rows.length + totals.length}>
			<Lines lines={[{text: paneTitleText('Summary', undefined, width, false)}, {text: header, dim: true}, ...rows.map(text => ({text})), ...totals]} width={width} colors={colors}/>
		</Box>
	);
}
