// The file viewer in the browser (ink-testing-library): v and Enter open a file as numbered text or a hex dump,
// control characters are shown as symbols, / searches, q closes; Ctrl-E extracts into the current directory.
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {before, test} from 'node:test';
import {analyzeImage} from '../../src/analysis/analyze.js';
import {fileAccess} from '../../src/cli/ui-command.js';
import {loadImageFrom} from '../../src/cli/load.js';
import {localSource} from '../../src/sources/archive.js';
import {Browser} from '../../src/ui/components/browser.js';
import {BrowserModel} from '../../src/ui/state/model.js';
import {buildImageArchive} from '../../scripts/lib/image-builder.js';
import {drive} from './ink-driver.js';
import {assertSnapshot} from './snapshot.js';

const lines = Array.from({length: 40}, (_, index) => `line ${index + 1}${index === 2 ? ' \u001B]0;title\u0007 tab:\there' : ''}${index === 29 ? ' needle' : ''}`).join('\n');
let model: BrowserModel;
let dir: string;

before(async () => {
	dir = mkdtempSync(path.join(tmpdir(), 'layerscope-viewer-ui-'));
	const file = path.join(dir, 'image.tar');
	writeFileSync(file, await buildImageArchive([{entries: [
		{path: 'etc', type: 'dir'},
		{path: 'etc/app.conf', content: `${lines}\n`},
		{path: 'etc/blob.bin', content: Buffer.from([0x7F, 0x45, 0x4C, 0x46, 0, 1, 2, 3, 0x1B, 0x5B, 0x32, 0x4A])},
	]}], {format: 'oci', compression: 'gzip'}));
	const source = localSource(file);
	const image = await loadImageFrom(source, {});
	model = new BrowserModel({image, analysis: analyzeImage(image), files: await fileAccess(source, image)});
});

async function until(ui: {frame: () => string}, pattern: RegExp): Promise<string> {
	for (let tries = 0; tries < 400; tries++) {
		const frame = ui.frame();
		if (pattern.test(frame)) {
			return frame;
		}

		await new Promise(resolve => {
			setTimeout(resolve, 5);
		});
	}

	throw new Error(`no frame matched ${pattern}:\n${ui.frame()}`);
}

test('v opens a text file with line numbers and escapes shown; / searches; q closes', async () => {
	const ui = await drive(<Browser model={model} viewport={{width: 80, height: 24}} colors={false} onQuit={() => undefined}/>);
	await ui.press('tab', 'j', 'v');
	let frame = await until(ui, /line 1\b/);
	assert.match(frame, /━━ \/etc\/app\.conf \(layer 0\)/);
	assert.match(frame, /^ 3 │ line 3 ␛\]0;title␇ tab: {2}here$/m, 'ESC and BEL shown as pictures, the tab expanded');
	assert.doesNotMatch(frame, /\u001B\]0;/);
	for (const row of frame.split('\n')) {
		assert.ok(row.length <= 80, `row wider than the terminal: ${row}`);
	}

	assertSnapshot('viewer-text-80x24', frame);
	await ui.press('/', ...'needle', 'enter');
	frame = ui.frame();
	assert.match(frame, /^30 │ line 30 needle$/m);
	// ? opens the full help over the file (the bar says so); closing it comes back to the file where it was.
	assert.match(frame, /\? Help {2}\^C Quit\s*$/);
	await ui.press('?');
	assert.match(ui.frame(), /Keys \(\? or Esc closes\)/);
	await ui.press('esc');
	assert.match(ui.frame(), /^30 │ line 30 needle$/m);
	await ui.press('q');
	frame = ui.frame();
	assert.match(frame, /Current Layer Contents/, 'back in the browser');
	ui.unmount();
});

test('Enter on a binary file shows a hex dump', async () => {
	const ui = await drive(<Browser model={model} viewport={{width: 100, height: 20}} colors={false} onQuit={() => undefined}/>);
	await ui.press('tab', 'j', 'j', 'enter');
	const frame = await until(ui, /00000000/);
	assert.match(frame, /00000000 {2}7f 45 4c 46 00 01 02 03 {2}1b 5b 32 4a {14}\|\.ELF\.\.\.\.\.\[2J\|/);
	ui.unmount();
});

test('Ctrl-E extracts the selected directory into the current directory, and says where', async () => {
	const cwd = process.cwd();
	const work = mkdtempSync(path.join(dir, 'cwd-'));
	process.chdir(work);
	try {
		const ui = await drive(<Browser model={model} viewport={{width: 120, height: 20}} colors={false} onQuit={() => undefined}/>);
		await ui.press('tab', 'ctrl+e');
		const frame = await until(ui, /extracted \/etc/);
		assert.match(frame, /extracted \/etc \(layer 0\) to \.\/etc: 2 files, [\d.]+ k?B\b/); // The same summary as the extract command.
		assert.equal(readFileSync(path.join(work, 'etc/app.conf'), 'utf8'), `${lines}\n`);
		await ui.press('ctrl+e');
		assert.match(await until(ui, /exists here/), /\.\/etc exists here: not extracted \(move it away or use layerscope extract\)/);
		ui.unmount();
	} finally {
		process.chdir(cwd);
	}

	assert.ok(existsSync(path.join(work, 'etc/blob.bin')));
});

test('v on a file removed with its directory shows it as last present; on a dangling symlink says why, whole, wrapped', async () => {
	const file = path.join(dir, 'removed.tar');
	writeFileSync(file, await buildImageArchive([
		{entries: [
			{path: 'data', type: 'dir'},
			{path: 'data/link', type: 'symlink', linkTarget: '../nowhere/at/all/which/is/a/long/path/so/that/the/line/wraps'},
			{path: 'var', type: 'dir'}, {path: 'var/cache', type: 'dir'}, {path: 'var/cache/pkg', type: 'dir'},
			{path: 'var/cache/pkg/a.pkg', content: 'package a\n'},
		]},
		{entries: [{path: 'var', type: 'dir'}, {path: 'var/cache', type: 'dir'}, {path: 'var/cache/.wh.pkg'}]},
	], {format: 'docker25'}));
	const source = localSource(file);
	const image = await loadImageFrom(source, {});
	const removedModel = new BrowserModel({image, analysis: analyzeImage(image), files: await fileAccess(source, image)});
	const ui = await drive(<Browser model={removedModel} viewport={{width: 80, height: 24}} colors={false} onQuit={() => undefined}/>);
	await ui.press('j', 'tab', 'j', 'j', 'j', 'j', 'j', 'v');
	let frame = await until(ui, /package a/);
	assert.match(frame, /━━ \/var\/cache\/pkg\/a\.pkg \(layer 0's copy, removed by 1\)/); // The title and the note agree.
	assert.match(frame, /\/var\/cache\/pkg\/a\.pkg was removed by layer 1; showing it as layer 0 had it/);
	await ui.press('q', 'g', 'j', 'v');
	frame = await until(ui, /cannot be shown/);
	const text = frame.split('\n').join('');
	assert.match(text, /\/data\/link is a symlink to \.\.\/nowhere\/at\/all\/which\/is\/a\/long\/path\/so\/that\/the\/line\/wraps, which does not exist at layer 1: there is no \/nowhere/);
	assert.doesNotMatch(frame, /…|empty/);
	// Ctrl-E on the removed directory extracts it as the last layer that had it, and says so.
	const cwd = process.cwd();
	const work = mkdtempSync(path.join(dir, 'cwd-removed-'));
	process.chdir(work);
	try {
		await ui.press('q', 'j', 'j', 'j', 'ctrl+e');
		frame = await until(ui, /extracted \/var/);
		assert.match(frame, /extracted \/var\/cache\/pkg \(layer 0: removed by layer 1\) to /);
		assert.equal(readFileSync(path.join(work, 'pkg/a.pkg'), 'utf8'), 'package a\n');
	} finally {
		process.chdir(cwd);
	}

	ui.unmount();
});
