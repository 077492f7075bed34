import assert from 'node:assert/strict';
import {diveFixtures} from '../helpers/fixtures.js';
import path from 'node:path';
import {test} from 'node:test';
import type {Analysis} from '../../src/analysis/types.js';
import {CiConfigError, type CiFlags, evaluateCi, loadCiConfig, type RuleStatus} from '../../src/ci/index.js';
import {fixtureAnalysis} from './fixture-analysis.js';

const noFiles = '/nonexistent-dir-for-ci-test';

function statuses(analysis: Analysis, flags: CiFlags): {pass: boolean; rules: Record<string, RuleStatus>} {
	const evaluation = evaluateCi(analysis, loadCiConfig(flags, noFiles));
	return {pass: evaluation.pass, rules: Object.fromEntries(evaluation.results.map(result => [result.key, result.status]))};
}

function dive(efficiency: string, wasted: string, percent: string): CiFlags {
	return {lowestEfficiency: efficiency, highestWastedBytes: wasted, highestUserWastedPercent: percent};
}

// Dive's Test_Evaluator cases on test-docker-image.tar.
test('dive evaluator: all fail (0.99 / 1B / 0.01)', async () => {
	const analysis = await fixtureAnalysis('test-docker-image.tar');
	assert.deepEqual(statuses(analysis, dive('0.99', '1B', '0.01')), {
		pass: false,
		rules: {highestUserWastedPercent: 'fail', highestWastedBytes: 'fail', lowestEfficiency: 'fail'},
	});
});

test('dive evaluator: all pass (0.9 / 50kB / 0.5)', async () => {
	const analysis = await fixtureAnalysis('test-docker-image.tar');
	assert.deepEqual(statuses(analysis, dive('0.9', '50kB', '0.5')), {
		pass: true,
		rules: {highestUserWastedPercent: 'pass', highestWastedBytes: 'pass', lowestEfficiency: 'pass'},
	});
});

test('dive evaluator: all disabled → all skip, pass', async () => {
	const analysis = await fixtureAnalysis('test-docker-image.tar');
	assert.deepEqual(statuses(analysis, dive('disabled', 'disabled', 'disabled')), {
		pass: true,
		rules: {highestUserWastedPercent: 'skip', highestWastedBytes: 'skip', lowestEfficiency: 'skip'},
	});
});

test('dive evaluator: only wasted bytes fails (0.9 / 1B / 0.5)', async () => {
	const analysis = await fixtureAnalysis('test-docker-image.tar');
	assert.deepEqual(statuses(analysis, dive('0.9', '1B', '0.5')), {
		pass: false,
		rules: {highestUserWastedPercent: 'pass', highestWastedBytes: 'fail', lowestEfficiency: 'pass'},
	});
});

test('dive evaluator misconfigurations are each a configuration error', () => {
	const cases: Array<[string, CiFlags, RegExp]> = [
		['efficiency too high', dive('1.1', '50kB', '0.5'), /lowestEfficiency value "1\.1"/],
		['efficiency too low', dive('-0.1', '50kB', '0.5'), /lowestEfficiency value "-0\.1"/],
		['efficiency format', dive('not_a_number', '50kB', '0.5'), /lowestEfficiency value "not_a_number"/],
		['wasted bytes format', dive('0.9', 'not_a_size', '0.5'), /highestWastedBytes value "not_a_size"/],
		['percent too high', dive('0.9', '50kB', '1.1'), /highestUserWastedPercent value "1\.1"/],
		['percent too low', dive('0.9', '50kB', '-0.1'), /highestUserWastedPercent value "-0\.1"/],
		['percent format', dive('0.9', '50kB', 'not_a_number'), /highestUserWastedPercent value "not_a_number"/],
	];
	for (const [name, flags, message] of cases) {
		assert.throws(() => loadCiConfig(flags, noFiles), (error: unknown) => error instanceof CiConfigError && message.test(error.message), name);
	}
});

test('dive\'s messages: the configured value on a pass, the reason on a failure, "disabled" on a skip', async () => {
	const analysis = await fixtureAnalysis('test-docker-image.tar');
	const failing = evaluateCi(analysis, loadCiConfig(dive('0.99', '1B', '0.01'), noFiles));
	assert.deepEqual(failing.results.map(result => result.message), [
		'too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=0.48 > threshold=0.01)',
		'too many bytes wasted (wasted-bytes=32025 > threshold=1)',
		'image efficiency is too low (efficiency=0.98 < threshold=0.99)',
	]);
	assert.deepEqual(failing.tally, {pass: 0, fail: 3, skip: 0});

	const passing = evaluateCi(analysis, loadCiConfig(dive('0.90', '20MB', '0.5'), noFiles));
	assert.deepEqual(passing.results.map(result => result.message), ['0.5', '20MB', '0.90']);

	const skipped = evaluateCi(analysis, loadCiConfig(dive('off', '', 'FALSE'), noFiles));
	assert.deepEqual(skipped.results.map(result => result.message), ['disabled', 'disabled', 'disabled']);
	assert.deepEqual(skipped.tally, {pass: 0, fail: 0, skip: 3});
	assert.equal(skipped.ruleCount, 3);
});

test('comparisons are strict: a figure equal to its threshold passes', async () => {
	const analysis = await fixtureAnalysis('test-docker-image.tar');
	const {image} = analysis;
	assert.deepEqual(statuses(analysis, dive(String(image.efficiency), String(image.wastedBytes), String(image.userWastedPercent))).rules, {
		highestUserWastedPercent: 'pass',
		highestWastedBytes: 'pass',
		lowestEfficiency: 'pass',
	});
	// One byte or the next double either way fails.
	assert.deepEqual(statuses(analysis, dive('0.9844212134184310', String(image.wastedBytes - 1), '0.4834911001404048')).rules, {
		highestUserWastedPercent: 'fail',
		highestWastedBytes: 'fail',
		lowestEfficiency: 'fail',
	});
});

test('dive\'s fixture with dive\'s .dive-ci passes; with the default rules highestUserWastedPercent fails', async () => {
	const analysis = await fixtureAnalysis('test-docker-image.tar');
	const withDiveCi = evaluateCi(analysis, loadCiConfig({configPath: path.join(diveFixtures, '.dive-ci')}, noFiles));
	assert.equal(withDiveCi.pass, true);
	assert.deepEqual(withDiveCi.tally, {pass: 3, fail: 0, skip: 0});

	assert.deepEqual(statuses(analysis, {}), {
		pass: false,
		rules: {highestUserWastedPercent: 'fail', highestWastedBytes: 'skip', lowestEfficiency: 'pass'},
	});
});

test('a NaN user-wasted ratio (no user bytes) never fails, whatever the threshold', async () => {
	const analysis = await fixtureAnalysis('test-oci-uncompressed-image.tar');
	assert.ok(Number.isNaN(analysis.image.userWastedPercent));
	assert.deepEqual(statuses(analysis, dive('1', '0', '0')), {
		pass: true,
		rules: {highestUserWastedPercent: 'pass', highestWastedBytes: 'pass', lowestEfficiency: 'pass'},
	});
});

test('highestReclaimableBytes is listed only when switched on, and then counts like any rule', async () => {
	const analysis = await fixtureAnalysis('test-docker-image.tar');
	assert.equal(analysis.image.reclaimableBytes, 32_025);
	const off = evaluateCi(analysis, loadCiConfig({}, noFiles));
	assert.equal(off.results.some(result => result.key === 'highestReclaimableBytes'), false);
	assert.equal(off.ruleCount, 3);

	const failing = evaluateCi(analysis, loadCiConfig({highestReclaimableBytes: '10kB', highestUserWastedPercent: '0.5'}, noFiles));
	assert.equal(failing.ruleCount, 4);
	assert.equal(failing.pass, false);
	assert.deepEqual(failing.results[0], {
		key: 'highestReclaimableBytes',
		status: 'fail',
		message: 'too many bytes reclaimable by squashing (reclaimable-bytes=32025 > threshold=10000)',
		configValue: '10kB',
		threshold: 10_000,
		actual: 32_025,
	});

	const passing = evaluateCi(analysis, loadCiConfig({highestReclaimableBytes: '32025', highestUserWastedPercent: '0.5'}, noFiles));
	assert.equal(passing.pass, true);
	assert.deepEqual(passing.tally, {pass: 3, fail: 0, skip: 1});
});
