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

type Metafile = {outputs: Record<string, {inputs?: Record<string, unknown>; imports: Array<{path: string; kind: string; external?: boolean}>}>};

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

test('bin/layerscope.js imports the bundle and nothing else (compare\'s early worker start, then the CLI)', () => {
	const text = readFileSync(path.join(repoRoot, 'bin/layerscope.js'), 'utf8');
	const imports = [...text.matchAll(/^import .* from '([^']+)';$/gm)].map(match => match[1]);
	assert.deepEqual(imports, ['node:url', '../dist/cli/compare-prestart.js']);
	assert.deepEqual([...text.matchAll(/await import\('([^']+)'\)/g)].map(match => match[1]), ['../dist/cli/main.js']);
	// What it loads before the CLI is that small module and the cache's environment check alone (not cacache; in
	// chunks main shares: one instance for both).
	const meta = JSON.parse(readFileSync(path.join(repoRoot, 'dist/meta.json'), 'utf8')) as Metafile;
	const graph = staticGraph(meta, 'dist/cli/compare-prestart.js');
	assert.deepEqual([...graph.inputs].sort(), ['src/cache/cache-env.ts', 'src/cli/compare-prestart.ts']);
	assert.deepEqual([...graph.externals], ['node:worker_threads']);
});

/** What the entry chunk (or `from`) loads before any dynamic import: its output files, their source inputs, and externals. */
function staticGraph(meta: Metafile, from = 'dist/cli/main.js'): {inputs: Set<string>; externals: Set<string>; all: Set<string>} {
	const inputs = new Set<string>();
	const externals = new Set<string>();
	const all = new Set<string>();
	const seen = new Set<string>();
	const walk = (output: string, onlyStatic: boolean): void => {
		if (seen.has(`${onlyStatic}:${output}`)) {
			return;
		}

		seen.add(`${onlyStatic}:${output}`);
		const entry = meta.outputs[output];
		for (const input of Object.keys(entry?.inputs ?? {})) {
			(onlyStatic ? inputs : all).add(input);
		}

		for (const item of entry?.imports ?? []) {
			if (onlyStatic && item.kind !== 'import-statement') {
				continue;
			}

			if (item.external === true) {
				(onlyStatic ? externals : all).add(item.path);
			} else {
				walk(item.path, onlyStatic);
			}
		}
	};

	walk(from, true);
	walk(from, false);
	return {inputs, externals, all};
}

test('the entry chunk reaches ink, react, dockerode, the readers and the cache only through dynamic imports', () => {
	const meta = JSON.parse(readFileSync(path.join(repoRoot, 'dist/meta.json'), 'utf8')) as Metafile;
	const {inputs, externals, all} = staticGraph(meta);
	for (const name of lazy) {
		assert.ok(!externals.has(name), `${name} is loaded at start-up`);
	}

	// ink, React and yoga are bundled (into the UI's chunks), dockerode stays in node_modules: both reached lazily.
	assert.ok(all.has('dockerode'), 'the daemon client is reached, lazily');
	for (const name of ['ink', 'react', 'react-reconciler', 'yoga-layout']) {
		assert.ok([...all].some(input => input.startsWith(`node_modules/${name}/`)), `${name} is in the bundle, lazily`);
		assert.ok(![...inputs].some(input => input.startsWith(`node_modules/${name}/`)), `${name} is loaded at start-up`);
	}

	const loadedFirst = [...inputs];
	assert.ok(loadedFirst.some(input => input.includes('node_modules/commander/')), 'commander parses the command line');
	// Command definitions are light: parsing the command line (--help, --version, completion) loads no reader, no
	// YAML parser (CI mode only) and no cache; a command's run() imports what it needs.
	for (const pattern of [/node_modules\/(?:yaml|tar-stream|cacache|msgpackr|fzstd)\//, /^src\/(?:archive|analysis|cache|sources)\//]) {
		assert.deepEqual(loadedFirst.filter(input => pattern.test(input)), [], `loaded before a command runs: ${pattern}`);
	}

	for (const name of ['@node-rs/xxhash', 'zstd-napi']) {
		assert.ok(!externals.has(name), `${name} is loaded before a command runs`);
	}
});

test('the terminal UI\'s entry loads no reader, cache or native addon before its first frame', () => {
	const meta = JSON.parse(readFileSync(path.join(repoRoot, 'dist/meta.json'), 'utf8')) as Metafile;
	const uiEntry = Object.keys(meta.outputs).find(output => output.endsWith('.js') && Object.keys(meta.outputs[output]?.inputs ?? {}).includes('src/cli/ui-command.ts'));
	assert.ok(uiEntry !== undefined);
	const {inputs, externals} = staticGraph(meta, uiEntry);
	for (const pattern of [/node_modules\/(?:tar-stream|cacache|msgpackr|fzstd|ink|react)\//, /^src\/(?:archive|analysis|cache|sources)\//, /^src\/cli\/(?:load|content|cached-analysis)\.ts$/]) {
		assert.deepEqual([...inputs].filter(input => pattern.test(input)), [], `loaded before the first frame: ${pattern}`);
	}

	assert.deepEqual([...externals].filter(name => /zstd-napi|@node-rs|dockerode/.test(name)), []);
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
	// The chunks that hold the UI's libraries (bundled, so the hook sees chunks, not node_modules/ink).
	const meta = JSON.parse(readFileSync(path.join(repoRoot, 'dist/meta.json'), 'utf8')) as Metafile;
	const uiChunks = Object.entries(meta.outputs)
		.filter(([output, {inputs}]) => output.endsWith('.js') && Object.keys(inputs ?? {}).some(input => /^node_modules\/(?:ink|react|react-reconciler|yoga-layout)\//.test(input)))
		.map(([output]) => path.basename(output));
	assert.ok(uiChunks.length > 0);
	for (const args of [[diveFixture('test-docker-image.tar')], [diveFixture('test-docker-image.tar'), '--json', '-']]) {
		rmSync(log, {force: true});
		const result = spawnSync(process.execPath, ['--import', register, path.join(repoRoot, 'bin/layerscope.js'), ...args], {encoding: 'utf8', env: {...process.env, CI: ''}});
		assert.equal(result.status, 0, result.stderr);
		const loaded = readFileSync(log, 'utf8');
		assert.match(loaded, /dist\/cli\/main\.js/);
		assert.match(loaded, /dist\/cli\/chunks\//, 'the hook sees the chunks loaded on demand');
		assert.doesNotMatch(loaded, /node_modules\/(?:ink|react|dockerode|yoga-layout)\//, args.join(' '));
		for (const chunk of uiChunks) {
			assert.ok(!loaded.includes(`/${chunk}`), `${args.join(' ')}: loads ${chunk}, a chunk of the UI's libraries`);
		}
	}
});
