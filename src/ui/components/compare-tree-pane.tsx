import {Box} from 'ink';
import {humanBytes} from '../../ci/go-format.js';
import {padStart} from '../../report/format.js';
import type {CompareModel, CompareUiState} from '../state/compare-model.js';
import {sortLabel} from '../state/compare-reducer.js';
import type {Layout} from '../state/layout.js';
import {changeGlyph, treeRowText} from '../tree-text.js';
import {Line} from './line.js';
import {PaneTitle} from './pane-title.js';

type Props = {
	readonly model: CompareModel;
	readonly state: CompareUiState;
	readonly layout: Layout;
	readonly colors: boolean;
};

function signed(value: number): string {
	return value === 0 ? '0 B' : `${value > 0 ? '+' : '-'}${humanBytes(Math.abs(value))}`;
}

export const compareTreeHeader = '    Size A    Size B      Delta  Filetree';

/**
 * The merged tree of A and B: `>` marks the cursor, a glyph the change (+ only in B, - only in A, ~ differs),
 * then A's size, B's size and the delta (a directory's: everything below it), then the browser's tree row.
 */
export function CompareTreePane({model, state, layout, colors}: Props) {
	const rows = model.rows(state);
	const lines = [];
	const to = Math.min(rows.count, state.tree.top + layout.treeRows);
	for (let row = state.tree.top; row < to; row++) {
		const {node, kind, text} = treeRowText(rows, row, false);
		const a = kind === 'added' ? '-' : humanBytes(model.sizeA[node]!);
		const b = kind === 'removed' ? '-' : humanBytes(model.sizeB[node]!);
		const delta = signed(model.sizeB[node]! - model.sizeA[node]!);
		const selected = row === state.tree.cursor;
		lines.push(<Line key={row} text={`${selected ? '>' : ' '}${changeGlyph[kind]} ${padStart(a, 8)}  ${padStart(b, 8)}  ${padStart(delta, 9)}  ${text}`} width={layout.rightWidth} kind={kind} selected={selected} colors={colors}/>);
	}

	const {summary} = model.comparison;
	const order = sortLabel(state);
	const extra = `+${summary.added} ~${summary.modified} -${summary.removed}${order === 'name' ? '' : ` · by ${order}`}`;
	return (
		<Box flexDirection='column' width={layout.rightWidth} height={layout.bodyHeight}>
			<PaneTitle title='A → B' extra={extra} width={layout.rightWidth} focused/>
			<Line text={compareTreeHeader} width={layout.rightWidth} colors={colors} dim/>
			{lines.length === 0 ? <Line text={state.filter.applied === '' ? '   (nothing to show)' : '   (no file matches the filter)'} width={layout.rightWidth} colors={colors} dim/> : lines}
		</Box>
	);
}
