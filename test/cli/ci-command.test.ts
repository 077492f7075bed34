import assert from 'node:assert/strict';
import {chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {type CiFlags, loadCiConfig} from '../../src/ci/index.js';
import {runCiCommand} from '../../src/cli/ci-command.js';
import {OutputError} from '../../src/cli/output.js';
import {diveFixtures, fixtureAnalysis} from '../ci/fixture-analysis.js';

const root = mkdtempSync(path.join(tmpdir(), 'layerscope-ci-command-'));
after(() => {
	rmSync(root, {recursive: true, force: true});
});

async function run(file: string, flags: CiFlags, cwd = root, color = false) {
	const analysis = await fixtureAnalysis(file);
	const stdout: string[] = [];
	const stderr: string[] = [];
	const code = await runCiCommand({
		analysis,
		config: loadCiConfig(flags, cwd),
		io: {stdout: text => stdout.push(text), stderr: text => stderr.push(text), color},
	});
	return {code, stdout: stdout.join(''), stderr: stderr.join('')};
}

const diveCi = path.join(diveFixtures, '.dive-ci');

test('every dive fixture passes dive\'s own .dive-ci: exit 0 (dive\'s CI step)', async () => {
	for (const file of [
		'test-docker-image.tar',
		'test-kaniko-image.tar',
		'test-oci-uncompressed-image.tar',
		'test-oci-gzip-image.tar',
		'test-oci-estargz-image.tar',
		'test-oci-zstd-image.tar',
	]) {
		const result = await run(file, {configPath: diveCi});
		assert.equal(result.code, 0, file);
		assert.match(result.stdout, /\nPASS \[pass:3\]\n$/, file);
		assert.equal(result.stderr, '', file);
	}
});

test('with the default rules the docker and kaniko fixtures fail highestUserWastedPercent: exit 1', async () => {
	for (const file of ['test-docker-image.tar', 'test-kaniko-image.tar']) {
		const result = await run(file, {});
		assert.equal(result.code, 1, file);
		assert.match(result.stdout, /^ {2}FAIL {2}highestUserWastedPercent \(too many bytes wasted, relative to the user bytes added \(%-user-wasted-bytes=0\.4[89] > threshold=0\.1\)\)$/m, file);
		assert.match(result.stdout, /\nFAIL \[pass:1 fail:1 skip:1\]\n$/, file);
	}
});

test('the .dive-ci found in the working directory is used', async () => {
	const cwd = mkdtempSync(path.join(root, 'cwd-'));
	writeFileSync(path.join(cwd, '.dive-ci'), readFileSync(diveCi));
	assert.equal((await run('test-docker-image.tar', {}, cwd)).code, 0);
	assert.equal((await run('test-docker-image.tar', {highestUserWastedPercent: '0.4'}, cwd)).code, 1, 'a flag wins over the file');
});

test('warnings about the rules file go to stderr, the report to stdout', async () => {
	const cwd = mkdtempSync(path.join(root, 'cwd-'));
	writeFileSync(path.join(cwd, '.layerscope-ci.yml'), 'rules:\n  highest-wasted-bytes: 1\n  highestUserWastedPercent: 0.5\n');
	const result = await run('test-docker-image.tar', {}, cwd);
	assert.equal(result.code, 0);
	assert.equal(result.stderr, 'layerscope: warning: .layerscope-ci.yml: unknown rule "highest-wasted-bytes" ignored (did you mean highestWastedBytes?)\n');
	assert.ok(result.stdout.startsWith('Analysis:\n'));
});

test('a mistyped rule name gets the nearest known one; a name near none gets no guess', async () => {
	const cwd = mkdtempSync(path.join(root, 'cwd-'));
	writeFileSync(path.join(cwd, '.dive-ci'), 'rules:\n  lowestEfficency: 0.9\n  highestWastedByte: 1MB\n  colour: blue\n');
	const result = await run('test-docker-image.tar', {}, cwd);
	assert.equal(result.stderr, [
		'layerscope: warning: .dive-ci: unknown rule "lowestEfficency" ignored (did you mean lowestEfficiency?)',
		'layerscope: warning: .dive-ci: unknown rule "highestWastedByte" ignored (did you mean highestWastedBytes?)',
		'layerscope: warning: .dive-ci: unknown rule "colour" ignored',
		'',
	].join('\n'));
});

test('colour is the caller\'s choice', async () => {
	assert.match((await run('test-docker-image.tar', {}, root, true)).stdout, /\u001B\[/);
	assert.doesNotMatch((await run('test-docker-image.tar', {}, root, false)).stdout, /\u001B\[/);
});

test('--ci-format junit writes the XML file atomically, next to the report on stdout', async () => {
	const dir = mkdtempSync(path.join(root, 'junit-'));
	const target = path.join(dir, 'report.xml');
	writeFileSync(target, 'old contents');
	chmodSync(target, 0o600);
	const result = await run('test-docker-image.tar', {format: 'junit', junitFile: target});
	assert.equal(result.code, 1);
	assert.ok(result.stdout.startsWith('Analysis:\n'));
	const xml = readFileSync(target, 'utf8');
	assert.ok(xml.startsWith('<?xml'));
	assert.match(xml, /failures="1"/);
	assert.equal(statSync(target).mode & 0o777, 0o600, 'the replaced file keeps its mode');
	assert.deepEqual(readdirSync(dir), ['report.xml'], 'no temporary file is left behind');
});

test('--junit-file - puts the XML on stdout instead of the report', async () => {
	const result = await run('test-docker-image.tar', {format: 'junit', junitFile: '-'}, root);
	assert.ok(result.stdout.startsWith('<?xml version="1.0"'));
	assert.doesNotMatch(result.stdout, /^Analysis:/);
	assert.equal(result.code, 1);
});

test('a JUnit file that cannot be written is an OutputError, leaving nothing behind', async () => {
	const dir = mkdtempSync(path.join(root, 'junit-'));
	await assert.rejects(
		run('test-docker-image.tar', {junitFile: path.join(dir, 'missing', 'report.xml')}),
		(error: unknown) => error instanceof OutputError && /^cannot write .*report\.xml: the directory .*\/missing does not exist; create it first, or write elsewhere \(- for stdout\)$/.test(error.message),
	);
	await assert.rejects(run('test-docker-image.tar', {junitFile: dir}), OutputError);
	assert.deepEqual(readdirSync(dir), []);
});
