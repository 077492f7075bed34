import {Text} from 'ink';
import {barText, helpBar} from '../keymap.js';
import type {UiState} from '../state/types.js';
import {truncate, truncateMiddle} from '../text-width.js';
import {escapeName} from '../../report/escape.js';

type Props = {
	readonly state: UiState;
	/** Columns of the terminal. */
	readonly width: number;
};

/**
 * The bottom line, generated from the key table for the current pane; `? Help` and `q Quit` always stay. A notice
 * (Ctrl-E's result) takes its place until the next key, cut in the middle when too long: its start and its end stay.
 */
export function HelpBar({state, width}: Props) {
	return (
		<Text wrap='truncate-end'>
			{(state.notice === undefined ? truncate(barText(helpBar(state), width), width) : truncateMiddle(escapeName(state.notice), width)) || ' '}
		</Text>
	);
}
