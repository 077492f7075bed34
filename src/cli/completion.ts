// Shell completion scripts for bash, zsh and fish, generated from the command definitions (src/cli/command.ts),
// so every command's options are offered exactly as the parser accepts them. The scripts only read what is typed:
// the command words (the default command when the first argument names none) decide which options are offered;
// after an option that takes a value, its completion (files, directories, fixed words, nothing) applies.
import type {CommandDefinition, Completion, OptionDefinition} from './command.js';
import {defaultCommandName, globalOptions} from './global-options.js';

export type Shell = 'bash' | 'zsh' | 'fish';
export const shells: readonly Shell[] = ['bash', 'zsh', 'fish'];

/** What is offered once a command path is known (the root is the default command plus the command words). */
type Node = {
	/** The command words, space-joined ('' at the root). */
	readonly key: string;
	readonly options: readonly OptionDefinition[];
	/** Command words that may follow (subcommands; at the root every command). */
	readonly words: ReadonlyArray<{readonly name: string; readonly summary: string}>;
	/** How the node's arguments complete (the root: the default command's IMAGE). */
	readonly argument: Completion;
};

function nodes(commands: readonly CommandDefinition[]): Node[] {
	const image = commands.find(command => command.name === defaultCommandName);
	const result: Node[] = [{
		key: '',
		options: [...image?.options ?? [], ...globalOptions],
		words: commands.map(command => ({name: command.name, summary: command.summary})),
		argument: image?.arguments[0]?.complete ?? 'file',
	}];
	const walk = (list: readonly CommandDefinition[], parents: string[]): void => {
		for (const command of list) {
			const words = [...parents, command.name];
			result.push({
				key: words.join(' '),
				options: [...command.options, ...globalOptions],
				words: (command.subcommands ?? []).map(sub => ({name: sub.name, summary: sub.summary})),
				argument: command.arguments[0]?.complete ?? (command.arguments.length > 0 ? 'file' : 'none'),
			});
			walk(command.subcommands ?? [], words);
		}
	};

	walk(commands, []);
	return result;
}

/** The completion of an option's value ('none' for a flag). */
function valueCompletion(option: OptionDefinition): Completion {
	if (option.value === undefined) {
		return 'none';
	}

	return option.complete ?? 'file';
}

function flagsOf(option: OptionDefinition): string[] {
	return [`--${option.name}`, ...option.short === undefined ? [] : [`-${option.short}`]];
}

/** Words the scripts put in code: our own names, checked to need no quoting. */
function safeWord(word: string): string {
	if (!/^[\w./:+-]+$/.test(word)) {
		throw new Error(`completion: the word ${JSON.stringify(word)} needs quoting`);
	}

	return word;
}

function completionWords(completion: Completion, commands: readonly CommandDefinition[]): readonly string[] {
	if (completion === 'command') {
		return commands.map(command => command.name);
	}

	return typeof completion === 'object' ? completion.words : [];
}

// --- bash -------------------------------------------------------------------------------------------------------

function bashList(words: readonly string[]): string {
	return `$'${words.map(word => safeWord(word)).join(String.raw`\n`)}'`;
}

function bashReply(completion: Completion, commands: readonly CommandDefinition[], extraWords: readonly string[] = []): string {
	const words = [...extraWords, ...completionWords(completion, commands)];
	const parts: string[] = [];
	if (words.length > 0) {
		parts.push(`_layerscope_add -W ${bashList(words)}`);
	}

	if (completion === 'file') {
		parts.push('_layerscope_add -f');
	} else if (completion === 'directory') {
		parts.push('_layerscope_add -d');
	}

	return parts.length === 0 ? ':' : parts.join('; ');
}

function bashScript(commands: readonly CommandDefinition[], version: string): string {
	const all = nodes(commands);
	const scan = all.map(node => {
		const valueOptions = node.options.filter(option => option.value !== undefined).flatMap(option => flagsOf(option));
		const cases: string[] = [];
		if (valueOptions.length > 0) {
			cases.push(`\t\t\t\t${valueOptions.join('|')}) ((i++)); [[ \${COMP_WORDS[i]-} == = ]] && ((i++)) ;;`);
		}

		if (node.words.length > 0) {
			cases.push(`\t\t\t\t${node.words.map(word => safeWord(word.name)).join('|')}) cmd=${JSON.stringify(node.key === '' ? '' : `${node.key} `)}$word ;;`);
		}

		if (node.key === '') {
			cases.push('\t\t\t\t-*) ;;', `\t\t\t\t*) cmd=${defaultCommandName} ;;`);
		}

		return [`\t\t\t${JSON.stringify(node.key)})`, '\t\t\t\tcase $word in', ...cases.map(line => `\t${line}`), '\t\t\t\tesac ;;'].join('\n');
	});
	const reply = all.map(node => {
		const values = node.options.filter(option => option.value !== undefined).map(option => {
			const completion = valueCompletion(option);
			return `\t\t\t\t${flagsOf(option).join('|')}) ${bashReply(completion, commands)}; return ;;`;
		});
		const argumentWords = node.words.map(word => word.name);
		return [
			`\t\t${JSON.stringify(node.key)})`,
			'\t\t\tcase $prev in',
			...values,
			'\t\t\tesac',
			`\t\t\tif [[ $cur == -* ]]; then _layerscope_add -W ${bashList(node.options.flatMap(option => flagsOf(option)))}; return; fi`,
			`\t\t\t${bashReply(node.words.length > 0 && node.key !== '' ? 'none' : node.argument, commands, argumentWords)} ;;`,
		].join('\n');
	});
	return `# bash completion for layerscope ${version}, generated by \`layerscope completion bash\` from its command definitions.
# Load it with: source <(layerscope completion bash)
# or save it: layerscope completion bash > ~/.local/share/bash-completion/completions/layerscope
_layerscope_add() {
	local IFS=$'\\n'
	COMPREPLY+=($(compgen "$@" -- "$cur"))
	if [[ $1 == -f || $1 == -d ]]; then compopt -o filenames 2>/dev/null; fi
	return 0
}

_layerscope() {
	COMPREPLY=()
	local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} cmd= word i
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then
		prev=\${COMP_WORDS[COMP_CWORD-2]}
	fi

	# Which command is being typed: the command words before the cursor, skipping option values.
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=\${COMP_WORDS[i]}
		case $cmd in
${scan.join('\n')}
		esac
	done

	case $cmd in
${reply.join('\n')}
	esac
}

complete -F _layerscope layerscope
`;
}

// --- zsh --------------------------------------------------------------------------------------------------------

function zshQuote(text: string): string {
	return `'${text.replaceAll('\'', String.raw`'\''`)}'`;
}

/** `_describe` over words and their descriptions (`name`: a local array; never zsh's special `options`/`commands`). */
function zshDescribe(items: ReadonlyArray<readonly [string, string]>, tag: string, name: string): string {
	const array = items.map(([word, description]) => zshQuote(`${word}:${description.replaceAll(':', String.raw`\:`)}`)).join(' ');
	return `local -a ${name}; ${name}=(${array}); _describe -t ${tag} ${zshQuote(tag.replace(/s$/, ''))} ${name}`;
}

function zshReply(completion: Completion, commands: readonly CommandDefinition[]): string {
	if (completion === 'file') {
		return '_files';
	}

	if (completion === 'directory') {
		return '_files -/';
	}

	const words = completionWords(completion, commands);
	return words.length === 0 ? ':' : `compadd -- ${words.map(word => safeWord(word)).join(' ')}`;
}

function zshScript(commands: readonly CommandDefinition[], version: string): string {
	const all = nodes(commands);
	const scan = all.map(node => {
		const valueOptions = node.options.filter(option => option.value !== undefined).flatMap(option => flagsOf(option));
		const cases: string[] = [];
		if (valueOptions.length > 0) {
			cases.push(`\t\t\t\t(${valueOptions.join('|')}) ((i++)) ;;`);
		}

		if (node.words.length > 0) {
			cases.push(`\t\t\t\t(${node.words.map(word => safeWord(word.name)).join('|')}) cmd=${zshQuote(node.key === '' ? '' : `${node.key} `)}$word ;;`);
		}

		if (node.key === '') {
			cases.push('\t\t\t\t(-*) ;;', `\t\t\t\t(*) cmd=${defaultCommandName} ;;`);
		}

		return [`\t\t\t(${zshQuote(node.key)})`, '\t\t\t\tcase $word in', ...cases.map(line => `\t${line}`), '\t\t\t\tesac ;;'].join('\n');
	});
	const reply = all.map(node => {
		const values = node.options.filter(option => option.value !== undefined).map(option => `\t\t\t\t(${flagsOf(option).join('|')}) ${zshReply(valueCompletion(option), commands)}; return ;;`);
		const argument = node.words.length > 0 && node.key !== '' ? ':' : zshReply(node.argument, commands);
		const words = node.words.length === 0 ? '' : `${zshDescribe(node.words.map(word => [word.name, word.summary]), 'commands', '_layerscope_commands')}; `;
		return [
			`\t\t(${zshQuote(node.key)})`,
			'\t\t\tcase $prev in',
			...values,
			'\t\t\tesac',
			`\t\t\tif [[ $cur == -* ]]; then ${zshDescribe(node.options.flatMap(option => flagsOf(option).map(flag => [flag, option.help] as const)), 'options', '_layerscope_options')}; return; fi`,
			`\t\t\t${words}${argument} ;;`,
		].join('\n');
	});
	return `#compdef layerscope
# zsh completion for layerscope ${version}, generated by \`layerscope completion zsh\` from its command definitions.
# Load it with: source <(layerscope completion zsh)   (after compinit)
# or save it as _layerscope in a directory of $fpath.
_layerscope() {
	local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} cmd= word i
	if [[ $cur == --*=* ]]; then
		prev=\${cur%%=*}
		compset -P '*='
		cur=\${cur#*=}
	fi

	# Which command is being typed: the command words before the cursor, skipping option values.
	for ((i = 2; i < CURRENT; i++)); do
		word=\${words[i]}
		case $cmd in
${scan.join('\n')}
		esac
	done

	case $cmd in
${reply.join('\n')}
	esac
}

if [[ \${funcstack[1]-} == _layerscope ]]; then
	_layerscope "$@"
else
	compdef _layerscope layerscope
fi
`;
}

// --- fish -------------------------------------------------------------------------------------------------------

function fishQuote(text: string): string {
	return `'${text.replaceAll('\\', '\\\\').replaceAll('\'', String.raw`\'`)}'`;
}

function fishScript(commands: readonly CommandDefinition[], version: string): string {
	const lines = [
		`# fish completion for layerscope ${version}, generated by \`layerscope completion fish\` from its command definitions.`,
		'# Load it with: layerscope completion fish | source',
		'# or save it: layerscope completion fish > ~/.config/fish/completions/layerscope.fish',
		'complete -c layerscope -e',
	];
	const topNames = commands.map(command => safeWord(command.name)).join(' ');
	for (const node of nodes(commands)) {
		const words = node.key === '' ? [] : node.key.split(' ');
		const deeper = node.words.map(word => safeWord(word.name)).join(' ');
		const condition = node.key === ''
			? `not __fish_seen_subcommand_from ${topNames}`
			: [
				...words.map(word => `__fish_seen_subcommand_from ${safeWord(word)}`),
				...deeper === '' ? [] : [`not __fish_seen_subcommand_from ${deeper}`],
			].join('; and ');
		const when = `-n ${fishQuote(condition)}`;
		for (const word of node.words) {
			lines.push(`complete -c layerscope ${when} -f -a ${safeWord(word.name)} -d ${fishQuote(word.summary)}`);
		}

		const argumentWords = completionWords(node.argument, commands);
		if (node.words.length === 0 || node.key === '') {
			if (node.argument === 'file' || node.argument === 'directory') {
				lines.push(`complete -c layerscope ${when} -F`);
			} else if (argumentWords.length > 0) {
				lines.push(`complete -c layerscope ${when} -f -a ${fishQuote(argumentWords.join(' '))}`);
			} else {
				lines.push(`complete -c layerscope ${when} -f`);
			}
		}

		for (const option of node.options) {
			const short = option.short === undefined ? '' : ` -s ${safeWord(option.short)}`;
			const completion = valueCompletion(option);
			let value = '';
			if (option.value !== undefined) {
				const optionWords = completionWords(completion, commands);
				value = completion === 'file' || completion === 'directory' ? ' -r -F' : (optionWords.length > 0 ? ` -x -a ${fishQuote(optionWords.join(' '))}` : ' -x');
			}

			lines.push(`complete -c layerscope ${when} -l ${safeWord(option.name)}${short}${value} -d ${fishQuote(option.help)}`);
		}
	}

	return `${lines.join('\n')}\n`;
}

/** The completion script for `shell`, for the given command table. */
export function completionScript(shell: Shell, commands: readonly CommandDefinition[], version: string): string {
	switch (shell) {
		case 'bash': {
			return bashScript(commands, version);
		}

		case 'zsh': {
			return zshScript(commands, version);
		}

		case 'fish': {
			return fishScript(commands, version);
		}
	}
}
