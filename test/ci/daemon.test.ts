// The CI gate on an image built by a real daemon from dive's own CLI test context
// (cmd/dive/cli/testdata/image-multi-layer-dockerfile), checked against dive's snapshots where they do not depend
// on the busybox base or the build backend.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {analyzeImage} from '../../src/analysis/analyze.js';
import type {Analysis} from '../../src/analysis/types.js';
import {type CiFlags, loadCiConfig} from '../../src/ci/index.js';
import {runCiCommand} from '../../src/cli/ci-command.js';
import {buildImage, ensureBusyboxImage, readFromDaemon, removeImages, requireDocker, uniqueTag} from '../helpers/docker.js';
import {diveFixtures, snapshot} from './fixture-analysis.js';

const context = path.join(diveFixtures, 'image-multi-layer-dockerfile');
const noFiles = '/nonexistent-dir-for-ci-test';
const ciSnap = readFileSync(path.join(diveFixtures, 'goldens', 'cli_ci_test.snap'), 'utf8');
const buildSnap = readFileSync(path.join(diveFixtures, 'goldens', 'cli_build_test.snap'), 'utf8');

async function runCi(analysis: Analysis, flags: CiFlags): Promise<{code: number; stdout: string}> {
	let stdout = '';
	let stderr = '';
	const code = await runCiCommand({
		analysis,
		config: loadCiConfig(flags, noFiles),
		io: {
			stdout(text) {
				stdout += text;
			},
			stderr(text) {
				stderr += text;
			},
			color: false,
		},
	});
	assert.equal(stderr, '');
	return {code, stdout};
}

test('dive\'s multi-layer Dockerfile built by the daemon: dive\'s rows, figures and verdicts', {timeout: 600_000}, async t => {
	if (!await requireDocker(t)) {
		return;
	}

	const base = await ensureBusyboxImage();
	const tag = uniqueTag('ci-multi-layer');
	t.after(async () => removeImages(tag));
	const dockerfile = readFileSync(path.join(context, 'Dockerfile'), 'utf8').replace(/^FROM .*$/m, `FROM ${base}`);
	assert.match(dockerfile, /^FROM layerscope-test\/busybox:latest$/m);
	await buildImage(tag, dockerfile, {
		'example.md': readFileSync(path.join(context, 'example.md')),
		'overwrite.md': readFileSync(path.join(context, 'overwrite.md')),
	});

	const analysis = analyzeImage(await readFromDaemon(tag));
	const {image} = analysis;
	// Figures that depend only on the Dockerfile's own layers are dive's exactly.
	assert.equal(image.userSizeBytes, 182);
	assert.equal(image.wastedBytes, 131);
	assert.equal(image.userWastedPercent, 131 / 182);
	assert.deepEqual(image.inefficiencies.map(item => [item.count, item.cumulativeSize, item.path]), [
		[3, 80, '/root/saved.txt'],
		[2, 34, '/root/example/somefile1.txt'],
		[2, 17, '/root/example/somefile3.txt'],
		[2, 0, '/root'],
	]);

	// Dive's text, less its "/etc" x10 row: BuildKit writes an empty /etc entry into every RUN layer, the legacy
	// builder used here does not.
	const withoutEtc = (text: string) => text.replace('  10     0 B           /etc\n', '');
	const failing = await runCi(analysis, {});
	assert.equal(failing.code, 1);
	assert.equal(failing.stdout, withoutEtc(snapshot(ciSnap, 'Test_CI_Fail')));

	const passing = await runCi(analysis, {lowestEfficiency: '0.10', highestWastedBytes: '20MB', highestUserWastedPercent: '0.90'});
	assert.equal(passing.code, 0);
	assert.equal(
		passing.stdout.replace('lowestEfficiency (0.10)', 'lowestEfficiency (0.9)'),
		withoutEtc(snapshot(buildSnap, 'Test_Build_Dockerfile/implicit_dockerfile')),
		'dive-pass.yaml: its lowest-efficiency-threshold key is not read by dive, which printed its default 0.9',
	);
});
