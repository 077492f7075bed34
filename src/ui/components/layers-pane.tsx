import {Box} from 'ink';
import {commandLine, diveBytes, padStart} from '../format.js';
import type {BrowserModel} from '../state/model.js';
import type {Layout} from '../state/layout.js';
import type {UiState} from '../state/types.js';
import {Line} from './line.js';
import {PaneTitle} from './pane-title.js';

type Props = {
	readonly model: BrowserModel;
	readonly state: UiState;
	readonly layout: Layout;
	readonly colors: boolean;
};

/** The label of a layer in the list: its command, or what it is for a container's writable layer. */
export function layerLabel(model: BrowserModel, index: number): string {
	if (index === model.data.containerLayer) {
		return 'container (writable)';
	}

	return commandLine(model.data.image.layers[index]?.command ?? '');
}

/** Whether a layer takes part in the comparison shown in the tree (dive's "Cmp" column). */
function compared(state: UiState, index: number): string {
	if (state.mode === 'layer') {
		return index === state.layer ? '●' : ' ';
	}

	if (index === 0) {
		return state.layer === 0 ? '●' : '○';
	}

	return index <= state.layer ? '●' : ' ';
}

/** Layers: compare mark, index, size and command (one line, newlines as ↵); the selected layer marked with >. */
export function LayersPane({model, state, layout, colors}: Props) {
	const {layers} = model.data.analysis;
	const digits = String(Math.max(0, layers.length - 1)).length;
	const lines = [];
	const to = Math.min(layers.length, state.layerTop + layout.layerRows);
	for (let index = state.layerTop; index < to; index++) {
		const layer = layers[index]!;
		const selected = index === state.layer;
		const text = `${selected ? '>' : ' '}${compared(state, index)} ${padStart(String(index), digits)} ${padStart(diveBytes(layer.sizeBytes), 9)}  ${layerLabel(model, index)}`;
		lines.push(<Line key={index} text={text} selected={selected && state.focus === 'layers'} colors={colors}/>);
	}

	const mode = state.mode === 'layer' ? 'layer changes' : 'aggregated changes';
	return (
		<Box flexDirection='column' width={layout.leftWidth} height={layout.layersHeight} overflow='hidden'>
			<PaneTitle title='Layers' extra={mode} width={layout.leftWidth} focused={state.focus === 'layers' && !state.filter.open}/>
			<Line text={`Cmp ${padStart('#', digits)} ${padStart('Size', 9)}  Command`} colors={colors} dim/>
			{lines}
		</Box>
	);
}
