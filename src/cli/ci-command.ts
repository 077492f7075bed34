// `layerscope IMAGE --ci`: evaluate the rules, print the report, write the JUnit file, give the exit code.
//
// Exit codes: 0 every rule passed (or was skipped), 1 a rule failed. Configuration errors (CiConfigError, from
// loadCiConfig) and a JUnit file that cannot be written (OutputError) are thrown for main.ts to map to exit 2.
import type {Analysis} from '../analysis/types.js';
import {type CiConfig, type CiEvaluation, evaluateCi, formatCiReport, junitXml} from '../ci/index.js';
import {writeOutput} from './output.js';

export type CiCommandIo = {
	stdout(text: string): void;
	stderr(text: string): void;
	/** Colour for the report (the caller decides: a TTY and no NO_COLOR; see ciColorWanted). */
	color: boolean;
};

export type CiCommandInput = {
	analysis: Analysis;
	config: CiConfig;
	io: CiCommandIo;
	/** When the caller evaluated the rules already (it needed the results for --json). */
	evaluation?: CiEvaluation;
	/** false: stdout carries something else (--json -); the report is not printed, the JUnit file still written. */
	report?: boolean;
};

export async function runCiCommand(input: CiCommandInput): Promise<number> {
	const {analysis, config, io} = input;
	for (const warning of config.warnings) {
		io.stderr(`layerscope: warning: ${warning}\n`);
	}

	const evaluation = input.evaluation ?? evaluateCi(analysis, config);
	if (config.format === 'junit' && config.junitFile === '-') {
		// The XML replaces the report on stdout, so it can be piped.
		io.stdout(junitXml(analysis, evaluation));
	} else {
		if (input.report !== false) {
			io.stdout(formatCiReport(analysis, evaluation, {color: io.color}));
		}

		if (config.format === 'junit' && config.junitFile !== undefined) {
			// Atomic: a temporary file in the same directory, renamed over the target.
			await writeOutput(config.junitFile, junitXml(analysis, evaluation));
		}
	}

	return evaluation.pass ? 0 : 1;
}
