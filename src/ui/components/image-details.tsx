import {Box} from 'ink';
import {escapeName} from '../../report/escape.js';
import {diveBytes, padStart, percentFloor} from '../format.js';
import type {Layout} from '../state/layout.js';
import type {BrowserModel} from '../state/model.js';
import type {UiState} from '../state/types.js';
import {Line} from './line.js';
import {PaneTitle} from './pane-title.js';

type Props = {
	readonly model: BrowserModel;
	readonly state: UiState;
	readonly layout: Layout;
	readonly colors: boolean;
};

/** The image: name, sizes, dive's efficiency figures, reclaimable bytes, notes, and the inefficient files. */
export function ImageDetails({model, state, layout, colors}: Props) {
	const {image} = model.data.analysis;
	const name = image.tags[0] ?? image.name;
	const summary = [
		`Image name: ${escapeName(name)}`,
		`Total Image size: ${diveBytes(image.sizeBytes)}`,
		`Potential wasted space: ${diveBytes(image.wastedBytes)}`,
		`Image efficiency score: ${percentFloor(image.efficiency)}`,
		`Reclaimable by squash: ${diveBytes(image.reclaimableBytes)}`,
		...(model.data.notes ?? []).map(note => escapeName(note)),
	];
	const rows = image.inefficiencies.slice(state.imageTop, state.imageTop + layout.imageRows);
	const more = image.inefficiencies.length > layout.imageRows
		? `${state.imageTop + 1}-${state.imageTop + rows.length} of ${image.inefficiencies.length}`
		: undefined;
	return (
		<Box flexDirection='column' width={layout.leftWidth} height={layout.imageHeight} overflow='hidden'>
			<PaneTitle title='Image details' extra={more} width={layout.leftWidth} focused={state.focus === 'image' && !state.filter.open}/>
			{summary.map((text, index) => <Line key={`s${index}`} text={text} colors={colors}/>)}
			<Line text={image.inefficiencies.length === 0 ? 'Inefficient files: none' : 'Count  Total Space  Path'} colors={colors} dim/>
			{rows.map((item, index) => (
				<Line key={`r${state.imageTop + index}`} text={`${padStart(String(item.count), 5)}  ${padStart(diveBytes(item.cumulativeSize), 11)}  ${escapeName(item.path)}`} colors={colors}/>
			))}
		</Box>
	);
}
