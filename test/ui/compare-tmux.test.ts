// `layerscope compare` in a real terminal (tmux): the built CLI reads both images in worker threads, opens the
// compare UI, takes keys, and gives the terminal back in cooked mode after q.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {displayWidth} from '../../src/ui/text-width.js';
import {diveFixture, repoRoot} from '../helpers/fixtures.js';
import {builtCli, exitedWithStty, hasTmux, sleep, startTmux} from '../helpers/tmux.js';

/** compare of two of dive's fixtures by the built CLI, then its exit code and the terminal's settings. */
function compareScript(): string {
	return `node ${JSON.stringify(builtCli())} compare ${JSON.stringify(diveFixture('test-docker-image.tar'))} ${JSON.stringify(diveFixture('test-kaniko-image.tar'))}; echo "EXIT=$?"; stty -a; sleep 600`;
}

test('compare in tmux: the merged tree, a filter, and the terminal restored', {skip: hasTmux ? false : 'tmux is not installed', timeout: 120_000}, async () => {
	const script = compareScript();
	const terminal = startTmux('layerscope-test-compare', script, {columns: 120, rows: 30, cwd: repoRoot, env: {TERM: 'xterm-256color'}, pause: 40});
	const {waitFor} = terminal;

	try {
		let text = await waitFor(/━━ A → B/, 'the compare UI');
		assert.match(text, /━━ A → B ━+ \+7 ~10 -1 ━/);
		assert.match(text, /── Layers ─+ 14 only A · 14 only B/);
		assert.match(text, /│>~ +1\.2 MB +1\.2 MB +\+78 kB {2}├── bin\n/, 'the cursor on the first row, a changed directory');
		await terminal.keys('/', ...'saved');

		text = await waitFor(/Filter \(regex on path\): saved▏/, 'the filter');
		assert.match(text, /saved\.txt/);
		assert.doesNotMatch(text, /getconf/);
		await terminal.keys('Enter');
		await sleep(100);
		await terminal.keys('q');
		text = await waitFor(exitedWithStty, 'the exit and stty');
		assert.match(text, /EXIT=0/);
		assert.match(text, / icanon /, 'cooked mode again');
		assert.match(text, / echo /, 'echo again');
	} finally {
		terminal.kill();
	}
});

test('compare in tmux at 80x24: figures whole, the columns that do not fit hidden, ? Help and q Quit in the bar', {skip: hasTmux ? false : 'tmux is not installed', timeout: 120_000}, async () => {
	const script = compareScript();
	const terminal = startTmux('layerscope-test-compare80', script, {columns: 80, rows: 24, cwd: repoRoot, env: {TERM: 'xterm-256color'}, pause: 40});
	try {
		// The bar is drawn last: once it is there, the frame is whole.
		const text = await terminal.waitFor(/━━ A → B[^]*\? Help {2}q Quit/, 'the compare UI and its help bar');
		// The UI takes rows − 1 lines (src/ui/compare-run.ts), the bar last.
		const lines = text.split('\n').slice(0, 23);
		assert.match(lines[0]!, /^── Summary ─+│━━ A → B ━+ \+7 ~10 -1 ━$/);
		assert.ok(lines.every(line => displayWidth(line) <= 80), 'no row wider than the terminal');
		assert.match(text, /^ +A +B +Delta │ +Size B +Delta {2}Filetree$/m, 'A\'s tree column gives way, B\'s and the delta\'s stay');
		assert.match(text, /^size +1\.2 MB 1\.3 MB \+106 kB │>~ +1\.2 MB +\+78 kB {2}├── bin$/m);
		assert.match(text, /^effic\. +98\.4% +97\.9% +-0\.5pt │/m);
		assert.match(text, /── Layers ─+ only A 14 · B 14 ─│/);
		assert.match(lines.at(-1)!, /\? Help {2}q Quit$/);
		assert.doesNotMatch(text.split('\n').filter(line => !/^(- A\d|… \d+ more)/.test(line)).join('\n'), /…/, 'nothing cut but layer commands (and the list\'s "… N more")');
		await terminal.keys('q');
		assert.match(await terminal.waitFor(exitedWithStty, 'the exit and stty'), /EXIT=0/);
	} finally {
		terminal.kill();
	}
});
