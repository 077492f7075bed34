// The compare UI's entry point for the CLI: the comparison is finished when it starts (both images were read
// with progress on stderr). Never exits the process and never writes to stderr: the CLI does both.
import type {ImageComparison} from '../analysis/compare.js';
import type {LayerEntry} from '../analysis/types.js';
import {framesAtHome} from './frame-origin.js';
import {enterAlternateScreen, keyboard, leaveAlternateScreen, terminalViewport} from './screen.js';
import {CompareModel} from './state/compare-model.js';

export type CompareUiOptions = {
	readonly stdout?: NodeJS.WriteStream;
	readonly stdin?: NodeJS.ReadStream;
	/** Default: no NO_COLOR in the environment. */
	readonly colors?: boolean;
};

/** Browse the comparison until the user quits (q or Ctrl-C). */
export async function runCompareUi(comparison: ImageComparison, listA: readonly LayerEntry[], listB: readonly LayerEntry[], options: CompareUiOptions = {}): Promise<void> {
	process.env['NODE_ENV'] ??= 'production';
	const [{render, createElement, useEffect, useState}, {CompareBrowser}] = await Promise.all([import('./ink-runtime.js'), import('./components/compare-browser.js')]);
	const stdout = options.stdout ?? process.stdout;
	// No terminal (keyboard() undefined): refused below.
	const ownInput = options.stdin === undefined && process.stdin.isTTY !== true ? keyboard() : undefined;

	const stdin = options.stdin ?? ownInput ?? process.stdin;
	if (stdin.isTTY !== true) {
		throw new Error('no terminal to read keys from (stdin is not a terminal and /dev/tty cannot be opened): use --no-tui');
	}

	const model = new CompareModel(comparison, listA, listB);
	const colors = options.colors ?? !('NO_COLOR' in process.env && process.env['NO_COLOR'] !== '');
	let quit!: () => void;
	const done = new Promise<void>(resolve => {
		quit = resolve;
	});
	// The viewport follows the terminal's size.
	function Root() {
		const [viewport, setViewport] = useState(terminalViewport(stdout));
		useEffect(() => {
			const onResize = (): void => {
				setViewport(terminalViewport(stdout));
			};

			stdout.on('resize', onResize);
			return () => {
				stdout.off('resize', onResize);
			};
		}, []);
		return createElement(CompareBrowser, {model, viewport, colors, onQuit: quit});
	}

	const alternate = stdout.isTTY === true;
	if (alternate) {
		// A fresh alternate screen, the cursor home: ink's frames start at its top left corner.
		stdout.write(enterAlternateScreen);
		framesAtHome.add(stdout);
	}

	const instance = render(createElement(Root), {stdout, stdin, exitOnCtrlC: false, patchConsole: false});
	try {
		await Promise.race([done, instance.waitUntilExit()]);
	} finally {
		instance.unmount();
		instance.cleanup();
		if (alternate) {
			stdout.write(leaveAlternateScreen);
		}

		ownInput?.destroy();
	}
}
