import {Box} from 'ink';
import type {LayerComparison} from '../../analysis/compare.js';
import {humanBytes} from '../../ci/go-format.js';
import {escapeName} from '../../report/escape.js';
import {oneLine, padStart} from '../../report/format.js';
import {displayWidth} from '../text-width.js';
import {Lines} from './lines.js';
import {paneTitleText} from '../pane-title.js';

type Props = {
	readonly layers: LayerComparison;
	readonly width: number;
	readonly height: number;
	readonly colors: boolean;
};

/**
 * How many layers are shared, then the layers only A has (-) and only B has (+), with size and command. In a narrow
 * pane the title and the shared line take shorter forms, so their figures stay whole; a command is cut.
 */
export function CompareLayersPane({layers, width, height, colors}: Props) {
	const rows = [
		...layers.onlyA.map(layer => ({kind: 'removed' as const, text: `- A${layer.index} ${padStart(humanBytes(layer.sizeBytes), 8)}  ${escapeName(oneLine(layer.command))}`})),
		...layers.onlyB.map(layer => ({kind: 'added' as const, text: `+ B${layer.index} ${padStart(humanBytes(layer.sizeBytes), 8)}  ${escapeName(oneLine(layer.command))}`})),
	];
	const long = `${layers.shared} shared from the base (${humanBytes(layers.sharedBytes)})`;
	const shared = displayWidth(long) <= width ? long : `${layers.shared} shared (${humanBytes(layers.sharedBytes)})`;
	const room = Math.max(0, height - 2);
	const shown = rows.length > room ? rows.slice(0, Math.max(0, room - 1)) : rows;
	return (
		<Box flexDirection='column' width={width} height={height}>
			<Lines
				lines={[
					{text: paneTitleText('Layers', [`${layers.onlyA.length} only A · ${layers.onlyB.length} only B`, `only A ${layers.onlyA.length} · B ${layers.onlyB.length}`, `A ${layers.onlyA.length} · B ${layers.onlyB.length}`, `-${layers.onlyA.length} +${layers.onlyB.length}`], width, false)},
					{text: shared, dim: true},
					...shown,
					...(shown.length < rows.length ? [{text: `… ${rows.length - shown.length} more`, dim: true}] : []),
				]}
				width={width}
				colors={colors}
			/>
		</Box>
	);
}
