import {Box, Text} from 'ink';
import {helpLines} from '../help-text.js';
import type {HelpKind} from '../keymap.js';
import {truncate} from '../text-width.js';

type Props = {
	readonly width: number;
	readonly height: number;
	/** First help line in the window. */
	readonly top: number;
	/** Whose keys: the image browser's (default) or compare's. */
	readonly kind?: HelpKind;
};

/** Every key binding, from the key table, as one list that scrolls (↑↓ PgUp PgDn Home End) in any size. */
export function HelpScreen({width, height, top, kind = 'browser'}: Props) {
	const lines = helpLines(width, kind);
	const rows = Math.max(1, height - 1);
	const shown = lines.slice(top, top + rows);
	const where = lines.length > rows ? ` ${top + 1}-${top + shown.length} of ${lines.length} ` : ' ';
	const head = `━━ Keys (? or Esc closes)${where}`;
	return (
		<Box flexDirection='column' width={width} height={height} overflow='hidden'>
			<Text bold wrap='truncate-end'>{truncate(head + '━'.repeat(Math.max(0, width - head.length)), width)}</Text>
			{shown.map((line, index) => <Text key={top + index} bold={line.title} wrap='truncate-end'>{truncate(line.text, width) || ' '}</Text>)}
		</Box>
	);
}
