// `layerscope [image] IMAGE`: the default command. The terminal UI when stdout is a terminal, else the text
// report; `--json` for dive's export; `--ci` (or CI=true, or any CI-gate option) for the CI gate.
import {isCiEnvironment} from '../../ci/environment.js';
import {UsageError} from '../args.js';
import {type CommandContext, type CommandDefinition, optionFlag, optionString, type OptionDefinition} from '../command.js';
import {imageSourceOptions, loadOptionsFrom} from './source-options.js';

/**
 * The modules that read, analyse and report, loaded when the command runs: parsing the command line (and --help,
 * --version, completion) loads none of them.
 */
async function work() {
	const [{analyzeImage}, {analyzeWithCache}, {jsonExportChunks}, {formatTextReport}, {writeOutput}, {readImageWithProgress}] = await Promise.all([
		import('../../analysis/analyze.js'),
		import('../cached-analysis.js'),
		import('../../report/json.js'),
		import('../../report/text.js'),
		import('../output.js'),
		import('../progress.js'),
	]);
	return {analyzeImage, analyzeWithCache, jsonExportChunks, formatTextReport, writeOutput, readImageWithProgress};
}

const exitInterrupted = 130;
const ciGroup = 'CI gate (any of these implies --ci)';

/** The options of the CI gate; each one but --ci names a setting of the gate, so giving it selects CI mode. */
export const ciOptions: readonly OptionDefinition[] = [
	{name: 'ci', help: 'evaluate the CI rules and exit 1 when one fails (also when CI=true)', group: ciGroup},
	{name: 'ci-config', value: 'FILE', help: 'rules file (default ./.layerscope-ci.yml, else ./.dive-ci)', group: ciGroup, complete: 'file'},
	{name: 'lowest-efficiency', value: 'RATIO', help: 'fail below this efficiency (0..1)', group: ciGroup, complete: 'none'},
	{name: 'highest-wasted-bytes', value: 'SIZE', help: 'fail above this many wasted bytes (20MB, 20MiB, disabled)', group: ciGroup, complete: 'none'},
	{name: 'highest-user-wasted-percent', value: 'RATIO', help: 'fail above this share of wasted user bytes (0..1)', group: ciGroup, complete: 'none'},
	{name: 'highest-reclaimable-bytes', value: 'SIZE', help: 'fail above this many bytes a squash would drop', group: ciGroup, complete: 'none'},
	{name: 'ci-format', value: 'FORMAT', help: 'text (default) or junit (also writes a JUnit XML file)', group: ciGroup, complete: {words: ['text', 'junit']}},
	{name: 'junit-file', value: 'FILE', help: 'where the JUnit XML goes (default layerscope-junit.xml; - for stdout); implies --ci-format junit', group: ciGroup, complete: 'file'},
];

async function run(context: CommandContext): Promise<number> {
	const {options, io} = context;
	const target = context.args[0]!;
	const json = optionString(options, 'json');
	const ciWanted = ciOptions.some(option => options[option.name] !== undefined);
	const noCi = optionFlag(options, 'no-ci-gate');
	if (noCi && ciWanted) {
		throw new UsageError('--no-ci-gate contradicts --ci and the CI-gate options: give one or the other');
	}

	if (ciWanted || (!noCi && isCiEnvironment(process.env))) {
		return runCi(context, target);
	}

	if (json === undefined && process.stdout.isTTY === true && !optionFlag(options, 'no-tui')) {
		// The UI (ink, react) loads only when a terminal shows it.
		const {runUi} = await import('../ui-command.js');
		// The layer cache opens once the first frame is out.
		const outcome = await runUi(target, async () => loadOptionsFrom(options));
		return outcome === 'cancelled' ? exitInterrupted : 0;
	}

	const {analyzeWithCache, formatTextReport, jsonExportChunks, readImageWithProgress, writeOutput} = await work();
	const loadOptions = await loadOptionsFrom(options);
	const image = await readImageWithProgress(target, loadOptions);
	const analysis = await analyzeWithCache(image, loadOptions.cache);
	if (json === undefined) {
		io.stdout(formatTextReport(analysis));
	} else {
		await writeOutput(json, jsonExportChunks(image, analysis));
	}

	return 0;
}

async function runCi(context: CommandContext, target: string): Promise<number> {
	const {options, io} = context;
	// The gate's modules (the YAML parser among them) load only in CI mode.
	const {ciColorWanted, ciEvaluatingLine, ciJson, ciLoadingLine, ciStatusLine, evaluateCi, ignoreMatcher, loadCiConfig} = await import('../../ci/index.js');
	const {runCiCommand} = await import('../ci-command.js');
	const {analyzeImage, jsonExportChunks, readImageWithProgress, writeOutput} = await work();
	// The configuration first: a bad rule is reported before any image is read.
	const config = loadCiConfig({
		configPath: optionString(options, 'ci-config'),
		lowestEfficiency: optionString(options, 'lowest-efficiency'),
		highestWastedBytes: optionString(options, 'highest-wasted-bytes'),
		highestUserWastedPercent: optionString(options, 'highest-user-wasted-percent'),
		highestReclaimableBytes: optionString(options, 'highest-reclaimable-bytes'),
		format: optionString(options, 'ci-format'),
		junitFile: optionString(options, 'junit-file'),
	}, process.cwd());
	io.stderr(`${ciLoadingLine(target)}\n`);
	const image = await readImageWithProgress(target, await loadOptionsFrom(options));

	const analysis = analyzeImage(image, {ignore: ignoreMatcher(config)});
	io.stderr(`${ciStatusLine(analysis)}\n`);
	const evaluation = evaluateCi(analysis, config);
	// dive leaves a blank line between its status lines and the report.
	io.stderr(`${ciEvaluatingLine(evaluation)}\n\n`);
	const json = optionString(options, 'json');
	if (json !== undefined) {
		await writeOutput(json, jsonExportChunks(image, analysis, {ci: ciJson(evaluation)}));
	}

	// With --json -, stdout holds the JSON: no report there, the verdict is the exit code.
	return runCiCommand({analysis, config, evaluation, report: json !== '-', io: {...io, color: ciColorWanted(process.stdout.isTTY, process.env)}});
}

export const imageCommand: CommandDefinition = {
	name: 'image',
	summary: 'analyse an image: terminal UI, or the text report when stdout is not a terminal (the default command)',
	arguments: [{
		name: 'IMAGE',
		help: 'a daemon reference (pulled if missing; with no daemon, read from its registry), registry:REFERENCE (straight from the registry), an archive file (docker save, podman, kaniko, OCI), - for stdin, docker-archive:PATH[:TAG], oci-archive:PATH[:REF] or oci:DIR[:REF]',
		required: true,
		missing: 'no image given (try layerscope help)',
		complete: 'file',
	}],
	options: [
		{name: 'json', value: 'FILE', help: 'write dive-compatible JSON to FILE (- for stdout) instead of opening the UI'},
		...imageSourceOptions,
		{name: 'no-tui', help: 'print the text report even when stdout is a terminal'},
		{name: 'no-ci-gate', help: 'never the CI gate, even when CI=true is set (the report or the UI, as without CI)'},
		...ciOptions,
	],
	details: [
		'Any CI-gate option (--ci-config, a rule threshold, --ci-format, --junit-file) selects CI mode, as --ci does:',
		'a gate that was asked for always runs. Exit codes: 0 success (every rule passed), 1 a CI rule failed, 2 bad',
		'usage, input or configuration, 130 interrupted.',
	],
	run,
};
