// From argv to the command to run, on commander: the definitions of src/cli/commands/ become commander commands,
// commander splits options from arguments, and every complaint becomes a one-line UsageError (main.ts prints it,
// exit 2). Nothing here runs a command or writes anything.
import {Command, CommanderError, Option} from 'commander';
import {escapeName} from '../report/escape.js';
import {UsageError} from './args.js';
import type {CommandDefinition, OptionDefinition, OptionValues} from './command.js';
import {defaultCommandName, globalOptions} from './global-options.js';

export type Invocation = {
	/** The command and its parents (`cache`, `info`); the default command when no word named one. */
	readonly path: readonly CommandDefinition[];
	/** Whether the command was named (`layerscope image X`) rather than taken by default (`layerscope X`). */
	readonly named: boolean;
	/** Its arguments, as given (checked against the definition by checkArguments). */
	readonly args: readonly string[];
	readonly options: OptionValues;
	readonly debug: boolean;
	readonly help: boolean;
	readonly version: boolean;
};

function commanderOption(definition: OptionDefinition): Option {
	const flags = `${definition.short === undefined ? '' : `-${definition.short}, `}--${definition.name}${definition.value === undefined ? '' : ` <${definition.value}>`}`;
	const option = new Option(flags, definition.help);
	if (definition.repeatable === true) {
		option.argParser((value: string, previous: string[] | undefined) => [...previous ?? [], value]);
	}

	return option;
}

/** The options that were given, by long name (a flag as true, whatever commander's negation makes of `--no-x`). */
function givenOptions(command: Command, definitions: readonly OptionDefinition[]): OptionValues {
	const values: Record<string, string | true | readonly string[]> = {};
	const options = command.opts();
	for (const definition of definitions) {
		const option = command.options.find(item => item.long === `--${definition.name}`);
		if (option === undefined || command.getOptionValueSource(option.attributeName()) !== 'cli') {
			continue;
		}

		values[definition.name] = definition.value === undefined ? true : options[option.attributeName()] as string | string[];
	}

	return values;
}

type Found = {path: CommandDefinition[]; command: Command};

function configure(command: Command): Command {
	return command
		.helpOption(false)
		.helpCommand(false)
		.allowExcessArguments(true)
		.exitOverride()
		.configureOutput({writeOut() {}, writeErr() {}, outputError() {}});
}

function build(definition: CommandDefinition, parents: CommandDefinition[], found: {value?: Found; words: string[]}): Command {
	const command = configure(new Command(definition.name)).description(definition.summary);
	command.hook('preSubcommand', (_command, sub) => {
		found.words.push(sub.name());
	});
	const path = [...parents, definition];
	for (const option of definition.options) {
		command.addOption(commanderOption(option));
	}

	for (const sub of definition.subcommands ?? []) {
		command.addCommand(build(sub, path, found));
	}

	command.action(() => {
		found.value = {path, command};
	});
	return command;
}

/** Which commands declare `--name` (for "it goes with …"), as their usage names. */
function ownersOf(name: string, commands: readonly CommandDefinition[], parents: string[] = []): string[] {
	return commands.flatMap(command => {
		const words = [...parents, command.name];
		const own = command.options.some(option => option.name === name) ? [`layerscope ${words.join(' ')}`] : [];
		return [...own, ...ownersOf(name, command.subcommands ?? [], words)];
	});
}

/** A commander complaint as one line that says what was wrong and what to do. */
function usageMessage(error: CommanderError, commands: readonly CommandDefinition[], where: string): string {
	const [first = '', ...rest] = error.message.replace(/^error: /, '').split('\n');
	if (error.code === 'commander.unknownOption') {
		const flag = /unknown option '([^']*)'/.exec(first)?.[1] ?? first;
		const name = flag.replace(/^--?/, '').replace(/=.*$/s, '');
		const shown = escapeName(flag);
		if (flag.startsWith('--') && flag.includes('=')) {
			const here = commands.length > 0 && ownersOf(name, commands).includes(`layerscope ${where}`);
			if (here) {
				return `--${escapeName(name)} takes no value (got ${shown})`;
			}
		}

		const owners = flag.startsWith('--') ? ownersOf(name, commands) : [];
		if (owners.length > 0) {
			return `--${escapeName(name)} does not apply to layerscope ${where}; it goes with ${owners.join(', ')} (see layerscope help ${where})`;
		}

		const suggestion = /Did you mean (.*)\?/.exec(rest.join(' '))?.[1];
		return suggestion === undefined
			? `unknown option ${shown} for layerscope ${where} (see layerscope help ${where})`
			: `unknown option ${shown} for layerscope ${where} (did you mean ${suggestion}?)`;
	}

	if (error.code === 'commander.optionMissingArgument') {
		const match = /option '(?:-\w, )?(--[\w-]+) <([^>]*)>'/.exec(first);
		return match === null ? first : `${match[1]} needs a value (${match[2]})`;
	}

	return [first, ...rest].join(' ').trim();
}

/**
 * Parses argv (without node and the script) against the command table. Throws UsageError (one line) for an
 * unknown option, an option of another command or a missing option value. Arguments are checked later
 * (checkArguments), after --help and --version had their say.
 */
export function parseCommandLine(argv: readonly string[], commands: readonly CommandDefinition[]): Invocation {
	// `words`: the command words dispatched so far, for messages.
	const found: {value?: Found; words: string[]} = {words: []};
	const program = configure(new Command('layerscope'));
	program.hook('preSubcommand', (_command, sub) => {
		found.words.push(sub.name());
	});
	for (const option of globalOptions) {
		program.addOption(commanderOption(option));
	}

	for (const definition of commands) {
		program.addCommand(build(definition, [], found), {isDefault: definition.name === defaultCommandName});
	}

	try {
		program.parse([...argv], {from: 'user'});
	} catch (error) {
		if (error instanceof CommanderError) {
			// `layerscope trea IMG --layer 1`: the mistyped command word explains the option error.
			const first = program.args[0];
			const meant = found.words.join(' ') === defaultCommandName && first !== undefined && first !== defaultCommandName && program.args.length > 1 ? similarCommand(first, commands) : undefined;
			if (meant !== undefined) {
				throw new UsageError(`unknown command ${escapeName(first!)} (did you mean layerscope ${meant}?)`);
			}

			throw new UsageError(usageMessage(error, commands, found.words.length === 0 ? defaultCommandName : found.words.join(' ')));
		}

		throw error;
	}

	const global = program.opts<{debug?: boolean; help?: boolean; version?: boolean}>();
	const {path, command} = found.value ?? {path: [], command: program};
	return {
		path,
		named: program.args[0] === path[0]?.name,
		args: command.args,
		options: givenOptions(command, path.at(-1)?.options ?? []),
		debug: global.debug === true,
		help: global.help === true,
		version: global.version === true,
	};
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps), for "did you mean". */
function editDistance(a: string, b: string): number {
	const rows = Array.from({length: a.length + 1}, (_, index) => [index, ...Array.from({length: b.length}, () => 0)]);
	for (let j = 1; j <= b.length; j++) {
		rows[0]![j] = j;
	}

	for (let i = 1; i <= a.length; i++) {
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
				best = Math.min(best, rows[i - 2]![j - 2]! + 1);
			}

			rows[i]![j] = best;
		}
	}

	return rows[a.length]![b.length]!;
}

/** The command a mistyped word probably meant (at most 2 edits, and fewer than half its letters), if any. */
function similarCommand(word: string, commands: readonly CommandDefinition[]): string | undefined {
	let best: {name: string; distance: number} | undefined;
	for (const command of commands) {
		if (command.name === defaultCommandName) {
			continue; // Its word is optional: a word close to it is an image.
		}

		const distance = editDistance(word.toLowerCase(), command.name);
		if (distance > 0 && distance <= Math.min(2, Math.floor(command.name.length / 2)) && (best === undefined || distance < best.distance)) {
			best = {name: command.name, distance};
		}
	}

	return best?.name;
}

/**
 * Checks the arguments against the definition: throws UsageError when one is missing or there are too many (with a
 * "did you mean" when the default command got a first word close to a command's name, `layerscope tre IMG`).
 */
export function checkArguments(invocation: Invocation, commands: readonly CommandDefinition[] = []): void {
	const command = invocation.path.at(-1);
	if (command === undefined) {
		return;
	}

	const where = invocation.path.map(item => item.name).join(' ');
	if (command.subcommands !== undefined && command.run === undefined) {
		const names = command.subcommands.map(sub => sub.name).join(', ');
		const given = invocation.args[0];
		throw new UsageError(given === undefined
			? `layerscope ${where} needs a command: ${names} (see layerscope help ${where})`
			: `unknown command layerscope ${where} ${escapeName(given)}; the commands are ${names}`);
	}

	const required = command.arguments.filter(argument => argument.required === true);
	if (invocation.args.length < required.length) {
		const missing = required[invocation.args.length]!;
		throw new UsageError(missing.missing ?? `layerscope ${where} needs ${missing.name} (see layerscope help ${where})`);
	}

	if (command.arguments.at(-1)?.variadic !== true && invocation.args.length > command.arguments.length) {
		const meant = invocation.named || invocation.path.length !== 1 || invocation.args[0] === undefined ? undefined : similarCommand(invocation.args[0], commands);
		if (meant !== undefined) {
			throw new UsageError(`unknown command ${escapeName(invocation.args[0]!)} (did you mean layerscope ${meant}?)`);
		}

		const count = command.arguments.length;
		const expected = count === 0 ? 'no arguments' : `${count === 1 ? 'one argument' : `${count} arguments`} (${command.arguments.map(argument => argument.name).join(' ')})`;
		throw new UsageError(`layerscope ${where} takes ${expected}, got ${invocation.args.length}: ${invocation.args.map(argument => escapeName(argument)).join(' ')}`);
	}
}
