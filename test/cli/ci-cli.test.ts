// The built command line in CI mode: report on stdout, status on stderr, exit codes 0 / 1 / 2, rules files found
// in the working directory, CI=true, JUnit and JSON outputs.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {runCli} from '../helpers/cli.js';
import {diveFixtures, repoRoot} from '../helpers/fixtures.js';

const fixtures = diveFixtures;
const fixture = path.join(fixtures, 'test-docker-image.tar');
const diveCi = path.join(fixtures, '.dive-ci');
const work = mkdtempSync(path.join(tmpdir(), 'layerscope-ci-cli-'));
after(() => {
	rmSync(work, {recursive: true, force: true});
});

/** An empty working directory (no rules file), so the defaults apply unless a test adds one. */
function cwd(): string {
	return mkdtempSync(path.join(work, 'cwd-'));
}

const env = {CI: '', NO_COLOR: '1'};

test('--ci with dive\'s .dive-ci: dive\'s report on stdout, status lines on stderr, exit 0', async () => {
	const result = await runCli([fixture, '--ci', '--ci-config', diveCi], {cwd: cwd(), env});
	assert.equal(result.code, 0, result.stderr);
	assert.equal(result.stdout, [
		'Analysis:',
		'  efficiency:        98.44 %',
		'  wastedBytes:       32025 bytes (32 kB)',
		'  userWastedPercent: 48.35 %',
		'',
		'Inefficient Files:',
		'  Count  Wasted Space  File Path',
		'  2      13 kB         /root/saved.txt',
		'  2      13 kB         /root/example/somefile1.txt',
		'  2      6.4 kB        /root/example/somefile3.txt',
		'',
		'Evaluation:',
		'  PASS  highestUserWastedPercent (0.5)',
		'  PASS  highestWastedBytes (20Mb)',
		'  PASS  lowestEfficiency (0.95)',
		'',
		'PASS [pass:3]',
		'',
	].join('\n'));
	assert.match(result.stderr, /^Analyzing image {15}\[layers:14 files:451 size:1\.2 MB\]$/m);
	assert.doesNotMatch(result.stderr, /\u001B/);
});

test('--ci with the default rules fails highestUserWastedPercent: exit 1', async () => {
	const result = await runCli([fixture, '--ci'], {cwd: cwd(), env});
	assert.equal(result.code, 1, result.stderr);
	assert.match(result.stdout, /^ {2}FAIL {2}highestUserWastedPercent \(too many bytes wasted, relative to the user bytes added \(%-user-wasted-bytes=0\.48 > threshold=0\.1\)\)$/m);
	assert.match(result.stdout, /\nFAIL \[pass:1 fail:1 skip:1\]\n$/);
});

test('CI=true selects CI mode without --ci, as in dive', async () => {
	const result = await runCli([fixture], {cwd: cwd(), env: {...env, CI: 'true'}});
	assert.equal(result.code, 1, result.stderr);
	assert.ok(result.stdout.startsWith('Analysis:\n'));
});

test('--no-ci-gate: the report even with CI=true (what npm start passes); with a CI-gate option it is a usage error', async () => {
	const report = await runCli([fixture, '--no-ci-gate'], {cwd: cwd(), env: {...env, CI: 'true'}});
	assert.equal(report.code, 0, report.stderr);
	assert.match(report.stdout, /^Image: /);
	const both = await runCli([fixture, '--no-ci-gate', '--ci'], {cwd: cwd(), env});
	assert.equal(both.code, 2);
	assert.equal(both.stderr, 'layerscope: --no-ci-gate contradicts --ci and the CI-gate options: give one or the other\n');
});

test('the .dive-ci of the working directory is read; .layerscope-ci.yml wins over it; flags win over both', async () => {
	const dir = cwd();
	copyFileSync(diveCi, path.join(dir, '.dive-ci'));
	assert.equal((await runCli([fixture, '--ci'], {cwd: dir, env})).code, 0);

	writeFileSync(path.join(dir, '.layerscope-ci.yml'), 'rules:\n  highestUserWastedPercent: 0.4\n');
	assert.equal((await runCli([fixture, '--ci'], {cwd: dir, env})).code, 1);
	assert.equal((await runCli([fixture, '--ci', '--highest-user-wasted-percent', 'off'], {cwd: dir, env})).code, 0);
});

test('configuration errors: exit 2, one line on stderr naming the key and the value, nothing on stdout', async () => {
	const bad = await runCli([fixture, '--ci', '--lowest-efficiency', '1.5'], {cwd: cwd(), env});
	assert.equal(bad.code, 2);
	assert.equal(bad.stdout, '');
	assert.match(bad.stderr, /lowestEfficiency value "1\.5": must be a ratio between 0 and 1\n$/);
	assert.equal(bad.stderr.trimEnd().split('\n').filter(line => /lowestEfficiency/.test(line)).length, 1);

	const missing = await runCli([fixture, '--ci', '--ci-config', 'nope.yml'], {cwd: cwd(), env});
	assert.equal(missing.code, 2);
	assert.match(missing.stderr, /^layerscope: cannot read CI config nope\.yml: there is no such file \(looked for .*\/nope\.yml\); name an existing rules file, or leave out --ci-config/m);
	assert.doesNotMatch(missing.stderr, /ENOENT/);

	const dir = cwd();
	writeFileSync(path.join(dir, '.dive-ci'), 'rules:\n  highestWastedBytes: 20 megs\n');
	const malformed = await runCli([fixture, '--ci'], {cwd: dir, env});
	assert.equal(malformed.code, 2);
	assert.match(malformed.stderr, /\.dive-ci: invalid highestWastedBytes value "20 megs": not a byte size \(unknown unit\)\n$/);
});

test('--ci-format junit writes the JUnit file; --json adds the rule results under "ci"', async () => {
	const dir = cwd();
	const result = await runCli([fixture, '--ci', '--ci-format', 'junit', '--junit-file', 'rules.xml', '--json', 'out.json'], {cwd: dir, env});
	assert.equal(result.code, 1, result.stderr);
	const xml = readFileSync(path.join(dir, 'rules.xml'), 'utf8');
	assert.match(xml, /<testsuite name="layerscope CI: [^"]*test-docker-image\.tar" tests="3" failures="1" errors="0" skipped="1"/);
	const json = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')) as {ci: {pass: boolean; rules: Array<{rule: string; status: string}>}};
	assert.equal(json.ci.pass, false);
	assert.deepEqual(json.ci.rules.map(item => [item.rule, item.status]), [
		['highestUserWastedPercent', 'FAIL'],
		['highestWastedBytes', 'SKIP'],
		['lowestEfficiency', 'PASS'],
	]);
	assert.deepEqual(readdirSync(dir).sort(), ['out.json', 'rules.xml'], 'no temporary files left behind');
});

test('stderr and stdout together read as dive\'s Test_LoadImage/from_archive snapshot', async () => {
	const snapshot = readFileSync(path.join(diveFixtures, 'goldens/cli_load_test.snap'), 'utf8');
	const start = snapshot.indexOf('[Test_LoadImage/from_archive - 1]\n');
	const block = snapshot.slice(start, snapshot.indexOf('\n---', start)).split('\n').slice(1);
	const expected = `${block.join('\n').trimEnd()}\n`.replace(/^(Loading image {17}).*$/m, '$1<archive>');
	const fixture = path.join(diveFixtures, 'test-docker-image.tar');
	const combined = spawnSync('sh', ['-c', `"${process.execPath}" bin/layerscope.js "${fixture}" --ci --lowest-efficiency 0.9 --highest-wasted-bytes 20MB --highest-user-wasted-percent 0.90 2>&1`], {cwd: repoRoot, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
	assert.equal(combined.status, 0);
	assert.equal(combined.stdout.replace(/^(Loading image {17}).*$/m, '$1<archive>'), expected);
});

test('ignorePaths leave reclaimable bytes too: highestReclaimableBytes passes when the waste is in ignored paths', async () => {
	const dir = cwd();
	writeFileSync(path.join(dir, '.layerscope-ci.yml'), 'rules:\n  highestReclaimableBytes: 10kB\n  highestUserWastedPercent: disabled\n');
	const counted = await runCli([fixture, '--ci'], {cwd: dir, env});
	assert.equal(counted.code, 1, counted.stderr);
	assert.match(counted.stdout, /^ {2}FAIL {2}highestReclaimableBytes/m);

	writeFileSync(path.join(dir, '.layerscope-ci.yml'), 'rules:\n  highestReclaimableBytes: 10kB\n  highestUserWastedPercent: disabled\nignorePaths:\n  - /root/example\n');
	const ignored = await runCli([fixture, '--ci', '--json', path.join(dir, 'out.json')], {cwd: dir, env});
	assert.equal(ignored.code, 0, ignored.stdout);
	assert.match(ignored.stdout, /^ {2}PASS {2}highestReclaimableBytes \(10kB\)$/m);
	const document = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')) as {image: {reclaimableBytes: number}};
	assert.equal(document.image.reclaimableBytes, 6405);
});
