// Runs every test file under test/ with node's test runner (Node 20 has no --test globbing for .ts).
import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, readFileSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

function find(dir: string, out: string[]): string[] {
	for (const name of readdirSync(dir).sort()) {
		const full = path.join(dir, name);
		if (name === 'fixtures' || name === 'helpers') {
			continue;
		}

		if (statSync(full).isDirectory()) {
			find(full, out);
		} else if (/\.test\.tsx?$/.test(name)) {
			out.push(full);
		}
	}

	return out;
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : find('test', []);
// The spec report for people, and a TAP copy to read the totals from for the closing line.
const tap = path.join(mkdtempSync(path.join(tmpdir(), 'layerscope-tests-')), 'report.tap');
// CI systems set CI=true. The tests must not inherit it: it would put the CLI they run into CI mode (as dive
// does) and make ink render only final frames (ink checks is-in-ci). Tests that want CI mode set it themselves.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'CI' && key !== 'CONTINUOUS_INTEGRATION' && !key.startsWith('CI_')));
const result = spawnSync(process.execPath, [
	// Each test process (the runner starts one a file) gets its own empty layer cache; see the file.
	'--import', 'tsx', '--import', './test/helpers/cache-env.ts', '--test',
	'--test-reporter=spec', '--test-reporter-destination=stdout',
	'--test-reporter=tap', `--test-reporter-destination=${tap}`,
	...files,
], {stdio: 'inherit', env});
const report = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
const count = (name: string): number => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(report)?.[1] ?? 0);
console.log(`\ntests: ${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${count('skipped')} skipped`);
process.exit(result.status ?? 1);
