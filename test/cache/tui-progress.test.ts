// The TUI's progress view says how many layers came from the layer cache (the real UI, cache and archive; only
// the terminal is a fake stream).
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {stripVTControlCharacters} from 'node:util';
import type {Analysis} from '../../src/analysis/types.js';
import {LayerCache} from '../../src/cache/layer-cache.js';
import {loadImage} from '../../src/cli/load.js';
import {runUi} from '../../src/cli/ui-command.js';
import {buildImageArchive} from '../../scripts/lib/image-builder.js';
import {FakeStdin, FakeStdout, until} from '../helpers/fake-terminal.js';

test('a second open in the TUI shows "from cache" in its progress view', async t => {
	const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-cache-tui-'));
	t.after(() => {
		rmSync(dir, {recursive: true, force: true});
	});
	const archive = path.join(dir, 'image.tar');
	writeFileSync(archive, await buildImageArchive([
		{entries: [{path: 'etc', type: 'dir'}, {path: 'etc/os-release', content: 'ID=test\n'}]},
		{entries: [{path: 'app', type: 'dir'}, {path: 'app/run', content: 'run\n', mode: 0o755}]},
	], {format: 'docker25', compression: 'gzip'}));
	const cache = new LayerCache({dir: path.join(dir, 'cache')});
	await loadImage(archive, {cache});
	await cache.flush();

	const stdout = new FakeStdout();
	const stdin = new FakeStdin();
	const text = (): string => stripVTControlCharacters(stdout.output);
	// The real cache, held at the analysis step until the progress frame is drawn: the load is otherwise over
	// before the view's first 100 ms of throttling.
	class HeldCache extends LayerCache {
		override async getAnalysis(key: string): Promise<Analysis | undefined> {
			await until(() => /Analysing.*\(2 layers from cache\)/.test(text()), 'the progress view to say "from cache"', 1000);
			return super.getAnalysis(key);
		}
	}

	const result = runUi(archive, {cache: new HeldCache({dir: path.join(dir, 'cache')})}, {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		viewport: {width: 100, height: 30},
		alternateScreen: false,
		colors: false,
	});
	await until(() => text().includes('Image efficiency score'), 'the browser', 1000);
	assert.match(text(), /^Analysing \(2 layers from cache\)$/m);
	stdin.write('q');
	assert.equal(await result, 'quit');
});
