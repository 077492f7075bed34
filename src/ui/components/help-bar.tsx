import {Text} from 'ink';
import {barText, helpBar} from '../keymap.js';
import type {UiState} from '../state/types.js';

type Props = {
	readonly state: UiState;
};

/** The bottom line, generated from the key table for the current pane. */
export function HelpBar({state}: Props) {
	return (
		<Text wrap='truncate-end'>
			{barText(helpBar(state)) || ' '}
		</Text>
	);
}
