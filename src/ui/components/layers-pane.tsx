import {Box} from 'ink';
import {memo} from 'react';
import type {CompareMode} from '../../analysis/views.js';
import {humanBytes} from '../../ci/go-format.js';
import {padStart} from '../../report/format.js';
import {escapeCommand} from '../format.js';
import type {BrowserModel} from '../state/model.js';
import type {Layout} from '../state/layout.js';
import {Lines, type PaneLine} from './lines.js';
import {paneTitleText} from '../pane-title.js';

type Props = {
	readonly model: BrowserModel;
	/** Selected layer. */
	readonly layer: number;
	/** First layer row in the window. */
	readonly top: number;
	readonly mode: CompareMode;
	/** The pane has the keys. */
	readonly focused: boolean;
	readonly layout: Layout;
	readonly colors: boolean;
};

/** The label of a layer in the list: its command, or what it is for a container's writable layer. */
export function layerLabel(model: BrowserModel, index: number): string {
	if (index === model.data.containerLayer) {
		return 'container (writable)';
	}

	return escapeCommand(model.data.image.layers[index]?.command ?? '');
}

/** Whether a layer takes part in the comparison shown in the tree (dive's "Cmp" column). */
function compared(mode: CompareMode, selected: number, index: number): string {
	if (mode === 'layer') {
		return index === selected ? '●' : ' ';
	}

	if (index === 0) {
		return selected === 0 ? '●' : '○';
	}

	return index <= selected ? '●' : ' ';
}

/** Layers: compare mark, index, size and command (one line, newlines as ↵); the selected layer marked with >. */
export const LayersPane = memo(({model, layer: selectedLayer, top, mode, focused, layout, colors}: Props) => {
	const {layers} = model.data.analysis;
	const digits = String(Math.max(0, layers.length - 1)).length;
	const lines: PaneLine[] = [];
	const to = Math.min(layers.length, top + layout.layerRows);
	for (let index = top; index < to; index++) {
		const layer = layers[index]!;
		const selected = index === selectedLayer;
		const text = `${selected ? '>' : ' '}${compared(mode, selectedLayer, index)} ${padStart(String(index), digits)} ${padStart(humanBytes(layer.sizeBytes), 9)}  ${layerLabel(model, index)}`;
		lines.push({text, selected: selected && focused});
	}
	// When not every layer fits, the title says which are in view (the mode's label first, while there is room).
	const label = mode === 'layer' ? 'layer changes' : 'aggregated changes';
	const range = `${top + 1}-${to} of ${layers.length}`;
	const short = `${top + 1}-${to}/${layers.length}`;
	const extra = to - top < layers.length ? [`${label} · ${range}`, ...(mode === 'layer' ? [] : [`aggregated ${short}`]), range, short] : label;
	return (
		<Box flexDirection='column' width={layout.leftWidth} height={layout.layersHeight}>
			<Lines
				lines={[
					{text: paneTitleText('Layers', extra, layout.leftWidth, focused), bold: focused},
					{text: `Cmp ${padStart('#', digits)} ${padStart('Size', 9)}  Command`, dim: true},
					...lines,
				]}
				width={layout.leftWidth}
				colors={colors}
			/>
		</Box>
	);
});
