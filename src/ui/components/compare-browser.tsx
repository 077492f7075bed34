import {Box, Text} from 'ink';
import {tooSmall} from '../state/layout.js';
import {TooSmall} from './too-small.js';
import {useMemo, useReducer} from 'react';
import {barText, helpBar} from '../keymap.js';
import type {CompareModel, CompareUiState} from '../state/compare-model.js';
import {initialCompareState, reduceCompare, sortLabel} from '../state/compare-reducer.js';
import type {Action, Viewport} from '../state/types.js';
import {CompareLayersPane} from './compare-layers-pane.js';
import {CompareSummaryPane, compareSummaryLines} from './compare-summary-pane.js';
import {CompareTreePane} from './compare-tree-pane.js';
import {FilterLine} from './filter-line.js';
import {useTerminal} from './use-terminal.js';
import {HelpScreen} from './help-screen.js';
import {truncate} from '../text-width.js';

type Props = {
	/** The comparison and its merged tree. */
	readonly model: CompareModel;
	/** Terminal size (ink-testing-library has no rows, so it comes in as a prop). */
	readonly viewport: Viewport;
	/** Colours allowed (false under NO_COLOR). */
	readonly colors: boolean;
	/** Called once when the user quits. */
	readonly onQuit: () => void;
};

/** Commands of the image browser that have no meaning with one tree and no layer to pick. */
const hiddenBarCommands = new Set(['Layer changes', 'Switch pane', 'Aggregated', 'Attributes']);

/** The help bar for `width` columns: items drop from the end, `? Help` and `q Quit` always stay (keymap barText). */
function bar(state: CompareUiState, width: number): string {
	return barText(helpBar(state)
		.filter(item => !hiddenBarCommands.has(item.label))
		.map(item => (item.label.startsWith('Sort:') ? {...item, label: `Sort: ${sortLabel(state)}`} : item)), width);
}

/** Summary and layers on the left, the merged tree on the right, the filter line and the help bar. One useInput. */
export function CompareBrowser({model, viewport, colors, onQuit}: Props) {
	const [state, dispatch] = useReducer(
		(current: CompareUiState, action: Action) => reduceCompare(model, current, action),
		undefined,
		() => initialCompareState(model, viewport),
	);

	useTerminal(dispatch, viewport, state.quit, onQuit);

	const layout = useMemo(() => model.layout(state), [model, state.viewport, state.filter.open, state.filter.text === '', state.tree.attributes]);
	const summaryLines = useMemo(() => compareSummaryLines(model.comparison, layout.leftWidth), [model, layout.leftWidth]);
	const summaryHeight = Math.min(summaryLines, Math.max(0, layout.bodyHeight - 3));
	if (tooSmall(viewport)) {
		return <TooSmall viewport={viewport}/>;
	}

	return (
		<Box flexDirection='column' width={layout.width} height={layout.height}>
			{state.help ? <HelpScreen width={layout.width} height={layout.bodyHeight} top={state.helpTop} kind='compare'/> : (
				<Box flexDirection='row' height={layout.bodyHeight}>
					<Box flexDirection='column' width={layout.leftWidth}>
						<Box height={summaryHeight} overflow='hidden'>
							<CompareSummaryPane comparison={model.comparison} width={layout.leftWidth} colors={colors}/>
						</Box>
						<CompareLayersPane layers={model.comparison.layers} width={layout.leftWidth} height={layout.bodyHeight - summaryHeight} colors={colors}/>
					</Box>
					<Box width={1} height={layout.bodyHeight}>
						<Text>{'│\n'.repeat(layout.bodyHeight).trimEnd()}</Text>
					</Box>
					<CompareTreePane model={model} state={state} layout={layout} colors={colors}/>
				</Box>
			)}
			{layout.filterLine ? <FilterLine filter={state.filter} width={layout.width} colors={colors}/> : null}
			<Text wrap='truncate-end'>{truncate(bar(state, layout.width), layout.width) || ' '}</Text>
		</Box>
	);
}
