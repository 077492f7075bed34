// `layerscope help [COMMAND]` and `--help`: rendered from the command definitions (src/cli/command.ts).
import type {ArgumentDefinition, CommandDefinition, OptionDefinition} from './command.js';
import {defaultCommandName, globalOptions} from './global-options.js';

const width = 100;

/** `--json FILE`, `-h, --help`. */
export function optionLabel(option: OptionDefinition): string {
	return `${option.short === undefined ? '    ' : `-${option.short}, `}--${option.name}${option.value === undefined ? '' : ` ${option.value}`}`;
}

function argumentLabel(argument: ArgumentDefinition): string {
	const name = argument.variadic === true ? `${argument.name}...` : argument.name;
	return argument.required === true ? name : `[${name}]`;
}

/** `layerscope tree IMAGE [options]`; the default command's name is optional. */
export function usageLine(path: readonly CommandDefinition[]): string {
	const last = path.at(-1)!;
	const words = path.map(command => (path.length === 1 && command.name === defaultCommandName ? `[${command.name}]` : command.name));
	if (last.subcommands !== undefined) {
		return `layerscope ${words.join(' ')} ${last.subcommands.map(command => command.name).join('|')} [options]`;
	}

	return ['layerscope', ...words, ...last.arguments.map(argument => argumentLabel(argument)), ...last.options.length > 0 ? ['[options]'] : []].join(' ');
}

/** Word-wraps `text` to `width` columns, continuation lines indented by `indent` spaces. */
function wrap(text: string, indent: number, first: string): string[] {
	const lines: string[] = [];
	let line = first;
	for (const word of text.split(' ')) {
		if (line.length + 1 + word.length > width && line.trim() !== '' && line.length > indent) {
			lines.push(line);
			line = ' '.repeat(indent) + word;
		} else {
			line = line.length === 0 || line.endsWith(' ') ? line + word : `${line} ${word}`;
		}
	}

	lines.push(line);
	return lines;
}

function table(rows: ReadonlyArray<readonly [string, string]>): string[] {
	// The left column: the longest label (up to 34 columns); a longer label gets its text on the next line.
	const column = 2 + Math.min(34, Math.max(...rows.map(([left]) => left.length)) + 2);
	return rows.flatMap(([left, right]) => {
		const start = `  ${left}`;
		if (start.length + 2 > column) {
			return [start, ...wrap(right, column, ' '.repeat(column))];
		}

		return wrap(right, column, start.padEnd(column));
	});
}

function optionSections(options: readonly OptionDefinition[], defaultGroup: string): string[] {
	const groups = new Map<string, OptionDefinition[]>();
	for (const option of options) {
		const group = option.group ?? defaultGroup;
		groups.set(group, [...groups.get(group) ?? [], option]);
	}

	return [...groups].flatMap(([group, list]) => ['', `${group}:`, ...table(list.map(option => [optionLabel(option), option.help]))]);
}

function header(version: string): string {
	return `layerscope ${version} — explore Docker/OCI image layers, wasted space and container changes`;
}

/** `layerscope --help`: every command's usage, then the default command's options. */
export function programHelp(commands: readonly CommandDefinition[], version: string): string {
	const image = commands.find(command => command.name === defaultCommandName);
	const lines = [
		header(version),
		'',
		'Usage:',
		...commands.map(command => `  ${usageLine([command])}`),
		'',
		'Commands:',
		...table(commands.map(command => [command.name, command.summary])),
	];
	if (image !== undefined) {
		lines.push('', 'Arguments:', ...table(image.arguments.map(argument => [argument.name, argument.help])));
		lines.push(...optionSections(image.options, `Options of layerscope ${defaultCommandName}`));
		lines.push(...image.details === undefined ? [] : ['', ...image.details]);
	}

	lines.push(...optionSections(globalOptions, 'Global options'), '', 'layerscope help COMMAND shows the options of a command.');
	return `${lines.join('\n')}\n`;
}

/** `layerscope help tree`, `layerscope tree --help`: one command (path: its parents, then it). */
export function commandHelp(path: readonly CommandDefinition[], version: string): string {
	const command = path.at(-1)!;
	const lines = [`${header(version)}`, '', `layerscope ${path.map(item => item.name).join(' ')}: ${command.summary}`, '', 'Usage:', `  ${usageLine(path)}`];
	if (command.subcommands !== undefined) {
		lines.push('', 'Commands:', ...table(command.subcommands.map(sub => [sub.name, sub.summary])));
	}

	if (command.arguments.length > 0) {
		lines.push('', 'Arguments:', ...table(command.arguments.map(argument => [argument.name, argument.help])));
	}

	lines.push(...optionSections(command.options, 'Options'));
	lines.push(...command.details === undefined ? [] : ['', ...command.details]);
	lines.push(...optionSections(globalOptions, 'Global options'));
	return `${lines.join('\n')}\n`;
}
