// The TUI entry point for the CLI: a progress view while the image loads, then the browser. Never exits the
// process and never writes to stderr: the CLI does both.
import {openSync} from 'node:fs';
import tty from 'node:tty';
import type {Analysis, RawImage} from '../analysis/types.js';
import {TuiStore} from './load-store.js';
import {BrowserModel, type FileAccess} from './state/model.js';
import type {Viewport} from './state/types.js';

export type LoadProgress = {
	phase: 'pull' | 'export' | 'read' | 'analyse';
	message: string;
	bytes: number;
	totalBytes?: number;
	layersDone: number;
	layersTotal?: number;
	entries: number;
};

export type LoadedImage = {
	image: RawImage;
	analysis: Analysis;
	/** layer index that is a container's writable layer, if any */
	containerLayer?: number;
	/** extra line(s) for the image details pane, e.g. the container's SizeRw */
	notes?: string[];
	/** reading files of the image: the viewer (v) and Ctrl-E */
	files?: FileAccess;
};

export type TuiOptions = {
	/** What is being loaded (the image reference or file). */
	title: string;
	load: (onProgress: (progress: LoadProgress) => void, signal: AbortSignal) => Promise<LoadedImage>;
	/** Defaults: process.stdout, and process.stdin when it is a terminal, else /dev/tty (`docker save x | layerscope -`). */
	stdout?: NodeJS.WriteStream;
	stdin?: NodeJS.ReadStream;
	/** Fixed size instead of stdout's columns/rows (tests). */
	viewport?: Viewport;
	/** Default: no NO_COLOR in the environment. */
	colors?: boolean;
	/** Switch to the terminal's alternate screen (default: when stdout is a TTY). */
	alternateScreen?: boolean;
};

type Outcome = {kind: 'quit' | 'cancelled'} | {kind: 'error'; error: unknown};

const enterAlternateScreen = '\u001B[?1049h\u001B[H';
const leaveAlternateScreen = '\u001B[?1049l';

/** The controlling terminal for keys when stdin carries the image; undefined when there is none. */
function keyboard(): tty.ReadStream | undefined {
	try {
		return new tty.ReadStream(openSync('/dev/tty', 'r'));
	} catch {
		return undefined;
	}
}

function terminalViewport(stdout: NodeJS.WriteStream): Viewport {
	// One row less than the terminal: a frame that fills the whole screen makes ink clear it on every render.
	return {width: stdout.columns || 80, height: Math.max(8, (stdout.rows || 24) - 1)};
}

/**
 * Show the progress view at once, call `load`, then browse. Ctrl-C or q while loading aborts `signal` and
 * resolves 'cancelled'; q in the browser resolves 'quit'. If `load` rejects, the UI is unmounted (terminal
 * restored) and the same error is thrown.
 */
export async function runTui(options: TuiOptions): Promise<'quit' | 'cancelled'> {
	// React's production build (several times less work per key) is chosen when React is first loaded: load the
	// UI only now, unless the embedding program said otherwise.
	process.env['NODE_ENV'] ??= 'production';
	const [{render}, {createElement}, {TuiRoot}] = await Promise.all([import('ink'), import('react'), import('./components/tui-root.js')]);
	const stdout = options.stdout ?? process.stdout;
	const ownInput = options.stdin === undefined && process.stdin.isTTY !== true ? keyboard() : undefined;
	const stdin = options.stdin ?? ownInput ?? process.stdin;
	if (stdin.isTTY !== true) {
		throw new Error('no terminal to read keys from (stdin is not a terminal and /dev/tty cannot be opened): use --no-tui');
	}

	const store = new TuiStore(options.viewport ?? terminalViewport(stdout));
	const controller = new AbortController();
	let finish!: (outcome: Outcome) => void;
	let finished = false;
	const done = new Promise<Outcome>(resolve => {
		finish = outcome => {
			if (!finished) {
				finished = true;
				resolve(outcome);
			}
		};
	});

	const onResize = (): void => {
		store.resize(terminalViewport(stdout));
	};

	if (options.viewport === undefined) {
		stdout.on('resize', onResize);
	}

	const alternate = options.alternateScreen ?? stdout.isTTY === true;
	if (alternate) {
		stdout.write(enterAlternateScreen);
	}

	const instance = render(createElement(TuiRoot, {
		store,
		title: options.title,
		colors: options.colors ?? !('NO_COLOR' in process.env && process.env['NO_COLOR'] !== ''),
		onQuit() {
			finish({kind: 'quit'});
		},
		onCancel() {
			controller.abort();
			finish({kind: 'cancelled'});
		},
	}), {stdout, stdin, exitOnCtrlC: false, patchConsole: false});
	instance.waitUntilExit().catch((error: unknown) => {
		finish({kind: 'error', error});
	});

	void (async () => {
		try {
			const loaded = await options.load(progress => {
				store.progress(progress);
			}, controller.signal);
			if (finished) {
				return;
			}

			store.preparing();
			// Let the "preparing" frame out before the (synchronous) union tree build.
			await new Promise(resolve => {
				setTimeout(resolve, 0);
			});
			const model = new BrowserModel(loaded);
			if (!finished) {
				store.ready(model);
			}
		} catch (error) {
			finish(controller.signal.aborted ? {kind: 'cancelled'} : {kind: 'error', error});
		}
	})();

	const outcome = await done;
	stdout.off('resize', onResize);
	store.dispose();
	instance.unmount();
	instance.cleanup();
	if (alternate) {
		stdout.write(leaveAlternateScreen);
	}

	ownInput?.destroy();
	if (outcome.kind === 'error') {
		throw outcome.error;
	}

	return outcome.kind;
}
