// Runs every test file under test/ with node's test runner (Node 20 has no --test globbing for .ts).
import {spawnSync} from 'node:child_process';
import {readdirSync, statSync} from 'node:fs';
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
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {stdio: 'inherit'});
process.exit(result.status ?? 1);
