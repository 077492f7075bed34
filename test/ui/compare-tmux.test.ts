// `layerscope compare` in a real terminal (tmux): the built CLI reads both images in worker threads, opens the
// compare UI, takes keys, and gives the terminal back in cooked mode after q.
import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {diveFixture, repoRoot} from '../helpers/fixtures.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

function tmux(...args: string[]): string {
	return execFileSync('tmux', args, {encoding: 'utf8'});
}

async function sleep(ms: number): Promise<void> {
	await new Promise(resolve => {
		setTimeout(resolve, ms);
	});
}

test('compare in tmux: the merged tree, a filter, and the terminal restored', {skip: hasTmux ? false : 'tmux is not installed', timeout: 120_000}, async () => {
	if (!existsSync(path.join(repoRoot, 'dist/cli/main.js'))) {
		execFileSync('npm', ['run', 'build', '--silent'], {cwd: repoRoot, stdio: 'inherit'});
	}

	const entry = path.join(repoRoot, 'bin/layerscope.js');
	const session = `layerscope-test-compare-${process.pid}`;
	const script = `node ${JSON.stringify(entry)} compare ${JSON.stringify(diveFixture('test-docker-image.tar'))} ${JSON.stringify(diveFixture('test-kaniko-image.tar'))}; echo "EXIT=$?"; stty -a; sleep 600`;
	tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', '-e', 'TERM=xterm-256color', '-c', repoRoot, script);
	const screen = (): string => tmux('capture-pane', '-p', '-t', session);
	const waitFor = async (pattern: RegExp, what: string): Promise<string> => {
		let text = '';
		for (let tries = 0; tries < 600; tries++) {
			text = screen();
			if (pattern.test(text)) {
				return text;
			}

			await sleep(50);
		}

		throw new Error(`timed out waiting for ${what}; the screen:\n${text}`);
	};

	try {
		let text = await waitFor(/━━ A → B/, 'the compare UI');
		assert.match(text, /━━ A → B ━+ \+7 ~10 -1 ━/);
		assert.match(text, /── Layers ─+ 14 only A · 14 only B/);
		assert.match(text, /│>~ +1\.2 MB +1\.2 MB +\+78 kB {2}├── bin\n/, 'the cursor on the first row, a changed directory');
		tmux('send-keys', '-t', session, '/');
		for (const key of 'saved') {
			tmux('send-keys', '-t', session, key);
			await sleep(40);
		}

		text = await waitFor(/Filter \(regex on path\): saved▏/, 'the filter');
		assert.match(text, /saved\.txt/);
		assert.doesNotMatch(text, /getconf/);
		tmux('send-keys', '-t', session, 'Enter');
		await sleep(100);
		tmux('send-keys', '-t', session, 'q');
		text = await waitFor(/EXIT=\d+/, 'the exit');
		assert.match(text, /EXIT=0/);
		assert.match(text, / icanon /, 'cooked mode again');
		assert.match(text, / echo /, 'echo again');
	} finally {
		spawnSync('tmux', ['kill-session', '-t', session]);
	}
});
