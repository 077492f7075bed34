// Real terminal sizes with names wider than their length (CJK, a ZWJ family emoji, e + U+0301, fullwidth
// letters): every row fits by display width, the frame keeps its height, and the first row is the first pane's
// title (a row one column too wide wraps and scrolls the whole frame up). Also: the help at 40×12 scrolls through
// every binding, and a 300-character layer command (cases/05) can be read whole in the Layer details pane.
import assert from 'node:assert/strict';
import {Readable} from 'node:stream';
import {before, test} from 'node:test';
import stringWidth from 'string-width';
import {analyzeImage} from '../../src/analysis/analyze.js';
import {readImageArchive} from '../../src/archive/read-image.js';
import {Browser} from '../../src/ui/components/browser.js';
import {helpLines} from '../../src/ui/help-text.js';
import {BrowserModel} from '../../src/ui/state/model.js';
import type {Viewport} from '../../src/ui/state/types.js';
import {buildImageArchive} from '../../scripts/lib/image-builder.js';
import {buildWideImage, wide} from '../helpers/wide-image.js';
import {diveFixture, loadArchive} from '../helpers/fixtures.js';
import {drive} from './ink-driver.js';
import {normaliseFrame} from './snapshot.js';

/** The command of cases/05-tui-long-command-cut-off (`docker history --no-trunc`), 300 characters after `-c `. */
export const longCommand = '/bin/sh -c echo step-one > /s1 && echo step-two > /s2 && echo step-three > /s3 && echo step-four > /s4 && echo step-five > /s5 && echo step-six > /s6 && echo step-seven > /s7 && echo step-eight > /s8 && echo step-nine > /s9 && echo step-ten > /s10 && echo step-eleven > /s11 && echo step-twelve > /s12 && echo THE-END-MARKER > /end';

let wideModel: BrowserModel;
let longModel: BrowserModel;
let dive: BrowserModel;

async function modelOf(archive: Buffer): Promise<BrowserModel> {
	const image = await readImageArchive(Readable.from([archive]), {name: 'test.tar'});
	return new BrowserModel({image, analysis: analyzeImage(image)});
}

before(async () => {
	wideModel = await modelOf(await buildWideImage());
	longModel = await modelOf(await buildImageArchive([
		{command: '/bin/sh -c #(nop) ADD file:base in /', entries: [{path: 'bin', type: 'dir'}, {path: 'bin/busybox', size: 1000}]},
		{command: longCommand, entries: Array.from({length: 13}, (_, index) => ({path: `s${index + 1}`, content: `step ${index + 1}\n`}))},
		{command: '/bin/sh -c echo second-layer > /x', entries: [{path: 'x', content: 'second-layer\n'}]},
	], {format: 'docker-legacy', tag: 'bughunt-case/longcmd:1'}));
	dive = new BrowserModel(await loadArchive(diveFixture('test-docker-image.tar')));
});

async function browse(model: BrowserModel, viewport: Viewport) {
	return drive(<Browser model={model} viewport={viewport} colors={false} onQuit={() => {}}/>);
}

function assertFits(frame: string, {width, height}: Viewport, what: string): string[] {
	const lines = normaliseFrame(frame).split('\n').slice(0, -1);
	assert.equal(lines.length, height, `${what}: ${lines.length} lines in a ${height}-line terminal:\n${frame}`);
	for (const line of lines) {
		assert.ok(stringWidth(line) <= width, `${what}: a line of ${stringWidth(line)} columns in ${width}: ${line}`);
	}

	return lines;
}

for (const viewport of [{width: 80, height: 24}, {width: 60, height: 20}, {width: 200, height: 60}, {width: 75, height: 30}, {width: 100, height: 30}]) {
	test(`wide names at ${viewport.width}×${viewport.height}: every row fits, the first row is the Layers title, figures whole`, async () => {
		const ui = await browse(wideModel, viewport);
		const states: Array<[string, string[]]> = [['start', []], ['layer 1', ['j']], ['layer 2, tree', ['j', 'tab']], ['aggregated', ['shift+tab', 'ctrl+a']], ['layer details', ['tab', 'tab', 'G']], ['filter', ['/', ...'日本']]];
		for (const [what, keys] of states) {
			await ui.press(...keys);
			const lines = assertFits(ui.frame(), viewport, what);
			assert.match(lines[0]!, /^[─━]{2} Layers /, `${what}: the first row is the first pane's title`);
			assert.match(lines.at(-1)!, what === 'filter' ? /\^C Quit$/ : /\? Help {2}q Quit$/, `${what}: the help and quit hint stays`);
		}

		const frame = ui.frame();
		for (const figure of [/: 15 kB$/m, /: 6\.1 kB$/m, /: 72 %$/m, /: 2\.0 kB$/m]) {
			assert.match(frame.split('\n').map(line => line.split('│')[0]!.trimEnd()).join('\n'), figure, `${viewport.width}×${viewport.height}: image figure ${figure} whole`);
		}

		ui.unmount();
	});
}

test('wide names: the tree shows them whole when there is room, cut with … by display width when not', async () => {
	const ui = await browse(wideModel, {width: 200, height: 40});
	await ui.press('j', 'tab');
	let frame = ui.frame();
	for (const name of [wide.japaneseDir, wide.japaneseFile, wide.koreanFile, wide.family, wide.combining]) {
		assert.ok(frame.includes(name), `shows ${name}`);
	}

	ui.unmount();
	const narrow = await browse(wideModel, {width: 60, height: 20});
	await narrow.press('j', 'tab');
	frame = narrow.frame();
	assert.match(frame, /とても長い[^\s│]*…/, 'a long Japanese name is cut with …');
	assert.match(frame, /^>● 1 [^│]*…│/m, 'the layers pane cuts the command with …');
	narrow.unmount();
});

test('the full help at 40×12 is a list that scrolls through every binding', async () => {
	const viewport = {width: 40, height: 12};
	const ui = await browse(dive, viewport);
	await ui.press('?');
	const seen = new Set<string>();
	const all = helpLines(40).map(line => line.text.trimEnd());
	for (let presses = 0; presses <= all.length; presses++) {
		const lines = assertFits(ui.frame(), viewport, `help after ${presses} ↓`);
		assert.match(lines[0]!, /^━━ Keys \(\? or Esc closes\) \d+-\d+ of \d+/);
		for (const line of lines.slice(1, -1)) {
			seen.add(line);
		}

		if (lines[0]!.includes(`of ${all.length}`) && new RegExp(`-${all.length} of`).test(lines[0]!)) {
			break;
		}

		await ui.press('down');
	}

	for (const line of all) {
		assert.ok(seen.has(line), `the help line ${JSON.stringify(line)} was shown`);
	}

	assert.ok(all.every(line => !line.endsWith('…')), 'descriptions are wrapped, not cut');
	assert.ok(all.includes('  Space, PgDn d'.trimEnd()) || all.some(line => line.includes('Page down')), 'the help lists its own keys');
	await ui.press('home');
	assert.match(ui.frame(), /^━━ Keys \(\? or Esc closes\) 1-/);
	await ui.press('esc');
	assert.match(ui.frame(), /^[─━]{2} Layers/);
	ui.unmount();
});

test('cases/05: the 300-character command is readable whole — Tab to Layer details, then scroll', async () => {
	for (const viewport of [{width: 120, height: 40}, {width: 80, height: 24}, {width: 60, height: 20}]) {
		const ui = await browse(longModel, viewport);
		await ui.press('down');
		// Layers → tree → Layer details.
		await ui.press('tab', 'tab');
		const details = (): string[] => {
			const lines = assertFits(ui.frame(), viewport, 'details');
			// Narrow panes say `Details` and `Image`, so that the range stays in the title.
			const from = lines.findIndex(line => /^━━ (?:Layer details|Details) /.test(line));
			assert.ok(from >= 0, 'the Layer details pane has the focus (━━)');
			const to = lines.findIndex((line, index) => index > from && /^── Image /.test(line));
			return lines.slice(from + 1, to).map(line => line.split('│')[0]!.trimEnd());
		};

		const read: string[] = [...details()];
		for (let presses = 0; presses < 40 && !read.join('\n').includes('/end'); presses++) {
			await ui.press('j');
			read.push(details().at(-1)!);
		}

		const text = read.join('\n');
		const command = text.slice(text.indexOf('Command: ') + 'Command: '.length, text.indexOf('/end') + 4).replaceAll(/\s+/g, ' ');
		// Lines break at spaces (trailing blanks are not on the screen): the words, in order, are the command's.
		assert.equal(command, longCommand.replace('/bin/sh -c ', ''), `${viewport.width}×${viewport.height}: the whole command, in order`);
		assert.doesNotMatch(text, /…/, 'nothing cut');
		// Selecting another layer starts its details from the top.
		await ui.press('shift+tab', 'shift+tab', 'down', 'tab', 'tab');
		assert.match(ui.frame(), /^━━ (?:Layer details|Details) [^]*^Command: echo\s(second-layer)?/m);
		assert.match(ui.frame(), /second-layer/);
		ui.unmount();
	}
});
