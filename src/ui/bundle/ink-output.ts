// ink's Output (node_modules/ink/build/output.js: the frame as a grid of styled cells, turned into lines), as the
// bundle uses it (scripts/build.mjs resolves ink's `./output.js` here), with one difference: a frame's row that is
// made of exactly the same pieces as a row drawn before (same columns, same text after clipping and transformers)
// is not built again, cell by cell, but taken from a cache. A key that moves the cursor changes two rows of a
// frame; ink built all of them (width × height cell objects, each line tokenised, every row turned back into a
// string). The rows built are built as ink builds them (test/ui/ink-output.test.ts compares the two on random
// frames). Bounded: the row cache is emptied when it reaches `rowLimit` rows.
import {type StyledChar, styledCharsFromTokens, styledCharsToString, tokenize} from '@alcalzone/ansi-tokenize';
import sliceAnsi from 'slice-ansi';
import stringWidth from 'string-width';

/** ink's transformer: a line of a text node's output, and its index in the node's (clipped) lines. */
type Transformer = (line: string, index: number) => string;

/** ink's clip rectangle: the edges are undefined where the box does not clip. */
type Clip = {x1: number | undefined; x2: number | undefined; y1: number | undefined; y2: number | undefined};

type Operation =
	| {readonly type: 'write'; readonly x: number; readonly y: number; readonly text: string; readonly transformers: readonly Transformer[]}
	| {readonly type: 'clip'; readonly clip: Clip}
	| {readonly type: 'unclip'};

/** A line of a write placed on a row: its column and its (clipped, transformed) text. */
type Piece = {readonly x: number; readonly line: string};

const rowLimit = 4000;
/** Row key (the width and the row's pieces) → the row's string. */
const rows = new Map<string, string>();

const widths = new Map<string, number>();
function width(text: string): number {
	let cached = widths.get(text);
	if (cached === undefined) {
		cached = stringWidth(text);
		widths.set(text, cached);
	}

	return cached;
}

function widestLine(text: string): number {
	let widest = 0;
	for (const line of text.split('\n')) {
		widest = Math.max(widest, width(line));
	}

	return widest;
}

const blank: StyledChar = {type: 'char', value: ' ', fullWidth: false, styles: []};

/** A line of a write as the cells it covers: their string (styles opened and closed), and its styled ends. */
type PieceCells = {readonly cells: number; readonly text: string; readonly styledStart: boolean; readonly styledEnd: boolean};

const pieceLimit = 8000;
/** A write's line → its cells (pieceCells). */
const pieceCache = new Map<string, PieceCells>();

/** The cells of one line written alone, as buildRow's cell loop lays them out (a wide character's covered cells empty). */
function pieceCells(line: string): PieceCells {
	let piece = pieceCache.get(line);
	if (piece === undefined) {
		const cells: StyledChar[] = [];
		for (const character of styledCharsFromTokens(tokenize(line))) {
			cells.push(character);
			const characterWidth = Math.max(1, width(character.value));
			for (let index = 1; index < characterWidth; index++) {
				cells.push({type: 'char', value: '', fullWidth: false, styles: character.styles});
			}
		}

		piece = {cells: cells.length, text: styledCharsToString(cells), styledStart: (cells[0]?.styles.length ?? 0) > 0, styledEnd: (cells.at(-1)?.styles.length ?? 0) > 0};
		if (pieceCache.size >= pieceLimit) {
			pieceCache.clear();
		}

		pieceCache.set(line, piece);
	}

	return piece;
}

/**
 * The row from its pieces' own strings, when that is the same string as the cell by cell build: styledCharsToString
 * opens and closes styles only where a cell's differ from the one before, so a row cut where an unstyled cell
 * (a blank, or a piece's unstyled end) meets the next is the concatenation of its parts' strings. Holds when the
 * pieces lie inside the grid, do not overlap, and two that touch do not both have a styled cell where they meet;
 * otherwise undefined (buildRow then builds cell by cell). A key that changes a pane's lines then builds only those
 * lines, not every cell of their rows: a layer change redraws most rows of a frame.
 */
function rowFromPieces(gridWidth: number, pieces: readonly Piece[]): string | undefined {
	const cellCount = Math.ceil(Math.max(0, gridWidth));
	let ordered = pieces;
	for (let index = 1; index < pieces.length; index++) {
		if (pieces[index]!.x < pieces[index - 1]!.x) {
			ordered = [...pieces].sort((a, b) => a.x - b.x);
			break;
		}
	}

	let out = '';
	let column = 0;
	let styledEnd = false;
	for (const {x, line} of ordered) {
		const piece = pieceCells(line);
		if (piece.cells === 0) {
			continue;
		}

		if (!Number.isInteger(x) || x < column || x + piece.cells > cellCount || (x === column && styledEnd && piece.styledStart)) {
			return undefined;
		}

		if (x > column) {
			out += ' '.repeat(x - column);
		}

		out += piece.text;
		column = x + piece.cells;
		styledEnd = piece.styledEnd;
	}

	return out.trimEnd();
}

/** One row of the grid from its pieces, cell by cell as ink's Output.get builds it. */
function buildRow(gridWidth: number, pieces: readonly Piece[]): string {
	const fast = rowFromPieces(gridWidth, pieces);
	if (fast !== undefined) {
		return fast;
	}

	// Columns 0, 1, … while below the width, as ink's loop counts them.
	const row: StyledChar[] = Array.from({length: Math.ceil(Math.max(0, gridWidth))}, () => blank);
	for (const {x, line} of pieces) {
		let offsetX = x;
		for (const character of styledCharsFromTokens(tokenize(line))) {
			row[offsetX] = character;
			const characterWidth = Math.max(1, width(character.value));
			// A wide character: the cells it covers hold nothing (the terminal draws it over them).
			for (let index = 1; index < characterWidth; index++) {
				row[offsetX + index] = {type: 'char', value: '', fullWidth: false, styles: character.styles};
			}

			offsetX += characterWidth;
		}
	}

	// As ink: cells written at negative columns are not elements, and holes are skipped.
	return styledCharsToString(row.filter(item => item !== undefined)).trimEnd();
}

export default class Output {
	width: number;
	height: number;
	private readonly operations: Operation[] = [];

	constructor(options: {width: number; height: number}) {
		this.width = options.width;
		this.height = options.height;
	}

	write(x: number, y: number, text: string, options: {transformers: Transformer[]}): void {
		if (!text) {
			return;
		}

		this.operations.push({type: 'write', x, y, text, transformers: options.transformers});
	}

	clip(clip: Clip): void {
		this.operations.push({type: 'clip', clip});
	}

	unclip(): void {
		this.operations.push({type: 'unclip'});
	}

	get(): {output: string; height: number} {
		const pieces: Piece[][] = Array.from({length: Math.ceil(Math.max(0, this.height))}, () => []);
		const clips: Clip[] = [];
		for (const operation of this.operations) {
			if (operation.type === 'clip') {
				clips.push(operation.clip);
				continue;
			}

			if (operation.type === 'unclip') {
				clips.pop();
				continue;
			}

			const {text, transformers} = operation;
			let {x, y} = operation;
			let lines = text.split('\n');
			const clip = clips.at(-1);
			if (clip !== undefined) {
				const clipHorizontally = typeof clip.x1 === 'number' && typeof clip.x2 === 'number';
				const clipVertically = typeof clip.y1 === 'number' && typeof clip.y2 === 'number';
				if (clipHorizontally && (x + widestLine(text) < clip.x1! || x > clip.x2!)) {
					continue;
				}

				if (clipVertically && (y + lines.length < clip.y1! || y > clip.y2!)) {
					continue;
				}

				if (clipHorizontally) {
					const x1 = clip.x1!;
					const x2 = clip.x2!;
					lines = lines.map(line => {
						const from = x < x1 ? x1 - x : 0;
						const lineWidth = width(line);
						const to = x + lineWidth > x2 ? x2 - x : lineWidth;
						return sliceAnsi(line, from, to);
					});
					if (x < x1) {
						x = x1;
					}
				}

				if (clipVertically) {
					const y1 = clip.y1!;
					const y2 = clip.y2!;
					const from = y < y1 ? y1 - y : 0;
					const to = y + lines.length > y2 ? y2 - y : lines.length;
					lines = lines.slice(from, to);
					if (y < y1) {
						y = y1;
					}
				}
			}

			// As ink: lines go to rows y, y + 1, … while there are rows (none when y is negative).
			let offsetY = 0;
			for (const [index, original] of lines.entries()) {
				const row = pieces[y + offsetY];
				if (row === undefined) {
					continue;
				}

				let line = original;
				for (const transformer of transformers) {
					line = transformer(line, index);
				}

				row.push({x, line});
				offsetY++;
			}
		}

		const output = pieces.map(row => {
			let key = String(this.width);
			for (const {x, line} of row) {
				key += `\u0000${x}\u0000${line}`;
			}

			let text = rows.get(key);
			if (text === undefined) {
				text = buildRow(this.width, row);
				if (rows.size >= rowLimit) {
					rows.clear();
				}

				rows.set(key, text);
			}

			return text;
		});
		return {output: output.join('\n'), height: output.length};
	}
}
