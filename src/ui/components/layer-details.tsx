import {Box} from 'ink';
import {memo} from 'react';
import {humanBytes} from '../../ci/go-format.js';
import {escapeName} from '../../report/escape.js';
import {oneLine} from '../../report/format.js';
import {chop} from '../format.js';
import type {Layout} from '../state/layout.js';
import type {BrowserModel} from '../state/model.js';
import {Line} from './line.js';
import {PaneTitle} from './pane-title.js';

type Props = {
	readonly model: BrowserModel;
	/** Selected layer. */
	readonly layer: number;
	readonly layout: Layout;
	readonly colors: boolean;
};

/** The selected layer: digest, diff id, size, file count, created time and the full command. */
export const LayerDetails = memo(({model, layer: index, layout, colors}: Props) => {
	const layer = model.data.analysis.layers[index];
	const width = layout.leftWidth;
	const lines: string[] = [];
	if (layer !== undefined) {
		const container = index === model.data.containerLayer;
		lines.push(
			container ? `Layer:   ${index}, container (writable)` : `Digest:  ${escapeName(layer.digest || '(unknown)')}`,
			`Diff ID: ${escapeName(layer.diffId || '(unknown)')}`,
			`Size:    ${humanBytes(layer.sizeBytes)}   Files: ${layer.nodeCount}   +${layer.added} ~${layer.modified} -${layer.removed}`,
			`Created: ${escapeName(layer.created || '(unknown)')}`,
		);
		const command = container ? 'container (writable)' : escapeName(oneLine(layer.command));
		lines.push(...chop(`Command: ${command}`, width));
	}

	const room = Math.max(0, layout.detailsHeight - 1);
	const shown = lines.slice(0, room);
	if (lines.length > room && room > 0) {
		const last = shown.at(-1)!;
		shown[room - 1] = [...last].length >= width ? `${[...last].slice(0, width - 1).join('')}…` : `${last}…`;
	}

	return (
		<Box flexDirection='column' width={width} height={layout.detailsHeight}>
			<PaneTitle title='Layer details' width={width} focused={false}/>
			{shown.map((text, index) => <Line key={index} text={text} colors={colors}/>)}
		</Box>
	);
});
