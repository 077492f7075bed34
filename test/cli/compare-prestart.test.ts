// compare's worker started before the CLI loads (src/cli/compare-prestart.ts): only for the compare command, taken
// once, and the module it runs gets what the taker sends it.
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {after, test} from 'node:test';
import {prestartCompareWorker, prestartKind, takePrestartedWorker} from '../../src/cli/compare-prestart.js';

const work = mkdtempSync(path.join(tmpdir(), 'layerscope-prestart-'));
after(() => {
	rmSync(work, {recursive: true, force: true});
});

// Stands in for compare-load: waits for its request, answers with what it was started as and what it was sent.
const module = path.join(work, 'echo.mjs');
writeFileSync(module, `import {parentPort, workerData} from 'node:worker_threads';
parentPort.once('message', request => { parentPort.postMessage({started: workerData.kind, request}); });
`);

test('started for compare only (not for an image, --help or no command), taken once, sent its request', async () => {
	for (const argv of [['nginx:latest'], ['compare', '--help'], ['--json', 'out.json', 'image.tar'], []]) {
		prestartCompareWorker(argv, pathToFileURL(module));
		assert.equal(takePrestartedWorker(), undefined, argv.join(' '));
	}

	prestartCompareWorker(['--debug', 'compare', 'a.tar', 'b.tar'], pathToFileURL(module));
	const worker = takePrestartedWorker();
	assert.ok(worker !== undefined);
	assert.equal(takePrestartedWorker(), undefined, 'taken once');
	const answer = new Promise(resolve => {
		worker.once('message', resolve);
	});
	worker.postMessage({target: 'a.tar'});
	assert.deepEqual(await answer, {started: prestartKind, request: {target: 'a.tar'}});
	await worker.terminate();
});
