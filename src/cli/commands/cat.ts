// `layerscope cat IMAGE PATH [--layer N]`: a file's bytes as the image has them, reading only the layer that
// holds them. To a pipe or a file: the exact bytes. To a terminal: text with its control characters shown, never
// obeyed; a binary file is refused there with a hint to pipe it.
import {escapeName} from '../../report/escape.js';
import {UsageError} from '../args.js';
import {type CommandContext, type CommandDefinition, optionString} from '../command.js';
import {imageSourceOptions, loadOptionsFrom} from './source-options.js';

/** Parse `--layer N` (a whole number from 0), or undefined for the top layer. */
export function layerOption(value: string | undefined): number | undefined {
	if (value === undefined) {
		return undefined;
	}

	if (!/^\d+$/.test(value)) {
		throw new UsageError(`--layer wants a layer index, a whole number from 0 (got "${escapeName(value)}")`);
	}

	return Number(value);
}

/** Write to stdout, waiting for it to drain; false once the reader went away (EPIPE: `| head`). */
async function writeStdout(chunk: Buffer | string): Promise<boolean> {
	return new Promise<boolean>(resolve => {
		process.stdout.write(chunk, error => {
			resolve(error === null || error === undefined);
		});
	});
}

class ReaderGone extends Error {}

async function run({args, options, io}: CommandContext): Promise<number> {
	const layer = layerOption(optionString(options, 'layer'));
	// Loaded when the command runs, not when the command line is parsed.
	const [{looksBinary, SafeTextStream}, {findFile, layerIndex, streamFile}, {openImageForContent}] = await Promise.all([
		import('../../report/content-text.js'),
		import('../content.js'),
		import('../content-source.js'),
	]);
	const image = await openImageForContent(args[0]!, await loadOptionsFrom(options));
	const target = await findFile(image, args[1]!, layerIndex(image, layer));
	if (target.note !== undefined) {
		io.stderr(`layerscope: ${target.note}\n`);
	}

	const terminal = process.stdout.isTTY === true;
	const text = new SafeTextStream();
	let checked = !terminal;
	const abort = new AbortController();
	process.stdout.on('error', () => undefined); // EPIPE is reported to the write callback.
	try {
		await streamFile(image.open, target, async chunk => {
			if (!checked) {
				checked = true;
				if (looksBinary(chunk)) {
					throw new UsageError(`${escapeName(target.path)} is a binary file (${target.size} bytes): pipe it (layerscope cat … > FILE) or see it as a hex dump in the terminal UI (v)`);
				}
			}

			if (!await writeStdout(terminal ? text.push(chunk) : chunk)) {
				abort.abort();
				throw new ReaderGone();
			}
		}, abort.signal);
	} catch (error) {
		if (error instanceof ReaderGone) {
			return 0;
		}

		throw error;
	}

	if (terminal) {
		const rest = text.end();
		await writeStdout(rest);
	}

	return 0;
}

export const catCommand: CommandDefinition = {
	name: 'cat',
	summary: 'print a file of the image (as the top layer or --layer N has it)',
	details: [
		'Reads only the layer that holds the file: a seek in an archive file, one blob of an OCI layout or a registry, the daemon\'s export stopped right after it. Symlinks are followed as inside the image (absolute targets from the image\'s root). A file that --layer N removed (itself, or with its directory: rm -rf, an opaque directory) is shown as the last layer that had it, with a note on stderr. A symlink that leads nowhere is named with its target and the missing component.',
		'To a pipe or a file the bytes are exact. To a terminal, control characters are shown as symbols (ESC as ␛) and a binary file is refused: pipe it instead.',
	],
	arguments: [
		{name: 'IMAGE', help: 'as for the default command', required: true, missing: 'cat needs an image and a path (try layerscope help cat)', complete: 'file'},
		{name: 'PATH', help: 'the file: a path in the image (absolute, or relative to its root)', required: true, missing: 'cat needs a path in the image, e.g. /etc/os-release', complete: 'none'},
	],
	options: [
		{name: 'layer', value: 'N', help: 'the file as layer N has it (0 is the base layer; default: the top layer)', complete: 'none'},
		...imageSourceOptions,
	],
	run,
};
