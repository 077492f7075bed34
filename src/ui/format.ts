// Small text formatters for the UI panes.
import {escapeName} from '../report/escape.js';

const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/**
 * Bytes as dive shows them (go-humanize `Bytes`: SI units, one decimal below 10, e.g. `1.2 MB`, `13 kB`, `0 B`),
 * so the tree and the detail panes read the same figures as dive.
 */
export function diveBytes(value: number): string {
	if (value < 10) {
		return `${Math.max(0, Math.trunc(value))} B`;
	}

	const exponent = Math.min(Math.floor(Math.log(value) / Math.log(1000)), units.length - 1);
	const scaled = Math.floor((value / (1000 ** exponent) * 10) + 0.5) / 10;
	return `${scaled < 10 ? scaled.toFixed(1) : scaled.toFixed(0)} ${units[exponent]!}`;
}

/** A command for one line: newlines shown as ↵, everything else unsafe escaped. */
export function commandLine(command: string): string {
	return command.split(/\r?\n/).map(part => escapeName(part)).join('↵');
}

/** Cut text into lines of at most `width` characters (code points), for fixed-height panes. */
export function chop(text: string, width: number): string[] {
	const chars = [...text];
	if (width <= 0) {
		return [];
	}

	const lines: string[] = [];
	for (let index = 0; index < chars.length; index += width) {
		lines.push(chars.slice(index, index + width).join(''));
	}

	return lines.length === 0 ? [''] : lines;
}

/** Fit text to exactly `width` columns (code points), cutting with … when too long. */
export function fit(text: string, width: number): string {
	if (width <= 0) {
		return '';
	}

	const chars = [...text];
	if (chars.length <= width) {
		return text + ' '.repeat(width - chars.length);
	}

	return width === 1 ? '…' : `${chars.slice(0, width - 1).join('')}…`;
}

export function padStart(text: string, width: number): string {
	return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

/** dive's efficiency figure: whole percent, truncated. */
export function percentFloor(ratio: number): string {
	return Number.isFinite(ratio) ? `${Math.trunc(ratio * 100)} %` : 'n/a';
}
