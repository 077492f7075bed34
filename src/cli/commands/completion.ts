// `layerscope completion bash|zsh|fish`: a shell completion script generated from the command definitions.
import {escapeName} from '../../report/escape.js';
import {UsageError} from '../args.js';
import type {CommandContext, CommandDefinition} from '../command.js';
import {completionScript, type Shell, shells} from '../completion.js';

export const completionCommand: CommandDefinition = {
	name: 'completion',
	summary: 'print a shell completion script: bash, zsh or fish',
	arguments: [{name: 'SHELL', help: 'bash, zsh or fish', required: true, missing: `completion needs a shell: ${shells.join(', ')}`, complete: {words: shells}}],
	options: [],
	details: [
		'bash:  source <(layerscope completion bash)        (or save it in ~/.local/share/bash-completion/completions/layerscope)',
		'zsh:   source <(layerscope completion zsh)         (after compinit; or save it as _layerscope in a directory of $fpath)',
		'fish:  layerscope completion fish | source         (or save it in ~/.config/fish/completions/layerscope.fish)',
	],
	async run({args, commands, io, version}: CommandContext) {
		const shell = args[0]!;
		if (!(shells as readonly string[]).includes(shell)) {
			throw new UsageError(`no completion for shell "${escapeName(shell)}"; there are ${shells.join(', ')}`);
		}

		io.stdout(completionScript(shell as Shell, commands, version));
		return 0;
	},
};
