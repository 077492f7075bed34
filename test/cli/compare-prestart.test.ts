// compare's worker started before the CLI loads (src/cli/compare-prestart.ts, as built): only for the compare
// command, taken once, and the module it runs gets what the taker sends it. Run in a plain Node process (a worker
// inherits the test runner's --import flags, which Node 20 cannot apply in a worker).
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {after, before, test} from 'node:test';
import {repoRoot} from '../helpers/fixtures.js';
import {builtCli} from '../helpers/tmux.js';

const work = mkdtempSync(path.join(tmpdir(), 'layerscope-prestart-'));
after(() => {
	rmSync(work, {recursive: true, force: true});
});

// The built CLI (compare-prestart.js is built with it).
before(() => {
	builtCli();
});

test('started for compare only (not for an image, --help or no command), taken once, sent its request', () => {
	// Stands in for compare-load: waits for its request, answers with what it was started as and what it was sent.
	const echo = path.join(work, 'echo.mjs');
	writeFileSync(echo, `import {parentPort, workerData} from 'node:worker_threads';
parentPort.once('message', request => { parentPort.postMessage({started: workerData.kind, request}); });
`);
	const script = path.join(work, 'run.mjs');
	writeFileSync(script, `import {prestartCompareWorker, takePrestartedWorker} from ${JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist/cli/compare-prestart.js')).href)};
const module = new URL(${JSON.stringify(pathToFileURL(echo).href)});
const out = {};
for (const argv of [['nginx:latest'], ['compare', '--help'], ['--json', 'out.json', 'image.tar'], []]) {
	prestartCompareWorker(argv, module);
	out[argv.join(' ')] = takePrestartedWorker() === undefined ? 'none' : 'started';
}

prestartCompareWorker(['--debug', 'compare', 'a.tar', 'b.tar'], module);
const worker = takePrestartedWorker();
out.again = takePrestartedWorker() === undefined ? 'none' : 'started';
const answer = new Promise(resolve => worker.once('message', resolve));
worker.postMessage({target: 'a.tar'});
out.answer = await answer;
await worker.terminate();
console.log(JSON.stringify(out));
`);
	const out = JSON.parse(execFileSync(process.execPath, [script], {encoding: 'utf8', timeout: 20_000})) as Record<string, unknown>;
	assert.deepEqual(out, {
		'nginx:latest': 'none',
		'compare --help': 'none',
		'--json out.json image.tar': 'none',
		'': 'none',
		again: 'none',
		answer: {started: 'layerscope-compare-prestart', request: {target: 'a.tar'}},
	});
});
