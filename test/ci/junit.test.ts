import assert from 'node:assert/strict';
import {diveFixtures} from '../helpers/fixtures.js';
import path from 'node:path';
import {test} from 'node:test';
import {ciJson, evaluateCi, junitXml, loadCiConfig} from '../../src/ci/index.js';
import {fixtureAnalysis} from './fixture-analysis.js';

const noFiles = '/nonexistent-dir-for-ci-test';

test('JUnit XML: one testcase a rule, failure and skipped elements, counts on the suite', async () => {
	const analysis = await fixtureAnalysis('test-docker-image.tar');
	const xml = junitXml(analysis, evaluateCi(analysis, loadCiConfig({}, noFiles)));
	assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="layerscope" tests="3" failures="1" errors="0" skipped="1" time="0">\n'));
	assert.match(xml, /<testsuite name="layerscope CI: test-docker-image\.tar" tests="3" failures="1" errors="0" skipped="1" time="0">/);
	assert.equal(xml.match(/<testcase /g)?.length, 3);
	assert.match(xml, /<testcase classname="layerscope\.ci" name="lowestEfficiency" time="0"\/>/);
	assert.match(xml, /<testcase classname="layerscope\.ci" name="highestWastedBytes" time="0">\n {6}<skipped message="disabled"\/>\n {4}<\/testcase>/);
	assert.match(xml, /<failure type="highestUserWastedPercent" message="too many bytes wasted, relative to the user bytes added \(%-user-wasted-bytes=0\.48 &gt; threshold=0\.1\)">highestUserWastedPercent: measured 0\.4834911001404049, threshold 0\.1<\/failure>/);
	assert.match(xml, /<property name="wastedBytes" value="32025"\/>/);
	assert.match(xml, /<system-out>Analysis:\n {2}efficiency: {8}98\.44 %\n/);
	assert.match(xml, /FAIL \[pass:1 fail:1 skip:1\]\n<\/system-out>\n {2}<\/testsuite>\n<\/testsuites>\n$/);
	// Balanced elements (a cheap well-formedness check; no XML parser is a dependency).
	for (const element of ['testsuites', 'testsuite', 'properties', 'system-out', 'failure']) {
		const opened = xml.match(new RegExp(`<${element}[ >]`, 'g'))?.length;
		assert.equal(opened, xml.split(`</${element}>`).length - 1, element);
	}
});

test('JUnit XML: a passing gate has no failure; untrusted names are escaped and entity-encoded', async () => {
	const analysis = await fixtureAnalysis('test-docker-image.tar');
	const named = {...analysis, image: {...analysis.image, name: 'a<b>&"c"\u0001\uDCFF', inefficiencies: [{path: '/x</system-out>\u0008', count: 2, cumulativeSize: 1, minimumSize: 0}]}};
	const xml = junitXml(named, evaluateCi(named, loadCiConfig({configPath: path.join(diveFixtures, '.dive-ci')}, noFiles)));
	assert.doesNotMatch(xml, /<failure/);
	assert.match(xml, /tests="3" failures="0" errors="0" skipped="0"/);
	assert.match(xml, /<testsuite name="layerscope CI: a&lt;b&gt;&amp;&quot;c&quot;\\x01\\xff"/);
	assert.match(xml, /\/x&lt;\/system-out&gt;\\x08\n/);
	assert.equal(xml.split('</system-out>').length, 2);
	assert.doesNotMatch(xml, /[\u0000-\u0008\u000B\u000C\u000E-\u001F]|[\uD800-\uDFFF]/);
});

test('ciJson: rule results for the --json "ci" key, NaN as null', async () => {
	const analysis = await fixtureAnalysis('test-docker-image.tar');
	const json = ciJson(evaluateCi(analysis, loadCiConfig({}, noFiles)));
	assert.deepEqual(JSON.parse(JSON.stringify(json)), {
		pass: false,
		status: 'FAIL',
		tally: {pass: 1, fail: 1, skip: 1},
		configFile: null,
		ignorePaths: [],
		rules: [
			{
				rule: 'highestUserWastedPercent', status: 'FAIL', configured: '0.1', threshold: 0.1, actual: 0.483_491_100_140_404_9,
				message: 'too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=0.48 > threshold=0.1)',
			},
			{rule: 'highestWastedBytes', status: 'SKIP', configured: 'disabled', threshold: null, actual: 32_025, message: 'disabled'},
			{rule: 'lowestEfficiency', status: 'PASS', configured: '0.9', threshold: 0.9, actual: 0.984_421_213_418_430_9, message: '0.9'},
		],
	});

	const oci = await fixtureAnalysis('test-oci-gzip-image.tar');
	const ociJson = ciJson(evaluateCi(oci, loadCiConfig({}, noFiles))) as {rules: Array<{rule: string; actual: unknown}>};
	assert.equal(ociJson.rules.find(item => item.rule === 'highestUserWastedPercent')?.actual, null);
});
