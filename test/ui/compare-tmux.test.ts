// `layerscope compare` in a real terminal (tmux): the built CLI reads both images in worker threads, opens the
// compare UI, takes keys, and gives the terminal back in cooked mode after q.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {diveFixture, repoRoot} from '../helpers/fixtures.js';
import {exitedWithStty, hasTmux, sleep, startTmux} from '../helpers/tmux.js';

test('compare in tmux: the merged tree, a filter, and the terminal restored', {skip: hasTmux ? false : 'tmux is not installed', timeout: 120_000}, async () => {
	if (!existsSync(path.join(repoRoot, 'dist/cli/main.js'))) {
		execFileSync('npm', ['run', 'build', '--silent'], {cwd: repoRoot, stdio: 'inherit'});
	}

	const entry = path.join(repoRoot, 'bin/layerscope.js');
	const script = `node ${JSON.stringify(entry)} compare ${JSON.stringify(diveFixture('test-docker-image.tar'))} ${JSON.stringify(diveFixture('test-kaniko-image.tar'))}; echo "EXIT=$?"; stty -a; sleep 600`;
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
