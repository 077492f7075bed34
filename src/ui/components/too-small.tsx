import {Box, Text} from 'ink';
import {minimumViewport} from '../state/layout.js';
import type {Viewport} from '../state/types.js';

/**
 * What a terminal below minimumViewport shows instead of the panes (laid out for the minimum they would wrap, or
 * scroll their top off): the size needed, wrapped into the terminal and cut to its rows. The terminal needs one row
 * more than the viewport (the browsers leave its last row free: run.ts). Keys still work (q quits); a larger
 * terminal brings the panes back as they were.
 */
export function TooSmall({viewport}: {readonly viewport: Viewport}) {
	return (
		<Box width={Math.max(1, Math.floor(viewport.width))} height={Math.max(1, Math.floor(viewport.height))} overflow='hidden'>
			<Text wrap='wrap'>{`Terminal too small: layerscope needs ${minimumViewport.width} columns and ${minimumViewport.height + 1} rows. q quits.`}</Text>
		</Box>
	);
}
