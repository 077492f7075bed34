// Small text formatters for the UI panes (byte sizes come from src/ci/go-format.ts, display widths from
// text-width.ts).
import {escapeName} from '../report/escape.js';
import {oneLine} from '../report/format.js';

/** dive's efficiency figure: whole percent, truncated. */
export function percentFloor(ratio: number): string {
	return Number.isFinite(ratio) ? `${Math.trunc(ratio * 100)} %` : 'n/a';
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
