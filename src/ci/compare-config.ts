// The rules of `layerscope compare A B --ci`: from flags, else the `compare:` section of the rules file (the same
// file and lookup as the image gate, src/ci/config.ts), else off. Every rule is off unless set.
//
//   # .layerscope-ci.yml
//   compare:
//     highestSizeIncrease: 20MB        # bytes B may add over A (or a percent of A: "5%")
//     highestWastedIncrease: 5MB       # wasted bytes (dive's definition) B may add over A
//     lowestEfficiency: 0.9            # B's efficiency may not fall below this ratio
//     highestAddedFiles: 1000          # paths B may add
import path from 'node:path';
import {isMap, isScalar} from 'yaml';
import {escapeName} from '../report/escape.js';
import {CiConfigError, findRulesFile, parseFormat, quote, readConfigDocument, resolveNode, ruleSuggestion, scalarText, settleRules} from './config.js';
import {isDisabledValue, type Parsed, parseByteSize, parseGoFloat, parseRatio} from './parse.js';
import type {CiFormat, RuleSource} from './types.js';

export type CompareRuleKey = 'highestSizeIncrease' | 'highestWastedIncrease' | 'lowestEfficiency' | 'highestAddedFiles';

/** A threshold: bytes, a ratio, a count, or a share of A's size. */
export type CompareThreshold = {readonly unit: 'bytes' | 'ratio' | 'count'; readonly value: number} | {readonly unit: 'percentOfA'; readonly value: number};

export type CompareRuleSetting = {
	readonly key: CompareRuleKey;
	/** The value as written ("20MB", "5%"); "disabled" when off. */
	readonly configValue: string;
	readonly threshold: CompareThreshold | undefined;
	readonly source: RuleSource;
	/** Where the value was read ("--highest-size-increase", ".layerscope-ci.yml"). */
	readonly origin: string;
};

export type CompareCiConfig = {
	readonly file: string | undefined;
	/** In the order of compareRuleSpecs. */
	readonly rules: readonly CompareRuleSetting[];
	readonly format: CiFormat;
	readonly junitFile: string | undefined;
	readonly warnings: readonly string[];
};

export type CompareCiFlags = {
	configPath?: string;
	highestSizeIncrease?: string;
	highestWastedIncrease?: string;
	lowestEfficiency?: string;
	highestAddedFiles?: string;
	format?: string;
	junitFile?: string;
};

type Spec = {
	readonly key: CompareRuleKey;
	readonly flag: string;
	readonly parse: (text: string) => {ok: true; threshold: CompareThreshold} | {ok: false; reason: string};
};

function asBytes(parsed: Parsed): ReturnType<Spec['parse']> {
	return parsed.ok ? {ok: true, threshold: {unit: 'bytes', value: parsed.value}} : parsed;
}

/** "20MB" (go-humanize, as the image gate reads sizes) or "12.5%" (of A's size). */
export function parseSizeOrPercent(text: string): ReturnType<Spec['parse']> {
	const trimmed = text.trim();
	if (trimmed.endsWith('%')) {
		const value = parseGoFloat(trimmed.slice(0, -1).trim());
		if (value === undefined || Number.isNaN(value) || value < 0 || !Number.isFinite(value)) {
			return {ok: false, reason: 'not a percentage'};
		}

		return {ok: true, threshold: {unit: 'percentOfA', value: value / 100}};
	}

	return asBytes(parseByteSize(trimmed));
}

function parseCount(text: string): ReturnType<Spec['parse']> {
	const trimmed = text.trim().replaceAll(',', '');
	if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
		return {ok: false, reason: 'not a whole number'};
	}

	return {ok: true, threshold: {unit: 'count', value: Number(trimmed)}};
}

export const compareRuleSpecs: readonly Spec[] = [
	{key: 'highestSizeIncrease', flag: '--highest-size-increase', parse: parseSizeOrPercent},
	{key: 'highestWastedIncrease', flag: '--highest-wasted-increase', parse: text => asBytes(parseByteSize(text.trim()))},
	{key: 'lowestEfficiency', flag: '--lowest-efficiency', parse(text) {
		const parsed = parseRatio(text);
		return parsed.ok ? {ok: true, threshold: {unit: 'ratio', value: parsed.value}} : parsed;
	}},
	{key: 'highestAddedFiles', flag: '--highest-added-files', parse: parseCount},
];

const knownKeys = new Set<string>(compareRuleSpecs.map(spec => spec.key));

function setting(spec: Spec, text: string, source: RuleSource, origin: string): CompareRuleSetting {
	if (isDisabledValue(text)) {
		return {key: spec.key, configValue: 'disabled', threshold: undefined, source, origin};
	}

	const parsed = spec.parse(text);
	if (!parsed.ok) {
		throw new CiConfigError(`${origin}: invalid ${spec.key} value ${quote(text)}: ${parsed.reason}`);
	}

	return {key: spec.key, configValue: text, threshold: parsed.threshold, source, origin};
}

/** The `compare:` section of a rules file: rule texts by key, and warnings for keys it does not know. */
function readCompareSection(file: string, label: string): {values: Map<CompareRuleKey, string>; warnings: string[]} {
	const values = new Map<CompareRuleKey, string>();
	const warnings: string[] = [];
	const parsed = readConfigDocument(file, label);
	const where = escapeName(label);
	if (parsed === undefined) {
		return {values, warnings};
	}

	const {root, document} = parsed;
	const section = resolveNode(root.get('compare', true), document);
	if (section === undefined || section === null || (isScalar(section) && section.value === null)) {
		return {values, warnings};
	}

	if (!isMap(section)) {
		throw new CiConfigError(`CI config ${where}: "compare" must be a mapping of rule names to values`);
	}

	for (const pair of section.items) {
		const key = isScalar(pair.key) ? String(pair.key.value) : '';
		if (knownKeys.has(key)) {
			const text = scalarText(resolveNode(pair.value, document), `CI config ${where}: compare.${key}`);
			if (text !== null) {
				values.set(key as CompareRuleKey, text);
			}
		} else {
			warnings.push(`${where}: unknown compare rule ${quote(key)} ignored${ruleSuggestion(key, [...knownKeys])}`);
		}
	}

	return {values, warnings};
}

/**
 * The compare gate's configuration: the rules file's `compare:` section, flags over it rule by rule.
 * Throws CiConfigError (one line; every bad value, joined by "; ") on a bad file or value.
 */
export function loadCompareCiConfig(flags: CompareCiFlags, cwd: string): CompareCiConfig {
	const found = findRulesFile(flags, cwd);
	const fromFile = found === undefined ? undefined : readCompareSection(path.resolve(cwd, found.file), found.file);
	const {format, junitFile} = parseFormat(flags);
	const fileLabel = found === undefined ? '' : escapeName(found.file);
	const rules = settleRules(compareRuleSpecs, flags, fromFile?.values, (spec, value, source, origin) => setting(spec, value ?? 'disabled', source, source === 'file' ? fileLabel : origin));

	return {file: found?.file, rules, format, junitFile, warnings: fromFile?.warnings ?? []};
}
