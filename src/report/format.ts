// Small formatters shared by the text outputs.
import prettyBytes from 'pretty-bytes';
import type {EntryType, LayerEntry} from '../analysis/types.js';

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
