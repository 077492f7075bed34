// The CI verdict as JSON (the "ci" key of --json output). Pure. Numbers that are not finite become null.
import type {GateEvaluation} from './types.js';

function finite(value: number | undefined): number | null {
	return value === undefined || !Number.isFinite(value) ? null : value;
}

/** JSON-serialisable rule results: {pass, status, tally, rules: [{rule, status, threshold, …}], …}. */
export function ciJson(evaluation: GateEvaluation): unknown {
	return {
		pass: evaluation.pass,
		status: evaluation.pass ? 'PASS' : 'FAIL',
		tally: {...evaluation.tally},
		configFile: evaluation.configFile ?? null,
		ignorePaths: [...evaluation.ignorePaths],
		rules: evaluation.results.map(result => ({
			rule: result.key,
			status: result.status.toUpperCase(),
			configured: result.configValue,
			threshold: finite(result.threshold),
			actual: finite(result.actual),
			message: result.message,
		})),
	};
}
