// Start-up times of the built CLI: median wall time of `node bin/layerscope.js …` for the text report and the
// JSON export of the demo image, --version and help, each run N times, alternating. `--baseline FILE` also times
// another entry script (e.g. an older checkout's bin/layerscope.js) in the same runs, for a before/after.
//
//   npm run build && node --import tsx scripts/bench-start.ts [--runs 15] [--baseline /other/bin/layerscope.js]
import {spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {parseArgs} from 'node:util';

const {values} = parseArgs({options: {runs: {type: 'string', default: '15'}, baseline: {type: 'string'}}});
const runs = Number(values.runs);
const demo = 'test/fixtures/demo-image.tar';
if (!existsSync(demo)) {
	spawnSync(process.execPath, ['--import', 'tsx', 'scripts/make-demo-image.ts', '--if-missing'], {stdio: 'inherit'});
}

const entries: Array<[string, string]> = [['this build', path.resolve('bin/layerscope.js')]];
if (values.baseline !== undefined) {
	entries.push(['baseline', path.resolve(values.baseline)]);
}

const cases: Array<[string, string[]]> = [
	['text report (demo image)', [demo]],
	['--json - (demo image)', [demo, '--json', '-']],
	['--version', ['--version']],
	['--help', ['--help']],
];

function once(entry: string, args: string[]): number {
	const started = process.hrtime.bigint();
	const result = spawnSync(process.execPath, [entry, ...args], {stdio: ['ignore', 'ignore', 'pipe'], env: {...process.env, CI: ''}});
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	if (result.status !== 0) {
		throw new Error(`${entry} ${args.join(' ')} exited ${result.status}: ${String(result.stderr)}`);
	}

	return ms;
}

const median = (list: number[]): number => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
console.log(`start-up, median of ${runs} runs (alternating), wall ms`);
for (const [label, args] of cases) {
	const times = new Map<string, number[]>(entries.map(([name]) => [name, []]));
	for (let run = 0; run < runs; run++) {
		for (const [name, entry] of entries) {
			times.get(name)!.push(once(entry, args));
		}
	}

	console.log(`${label.padEnd(26)} ${entries.map(([name]) => `${name} ${median(times.get(name)!).toFixed(0).padStart(5)} ms`).join('   ')}`);
}
