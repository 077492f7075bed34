// Small formatters shared by the text outputs.
import prettyBytes from 'pretty-bytes';
import type {EntryType, LayerEntry} from '../analysis/types.js';
import {escapeName} from './escape.js';

const typeChars: Record<EntryType, string> = {file: '-', hardlink: '-', dir: 'd', symlink: 'l', char: 'c', block: 'b', fifo: 'p'};

/** `drwxr-xr-x` style, with setuid/setgid/sticky as s/S, t/T. */
export function modeString(entry: Pick<LayerEntry, 'type' | 'mode'>): string {
	const {mode} = entry;
	const triplet = (shift: number, special: number, char: string): string => {
		const bits = (mode >> shift) & 7;
		const execute = (bits & 1) !== 0;
		const x = (mode & special) === 0 ? (execute ? 'x' : '-') : (execute ? char : char.toUpperCase());
		return `${(bits & 4) === 0 ? '-' : 'r'}${(bits & 2) === 0 ? '-' : 'w'}${x}`;
	};

	return typeChars[entry.type] + triplet(6, 0o4000, 's') + triplet(3, 0o2000, 's') + triplet(0, 0o1000, 't');
}

export function bytes(value: number): string {
	return prettyBytes(value);
}

export function percent(ratio: number, digits = 2): string {
	return Number.isNaN(ratio) ? 'n/a' : `${(ratio * 100).toFixed(digits)} %`;
}

/** First line of a command, other lines marked with ↵. */
export function oneLine(text: string): string {
	return text.replaceAll(/\r?\n/g, '↵');
}

export function padEnd(text: string, width: number): string {
	return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function padStart(text: string, width: number): string {
	return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

/** The widest of `texts` (at least `minimum`): a loop, since spreading 100k+ values into Math.max overflows the stack. */
export function columnWidth(texts: Iterable<string>, minimum = 0): number {
	let width = minimum;
	for (const text of texts) {
		if (text.length > width) {
			width = text.length;
		}
	}

	return width;
}

/**
 * A layer command as safe one-line terminal text, with as few escapes as possible: newlines become `↵` (as in
 * the layers list), control and bidi characters become `\xNN` / `\u{NNNN}` (src/report/escape.ts), and a
 * backslash stays single — `printf 'a\nb'` reads as typed — except where it could be taken for one of those
 * escapes: a run of backslashes before `x`, `u` or an escaped character is doubled. So `\x1b` typed in the
 * command shows as `\\x1b` and an ESC byte as `\x1b`, and the original can always be read back.
 */
export function escapeCommand(command: string): string {
	const text = oneLine(command);
	if (!text.includes('\\')) {
		return escapeName(text);
	}

	const parts = text.split(/(\\+)/);
	let out = '';
	for (const [index, part] of parts.entries()) {
		if (index % 2 === 0) {
			out += escapeName(part);
			continue;
		}

		const next = parts[index + 1]?.codePointAt(0);
		const nextChar = next === undefined ? undefined : String.fromCodePoint(next);
		const ambiguous = nextChar !== undefined && (nextChar === 'x' || nextChar === 'u' || escapeName(nextChar) !== nextChar);
		out += ambiguous ? part + part : part;
	}

	return out;
}
