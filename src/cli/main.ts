// The command line: the only place that writes to stderr, decides exit codes and ends the process.
import {readFileSync} from 'node:fs';
import prettyBytes from 'pretty-bytes';
import {analyzeImage} from '../analysis/analyze.js';
import {stackLayers} from '../analysis/tree.js';
import type {RawImage} from '../analysis/types.js';
import {formatJson, toJsonExport} from '../report/json.js';
import {writeOutput} from './output.js';
import {formatTextReport} from '../report/text.js';
import {formatTree, treeJson} from '../report/tree.js';
import {ciColorWanted, ciEvaluatingLine, ciJson, ciLoadingLine, ciStatusLine, evaluateCi, ignoreMatcher, isCiEnvironment, loadCiConfig} from '../ci/index.js';
import {helpText, type ParsedArgs, parseArgs, UsageError} from './args.js';
import {runCiCommand} from './ci-command.js';
import type {SourceStatus} from '../sources/types.js';
import {type LoadOptions, loadImage} from './load.js';

const exitOk = 0;
const exitError = 2;
const exitInterrupted = 130;

function version(): string {
	try {
		const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
		return (JSON.parse(text) as {version: string}).version;
	} catch {
		return 'unknown';
	}
}

type Io = {
	stdout(text: string): void;
	stderr(text: string): void;
};

const io: Io = {
	stdout(text) {
		process.stdout.write(text);
	},
	stderr(text) {
		process.stderr.write(text);
	},
};

/** A one-line, self-erasing progress indicator on stderr (only when stderr is a terminal). */
function stderrProgress(): Pick<LoadOptions, 'onStatus' | 'onRead'> & {done(): void} {
	if (process.stderr.isTTY !== true) {
		// Not a terminal (a CI log, a file): no redrawn line, but a pull is worth a line when it starts and ends.
		let pull: SourceStatus | undefined;
		return {
			onStatus(status) {
				if (status.phase === 'pull') {
					if (pull === undefined) {
						process.stderr.write(`${status.message}\n`);
					}

					pull = status;
				}
			},
			done() {
				if (pull?.current !== undefined) {
					process.stderr.write(`pulled: ${prettyBytes(pull.current)}\n`);
				}
			},
		};
	}

	let last = 0;
	let shown = false;
	const show = (text: string, force = false): void => {
		const now = Date.now();
		if (!force && now - last < 100) {
			return;
		}

		last = now;
		shown = true;
		const width = Math.max(20, (process.stderr.columns ?? 80) - 1);
		process.stderr.write(`\r\u001B[2K${text.slice(0, width)}`);
	};

	return {
		onStatus(status) {
			const amount = status.current === undefined ? '' : ` ${prettyBytes(status.current)}${status.total === undefined ? '' : ` / ${prettyBytes(status.total)}`}`;
			show(`${status.phase}: ${status.message}${amount}`, true);
		},
		onRead(progress) {
			const total = progress.totalBytes === undefined ? '' : ` / ${prettyBytes(progress.totalBytes)}`;
			show(`reading ${prettyBytes(progress.bytes)}${total} · ${progress.layersDone} layers · ${progress.entries.toLocaleString('en-US')} entries`);
		},
		done() {
			if (shown) {
				process.stderr.write('\r\u001B[2K');
			}
		},
	};
}

function requireTarget(args: ParsedArgs): string {
	if (args.target === undefined) {
		throw new UsageError(args.command === 'diff' ? 'diff needs a container name or id' : 'no image given (try --help)');
	}

	return args.target;
}

function optionString(args: ParsedArgs, name: string): string | undefined {
	const value = args.options[name];
	return typeof value === 'string' ? value : undefined;
}

/** Read the image the user named, with progress on stderr. */
async function readImage(args: ParsedArgs, target: string): Promise<RawImage> {
	const progress = stderrProgress();
	try {
		return await loadImage(target, {source: optionString(args, 'source'), platform: optionString(args, 'platform'), ...progress});
	} finally {
		progress.done();
	}
}

async function treeCommand(args: ParsedArgs): Promise<number> {
	const target = requireTarget(args);
	const layerOption = optionString(args, 'layer');
	const image = await readImage(args, target);

	let layer = image.layers.length - 1;
	if (layerOption !== undefined) {
		if (!/^\d+$/.test(layerOption) || Number(layerOption) >= image.layers.length) {
			throw new UsageError(`--layer must be a layer index from 0 to ${image.layers.length - 1} (got "${layerOption}")`);
		}

		layer = Number(layerOption);
	}

	const root = stackLayers(image.layers.slice(0, layer + 1).map(item => item.contents.entries));
	const json = optionString(args, 'json');
	if (json === undefined) {
		io.stdout(formatTree(root));
	} else {
		await writeOutput(json, formatJson(treeJson(root)));
	}

	return exitOk;
}

async function imageCommand(args: ParsedArgs): Promise<number> {
	const target = requireTarget(args);
	const json = optionString(args, 'json');
	if (args.options['ci'] === true || isCiEnvironment(process.env)) {
		return ciCommand(args, target);
	}

	if (json === undefined && process.stdout.isTTY === true && args.options['no-tui'] !== true) {
		// The UI (ink, react) loads only when a terminal shows it.
		const {runUi} = await import('./ui-command.js');
		const outcome = await runUi(target, {source: optionString(args, 'source'), platform: optionString(args, 'platform')});
		return outcome === 'cancelled' ? exitInterrupted : exitOk;
	}

	const image = await readImage(args, target);
	const analysis = analyzeImage(image);
	if (json === undefined) {
		io.stdout(formatTextReport(analysis));
	} else {
		await writeOutput(json, formatJson(toJsonExport(image, analysis)));
	}

	return exitOk;
}

async function ciCommand(args: ParsedArgs, target: string): Promise<number> {
	// The configuration first: a bad rule is reported before any image is read.
	const config = loadCiConfig({
		configPath: optionString(args, 'ci-config'),
		lowestEfficiency: optionString(args, 'lowest-efficiency'),
		highestWastedBytes: optionString(args, 'highest-wasted-bytes'),
		highestUserWastedPercent: optionString(args, 'highest-user-wasted-percent'),
		highestReclaimableBytes: optionString(args, 'highest-reclaimable-bytes'),
		format: optionString(args, 'ci-format'),
		junitFile: optionString(args, 'junit-file'),
	}, process.cwd());
	io.stderr(`${ciLoadingLine(target)}\n`);
	const image = await readImage(args, target);

	const analysis = analyzeImage(image, {ignore: ignoreMatcher(config)});
	io.stderr(`${ciStatusLine(analysis)}\n`);
	const evaluation = evaluateCi(analysis, config);
	// dive leaves a blank line between its status lines and the report.
	io.stderr(`${ciEvaluatingLine(evaluation)}\n\n`);
	const json = optionString(args, 'json');
	if (json !== undefined) {
		await writeOutput(json, formatJson(toJsonExport(image, analysis, {ci: ciJson(evaluation)})));
	}

	// With --json -, stdout holds the JSON: no report there, the verdict is the exit code.
	return runCiCommand({analysis, config, evaluation, report: json !== '-', io: {...io, color: ciColorWanted(process.stdout.isTTY, process.env)}});
}

async function diffCommand(args: ParsedArgs): Promise<number> {
	const container = requireTarget(args);
	const source = optionString(args, 'source');
	if (source !== undefined && source !== 'docker' && source !== 'podman') {
		throw new UsageError(`diff reads containers from a daemon: --source docker or podman (got "${source}")`);
	}

	// Loads dockerode: only for this command.
	const {runDiffCommand} = await import('./diff-command.js');
	return runDiffCommand({
		container,
		json: optionString(args, 'json'),
		// Under CI=… ink renders only final frames (and dive's CI mode means no UI): plain text then.
		tui: args.options['no-tui'] !== true && !isCiEnvironment(process.env),
		engine: source === 'podman' ? 'podman' : 'docker',
		io: {...io, isTTY: process.stdout.isTTY === true},
	});
}

async function run(args: ParsedArgs): Promise<number> {
	if (args.options['help'] === true) {
		io.stdout(helpText(version()));
		return exitOk;
	}

	if (args.options['version'] === true) {
		io.stdout(`${version()}\n`);
		return exitOk;
	}

	switch (args.command) {
		case 'tree': {
			return treeCommand(args);
		}

		case 'diff': {
			return diffCommand(args);
		}

		default: {
			return imageCommand(args);
		}
	}
}

function describe(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	// One line, whatever the error carries.
	return message.split('\n')[0]!.trim() || 'unknown error';
}

export async function main(argv: readonly string[]): Promise<void> {
	const debug = argv.includes('--debug');
	process.stdout.on('error', error => {
		if ((error as NodeJS.ErrnoException).code === 'EPIPE') {
			process.exit(exitOk);
		}
	});
	process.once('SIGINT', () => {
		process.stderr.write('\ninterrupted\n');
		process.exit(exitInterrupted);
	});

	let code: number;
	try {
		code = await run(parseArgs(argv));
	} catch (error) {
		io.stderr(`layerscope: ${describe(error)}\n`);
		if (debug && error instanceof Error && error.stack !== undefined) {
			io.stderr(`${error.stack}\n`);
		}

		code = exitError;
	}

	process.exitCode = code;
	// Sockets to a daemon may linger; the exit code is set, so end now.
	process.exit(code);
}
