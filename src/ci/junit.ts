// The CI verdict as JUnit XML, so GitHub Actions, GitLab and Jenkins list each rule as a test. Pure.
//
// One <testsuite>, one <testcase> a rule: a failed rule holds a <failure>, a disabled one <skipped/>. The suite's
// <system-out> carries the uncoloured report. The text is deterministic (no timestamps or host names).
import type {Analysis} from '../analysis/types.js';
import {escapeName} from '../report/escape.js';
import {formatCiReport} from './report.js';
import type {CiEvaluation, GateEvaluation, GateResult} from './types.js';

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

export function numberText(value: number | undefined): string {
	return value === undefined ? '' : String(value);
}

function testcase(result: GateResult, classname: string): string {
	const open = `    <testcase classname="${classname}" name="${attribute(result.key)}" time="0"`;
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
	const {image} = analysis;
	return junitDocument({
		suiteName: `layerscope CI: ${image.name}`,
		classname: 'layerscope.ci',
		properties: [
			['image', image.name],
			['efficiency', numberText(image.efficiency)],
			['wastedBytes', numberText(image.wastedBytes)],
			['userWastedPercent', numberText(image.userWastedPercent)],
			['reclaimableBytes', numberText(image.reclaimableBytes)],
			['sizeBytes', numberText(image.sizeBytes)],
			['configFile', evaluation.configFile ?? '(defaults)'],
		],
		evaluation,
		report: formatCiReport(analysis, evaluation, {color: false}),
	});
}

export type JunitInput = {
	readonly suiteName: string;
	/** The testcases' classname ("layerscope.ci", "layerscope.compare"). */
	readonly classname: string;
	readonly properties: ReadonlyArray<readonly [string, string]>;
	readonly evaluation: GateEvaluation;
	/** The uncoloured report, for <system-out>. */
	readonly report: string;
};

/** One suite, one testcase a rule, for any gate (ends with a newline). */
export function junitDocument(input: JunitInput): string {
	const {evaluation} = input;
	const {tally} = evaluation;
	const counts = `tests="${evaluation.results.length}" failures="${tally.fail}" errors="0" skipped="${tally.skip}" time="0"`;
	const properties = input.properties.map(([name, value]) => `      <property name="${attribute(name)}" value="${attribute(value)}"/>`);
	return [
		'<?xml version="1.0" encoding="UTF-8"?>',
		`<testsuites name="layerscope" ${counts}>`,
		`  <testsuite name="${attribute(input.suiteName)}" ${counts}>`,
		'    <properties>',
		...properties,
		'    </properties>',
		...evaluation.results.map(result => testcase(result, input.classname)),
		`    <system-out>${xmlText(input.report)}</system-out>`,
		'  </testsuite>',
		'</testsuites>',
		'',
	].join('\n');
}
