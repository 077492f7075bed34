import {Text} from 'ink';
import {barText, helpBar} from '../keymap.js';
import type {UiState} from '../state/types.js';
import {truncate} from '../text-width.js';
import {escapeName} from '../../report/escape.js';

type Props = {
	readonly state: UiState;
	/** Columns of the terminal. */
	readonly width: number;
};

/** The bottom line, generated from the key table for the current pane; `? Help` and `q Quit` always stay. */
export function HelpBar({state, width}: Props) {
	return (
		<Text wrap='truncate-end'>
			{truncate(state.notice === undefined ? barText(helpBar(state), width) : escapeName(state.notice), width) || ' '}
		</Text>
	);
}
