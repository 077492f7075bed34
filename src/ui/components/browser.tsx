import {Box, Text, useInput} from 'ink';
import {useCallback, useEffect, useLayoutEffect, useMemo, useReducer} from 'react';
import {keysFromInk} from '../keymap.js';
import type {BrowserModel} from '../state/model.js';
import {initialState, reduce} from '../state/reducer.js';
import type {Action, UiState, Viewport} from '../state/types.js';
import {FilterLine} from './filter-line.js';
import {HelpBar} from './help-bar.js';
import {HelpScreen} from './help-screen.js';
import {ImageDetails} from './image-details.js';
import {LayerDetails} from './layer-details.js';
import {LayersPane} from './layers-pane.js';
import {TreePane} from './tree-pane.js';

type Props = {
	/** The finished data. */
	readonly model: BrowserModel;
	/** Terminal size (ink-testing-library has no rows, so it comes in as a prop). */
	readonly viewport: Viewport;
	/** Colours allowed (false under NO_COLOR). */
	readonly colors: boolean;
	/** Called once when the user quits. */
	readonly onQuit: () => void;
	/** Start from this state instead of the default (tests). */
	readonly initial?: Partial<UiState>;
};

/** The four panes, the filter line and the help bar. One useInput: key → action → reducer. */
export function Browser({model, viewport, colors, onQuit, initial}: Props) {
	const [state, dispatch] = useReducer(
		(current: UiState, action: Action) => reduce(model, current, action),
		undefined,
		() => reduce(model, initialState(viewport, initial), {type: 'resize', viewport}),
	);

	useInput(useCallback((input, key) => {
		for (const pressed of keysFromInk(input, key)) {
			dispatch({type: 'key', name: pressed.name, text: pressed.text});
		}
	}, []));

	useEffect(() => {
		dispatch({type: 'resize', viewport});
	}, [viewport.width, viewport.height]);

	useLayoutEffect(() => {
		if (state.quit) {
			onQuit();
		}
	}, [state.quit]);

	// One layout object per size (not per key), so the memoised panes see unchanged props.
	const layout = useMemo(() => model.layout(state), [model, state.viewport, state.filter.open, state.filter.text === '', state.tree.attributes]);

	// After a pause, derive the neighbouring layers' trees so that moving through the layers finds them ready.
	// Not at once: during a burst of keys (typing a filter, holding ↓) it would only compete with them. One step
	// per timer, so that a key arriving meanwhile waits for one step at most.
	useEffect(() => {
		const steps = model.prefetchSteps(state);
		let timer: NodeJS.Timeout | undefined;
		const next = (): void => {
			const step = steps.shift();
			timer = step === undefined ? undefined : setTimeout(() => {
				step.run();
				next();
			}, step.delay);
		};

		next();
		return () => {
			clearTimeout(timer);
		};
	}, [model, state.layer, state.mode, state.tree.hidden, state.filter.applied, state.tree.sort, state.tree.collapseAll, state.tree.toggled]);
	return (
		<Box flexDirection='column' width={layout.width} height={layout.height}>
			{state.help ? <HelpScreen width={layout.width} height={layout.bodyHeight} top={state.helpTop}/> : (
				<Box flexDirection='row' height={layout.bodyHeight}>
					<Box flexDirection='column' width={layout.leftWidth}>
						<LayersPane model={model} layer={state.layer} top={state.layerTop} mode={state.mode} focused={state.focus === 'layers' && !state.filter.open} layout={layout} colors={colors}/>
						<LayerDetails model={model} layer={state.layer} top={state.detailsTop} focused={state.focus === 'details' && !state.filter.open} layout={layout} colors={colors}/>
						<ImageDetails model={model} top={state.imageTop} focused={state.focus === 'image' && !state.filter.open} layout={layout} colors={colors}/>
					</Box>
					<Box width={1} height={layout.bodyHeight}>
						<Text>{'│\n'.repeat(layout.bodyHeight).trimEnd()}</Text>
					</Box>
					<TreePane model={model} state={state} layout={layout} colors={colors}/>
				</Box>
			)}
			{layout.filterLine ? <FilterLine filter={state.filter} width={layout.width} colors={colors}/> : null}
			<HelpBar state={state} width={layout.width}/>
		</Box>
	);
}
