import {Text} from 'ink';
import {escapeName} from '../../report/escape.js';
import type {FilterState} from '../state/types.js';

type Props = {
	readonly filter: FilterState;
	readonly colors: boolean;
};

/** The filter input (live), or the filter in effect; an invalid regex is shown, never thrown. */
export function FilterLine({filter, colors}: Props) {
	const text = escapeName(filter.text);
	const head = filter.open ? `Filter (regex on path): ${text}▏` : `Filter: ${text}  (/ to edit, Esc in the input clears)`;
	return (
		<Text wrap='truncate-end'>
			{head}
			{filter.error === undefined ? '' : <Text color={colors ? 'red' : undefined}>{`  ✗ invalid regex: ${escapeName(filter.error)}`}</Text>}
		</Text>
	);
}
