import {displayWidth, truncate} from './text-width.js';

const list = (value: string | readonly string[] | undefined): readonly string[] => (value === undefined ? [] : typeof value === 'string' ? [value] : value).filter(text => text !== '');

/**
 * A pane's title line, `━━ Layers ━━━━━━━ 1-6 of 14 ━`: `title` is the title or its forms longest first, `extra` the
 * text at the right end (a range such as `1-6 of 14`) or its forms, most telling first. The extra's most telling
 * form with the longest title that fits beside it; when no pair fits, the longest title alone, cut with `…` if need
 * be. Never wider than `width`. A focused pane's is drawn with ━ instead of ─ (and bold, by its pane), so it shows
 * without colour too.
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
