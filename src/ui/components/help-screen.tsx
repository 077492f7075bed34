import {Box, Text} from 'ink';
import {fullHelp} from '../keymap.js';

type Props = {
	readonly width: number;
	readonly height: number;
};

/** Every key binding, from the key table, in as many columns as the height needs. */
export function HelpScreen({width, height}: Props) {
	const lines: Array<{text: string; title: boolean}> = [];
	for (const section of fullHelp()) {
		lines.push({text: section.title, title: true});
		for (const row of section.rows) {
			lines.push({text: `  ${row.keys.padEnd(18)} ${row.help}`, title: false});
		}
	}

	const rows = Math.max(1, height - 1);
	const columns = Math.max(1, Math.ceil(lines.length / rows));
	const columnWidth = Math.max(10, Math.floor(width / columns));
	const groups = [];
	for (let column = 0; column < columns; column++) {
		groups.push(lines.slice(column * rows, (column + 1) * rows));
	}

	return (
		<Box flexDirection='column' width={width} height={height} overflow='hidden'>
			<Text bold wrap='truncate-end'>{'━━ Keys (? or Esc closes) ' + '━'.repeat(Math.max(0, width - 26))}</Text>
			<Box flexDirection='row'>
				{groups.map((group, column) => (
					<Box key={column} flexDirection='column' width={columnWidth} overflow='hidden'>
						{group.map((line, index) => <Text key={index} bold={line.title} wrap='truncate-end'>{line.text}</Text>)}
					</Box>
				))}
			</Box>
		</Box>
	);
}
