// The CI gate (`layerscope IMAGE --ci`): dive-compatible rules, evaluation, report text, JSON and JUnit output.
import type {CiConfig} from './types.js';
import {globMatcher} from './ignore.js';

export type {CiConfig, CiEvaluation, CiFormat, RuleKey, RuleResult, RuleSetting, RuleStatus} from './types.js';
export {type CiFlags, CiConfigError, isCiEnvironment, loadCiConfig} from './config.js';
export {evaluateCi} from './evaluate.js';
export {ciColorWanted, ciEvaluatingLine, ciLoadingLine, ciStatusLine, ciSummaryLine, type CiReportOptions, formatCiReport} from './report.js';
export {ciJson} from './json.js';
export {junitXml} from './junit.js';

/** The predicate for `analyzeImage(image, {ignore})` from the config's ignorePaths; undefined when there are none. */
export function ignoreMatcher(config: CiConfig): ((absolutePath: string) => boolean) | undefined {
	return globMatcher(config.ignorePaths);
}
