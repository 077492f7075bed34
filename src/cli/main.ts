// The command line: the only place that writes to stderr, decides exit codes and ends the process. Parsing is
// src/cli/program.ts (commander), the commands are src/cli/commands/*.ts; each returns its exit code or throws
// an error whose message is one line (shown as `layerscope: MESSAGE`, exit 2; the stack too with --debug).
import {commands} from './commands/index.js';
import {helpFor} from './commands/help.js';
import type {CommandIo} from './command.js';
import {terminalSafe} from '../report/escape.js';
import {removeTemporaryFiles} from './output.js';
import {checkArguments, parseCommandLine} from './program.js';
import {version} from './version.js';
import {runExitHooks, runFlags} from './run-hooks.js';

const exitOk = 0;
const exitError = 2;
const exitInterrupted = 130;

/** The first error writing to standard output (other than a reader that went away): the run fails with it. */
let stdoutFailure: NodeJS.ErrnoException | undefined;

const io: CommandIo = {
	stdout(text) {
		// A failed write is an 'error' event on process.stdout (main records it).
		process.stdout.write(text);
	},
	stderr(text) {
		process.stderr.write(text);
	},
};

async function run(argv: readonly string[]): Promise<number> {
	const invocation = parseCommandLine(argv, commands);
	if (invocation.version) {
		io.stdout(`${version()}\n`);
		return exitOk;
	}

	if (invocation.help) {
		// `layerscope --help` and `layerscope IMAGE --help`: the program's help; `layerscope tree --help`: tree's.
		const words = invocation.named || invocation.path[0]?.name !== 'image' ? invocation.path.map(command => command.name) : [];
		io.stdout(helpFor(words, commands, version()));
		return exitOk;
	}

	checkArguments(invocation, commands);
	const command = invocation.path.at(-1)!;
	return command.run!({args: invocation.args, options: invocation.options, io, commands, version: version()});
}

/**
 * Node ends a process whose event loop has nothing left to wait for, even while a command's promise is pending (a
 * wait that nothing will ever end, i.e. a bug): with exit code 0 and no output. Instead: one line and exit 2 (and
 * no temporary output file left). Returns what to call once the run has finished.
 */
export function guardUnfinished(): () => void {
	let finished = false;
	process.once('exit', () => {
		if (!finished) {
			removeTemporaryFiles();
			process.stderr.write('layerscope: internal error: the run stopped before it finished (nothing was left to wait for); please report it\n');
			process.exitCode = exitError;
		}
	});
	return () => {
		finished = true;
	};
}

function describe(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	// One line, whatever the error carries, and nothing raw: messages escape what they quote from the input
	// already; terminalSafe is the last guard for anything that did not.
	return terminalSafe(message.split('\n')[0]!.trim()) || 'unknown error';
}

export async function main(argv: readonly string[]): Promise<void> {
	const finished = guardUnfinished();
	const debug = argv.includes('--debug');
	runFlags.debug = debug;
	if (debug) {
		// Stack traces name src/ files and lines (the bundle's linked source maps), not bundle chunks.
		process.setSourceMapsEnabled(true);
	}

	process.stdout.on('error', error => {
		if ((error as NodeJS.ErrnoException).code === 'EPIPE') {
			finished();
			process.exit(exitOk);
		}

		stdoutFailure ??= error;
	});
	// SIGINT and SIGTERM alike: no temporary output file left behind, the old output intact, exit 130.
	const interrupted = (): void => {
		removeTemporaryFiles();
		process.stderr.write('\nlayerscope: interrupted\n');
		finished();
		process.exit(exitInterrupted);
	};

	process.once('SIGINT', interrupted);
	process.once('SIGTERM', interrupted);

	let code: number;
	try {
		code = await run(argv);
	} catch (error) {
		io.stderr(`layerscope: ${describe(error)}\n`);
		if (debug && error instanceof Error && error.stack !== undefined) {
			io.stderr(`${error.stack}\n`);
		}

		code = exitError;
	}

	// Layer cache writes still running (they never fail the run), and whatever else a command left to finish.
	await runExitHooks();
	// Everything written to standard output has gone out (or failed: a full disk, a closed descriptor): say so.
	await new Promise<void>(resolve => {
		process.stdout.write('', () => {
			resolve();
		});
	});
	if (stdoutFailure !== undefined && stdoutFailure.code !== 'EPIPE' && code !== exitInterrupted) {
		io.stderr(`layerscope: cannot write to standard output: ${stdoutFailure.code ?? describe(stdoutFailure)}\n`);
		code = exitError;
	}

	process.exitCode = code;
	finished();
	// Sockets to a daemon may linger; the exit code is set, so end now.
	process.exit(code);
}
