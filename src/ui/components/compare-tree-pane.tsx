import {Box} from 'ink';
import {humanBytes} from '../../ci/go-format.js';
import {padStart} from '../../report/format.js';
import type {CompareModel, CompareUiState} from '../state/compare-model.js';
import {sortLabel} from '../state/compare-reducer.js';
import {type Layout, nameRoom} from '../state/layout.js';
import {displayWidth} from '../text-width.js';
import {changeGlyph} from '../tree-text.js';
import {Lines, type PaneLine} from './lines.js';
import {paneTitleText} from '../pane-title.js';

type Props = {
	readonly model: CompareModel;
	readonly state: CompareUiState;
	readonly layout: Layout;
	readonly colors: boolean;
};

function signed(value: number): string {
	return value === 0 ? '0 B' : `${value > 0 ? '+' : '-'}${humanBytes(Math.abs(value))}`;
}

/**
 * Which size columns the tree draws, most first: A, B and the delta as wide terminals have always had them
 * ('all', 8 + 2 + 8 + 2 + 9 + 2 columns), then tight ones (a size is at most 7 columns, `1000 kB`; a delta 8):
 * B and the delta ('b-delta'), the delta alone ('delta'), none.
 */
export type CompareColumns = 'all' | 'b-delta' | 'delta' | 'none';

/** Columns each choice takes before the tree glyphs (each column plus its gap). */
export const compareColumnWidths: Readonly<Record<CompareColumns, number>> = {all: 8 + 2 + 8 + 2 + 9 + 2, 'b-delta': 7 + 1 + 8 + 2, delta: 8 + 2, none: 0};

/**
 * The size columns for a tree pane `rightWidth` wide whose widest row in view needs `need` columns for its tree
 * glyphs and name: names get the room first. A's column, then B's, then the delta's give way until the widest
 * name in view is whole, and none is drawn unless the names keep at least `nameRoom` columns (the image browser's
 * rule for its attribute columns, src/ui/state/layout.ts). The choice follows the rows in view, so scrolling to a
 * deeper or longer name can hide a column and scrolling back brings it back.
 */
export function compareColumnsFor(rightWidth: number, need = 0): CompareColumns {
	// Three columns before the figures: the cursor mark, the change glyph and a space.
	for (const choice of ['all', 'b-delta', 'delta'] as const) {
		if (rightWidth - 3 - compareColumnWidths[choice] >= Math.max(nameRoom, need)) {
			return choice;
		}
	}

	return 'none';
}

/** The header over the tree for a choice of size columns (after the three columns of cursor and glyph). */
export function compareTreeHeader(columns: CompareColumns): string {
	switch (columns) {
		case 'all': {
			return `   ${padStart('Size A', 8)}  ${padStart('Size B', 8)}  ${padStart('Delta', 9)}  Filetree`;
		}

		case 'b-delta': {
			return `   ${padStart('Size B', 7)} ${padStart('Delta', 8)}  Filetree`;
		}

		case 'delta': {
			return `   ${padStart('Delta', 8)}  Filetree`;
		}

		default: {
			return '   Filetree';
		}
	}
}

function figures(columns: CompareColumns, a: string, b: string, delta: string): string {
	switch (columns) {
		case 'all': {
			return `${padStart(a, 8)}  ${padStart(b, 8)}  ${padStart(delta, 9)}  `;
		}

		case 'b-delta': {
			return `${padStart(b, 7)} ${padStart(delta, 8)}  `;
		}

		case 'delta': {
			return `${padStart(delta, 8)}  `;
		}

		default: {
			return '';
		}
	}
}

/**
 * The merged tree of A and B: `>` marks the cursor, a glyph the change (+ only in B, - only in A, ~ differs),
 * then A's size, B's size and the delta (a directory's: everything below it) as far as the names in view leave
 * room (compareColumnsFor), then the browser's tree row.
 */
export function CompareTreePane({model, state, layout, colors}: Props) {
	const rows = model.rows(state);
	const to = Math.min(rows.count, state.tree.top + layout.treeRows);
	const inView = [];
	for (let row = state.tree.top; row < to; row++) {
		inView.push({row, ...model.rowText(rows, row, false)});
	}

	const columns = compareColumnsFor(layout.rightWidth, Math.max(0, ...inView.map(({text}) => displayWidth(text))));
	const lines: PaneLine[] = [];
	for (const {row, node, kind, text} of inView) {
		const a = kind === 'added' ? '-' : humanBytes(model.sizeA[node]!);
		const b = kind === 'removed' ? '-' : humanBytes(model.sizeB[node]!);
		const delta = signed(model.sizeB[node]! - model.sizeA[node]!);
		const selected = row === state.tree.cursor;
		lines.push({text: `${selected ? '>' : ' '}${changeGlyph[kind]} ${figures(columns, a, b, delta)}${text}`, kind, selected});
	}

	const {summary} = model.comparison;
	const order = sortLabel(state);
	const counts = `+${summary.added} ~${summary.modified} -${summary.removed}`;
	const extra = order === 'name' ? [counts] : [`${counts} · by ${order}`, counts];
	return (
		<Box flexDirection='column' width={layout.rightWidth} height={layout.bodyHeight}>
			<Lines
				lines={[
					{text: paneTitleText(['A → B', 'A→B'], extra, layout.rightWidth, true), bold: true},
					{text: compareTreeHeader(columns), dim: true},
					...(lines.length === 0 ? [{text: state.filter.applied === '' ? '   (nothing to show)' : '   (no file matches the filter)', dim: true}] : lines),
				]}
				width={layout.rightWidth}
				colors={colors}
			/>
		</Box>
	);
}
