import {Box} from 'ink';
import {changeGlyph, treeHeader} from '../tree-text.js';
import type {Layout} from '../state/layout.js';
import type {BrowserModel} from '../state/model.js';
import type {UiState} from '../state/types.js';
import {Lines, type PaneLine} from './lines.js';
import {paneTitleText} from '../pane-title.js';

type Props = {
	readonly model: BrowserModel;
	readonly state: UiState;
	readonly layout: Layout;
	readonly colors: boolean;
};

/**
 * The file tree of the selected layer. Only the rows in the window are built: `>` marks the cursor, a glyph
 * (+ added, ~ modified, - removed) the change, and colour repeats it.
 */
export function TreePane({model, state, layout, colors}: Props) {
	const rows = model.rows(state);
	const {counts} = rows.tree.view;
	const focused = state.focus === 'tree' || state.filter.open;
	const lines: PaneLine[] = [];
	const to = Math.min(rows.count, state.tree.top + layout.treeRows);
	for (let row = state.tree.top; row < to; row++) {
		const {kind, text} = model.rowText(rows, row, layout.attributeColumns);
		const selected = row === state.tree.cursor;
		lines.push({text: `${selected ? '>' : ' '}${changeGlyph[kind]} ${text}`, kind, selected: selected && focused});
	}

	// Shorter titles where the full one would push the change counts out.
	const title = state.mode === 'layer'
		? [`Current Layer Contents (layer ${state.layer})`, `Layer ${state.layer} contents`, `Layer ${state.layer}`]
		: [`Aggregated Layer Contents (layers 0-${state.layer})`, `Layers 0-${state.layer} aggregated`, `Layers 0-${state.layer}`];
	// Layer mode: the layer's change counts, the same figures as Layer details and the text report. Aggregated mode
	// shows another figure, the paths changed since layer 0 (same definition), and says so.
	const layer = model.data.analysis.layers[state.layer];
	const shown = state.mode === 'layer' && layer !== undefined ? layer : counts;
	const extra = `${state.mode === 'layer' ? '' : 'vs 0: '}+${shown.added} ~${shown.modified} -${shown.removed}${state.tree.sort === 'size' ? ' · by size' : ''}`;
	return (
		<Box flexDirection='column' width={layout.rightWidth} height={layout.bodyHeight}>
			<Lines
				lines={[
					{text: paneTitleText(title, extra, layout.rightWidth, focused), bold: focused},
					{text: `   ${treeHeader(layout.attributeColumns)}`, dim: true},
					...(lines.length === 0 ? [{text: state.filter.applied === '' ? '   (nothing to show)' : '   (no file matches the filter)', dim: true}] : lines),
				]}
				width={layout.rightWidth}
				colors={colors}
			/>
		</Box>
	);
}
