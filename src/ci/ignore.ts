// `ignorePaths` globs (dive #347): paths left out of the wasted-space accounting, matched with picomatch.
//
// A pattern is an absolute path ("/" in front is optional) in which `*` matches within one path segment, `?`
// matches one character other than "/", and `**` as a whole segment matches any number of segments, none
// included: "/a/**/b" matches "/a/b" and "/a/x/y/b", "**/*.pyc" matches at any depth, "/var/cache/**" matches
// "/var/cache" and everything below it. `**` inside a segment ("/a**z") is a `*` (picomatch's and bash's globstar
// rule). A pattern that matches a directory also covers everything under it. Names starting with "." match like
// any other. Every other character — "[", "{", "(", "!", "+", "@", "\" included — stands for itself: no
// brackets, braces, extglobs or negation, so a path copied from a listing matches itself.
import picomatch from 'picomatch';

const options: picomatch.PicomatchOptions = {dot: true, nobrace: true, nobracket: true, noextglob: true, nonegate: true};

/** The pattern relative to "/" without trailing slashes ("" for "/" itself), its special characters escaped for picomatch. */
function picomatchPattern(pattern: string): string {
	const relative = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
	return relative.replaceAll(/[\\()[\]{}|!+@^$.]/g, String.raw`\$&`);
}

/**
 * One glob as a regular expression over paths relative to "/" ("a/b" for "/a/b"; picomatch's output anchors a
 * leading `**` at the start of the string). A match also covers the subtree below it.
 */
export function globToRegExp(pattern: string): RegExp {
	const relative = picomatchPattern(pattern);
	if (relative === '') {
		return /^/; // "/": everything.
	}

	const {output} = picomatch.parse(relative, options);
	return new RegExp(`^(?:${output})(?:/.*)?$`, 's');
}

/** A predicate over absolute paths ("/a/b") for a list of globs; undefined when the list is empty. */
export function globMatcher(patterns: readonly string[]): ((absolutePath: string) => boolean) | undefined {
	if (patterns.length === 0) {
		return undefined;
	}

	const expressions = patterns.map(pattern => globToRegExp(pattern));
	return (absolutePath: string) => {
		const relative = absolutePath.startsWith('/') ? absolutePath.slice(1) : absolutePath;
		return expressions.some(expression => expression.test(relative));
	};
}
