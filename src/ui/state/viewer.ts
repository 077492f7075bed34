// The file viewer's state: a window of one file's bytes (never the whole of a large file), shown as numbered
// text lines or as a hex dump, with a scroll position and a search. Pure: the reducer is tested without ink.
import {escapeContentText, hexDumpLine, looksBinary} from '../../report/content-text.js';
import {decodeBytes} from '../../archive/names.js';

/** Bytes of a file the viewer holds at once; a larger file is shown window by window. */
export const viewerWindowBytes = 4 * 1024 * 1024;

/** One window of a file, as the loader reads it. */
export type FileWindow = {
	/** Byte offset of `bytes` in the file. */
	readonly offset: number;
	readonly bytes: Uint8Array;
	/** Size of the whole file in bytes. */
	readonly totalBytes: number;
	/** Newlines in the file before `offset` (for line numbers). */
	readonly linesBefore: number;
	/** Note to show above the content (e.g. "removed at layer 3; shown as layer 2 had it"). */
	readonly note?: string;
	/** A removed file: the layer whose copy is shown, and the layer that removed it (for the title). */
	readonly shownFrom?: {readonly layer: number; readonly removedAt: number};
};

/**
 * Reads a window of a file of the image: `path` as seen at `layer`, starting at byte `offset`, at most
 * `maxBytes`. Rejects with a one-line message (a directory, a device, no such file).
 */
export type FileReader = (path: string, layer: number, offset: number, maxBytes: number, signal?: AbortSignal) => Promise<FileWindow>;

export type ViewerState = {
	/** Absolute path in the image. */
	readonly path: string;
	readonly layer: number;
	readonly status: 'loading' | 'ready' | 'error';
	readonly message: string;
	readonly window: FileWindow | undefined;
	readonly binary: boolean;
	/** The rows to show (escaped text lines, or hex dump lines). */
	readonly rows: readonly string[];
	/** Line number of rows[0] (1-based) for text; byte offset for hex. */
	readonly firstNumber: number;
	/** Index of the first visible row. */
	readonly top: number;
	/** Rows that fit on screen (set by the view). */
	readonly height: number;
	readonly search: {readonly editing: boolean; readonly query: string; readonly match: number | undefined; readonly failed: boolean};
};

export type ViewerAction =
	| {type: 'viewer.loaded'; window: FileWindow}
	| {type: 'viewer.failed'; message: string}
	| {type: 'viewer.resize'; height: number}
	| {type: 'viewer.scroll'; delta: number}
	| {type: 'viewer.page'; direction: 1 | -1}
	| {type: 'viewer.home'}
	| {type: 'viewer.end'}
	| {type: 'viewer.search.start'}
	| {type: 'viewer.search.input'; text: string}
	| {type: 'viewer.search.backspace'}
	| {type: 'viewer.search.cancel'}
	| {type: 'viewer.search.submit'}
	| {type: 'viewer.search.next'; direction: 1 | -1};

export function openViewer(path: string, layer: number, height = 10): ViewerState {
	return {
		path,
		layer,
		status: 'loading',
		message: '',
		window: undefined,
		binary: false,
		rows: [],
		firstNumber: 1,
		top: 0,
		height,
		search: {editing: false, query: '', match: undefined, failed: false},
	};
}

/** Tabs as spaces to the next multiple of 8, so columns line up whatever the terminal's tab stops. */
function expandTabs(line: string): string {
	if (!line.includes('\t')) {
		return line;
	}

	let out = '';
	for (const char of line) {
		out += char === '\t' ? ' '.repeat(8 - (out.length % 8)) : char;
	}

	return out;
}

/** A window's rows: text lines (escaped, tabs expanded) or hex dump lines. */
export function windowRows(window: FileWindow): {binary: boolean; rows: string[]; firstNumber: number} {
	const {bytes, offset} = window;
	if (offset === 0 ? looksBinary(bytes) : false) {
		const rows: string[] = [];
		for (let start = 0; start < bytes.length; start += 16) {
			rows.push(hexDumpLine(offset + start, bytes.subarray(start, start + 16)));
		}

		return {binary: true, rows, firstNumber: offset};
	}

	const text = decodeBytes(bytes);
	const lines = text.split('\n');
	if (lines.length > 1 && lines.at(-1) === '') {
		lines.pop();
	}

	return {binary: false, rows: lines.map(line => expandTabs(escapeContentText(line))), firstNumber: window.linesBefore + 1};
}

function clampTop(state: ViewerState, top: number): number {
	const last = Math.max(0, state.rows.length - state.height);
	return Math.min(Math.max(0, top), last);
}

function find(rows: readonly string[], query: string, from: number, direction: 1 | -1): number | undefined {
	if (query === '' || rows.length === 0) {
		return undefined;
	}

	const needle = query.toLowerCase();
	for (let step = 0; step < rows.length; step++) {
		const index = (((from + (direction * step)) % rows.length) + rows.length) % rows.length;
		if (rows[index]!.toLowerCase().includes(needle)) {
			return index;
		}
	}

	return undefined;
}

function jumpTo(state: ViewerState, match: number | undefined): ViewerState {
	const search = {...state.search, editing: false, match, failed: match === undefined};
	if (match === undefined) {
		return {...state, search};
	}

	const visible = match >= state.top && match < state.top + state.height;
	return {...state, search, top: visible ? state.top : clampTop(state, match - Math.floor(state.height / 3))};
}

export function viewerReducer(state: ViewerState, action: ViewerAction): ViewerState {
	switch (action.type) {
		case 'viewer.loaded': {
			const {binary, rows, firstNumber} = windowRows(action.window);
			return {...state, status: 'ready', window: action.window, binary, rows, firstNumber, top: 0, message: action.window.note ?? ''};
		}

		case 'viewer.failed': {
			return {...state, status: 'error', message: action.message};
		}

		case 'viewer.resize': {
			const next = {...state, height: Math.max(1, action.height)};
			return {...next, top: clampTop(next, next.top)};
		}

		case 'viewer.scroll': {
			return {...state, top: clampTop(state, state.top + action.delta)};
		}

		case 'viewer.page': {
			return {...state, top: clampTop(state, state.top + (action.direction * Math.max(1, state.height - 1)))};
		}

		case 'viewer.home': {
			return {...state, top: 0};
		}

		case 'viewer.end': {
			return {...state, top: clampTop(state, state.rows.length)};
		}

		case 'viewer.search.start': {
			return {...state, search: {...state.search, editing: true, query: '', failed: false}};
		}

		case 'viewer.search.input': {
			return {...state, search: {...state.search, query: state.search.query + action.text, failed: false}};
		}

		case 'viewer.search.backspace': {
			return {...state, search: {...state.search, query: [...state.search.query].slice(0, -1).join('')}};
		}

		case 'viewer.search.cancel': {
			return {...state, search: {...state.search, editing: false}};
		}

		case 'viewer.search.submit': {
			return jumpTo(state, find(state.rows, state.search.query, state.top, 1));
		}

		case 'viewer.search.next': {
			const from = (state.search.match ?? state.top) + action.direction;
			return jumpTo(state, find(state.rows, state.search.query, from, action.direction));
		}
	}
}
