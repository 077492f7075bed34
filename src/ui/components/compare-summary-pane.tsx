import {Box} from 'ink';
import type {ImageComparison} from '../../analysis/compare.js';
import {humanBytes} from '../../ci/go-format.js';
import {padEnd, padStart} from '../../report/format.js';
import {Line} from './line.js';
import {PaneTitle} from './pane-title.js';

type Props = {
	readonly comparison: ImageComparison;
	readonly width: number;
	readonly colors: boolean;
};

/** Lines the summary pane takes (title, header, six figures, two lines of file totals). */
export const compareSummaryLines = 10;

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

/** A's and B's figures with the deltas (compact, to fit the left column), and the file totals per kind. */
export function CompareSummaryPane({comparison, width, colors}: Props) {
	const {a, b, delta, summary} = comparison;
	const rows: Array<[string, string, string, string]> = [
		['size', humanBytes(a.sizeBytes), humanBytes(b.sizeBytes), signedBytes(delta.sizeBytes)],
		['effic.', ratio(a.efficiencyScore), ratio(b.efficiencyScore), points(delta.efficiencyScore)],
		['wasted', humanBytes(a.inefficientBytes), humanBytes(b.inefficientBytes), signedBytes(delta.inefficientBytes)],
		['reclaim', humanBytes(a.reclaimableBytes), humanBytes(b.reclaimableBytes), signedBytes(delta.reclaimableBytes)],
		['dupes', humanBytes(a.duplicateBytes), humanBytes(b.duplicateBytes), signedBytes(delta.duplicateBytes)],
		['files', a.fileCount.toLocaleString('en-US'), b.fileCount.toLocaleString('en-US'), signedCount(delta.fileCount)],
	];
	const label = 7;
	const column = Math.max(8, Math.floor((width - label) / 3));
	const cell = (text: string): string => ` ${padStart(text, column - 1)}`;
	return (
		<Box flexDirection='column' width={width} height={compareSummaryLines}>
			<PaneTitle title='Summary' width={width} focused={false}/>
			<Line text={`${padEnd('', label)}${cell('A')}${cell('B')}${cell('Delta')}`} width={width} colors={colors} dim/>
			{rows.map(([name, left, right, change]) => <Line key={name} text={`${padEnd(name, label)}${cell(left)}${cell(right)}${cell(change)}`} width={width} colors={colors}/>)}
			<Line text={`+${summary.added.toLocaleString('en-US')}: ${signedBytes(summary.addedBytes)}  -${summary.removed.toLocaleString('en-US')}: ${signedBytes(-summary.removedBytes)}`} kind='added' width={width} colors={colors}/>
			<Line text={`~${summary.modified.toLocaleString('en-US')}: ${signedBytes(summary.modifiedBytesB - summary.modifiedBytesA)}${comparison.contentBasis === 'size' ? ' (by size)' : ''}`} kind='modified' width={width} colors={colors}/>
		</Box>
	);
}
