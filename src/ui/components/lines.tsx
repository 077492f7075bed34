import chalk from 'chalk';
import {Transform} from 'ink';
import {useRef} from 'react';
import type {ChangeKind} from '../../analysis/types.js';
import {truncate} from '../text-width.js';

/** One line of a pane and how it is drawn (as ink's <Text> props would draw it). */
export type PaneLine = {
	/** The text (already escaped); cut at the pane's edge by display width, with `…`. */
	readonly text: string;
	/** Colour by change kind (added green, modified yellow, removed red), when colours are allowed. */
	readonly kind?: ChangeKind;
	/** Reverse video. */
	readonly selected?: boolean;
	/** Dim, when colours are allowed. */
	readonly dim?: boolean;
	/** Bold (a focused pane's title). */
	readonly bold?: boolean;
};

type Props = {
	readonly lines: readonly PaneLine[];
	/** Columns the lines may take. */
	readonly width: number;
	/** Colours allowed (false under NO_COLOR). */
	readonly colors: boolean;
};

const kindColor: Partial<Record<ChangeKind, 'green' | 'yellow' | 'red'>> = {added: 'green', modified: 'yellow', removed: 'red'};

/**
 * A line's text with its styles, applied as ink's <Text> applies its props (dim, colour, bold, inverse, in that
 * order: node_modules/ink/build/components/Text.js), so a frame is the same byte for byte either way.
 */
export function styledLine(text: string, line: PaneLine, colors: boolean): string {
	let styled = text;
	if (colors && line.dim === true) {
		styled = chalk.dim(styled);
	}

	const color = colors && line.kind !== undefined ? kindColor[line.kind] : undefined;
	if (color !== undefined) {
		styled = chalk[color](styled);
	}

	if (line.bold === true) {
		styled = chalk.bold(styled);
	}

	if (line.selected === true) {
		styled = chalk.inverse(styled);
	}

	return styled;
}

/**
 * Lines of a pane as ONE text node: ink lays out, draws and measures every node of the tree on every frame, so a
 * pane of 38 rows as 38 <Text> nodes cost about 38 times one node's work on each key, though only two rows changed.
 * The text stays plain (nothing for ink to sanitise or re-measure as escape sequences); each line's style is put on
 * as ink writes that line (a transform by line index), from strings built when the line changes. Every line is cut
 * to `width` here, so ink never wraps: a frame is the same as with a <Text wrap='truncate-end'> a line
 * (test/ui/lines.test.tsx).
 */
export function Lines({lines, width, colors}: Props) {
	// The last render's lines, cut and styled: most lines of a pane are the same as at the last key (a cursor move
	// changes two), and they are taken from here instead of being cut and styled again.
	const last = useRef<{lines: readonly PaneLine[]; plain: readonly string[]; styled: readonly string[]; width: number; colors: boolean}>(undefined);
	if (lines.length === 0) {
		return null;
	}

	const before = last.current !== undefined && last.current.width === width && last.current.colors === colors ? last.current : undefined;
	const plain: string[] = [];
	const styled: string[] = [];
	for (const [index, line] of lines.entries()) {
		const previous = before?.lines[index];
		if (previous !== undefined && previous.text === line.text && previous.kind === line.kind && previous.selected === line.selected && previous.dim === line.dim && previous.bold === line.bold) {
			plain.push(before!.plain[index]!);
			styled.push(before!.styled[index]!);
			continue;
		}

		const text = line.text === '' ? ' ' : truncate(line.text, width);
		plain.push(text);
		styled.push(styledLine(text, line, colors));
	}

	last.current = {lines, plain, styled, width, colors};
	return <Transform transform={(line, index) => (line === plain[index] ? styled[index]! : line)}>{plain.join('\n')}</Transform>;
}
