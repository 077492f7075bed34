// A run whose event loop empties while the command still waits (a bug: a wait nothing will end) does not end as a
// success with no output: main.ts's guard says so in one line, exit 2. Checked in a plain Node process on the built
// CLI, as a user runs it.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {before, test} from 'node:test';
import {repoRoot} from '../helpers/fixtures.js';

const entry = pathToFileURL(path.join(repoRoot, 'dist/cli/main.js')).href;
before(() => {
	if (!existsSync(path.join(repoRoot, 'dist/cli/main.js'))) {
		spawnSync(process.execPath, ['scripts/build.mjs'], {cwd: repoRoot, stdio: 'inherit'});
	}
});

const run = (body: string) => spawnSync(process.execPath, ['--input-type=module', '-e', `import {guardUnfinished} from ${JSON.stringify(entry)};\n${body}`], {encoding: 'utf8', timeout: 20_000});

test('a wait nothing will end: one line, exit 2; a run that finished: nothing said, its own code', () => {
	const stuck = run('guardUnfinished();\nvoid new Promise(() => undefined).then(() => console.log("never"));');
	assert.equal(stuck.status, 2);
	assert.equal(stuck.stdout, '');
	assert.match(stuck.stderr, /^layerscope: internal error: the run stopped before it finished \(nothing was left to wait for\); please report it\n$/);
	const done = run('const finished = guardUnfinished();\nfinished();');
	assert.equal(done.status, 0);
	assert.equal(done.stderr, '');
});
