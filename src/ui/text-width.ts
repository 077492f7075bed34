// Display width: how many terminal columns text takes, measured as ink measures it (string-width: East Asian wide
// and fullwidth characters and emoji take 2 columns, combining marks and zero-width joiners 0), and cut only
// between graphemes (Intl.Segmenter), so a ZWJ emoji sequence or a letter with its combining accent is never
// split. Every cut, pad and wrap in the UI goes through here; `.length` counts UTF-16 units, not columns.
import stringWidth from 'string-width';

const segmenter = new Intl.Segmenter('en', {granularity: 'grapheme'});
/**
 * Text whose every UTF-16 unit is one column and a grapheme of its own: printable ASCII, Latin-1's printable
 * letters and signs (not the soft hyphen, 0 columns), dashes, quotes and `…` (U+2010-2027), arrows (`→`, `↵`), `⊕`,
 * box drawing and block elements, geometric shapes (`●`, `○`; not the two wide ones, U+25FD-25FE) — string-width
 * gives each 1 and none joins its neighbour (test/ui/text-width.test.ts checks every one). The fast path for most
 * names, every figure and every tree row (its `├──` glyphs): no segmenter, no lookup.
 */
const oneColumnEach = /^[\u0020-\u007E\u00A0-\u00AC\u00AE-\u00FF\u2010-\u2027\u2190-\u21FF\u2295\u2500-\u25FC\u25FF]*$/;
/** The characters of `oneColumnEach`, for its test. */
export const oneColumnRanges: ReadonlyArray<readonly [number, number]> = [[0x20, 0x7E], [0xA0, 0xAC], [0xAE, 0xFF], [0x20_10, 0x20_27], [0x21_90, 0x21_FF], [0x22_95, 0x22_95], [0x25_00, 0x25_FC], [0x25_FF, 0x25_FF]];

/** Terminal columns of `text` (no escape sequences expected: text is escaped before it is measured). */
export function displayWidth(text: string): number {
	return oneColumnEach.test(text) ? text.length : stringWidth(text);
}

/** The graphemes of `text` with their widths in columns. */
export function graphemes(text: string): Array<{text: string; width: number}> {
	if (oneColumnEach.test(text)) {
		return [...text].map(char => ({text: char, width: 1}));
	}

	const out: Array<{text: string; width: number}> = [];
	for (const {segment} of segmenter.segment(text)) {
		out.push({text: segment, width: stringWidth(segment)});
	}

	return out;
}

/** `text` cut to at most `width` columns, ending with `…` (which counts) when something was cut. */
export function truncate(text: string, width: number): string {
	if (width <= 0) {
		return '';
	}

	if (oneColumnEach.test(text)) {
		return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
	}

	if (stringWidth(text) <= width) {
		return text;
	}

	let out = '';
	let used = 0;
	for (const {segment} of segmenter.segment(text)) {
		const columns = stringWidth(segment);
		if (used + columns > width - 1) {
			break;
		}

		out += segment;
		used += columns;
	}

	return `${out}…`;
}

/**
 * `text` cut in the middle to at most `width` columns, one `…` where the cut is: a message keeps how it starts (what
 * happened) and how it ends (the figures, the hint). Whole when it fits.
 */
export function truncateMiddle(text: string, width: number): string {
	if (displayWidth(text) <= width) {
		return text;
	}

	if (width < 3) {
		return truncate(text, width);
	}

	const head = truncate(text, Math.ceil(width / 2));
	const tail = truncateStart(text, width - displayWidth(head) + 1).slice(1);
	return head + tail;
}

/** `text` cut from the start to at most `width` columns, beginning with `…` when cut: a path keeps its file name. */
export function truncateStart(text: string, width: number): string {
	if (width <= 0) {
		return '';
	}

	if (displayWidth(text) <= width) {
		return text;
	}

	const parts = graphemes(text);
	let out = '';
	let used = 0;
	for (let index = parts.length - 1; index >= 0; index--) {
		const part = parts[index]!;
		if (used + part.width > width - 1) {
			break;
		}

		out = part.text + out;
		used += part.width;
	}

	return `…${out}`;
}

/** `text` in exactly `width` columns: cut with `…` when too wide, padded with spaces when narrower. */
export function fit(text: string, width: number): string {
	const cut = truncate(text, width);
	const rest = width - displayWidth(cut);
	return rest > 0 ? cut + ' '.repeat(rest) : cut;
}

/** Pad on the left to `width` columns (never cuts). */
export function padStartWidth(text: string, width: number): string {
	const rest = width - displayWidth(text);
	return rest > 0 ? ' '.repeat(rest) + text : text;
}

/**
 * Wrap `text` into lines of at most `width` columns, by grapheme. With `words`, a line breaks after the last space
 * that leaves it at least half full; a word longer than a line is broken where the line ends. Lines after the
 * first start with `indent` (counted in the width). Nothing is dropped: the lines joined (without the breaks'
 * indents) give back `text`, spaces included.
 */
export function wrap(text: string, width: number, options: {words?: boolean; indent?: string} = {}): string[] {
	if (width <= 0) {
		return [];
	}

	const indent = options.indent ?? '';
	const indentWidth = displayWidth(indent) < width ? displayWidth(indent) : 0;
	const parts = graphemes(text);
	const lines: string[] = [];
	let start = 0;
	while (start < parts.length) {
		const room = lines.length === 0 ? width : width - indentWidth;
		let used = 0;
		let end = start;
		while (end < parts.length && used + parts[end]!.width <= room) {
			used += parts[end]!.width;
			end++;
		}

		if (end === start) {
			// A grapheme wider than the whole line (a 2-column character in 1 column): it goes alone.
			end = start + 1;
		} else if (options.words && end < parts.length) {
			let space = end;
			while (space > start && parts[space - 1]!.text !== ' ') {
				space--;
			}

			let kept = 0;
			for (let index = start; index < space; index++) {
				kept += parts[index]!.width;
			}

			if (space > start && kept * 2 >= room) {
				end = space;
			}
		}

		const line = parts.slice(start, end).map(part => part.text).join('');
		lines.push(lines.length === 0 || indentWidth === 0 ? line : indent + line);
		start = end;
	}

	return lines.length === 0 ? [''] : lines;
}
