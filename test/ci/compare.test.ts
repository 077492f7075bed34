import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {execFileSync} from 'node:child_process';
import {loadCompareCiConfig, parseSizeOrPercent} from '../../src/ci/compare-config.js';
import {evaluateCompareCi} from '../../src/ci/compare-evaluate.js';
import {compareJunitXml, formatCompareCiReport} from '../../src/ci/compare-report.js';
import {CiConfigError, loadCiConfig} from '../../src/ci/index.js';
import {samplePair} from '../helpers/compare-images.js';

const root = mkdtempSync(path.join(tmpdir(), 'layerscope-compare-ci-'));
after(() => {
	rmSync(root, {recursive: true, force: true});
});

let counter = 0;
function dir(files: Record<string, string> = {}): string {
	const target = path.join(root, String(counter++));
	mkdirSync(target);
	for (const [name, text] of Object.entries(files)) {
		writeFileSync(path.join(target, name), text);
	}

	return target;
}

function errorOf(run: () => unknown): string {
	try {
		run();
	} catch (error) {
		assert.ok(error instanceof CiConfigError, String(error));
		return error.message;
	}

	assert.fail('expected a CiConfigError');
}

test('rules come from the compare: section, flags win rule by rule, and everything is off by default', () => {
	assert.deepEqual(loadCompareCiConfig({}, dir()).rules.map(rule => rule.configValue), ['disabled', 'disabled', 'disabled', 'disabled']);
	const cwd = dir({'.layerscope-ci.yml': 'rules:\n  lowestEfficiency: 0.5\ncompare:\n  highestSizeIncrease: 10%\n  highestAddedFiles: 3\n  lowestEfficiency: 0.8\n  bogus: 1\n'});
	const config = loadCompareCiConfig({highestAddedFiles: '7'}, cwd);
	assert.deepEqual(config.rules.map(rule => [rule.key, rule.configValue, rule.source]), [
		['highestSizeIncrease', '10%', 'file'],
		['highestWastedIncrease', 'disabled', 'default'],
		['lowestEfficiency', '0.8', 'file'],
		['highestAddedFiles', '7', 'flag'],
	]);
	assert.deepEqual(config.rules[0]!.threshold, {unit: 'percentOfA', value: 0.1});
	assert.deepEqual(config.warnings, ['.layerscope-ci.yml: unknown compare rule "bogus" ignored']);
	// The image gate reads the same file and does not warn about the compare section.
	assert.deepEqual(loadCiConfig({}, cwd).warnings, []);
});

test('bad values and a bad section are one line naming where they came from', () => {
	assert.equal(errorOf(() => loadCompareCiConfig({highestSizeIncrease: '20 megs', highestAddedFiles: '1.5'}, dir())),
		'--highest-size-increase: invalid highestSizeIncrease value "20 megs": not a byte size (unknown unit); --highest-added-files: invalid highestAddedFiles value "1.5": not a whole number');
	assert.equal(errorOf(() => loadCompareCiConfig({}, dir({'.layerscope-ci.yml': 'compare: [1]\n'}))), 'CI config .layerscope-ci.yml: "compare" must be a mapping of rule names to values');
	assert.equal(errorOf(() => loadCompareCiConfig({lowestEfficiency: '95%'}, dir())), '--lowest-efficiency: invalid lowestEfficiency value "95%": not a number (a ratio: 0.95 for 95 %)');
	assert.deepEqual(parseSizeOrPercent('1.5kB'), {ok: true, threshold: {unit: 'bytes', value: 1500}});
	assert.deepEqual(parseSizeOrPercent('-1%'), {ok: false, reason: 'not a percentage'});
});

test('each rule passes at its threshold and fails just over it', () => {
	const {comparison} = samplePair();
	// B: +500 (main.js) +1000 (new.bin) -300 (old.js) +500 (tmp, deleted in a later layer) = +1700 bytes.
	assert.equal(comparison.delta.sizeBytes, 1700);
	const verdict = (flags: Record<string, string>) => {
		const evaluation = evaluateCompareCi(comparison, loadCompareCiConfig(flags, dir()));
		return Object.fromEntries(evaluation.results.map(result => [result.key, result.status]));
	};

	assert.equal(verdict({highestSizeIncrease: '1700'})['highestSizeIncrease'], 'pass');
	assert.equal(verdict({highestSizeIncrease: '1.699kB'})['highestSizeIncrease'], 'fail');
	const share = 1700 / comparison.a.sizeBytes * 100;
	assert.equal(verdict({highestSizeIncrease: `${Math.ceil(share)}%`})['highestSizeIncrease'], 'pass');
	assert.equal(verdict({highestSizeIncrease: `${Math.floor(share)}%`})['highestSizeIncrease'], 'fail');
	assert.equal(comparison.delta.inefficientBytes, 500);
	assert.deepEqual(verdict({highestWastedIncrease: '500', highestAddedFiles: '1'}), {highestAddedFiles: 'pass', highestSizeIncrease: 'skip', highestWastedIncrease: 'pass', lowestEfficiency: 'skip'});
	assert.deepEqual(verdict({highestWastedIncrease: '499', highestAddedFiles: '0'}), {highestAddedFiles: 'fail', highestSizeIncrease: 'skip', highestWastedIncrease: 'fail', lowestEfficiency: 'skip'});
	assert.equal(verdict({lowestEfficiency: String(comparison.b.efficiencyScore)})['lowestEfficiency'], 'pass');
	assert.equal(verdict({lowestEfficiency: String(comparison.b.efficiencyScore + 0.001)})['lowestEfficiency'], 'fail');
});

test('the report has the image gate\'s layout, and the JUnit XML one case a rule', () => {
	const {comparison} = samplePair();
	const evaluation = evaluateCompareCi(comparison, loadCompareCiConfig({highestSizeIncrease: '1kB', highestAddedFiles: '5'}, dir()));
	assert.equal(formatCompareCiReport(comparison, evaluation, {color: false}), [
		'Comparison:',
		'  A:                 app:main',
		'  B:                 app:pr',
		`  sizeIncrease:      +1700 bytes (+1.7 kB), +${(1700 / comparison.a.sizeBytes * 100).toFixed(2)} % of A`,
		'  wastedIncrease:    +500 bytes (+500 B)',
		`  efficiency:        ${(comparison.b.efficiencyScore * 100).toFixed(2)} % (A: 100.00 %)`,
		'  addedFiles:        1 (removed 1, modified 1)',
		'',
		'Evaluation:',
		'  PASS  highestAddedFiles (5)',
		'  FAIL  highestSizeIncrease (image grew too much (size-increase=+1700 > threshold=1000))',
		'  SKIP  highestWastedIncrease (disabled)',
		'  SKIP  lowestEfficiency (disabled)',
		'',
		'FAIL [pass:1 fail:1 skip:2]',
		'',
	].join('\n'));
	const xml = compareJunitXml(comparison, evaluation);
	// Python's XML parser (expat) checks well-formedness and lists the test cases.
	const listing = execFileSync('python3', ['-c', [
		'import sys, xml.etree.ElementTree as T',
		'suite = T.fromstring(sys.stdin.read()).find("testsuite")',
		'print(suite.get("tests"), suite.get("failures"), suite.get("skipped"))',
		'for case in suite.iter("testcase"): print(case.get("classname"), case.get("name"), "failure" if case.find("failure") is not None else "skipped" if case.find("skipped") is not None else "pass")',
	].join('\n')], {input: xml, encoding: 'utf8'});
	assert.equal(listing, [
		'4 1 2',
		'layerscope.compare highestAddedFiles pass',
		'layerscope.compare highestSizeIncrease failure',
		'layerscope.compare highestWastedIncrease skipped',
		'layerscope.compare lowestEfficiency skipped',
		'',
	].join('\n'));
	assert.match(xml, /<system-out>Comparison:\n/);
});
