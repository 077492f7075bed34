import {Box, Text} from 'ink';
import {progressLines} from '../progress-text.js';
import type {LoadProgress} from '../run.js';

type Props = {
	/** What is being loaded (already the user's words: escaped here anyway). */
	readonly title: string;
	readonly progress: LoadProgress | undefined;
	/** Entries per second, recent. */
	readonly rate: number;
	/** Shown after loading, while the views are prepared. */
	readonly preparing: boolean;
	readonly width: number;
};

/** The loading screen: phase, bytes, layers and entries/s. q or Ctrl-C cancels. */
export function ProgressView({title, progress, rate, preparing, width}: Props) {
	const lines = progressLines(title, progress, rate, preparing, width);
	return (
		<Box flexDirection='column' width={width}>
			{lines.map((line, index) => (
				<Text key={index} bold={index === 0} dimColor={index === lines.length - 1} wrap='truncate-end'>{line}</Text>
			))}
		</Box>
	);
}
