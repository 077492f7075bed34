// `ignorePaths` globs (dive #347): paths left out of wasted-space accounting.
//
// A pattern is an absolute path ("/" is added in front when missing) in which `*` matches within one path segment,
// `?` matches one character other than "/", and `**` matches across segments: "/a/**/b" matches "/a/b" and
// "/a/x/y/b", "**/*.pyc" matches at any depth. A pattern that matches a directory also covers everything under it.
// Every other character, "[" included, stands for itself.

function escapeRegExp(text: string): string {
	return text.replaceAll(/[\\^$.*+?()[\]{}|/]/g, String.raw`\$&`);
}

/** The pattern as an absolute path without a trailing "/" ("/" itself stays "/"). */
function normalizePattern(pattern: string): string {
	let text = pattern.startsWith('/') ? pattern : `/${pattern}`;
	while (text.length > 1 && text.endsWith('/')) {
		text = text.slice(0, -1);
	}

	return text;
}

/** One glob as a regular expression over absolute paths (the match covers the subtree below it). */
export function globToRegExp(pattern: string): RegExp {
	const text = normalizePattern(pattern);
	if (text === '/') {
		return /^\//;
	}

	let source = '';
	let index = 0;
	while (index < text.length) {
		if (text.startsWith('/**/', index)) {
			source += '/(?:.*/)?'; // Zero or more whole segments.
			index += 4;
		} else if (text.startsWith('/**', index) && index + 3 === text.length) {
			source += '(?:/.*)?'; // A trailing "/**": the directory and all below it.
			index += 3;
		} else if (text.startsWith('**', index)) {
			source += '.*';
			index += 2;
		} else if (text[index] === '*') {
			source += '[^/]*';
			index++;
		} else if (text[index] === '?') {
			source += '[^/]';
			index++;
		} else {
			const char = String.fromCodePoint(text.codePointAt(index)!);
			source += escapeRegExp(char);
			index += char.length;
		}
	}

	return new RegExp(`^${source}(?:/.*)?$`, 'su');
}

/** A predicate over absolute paths for a list of globs; undefined when the list is empty. */
export function globMatcher(patterns: readonly string[]): ((absolutePath: string) => boolean) | undefined {
	if (patterns.length === 0) {
		return undefined;
	}

	const expressions = patterns.map(pattern => globToRegExp(pattern));
	return (absolutePath: string) => expressions.some(expression => expression.test(absolutePath));
}
