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

test('JUnit XML: well-formed for every character a name may hold: U+FFFE, U+FFFF, lone surrogates, C0, C1 (case a20)', async () => {
	const analysis = await fixtureAnalysis('test-docker-image.tar');
	const names = ['/h/a\uFFFEb', '/h/c\uFFFFd', '/h/\uD800lone', '/h/\uDFFFlow', '/h/\u0001\u001B[2J\u0085\u009B', '/h/ok\uD83D\uDE00'];
	const named = {
		...analysis,
		image: {...analysis.image, name: 'img\uFFFE\uFFFF', inefficiencies: names.map(name => ({path: name, count: 2, cumulativeSize: 3, minimumSize: 1}))},
	};
	const xml = junitXml(named, evaluateCi(named, loadCiConfig({configPath: path.join(diveFixtures, '.dive-ci')}, noFiles)));
	// XML 1.0's Char production: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF (paired surrogates).
	for (const char of xml) {
		const code = char.codePointAt(0)!;
		const allowed = code === 0x09 || code === 0x0A || code === 0x0D || (code >= 0x20 && code <= 0xD7_FF) || (code >= 0xE0_00 && code <= 0xFF_FD) || code >= 0x1_00_00;
		assert.ok(allowed, `U+${code.toString(16)} is not an XML character`);
	}

	assert.match(xml, /\/h\/a\\u\{fffe\}b/);
	assert.match(xml, /\/h\/c\\u\{ffff\}d/);
	assert.match(xml, /<property name="image" value="img\\u\{fffe\}\\u\{ffff\}"\/>/);
	assert.match(xml, /\/h\/ok\uD83D\uDE00/, 'a paired surrogate (an emoji) is kept');
});
