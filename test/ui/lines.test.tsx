// A pane's lines as one text node (src/ui/components/lines.tsx) against what it replaced, one ink <Text
// wrap='truncate-end'> a line with the same style props: the same frame, escape sequences included, with colours
// on and off, on random lines (wide characters, emoji, combining marks, lines longer than the pane, empty lines).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import chalk from 'chalk';
import fc from 'fast-check';
import {Box, Text} from 'ink';
import {render} from 'ink-testing-library';
import {type PaneLine, Lines} from '../../src/ui/components/lines.js';
import {truncate} from '../../src/ui/text-width.js';

const kindColor = {added: 'green', modified: 'yellow', removed: 'red', unmodified: undefined} as const;

/** The reference: a <Text> a line, as the panes drew them before (a <Line>, and <PaneTitle> for bold titles). */
function TextPerLine({lines, width, colors}: {readonly lines: readonly PaneLine[]; readonly width: number; readonly colors: boolean}) {
	return (
		<Box flexDirection='column' width={width} height={lines.length + 2}>
			{lines.map((line, index) => (
				<Text key={index} wrap='truncate-end' color={colors && line.kind !== undefined ? kindColor[line.kind] : undefined} inverse={line.selected === true} dimColor={colors && line.dim === true} bold={line.bold === true}>
					{line.text === '' ? ' ' : truncate(line.text, width)}
				</Text>
			))}
		</Box>
	);
}

function OneNode({lines, width, colors}: {readonly lines: readonly PaneLine[]; readonly width: number; readonly colors: boolean}) {
	return (
		<Box flexDirection='column' width={width} height={lines.length + 2}>
			<Lines lines={lines} width={width} colors={colors}/>
		</Box>
	);
}

function frame(element: React.ReactElement): string {
	const instance = render(element);
	const text = instance.lastFrame() ?? '';
	instance.unmount();
	return text;
}

const piece = fc.constantFrom('a', 'name', '├── ', '│   ', '━━', ' → ', '日本語', 'ＡＢＣ１２３', '👩‍👩‍👧‍👦', 'e\u0301', '한국어', ' ', '…', '-rw-r--r--', '1.2 kB');
const line: fc.Arbitrary<PaneLine> = fc.record({
	text: fc.array(piece, {maxLength: 8}).map(parts => parts.join('')),
	kind: fc.constantFrom(undefined, 'added', 'modified', 'removed', 'unmodified'),
	selected: fc.boolean(),
	dim: fc.boolean(),
	bold: fc.boolean(),
}, {requiredKeys: ['text']});

test('a pane\'s lines as one text node draw the same frame as a <Text> a line, colours on and off', () => {
	const level = chalk.level;
	try {
		for (const colorLevel of [0, 1, 3] as const) {
			// ink colours through the same chalk: on for the test (a test's stdout is no terminal).
			chalk.level = colorLevel;
			fc.assert(fc.property(fc.array(line, {minLength: 1, maxLength: 12}), fc.integer({min: 1, max: 40}), fc.boolean(), (lines, width, colors) => {
				const expected = frame(<TextPerLine lines={lines} width={width} colors={colors}/>);
				assert.equal(frame(<OneNode lines={lines} width={width} colors={colors}/>), expected);
				if (colorLevel > 0 && colors && lines.some(each => each.kind === 'added')) {
					assert.match(expected, /\u001B\[32m/, 'colours are on in this test');
				}
			}), {numRuns: 150});
		}
	} finally {
		chalk.level = level;
	}
});

test('drawn again with some lines changed (lines of the last render reused): the same frame as a <Text> a line', () => {
	const level = chalk.level;
	try {
		chalk.level = 1;
		// A line replaced, or only one of its styles changed (a cursor move changes `selected` alone).
		const change = fc.record({index: fc.nat(), line, only: fc.constantFrom(undefined, 'selected', 'kind', 'dim', 'bold')});
		fc.assert(fc.property(fc.array(line, {minLength: 1, maxLength: 10}), fc.array(change, {maxLength: 4}), fc.integer({min: 1, max: 30}), fc.integer({min: 1, max: 30}), fc.boolean(), (lines, changes, width, secondWidth, colors) => {
			const next = [...lines];
			for (const {index, line: changed, only} of changes) {
				const at = index % next.length;
				next[at] = only === undefined ? changed : {...next[at]!, [only]: changed[only] ?? (only === 'kind' ? 'added' : true)};
			}

			const instance = render(<OneNode lines={lines} width={width} colors={colors}/>);
			instance.rerender(<OneNode lines={next} width={width} colors={colors}/>);
			assert.equal(instance.lastFrame(), frame(<TextPerLine lines={next} width={width} colors={colors}/>));
			instance.rerender(<OneNode lines={next} width={secondWidth} colors={!colors}/>);
			assert.equal(instance.lastFrame(), frame(<TextPerLine lines={next} width={secondWidth} colors={!colors}/>));
			instance.unmount();
		}), {numRuns: 150});
	} finally {
		chalk.level = level;
	}
});

test('no lines: nothing drawn', () => {
	assert.equal(frame(<OneNode lines={[]} width={10} colors/>), frame(<TextPerLine lines={[]} width={10} colors/>));
});
