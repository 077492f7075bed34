// The loading screen as lines of text. Kept apart from the ink component (progress-view.tsx) so that runTui can
// draw the first frame with a plain write before ink and React are even loaded.
import prettyBytes from 'pretty-bytes';
import {escapeName} from '../report/escape.js';
import type {LoadProgress} from './run.js';
import {truncate} from './text-width.js';

const phaseNames: Record<LoadProgress['phase'], string> = {
	pull: 'Pulling',
	export: 'Exporting',
	read: 'Reading',
	analyse: 'Analysing',
};

export const cancelHint = 'q or Ctrl-C cancels';

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

/** Title line, status lines, hint line; each cut to `width` columns by display width. */
export function progressLines(title: string, progress: LoadProgress | undefined, rate: number, preparing: boolean, width: number): string[] {
	const lines = [`layerscope · ${escapeName(title)}`];
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

	lines.push(cancelHint);
	return lines.map(line => truncate(line, width));
}
