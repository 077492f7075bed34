// `layerscope help [COMMAND…]`: the options of a command (or, without one, every command's usage).
import {escapeName} from '../../report/escape.js';
import {UsageError} from '../args.js';
import type {CommandContext, CommandDefinition} from '../command.js';
import {commandHelp, programHelp} from '../help.js';

/** The help text for the command path named by `words` (none: the program's help). */
export function helpFor(words: readonly string[], commands: readonly CommandDefinition[], version: string): string {
	if (words.length === 0) {
		return programHelp(commands, version);
	}

	const path: CommandDefinition[] = [];
	let choices = commands;
	for (const word of words) {
		const next = choices.find(command => command.name === word);
		if (next === undefined) {
			const where = path.length === 0 ? '' : ` ${path.map(command => command.name).join(' ')}`;
			throw new UsageError(`no command layerscope${where} ${escapeName(word)}; the commands are ${choices.map(command => command.name).join(', ')}`);
		}

		path.push(next);
		choices = next.subcommands ?? [];
	}

	return commandHelp(path, version);
}

export const helpCommand: CommandDefinition = {
	name: 'help',
	summary: 'show the options of a command',
	arguments: [{name: 'COMMAND', help: 'a command (and subcommand), e.g. tree', variadic: true, complete: 'command'}],
	options: [],
	async run({args, commands, io, version}: CommandContext) {
		io.stdout(helpFor(args, commands, version));
		return 0;
	},
};
