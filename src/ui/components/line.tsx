import {Text} from 'ink';
import {memo} from 'react';
import type {ChangeKind} from '../../analysis/types.js';
import {truncate} from '../text-width.js';

type Props = {
	/** The text (already escaped). */
	readonly text: string;
	/** Columns the line may take: longer text is cut by display width, with `…`. */
	readonly width: number;
	/** Colour by change kind (added green, modified yellow, removed red). */
	readonly kind?: ChangeKind;
	/** Drawn in reverse video. */
	readonly selected?: boolean;
	/** Colours allowed (false under NO_COLOR). */
	readonly colors: boolean;
	readonly dim?: boolean;
};

const kindColor: Partial<Record<ChangeKind, string>> = {added: 'green', modified: 'yellow', removed: 'red'};

/**
 * One line of a pane, cut at the pane's edge by display width (text-width.ts): ink's own truncation lets a wide
 * character that straddles the edge push its `…` one column past it, which wraps and scrolls the whole frame.
 */
export const Line = memo(({text, width, kind, selected = false, colors, dim = false}: Props) => {
	const color = colors && kind !== undefined ? kindColor[kind] : undefined;
	return (
		<Text wrap='truncate-end' color={color} inverse={selected} dimColor={colors && dim}>
			{text === '' ? ' ' : truncate(text, width)}
		</Text>
	);
});
