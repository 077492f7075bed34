// The compare gate's verdict: each rule against the comparison of A and B. Pure.
//
// Comparisons are strict, as in the image gate: a figure equal to its threshold passes. A size increase given as a
// percent is a share of A's size (A of 0 bytes: any increase fails a percent rule).
import type {ImageComparison} from '../analysis/compare.js';
import type {CompareCiConfig, CompareRuleKey, CompareRuleSetting} from './compare-config.js';
import {goFixed, goFloat, uintText} from './go-format.js';
import type {GateEvaluation, GateResult, RuleStatus} from './types.js';

export type CompareRuleResult = GateResult & {readonly key: CompareRuleKey};

export type CompareEvaluation = GateEvaluation & {readonly results: readonly CompareRuleResult[]};

function measured(comparison: ImageComparison, key: CompareRuleKey): number {
	switch (key) {
		case 'highestSizeIncrease': {
			return comparison.delta.sizeBytes;
		}

		case 'highestWastedIncrease': {
			return comparison.delta.inefficientBytes;
		}

		case 'lowestEfficiency': {
			return comparison.b.efficiencyScore;
		}

		case 'highestAddedFiles': {
			return comparison.summary.added;
		}
	}
}

/** "+123" / "-5" for a signed byte count in a message. */
function signedInt(value: number): string {
	return value < 0 ? `-${uintText(-value)}` : `+${uintText(value)}`;
}

function failure(rule: CompareRuleSetting, comparison: ImageComparison, actual: number): string | undefined {
	const {threshold} = rule;
	if (threshold === undefined) {
		return undefined;
	}

	switch (rule.key) {
		case 'highestSizeIncrease': {
			if (threshold.unit === 'percentOfA') {
				const base = comparison.a.sizeBytes;
				const limit = threshold.value * base;
				const share = base === 0 ? 'n/a' : `${goFixed(actual / base * 100, 2)}%`;
				return actual > limit
					? `image grew too much (size-increase=${signedInt(actual)} bytes = ${share} of A > threshold=${rule.configValue})`
					: undefined;
			}

			return actual > threshold.value
				? `image grew too much (size-increase=${signedInt(actual)} > threshold=${uintText(threshold.value)})`
				: undefined;
		}

		case 'highestWastedIncrease': {
			return actual > threshold.value
				? `too many more bytes wasted (wasted-increase=${signedInt(actual)} > threshold=${uintText(threshold.value)})`
				: undefined;
		}

		case 'lowestEfficiency': {
			return threshold.value > actual
				? `efficiency of B is too low (efficiency=${goFixed(actual, 2)} < threshold=${goFloat(threshold.value)})`
				: undefined;
		}

		case 'highestAddedFiles': {
			return actual > threshold.value
				? `too many files added (added-files=${uintText(actual)} > threshold=${uintText(threshold.value)})`
				: undefined;
		}
	}
}

/** The threshold as one number for JSON and JUnit: bytes for a percent rule (the share of A it allows). */
function thresholdNumber(rule: CompareRuleSetting, comparison: ImageComparison): number | undefined {
	if (rule.threshold === undefined) {
		return undefined;
	}

	return rule.threshold.unit === 'percentOfA' ? rule.threshold.value * comparison.a.sizeBytes : rule.threshold.value;
}

export function evaluateCompareCi(comparison: ImageComparison, config: CompareCiConfig): CompareEvaluation {
	const results: CompareRuleResult[] = config.rules.map(rule => {
		const actual = measured(comparison, rule.key);
		const base = {key: rule.key, configValue: rule.configValue, threshold: thresholdNumber(rule, comparison), actual};
		if (rule.threshold === undefined) {
			return {...base, status: 'skip' as RuleStatus, message: 'disabled'};
		}

		const reason = failure(rule, comparison, actual);
		return {...base, status: reason === undefined ? 'pass' : 'fail', message: reason ?? rule.configValue};
	});
	results.sort((a, b) => (a.key < b.key ? -1 : (a.key > b.key ? 1 : 0)));
	const tally = {pass: 0, fail: 0, skip: 0};
	for (const result of results) {
		tally[result.status]++;
	}

	return {pass: tally.fail === 0, results, tally, ruleCount: results.length, ignorePaths: [], configFile: config.file};
}
