// Options every command accepts. They belong to the program (commander's root command), so they are recognised
// anywhere on the line; main.ts acts on them.
import type {OptionDefinition} from './command.js';

export const globalOptions: readonly OptionDefinition[] = [
	{name: 'debug', help: 'show the stack trace of an error', group: 'Global options'},
	{name: 'help', short: 'h', help: 'show this help (also: layerscope help COMMAND)', group: 'Global options'},
	{name: 'version', short: 'v', help: 'show the version', group: 'Global options'},
];

/** The command that runs when the first word names no command. */
export const defaultCommandName = 'image';
