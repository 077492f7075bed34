// `layerscope extract IMAGE PATH --output DIR|-`: a file or a subtree, as the top layer or --layer N has it,
// written below DIR (never outside it) or as a tar stream to stdout.
import prettyBytes from 'pretty-bytes';
import {escapeName} from '../../report/escape.js';
import type {ExtractResult} from '../extract-writer.js';
import {UsageError} from '../args.js';
import {type CommandContext, type CommandDefinition, optionFlag, optionString} from '../command.js';
import {layerOption} from './cat.js';
import {imageSourceOptions, loadOptionsFrom} from './source-options.js';

/** "1 file", "2 files". */
export function count(value: number, one: string, many = `${one}s`): string {
	return `${value} ${value === 1 ? one : many}`;
}

/**
 * What an extraction wrote, as `extract` and the TUI's Ctrl-E say it: the kinds it wrote, then the bytes — "4 files,
 * 1 directory, 12 hardlinks, 900 kB" (kinds of which there were none are left out; "0 files" when nothing was).
 */
export function extractSummary(result: Pick<ExtractResult, 'files' | 'directories' | 'symlinks' | 'hardlinks' | 'bytes'>): string {
	const counts = [
		result.files > 0 || (result.directories + result.symlinks + result.hardlinks) === 0 ? count(result.files, 'file') : '',
		result.directories > 0 ? count(result.directories, 'directory', 'directories') : '',
		result.symlinks > 0 ? count(result.symlinks, 'symlink') : '',
		result.hardlinks > 0 ? count(result.hardlinks, 'hardlink') : '',
	].filter(text => text !== '');
	return `${counts.join(', ')}, ${prettyBytes(result.bytes)}`;
}

async function run({args, options, io}: CommandContext): Promise<number> {
	const output = optionString(options, 'output');
	if (output === undefined) {
		throw new UsageError('extract needs --output DIR (a new or empty directory) or --output - (a tar stream on stdout)');
	}

	if (output === '-' && process.stdout.isTTY === true) {
		throw new UsageError('--output - writes a tar stream: send it to a file or a pipe, not to the terminal (e.g. > out.tar)');
	}

	const layer = layerOption(optionString(options, 'layer'));
	// Loaded when the command runs, not when the command line is parsed.
	const [{layerIndex, planExtract}, {openImageForContent}, {describeOutput, extractToDirectory, extractToTar}] = await Promise.all([
		import('../content.js'),
		import('../content-source.js'),
		import('../extract-writer.js'),
	]);
	const image = await openImageForContent(args[0]!, await loadOptionsFrom(options));
	const top = layerIndex(image, layer);
	const plan = await planExtract(image, args[1]!, top);
	if (plan.note !== undefined) {
		io.stderr(`layerscope: ${plan.note}\n`);
	}

	const {open} = image;
	const settings = {force: optionFlag(options, 'force'), sameOwner: optionFlag(options, 'same-owner')};
	const result = output === '-'
		? await extractToTar(plan, open, process.stdout, settings)
		: await extractToDirectory(plan, open, output, settings);
	const where = output === '-' ? 'stdout (tar)' : describeOutput(output);
	io.stderr(`extracted ${escapeName(plan.path)} (layer ${plan.layer}) to ${where}: ${extractSummary(result)}
`);
	if (result.skipped.length > 0) {
		io.stderr(`not extracted (devices, FIFOs and hardlinks to missing files): ${result.skipped.slice(0, 5).map(item => escapeName(item)).join(', ')}${result.skipped.length > 5 ? ` and ${result.skipped.length - 5} more` : ''}\n`);
	}

	return 0;
}

export const extractCommand: CommandDefinition = {
	name: 'extract',
	summary: 'write a file or a subtree of the image to a directory, or as a tar stream',
	details: [
		'A directory\'s contents go directly below --output (created when missing; a non-empty one is refused unless --force); a single file keeps its name there. --output - writes the same as a tar stream. A path that --layer N removed (itself, or with its directory) is extracted as the last layer that had it, with a note on stderr, as cat shows it.',
		'Nothing is written outside --output: names are cleaned of ".." and "/", files are never opened through a symlink, symlinks are created last (as links, never followed), hardlinks only join two extracted files. Modes and modification times are kept; owners and setuid/setgid/sticky bits only with --same-owner when running as root. Devices and FIFOs are not created (listed on stderr).',
	],
	arguments: [
		{name: 'IMAGE', help: 'as for the default command', required: true, missing: 'extract needs an image, a path and --output (try layerscope help extract)', complete: 'file'},
		{name: 'PATH', help: 'the file or directory in the image (/ for all of it)', required: true, missing: 'extract needs a path in the image, e.g. /etc (/ for all of it)', complete: 'none'},
	],
	options: [
		{name: 'output', short: 'o', value: 'DIR', help: 'where to write: a new or empty directory, or - for a tar stream on stdout', complete: 'directory'},
		{name: 'layer', value: 'N', help: 'as layer N has it (0 is the base layer; default: the top layer)', complete: 'none'},
		{name: 'force', help: 'write into a non-empty directory, replacing what is in the way'},
		{name: 'same-owner', help: 'restore owners and setuid/setgid/sticky bits (only when running as root)'},
		...imageSourceOptions,
	],
	run,
};
