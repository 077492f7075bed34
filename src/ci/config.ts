// The CI gate's configuration: rule values from flags, a rules file or the defaults, parsed as dive parses them.
//
// Files, first found wins: the --ci-config path, else ./.layerscope-ci.yml, ./.layerscope-ci.yaml, ./.dive-ci.
// Both kinds hold `rules:` with dive's camelCase keys; layerscope's adds `highestReclaimableBytes` and a top-level
// `ignorePaths:` list. A value given as a flag wins over the file. As in dive (yaml.v3 into string fields), a
// scalar is taken as written ("0.90" stays "0.90"), a key with no value (YAML null) keeps the default, and
// unknown keys are ignored.
import {readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {closest, distance} from 'fastest-levenshtein';
import {type Document, isAlias, isMap, isScalar, isSeq, type Node, parseAllDocuments, type YAMLMap} from 'yaml';
import {escapeName} from '../report/escape.js';
import {systemErrorText} from '../report/system-error.js';
import {isDisabledValue, type Parsed, parseByteSize, parseRatio} from './parse.js';
import type {CiConfig, CiFormat, RuleKey, RuleSetting, RuleSource} from './types.js';

/** Flags of the command line, as given (strings; undefined when absent). */
export type CiFlags = {
	configPath?: string;
	lowestEfficiency?: string;
	highestWastedBytes?: string;
	highestUserWastedPercent?: string;
	highestReclaimableBytes?: string;
	format?: string;
	junitFile?: string;
};

/** A configuration problem: one line naming the key or file and the bad value. */
export class CiConfigError extends Error {
	override name = 'CiConfigError';
}

type RuleSpec = {
	readonly key: RuleKey;
	readonly flag: string;
	readonly defaultValue: string;
	readonly parse: (text: string) => Parsed;
};

/** dive's defaults: 0.9 / disabled / 0.1; layerscope's own rule is off unless asked for. */
export const ruleSpecs: readonly RuleSpec[] = [
	{key: 'lowestEfficiency', flag: '--lowest-efficiency', defaultValue: '0.9', parse: parseRatio},
	{key: 'highestWastedBytes', flag: '--highest-wasted-bytes', defaultValue: 'disabled', parse: parseByteSize},
	{key: 'highestUserWastedPercent', flag: '--highest-user-wasted-percent', defaultValue: '0.1', parse: parseRatio},
	{key: 'highestReclaimableBytes', flag: '--highest-reclaimable-bytes', defaultValue: 'disabled', parse: parseByteSize},
];

const layerscopeFiles = ['.layerscope-ci.yml', '.layerscope-ci.yaml'];
const diveFile = '.dive-ci';
/** A rules file is a few hundred bytes; anything this large is a mistake. */
const maxConfigBytes = 1024 * 1024;

export {isCiEnvironment} from './environment.js';

export function quote(text: string): string {
	return `"${escapeName(text)}"`;
}

/** Builds one rule from its text; throws CiConfigError naming the key, the value and where it came from. */
export function ruleSetting(spec: RuleSpec, text: string, source: RuleSource, origin: string): RuleSetting {
	if (isDisabledValue(text)) {
		return {key: spec.key, configValue: 'disabled', threshold: undefined, source, origin};
	}

	const parsed = spec.parse(text);
	if (!parsed.ok) {
		throw new CiConfigError(`${origin}: invalid ${spec.key} value ${quote(text)}: ${parsed.reason}`);
	}

	return {key: spec.key, configValue: text, threshold: parsed.value, source, origin};
}

type FileValues = {
	rules: Map<RuleKey, string>;
	ignorePaths: string[];
	warnings: string[];
};

function firstLine(text: string): string {
	return text.split('\n', 1)[0] ?? '';
}

export function resolveNode(node: unknown, document: Document): unknown {
	return isAlias(node) ? node.resolve(document) : node;
}

/** A scalar's text as written (a quoted scalar's decoded value); null for YAML null. */
export function scalarText(node: unknown, where: string): string | null {
	if (!isScalar(node)) {
		throw new CiConfigError(`${where}: expected a single value, not a ${isSeq(node) ? 'list' : 'mapping'}`);
	}

	if (node.value === null) {
		return null;
	}

	if (typeof node.source === 'string' && node.source !== '') {
		return node.source;
	}

	return String(node.value);
}

const knownRuleKeys = new Set<string>(ruleSpecs.map(spec => spec.key));
const kebabHints = new Map<string, RuleKey>([
	['lowest-efficiency', 'lowestEfficiency'],
	['lowest-efficiency-threshold', 'lowestEfficiency'],
	['highest-wasted-bytes', 'highestWastedBytes'],
	['highest-user-wasted-percent', 'highestUserWastedPercent'],
	['highest-reclaimable-bytes', 'highestReclaimableBytes'],
]);

/**
 * " (did you mean KEY?)" for a mistyped rule name: the known key within a few edits of it (Levenshtein distance
 * ≤ max(2, a quarter of its length), the closest one), or a kebab-case spelling of one; '' when none is near.
 */
export function ruleSuggestion(key: string, known: readonly string[]): string {
	const hint = kebabHints.get(key);
	if (hint !== undefined) {
		return ` (did you mean ${hint}?)`;
	}

	if (known.length === 0) {
		return '';
	}

	const near = closest(key, [...known]);
	return distance(key.toLowerCase(), near.toLowerCase()) <= Math.max(2, Math.floor(near.length / 4)) ? ` (did you mean ${near}?)` : '';
}

function readIgnorePaths(node: unknown, document: Document, where: string): string[] {
	const value = resolveNode(node, document);
	const items = isSeq(value) ? value.items.map(item => resolveNode(item, document)) : [value];
	if (isScalar(value) && value.value === null) {
		return [];
	}

	return items.map(item => {
		const text = scalarText(item, `${where}: ignorePaths`);
		if (text === null || text.trim() === '') {
			throw new CiConfigError(`${where}: ignorePaths: empty pattern`);
		}

		return text;
	});
}

/** A rules file's parsed YAML: its top-level mapping (undefined when the file is empty), or CiConfigError. */
export function readConfigDocument(file: string, label: string): {root: YAMLMap; document: Document} | undefined {
	const where = escapeName(label);
	let text: string;
	try {
		const stats = statSync(file);
		if (stats.isDirectory()) {
			throw new CiConfigError(`cannot read CI config ${where}: it is a directory`);
		}

		if (stats.size > maxConfigBytes) {
			throw new CiConfigError(`cannot read CI config ${where}: larger than ${maxConfigBytes} bytes`);
		}

		text = readFileSync(file, 'utf8');
	} catch (error) {
		if (error instanceof CiConfigError) {
			throw error;
		}

		throw new CiConfigError(`cannot read CI config ${where}: ${systemErrorText(error)}`);
	}

	const documents = parseAllDocuments(text, {uniqueKeys: true});
	const document = Array.isArray(documents) ? documents[0] : undefined;
	if (document === undefined) {
		return undefined; // Empty file: defaults.
	}

	const problem = document.errors[0];
	if (problem !== undefined) {
		const at = problem.linePos?.[0];
		const position = at === undefined ? '' : ` at line ${at.line}, column ${at.col}`;
		// The message's first line ends with its own " at line L, column C:"; the position is given once, up front.
		const message = firstLine(problem.message).replace(/ at line \d+, column \d+:?$/, '');
		throw new CiConfigError(`CI config ${where}: invalid YAML${position}: ${escapeName(message)}`);
	}

	const root = resolveNode(document.contents, document) as Node | null;
	if (root === null || (isScalar(root) && root.value === null)) {
		return undefined;
	}

	if (!isMap(root)) {
		throw new CiConfigError(`CI config ${where}: expected a mapping with "rules:" at the top level`);
	}

	return {root, document};
}

function readRulesFile(file: string, label: string, kind: 'layerscope' | 'dive'): FileValues {
	const where = escapeName(label);
	const values: FileValues = {rules: new Map(), ignorePaths: [], warnings: []};
	const parsed = readConfigDocument(file, label);
	if (parsed === undefined) {
		return values;
	}

	const {root, document} = parsed;
	for (const pair of root.items) {
		const key = isScalar(pair.key) ? String(pair.key.value) : '';
		if (key === 'rules') {
			readRules(resolveNode(pair.value, document), document, where, values);
		} else if (key === 'ignorePaths') {
			values.ignorePaths.push(...readIgnorePaths(pair.value, document, where));
		} else if (kind === 'layerscope' && key !== 'compare') {
			// `compare:` holds the rules of `layerscope compare --ci` (src/ci/compare-config.ts).
			values.warnings.push(`${where}: unknown key ${quote(key)} ignored`);
		}
	}

	return values;
}

function readRules(node: unknown, document: Document, where: string, values: FileValues): void {
	if (node === null || node === undefined || (isScalar(node) && node.value === null)) {
		return;
	}

	if (!isMap(node)) {
		throw new CiConfigError(`CI config ${where}: "rules" must be a mapping of rule names to values`);
	}

	for (const pair of node.items) {
		const key = isScalar(pair.key) ? String(pair.key.value) : '';
		if (knownRuleKeys.has(key)) {
			const text = scalarText(resolveNode(pair.value, document), `CI config ${where}: ${key}`);
			if (text !== null) {
				values.rules.set(key as RuleKey, text);
			}
		} else if (key === 'ignorePaths') {
			values.ignorePaths.push(...readIgnorePaths(pair.value, document, where));
		} else if (!key.includes('/')) {
			// Dive's own .dive-ci holds plugin keys such as "plugin1/rule1"; those are expected and silent.
			values.warnings.push(`${where}: unknown rule ${quote(key)} ignored${ruleSuggestion(key, [...knownRuleKeys, 'ignorePaths'])}`);
		}
	}
}

function exists(file: string): boolean {
	try {
		statSync(file);
		return true;
	} catch {
		return false;
	}
}

/** The rules file to read: the one asked for, else the first one found in `cwd`. */
export function findRulesFile(flags: Pick<CiFlags, 'configPath'>, cwd: string): {file: string; kind: 'layerscope' | 'dive'} | undefined {
	if (flags.configPath !== undefined) {
		if (flags.configPath === '') {
			throw new CiConfigError('--ci-config: empty path');
		}

		const resolved = path.resolve(cwd, flags.configPath);
		// Unlike dive, which quietly falls back to the defaults, a rules file asked for must exist.
		if (!exists(resolved)) {
			throw new CiConfigError(`cannot read CI config ${escapeName(flags.configPath)}: there is no such file (looked for ${escapeName(resolved)}); name an existing rules file, or leave out --ci-config to use ./.layerscope-ci.yml, ./.dive-ci or the defaults`);
		}

		const kind = path.basename(resolved) === diveFile ? 'dive' : 'layerscope';
		return {file: flags.configPath, kind};
	}

	for (const name of layerscopeFiles) {
		if (exists(path.join(cwd, name))) {
			return {file: name, kind: 'layerscope'};
		}
	}

	return exists(path.join(cwd, diveFile)) ? {file: diveFile, kind: 'dive'} : undefined;
}

export function parseFormat(flags: Pick<CiFlags, 'format' | 'junitFile'>): {format: CiFormat; junitFile: string | undefined} {
	const format = flags.format?.toLowerCase();
	if (format !== undefined && format !== 'text' && format !== 'junit') {
		throw new CiConfigError(`--ci-format: unknown format ${quote(flags.format ?? '')} (expected text or junit)`);
	}

	if (flags.junitFile === '') {
		throw new CiConfigError('--junit-file: empty path');
	}

	if (format === 'junit' || (format === undefined && flags.junitFile !== undefined)) {
		return {format: 'junit', junitFile: flags.junitFile ?? 'layerscope-junit.xml'};
	}

	if (flags.junitFile !== undefined) {
		throw new CiConfigError(`--junit-file ${escapeName(flags.junitFile)} needs --ci-format junit, not text`);
	}

	return {format: 'text', junitFile: undefined};
}

/**
 * Each rule's setting, from its flag, else the rules file, else its default (in that order of precedence), made by
 * `make` (value undefined: the default; origin the flag's name, or "default"). Every bad value is reported at once:
 * CiConfigError with the problems joined by "; ". Shared by the image gate and the compare gate.
 */
export function settleRules<K extends string, Spec extends {readonly key: K; readonly flag: string}, Setting>(
	specs: readonly Spec[],
	flags: Partial<Record<K, string>>,
	fileValues: ReadonlyMap<K, string> | undefined,
	make: (spec: Spec, value: string | undefined, source: RuleSource, origin: string) => Setting,
): Setting[] {
	const problems: string[] = [];
	const settings: Setting[] = [];
	for (const spec of specs) {
		const flagValue = flags[spec.key];
		const fileValue = fileValues?.get(spec.key);
		try {
			if (flagValue !== undefined) {
				settings.push(make(spec, flagValue, 'flag', spec.flag));
			} else if (fileValue === undefined) {
				settings.push(make(spec, undefined, 'default', 'default'));
			} else {
				settings.push(make(spec, fileValue, 'file', ''));
			}
		} catch (error) {
			if (!(error instanceof CiConfigError)) {
				throw error;
			}

			problems.push(error.message);
		}
	}

	if (problems.length > 0) {
		throw new CiConfigError(problems.join('; '));
	}

	return settings;
}

/**
 * Reads the CI configuration: the rules file (see the top of this file), then flags over it.
 * Throws CiConfigError on an unreadable or malformed file or a bad value; every bad value is reported, joined by "; ".
 */
export function loadCiConfig(flags: CiFlags, cwd: string): CiConfig {
	const found = findRulesFile(flags, cwd);
	const fromFile = found === undefined
		? undefined
		: readRulesFile(path.resolve(cwd, found.file), found.file, found.kind);
	const fileLabel = found === undefined ? '' : escapeName(found.file);
	const {format, junitFile} = parseFormat(flags);

	const rules = settleRules(ruleSpecs, flags, fromFile?.rules, (spec, value, source, origin) => ruleSetting(spec, value ?? spec.defaultValue, source, source === 'file' ? fileLabel : origin));

	return {
		file: found?.file,
		fileKind: found?.kind ?? 'defaults',
		rules,
		ignorePaths: fromFile?.ignorePaths ?? [],
		format,
		junitFile,
		warnings: fromFile?.warnings ?? [],
	};
}
