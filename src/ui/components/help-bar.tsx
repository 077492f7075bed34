import {Text} from 'ink';
import {useMemo} from 'react';
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
	return <Text wrap='truncate-end'>{useHelpBarText(state, width)}</Text>;
}

/** The bar's text for `state` in `width` columns (never empty: a space). */
export function helpBarText(state: UiState, width: number): string {
	return (state.notice === undefined ? truncate(barText(helpBar(state), width), width) : truncateMiddle(escapeName(state.notice), width)) || ' ';
}

/**
 * helpBarText, built again only when what it reads changes (keymap.ts helpBar: the scopes, the keys they reach, the
 * toggles' states, the sort's label; and the notice), not on every cursor move.
 */
export function useHelpBarText(state: UiState, width: number): string {
	return useMemo(
		() => helpBarText(state, width),
		[width, state.notice, state.help, state.viewer === undefined, state.viewer?.search.editing, state.filter.open, state.focus, state.mode, state.tree.sort, state.tree.hidden, state.tree.attributes],
	);
}
