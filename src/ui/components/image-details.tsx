import {Box} from 'ink';
import {memo} from 'react';
import {humanBytes} from '../../ci/go-format.js';
import {escapeName} from '../../report/escape.js';
import {padStart} from '../../report/format.js';
import {percentFloor} from '../format.js';
import {displayWidth, truncateStart} from '../text-width.js';
import type {Layout} from '../state/layout.js';
import type {BrowserModel} from '../state/model.js';
import {Lines, type PaneLine} from './lines.js';
import {paneTitleText} from '../pane-title.js';

type Props = {
	readonly model: BrowserModel;
	/** First row of the inefficient-files table in the window. */
	readonly top: number;
	/** The pane has the keys. */
	readonly focused: boolean;
	readonly layout: Layout;
	readonly colors: boolean;
};

/** `label: value` with the longest label that leaves the value whole in `width` columns (the shortest otherwise). */
export function labelled(labels: readonly string[], value: string, width: number): string {
	return firstFitting(labels.map(label => `${label}: ${value}`), width);
}

/** The first of `texts` that fits in `width` columns, else the last. */
function firstFitting(texts: readonly string[], width: number): string {
	return texts.find(text => displayWidth(text) <= width) ?? texts.at(-1)!;
}

/**
 * The image: name, sizes, dive's efficiency figures, reclaimable bytes, notes, and the inefficient files — always
 * the image's own. Over a container (`layerscope diff`) the writable layer is left out of them; the notes say
 * what the container changed, and one line labelled `Image + container` gives the figures of both together.
 */
export const ImageDetails = memo(({model, top, focused, layout, colors}: Props) => {
	const image = model.imageFigures;
	const name = image.tags[0] ?? image.name;
	const combined = model.withContainer;
	const width = layout.leftWidth;
	const summary = [
		labelled(['Image name', 'Image', 'Name'], escapeName(name), width),
		labelled(['Total Image size', 'Image size', 'Size'], humanBytes(image.sizeBytes), width),
		labelled(['Potential wasted space', 'Wasted space', 'Wasted'], humanBytes(image.wastedBytes), width),
		labelled(['Image efficiency score', 'Efficiency', 'Eff.'], percentFloor(image.efficiency), width),
		labelled(['Reclaimable by squash', 'Reclaimable', 'Squash'], humanBytes(image.reclaimableBytes), width),
		labelled(['Duplicate files', 'Duplicates', 'Dups'], image.duplicateFiles.length === 0 ? 'none' : `${humanBytes(image.duplicateBytes)} in ${image.duplicateFiles.length} group${image.duplicateFiles.length === 1 ? '' : 's'}`, width),
		...(model.data.notes ?? []).map(note => firstFitting((typeof note === 'string' ? [note] : note).map(text => escapeName(text)), width)),
		...(combined === undefined ? [] : [firstFitting([
			`Image + container: ${humanBytes(combined.sizeBytes)}, efficiency ${percentFloor(combined.efficiency)}`,
			`With container: ${humanBytes(combined.sizeBytes)}, efficiency ${percentFloor(combined.efficiency)}`,
			`With container: ${humanBytes(combined.sizeBytes)}, ${percentFloor(combined.efficiency)}`,
			`+Container: ${humanBytes(combined.sizeBytes)}, ${percentFloor(combined.efficiency)}`,
		], width)]),
	];
	const rows = image.inefficiencies.slice(top, top + layout.imageRows);
	// Narrow panes (80 columns): compact count and size columns, so the paths keep the room to differ.
	const narrow = width - 20 < 14;
	const countWidth = narrow ? Math.max(1, ...rows.map(item => String(item.count).length)) : 5;
	const sizeWidth = narrow ? Math.max(5, ...rows.map(item => humanBytes(item.cumulativeSize).length)) : 11;
	const header = narrow ? `${padStart('#', countWidth)}  ${padStart('Space', sizeWidth)}  Path` : 'Count  Total Space  Path';
	const total = image.inefficiencies.length;
	// What the range counts is said, as room allows: the inefficient files of the table below.
	const range = `${top + 1}-${top + rows.length} of ${total}`;
	const more = total > layout.imageRows
		? (rows.length === 0 ? [`${total} inefficient files`, `${total} files`] : [`inefficient files ${range}`, `files ${range}`, range, `${top + 1}-${top + rows.length}/${total}`])
		: undefined;
	return (
		<Box flexDirection='column' width={width} height={layout.imageHeight}>
			<Lines
				lines={([
					{text: paneTitleText(['Image details', 'Image'], more, width, focused), bold: focused},
					...summary.map(text => ({text})),
					{text: image.inefficiencies.length === 0 ? 'Inefficient files: none' : header, dim: true},
					// The path is cut from its start: two wasted files must not both read "/app/stat…".
					...rows.map(item => ({text: `${padStart(String(item.count), countWidth)}  ${padStart(humanBytes(item.cumulativeSize), sizeWidth)}  ${truncateStart(escapeName(item.path), width - countWidth - sizeWidth - 4)}`})),
				] satisfies PaneLine[]).slice(0, layout.imageHeight)}
				width={width}
				colors={colors}
			/>
		</Box>
	);
});
