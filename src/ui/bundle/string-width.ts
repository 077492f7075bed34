// string-width with a cache of the widths it measured: what `string-width` resolves to in the bundle (scripts/
// build.mjs), for ink's modules as for ours. ink measures every text node's lines on every frame (renderNodeToOutput
// → widest-line), and a key changes a few lines of a frame: the rest are measured again for nothing. Widths of
// strings without options only; the cache is emptied when it reaches `limit` strings (bounded memory).
import stringWidth, {type Options} from 'string-width';

/** Strings kept (each at most a terminal line, so a few MB at most). */
const limit = 20_000;
const widths = new Map<string, number>();

/** `stringWidth(text, options)`, from the cache when there are no options. */
export default function cachedStringWidth(text: string, options?: Options): number {
	if (options !== undefined) {
		return stringWidth(text, options);
	}

	let width = widths.get(text);
	if (width === undefined) {
		width = stringWidth(text);
		if (widths.size >= limit) {
			widths.clear();
		}

		widths.set(text, width);
	}

	return width;
}

export type {Options} from 'string-width';
