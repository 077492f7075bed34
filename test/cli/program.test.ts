// The command line's parser on the real command table: each command's option set (accepted; refused with a
// one-line UsageError), help and version anywhere, argument counts.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {UsageError} from '../../src/cli/args.js';
import type {CommandDefinition} from '../../src/cli/command.js';
import {helpFor} from '../../src/cli/commands/help.js';
import {commands} from '../../src/cli/commands/index.js';
import {completionScript, shells} from '../../src/cli/completion.js';
import {checkArguments, type Invocation, parseCommandLine} from '../../src/cli/program.js';

function parse(...argv: string[]): Invocation {
	const invocation = parseCommandLine(argv, commands);
	checkArguments(invocation, commands);
	return invocation;
}

function refused(argv: string[], message: RegExp): void {
	assert.throws(() => parse(...argv), (error: unknown) => {
		assert.ok(error instanceof UsageError, `${argv.join(' ')}: ${String(error)}`);
		assert.match(error.message, message, argv.join(' '));
		assert.ok(!error.message.includes('\n'), 'one line');
		return true;
	});
}

test('every option of every command is accepted by that command, before or after its argument', () => {
	for (const command of commands) {
		const operands = command.arguments.filter(argument => argument.required === true).map(() => 'bash');
		for (const option of command.options) {
			const given = option.value === undefined ? [`--${option.name}`] : [`--${option.name}`, 'v'];
			for (const argv of [[command.name, ...operands, ...given], [command.name, ...given, ...operands]]) {
				const invocation = parse(...argv);
				assert.equal(invocation.path.at(-1)!.name, command.name);
				assert.deepEqual(invocation.args, operands);
				assert.deepEqual(invocation.options, {[option.name]: option.value === undefined ? true : 'v'}, argv.join(' '));
			}
		}
	}
});

test('the default command: a first word that names no command is the image; --opt=value works', () => {
	const invocation = parse('app.tar', '--json=-', '--no-tui', '--ci-format', 'junit');
	assert.equal(invocation.path[0]!.name, 'image');
	assert.equal(invocation.named, false);
	assert.deepEqual(invocation.args, ['app.tar']);
	assert.deepEqual(invocation.options, {json: '-', 'no-tui': true, 'ci-format': 'junit'});
	assert.deepEqual(parse('-', '--json', '-').args, ['-'], '- is stdin, and a value');
	assert.equal(parse('image', 'tree').args[0], 'tree', 'an image called tree, by naming the command');
	assert.equal(parse('image', 'x').named, true);
});

test('an option of another command is refused, naming the command it goes with', () => {
	refused(['tree', 'img', '--ci'], /^--ci does not apply to layerscope tree; it goes with layerscope image, layerscope compare \(see layerscope help tree\)$/);
	refused(['diff', 'web-1', '--ci'], /^--ci does not apply to layerscope diff; it goes with layerscope image/);
	refused(['tree', 'img', '--junit-file', 'x.xml'], /^--junit-file does not apply to layerscope tree/);
	refused(['tree', 'img', '--no-tui'], /^--no-tui does not apply to layerscope tree; it goes with layerscope image, layerscope diff/);
	refused(['diff', 'web-1', '--platform', 'linux/amd64'], /^--platform does not apply to layerscope diff; it goes with layerscope image, layerscope tree/);
	refused(['img', '--layer', '3'], /^--layer does not apply to layerscope image; it goes with layerscope tree/);
	refused(['completion', 'bash', '--json', '-'], /^--json does not apply to layerscope completion/);
});

test('typos get a "did you mean"; unknown options, missing values and flags with values are one-line errors', () => {
	refused(['img', '--jsn', 'x'], /^unknown option --jsn for layerscope image \(did you mean --json\?\)$/);
	refused(['tree', 'img', '--layr', '2'], /^unknown option --layr for layerscope tree \(did you mean --layer\?\)$/);
	refused(['img', '--ci-formt', 'junit'], /did you mean --ci-format\?/);
	refused(['img', '--bogus'], /^unknown option --bogus for layerscope image \(see layerscope help image\)$/);
	refused(['img', '-x'], /^unknown option -x for layerscope image/);
	refused(['tree', 'img', '--layer'], /^--layer needs a value \(N\)$/);
	refused(['img', '--no-tui=yes'], /^--no-tui takes no value \(got --no-tui=yes\)$/);
});

test('arguments: missing and too many', () => {
	refused([], /^no image given \(try layerscope help\)$/);
	refused(['tree'], /^tree needs an image/);
	refused(['diff'], /^diff needs a container name or id/);
	refused(['a.tar', 'b.tar'], /^layerscope image takes one argument \(IMAGE\), got 2: a\.tar b\.tar$/);
	refused(['completion'], /^completion needs a shell: bash, zsh, fish$/);
	refused(['a\u001B[2J.tar', 'b'], /got 2: a\\x1b\[2J\.tar b$/);
});

test('a mistyped command word gets a "did you mean" (when it cannot be an image: there are too many arguments)', () => {
	refused(['tre', 'img'], /^unknown command tre \(did you mean layerscope tree\?\)$/);
	refused(['dif', 'web-1'], /^unknown command dif \(did you mean layerscope diff\?\)$/);
	refused(['trea', 'img', '--layer', '1'], /did you mean layerscope tree\?/);
	refused(['ls', 'img'], /^layerscope image takes one argument \(IMAGE\), got 2: ls img$/);
	refused(['image', 'tre', 'img'], /^layerscope image takes one argument/); // A named command takes its words as they are.
	assert.deepEqual(parse('tre').args, ['tre'], 'one word may be an image');
});

test('--help, --version and --debug are recognised anywhere, for every command', () => {
	assert.equal(parseCommandLine(['--help'], commands).help, true);
	assert.equal(parseCommandLine(['tree', 'x', '--help'], commands).help, true);
	assert.equal(parseCommandLine(['tree', '-h'], commands).path[0]!.name, 'tree', 'help before the missing argument is noticed');
	assert.equal(parseCommandLine(['-v'], commands).version, true);
	assert.equal(parseCommandLine(['diff', 'x', '--debug'], commands).debug, true);
});

test('a command with subcommands (a made-up `store info|prune`): parsed, refused, helped and completed from its table', async () => {
	const runs: string[] = [];
	const table: CommandDefinition[] = [
		...commands,
		{
			name: 'store',
			summary: 'a store',
			arguments: [],
			options: [],
			subcommands: [
				{name: 'info', summary: 'where and how big', arguments: [], options: [{name: 'json', value: 'FILE', help: 'as JSON'}], async run() {
					runs.push('info');
					return 0;
				}},
				{name: 'prune', summary: 'remove entries', arguments: [], options: [{name: 'older-than', value: 'DAYS', help: 'only entries older than this', complete: 'none'}], async run() {
					runs.push('prune');
					return 0;
				}},
			],
		},
	];
	const parsed = parseCommandLine(['store', 'prune', '--older-than', '7'], table);
	checkArguments(parsed, table);
	assert.deepEqual(parsed.path.map(command => command.name), ['store', 'prune']);
	assert.deepEqual(parsed.options, {'older-than': '7'});
	await parsed.path.at(-1)!.run!({args: parsed.args, options: parsed.options, io: {stdout() {}, stderr() {}}, commands: table, version: '0'});
	assert.deepEqual(runs, ['prune']);

	const refuse = (argv: string[], message: RegExp): void => {
		assert.throws(() => {
			const invocation = parseCommandLine(argv, table);
			checkArguments(invocation, table);
		}, (error: unknown) => error instanceof UsageError && message.test(error.message));
	};

	refuse(['store'], /^layerscope store needs a command: info, prune \(see layerscope help store\)$/);
	refuse(['store', 'purge'], /^unknown command layerscope store purge; the commands are info, prune$/);
	refuse(['store', 'info', '--older-than', '7'], /^--older-than does not apply to layerscope store info; it goes with (layerscope cache prune, )?layerscope store prune/);
	refuse(['store', 'prune', '--olderthan', '7'], /^unknown option --olderthan for layerscope store prune \(did you mean --older-than\?\)$/);
	assert.match(helpFor(['store'], table, '0'), /^ {2}layerscope store info\|prune/m);
	assert.match(helpFor(['store', 'prune'], table, '0'), /--older-than DAYS +only entries older than this/);
	for (const shell of shells) {
		const script = completionScript(shell, table, '0');
		assert.ok(script.includes('older-than') && script.includes('prune'), shell);
	}
});
