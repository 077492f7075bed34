// The compare gate's report, in the image gate's layout (a figures section, "Evaluation:", the PASS/FAIL tally
// line), its stderr status lines and its JUnit XML. Pure.
import type {ImageComparison} from '../analysis/compare.js';
import {escapeName} from '../report/escape.js';
import type {CompareEvaluation} from './compare-evaluate.js';
import {goFixed, humanBytes} from './go-format.js';
import {junitDocument, numberText} from './junit.js';
import {bold, evaluationSection, painter, row, statusLine} from './report.js';

function signedBytesFigure(bytes: number): string {
	const human = bytes === 0 ? '' : ` (${bytes > 0 ? '+' : '-'}${humanBytes(Math.abs(bytes))})`;
	return `${bytes > 0 ? '+' : ''}${bytes} bytes${human}`;
}

/** The report for stdout (ends with a newline). */
export function formatCompareCiReport(comparison: ImageComparison, evaluation: CompareEvaluation, options: {color: boolean}): string {
	const paint = painter(options.color);
	const {a, b, delta, summary} = comparison;
	const share = a.sizeBytes === 0 ? '' : `, ${delta.sizeBytes > 0 ? '+' : ''}${goFixed(delta.sizeBytes / a.sizeBytes * 100, 2)} % of A`;
	const rows = [
		row('A', escapeName(a.ref)),
		row('B', escapeName(b.ref)),
		row('sizeIncrease', `${signedBytesFigure(delta.sizeBytes)}${share}`),
		row('wastedIncrease', signedBytesFigure(delta.inefficientBytes)),
		row('efficiency', `${goFixed(b.efficiencyScore * 100, 2)} % (A: ${goFixed(a.efficiencyScore * 100, 2)} %)`),
		row('addedFiles', `${summary.added} (removed ${summary.removed}, modified ${summary.modified})`),
	];
	const sections = [
		`${paint(bold, 'Comparison:')}\n${rows.join('\n')}`,
		evaluationSection(evaluation, paint, options.color),
	];
	return `${sections.join('\n\n')}\n`;
}

/** "Comparing images              A → B". */
export function compareLoadingLine(a: string, b: string): string {
	return statusLine('Comparing images', `${escapeName(a)} → ${escapeName(b)}`);
}

/** "Evaluating comparison         [rules: 4]". */
export function compareEvaluatingLine(evaluation: CompareEvaluation): string {
	return statusLine('Evaluating comparison', `[rules: ${evaluation.ruleCount}]`);
}

export function compareJunitXml(comparison: ImageComparison, evaluation: CompareEvaluation): string {
	const {a, b, delta, summary} = comparison;
	return junitDocument({
		suiteName: `layerscope compare: ${a.ref} → ${b.ref}`,
		classname: 'layerscope.compare',
		properties: [
			['imageA', a.ref],
			['imageB', b.ref],
			['sizeDelta', numberText(delta.sizeBytes)],
			['wastedDelta', numberText(delta.inefficientBytes)],
			['efficiencyB', numberText(b.efficiencyScore)],
			['addedFiles', numberText(summary.added)],
			['configFile', evaluation.configFile ?? '(defaults)'],
		],
		evaluation,
		report: formatCompareCiReport(comparison, evaluation, {color: false}),
	});
}
