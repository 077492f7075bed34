import {Box, Text} from 'ink';
import {tooSmall} from '../state/layout.js';
import {TooSmall} from './too-small.js';
import {useEffect, useMemo, useReducer} from 'react';
import type {BrowserModel} from '../state/model.js';
import {initialState, reduce} from '../state/reducer.js';
import type {Action, UiState, Viewport} from '../state/types.js';
import {FilterLine} from './filter-line.js';
import {useTerminal} from './use-terminal.js';
import {HelpBar} from './help-bar.js';
import {HelpScreen} from './help-screen.js';
import {FileViewer} from './file-viewer.js';
import {viewerWindowBytes} from '../state/viewer.js';
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
	/** Keys typed before the browser was ready, applied in order before the first frame. */
	readonly pendingKeys?: ReadonlyArray<{readonly name: string; readonly text: string}>;
};

/** The four panes, the filter line and the help bar. One useInput: key → action → reducer. */
export function Browser({model, viewport, colors, onQuit, initial, pendingKeys = []}: Props) {
	const [state, dispatch] = useReducer(
		(current: UiState, action: Action) => reduce(model, current, action),
		undefined,
		() => pendingKeys.reduce(
			(current, pressed) => reduce(model, current, {type: 'key', name: pressed.name, text: pressed.text}),
			reduce(model, initialState(viewport, initial), {type: 'resize', viewport}),
		),
	);

	useTerminal(dispatch, viewport, state.quit, onQuit);

	// The viewer's file: read (one window of it) when the viewer opens; a closed viewer cancels the read.
	const viewing = state.viewer?.status === 'loading' ? state.viewer : undefined;
	useEffect(() => {
		if (viewing === undefined) {
			return undefined;
		}

		const files = model.data.files;
		if (files === undefined) {
			dispatch({type: 'viewer', action: {type: 'viewer.failed', message: 'this source cannot be read again: files cannot be shown'}});
			return undefined;
		}

		const abort = new AbortController();
		files.read(viewing.path, viewing.layer, 0, viewerWindowBytes, abort.signal).then(window => {
			if (!abort.signal.aborted) {
				dispatch({type: 'viewer', action: {type: 'viewer.loaded', window}});
			}
		}, (error: unknown) => {
			if (!abort.signal.aborted) {
				dispatch({type: 'viewer', action: {type: 'viewer.failed', message: (error as Error).message}});
			}
		});
		return () => {
			abort.abort();
		};
	}, [viewing?.path, viewing?.layer, viewing === undefined]);

	// Ctrl-E: extract the selected path into the current directory; the outcome is one line in the bar.
	useEffect(() => {
		const request = state.extract;
		if (request === undefined) {
			return;
		}

		const files = model.data.files;
		if (files === undefined) {
			dispatch({type: 'notice', text: 'this source cannot be read again: nothing extracted'});
			return;
		}

		dispatch({type: 'notice', text: `extracting ${request.path}…`});
		files.extract(request.path, request.layer).then(text => {
			dispatch({type: 'notice', text});
		}, (error: unknown) => {
			dispatch({type: 'notice', text: (error as Error).message});
		});
	}, [state.extract?.seq]);

	// One layout object per size (not per key), so the memoised panes see unchanged props.
	const layout = useMemo(() => model.layout(state), [model, state.viewport, state.filter.open, state.filter.text === '', state.tree.attributes, state.focus === 'image']);

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
	if (tooSmall(viewport)) {
		return <TooSmall viewport={viewport}/>;
	}

	return (
		<Box flexDirection='column' width={layout.width} height={layout.height}>
			{state.viewer === undefined || state.help ? null : <FileViewer viewer={state.viewer} width={layout.width} height={layout.bodyHeight} colors={colors}/>}
			{state.help ? <HelpScreen width={layout.width} height={layout.bodyHeight} top={state.helpTop}/> : state.viewer !== undefined ? null : (
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
