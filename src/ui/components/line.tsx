import {Text} from 'ink';
import {memo} from 'react';
import type {ChangeKind} from '../../analysis/types.js';

type Props = {
	/** The text (already escaped). */
	readonly text: string;
	/** Colour by change kind (added green, modified yellow, removed red). */
	readonly kind?: ChangeKind;
	/** Drawn in reverse video. */
	readonly selected?: boolean;
	/** Colours allowed (false under NO_COLOR). */
	readonly colors: boolean;
	readonly dim?: boolean;
};

const kindColor: Partial<Record<ChangeKind, string>> = {added: 'green', modified: 'yellow', removed: 'red'};

/** One line of a pane, cut at the pane's edge. */
export const Line = memo(({text, kind, selected = false, colors, dim = false}: Props) => {
	const color = colors && kind !== undefined ? kindColor[kind] : undefined;
	return (
		<Text wrap='truncate-end' color={color} inverse={selected} dimColor={colors && dim}>
			{text === '' ? ' ' : text}
		</Text>
	);
});
