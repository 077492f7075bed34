// The TUI entry point for the CLI: a progress view while the image loads, then the browser. Never exits the
// process and never writes to stderr: the CLI does both.
import type {Analysis, RawImage} from '../analysis/types.js';
import type {Instance, RenderOptions} from 'ink';
import {framesAtHome} from './frame-origin.js';
import {enterAlternateScreen, keyboard, leaveAlternateScreen, terminalViewport} from './screen.js';
import {TuiStore} from './load-store.js';
import {progressLines} from './progress-text.js';
import type {FileAccess} from './state/model.js';
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
	/** extra line(s) for the image details pane, e.g. the container's SizeRw: each a line or its wordings, longest first */
	notes?: ReadonlyArray<string | readonly string[]>;
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

/**
 * Ink's render options, chosen by measurement (scripts/bench-ui.ts; figures in the README). LAYERSCOPE_INK_RENDER
 * (`maxFps=N,incremental=0|1`) overrides them, for that benchmark. Incremental rendering (only changed lines
 * written, the cursor moved relative to where ink assumes it is) draws wrong frames: after the terminal is resized
 * (ink 6.8: a 100×30 terminal made 80×24, then 120×30, showed one row twice), and even without a resize (rows
 * shifted and repeated on the wide-name image at 90×40): test/ui/tmux.test.ts's resize test fails with
 * LAYERSCOPE_INK_RENDER=incremental=1. So ink's incremental mode stays off; in the bundle, its log-update writes the
 * lines that changed at their rows instead (src/ui/bundle/log-update.ts: the frames start at the alternate screen's
 * top left corner, src/ui/frame-origin.ts), which that test holds to what a fresh start shows.
 */
export function renderOptions(environment: NodeJS.ProcessEnv = process.env): Pick<RenderOptions, 'maxFps' | 'incrementalRendering'> {
	const chosen = {maxFps: 30, incrementalRendering: false};
	for (const part of (environment['LAYERSCOPE_INK_RENDER'] ?? '').split(',')) {
		const [name, value] = part.split('=');
		if (name === 'maxFps' && Number(value) > 0) {
			chosen.maxFps = Number(value);
		} else if (name === 'incremental') {
			chosen.incrementalRendering = value === '1';
		}
	}

	return chosen;
}

/**
 * Keys typed before ink is loaded: the terminal goes to raw mode at once (no echo, no line buffering, Ctrl-C is a
 * key), the bytes are kept, and q or Ctrl-C cancels at once. `release` hands over to ink: at the moment ink adds
 * its 'readable' listener, ours goes and the kept bytes are put back into the stream, where ink reads them first.
 * (The stream is never paused in between: a TTY stream paused and resumed across listeners can stop reading, and
 * the process would then exit on an empty event loop.)
 */
function captureEarlyKeys(stdin: NodeJS.ReadStream, onCancel: () => void): {release: () => void; restore: () => void} {
	const kept: Buffer[] = [];
	const onData = (data: Buffer | string): void => {
		const chunk = typeof data === 'string' ? Buffer.from(data) : data;
		const cancel = chunk.findIndex(byte => byte === 0x71 || byte === 0x03);
		if (cancel >= 0) {
			onCancel();
		}

		kept.push(cancel >= 0 ? chunk.subarray(0, cancel) : chunk);
	};

	const handOver = (event: string | symbol): void => {
		if (event !== 'readable') {
			return;
		}

		stdin.off('newListener', handOver);
		stdin.off('data', onData);
		const bytes = Buffer.concat(kept);
		if (bytes.length > 0) {
			// Not flowing, so that the bytes stay in the buffer for ink's read() instead of going out as 'data'.
			stdin.pause();
			stdin.unshift(bytes);
		}
	};

	stdin.setRawMode(true);
	stdin.on('data', onData);
	return {
		release() {
			stdin.on('newListener', handOver);
		},
		restore() {
			stdin.off('newListener', handOver);
			stdin.off('data', onData);
			stdin.pause();
			stdin.setRawMode(false);
		},
	};
}

/**
 * Show the progress view at once, call `load`, then browse. Ctrl-C or q while loading aborts `signal` and
 * resolves 'cancelled'; q in the browser resolves 'quit'. If `load` rejects, the UI is unmounted (terminal
 * restored) and the same error is thrown.
 *
 * Start-up order, for a fast first frame: on a terminal the first progress frame is written with a plain write and
 * the keyboard is captured before anything else; the load starts next; ink and React (a few hundred ms to load)
 * load meanwhile, then take over the screen and the captured keys. Keys typed during loading apply, in order,
 * once the browser is ready.
 */
export async function runTui(options: TuiOptions): Promise<'quit' | 'cancelled'> {
	// React's production build (several times less work per key) is chosen when React is first loaded: load the
	// UI only below, unless the embedding program said otherwise.
	process.env['NODE_ENV'] ??= 'production';
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
	const cancel = (): void => {
		controller.abort();
		finish({kind: 'cancelled'});
	};

	const onResize = (): void => {
		store.resize(terminalViewport(stdout));
	};

	if (options.viewport === undefined) {
		stdout.on('resize', onResize);
	}

	const alternate = options.alternateScreen ?? stdout.isTTY === true;
	const early = alternate && typeof stdin.setRawMode === 'function' && typeof stdin.unshift === 'function' ? captureEarlyKeys(stdin, cancel) : undefined;
	if (alternate) {
		stdout.write(enterAlternateScreen + progressLines(options.title, undefined, 0, false, store.get().viewport.width).join('\r\n'));
	}

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
			// The views' code loads only now: the first frame does not wait for it.
			const {BrowserModel} = await import('./state/model.js');
			const model = new BrowserModel(loaded);
			if (!finished) {
				store.ready(model);
			}
		} catch (error) {
			finish(controller.signal.aborted ? {kind: 'cancelled'} : {kind: 'error', error});
		}
	})();

	const ui = Promise.all([import('./ink-runtime.js'), import('./components/tui-root.js')]);
	const loadedUi = await Promise.race([ui, done]);
	let instance: Instance | undefined;
	if (Array.isArray(loadedUi)) {
		const [{render, createElement}, {TuiRoot}] = loadedUi;
		early?.release();
		if (alternate) {
			// Ink draws from the cursor: from the top left, over the plain first frame.
			stdout.write('\u001B[H\u001B[J');
			framesAtHome.add(stdout);
		}

		instance = render(createElement(TuiRoot, {
			store,
			title: options.title,
			colors: options.colors ?? !('NO_COLOR' in process.env && process.env['NO_COLOR'] !== ''),
			onQuit() {
				finish({kind: 'quit'});
			},
			onCancel: cancel,
		}), {stdout, stdin, exitOnCtrlC: false, patchConsole: false, ...renderOptions()});
		instance.waitUntilExit().catch((error: unknown) => {
			finish({kind: 'error', error});
		});
	}

	const outcome = await done;
	stdout.off('resize', onResize);
	store.dispose();
	if (instance === undefined) {
		early?.restore();
	} else {
		instance.unmount();
		instance.cleanup();
	}

	if (alternate) {
		stdout.write(leaveAlternateScreen);
	}

	ownInput?.destroy();
	if (outcome.kind === 'error') {
		throw outcome.error;
	}

	return outcome.kind;
}
