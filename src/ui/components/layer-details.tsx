import {Box} from 'ink';
import {memo} from 'react';
import type {Layout} from '../state/layout.js';
import type {BrowserModel} from '../state/model.js';
import {Lines} from './lines.js';
import {paneTitleText} from '../pane-title.js';

type Props = {
	readonly model: BrowserModel;
	/** Selected layer. */
	readonly layer: number;
	/** First line in the window (the pane scrolls when it has the focus). */
	readonly top: number;
	/** The pane has the keys. */
	readonly focused: boolean;
	readonly layout: Layout;
	readonly colors: boolean;
};

/**
 * The selected layer: size, file count and changes, the whole command (wrapped, never cut), created time, digest
 * and diff id. When it has more lines than room, its title says which are shown, and Tab gives it the focus to
 * scroll (details-text.ts builds the lines).
 */
export const LayerDetails = memo(({model, layer, top, focused, layout, colors}: Props) => {
	const width = layout.leftWidth;
	const lines = model.detailLines(layer, width);
	const room = Math.max(0, layout.detailsHeight - 1);
	const shown = lines.slice(top, top + room);
	const more = lines.length > room ? [`${top + 1}-${top + shown.length} of ${lines.length}`, `${top + 1}-${top + shown.length}/${lines.length}`] : undefined;
	return (
		<Box flexDirection='column' width={width} height={layout.detailsHeight}>
			<Lines lines={[{text: paneTitleText(['Layer details', 'Details'], more, width, focused), bold: focused}, ...shown.map(text => ({text}))]} width={width} colors={colors}/>
		</Box>
	);
});
