// The CI report text, in dive's layout (its goldens are the reference), and dive's stderr status lines. Pure.
//
// Without colour the text equals dive's stdout byte for byte; with colour the same text carries SGR codes where
// dive styles it (titles bold, PASS green, FAIL red reversed, SKIP and the tally faint). File names are escaped.
import type {Analysis} from '../analysis/types.js';
import {escapeName} from '../report/escape.js';
import {commaInt, goFixed, humanBytes} from './go-format.js';
import type {CiEvaluation, GateEvaluation, GateResult} from './types.js';

export type CiReportOptions = {
	/** Whether to emit ANSI colour (the CLI decides: a TTY and no NO_COLOR). */
	readonly color: boolean;
};

export type Paint = (codes: string, text: string) => string;

export function painter(color: boolean): Paint {
	return color ? (codes, text) => `\u001B[${codes}m${text}\u001B[0m` : (_codes, text) => text;
}

export const bold = '1';
const faint = '2';
const green = '32';
const failure = '31;7';
const header = '1;4';

/** A "  key:<padding> value" row, the key padded to 18 columns as dive's label style does. */
export function row(key: string, value: string): string {
	return `  ${`${key}:`.padEnd(18)} ${value}`;
}

function byteFigure(bytes: number): string {
	// Dive leaves the parenthesised size out for 0, keeping the space before it.
	return `${bytes} bytes ${bytes > 0 ? `(${humanBytes(bytes)})` : ''}`;
}

function analysisSection(analysis: Analysis, evaluation: CiEvaluation, paint: Paint): string {
	const {image} = analysis;
	// Dive prints "0 %" whenever nothing is wasted, which also covers its NaN (0/0).
	const userWasted = image.wastedBytes > 0 ? `${goFixed(image.userWastedPercent * 100, 2)} %` : '0 %';
	const rows = [
		row('efficiency', `${goFixed(image.efficiency * 100, 2)} %`),
		row('wastedBytes', byteFigure(image.wastedBytes)),
		row('userWastedPercent', userWasted),
	];
	if (evaluation.results.some(result => result.key === 'highestReclaimableBytes')) {
		rows.push(row('reclaimableBytes', byteFigure(image.reclaimableBytes)));
	}

	if (evaluation.ignorePaths.length > 0) {
		rows.push(row('ignorePaths', evaluation.ignorePaths.map(pattern => escapeName(pattern)).join(', ')));
	}

	return `${paint(bold, 'Analysis:')}\n${rows.join('\n')}`;
}

function inefficientSection(analysis: Analysis, paint: Paint): string {
	const title = paint(bold, 'Inefficient Files:');
	const files = analysis.image.inefficiencies;
	if (files.length === 0) {
		return `${title} (None)`;
	}

	const rows = [`  ${paint(header, `${'Count'.padEnd(5)}  ${'Wasted Space'.padEnd(12)}  File Path`)}`];
	for (const file of files) {
		rows.push(`  ${String(file.count).padEnd(5)}  ${humanBytes(file.cumulativeSize).padEnd(12)}  ${escapeName(file.path)}`);
	}

	return `${title}\n${rows.join('\n')}`;
}

export function ruleLine(result: GateResult, paint: Paint): string {
	const text = `${result.key} (${result.message})`;
	switch (result.status) {
		case 'pass': {
			return `  ${paint(green, 'PASS')}  ${text}`;
		}

		case 'fail': {
			return `  ${paint(failure, 'FAIL')}  ${text}`;
		}

		case 'skip': {
			return `  ${paint(faint, 'SKIP')}  ${paint(faint, text)}`;
		}
	}
}

/** The last line: "PASS [pass:3]", "FAIL [pass:1 fail:1 skip:1]". */
export function ciSummaryLine(evaluation: Pick<GateEvaluation, 'pass' | 'tally'>, color = false): string {
	const paint = painter(color);
	const {tally} = evaluation;
	const parts = [['pass', tally.pass], ['fail', tally.fail], ['skip', tally.skip]] as const;
	const counts = parts.filter(([, count]) => count > 0).map(([name, count]) => `${name}:${count}`).join(' ');
	const status = evaluation.pass ? paint(green, 'PASS') : paint(failure, 'FAIL');
	return `${status}${paint(faint, ` [${counts}]`)}`;
}

export function evaluationSection(evaluation: GateEvaluation, paint: Paint, color: boolean): string {
	const lines = evaluation.results.map(result => ruleLine(result, paint));
	return `${paint(bold, 'Evaluation:')}\n${lines.join('\n')}\n\n${ciSummaryLine(evaluation, color)}`;
}

/** The report for stdout, ending with a newline: dive's text for the same image and rules. */
export function formatCiReport(analysis: Analysis, evaluation: CiEvaluation, options: CiReportOptions): string {
	const paint = painter(options.color);
	const sections = [
		analysisSection(analysis, evaluation, paint),
		inefficientSection(analysis, paint),
		evaluationSection(evaluation, paint, options.color),
	];
	return `${sections.join('\n\n')}\n`;
}

/** A dive status line: the title padded to 30 columns, then its context. */
export function statusLine(title: string, context: string): string {
	return `${title.padEnd(30)}${context}`;
}

/** dive's "Loading image" line (the name escaped). */
export function ciLoadingLine(name: string): string {
	return statusLine('Loading image', escapeName(name));
}

/** dive's "Analyzing image               [layers:14 files:451 size:1.2 MB]" line. */
export function ciStatusLine(analysis: Analysis): string {
	const {image} = analysis;
	return statusLine('Analyzing image', `[layers:${analysis.layers.length} files:${commaInt(image.nodeCount)} size:${humanBytes(image.sizeBytes)}]`);
}

/** dive's "Evaluating image              [rules: 3]" line. */
export function ciEvaluatingLine(evaluation: CiEvaluation): string {
	return statusLine('Evaluating image', `[rules: ${evaluation.ruleCount}]`);
}

/** Whether the report may use colour: only on a terminal, never with NO_COLOR set (non-empty) or TERM=dumb. */
export function ciColorWanted(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
	return isTTY === true && (env['NO_COLOR'] ?? '') === '' && env['TERM'] !== 'dumb';
}
