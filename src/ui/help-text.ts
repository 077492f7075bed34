// The full key help as one scrollable list of lines for a width: section titles, then each binding's keys and
// what it does, the description wrapped under itself (or under the keys when the terminal is too narrow for two
// columns). Generated from the key table (keymap.ts), so it cannot disagree with the keys.
import {fullHelp, type HelpKind} from './keymap.js';
import {displayWidth, wrap} from './text-width.js';

export type HelpLine = {
	readonly text: string;
	/** A section title (drawn bold). */
	readonly title: boolean;
};

const cache = new Map<string, HelpLine[]>();

/** Every line of the full help (of `kind`'s screen) for a screen `width` columns wide; each fits in `width` by display width. */
export function helpLines(width: number, kind: HelpKind = 'browser'): HelpLine[] {
	const key = `${kind} ${width}`;
	let lines = cache.get(key);
	if (lines !== undefined) {
		return lines;
	}

	lines = [];
	const sections = fullHelp(kind);
	let keysWidth = 0;
	for (const section of sections) {
		for (const row of section.rows) {
			keysWidth = Math.max(keysWidth, displayWidth(row.keys));
		}
	}

	keysWidth = Math.min(keysWidth, 18);
	// Two columns when the descriptions keep at least 20 columns; else each description goes under its keys.
	const columns = width - 2 - keysWidth - 2 >= 20;
	for (const [index, section] of sections.entries()) {
		if (index > 0) {
			lines.push({text: '', title: false});
		}

		lines.push(...wrap(section.title, width).map(text => ({text, title: true})));
		for (const row of section.rows) {
			if (columns && displayWidth(row.keys) <= keysWidth) {
				const indent = ' '.repeat(2 + keysWidth + 2);
				const head = `  ${row.keys}${' '.repeat(keysWidth - displayWidth(row.keys))}  `;
				const body = wrap(row.help, width - indent.length, {words: true});
				lines.push(...body.map((text, at) => ({text: (at === 0 ? head : indent) + text, title: false})));
			} else {
				lines.push(
					...wrap(`  ${row.keys}`, width, {indent: '  '}).map(text => ({text, title: false})),
					...wrap(row.help, Math.max(1, width - 4), {words: true}).map(text => ({text: `    ${text}`, title: false})),
				);
			}
		}
	}

	cache.set(key, lines);
	return lines;
}
