// The bundle's row-caching Output (src/ui/bundle/ink-output.ts) against ink's own (node_modules/ink/build/
// output.js, which it replaces in the bundle): the same operations give the same frame, on random frames with
// colours, wide characters, emoji, clips, out-of-range positions and transformers, and again when rows come from
// its cache (the same frame drawn twice, then a changed one).
import assert from 'node:assert/strict';
import path from 'node:path';
import {test} from 'node:test';
import {pathToFileURL} from 'node:url';
import {stripVTControlCharacters} from 'node:util';
import fc from 'fast-check';
import stringWidth from 'string-width';
import Output from '../../src/ui/bundle/ink-output.js';
import {repoRoot} from '../helpers/fixtures.js';

type Clip = {x1: number | undefined; x2: number | undefined; y1: number | undefined; y2: number | undefined};
type Transformer = (line: string, index: number) => string;
type OutputLike = {
	write: (x: number, y: number, text: string, options: {transformers: Transformer[]}) => void;
	clip: (clip: Clip) => void;
	unclip: () => void;
	get: () => {output: string; height: number};
};

// ink's package exports only its index: its Output is imported by file.
const {default: InkOutput} = await import(pathToFileURL(path.join(repoRoot, 'node_modules/ink/build/output.js')).href) as {default: new (options: {width: number; height: number}) => OutputLike};

const red = (text: string): string => `\u001B[31m${text}\u001B[39m`;
const transformers: Readonly<Record<string, Transformer>> = {
	red: line => red(line),
	inverse: line => `\u001B[7m${line}\u001B[27m`,
	numbered: (line, index) => `${index}:${line}`,
};

const piece = fc.constantFrom('a', 'name', '├── ', '│', '━', '日本語', 'ＡＢＣ', '👩‍👩‍👧‍👦', 'é', 'x y', ' ', '…', red('err'), '\u001B[1mbold\u001B[22m');
const text = fc.array(fc.array(piece, {maxLength: 6}).map(parts => parts.join('')), {minLength: 1, maxLength: 4}).map(lines => lines.join('\n'));
const edge = fc.option(fc.integer({min: -3, max: 30}), {nil: undefined});
type Step =
	| {kind: 'write'; x: number; y: number; text: string; transformers: string[]}
	| {kind: 'clip'; clip: Clip}
	| {kind: 'unclip'};
const step: fc.Arbitrary<Step> = fc.oneof(
	{weight: 6, arbitrary: fc.record({kind: fc.constant('write' as const), x: fc.integer({min: -4, max: 28}), y: fc.integer({min: -3, max: 12}), text, transformers: fc.subarray(Object.keys(transformers))})},
	{weight: 1, arbitrary: fc.record({kind: fc.constant('clip' as const), clip: fc.record({x1: edge, x2: edge, y1: edge, y2: edge})})},
	{weight: 1, arbitrary: fc.constant({kind: 'unclip' as const})},
);

function draw(output: OutputLike, steps: readonly Step[]): string {
	let open = 0;
	for (const item of steps) {
		if (item.kind === 'write') {
			output.write(item.x, item.y, item.text, {transformers: item.transformers.map(name => transformers[name]!)});
		} else if (item.kind === 'clip') {
			output.clip(item.clip);
			open++;
		} else if (open > 0) {
			output.unclip();
			open--;
		}
	}

	const {output: frame, height} = output.get();
	return `${height}\n${frame}`;
}

test('the row-caching Output draws what ink\'s Output draws, cached rows included', () => {
	fc.assert(fc.property(fc.integer({min: 1, max: 24}), fc.integer({min: 1, max: 10}), fc.array(step, {maxLength: 14}), fc.array(step, {maxLength: 4}), (width, height, steps, changes) => {
		const expected = draw(new InkOutput({width, height}), steps);
		assert.equal(draw(new Output({width, height}), steps), expected, 'drawn');
		assert.equal(draw(new Output({width, height}), steps), expected, 'drawn again, rows from the cache');
		const changed = [...steps, ...changes];
		assert.equal(draw(new Output({width, height}), changed), draw(new InkOutput({width, height}), changed), 'a changed frame');
	}), {numRuns: 2000});
});

test('rows made of pieces side by side (built from each piece\'s own string): the same as ink\'s, touching styled pieces included', () => {
	// Pieces inside the grid, one after another on a row, touching or apart: what a frame of panes is made of.
	const line = fc.array(piece, {minLength: 1, maxLength: 3}).map(parts => parts.join(''));
	const row = fc.array(fc.record({gap: fc.integer({min: 0, max: 2}), text: line, transformers: fc.subarray(Object.keys(transformers))}), {minLength: 1, maxLength: 5});
	fc.assert(fc.property(fc.integer({min: 1, max: 40}), fc.array(row, {minLength: 1, maxLength: 4}), fc.integer({min: -1, max: 2}), (width, rows, shift) => {
		const steps: Step[] = [];
		for (const [y, pieces] of rows.entries()) {
			let x = Math.max(0, shift);
			for (const {gap, text: content, transformers: names} of pieces) {
				x += gap;
				steps.push({kind: 'write', x, y, text: content, transformers: names});
				x += stringWidth(stripVTControlCharacters(content));
			}
		}

		const expected = draw(new InkOutput({width, height: rows.length}), steps);
		assert.equal(draw(new Output({width, height: rows.length}), steps), expected);
	}), {numRuns: 3000});
});

test('a frame of a browser-like layout: two columns, a separator, the cursor row moving', () => {
	const frame = (cursor: number): Array<[number, number, string, Transformer[]]> => [
		[0, 0, '━━ Layers ━━━━━━━', []],
		...Array.from({length: 8}, (_, row): [number, number, string, Transformer[]] => [0, row + 1, `${row === cursor ? '>' : ' '} ${row}  layer ${row}`, row === cursor ? [transformers['inverse']!] : []]),
		[18, 0, '│\n│\n│\n│\n│\n│\n│\n│\n│', []],
		...Array.from({length: 9}, (_, row): [number, number, string, Transformer[]] => [19, row, `├── 日本語 ${row}`, [transformers['red']!]]),
	];
	for (const cursor of [0, 1, 2, 1, 0, 7]) {
		const ours = new Output({width: 40, height: 9});
		const ink = new InkOutput({width: 40, height: 9});
		for (const [x, y, line, list] of frame(cursor)) {
			ours.write(x, y, line, {transformers: list});
			ink.write(x, y, line, {transformers: list});
		}

		assert.deepEqual(ours.get(), ink.get());
	}
});
