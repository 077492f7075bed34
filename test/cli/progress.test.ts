// Progress on stderr: a pull's lines in a log (no "pulled: …" when it failed), the redrawn line on a terminal
// (its verb said once).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {stderrProgress} from '../../src/cli/progress.js';

test('not a terminal: a pull gets a line when it starts and, only when the read succeeded, when it ends', () => {
	for (const ok of [true, false]) {
		const written: string[] = [];
		const progress = stderrProgress(text => written.push(text), {isTTY: false});
		progress.onStatus!({phase: 'pull', message: 'pulling app:1', current: 0});
		progress.onStatus!({phase: 'pull', message: 'pulling app:1: 1/1 layers', current: 2_000_000});
		progress.onStatus!({phase: 'export', message: 'exporting app:1 from Docker'});
		progress.done(ok);
		assert.deepEqual(written, ok ? ['pulling app:1\n', 'pulled: 2 MB\n'] : ['pulling app:1\n']);
	}
});

test('a terminal: one redrawn line, the message with its own verb, erased at the end', () => {
	const written: string[] = [];
	const progress = stderrProgress(text => written.push(text), {isTTY: true, columns: 80});
	progress.onStatus!({phase: 'export', message: 'exporting app:1 from Docker'});
	progress.done(false);
	assert.deepEqual(written, ['\r\u001B[2Kexporting app:1 from Docker', '\r\u001B[2K']);
});
