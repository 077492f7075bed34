#!/usr/bin/env node
// Builds the CLI: one esbuild bundle of src/cli/main.ts into dist/cli/ (ESM, Node 20), split into chunks so that
// what `await import()` loads lazily — the ink/react UI, dockerode and the daemon sources — stays out of the
// text report's and --json's start-up. dist/meta.json is esbuild's metafile (test/cli/bundle.test.ts reads it).
// Also bundles scripts/bench-task.ts (for `npm run bench`) and scripts/make-demo-image.ts (for `npm start`). Type checking is separate: `npm run typecheck` (tsc).
//
//   node scripts/build.mjs              build
//   node scripts/build.mjs --if-stale   build only when a source is newer than the last build (for npm start)
import {existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');

/** Newest modification time (ms) of the files the build reads: sources, the package files, this script. */
function newestInput() {
	let newest = 0;
	const visit = (file) => {
		const info = statSync(file, {throwIfNoEntry: false});
		if (info === undefined) {
			return;
		}

		// A directory's time too: it changes when a file in it is removed or renamed.
		newest = Math.max(newest, info.mtimeMs);
		if (info.isDirectory()) {
			for (const name of readdirSync(file)) {
				visit(path.join(file, name));
			}
		}
	};

	for (const input of ['src', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json']) {
		visit(path.join(root, input));
	}

	return newest;
}

const ifStale = process.argv.includes('--if-stale');
if (ifStale && existsSync(stamp) && statSync(stamp).mtimeMs >= newestInput()) {
	process.exit(0);
}

/**
 * ink's DEV=true mode connects to React's devtools (react-devtools-core, not a dependency of layerscope) and reads
 * ink's own package.json beside its modules (not there once bundled): in the bundle, ink's isDev() is false
 * whatever DEV says (the UI failed to start under DEV=true), and react-devtools-core, still named by ink's dead
 * devtools import, resolves to an empty module. The build fails if ink's isDev no longer reads as expected.
 */
const noDevtools = {
	name: 'no-react-devtools',
	setup(build) {
		build.onResolve({filter: /^react-devtools-core$/}, () => ({path: 'react-devtools-core', namespace: 'no-devtools'}));
		build.onLoad({filter: /.*/, namespace: 'no-devtools'}, () => ({contents: 'export default {};'}));
		build.onLoad({filter: /node_modules[\\/]ink[\\/]build[\\/]utils\.js$/}, async arguments_ => {
			const source = await readFile(arguments_.path, 'utf8');
			const isDev = 'const isDev = () => process.env[\'DEV\'] === \'true\';';
			if (!source.includes(isDev)) {
				throw new Error(`ink's build/utils.js no longer defines \`${isDev}\`: update noDevtools in scripts/build.mjs`);
			}

			return {contents: source.replace(isDev, 'const isDev = () => false;'), loader: 'js'};
		});
	},
};

/**
 * ink re-measures and re-tokenises every line of every frame; in the bundle, `string-width` (for ink, widest-line
 * and our code) and `@alcalzone/ansi-tokenize` (for ink's output.js) resolve to caching wrappers of themselves
 * (src/ui/bundle/): the same results, from a cache for the lines a key did not change.
 */
const shims = {'string-width': 'src/ui/bundle/string-width.ts', '@alcalzone/ansi-tokenize': 'src/ui/bundle/ansi-tokenize.ts'};
const cachedMeasures = {
	name: 'cached-measures',
	setup(build) {
		build.onResolve({filter: /^(?:string-width|@alcalzone\/ansi-tokenize)$/}, arguments_ => {
			const shim = path.join(root, shims[arguments_.path]);
			const from = path.relative(root, arguments_.importer);
			// The wrapper itself imports the real module; so do modules with their own copy (wrap-ansi's string-width 7).
			if (arguments_.importer === shim || !/^(?:src\/|node_modules\/(?:ink|widest-line|@alcalzone\/ansi-tokenize)\/)/.test(from)) {
				return undefined;
			}

			return {path: shim};
		});
	},
};

/**
 * yoga's WebAssembly is a base64 data: URL inside its loader, which fetches it when `fetch` exists: on Node that
 * loads undici (and compiles its HTTP parser) on the UI's first frame, ~30-60 ms here, to decode a string. Bundled,
 * the loader takes its own synchronous path (decoding the base64 itself), as it does where there is no fetch. The
 * build fails if the loader no longer reads as expected (a yoga-layout update), rather than silently losing this.
 */
const yogaWithoutFetch = {
	name: 'yoga-without-fetch',
	setup(build) {
		build.onLoad({filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/}, async arguments_ => {
			const source = await readFile(arguments_.path, 'utf8');
			const test = '"function"!=typeof fetch';
			const count = source.split(test).length - 1;
			if (count !== 2) {
				throw new Error(`yoga-layout's wasm loader has ${count} \`${test}\` (expected 2): update yogaWithoutFetch in scripts/build.mjs`);
			}

			return {contents: source.replaceAll(test, '!0'), loader: 'js'};
		});
	},
};

/**
 * ink's Output builds every row of every frame cell by cell; in the bundle, ink's renderer gets src/ui/bundle/
 * ink-output.ts instead, which builds a row only when its pieces differ from a row built before.
 */
const rowCachingOutput = {
	name: 'row-caching-output',
	setup(build) {
		build.onResolve({filter: /^\.\/output\.js$/}, arguments_ => (
			/node_modules[\\/]ink[\\/]build[\\/]renderer\.js$/.test(arguments_.importer) ? {path: path.join(root, 'src/ui/bundle/ink-output.ts')} : undefined
		));
	},
};

/**
 * ink writes every line of every frame; in the bundle, ink gets src/ui/bundle/log-update.ts instead of its own
 * log-update.js, which writes only the lines that changed where the frame starts at the screen's top left corner.
 */
const changedLinesOnly = {
	name: 'changed-lines-only',
	setup(build) {
		build.onResolve({filter: /^\.\/log-update\.js$/}, arguments_ => (
			/node_modules[\\/]ink[\\/]build[\\/]ink\.js$/.test(arguments_.importer) ? {path: path.join(root, 'src/ui/bundle/log-update.ts')} : undefined
		));
	},
};

const started = Date.now();
rmSync(path.join(dist, 'cli'), {recursive: true, force: true});
const common = {
	absWorkingDir: root,
	bundle: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	// Pure-JavaScript dependencies are bundled too (loading cacache's ~40 CommonJS files one by one cost ~0.1 s of
	// every start). The UI (ink, react, yoga's WebAssembly) too, into its lazily loaded chunk: from node_modules,
	// its ~200 files (es-toolkit's alone ~0.2 s) took 0.3-0.5 s to load, bundled ~0.07 s. Left in node_modules:
	// dockerode (ssh2's optional native parts) and native addons.
	external: ['dockerode', 'zstd-napi', '@node-rs/*', 'msgpackr-extract', 'cpu-features', 'ssh2'],
	plugins: [noDevtools, cachedMeasures, yogaWithoutFetch, rowCachingOutput, changedLinesOnly],
	// Whitespace and syntax only: names stay readable in a --debug stack trace.
	minifyWhitespace: true,
	minifySyntax: true,
	// CommonJS code in an ESM bundle still calls require() for Node's modules.
	banner: {js: 'import {createRequire as __layerscopeCreateRequire} from "node:module"; const require = __layerscopeCreateRequire(import.meta.url);'},
	sourcemap: 'linked',
	logLevel: 'warning',
};
const result = await esbuild.build({
	...common,
	// compare-load is the worker's module, which bin/layerscope.js starts before main loads (compare-prestart.ts).
	entryPoints: {'cli/main': 'src/cli/main.ts', 'cli/compare-load': 'src/cli/compare-load.ts', 'cli/compare-prestart': 'src/cli/compare-prestart.ts'},
	outdir: dist,
	splitting: true,
	chunkNames: 'cli/chunks/[name]-[hash]',
	metafile: true,
});
await esbuild.build({
	...common,
	entryPoints: {'scripts/bench-task': 'scripts/bench-task.ts', 'scripts/make-demo-image': 'scripts/make-demo-image.ts'},
	outdir: dist,
});
mkdirSync(dist, {recursive: true});
writeFileSync(path.join(dist, 'meta.json'), JSON.stringify(result.metafile));
writeFileSync(stamp, `${new Date().toISOString()}\n`);
if (!ifStale || process.stdout.isTTY) {
	console.error(`built dist/cli in ${Date.now() - started} ms`);
}
