// The CI verdict as JUnit XML, so GitHub Actions, GitLab and Jenkins list each rule as a test. Pure.
//
// One <testsuite>, one <testcase> a rule: a failed rule holds a <failure>, a disabled one <skipped/>. The suite's
// <system-out> carries the uncoloured report. The text is deterministic (no timestamps or host names).
import type {Analysis} from '../analysis/types.js';
import {escapeName} from '../report/escape.js';
import {formatCiReport} from './report.js';
import type {CiEvaluation, RuleResult} from './types.js';

// Characters XML 1.0 cannot hold at all: C0 controls but tab, newline and CR; lone surrogates; U+FFFE, U+FFFF.
const xmlInvalid = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function entities(text: string): string {
	return text
		.replaceAll('&', '&amp;')
		.replaceAll('<', '&lt;')
		.replaceAll('>', '&gt;')
		.replaceAll('"', '&quot;');
}

/** Element text from already-safe text (the report escapes names itself): only XML's impossible characters go. */
function xmlText(text: string): string {
	return entities(text.replaceAll(xmlInvalid, char => escapeName(char)));
}

/** An attribute value from untrusted text (names, config values): escaped, then entities. */
function attribute(text: string): string {
	return entities(escapeName(text));
}

function numberText(value: number | undefined): string {
	return value === undefined ? '' : String(value);
}

function testcase(result: RuleResult): string {
	const open = `    <testcase classname="layerscope.ci" name="${attribute(result.key)}" time="0"`;
	switch (result.status) {
		case 'pass': {
			return `${open}/>`;
		}

		case 'skip': {
			return `${open}>\n      <skipped message="disabled"/>\n    </testcase>`;
		}

		case 'fail': {
			const body = `${result.key}: measured ${numberText(result.actual)}, threshold ${result.configValue}`;
			return `${open}>\n      <failure type="${attribute(result.key)}" message="${attribute(result.message)}">${xmlText(body)}</failure>\n    </testcase>`;
		}
	}
}

/** The JUnit XML document for the verdict (ends with a newline). */
export function junitXml(analysis: Analysis, evaluation: CiEvaluation): string {
	const {tally} = evaluation;
	const counts = `tests="${evaluation.results.length}" failures="${tally.fail}" errors="0" skipped="${tally.skip}" time="0"`;
	const suiteName = `layerscope CI: ${analysis.image.name}`;
	const {image} = analysis;
	const properties = [
		['image', image.name],
		['efficiency', numberText(image.efficiency)],
		['wastedBytes', numberText(image.wastedBytes)],
		['userWastedPercent', numberText(image.userWastedPercent)],
		['reclaimableBytes', numberText(image.reclaimableBytes)],
		['sizeBytes', numberText(image.sizeBytes)],
		['configFile', evaluation.configFile ?? '(defaults)'],
	].map(([name = '', value = '']) => `      <property name="${attribute(name)}" value="${attribute(value)}"/>`);
	const report = formatCiReport(analysis, evaluation, {color: false});
	return [
		'<?xml version="1.0" encoding="UTF-8"?>',
		`<testsuites name="layerscope" ${counts}>`,
		`  <testsuite name="${attribute(suiteName)}" ${counts}>`,
		'    <properties>',
		...properties,
		'    </properties>',
		...evaluation.results.map(result => testcase(result)),
		`    <system-out>${xmlText(report)}</system-out>`,
		'  </testsuite>',
		'</testsuites>',
		'',
	].join('\n');
}
