import {Text} from 'ink';
import {displayWidth, truncate} from '../text-width.js';

type Props = {
	/** Pane title, or titles longest first: the longest that leaves room for the extra is drawn. */
	readonly title: string | readonly string[];
	/** Text at the right end of the title line (a range such as `1-6 of 14`), or forms of it, most telling first. */
	readonly extra?: string | readonly string[];
	/** Width of the pane. */
	readonly width: number;
	/** The pane has the keys: drawn with ━ (and bold) instead of ─, so it shows without colour too. */
	readonly focused: boolean;
};

const list = (value: string | readonly string[] | undefined): readonly string[] => (value === undefined ? [] : typeof value === 'string' ? [value] : value).filter(text => text !== '');

/**
 * The title line's text: the extra's most telling form with the longest title that fits beside it; when no pair
 * fits, the longest title alone, cut with `…` if need be. Never wider than `width`.
 */
export function paneTitleText(title: string | readonly string[], extra: string | readonly string[] | undefined, width: number, focused: boolean): string {
	const rule = focused ? '━' : '─';
	const titles = list(title);
	const line = (name: string, tail: string): string => {
		const head = `${rule}${rule} ${name} `;
		return head + rule.repeat(Math.max(0, width - displayWidth(head) - displayWidth(tail))) + tail;
	};

	for (const form of list(extra)) {
		const tail = ` ${form} ${rule}`;
		const name = titles.find(candidate => displayWidth(`${rule}${rule} ${candidate} `) + displayWidth(tail) <= width);
		if (name !== undefined) {
			return line(name, tail);
		}
	}

	return truncate(line(titles[0] ?? '', ''), width);
}

/** A pane's title line: `━━ Layers ━━━━━━━`, never wider than the pane (see paneTitleText). */
export function PaneTitle({title, extra, width, focused}: Props) {
	return (
		<Text bold={focused} wrap='truncate-end'>
			{paneTitleText(title, extra, width, focused)}
		</Text>
	);
}
