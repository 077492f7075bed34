// The built CLI (scripts/build.mjs, esbuild): the text report and the JSON export never load ink, react or
// dockerode — checked both in esbuild's metafile (static imports only) and in a real run with a module hook
// that records every module Node loads.
import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {diveFixture, repoRoot} from '../helpers/fixtures.js';

type Metafile = {outputs: Record<string, {imports: Array<{path: string; kind: string; external?: boolean}>}>};

const lazy = ['ink', 'react', 'react/jsx-runtime', 'dockerode'];
const work = mkdtempSync(path.join(tmpdir(), 'layerscope-bundle-'));
after(() => {
	rmSync(work, {recursive: true, force: true});
});

before(() => {
	if (!existsSync(path.join(repoRoot, 'dist/meta.json'))) {
		execFileSync(process.execPath, ['scripts/build.mjs'], {cwd: repoRoot, stdio: 'inherit'});
	}
});

test('bin/layerscope.js imports the bundle and nothing else', () => {
	const imports = [...readFileSync(path.join(repoRoot, 'bin/layerscope.js'), 'utf8').matchAll(/^import .* from '([^']+)';$/gm)].map(match => match[1]);
	assert.deepEqual(imports, ['../dist/cli/main.js']);
});

test('the entry chunk reaches ink, react and dockerode only through dynamic imports', () => {
	const meta = JSON.parse(readFileSync(path.join(repoRoot, 'dist/meta.json'), 'utf8')) as Metafile;
	const staticReach = new Set<string>();
	const everything = new Set<string>();
	const walk = (output: string, onlyStatic: boolean, seen: Set<string>): void => {
		for (const item of meta.outputs[output]?.imports ?? []) {
			if (onlyStatic && item.kind !== 'import-statement') {
				continue;
			}

			if (item.external === true) {
				seen.add(item.path);
			} else if (!seen.has(item.path)) {
				seen.add(item.path);
				walk(item.path, onlyStatic, seen);
			}
		}
	};

	walk('dist/cli/main.js', true, staticReach);
	walk('dist/cli/main.js', false, everything);
	for (const name of lazy) {
		assert.ok(!staticReach.has(name), `${name} is loaded at start-up`);
	}

	assert.ok(everything.has('ink') && everything.has('dockerode'), 'the UI and the daemon are in the bundle, lazily');
	assert.ok(staticReach.has('commander') && !staticReach.has('yaml'), 'the YAML parser loads only in CI mode');
	// Command definitions are light: parsing the command line (--help, --version, completion) loads no reader;
	// a command's run() imports what it needs.
	for (const name of ['tar-stream', '@node-rs/xxhash', 'zstd-napi', 'fzstd', 'cacache', 'msgpackr']) {
		assert.ok(!staticReach.has(name), `${name} is loaded before a command runs`);
	}
});

test('a real run of the text report and of --json - loads no UI and no dockerode', () => {
	const log = path.join(work, 'loaded.txt');
	const hooks = path.join(work, 'hooks.mjs');
	writeFileSync(hooks, `import {appendFileSync} from 'node:fs';
export async function load(url, context, next) {
	appendFileSync(${JSON.stringify(log)}, url + '\\n');
	return next(url, context);
}
`);
	const register = path.join(work, 'register.mjs');
	writeFileSync(register, `import {register} from 'node:module';\nregister(${JSON.stringify(`file://${hooks}`)});\n`);
	for (const args of [[diveFixture('test-docker-image.tar')], [diveFixture('test-docker-image.tar'), '--json', '-']]) {
		rmSync(log, {force: true});
		const result = spawnSync(process.execPath, ['--import', register, path.join(repoRoot, 'bin/layerscope.js'), ...args], {encoding: 'utf8', env: {...process.env, CI: ''}});
		assert.equal(result.status, 0, result.stderr);
		const loaded = readFileSync(log, 'utf8');
		assert.match(loaded, /dist\/cli\/main\.js/);
		assert.match(loaded, /node_modules\/tar-stream\//, 'the hook sees packages');
		assert.doesNotMatch(loaded, /node_modules\/(?:ink|react|dockerode|yaml)\//, args.join(' '));
	}
});
