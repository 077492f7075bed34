// Standard output that cannot be written (a full disk: /dev/full) fails the run with one line and exit 2 — the text
// report and compare's Markdown alike (`>> $GITHUB_STEP_SUMMARY` on a full disk must not pass); a reader that goes
// away (EPIPE, `| head`) is not a failure.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {closeSync, existsSync, openSync} from 'node:fs';
import {test} from 'node:test';
import {repoRoot} from '../helpers/fixtures.js';
import {builtCli} from '../helpers/tmux.js';

const demo = 'test/fixtures/demo-image.tar';

test('the text report and compare --markdown to /dev/full: one line, exit 2; to a closed pipe: exit 0', {skip: existsSync('/dev/full') ? false : 'no /dev/full here'}, () => {
	const cli = builtCli();
	for (const args of [[demo, '--no-ci-gate'], ['compare', demo, demo, '--markdown']]) {
		const full = openSync('/dev/full', 'w');
		try {
			const result = spawnSync(process.execPath, [cli, ...args], {cwd: repoRoot, stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 60_000});
			assert.equal(result.status, 2, args.join(' '));
			assert.equal(result.stderr, 'layerscope: cannot write to standard output: ENOSPC\n');
		} finally {
			closeSync(full);
		}
	}

	// A reader that stops after 10 bytes: nothing said.
	const piped = spawnSync('sh', ['-c', '"$0" "$1" "$2" --no-ci-gate | head -c 10 >/dev/null', process.execPath, cli, demo], {cwd: repoRoot, encoding: 'utf8', timeout: 60_000});
	assert.equal(piped.stderr, '');
});
