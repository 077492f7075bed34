// `layerscope diff CONTAINER`: what a container changed on top of its image (src/cli/diff-command.ts does it).
import {isCiEnvironment} from '../../ci/environment.js';
import {UsageError} from '../args.js';
import {type CommandContext, type CommandDefinition, optionFlag, optionString} from '../command.js';

async function run({args, options, io}: CommandContext): Promise<number> {
	const source = optionString(options, 'source');
	if (source !== undefined && source !== 'docker' && source !== 'podman') {
		throw new UsageError(`diff reads containers from a daemon: --source docker or podman (got "${source}")`);
	}

	// Loads dockerode: only for this command.
	const {runDiffCommand} = await import('../diff-command.js');
	return runDiffCommand({
		container: args[0]!,
		json: optionString(options, 'json'),
		// Under CI=… ink renders only final frames (and dive's CI mode means no UI): plain text then.
		tui: !optionFlag(options, 'no-tui') && !isCiEnvironment(process.env),
		engine: source === 'podman' ? 'podman' : 'docker',
		io: {...io, isTTY: process.stdout.isTTY === true},
	});
}

export const diffCommand: CommandDefinition = {
	name: 'diff',
	summary: 'what a container changed on top of its image, with sizes',
	arguments: [{name: 'CONTAINER', help: 'a container name or (short) id', required: true, missing: 'diff needs a container name or id (try layerscope help diff)', complete: 'none'}],
	options: [
		{name: 'json', value: 'FILE', help: 'write the changes as JSON to FILE (- for stdout) instead of opening the UI'},
		{name: 'source', value: 'DAEMON', help: 'the daemon that runs the container: docker (default) or podman', complete: {words: ['docker', 'podman']}},
		{name: 'no-tui', help: 'print the plain-text list even when stdout is a terminal'},
	],
	run,
};
