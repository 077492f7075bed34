// The real thing: the built CLI in a tmux terminal on an image with hostile file names. Keys are sent as a user
// types them, the screen is captured, and after quitting the terminal must be back in cooked mode with echo.
// Needs tmux and the build (`npm run build`; `npm test` builds first). LAYERSCOPE_TUI_ENTRY runs another entry
// script (given an archive path) instead of bin/layerscope.js.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {repoRoot} from '../helpers/fixtures.js';
import stringWidth from 'string-width';
import {hostileShown, writeHostileImage} from '../helpers/hostile-image.js';
import {wide, writeWideImage} from '../helpers/wide-image.js';
import {builtCli, exitedWithStty, hasTmux, sleep, startTmux, tmux} from '../helpers/tmux.js';

test('the CLI in tmux: hostile names stay escaped through navigation, filter and modes; the terminal is restored', {skip: hasTmux ? false : 'tmux is not installed', timeout: 120_000}, async () => {
	const entry = process.env['LAYERSCOPE_TUI_ENTRY'] ?? builtCli();

	const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-tmux-'));
	const archive = path.join(dir, 'hostile.tar');
	await writeHostileImage(archive);
	const script = `node ${JSON.stringify(entry)} ${JSON.stringify(archive)}; echo "EXIT=$?"; stty -a; sleep 600`;
	const terminal = startTmux('layerscope-test', script, {columns: 120, rows: 36, cwd: repoRoot, env: {TERM: 'xterm-256color'}});
	const {waitFor, keys} = terminal;
	try {
		await waitFor(/Image efficiency score/, 'the browser');
		await keys('j', 'Tab', 'C-b');
		let text = await waitFor(/━━ Current Layer Contents \(layer 1\)[^]*│ {3}Filetree/, 'layer 1 in the tree pane, attributes off');
		for (const shown of hostileShown) {
			assert.ok(text.includes(shown), `the screen shows ${shown}:\n${text}`);
		}

		assert.match(text, /bad(\\x[0-9a-f]{2}|\\u\{[0-9a-f]+\}){2}utf8/);
		assert.match(text, /^Image name: hostile\\x1b\[2J:latest/m, 'the left column starts at column 0: nothing moved the cursor');
		assert.doesNotMatch(terminal.title(), /PWNED|LINK|CMD/, 'no name set the window title');

		// Navigate, filter live, switch compare modes.
		await keys('Down', 'Down', 'Space', '/', 't', 'a', 'b');
		text = await waitFor(/Filter \(regex on path\): tab▏/, 'the filter input');
		assert.match(text, /tab\\x09name/);
		assert.doesNotMatch(text, /plain\.txt/);
		await keys('Enter', 'BTab', 'C-a');
		text = await waitFor(/Aggregated Layer Contents \(layers 0-1\)/, 'aggregated mode');
		await keys('/', 'Escape', 'C-l');
		text = await waitFor(/Current Layer Contents \(layer 1\)/, 'layer mode again');
		assert.match(text, /plain\.txt/, 'Esc cleared the filter');
		assert.doesNotMatch(terminal.title(), /PWNED|LINK|CMD/);

		await keys('q');
		// stty prints after the exit line: wait for its flags, not just the exit (a loaded machine is slow).
		text = await waitFor(exitedWithStty, 'the CLI to exit and stty to print');
		assert.match(text, /EXIT=0/);
		const stty = text.slice(text.indexOf('EXIT='));
		assert.match(stty, /(^|\s)icanon(\s|$)/m, 'canonical mode is back');
		assert.match(stty, /(^|\s)echo(\s|$)/m, 'echo is back');
		assert.doesNotMatch(text, /Image efficiency score/, 'the alternate screen was left');
	} finally {
		terminal.kill();
		rmSync(dir, {recursive: true, force: true});
	}
});

test('the CLI in tmux with the image piped in: keys come from the terminal', {skip: hasTmux ? false : 'tmux is not installed', timeout: 60_000}, async () => {
	const entry = process.env['LAYERSCOPE_TUI_ENTRY'] ?? builtCli();
	const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-tmux-'));
	const archive = path.join(dir, 'hostile.tar');
	await writeHostileImage(archive);
	const session = `layerscope-pipe-${process.pid}`;
	tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', '-c', repoRoot, `cat ${JSON.stringify(archive)} | node ${JSON.stringify(entry)} -; echo "EXIT=$?"; sleep 600`);
	try {
		let text = '';
		const waitFor = async (pattern: RegExp): Promise<void> => {
			for (let tries = 0; tries < 600 && !pattern.test(text); tries++) {
				await sleep(50);
				text = tmux('capture-pane', '-p', '-t', session);
			}

			assert.match(text, pattern);
		};

		await waitFor(/Image efficiency score/);
		tmux('send-keys', '-t', session, 'j');
		await waitFor(/━━ Layers[^]*^>● 1 /m);
		tmux('send-keys', '-t', session, 'q');
		await waitFor(/EXIT=\d+/);
		assert.match(text, /EXIT=0/);
	} finally {
		spawnSync('tmux', ['kill-session', '-t', session]);
		rmSync(dir, {recursive: true, force: true});
	}
});

for (const columns of [75, 100]) {
	test(`the CLI in tmux at ${columns} columns with wide names: the frame stays put (first row the Layers title), no row wider than the terminal`, {skip: hasTmux ? false : 'tmux is not installed', timeout: 60_000}, async () => {
		const entry = process.env['LAYERSCOPE_TUI_ENTRY'] ?? builtCli();
		const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-tmux-'));
		const archive = path.join(dir, 'wide.tar');
		await writeWideImage(archive);
		const rows = 24;
		const terminal = startTmux(`layerscope-wide-${columns}`, `node ${JSON.stringify(entry)} ${JSON.stringify(archive)}; echo "EXIT=$?"; sleep 600`, {columns, rows, cwd: repoRoot, env: {TERM: 'xterm-256color', NO_COLOR: '1'}});
		const {waitFor} = terminal;

		const check = (text: string, what: string): void => {
			const lines = text.split('\n');
			assert.match(lines[0] ?? '', /^[─━]{2} Layers /, `${what}: the first row is the Layers title:\n${text}`);
			for (const line of lines) {
				assert.ok(stringWidth(line) <= columns, `${what}: a row of ${stringWidth(line)} columns: ${line}`);
			}

			assert.match(text, /\? Help {2}q Quit\s*$/, `${what}: the help and quit hint`);
		};

		try {
			check(await waitFor(/Image efficiency score|Efficiency: /, 'the browser'), 'start');
			await terminal.keys('j');
			check(await waitFor(/^>● 1 /m, 'layer 1'), 'layer 1');
			await terminal.keys('j', 'Tab');
			const text = await waitFor(/━━ (?:Current Layer Contents \(layer 2\)|Layer 2 contents) /, 'layer 2 in the tree pane');
			check(text, 'layer 2');
			assert.ok(text.includes(wide.japaneseDir), `shows ${wide.japaneseDir}`);
			assert.ok(text.includes('한국어디렉터리'));
			await terminal.keys('q');
			assert.match(await waitFor(/EXIT=\d+/, 'the exit'), /EXIT=0/);
		} finally {
			terminal.kill();
			rmSync(dir, {recursive: true, force: true});
		}
	});
}

test('the CLI in tmux with DEV=true (ink\'s switch for React\'s devtools, not installed): the browser opens all the same', {skip: hasTmux ? false : 'tmux is not installed', timeout: 60_000}, async () => {
	const entry = process.env['LAYERSCOPE_TUI_ENTRY'] ?? builtCli();
	const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-tmux-'));
	const archive = path.join(dir, 'wide.tar');
	await writeWideImage(archive);
	const terminal = startTmux('layerscope-dev', `node ${JSON.stringify(entry)} ${JSON.stringify(archive)}; echo "EXIT=$?"; sleep 600`, {columns: 100, rows: 30, cwd: repoRoot, env: {TERM: 'xterm-256color', DEV: 'true'}});
	try {
		await terminal.waitFor(/Image efficiency score/, 'the browser');
		await terminal.keys('q');
		assert.match(await terminal.waitFor(/EXIT=\d+/, 'the exit'), /EXIT=0/);
	} finally {
		terminal.kill();
		rmSync(dir, {recursive: true, force: true});
	}
});

test('the CLI in tmux: keys typed while the CLI starts and the image loads apply, in order, once it is ready', {skip: hasTmux ? false : 'tmux is not installed', timeout: 60_000}, async () => {
	const entry = process.env['LAYERSCOPE_TUI_ENTRY'] ?? builtCli();
	const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-tmux-'));
	const archive = path.join(dir, 'wide.tar');
	await writeWideImage(archive);
	const session = `layerscope-early-${process.pid}`;
	// The shell waits for a line, so the keys can be sent right after the program starts, before any frame.
	tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', '-e', 'TERM=xterm-256color', '-c', repoRoot, `read go; node ${JSON.stringify(entry)} ${JSON.stringify(archive)}; echo "EXIT=$?"; sleep 600`);
	try {
		await sleep(300);
		tmux('send-keys', '-t', session, 'Enter');
		// ↓ ↓ (layer 2), Tab (file tree), / 日 Enter (a filter): typed at once, while the CLI is still starting.
		tmux('send-keys', '-t', session, 'Down', 'Down', 'Tab', '/', '日', 'Enter');
		let text = '';
		for (let tries = 0; tries < 600 && !/Image efficiency score/.test(text); tries++) {
			await sleep(50);
			text = tmux('capture-pane', '-p', '-t', session);
		}

		// The keys apply when the browser opens (wait for their frame: never a fixed sleep).
		for (let tries = 0; tries < 100 && !/━━ Current Layer Contents \(layer 2\)[^]*^Filter: 日/m.test(text); tries++) {
			await sleep(50);
			text = tmux('capture-pane', '-p', '-t', session);
		}

		assert.match(text, /━━ Current Layer Contents \(layer 2\)/, `the keys moved to layer 2 and into the tree:\n${text}`);
		assert.match(text, /^Filter: 日/m, 'the filter typed during loading is in effect');
		assert.doesNotMatch(text, /\^\[\[B|\[B\[B/, 'no key was echoed raw');
		tmux('send-keys', '-t', session, 'q');
		for (let tries = 0; tries < 200 && !/EXIT=\d+/.test(text); tries++) {
			await sleep(50);
			text = tmux('capture-pane', '-p', '-t', session);
		}

		assert.match(text, /EXIT=0/);
	} finally {
		spawnSync('tmux', ['kill-session', '-t', session]);
		rmSync(dir, {recursive: true, force: true});
	}
});

/**
 * The built CLI on the wide-name image in tmux terminals of any size (started by `start`), and `settled`: the
 * screen once it has not changed for 300 ms (a resize's frame is out). `cleanup` removes the image.
 */
async function wideImageTerminals() {
	const entry = process.env['LAYERSCOPE_TUI_ENTRY'] ?? builtCli();
	const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-tmux-'));
	const archive = path.join(dir, 'wide.tar');
	await writeWideImage(archive);
	// LAYERSCOPE_INK_RENDER: ink's render options (src/ui/run.ts renderOptions), to check another choice by hand.
	const render: Record<string, string> = process.env['LAYERSCOPE_INK_RENDER'] === undefined ? {} : {LAYERSCOPE_INK_RENDER: process.env['LAYERSCOPE_INK_RENDER']};
	const start = (name: string, columns: number, rows: number) => startTmux(name, `node ${JSON.stringify(entry)} ${JSON.stringify(archive)}; sleep 600`, {columns, rows, cwd: repoRoot, env: {TERM: 'xterm-256color', ...render}});
	/** The screen once it has not changed for 300 ms (a resize's frame is out). */
	const settled = async (terminal: ReturnType<typeof start>): Promise<string> => {
		let last = terminal.screen();
		for (let tries = 0; tries < 100; tries++) {
			await sleep(300);
			const now = terminal.screen();
			if (now === last) {
				return now;
			}

			last = now;
		}

		return last;
	};

	return {start, settled, cleanup: () => rmSync(dir, {recursive: true, force: true})};
}

test('the CLI in tmux: after the terminal is resized (narrower and shorter, then wider, then taller) the screen is what a start at that size shows', {skip: hasTmux ? false : 'tmux is not installed', timeout: 120_000}, async () => {
	const {start, settled, cleanup} = await wideImageTerminals();
	const resized = start('layerscope-resize', 100, 30);
	const fresh = start('layerscope-fresh', 90, 40);
	try {
		await resized.waitFor(/Image efficiency score/, 'the browser');
		await resized.keys('Down', 'Tab', 'Down', 'Down');
		await settled(resized);
		for (const [columns, rows] of [[80, 24], [120, 30], [90, 40]] as const) {
			tmux('resize-window', '-t', resized.name, '-x', String(columns), '-y', String(rows));
			await settled(resized);
			await resized.keys(columns === 80 ? 'Down' : 'Up');
		}

		await fresh.waitFor(/Image efficiency score/, 'the browser');
		await fresh.keys('Down', 'Tab', 'Down', 'Down', 'Down', 'Up', 'Up');
		const expected = await settled(fresh);
		assert.match(expected, /━━ Current Layer Contents \(layer 1\)/);
		assert.equal(await settled(resized), expected);
	} finally {
		resized.kill();
		fresh.kill();
		cleanup();
	}
});

test('the CLI in tmux: help open, the terminal only narrower (ink redraws its last frame, which wraps) and no key after: the screen is what a start at that size shows', {skip: hasTmux ? false : 'tmux is not installed', timeout: 120_000}, async () => {
	const {start, settled, cleanup} = await wideImageTerminals();
	const resized = start('layerscope-narrower', 80, 24);
	const fresh = start('layerscope-narrow', 60, 24);
	try {
		await resized.waitFor(/Duplicate files/, 'the browser');
		await resized.keys('?');
		await settled(resized);
		tmux('resize-window', '-t', resized.name, '-x', '60', '-y', '24');
		await fresh.waitFor(/Duplicate files/, 'the browser');
		await fresh.keys('?');
		const expected = await settled(fresh);
		assert.match(expected, /Anywhere/);
		assert.equal(await settled(resized), expected);
	} finally {
		resized.kill();
		fresh.kill();
		cleanup();
	}
});
