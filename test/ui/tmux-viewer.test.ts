// The file viewer in a real terminal: the built CLI in tmux at 80×24, a file with escape sequences viewed with v,
// searched with /, closed with q; nothing in the file reaches the terminal raw (the window title is untouched).
import assert from 'node:assert/strict';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {buildImageArchive} from '../../scripts/lib/image-builder.js';
import {repoRoot} from '../helpers/fixtures.js';
import {hasTmux, startTmux} from '../helpers/tmux.js';

test('the viewer in tmux at 80×24: v, /, q; escapes shown, never sent', {skip: hasTmux ? false : 'tmux is not installed', timeout: 120_000}, async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-tmux-viewer-'));
	const archive = path.join(dir, 'image.tar');
	const text = Array.from({length: 60}, (_, index) => `line ${index + 1}${index === 1 ? ' \u001B]2;PWNED\u0007\u001B[2J 日本語 👩‍👩‍👧‍👦' : ''}${index === 44 ? ' needle' : ''}`).join('\n');
	writeFileSync(archive, await buildImageArchive([{entries: [{path: 'etc', type: 'dir'}, {path: 'etc/app.conf', content: text}]}], {format: 'docker25'}));
	const terminal = startTmux('layerscope-viewer', `node bin/layerscope.js ${JSON.stringify(archive)}; echo "EXIT=$?"; sleep 600`, {columns: 80, rows: 24, cwd: repoRoot, env: {TERM: 'xterm-256color'}, pause: 80});
	const {waitFor, keys} = terminal;

	try {
		await waitFor(/Image efficiency score/, 'the browser');
		await keys('Tab', 'j', 'v');
		let shown = await waitFor(/ 1 │ line 1/, 'the viewer');
		assert.match(shown, /━━ \/etc\/app\.conf \(layer 0\)/);
		assert.match(shown, / 2 │ line 2 ␛\]2;PWNED␇␛\[2J 日本語/);
		assert.doesNotMatch(terminal.title(), /PWNED/);
		for (const row of shown.split('\n')) {
			assert.ok(row.length <= 80);
		}

		await keys('/', 'n', 'e', 'e', 'd', 'l', 'e', 'Enter');
		shown = await waitFor(/45 │ line 45 needle/, 'the match');
		await keys('q');
		await waitFor(/Current Layer Contents/, 'the browser again');
		await keys('q');
		await waitFor(/EXIT=0/, 'the exit');
	} finally {
		terminal.kill();
	}
});
