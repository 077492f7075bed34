// The terminal as both UI entry points (run.ts, compare-run.ts) take it: the alternate screen they draw on, the
// size they lay out for, and where keys come from when stdin carries an image.
import {openSync} from 'node:fs';
import tty from 'node:tty';
import type {Viewport} from './state/types.js';

/** A fresh alternate screen with the cursor home: ink's frames then start at its top left corner (frame-origin.ts). */
export const enterAlternateScreen = '\u001B[?1049h\u001B[H';
export const leaveAlternateScreen = '\u001B[?1049l';

/**
 * The size the UI lays out for: the terminal's columns, and one row less than its rows (a frame that fills the whole
 * screen makes ink clear it on every render). Below the layout's minimum the browsers say the terminal is too small
 * (components/too-small.tsx).
 */
export function terminalViewport(stdout: NodeJS.WriteStream): Viewport {
	return {width: stdout.columns || 80, height: Math.max(1, (stdout.rows || 24) - 1)};
}

/** The controlling terminal for keys when stdin carries the image; undefined when there is none. */
export function keyboard(): tty.ReadStream | undefined {
	try {
		return new tty.ReadStream(openSync('/dev/tty', 'r'));
	} catch {
		return undefined;
	}
}
