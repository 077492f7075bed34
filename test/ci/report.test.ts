// The report text against dive's own snapshots (test/fixtures/dive/goldens/cli_*.snap).
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import type {Analysis, Inefficiency} from '../../src/analysis/types.js';
import {
	ciEvaluatingLine, ciLoadingLine, ciStatusLine, ciColorWanted, type CiFlags, evaluateCi, formatCiReport, loadCiConfig,
} from '../../src/ci/index.js';
import {diveFixtures, fixtureAnalysis, snapshot} from './fixture-analysis.js';

const noFiles = '/nonexistent-dir-for-ci-test';
const goldens = path.join(diveFixtures, 'goldens');
const loadSnap = readFileSync(path.join(goldens, 'cli_load_test.snap'), 'utf8');
const ciSnap = readFileSync(path.join(goldens, 'cli_ci_test.snap'), 'utf8');
const buildSnap = readFileSync(path.join(goldens, 'cli_build_test.snap'), 'utf8');

/** The rules of dive's CLI tests (cli_load_test, dive-pass.yaml). */
const passRules: CiFlags = {lowestEfficiency: '0.9', highestWastedBytes: '20MB', highestUserWastedPercent: '0.90'};

function report(analysis: Analysis, flags: CiFlags, color = false): string {
	return formatCiReport(analysis, evaluateCi(analysis, loadCiConfig(flags, noFiles)), {color});
}

/** A synthetic analysis carrying only what the report reads. */
function synthetic(image: {
	layers: number; nodeCount: number; sizeBytes: number; userSizeBytes: number; wastedBytes: number; efficiency: number;
	inefficiencies: Inefficiency[];
}): Analysis {
	const config = {id: '', os: 'linux', architecture: 'amd64', created: ''};
	return {
		config,
		layers: Array.from({length: image.layers}, (_, index) => ({
			index, id: '', digest: '', diffId: '', command: '', created: '', sizeBytes: 0, nodeCount: 0, entryCount: 0,
			tarBytes: 0, blobBytes: 0, compression: 'none' as const, added: 0, modified: 0, removed: 0,
		})),
		image: {
			name: 'synthetic', tags: [], sizeBytes: image.sizeBytes, userSizeBytes: image.userSizeBytes,
			wastedBytes: image.wastedBytes, userWastedPercent: image.wastedBytes / image.userSizeBytes,
			efficiency: image.efficiency, reclaimableBytes: 0, fileCount: 0, nodeCount: image.nodeCount,
			inefficiencies: image.inefficiencies, duplicateBytes: 0, duplicateFiles: [],
		},
	};
}

function file(path: string, count: number, cumulativeSize: number): Inefficiency {
	return {path, count, cumulativeSize, minimumSize: 0};
}

/** Dive's figures for cmd/dive/cli/testdata/image-multi-layer-dockerfile (EXPECTED.md). */
const multiLayer = synthetic({
	layers: 13,
	nodeCount: 480,
	sizeBytes: 4_278_076,
	userSizeBytes: 182,
	wastedBytes: 131,
	efficiency: 0.999_969_4,
	inefficiencies: [
		file('/root/saved.txt', 3, 80),
		file('/root/example/somefile1.txt', 2, 34),
		file('/root/example/somefile3.txt', 2, 17),
		file('/root', 2, 0),
		file('/etc', 10, 0),
	],
});

test('test-docker-image.tar: stdout and status lines equal dive\'s Test_LoadImage/from_archive snapshot', async () => {
	const analysis = await fixtureAnalysis('test-docker-image.tar');
	const golden = snapshot(loadSnap, 'Test_LoadImage/from_archive');
	const evaluation = evaluateCi(analysis, loadCiConfig(passRules, noFiles));
	const [loading = '', analyzing, evaluating, blank, ...stdout] = golden.split('\n');
	assert.equal(ciLoadingLine('/Users/wagoodman/code/dive/.data/test-docker-image.tar'), loading);
	assert.equal(ciStatusLine(analysis), analyzing);
	assert.equal(ciEvaluatingLine(evaluation), evaluating);
	assert.equal(blank, '');
	assert.equal(formatCiReport(analysis, evaluation, {color: false}), stdout.join('\n'));
});

test('dive\'s Test_CI_Fail snapshot: defaults (dive-fail.yaml sets no real key) on the multi-layer image', () => {
	assert.equal(report(multiLayer, {}), snapshot(ciSnap, 'Test_CI_Fail'));
	assert.equal(report(multiLayer, {}), snapshot(buildSnap, 'Test_Build_CI_gate_fail'));
});

test('dive\'s Test_Build_Dockerfile snapshots: dive-pass.yaml on the multi-layer image', () => {
	for (const name of ['Test_Build_Dockerfile/implicit_dockerfile', 'Test_Build_Containerfile/explicit_file_flag']) {
		assert.equal(report(multiLayer, passRules), snapshot(buildSnap, name), name);
	}
});

test('dive\'s busybox snapshot: nothing wasted ("0 bytes ", "0 %", "(None)")', () => {
	const busybox = synthetic({layers: 1, nodeCount: 441, sizeBytes: 4_277_894, userSizeBytes: 0, wastedBytes: 0, efficiency: 1, inefficiencies: []});
	assert.ok(Number.isNaN(busybox.image.userWastedPercent));
	const golden = snapshot(loadSnap, 'Test_LoadImage/from_docker_engine');
	const [, analyzing, evaluating, , ...stdout] = golden.split('\n');
	assert.equal(ciStatusLine(busybox), analyzing);
	assert.equal(ciEvaluatingLine(evaluateCi(busybox, loadCiConfig(passRules, noFiles))), evaluating);
	assert.equal(report(busybox, passRules), stdout.join('\n'));
});

test('the OCI fixtures (one layer, 0/0 ratio) print dive HEAD\'s "0 %" and pass dive\'s .dive-ci', async () => {
	const analysis = await fixtureAnalysis('test-oci-zstd-image.tar');
	const text = report(analysis, {configPath: path.join(diveFixtures, '.dive-ci')});
	assert.match(text, /^ {2}userWastedPercent: 0 %$/m);
	assert.match(text, /^Inefficient Files: \(None\)$/m);
	assert.match(text, /\nPASS \[pass:3\]\n$/);
});

test('colour: SGR codes where dive styles, and the same text once they are removed', async () => {
	const analysis = await fixtureAnalysis('test-docker-image.tar');
	const plain = report(analysis, {});
	const colored = report(analysis, {}, true);
	assert.notEqual(colored, plain);
	assert.match(colored, /\u001B\[1mAnalysis:\u001B\[0m/);
	assert.match(colored, / {2}\u001B\[31;7mFAIL\u001B\[0m {2}highestUserWastedPercent/);
	assert.match(colored, / {2}\u001B\[32mPASS\u001B\[0m {2}lowestEfficiency/);
	assert.match(colored, / {2}\u001B\[2mSKIP\u001B\[0m {2}\u001B\[2mhighestWastedBytes \(disabled\)\u001B\[0m/);
	assert.equal(colored.replaceAll(/\u001B\[[\d;]*m/g, ''), plain);
	assert.doesNotMatch(plain, /\u001B/);
});

test('colour only on a terminal without NO_COLOR', () => {
	assert.equal(ciColorWanted(true, {}), true);
	assert.equal(ciColorWanted(false, {}), false);
	assert.equal(ciColorWanted(undefined, {}), false);
	assert.equal(ciColorWanted(true, {NO_COLOR: '1'}), false);
	assert.equal(ciColorWanted(true, {NO_COLOR: ''}), true);
	assert.equal(ciColorWanted(true, {TERM: 'dumb'}), false);
});

test('file names are escaped: no control, bidi or invalid bytes reach the terminal', () => {
	const hostile = synthetic({
		layers: 2, nodeCount: 3, sizeBytes: 20, userSizeBytes: 10, wastedBytes: 20, efficiency: 0.5,
		inefficiencies: [file('/evil\u001B]0;pwned\u0007\n\u202Egnp.exe', 2, 10), file('/bad-\uDCFF', 2, 10)],
	});
	const text = report(hostile, {});
	assert.match(text, /^ {2}2 {6}10 B {10}\/evil\\x1b]0;pwned\\x07\\x0a\\u\{202e\}gnp\.exe$/m);
	assert.match(text, /^ {2}2 {6}10 B {10}\/bad-\\xff$/m);
	assert.doesNotMatch(text, /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202E]|[\uD800-\uDFFF]/);
});

test('layerscope\'s additions show only when used: reclaimable bytes and ignore globs', async () => {
	const analysis = await fixtureAnalysis('test-docker-image.tar');
	const text = report(analysis, {highestReclaimableBytes: '1MB'});
	assert.match(text, /^ {2}reclaimableBytes: {2}32025 bytes \(32 kB\)$/m);
	assert.match(text, /^ {2}PASS {2}highestReclaimableBytes \(1MB\)$/m);
	assert.match(text, /\nFAIL \[pass:2 fail:1 skip:1\]\n$/);
	assert.doesNotMatch(report(analysis, {}), /reclaimable|ignorePaths/);

	const config = {...loadCiConfig({}, noFiles), ignorePaths: ['/root/example', '/x\u001B']};
	const ignored = formatCiReport(analysis, evaluateCi(analysis, config), {color: false});
	assert.match(ignored, /^ {2}ignorePaths: {7}\/root\/example, \/x\\x1b\n\nInefficient Files:/m);
});

test('a status line counts files with thousands separators, as dive does', () => {
	const big = synthetic({layers: 3, nodeCount: 12_345, sizeBytes: 98_765_432, userSizeBytes: 1, wastedBytes: 0, efficiency: 1, inefficiencies: []});
	assert.equal(ciStatusLine(big), 'Analyzing image               [layers:3 files:12,345 size:99 MB]');
});
