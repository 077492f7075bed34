// Command-line parsing: one table of options drives both parsing and --help.

export class UsageError extends Error {}

type OptionSpec = {
	readonly name: string;
	readonly short?: string;
	/** Name of the value it takes; flags take none. */
	readonly value?: string;
	readonly help: string;
	readonly group: 'general' | 'ci' | 'tree';
};

export const optionSpecs: readonly OptionSpec[] = [
	{name: 'json', value: 'FILE', help: 'write dive-compatible JSON to FILE (- for stdout) instead of opening the UI', group: 'general'},
	{name: 'source', value: 'SOURCE', help: 'docker (default for references), podman, docker-archive, oci-archive or oci', group: 'general'},
	{name: 'platform', value: 'OS/ARCH', help: 'which platform of a multi-platform OCI image (default: this host)', group: 'general'},
	{name: 'no-tui', help: 'print the text report even when stdout is a terminal', group: 'general'},
	{name: 'debug', help: 'show stack traces of errors', group: 'general'},
	{name: 'help', short: 'h', help: 'show this help', group: 'general'},
	{name: 'version', short: 'v', help: 'show the version', group: 'general'},
	{name: 'ci', help: 'evaluate the CI rules and exit 1 when one fails (also when CI=true)', group: 'ci'},
	{name: 'ci-config', value: 'FILE', help: 'rules file (default ./.layerscope-ci.yml, else ./.dive-ci)', group: 'ci'},
	{name: 'lowest-efficiency', value: 'RATIO', help: 'fail below this efficiency (0..1)', group: 'ci'},
	{name: 'highest-wasted-bytes', value: 'SIZE', help: 'fail above this many wasted bytes (20MB, 20MiB, disabled)', group: 'ci'},
	{name: 'highest-user-wasted-percent', value: 'RATIO', help: 'fail above this share of wasted user bytes (0..1)', group: 'ci'},
	{name: 'highest-reclaimable-bytes', value: 'SIZE', help: 'fail above this many bytes a squash would drop', group: 'ci'},
	{name: 'ci-format', value: 'FORMAT', help: 'text (default) or junit (also writes a JUnit XML file)', group: 'ci'},
	{name: 'junit-file', value: 'FILE', help: 'where --ci-format junit writes (default layerscope-junit.xml)', group: 'ci'},
	{name: 'layer', value: 'N', help: 'tree: the filesystem as seen at layer N (default: the top layer)', group: 'tree'},
];

export type Command = 'image' | 'tree' | 'diff';

export type ParsedArgs = {
	readonly command: Command;
	readonly target: string | undefined;
	readonly options: Readonly<Record<string, string | true>>;
};

export function parseArgs(argv: readonly string[]): ParsedArgs {
	const options: Record<string, string | true> = {};
	const positionals: string[] = [];
	let onlyPositionals = false;
	for (let index = 0; index < argv.length; index++) {
		const argument = argv[index]!;
		if (onlyPositionals || argument === '-' || !argument.startsWith('-')) {
			positionals.push(argument);
			continue;
		}

		if (argument === '--') {
			onlyPositionals = true;
			continue;
		}

		let name: string;
		let inline: string | undefined;
		if (argument.startsWith('--')) {
			const equals = argument.indexOf('=');
			name = equals < 0 ? argument.slice(2) : argument.slice(2, equals);
			inline = equals < 0 ? undefined : argument.slice(equals + 1);
		} else {
			const short = argument.slice(1);
			const spec = optionSpecs.find(option => option.short === short);
			if (spec === undefined) {
				throw new UsageError(`unknown option ${argument}`);
			}

			name = spec.name;
		}

		const spec = optionSpecs.find(option => option.name === name);
		if (spec === undefined) {
			throw new UsageError(`unknown option --${name}`);
		}

		if (spec.value === undefined) {
			if (inline !== undefined) {
				throw new UsageError(`--${name} takes no value`);
			}

			options[name] = true;
			continue;
		}

		let value = inline;
		if (value === undefined) {
			value = argv[index + 1];
			index++;
			if (value === undefined) {
				throw new UsageError(`--${name} needs a value (${spec.value})`);
			}
		}

		options[name] = value;
	}

	let command: Command = 'image';
	if (positionals[0] === 'tree' || positionals[0] === 'diff') {
		command = positionals.shift() as Command;
	}

	if (positionals.length > 1) {
		throw new UsageError(`expected one ${command === 'diff' ? 'container' : 'image'}, got ${positionals.length}: ${positionals.join(' ')}`);
	}

	if (options['layer'] !== undefined && command !== 'tree') {
		throw new UsageError('--layer goes with the tree command');
	}

	return {command, target: positionals[0], options};
}

export function helpText(version: string): string {
	const lines = [
		`layerscope ${version} — explore Docker/OCI image layers, wasted space and container changes`,
		'',
		'Usage:',
		'  layerscope IMAGE [options]            analyse an image (terminal UI, or a text report when piped)',
		'  layerscope tree IMAGE [--layer N]     list the filesystem as seen at a layer',
		'  layerscope diff CONTAINER [--json F]  what a container changed on top of its image, with sizes',
		'',
		'IMAGE is a reference for the Docker daemon (pulled if missing), an archive file (docker save, podman,',
		'kaniko, OCI), - for stdin, docker-archive:PATH, oci-archive:PATH or oci:DIR (an OCI layout directory).',
	];
	const groups: Array<[OptionSpec['group'], string]> = [['general', 'Options'], ['ci', 'CI gate'], ['tree', 'tree']];
	for (const [group, title] of groups) {
		lines.push('', `${title}:`);
		for (const spec of optionSpecs.filter(option => option.group === group)) {
			const left = `${spec.short === undefined ? '    ' : `-${spec.short}, `}--${spec.name}${spec.value === undefined ? '' : ` ${spec.value}`}`;
			lines.push(`  ${left.padEnd(40)} ${spec.help}`);
		}
	}

	lines.push('', 'Exit codes: 0 success, 1 a CI rule failed, 2 bad usage, input or configuration, 130 interrupted.');
	return `${lines.join('\n')}\n`;
}
