import assert from 'node:assert/strict';
import {copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {CiConfigError, isCiEnvironment, loadCiConfig} from '../../src/ci/index.js';
import type {CiConfig, RuleKey} from '../../src/ci/index.js';
import {diveFixtures} from './fixture-analysis.js';

const root = mkdtempSync(path.join(tmpdir(), 'layerscope-ci-config-'));
after(() => {
	rmSync(root, {recursive: true, force: true});
});

let counter = 0;
/** A fresh directory holding the given files. */
function dir(files: Record<string, string> = {}): string {
	const target = path.join(root, String(counter++));
	mkdirSync(target);
	for (const [name, text] of Object.entries(files)) {
		writeFileSync(path.join(target, name), text);
	}

	return target;
}

function values(config: CiConfig): Record<string, string> {
	return Object.fromEntries(config.rules.map(rule => [rule.key, rule.configValue]));
}

function rule(config: CiConfig, key: RuleKey) {
	const found = config.rules.find(item => item.key === key);
	assert.ok(found);
	return found;
}

function configError(run: () => unknown): string {
	try {
		run();
	} catch (error) {
		assert.ok(error instanceof CiConfigError, `expected a CiConfigError, got ${String(error)}`);
		assert.doesNotMatch(error.message, /\n/, 'one line');
		return error.message;
	}

	assert.fail('expected a CiConfigError');
}

test('no rules file: dive\'s defaults (0.9 / disabled / 0.1), reclaimable off', () => {
	const config = loadCiConfig({}, dir());
	assert.equal(config.file, undefined);
	assert.equal(config.fileKind, 'defaults');
	assert.deepEqual(values(config), {
		lowestEfficiency: '0.9',
		highestWastedBytes: 'disabled',
		highestUserWastedPercent: '0.1',
		highestReclaimableBytes: 'disabled',
	});
	assert.equal(rule(config, 'lowestEfficiency').threshold, 0.9);
	assert.equal(rule(config, 'highestWastedBytes').threshold, undefined);
	assert.equal(rule(config, 'lowestEfficiency').source, 'default');
	assert.deepEqual(config.ignorePaths, []);
	assert.equal(config.format, 'text');
	assert.equal(config.junitFile, undefined);
});

test('dive\'s own .dive-ci is read as is, its plugin keys ignored silently', () => {
	const cwd = dir();
	copyFileSync(path.join(diveFixtures, '.dive-ci'), path.join(cwd, '.dive-ci'));
	const config = loadCiConfig({}, cwd);
	assert.equal(config.file, '.dive-ci');
	assert.equal(config.fileKind, 'dive');
	assert.deepEqual(values(config), {
		lowestEfficiency: '0.95',
		highestWastedBytes: '20Mb',
		highestUserWastedPercent: '0.5',
		highestReclaimableBytes: 'disabled',
	});
	assert.equal(rule(config, 'highestWastedBytes').threshold, 20_000_000);
	assert.equal(rule(config, 'lowestEfficiency').source, 'file');
	assert.deepEqual(config.warnings, []);
});

test('.layerscope-ci.yml wins over .layerscope-ci.yaml and .dive-ci; adds ignorePaths and highestReclaimableBytes', () => {
	const cwd = dir({
		'.dive-ci': 'rules:\n  lowestEfficiency: 0.5\n',
		'.layerscope-ci.yaml': 'rules:\n  lowestEfficiency: 0.6\n',
		'.layerscope-ci.yml': [
			'rules:',
			'  lowestEfficiency: 0.90',
			'  highestWastedBytes: 20MiB',
			'  highestReclaimableBytes: 1 MB',
			'ignorePaths:',
			'  - /var/cache/**',
			'  - "*.pyc"',
			'',
		].join('\n'),
	});
	const config = loadCiConfig({}, cwd);
	assert.equal(config.file, '.layerscope-ci.yml');
	assert.equal(config.fileKind, 'layerscope');
	assert.equal(rule(config, 'lowestEfficiency').configValue, '0.90'); // As written, as dive keeps it.
	assert.equal(rule(config, 'highestWastedBytes').threshold, 20_971_520);
	assert.equal(rule(config, 'highestReclaimableBytes').threshold, 1_000_000);
	assert.equal(rule(config, 'highestUserWastedPercent').configValue, '0.1'); // Missing key: default.
	assert.deepEqual(config.ignorePaths, ['/var/cache/**', '*.pyc']);

	const second = dir({'.layerscope-ci.yaml': 'rules:\n  lowestEfficiency: 0.6\n', '.dive-ci': 'rules:\n  lowestEfficiency: 0.5\n'});
	assert.equal(loadCiConfig({}, second).file, '.layerscope-ci.yaml');
	assert.equal(rule(loadCiConfig({}, second), 'lowestEfficiency').threshold, 0.6);
});

test('--ci-config wins over the files found; a missing one is an error (dive would silently use defaults)', () => {
	const cwd = dir({'.layerscope-ci.yml': 'rules:\n  lowestEfficiency: 0.6\n', 'rules.yml': 'rules:\n  lowestEfficiency: 0.7\n'});
	const config = loadCiConfig({configPath: 'rules.yml'}, cwd);
	assert.equal(config.file, 'rules.yml');
	assert.equal(rule(config, 'lowestEfficiency').threshold, 0.7);

	const absolute = loadCiConfig({configPath: path.join(diveFixtures, '.dive-ci')}, cwd);
	assert.equal(absolute.fileKind, 'dive');
	assert.equal(rule(absolute, 'lowestEfficiency').threshold, 0.95);

	assert.equal(configError(() => loadCiConfig({configPath: 'nope.yml'}, cwd)), `cannot read CI config nope.yml: there is no such file (looked for ${path.join(cwd, 'nope.yml')}); name an existing rules file, or leave out --ci-config to use ./.layerscope-ci.yml, ./.dive-ci or the defaults`);
	assert.match(configError(() => loadCiConfig({configPath: '.'}, cwd)), /^cannot read CI config \.: it is a directory$/);
});

test('flags win over the file, rule by rule', () => {
	const cwd = dir({'.dive-ci': 'rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20Mb\n  highestUserWastedPercent: 0.5\n'});
	const config = loadCiConfig({lowestEfficiency: '0.99', highestUserWastedPercent: 'off'}, cwd);
	assert.equal(rule(config, 'lowestEfficiency').threshold, 0.99);
	assert.equal(rule(config, 'lowestEfficiency').source, 'flag');
	assert.equal(rule(config, 'highestWastedBytes').threshold, 20_000_000);
	assert.equal(rule(config, 'highestWastedBytes').source, 'file');
	assert.equal(rule(config, 'highestUserWastedPercent').threshold, undefined);
	assert.equal(rule(config, 'highestUserWastedPercent').configValue, 'disabled');
	// An empty flag value disables the rule, as in dive.
	assert.equal(rule(loadCiConfig({lowestEfficiency: ''}, cwd), 'lowestEfficiency').threshold, undefined);
});

test('YAML null keeps the default (as yaml.v3 leaves a string field alone); an empty string or off disables', () => {
	const cwd = dir({'.dive-ci': 'rules:\n  lowestEfficiency:\n  highestUserWastedPercent: ~\n  highestWastedBytes: ""\n'});
	const config = loadCiConfig({}, cwd);
	assert.equal(rule(config, 'lowestEfficiency').threshold, 0.9);
	assert.equal(rule(config, 'highestUserWastedPercent').threshold, 0.1);
	assert.equal(rule(config, 'highestWastedBytes').configValue, 'disabled');

	const off = loadCiConfig({}, dir({'.dive-ci': 'rules:\n  lowestEfficiency: off\n  highestUserWastedPercent: false\n  highestWastedBytes: Disabled\n'}));
	assert.deepEqual(off.rules.map(item => item.threshold), [undefined, undefined, undefined, undefined]);
});

test('empty files, empty rules and unknown keys fall back to defaults; unknown rules warn', () => {
	for (const text of ['', '# nothing\n', 'rules:\n', 'other: 1\n']) {
		const config = loadCiConfig({}, dir({'.dive-ci': text}));
		assert.equal(rule(config, 'lowestEfficiency').threshold, 0.9, JSON.stringify(text));
	}

	const config = loadCiConfig({}, dir({'.layerscope-ci.yml': 'rules:\n  lowest-efficiency: 0.99\n  plugin/x: 1\nextra: 2\n'}));
	assert.equal(rule(config, 'lowestEfficiency').threshold, 0.9, 'the kebab-case key is not a rule, as in dive');
	assert.deepEqual(config.warnings, [
		'.layerscope-ci.yml: unknown rule "lowest-efficiency" ignored (did you mean lowestEfficiency?)',
		'.layerscope-ci.yml: unknown key "extra" ignored',
	]);
});

test('a bad value is one line naming where, the key and the value', () => {
	assert.equal(
		configError(() => loadCiConfig({lowestEfficiency: '1.1'}, dir())),
		'--lowest-efficiency: invalid lowestEfficiency value "1.1": must be a ratio between 0 and 1',
	);
	assert.equal(
		configError(() => loadCiConfig({highestWastedBytes: 'not_a_size'}, dir())),
		'--highest-wasted-bytes: invalid highestWastedBytes value "not_a_size": not a byte size',
	);
	assert.equal(
		configError(() => loadCiConfig({}, dir({'.dive-ci': 'rules:\n  highestUserWastedPercent: 50%\n'}))),
		'.dive-ci: invalid highestUserWastedPercent value "50%": not a number (a ratio: 0.5 for 50 %)',
	);
	// Every bad value is reported at once.
	assert.equal(
		configError(() => loadCiConfig({lowestEfficiency: '-0.1', highestUserWastedPercent: 'x'}, dir())),
		'--lowest-efficiency: invalid lowestEfficiency value "-0.1": must be a ratio between 0 and 1; '
		+ '--highest-user-wasted-percent: invalid highestUserWastedPercent value "x": not a number',
	);
	// Untrusted text is escaped.
	assert.equal(
		configError(() => loadCiConfig({lowestEfficiency: '\u001B[2J'}, dir())),
		'--lowest-efficiency: invalid lowestEfficiency value "\\x1b[2J": not a number',
	);
});

test('malformed files are configuration errors', () => {
	assert.match(configError(() => loadCiConfig({}, dir({'.dive-ci': 'rules: [\n'}))), /^CI config \.dive-ci: invalid YAML at line \d+, column \d+: /);
	assert.match(configError(() => loadCiConfig({}, dir({'.dive-ci': 'rules:\n  a: 1\n  a: 2\n'}))), /^CI config \.dive-ci: invalid YAML/);
	assert.equal(configError(() => loadCiConfig({}, dir({'.dive-ci': '- 1\n'}))), 'CI config .dive-ci: expected a mapping with "rules:" at the top level');
	assert.equal(configError(() => loadCiConfig({}, dir({'.dive-ci': 'rules: 0.9\n'}))), 'CI config .dive-ci: "rules" must be a mapping of rule names to values');
	assert.equal(
		configError(() => loadCiConfig({}, dir({'.dive-ci': 'rules:\n  lowestEfficiency: [0.9]\n'}))),
		'CI config .dive-ci: lowestEfficiency: expected a single value, not a list',
	);
	assert.equal(
		configError(() => loadCiConfig({}, dir({'.layerscope-ci.yml': 'ignorePaths:\n  - ""\n'}))),
		'.layerscope-ci.yml: ignorePaths: empty pattern',
	);
});

test('YAML anchors and a single ignorePaths string are accepted', () => {
	const config = loadCiConfig({}, dir({'.layerscope-ci.yml': 'x: &ratio 0.8\nrules:\n  lowestEfficiency: *ratio\nignorePaths: /tmp\n'}));
	assert.equal(rule(config, 'lowestEfficiency').threshold, 0.8);
	assert.deepEqual(config.ignorePaths, ['/tmp']);
});

test('output format: --ci-format junit, the JUnit file, conflicts', () => {
	assert.deepEqual(
		{...loadCiConfig({format: 'junit', junitFile: 'out.xml'}, dir())},
		{...loadCiConfig({format: 'JUnit', junitFile: 'out.xml'}, dir()), file: undefined},
	);
	assert.equal(loadCiConfig({format: 'junit'}, dir()).junitFile, 'layerscope-junit.xml');
	assert.equal(loadCiConfig({junitFile: 'r.xml'}, dir()).format, 'junit');
	assert.equal(loadCiConfig({format: 'text'}, dir()).junitFile, undefined);
	assert.equal(configError(() => loadCiConfig({format: 'xml'}, dir())), '--ci-format: unknown format "xml" (expected text or junit)');
	assert.equal(configError(() => loadCiConfig({format: 'text', junitFile: 'r.xml'}, dir())), '--junit-file r.xml needs --ci-format junit, not text');
});

test('CI mode from the environment: CI=true, 1 or yes in any case', () => {
	for (const value of ['true', 'TRUE', 'True', '1', 'yes', 'YES']) {
		assert.equal(isCiEnvironment({CI: value}), true, value);
	}

	for (const value of [undefined, '', 'false', '0', 'no', 'on', ' true']) {
		assert.equal(isCiEnvironment({CI: value}), false, String(value));
	}
});
