// @alcalzone/ansi-tokenize with its two per-line steps cached: what ink's output.js gets in the bundle (scripts/
// build.mjs). ink builds every frame from scratch and tokenises each of its lines into styled characters again
// (its own cache lives for one frame); a key changes a few lines, so most come from here. The results are shared
// between frames: ink only reads them (output.js places the same objects in its grid; styledCharsToString reads
// them). Bounded: an LRU of `limit` lines (lru-cache).
import {type StyledChar, type Token, styledCharsFromTokens as fromTokens, tokenize as tokenizeLine} from '@alcalzone/ansi-tokenize';
import {LRUCache} from 'lru-cache';

export * from '@alcalzone/ansi-tokenize';

const tokens = new LRUCache<string, Token[]>({max: 5000, memoMethod: text => tokenizeLine(text)});
const styled = new WeakMap<Token[], StyledChar[]>();

/** `tokenize(text, endChar)`; the same array for the same line (without endChar). */
export function tokenize(text: string, endChar?: number): Token[] {
	if (endChar !== undefined) {
		return tokenizeLine(text, endChar);
	}

	return tokens.memo(text);
}

/** `styledCharsFromTokens(list)`; the same array for the same token array. */
export function styledCharsFromTokens(list: Token[]): StyledChar[] {
	let result = styled.get(list);
	if (result === undefined) {
		result = fromTokens(list);
		styled.set(list, result);
	}

	return result;
}
