import {Text} from 'ink';
import {escapeName} from '../../report/escape.js';
import type {FilterState} from '../state/types.js';
import {displayWidth, truncate} from '../text-width.js';

type Props = {
	readonly filter: FilterState;
	/** Columns of the terminal. */
	readonly width: number;
	readonly colors: boolean;
};

/** The filter input (live), or the filter in effect; an invalid regex is shown, never thrown. Cut by display width. */
export function FilterLine({filter, width, colors}: Props) {
	const text = escapeName(filter.text);
	const head = truncate(filter.open ? `Filter (regex on path): ${text}▏` : `Filter: ${text}  (/ to edit, Esc in the input clears)`, width);
	const error = filter.error === undefined ? '' : truncate(`  ✗ invalid regex: ${escapeName(filter.error)}`, width - displayWidth(head));
	return (
		<Text wrap='truncate-end'>
			{head}
			{error === '' ? '' : <Text color={colors ? 'red' : undefined}>{error}</Text>}
		</Text>
	);
}
