// Loaded into every test process (scripts/run-tests.ts passes `--import` for it): a fresh, empty layer cache
// directory of its own, removed when the process ends, so no test reads or writes the user's cache or another
// test file's. Child processes (the CLI under test) inherit it through the environment.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-test-cache-'));
process.env['LAYERSCOPE_CACHE_DIR'] = dir;
delete process.env['LAYERSCOPE_NO_CACHE'];
process.on('exit', () => {
	rmSync(dir, {recursive: true, force: true});
});
