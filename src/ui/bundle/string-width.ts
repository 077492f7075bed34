// string-width with a cache of the widths it measured: what `string-width` resolves to in the bundle (scripts/
// build.mjs), for ink's modules as for ours. ink measures every text node's lines on every frame (renderNodeToOutput
// → widest-line), and a key changes a few lines of a frame: the rest are measured again for nothing. Widths of
// strings without options only; an LRU of 20,000 strings (lru-cache; each at most a terminal line: a few MB).
import {LRUCache} from 'lru-cache';
import stringWidth, {type Options} from 'string-width';

const widths = new LRUCache<string, number>({max: 20_000, memoMethod: text => stringWidth(text)});

/** `stringWidth(text, options)`, from the cache when there are no options. */
export default function cachedStringWidth(text: string, options?: Options): number {
	if (options !== undefined) {
		return stringWidth(text, options);
	}

	return widths.memo(text);
}

export type {Options} from 'string-width';
