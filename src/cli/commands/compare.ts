// `layerscope compare A B`: what changed between two images (src/cli/compare-command.ts does it). The terminal UI
// when stdout is a terminal, else the text report; --json, --markdown; --ci (or CI=true, or any rule option) for
// the compare gate.
import {isCiEnvironment} from '../../ci/environment.js';
import {ciColorWanted} from '../../ci/report.js';
import {type CommandContext, type CommandDefinition, optionFlag, optionString, type OptionDefinition} from '../command.js';
import {imageSourceOptions, loadOptionsFrom} from './source-options.js';

const ciGroup = 'Compare gate (any of these implies --ci)';

/** The options of the compare gate; each one but --ci names a setting of the gate, so giving it selects CI mode. */
export const compareCiOptions: readonly OptionDefinition[] = [
	{name: 'ci', help: 'evaluate the compare rules and exit 1 when one fails (also when CI=true)', group: ciGroup},
	{name: 'ci-config', value: 'FILE', help: 'rules file whose compare: section holds the rules (default ./.layerscope-ci.yml)', group: ciGroup, complete: 'file'},
	{name: 'highest-size-increase', value: 'SIZE|N%', help: 'fail when B is larger than A by more than this (20MB, or 5% of A)', group: ciGroup, complete: 'none'},
	{name: 'highest-wasted-increase', value: 'SIZE', help: 'fail when B wastes more than this many more bytes than A', group: ciGroup, complete: 'none'},
	{name: 'lowest-efficiency', value: 'RATIO', help: 'fail when the efficiency of B is below this (0..1)', group: ciGroup, complete: 'none'},
	{name: 'highest-added-files', value: 'N', help: 'fail when B adds more paths than this', group: ciGroup, complete: 'none'},
	{name: 'ci-format', value: 'FORMAT', help: 'text (default) or junit (also writes a JUnit XML file)', group: ciGroup, complete: {words: ['text', 'junit']}},
	{name: 'junit-file', value: 'FILE', help: 'where the JUnit XML goes (default layerscope-junit.xml; - for stdout); implies --ci-format junit', group: ciGroup, complete: 'file'},
];

async function run({args, options, io}: CommandContext): Promise<number> {
	const {runCompareCommand} = await import('../compare-command.js');
	const ci = compareCiOptions.some(option => options[option.name] !== undefined) || isCiEnvironment(process.env);
	return runCompareCommand({
		a: args[0]!,
		b: args[1]!,
		load: await loadOptionsFrom(options),
		json: optionString(options, 'json'),
		markdown: optionFlag(options, 'markdown'),
		// Under CI=… ink renders only final frames: plain text then.
		tui: process.stdout.isTTY === true && !optionFlag(options, 'no-tui') && !isCiEnvironment(process.env),
		ci,
		ciFlags: {
			configPath: optionString(options, 'ci-config'),
			highestSizeIncrease: optionString(options, 'highest-size-increase'),
			highestWastedIncrease: optionString(options, 'highest-wasted-increase'),
			lowestEfficiency: optionString(options, 'lowest-efficiency'),
			highestAddedFiles: optionString(options, 'highest-added-files'),
			format: optionString(options, 'ci-format'),
			junitFile: optionString(options, 'junit-file'),
		},
		cwd: process.cwd(),
		io: {...io, stderrIsTTY: process.stderr.isTTY === true, columns: process.stderr.columns, color: ciColorWanted(process.stdout.isTTY, process.env)},
	});
}

const imageHelp = 'a daemon reference, an archive file, docker-archive:PATH[:TAG], oci-archive:PATH[:REF] or oci:DIR[:REF] (any source IMAGE accepts)';

export const compareCommand: CommandDefinition = {
	name: 'compare',
	summary: 'what changed between two images: sizes, layers, files added, removed and modified; a CI gate on it',
	arguments: [
		{name: 'A', help: `the image before: ${imageHelp}`, required: true, missing: 'compare needs two images, A and B (try layerscope help compare)', complete: 'file'},
		{name: 'B', help: 'the image after (the same kinds of source; A and B may be of different kinds)', required: true, missing: 'compare needs two images, A and B (try layerscope help compare)', complete: 'file'},
	],
	options: [
		{name: 'json', value: 'FILE', help: 'write the comparison as JSON to FILE (- for stdout) instead of opening the UI'},
		{name: 'markdown', help: 'print a Markdown summary (for a pull-request comment or $GITHUB_STEP_SUMMARY)'},
		...imageSourceOptions,
		{name: 'no-tui', help: 'print the text report even when stdout is a terminal'},
		...compareCiOptions,
	],
	details: [
		'Both images are read at the same time. A path is modified when its type, content (by digest when both sides',
		'have one, else by size), mode, owner or link target differ; a directory is not modified just because something',
		'below it changed. Exit codes: 0 success (every rule passed), 1 a compare rule failed, 2 bad usage, input or',
		'configuration.',
	],
	run,
};
