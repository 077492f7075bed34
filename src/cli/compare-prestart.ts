// `layerscope compare` reads image A in a worker thread (compare-load.ts). A worker is a Node isolate of its own
// that loads the reading code before it can start (~50 ms on this project's 2-core machine), and both readers wait
// for each other's list of layers before they parse any (layer sharing). So bin/layerscope.js starts the worker
// before the rest of the CLI loads, when the command is compare; the compare command then takes it, and sends it
// what to read. A worker nobody takes (a usage error, --help) does not keep the process alive.
import {Worker} from 'node:worker_threads';
import {cacheDisabledByEnv} from '../cache/cache-env.js';

/** What a started worker waits for before it does anything. */
export const prestartKind = 'layerscope-compare-prestart';

/** What a started worker is told: `cache`, whether to load the layer cache's modules while it waits. */
export type PrestartData = {readonly kind: typeof prestartKind; readonly cache: boolean};

let waiting: Worker | undefined;

/** Start the worker of `module` (compare-load's built file) now, when `argv` (the CLI's arguments) runs compare. */
export function prestartCompareWorker(argv: readonly string[], module: URL): void {
	if (argv.find(argument => !argument.startsWith('-')) !== 'compare' || argv.includes('--help') || argv.includes('-h')) {
		return;
	}

	// Whether the run is likely to use the layer cache: the worker then loads its modules while it waits.
	const cache = !argv.includes('--no-cache') && !cacheDisabledByEnv();
	const worker = new Worker(module, {workerData: {kind: prestartKind, cache} satisfies PrestartData});
	worker.unref();
	// An error before it is taken (it could not load) shows when it is taken, as the worker's own.
	worker.on('error', () => undefined);
	waiting = worker;
}

/** The worker started early, if there is one not taken yet (then it is this caller's, referenced again). */
export function takePrestartedWorker(): Worker | undefined {
	const worker = waiting;
	waiting = undefined;
	worker?.ref();
	return worker;
}
