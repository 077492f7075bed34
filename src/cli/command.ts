// The shape of a command: what `layerscope NAME …` accepts and what it does. One definition drives parsing
// (src/cli/program.ts, on commander), `help` (src/cli/help.ts) and the shell completions (src/cli/completion.ts),
// so they cannot disagree. Adding a command: a new file in src/cli/commands/ exporting a CommandDefinition, and
// one line in the table of src/cli/commands/index.ts.

/** How a shell completes an option's value or an argument. */
export type Completion =
	| 'file'
	| 'directory'
	| 'none'
	/** Words to offer (e.g. the values of --source). */
	| {readonly words: readonly string[]}
	/** Names of the commands in the table (for `help COMMAND`). */
	| 'command';

export type OptionDefinition = {
	/** The long name without "--" (`json`, `no-tui`). A name starting with `no-` is a flag and nothing else. */
	readonly name: string;
	/** One letter, without "-". */
	readonly short?: string;
	/** The placeholder of its value (`FILE`, `N`); absent for a flag, which takes no value. */
	readonly value?: string;
	/** One line for `help`, also the description in completions. */
	readonly help: string;
	/** Heading it is listed under in `help` (default "Options"). */
	readonly group?: string;
	/** The option may be given several times; its value is then the list (in order). */
	readonly repeatable?: boolean;
	/** How a shell completes its value (default: file names when it takes a value). */
	readonly complete?: Completion;
};

export type ArgumentDefinition = {
	/** The placeholder shown in usage and help (`IMAGE`, `CONTAINER`). */
	readonly name: string;
	readonly help: string;
	/** Absent and required: a usage error with this message (default "NAME is missing"). */
	readonly required?: boolean;
	readonly missing?: string;
	/** Takes all remaining arguments (only the last argument may). */
	readonly variadic?: boolean;
	readonly complete?: Completion;
};

/** Values of the options given: a string for an option with a value, true for a flag, a list for a repeatable one. */
export type OptionValues = Readonly<Record<string, string | true | readonly string[]>>;

export type CommandIo = {
	stdout(text: string): void;
	stderr(text: string): void;
};

export type CommandContext = {
	/** The arguments in the order of the definition's `arguments` (a variadic one: all the rest). */
	readonly args: readonly string[];
	/** Only the options that were given, by long name. */
	readonly options: OptionValues;
	/** Output of the command; only src/cli writes to stdout and stderr. */
	readonly io: CommandIo;
	/** The table of commands (for `help` and `completion`). */
	readonly commands: readonly CommandDefinition[];
	/** The version of layerscope (package.json). */
	readonly version: string;
};

export type CommandDefinition = {
	/** The word that selects it (`tree`). The default command (`image`) also runs when no word matches. */
	readonly name: string;
	/** One line for the command list and completions. */
	readonly summary: string;
	/** Paragraphs shown after the options in `help NAME`. */
	readonly details?: readonly string[];
	readonly arguments: readonly ArgumentDefinition[];
	readonly options: readonly OptionDefinition[];
	/** Commands under this one (`cache info`); a command has either these or a `run`. */
	readonly subcommands?: readonly CommandDefinition[];
	/**
	 * Does the work; returns the exit code (0 success, 1 a check failed…). Throws UsageError (or any error with a
	 * one-line message) for main.ts to print as one line and exit 2.
	 */
	readonly run?: (context: CommandContext) => Promise<number>;
};

/** The value of an option that takes one (undefined when not given). */
export function optionString(options: OptionValues, name: string): string | undefined {
	const value = options[name];
	if (typeof value === 'string') {
		return value;
	}

	return Array.isArray(value) ? (value as readonly string[]).at(-1) : undefined;
}

/** Whether a flag was given. */
export function optionFlag(options: OptionValues, name: string): boolean {
	return options[name] === true;
}

/** Every value of a repeatable option, in order (empty when not given). */
export function optionList(options: OptionValues, name: string): readonly string[] {
	const value = options[name];
	if (typeof value === 'string') {
		return [value];
	}

	return Array.isArray(value) ? value as readonly string[] : [];
}
