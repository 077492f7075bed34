// Names from images are untrusted bytes: make them safe to print on a terminal.
//
// Control characters (C0, DEL, C1), bidirectional controls, the soft hyphen (U+00AD: invisible, and terminals
// disagree on its width: 1 column in tmux, xterm and glibc's wcwidth, 0 for string-width, by which every row is
// cut, so a name holding some overflowed its pane), the noncharacters U+FFFE/U+FFFF (which XML cannot
// hold) and the lone surrogates that stand for invalid UTF-8 bytes (see src/archive/names.ts) are shown as
// `\xNN` / `\u{NNNN}` text, so a name can never move the cursor, clear the screen, set the window title, reorder
// what follows it or break a JUnit file. A backslash is always doubled, so a literal `\x1b` in a name and an ESC
// byte print differently.
//
// This is the one escaping path for everything that leaves the program: names, commands, tags, digests, platform
// names, manifest paths and JSON parser messages are escaped where a message or a line is built (escapeName,
// singleLine), and the CLI passes every stderr line through terminalSafe as a last guard.

/** The characters shown, never sent (see above), less the surrogates and the backslash: a character class body. */
const controls = String.raw`\u0000-\u001F\u007F-\u009F\u00AD\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF`;

/** A surrogate not in a pair: an invalid UTF-8 byte (src/archive/names.ts). */
const loneSurrogate = String.raw`[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]`;

/** Whether there is anything to escape at all (with the u flag a pair is one character, so only a lone one matches). */
const unsafe = new RegExp(String.raw`[${controls}\uD800-\uDFFF\\]`, 'u');

const unsafeAll = new RegExp(String.raw`[${controls}\\]|${loneSurrogate}`, 'g');

/** The same characters without the backslash: what must never reach a terminal raw. */
const controlAll = new RegExp(`[${controls}]|${loneSurrogate}`, 'g');

function hex(code: number, width: number): string {
	return code.toString(16).padStart(width, '0');
}

function escapeOne(char: string): string {
	const code = char.codePointAt(0)!;
	if (char === '\\') {
		return '\\\\';
	}

	if (code >= 0xDC_80 && code <= 0xDC_FF) {
		return `\\x${hex(code - 0xDC_00, 2)}`; // An invalid UTF-8 byte kept as a lone surrogate.
	}

	if (code <= 0xFF) {
		return `\\x${hex(code, 2)}`;
	}

	return `\\u{${hex(code, 4)}}`;
}

/** A name (or link target) as safe, single-line terminal text. */
export function escapeName(text: string): string {
	if (!unsafe.test(text)) {
		return text;
	}

	return text.replace(unsafeAll, escapeOne);
}

/**
 * A last guard for a line the program already composed (its own words around escaped names): control, bidi and
 * XML-impossible characters are escaped as escapeName would, a backslash is left alone (the parts from an image
 * were escaped already, and doubling again would garble them). Never needed when every part was escaped.
 */
export function terminalSafe(text: string): string {
	return text.replace(controlAll, escapeOne);
}

/** Text from a daemon or a user (an error message, a reference) on one line: whitespace runs become one space, then escaped. */
export function singleLine(text: string): string {
	return escapeName(text.replaceAll(/\s+/g, ' ').trim());
}
