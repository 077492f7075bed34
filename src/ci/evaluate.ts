// The CI verdict: each rule against the analysis, with dive's comparisons and messages. Pure.
//
// Comparisons are strict, as in dive: efficiency fails below its threshold, bytes and ratios fail above theirs.
// A NaN ratio (no user bytes at all) compares false and so never fails.
import type {Analysis} from '../analysis/types.js';
import {goFixed, goFloat, uintText} from './go-format.js';
import type {CiConfig, CiEvaluation, RuleKey, RuleResult, RuleSetting, RuleStatus} from './types.js';

function measured(analysis: Analysis, key: RuleKey): number {
	const {image} = analysis;
	switch (key) {
		case 'lowestEfficiency': {
			return image.efficiency;
		}

		case 'highestWastedBytes': {
			return image.wastedBytes;
		}

		case 'highestUserWastedPercent': {
			return image.userWastedPercent;
		}

		case 'highestReclaimableBytes': {
			return image.reclaimableBytes;
		}
	}
}

/** dive's failure text for a rule, or undefined when the rule holds. */
function failure(key: RuleKey, actual: number, threshold: number): string | undefined {
	switch (key) {
		case 'lowestEfficiency': {
			return threshold > actual
				? `image efficiency is too low (efficiency=${goFixed(actual, 2)} < threshold=${goFloat(threshold)})`
				: undefined;
		}

		case 'highestWastedBytes': {
			return actual > threshold
				? `too many bytes wasted (wasted-bytes=${uintText(actual)} > threshold=${uintText(threshold)})`
				: undefined;
		}

		case 'highestUserWastedPercent': {
			return actual > threshold
				? `too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=${goFixed(actual, 2)} > threshold=${goFloat(threshold)})`
				: undefined;
		}

		case 'highestReclaimableBytes': {
			return actual > threshold
				? `too many bytes reclaimable by squashing (reclaimable-bytes=${uintText(actual)} > threshold=${uintText(threshold)})`
				: undefined;
		}
	}
}

/** dive's rules are always listed; layerscope's own only when switched on, so dive's report stays unchanged. */
function isListed(rule: RuleSetting): boolean {
	return rule.key !== 'highestReclaimableBytes' || rule.threshold !== undefined;
}

function evaluateRule(analysis: Analysis, rule: RuleSetting): RuleResult {
	const actual = measured(analysis, rule.key);
	const base = {key: rule.key, configValue: rule.configValue, threshold: rule.threshold, actual};
	if (rule.threshold === undefined) {
		return {...base, status: 'skip', message: 'disabled'};
	}

	const reason = failure(rule.key, actual, rule.threshold);
	const status: RuleStatus = reason === undefined ? 'pass' : 'fail';
	return {...base, status, message: reason ?? rule.configValue};
}

/** Evaluates every rule of the configuration against the analysis (computed with the config's ignore globs). */
export function evaluateCi(analysis: Analysis, config: CiConfig): CiEvaluation {
	const results = config.rules
		.filter(rule => isListed(rule))
		.map(rule => evaluateRule(analysis, rule))
		.sort((a, b) => (a.key < b.key ? -1 : (a.key > b.key ? 1 : 0)));
	const tally = {pass: 0, fail: 0, skip: 0};
	for (const result of results) {
		tally[result.status]++;
	}

	return {
		pass: tally.fail === 0,
		results,
		tally,
		ruleCount: results.length,
		ignorePaths: config.ignorePaths,
		configFile: config.file,
	};
}
