import {Box, Text} from 'ink';
import prettyBytes from 'pretty-bytes';
import {escapeName, terminalSafe} from '../../report/escape.js';
import type {ViewerState} from '../state/viewer.js';
import {displayWidth, truncate, wrap} from '../text-width.js';

type Props = {
	readonly viewer: ViewerState;
	readonly width: number;
	readonly height: number;
	/** Colours allowed (false under NO_COLOR). */
	readonly colors: boolean;
};

const fit = truncate;

/** A file's contents: numbered text lines or a hex dump, a window at a time; `/` searches, q or Esc closes. */
export function FileViewer({viewer, width, height, colors}: Props) {
	const contentHeight = Math.max(1, height - 3);
	const size = viewer.window === undefined ? '' : ` ${prettyBytes(viewer.window.totalBytes)}`;
	// A removed file is shown as an earlier layer had it: the title says whose copy it is.
	const from = viewer.window?.shownFrom;
	const where = from === undefined ? `layer ${viewer.layer}` : `layer ${from.layer}'s copy, removed by ${from.removedAt}`;
	const title = fit(`━━ ${escapeName(viewer.path)} (${where})${size} `, width);
	const lines: Array<{text: string; match: boolean}> = [];
	if (viewer.status === 'ready') {
		const last = viewer.firstNumber + viewer.rows.length;
		const gutter = viewer.binary ? 0 : String(last).length;
		for (let index = viewer.top; index < Math.min(viewer.rows.length, viewer.top + contentHeight); index++) {
			const row = viewer.rows[index]!;
			const text = viewer.binary ? row : `${String(viewer.firstNumber + index).padStart(gutter)} │ ${row}`;
			lines.push({text: fit(text, width), match: viewer.search.match === index});
		}
	} else if (viewer.status === 'error') {
		// Why the file cannot be shown, whole (a dangling symlink's target…), wrapped. Messages and notes come
		// with the image's names escaped already: terminalSafe guards without doubling their backslashes.
		for (const text of wrap(terminalSafe(viewer.message), width, {words: true}).slice(0, contentHeight)) {
			lines.push({text, match: false});
		}
	}

	const {window} = viewer;
	const shown = window !== undefined && window.bytes.length < window.totalBytes
		? ` bytes ${window.offset}–${window.offset + window.bytes.length} of ${window.totalBytes}`
		: '';
	let status: string;
	if (viewer.search.editing) {
		status = `/${escapeName(viewer.search.query)}`;
	} else if (viewer.status === 'loading') {
		status = 'reading…';
	} else if (viewer.status === 'error') {
		status = 'cannot be shown (q or Esc closes)';
	} else {
		const position = viewer.rows.length === 0 ? 'empty' : `${viewer.top + 1}–${Math.min(viewer.rows.length, viewer.top + contentHeight)} of ${viewer.rows.length}`;
		status = `${position}${shown}${viewer.search.failed ? `  not found: ${escapeName(viewer.search.query)}` : ''}`;
	}

	return (
		<Box flexDirection='column' width={width} height={height} overflow='hidden'>
			<Text bold wrap='truncate-end'>{title + '━'.repeat(Math.max(0, width - displayWidth(title)))}</Text>
			<Text wrap='truncate-end' color={colors && viewer.status === 'error' ? 'red' : undefined}>{fit(viewer.message === '' || viewer.status === 'error' ? ' ' : terminalSafe(viewer.message), width)}</Text>
			<Box flexDirection='column' height={contentHeight} overflow='hidden'>
				{lines.map((line, index) => <Text key={index} wrap='truncate-end' inverse={line.match} color={colors && viewer.status === 'error' ? 'red' : undefined}>{line.text === '' ? ' ' : line.text}</Text>)}
			</Box>
			<Text wrap='truncate-end' dimColor={colors}>{fit(status, width)}</Text>
		</Box>
	);
}
