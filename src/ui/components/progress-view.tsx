import {Box, Text} from 'ink';
import prettyBytes from 'pretty-bytes';
import {escapeName} from '../../report/escape.js';
import type {LoadProgress} from '../run.js';
import {truncate} from '../text-width.js';

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

const phaseNames: Record<LoadProgress['phase'], string> = {
	pull: 'Pulling',
	export: 'Exporting',
	read: 'Reading',
	analyse: 'Analysing',
};

/**
 * The headline of the loading screen: the message when it names its own verb ("exporting app:1 from Docker" →
 * "Exporting app:1 from Docker"), else the phase's name before it, so a verb is never said twice.
 */
export function progressHeadline(phase: LoadProgress['phase'], message: string): string {
	const stem = phaseNames[phase].toLowerCase().replace(/ing$/, '').replace(/s$/, '');
	if (message.toLowerCase().startsWith(stem)) {
		return `${message.charAt(0).toUpperCase()}${message.slice(1)}`;
	}

	return message === '' ? phaseNames[phase] : `${phaseNames[phase]}  ${message}`;
}

/** The loading screen: phase, bytes, layers and entries/s. q or Ctrl-C cancels. */
export function ProgressView({title, progress, rate, preparing, width}: Props) {
	const lines: string[] = [];
	if (preparing) {
		lines.push('Preparing the views…');
	} else if (progress === undefined) {
		lines.push('Starting…');
	} else {
		const total = progress.totalBytes === undefined || progress.totalBytes <= 0 ? '' : ` of ${prettyBytes(progress.totalBytes)} (${Math.min(100, Math.floor(progress.bytes / progress.totalBytes * 100))} %)`;
		lines.push(
			progressHeadline(progress.phase, escapeName(progress.message)),
			`Bytes    ${prettyBytes(progress.bytes)}${total}`,
			`Layers   ${progress.layersDone}${progress.layersTotal === undefined ? '' : ` of ${progress.layersTotal}`}`,
			`Entries  ${progress.entries.toLocaleString('en-US')} (${Math.round(rate).toLocaleString('en-US')}/s)`,
		);
	}

	return (
		<Box flexDirection='column' width={width}>
			<Text bold wrap='truncate-end'>{truncate(`layerscope · ${escapeName(title)}`, width)}</Text>
			{lines.map((line, index) => <Text key={index} wrap='truncate-end'>{truncate(line, width)}</Text>)}
			<Text dimColor wrap='truncate-end'>{truncate('q or Ctrl-C cancels', width)}</Text>
		</Box>
	);
}
