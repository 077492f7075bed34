// A file's bytes made safe for a terminal (`cat` to a terminal, the TUI's file viewer). A file can hold escape
// sequences that would move the cursor, set the title or hide text: they are shown, never sent.
//
// Text keeps newlines and tabs; every other C0 control and DEL becomes its Unicode control picture (ESC → ␛,
// NUL → ␀, DEL → ␡), which no ASCII text can be mistaken for; C1 controls, bidirectional controls, the soft
// hyphen (invisible, and its width differs between terminals and string-width: src/report/escape.ts) and bytes
// that are not UTF-8 become ⟨U+009B⟩ / ⟨xNN⟩. Backslashes are left alone (a config file's `\n` stays `\n`).
import {decodeBytes} from '../archive/names.js';

/** Bytes examined to decide whether a file is text (git's heuristic: a NUL in the first 8000 bytes means binary). */
export const binarySniffBytes = 8000;

/** Whether the first bytes of a file say it is binary (a NUL byte, or mostly invalid UTF-8). */
export function looksBinary(head: Uint8Array): boolean {
	const sample = head.subarray(0, binarySniffBytes);
	if (sample.includes(0)) {
		return true;
	}

	const text = decodeBytes(sample);
	let invalid = 0;
	for (const char of text) {
		const code = char.codePointAt(0)!;
		if (code >= 0xDC_80 && code <= 0xDC_FF) {
			invalid++;
		}
	}

	// A multi-byte character cut at the end of the sample is not a sign of binary data.
	return invalid > 4 && invalid * 20 > sample.length;
}

const unsafe = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uDC80-\uDCFF]/gu;

function picture(char: string): string {
	const code = char.codePointAt(0)!;
	if (code < 0x20) {
		return String.fromCodePoint(0x24_00 + code);
	}

	if (code === 0x7F) {
		return '\u2421';
	}

	if (code >= 0xDC_80 && code <= 0xDC_FF) {
		return `⟨x${(code - 0xDC_00).toString(16).padStart(2, '0')}⟩`;
	}

	return `⟨U+${code.toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

/** One line (or any text without newlines that matter) with its controls shown, not obeyed. */
export function escapeContentText(text: string): string {
	return text.replace(unsafe, picture);
}

/**
 * Turns a stream of file bytes into safe terminal text, chunk by chunk (a character split across chunks is
 * kept whole). Invalid UTF-8 bytes are shown as ⟨xNN⟩.
 */
export class SafeTextStream {
	private pending = Buffer.alloc(0);

	/** The safe text for the next bytes. */
	push(chunk: Buffer): string {
		// Keep a possibly incomplete trailing UTF-8 sequence for the next chunk; decode the rest byte-exactly.
		const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
		let cut = data.length;
		for (let back = 1; back <= 3 && back <= data.length; back++) {
			const byte = data[data.length - back]!;
			if ((byte & 0xC0) === 0x80) {
				continue;
			}

			const need = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
			if (need > back) {
				cut = data.length - back;
			}

			break;
		}

		this.pending = Buffer.from(data.subarray(cut));
		return escapeContentText(decodeBytes(data.subarray(0, cut)));
	}

	/** Whatever was held back at the end. */
	end(): string {
		const rest = this.pending;
		this.pending = Buffer.alloc(0);
		return escapeContentText(decodeBytes(rest));
	}
}

/** A classic hex dump line: offset, 16 bytes in hex, and their printable ASCII. */
export function hexDumpLine(offset: number, bytes: Uint8Array): string {
	const hex: string[] = [];
	let ascii = '';
	for (let index = 0; index < 16; index++) {
		const byte = bytes[index];
		if (byte === undefined) {
			hex.push('  ');
			continue;
		}

		hex.push(byte.toString(16).padStart(2, '0'));
		ascii += byte >= 0x20 && byte < 0x7F ? String.fromCodePoint(byte) : '.';
	}

	return `${offset.toString(16).padStart(8, '0')}  ${hex.slice(0, 8).join(' ')}  ${hex.slice(8).join(' ')}  |${ascii}|`;
}
