// `layerscope compare A B`: load both images at once, analyse and compare them, then show the comparison (TUI,
// text, JSON, Markdown) or gate on it (--ci). The exit code is returned; errors are thrown for main.ts to print as
// one line and exit 2 (a bad rule, an unreadable image, an output that cannot be written).
import prettyBytes from 'pretty-bytes';
import {type CompareSide, compareImages, type ImageComparison, readSide, readSides} from '../analysis/compare.js';
import type {LayerContents, RawImage} from '../analysis/types.js';
import {type CompareCiFlags, loadCompareCiConfig} from '../ci/compare-config.js';
import {type CompareEvaluation, evaluateCompareCi} from '../ci/compare-evaluate.js';
import {compareEvaluatingLine, compareJunitXml, compareLoadingLine, formatCompareCiReport} from '../ci/compare-report.js';
import {ciJson, ciSummaryLine} from '../ci/index.js';
import {compareJson} from '../report/compare-json.js';
import {formatCompareMarkdown} from '../report/compare-markdown.js';
import {formatCompareText} from '../report/compare-text.js';
import {formatJson} from '../report/json.js';
import {singleLine} from '../report/escape.js';
import {UsageError} from './args.js';
import type {SideName} from './compare-load.js';
import {listingEntries} from './compare-pack.js';
import type {LoadOptions} from './load.js';
import {writeOutput} from './output.js';

export type CompareCommandIo = {
	stdout(text: string): void;
	stderr(text: string): void;
	/** stderr is a terminal: progress is one self-erasing line. */
	readonly stderrIsTTY: boolean;
	readonly columns?: number;
	/** Colour for the CI report. */
	readonly color: boolean;
};

export type CompareCommandInput = {
	readonly a: string;
	readonly b: string;
	readonly load: Pick<LoadOptions, 'source' | 'platform' | 'insecure' | 'cache'>;
	/** --json FILE (- for stdout). */
	readonly json?: string;
	readonly markdown: boolean;
	/** Open the terminal UI (the caller decides: stdout is a terminal, no --no-tui, not CI). */
	readonly tui: boolean;
	/** --ci (or CI=true): evaluate the compare rules. */
	readonly ci: boolean;
	readonly ciFlags: CompareCiFlags;
	readonly cwd: string;
	readonly io: CompareCommandIo;
};

type SideProgress = {bytes: number; layers: number; entries: number; status: string};

/** Progress of both loads on stderr: one line for both on a terminal; elsewhere only a pull's start. */
function progress(io: CompareCommandIo): {options(side: 'A' | 'B'): Pick<LoadOptions, 'onStatus' | 'onRead' | 'onNotice'>; done(): void} {
	const sides: Record<'A' | 'B', SideProgress> = {
		A: {bytes: 0, layers: 0, entries: 0, status: ''},
		B: {bytes: 0, layers: 0, entries: 0, status: ''},
	};
	let last = 0;
	let shown = false;
	const describe = (side: 'A' | 'B'): string => {
		const state = sides[side];
		return state.status === '' ? `${side}: ${prettyBytes(state.bytes)} · ${state.layers} layers · ${state.entries.toLocaleString('en-US')} entries` : `${side}: ${state.status}`;
	};

	const show = (force: boolean): void => {
		const now = Date.now();
		if (!io.stderrIsTTY || (!force && now - last < 100)) {
			return;
		}

		last = now;
		shown = true;
		const width = Math.max(20, (io.columns ?? 80) - 1);
		io.stderr(`\r\u001B[2K${`${describe('A')}  │  ${describe('B')}`.slice(0, width)}`);
	};

	return {
		options(side) {
			let pulling = false;
			return {
				onStatus(status) {
					sides[side].status = singleLine(status.message);
					if (!io.stderrIsTTY && status.phase === 'pull' && !pulling) {
						pulling = true;
						io.stderr(`${side}: ${singleLine(status.message)}\n`);
					}

					show(true);
				},
				onRead(read) {
					sides[side] = {bytes: read.bytes, layers: read.layersDone, entries: read.entries, status: ''};
					show(false);
				},
				onNotice(line) {
					// Its own line (clearing the progress line first on a terminal).
					io.stderr(`${io.stderrIsTTY ? '\r\u001B[2K' : ''}${singleLine(line)}\n`);
				},
			};
		},
		done() {
			if (shown) {
				io.stderr('\r\u001B[2K');
			}
		},
	};
}

/**
 * Both images, read at the same time, A in a worker thread and B in this one (src/cli/compare-load.ts; the other
 * way round when A is standard input), the layers they share parsed once; when one fails the other is stopped, and
 * the error names the side. Each is analysed and its final filesystem listed: two images that share layers here,
 * together (readSides: what they begin with in common analysed once); else each by its own reader's thread.
 */
export async function loadBoth(input: Pick<CompareCommandInput, 'a' | 'b' | 'load' | 'io'>): Promise<[CompareSide, CompareSide]> {
	// A chunk of its own, which the worker runs: it loads what reading needs, not the reports, rules and YAML.
	const {ArrivedImage, HandedOver, LayerExchange, loadSide, loadSideHere} = await import('./compare-load.js');
	const controller = new AbortController();
	const report = progress(input.io);
	// Layers both images hold are parsed once, by one of the two readers (compare-load.ts).
	// One side in a worker, the other in this thread: two cores busy. This thread's is B, or A when A is read from
	// standard input (a worker's stdin is not the process's). Images that share layers are both read here: the worker
	// hands its image over (two threads parsing at once were no faster on two cores, measured, and cost more CPU).
	const here = input.a === '-' && input.b !== '-' ? 'A' : 'B';
	const exchange = new LayerExchange(here);
	// Both loads of this thread take a layer from the cache as one decoded copy (two images on one base: its analysis
	// is then done once, analyzeImagePair).
	const load = {...input.load, cacheReads: new Map<string, Promise<LayerContents | undefined>>()};
	let firstError: unknown;
	const one = async (target: string, side: SideName): Promise<RawImage | InstanceType<typeof ArrivedImage> | CompareSide> => {
		try {
			if (side !== here) {
				const read = await loadSide(target, side, input.load, report.options(side), controller.signal, exchange);
				if (!(read instanceof HandedOver)) {
					return read;
				}

				// The images share layers: this one is read here too, beside the other (the worker compares blobs).
				try {
					return await loadSideHere(target, side, load, report.options(side), controller.signal, exchange);
				} finally {
					await read.release();
				}
			}

			const image = await loadSideHere(target, side, load, report.options(side), controller.signal, exchange);
			// Analysed with the other image here (analyzeImagePair: the layers both begin with analysed once).
			if (image instanceof ArrivedImage || exchange.keepsAny() || exchange.together) {
				return image;
			}

			// Nothing kept for both images: the worker analyses its own meanwhile, and this thread this one. The worker's
			// comes listed, to be merged with this one's listing: made now (the getter), while the worker may still work.
			const read = readSide(image);
			void read.listing;
			return read;
		} catch (error) {
			// The first failure is the story; the other side's "cancelled" is its consequence.
			firstError ??= error;
			controller.abort();
			throw error;
		}
	};

	let images: Array<RawImage | CompareSide>;
	try {
		const settled = await Promise.allSettled([one(input.a, 'A'), one(input.b, 'B')]);
		if (settled[0].status !== 'fulfilled' || settled[1].status !== 'fulfilled') {
			throw firstError;
		}

		// Both readers done: the worker's image gets the layers this thread's reader kept for it.
		images = [settled[0].value, settled[1].value].map(value => (value instanceof ArrivedImage ? value.complete(exchange) : value));
	} finally {
		report.done();
	}

	const [a, b] = images as [RawImage | CompareSide, RawImage | CompareSide];
	if (!('analysis' in a) && !('analysis' in b)) {
		// The layers both begin with are analysed once.
		return readSides(a, b);
	}

	return ['analysis' in a ? a : readSide(a), 'analysis' in b ? b : readSide(b)];
}

/** Compare two images read in this thread (tests, benchmarks): analysis and listing of each, then the merge. */
export function compareRead(a: RawImage, b: RawImage): ImageComparison {
	const [sideA, sideB] = readSides(a, b);
	return compareImages(sideA, sideB);
}

export async function runCompareCommand(input: CompareCommandInput): Promise<number> {
	const {io} = input;
	// The rules first: a bad rule is reported before any image is read.
	if (input.a === '-' && input.b === '-') {
		throw new UsageError('A and B cannot both be read from standard input (-)');
	}

	if (input.markdown && input.json === '-') {
		throw new UsageError('--markdown and --json - both write to standard output: give --json a file, or leave one out');
	}

	const config = input.ci ? loadCompareCiConfig(input.ciFlags, input.cwd) : undefined;
	if (config !== undefined) {
		for (const warning of config.warnings) {
			io.stderr(`layerscope: warning: ${warning}\n`);
		}

		io.stderr(`${compareLoadingLine(input.a, input.b)}\n`);
	}

	const [sideA, sideB] = await loadBoth(input);
	const comparison = compareImages(sideA, sideB);
	if (config === undefined && input.tui && input.json === undefined && !input.markdown) {
		// The UI (ink, react) loads only when a terminal shows it.
		const {runCompareUi} = await import('../ui/compare-run.js');
		await runCompareUi(comparison, listingEntries(sideA.listing), listingEntries(sideB.listing));
		return 0;
	}

	let evaluation: CompareEvaluation | undefined;
	if (config !== undefined) {
		evaluation = evaluateCompareCi(comparison, config);
		io.stderr(`${compareEvaluatingLine(evaluation)}\n\n`);
	}

	if (input.json !== undefined) {
		await writeOutput(input.json, formatJson(compareJson(comparison, evaluation === undefined ? {} : {ci: ciJson(evaluation)})));
	}

	const stdoutTaken = input.json === '-';
	if (config !== undefined && evaluation !== undefined) {
		if (config.format === 'junit' && config.junitFile === '-') {
			io.stdout(compareJunitXml(comparison, evaluation));
		} else {
			if (!stdoutTaken) {
				io.stdout(input.markdown
					? formatCompareMarkdown(comparison, {verdict: verdictLines(evaluation)})
					: formatCompareCiReport(comparison, evaluation, {color: io.color}));
			}

			if (config.format === 'junit' && config.junitFile !== undefined) {
				await writeOutput(config.junitFile, compareJunitXml(comparison, evaluation));
			}
		}

		return evaluation.pass ? 0 : 1;
	}

	// --json FILE replaces the text report (as for images); --markdown is printed whenever it is asked for.
	if (input.markdown && !stdoutTaken) {
		io.stdout(formatCompareMarkdown(comparison));
	} else if (input.json === undefined) {
		io.stdout(formatCompareText(comparison));
	}

	return 0;
}

/** The gate's verdict as Markdown lines (for --ci --markdown). */
function verdictLines(evaluation: CompareEvaluation): string[] {
	const lines = [`**${ciSummaryLine(evaluation)}**`, ''];
	for (const result of evaluation.results) {
		lines.push(`- ${result.status === 'fail' ? '❌' : (result.status === 'pass' ? '✅' : '⏭️')} \`${result.key}\` (${result.message.replaceAll('|', '\\|')})`);
	}

	return lines;
}
