// ink's log-update (node_modules/ink/build/log-update.js: writes each frame over the last), as the bundle uses it
// (scripts/build.mjs resolves ink's `./log-update.js` here), with one difference: on a stream whose frames start at
// the top left corner of the screen (src/ui/frame-origin.ts: the alternate screen), a frame the same size as the
// last is written as the lines that changed, each at its row (CSI row;1 H, the line, erase to its end), and the
// cursor left where ink's whole write leaves it. ink rewrites every line of every frame (~4 kB at 100×40; the write
// was ~0.4 ms of a key's CPU, and the terminal parses all of it); a cursor move changes two lines. ink's own
// incremental mode moves the cursor relative to where it assumes it is, and draws rows shifted and twice (ink 6.8;
// see renderOptions in src/ui/run.ts). Anything else — the first frame, a new terminal size, a frame without its
// trailing newline, a cursor ink places — goes to ink's log-update as before, which also keeps the state (the last
// frame, its line count) that its clear, sync and done read.
import type {Writable} from 'node:stream';
import stringWidth from 'string-width';
// ink's package exports only its index: its log-update is imported by file.
import inkLogUpdate, {type LogUpdate} from '../../../node_modules/ink/build/log-update.js';
import {framesAtHome} from '../frame-origin.js';

type Options = {showCursor?: boolean; incremental?: boolean};

const csi = '\u001B[';

/** `next`'s lines that differ from `previous`'s, each written at its row; the rows `previous` had beyond `next` erased. */
export function changedLines(previous: readonly string[], next: readonly string[]): string {
	let out = '';
	for (let index = 0; index < Math.max(previous.length, next.length); index++) {
		if ((next[index] ?? '') !== (previous[index] ?? '')) {
			out += `${csi}${index + 1};1H${next[index] ?? ''}${csi}K`;
		}
	}

	// Where ink's write of the frame leaves the cursor: the start of the line after its last (`next` ends with '').
	return `${out}${csi}${next.length};1H`;
}

/**
 * The frame as the screen holds it after a whole write, or undefined when the screen holds something else: a line
 * wider than the terminal wrapped onto the next row (ink redraws its last frame, still laid out for the old width,
 * when the terminal gets narrower), so rows no longer match lines, and the next frame must be written whole too.
 */
function asShown(text: string, columns: number | undefined, size: string): {lines: readonly string[]; size: string} | undefined {
	const lines = text.split('\n');
	return columns === undefined || lines.every(line => stringWidth(line) <= columns) ? {lines, size} : undefined;
}

function create(stream: Writable, options: Options = {}): LogUpdate {
	const log = inkLogUpdate.create(stream, options);
	if (options.incremental === true) {
		return log;
	}

	const terminal = stream as Partial<NodeJS.WriteStream>;
	const sizeOf = (): string => `${terminal.columns ?? 0}x${terminal.rows ?? 0}`;
	// The frame on the screen as lines, and the terminal size it was drawn at (undefined: unknown, write whole).
	let shown: {lines: readonly string[]; size: string} | undefined;
	const render = (text: string): boolean => {
		const size = sizeOf();
		if (!framesAtHome.has(stream) || shown === undefined || shown.size !== size || !text.endsWith('\n') || log.isCursorDirty()) {
			const written = log(text);
			shown = asShown(text, terminal.columns, size);
			return written;
		}

		if (!log.willRender(text)) {
			return false;
		}

		const lines = text.split('\n');
		stream.write(changedLines(shown.lines, lines));
		// ink's log-update now holds this frame as written (what its clear, sync and done start from).
		log.sync(text);
		shown = {lines, size};
		return true;
	};

	return Object.assign(render, {
		clear() {
			shown = undefined;
			log.clear();
		},
		done() {
			shown = undefined;
			log.done();
		},
		sync(text: string) {
			shown = asShown(text, terminal.columns, sizeOf());
			log.sync(text);
		},
		setCursorPosition: log.setCursorPosition,
		isCursorDirty: log.isCursorDirty,
		willRender: log.willRender,
	});
}

const logUpdate = {create};
export default logUpdate;
