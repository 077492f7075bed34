import {Box} from 'ink';
import {memo} from 'react';
import {humanBytes} from '../../ci/go-format.js';
import {escapeName} from '../../report/escape.js';
import {padStart} from '../../report/format.js';
import {percentFloor} from '../format.js';
import type {Layout} from '../state/layout.js';
import type {BrowserModel} from '../state/model.js';
import {Line} from './line.js';
import {PaneTitle} from './pane-title.js';

type Props = {
	readonly model: BrowserModel;
	/** First row of the inefficient-files table in the window. */
	readonly top: number;
	/** The pane has the keys. */
	readonly focused: boolean;
	readonly layout: Layout;
	readonly colors: boolean;
};

/** The image: name, sizes, dive's efficiency figures, reclaimable bytes, notes, and the inefficient files. */
export const ImageDetails = memo(({model, top, focused, layout, colors}: Props) => {
	const {image} = model.data.analysis;
	const name = image.tags[0] ?? image.name;
	const summary = [
		`Image name: ${escapeName(name)}`,
		`Total Image size: ${humanBytes(image.sizeBytes)}`,
		`Potential wasted space: ${humanBytes(image.wastedBytes)}`,
		`Image efficiency score: ${percentFloor(image.efficiency)}`,
		`Reclaimable by squash: ${humanBytes(image.reclaimableBytes)}`,
		...(model.data.notes ?? []).map(note => escapeName(note)),
	];
	const rows = image.inefficiencies.slice(top, top + layout.imageRows);
	const total = image.inefficiencies.length;
	const more = total > layout.imageRows
		? (rows.length === 0 ? `${total} files` : `${top + 1}-${top + rows.length} of ${total}`)
		: undefined;
	return (
		<Box flexDirection='column' width={layout.leftWidth} height={layout.imageHeight}>
			{[
				<PaneTitle key='title' title='Image details' extra={more} width={layout.leftWidth} focused={focused}/>,
				...summary.map((text, index) => <Line key={`s${index}`} text={text} colors={colors}/>),
				<Line key='head' text={image.inefficiencies.length === 0 ? 'Inefficient files: none' : 'Count  Total Space  Path'} colors={colors} dim/>,
				...rows.map((item, index) => (
					<Line key={`r${top + index}`} text={`${padStart(String(item.count), 5)}  ${padStart(humanBytes(item.cumulativeSize), 11)}  ${escapeName(item.path)}`} colors={colors}/>
				)),
			].slice(0, layout.imageHeight)}
		</Box>
	);
});
