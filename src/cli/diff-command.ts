// `layerscope diff CONTAINER`: what a container changed on top of its image, with sizes. Reads the container
// (inspect, change list, one archive header per changed path) and its image (docker save of the image id) from
// the daemon, joins them (src/analysis/container-diff.ts), then shows a TUI, plain text or JSON.
import {analyzeImage} from '../analysis/analyze.js';
import {
	applyHardlinks,
	buildContainerDiff,
	contentCheckPaths,
	type ContainerDiff,
	type ContainerInfo,
	imageBytesLookup,
	imageWithContainerLayer,
	indexImage,
	planHardlinkChecks,
	planPathFetches,
	type ProvidedBy,
} from '../analysis/container-diff.js';
import type {RawImage} from '../analysis/types.js';
import type {ReadProgress} from '../archive/read-image.js';
import {diffNotes, formatDiffJson, formatDiffText} from '../report/diff.js';
import {singleLine} from '../report/escape.js';
import {loadImage} from './load.js';
import {writeOutput} from './output.js';
import {
	containerChanges,
	fileDigests,
	findHardlinks,
	imagePresent,
	inspectContainer,
	type RequestCounter,
	fetchChangedPaths,
} from '../sources/container.js';
import {type Daemon, ensureDaemon} from '../sources/daemon.js';
import {SourceError} from '../sources/types.js';
import type {LoadedImage, LoadProgress, TuiOptions} from '../ui/run.js';

/** runTui (src/ui/run.ts), passed in by tests; loaded on demand otherwise. */
export type RunTui = (options: TuiOptions) => Promise<'quit' | 'cancelled'>;

export type DiffCommandInput = {
	/** Container name or (short) id. */
	container: string;
	/** `--json TARGET`: a file, or `-` for stdout. */
	json?: string;
	/** Show the TUI (when stdout is a terminal and no --json). */
	tui: boolean;
	engine: 'docker' | 'podman';
	io: {stdout(text: string): void; stderr(text: string): void; isTTY: boolean};
	runTui?: RunTui;
};

export type LoadDiffOptions = {
	readonly engine?: 'docker' | 'podman';
	readonly signal?: AbortSignal;
	/** Requests in flight for the changed paths' metadata. */
	readonly concurrency?: number;
	/** Counts the requests this module makes (daemonSource adds its own ping, image inspect and save). */
	readonly counter?: RequestCounter;
	readonly onProgress?: (message: string) => void;
	/** Progress of reading the image's `docker save` stream. */
	readonly onRead?: (progress: ReadProgress) => void;
	/** One archive request per changed path, never a subtree (for comparison; slower). */
	readonly singlesOnly?: boolean;
	/** See planPathFetches. */
	readonly bytesPerRequest?: number;
	/** See planPathFetches. */
	readonly slackBytes?: number;
};

export type LoadedDiff = {
	readonly diff: ContainerDiff;
	/** The container's image as read from the daemon (without the writable layer). */
	readonly image: RawImage;
};

function imageGone(container: ContainerInfo): SourceError {
	const reference = container.image === container.imageId ? '' : `${singleLine(container.image)}, `;
	return new SourceError(`the image of container ${singleLine(container.name)} (${reference}${container.imageId.replace(/^sha256:/, '').slice(0, 12)}) is no longer present, so its changes cannot be compared with it`);
}

async function readImage(daemon: Daemon, container: ContainerInfo, options: LoadDiffOptions): Promise<RawImage> {
	try {
		const image = await loadImage(container.imageId, {source: options.engine ?? 'docker', signal: options.signal, onRead: options.onRead});
		// Read by id (the tag may point elsewhere by now), shown by the name the container was created from.
		return {...image, name: container.image};
	} catch (error) {
		// Removed between the check and the export: say so, not the daemon's "no such image".
		if (error instanceof SourceError && error.message !== 'cancelled' && !await imagePresent(daemon, container.imageId, options)) {
			throw imageGone(container);
		}

		throw error;
	}
}

/** Everything `layerscope diff` shows, read from the daemon. Throws SourceError (one line) on every failure. */
export async function loadContainerDiff(reference: string, options: LoadDiffOptions = {}): Promise<LoadedDiff> {
	const daemon = await ensureDaemon(options.engine ?? 'docker', {signal: options.signal});
	if (options.counter !== undefined) {
		options.counter.requests++; // The ping.
	}

	const container = await inspectContainer(daemon, reference, options);
	if (!await imagePresent(daemon, container.imageId, options)) {
		throw imageGone(container);
	}

	const changes = await containerChanges(daemon, container, options);
	// Added directories need nothing from the image: fetch them while the image streams; plan the rest (whose
	// cheapest requests depend on what the image holds under each directory) once the image is read.
	const planOptions = {singlesOnly: options.singlesOnly, bytesPerRequest: options.bytesPerRequest, slackBytes: options.slackBytes};
	const early = planPathFetches(changes, planOptions).filter(request => request.subtree);
	const covered = new Set(early.flatMap(request => request.covers));
	const total = new Set(changes.filter(change => change.kind !== 'deleted').map(change => change.path)).size;
	options.onProgress?.(`reading ${total.toLocaleString('en-US')} changed paths and the image`);
	let earlyDone = 0;
	let restDone = 0;
	let reported = 0;
	const report = (): void => {
		const done = earlyDone + restDone;
		if (done - reported >= 500 || done === total) {
			reported = done;
			options.onProgress?.(`read ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} changed paths`);
		}
	};

	// If one side fails, stop the other.
	const stop = new AbortController();
	const signal = options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal]);
	const failFast = async <T>(promise: Promise<T>): Promise<T> => promise.catch((error: unknown) => {
		stop.abort();
		throw error;
	});

	// Which request read each path: names of one inode read by different requests are checked below.
	const providedBy: ProvidedBy = new Map();
	// Files a running container rewrites while the daemon archives them: reported, never fatal.
	const changedWhileReading = new Set<string>();
	const [earlyStats, image] = await Promise.all([
		failFast(fetchChangedPaths(daemon, container, early, {
			...options,
			providedBy,
			changedWhileReading,
			signal,
			onProgress(done) {
				earlyDone = done;
				report();
			},
		})),
		failFast(readImage(daemon, container, {...options, signal})),
	]);
	const index = indexImage(image.layers);
	const rest = planPathFetches(changes.filter(change => !covered.has(change.path)), {...planOptions, imageBytes: imageBytesLookup(index)});
	const stats = await fetchChangedPaths(daemon, container, rest, {
		...options,
		providedBy,
		changedWhileReading,
		onProgress(done) {
			restDone = done;
			report();
		},
	});
	for (const [path, entry] of earlyStats) {
		stats.set(path, entry);
	}

	// Hardlinks across requests: each inode's bytes once, as SizeRw counts them.
	const checks = planHardlinkChecks(stats, providedBy, {imageBytes: imageBytesLookup(index)});
	if (checks.length > 0) {
		options.onProgress?.(`checking ${checks.reduce((sum, check) => sum + check.covers.length, 0).toLocaleString('en-US')} files for hardlinks`);
		applyHardlinks(stats, await findHardlinks(daemon, container, checks, {signal: options.signal, counter: options.counter}));
	}

	// Same-size files the daemon lists as changed: their content says whether they are modified (as in the image).
	const contentPaths = contentCheckPaths(changes, stats, index);
	if (contentPaths.length > 0) {
		options.onProgress?.(`reading ${contentPaths.length.toLocaleString('en-US')} same-size files for their content`);
		for (const [path, digest] of await fileDigests(daemon, container, contentPaths, {signal: options.signal, counter: options.counter})) {
			stats.set(path, {...stats.get(path)!, digest});
		}
	}

	const diff = buildContainerDiff({container, changes, stats, image, index, changedWhileReading});
	return {diff, image};
}

/** The TUI's data: the image plus the writable layer as its top layer. */
export function tuiData(loaded: LoadedDiff): LoadedImage {
	const {image, containerLayer} = imageWithContainerLayer(loaded.image, loaded.diff);
	return {image, analysis: analyzeImage(image), containerLayer, notes: diffNotes(loaded.diff)};
}

const exitInterrupted = 130;

/** Runs `layerscope diff`; returns the exit code. Errors are thrown with one-line messages (SourceError). */
export async function runDiffCommand(input: DiffCommandInput): Promise<number> {
	if (input.json === undefined && input.tui && input.io.isTTY) {
		const runTui = input.runTui ?? await loadRunTui();
		const outcome = await runTui({
			title: `container ${input.container}`,
			async load(onProgress, signal) {
				let status = '';
				const progress = (read?: ReadProgress): void => {
					onProgress({
						phase: 'read',
						message: status,
						bytes: read?.bytes ?? 0,
						totalBytes: read?.totalBytes,
						layersDone: read?.layersDone ?? 0,
						entries: read?.entries ?? 0,
					} satisfies LoadProgress);
				};

				const loaded = await loadContainerDiff(input.container, {
					engine: input.engine,
					signal,
					onProgress(message) {
						status = message;
						progress();
					},
					onRead: progress,
				});
				return tuiData(loaded);
			},
		});
		return outcome === 'cancelled' ? exitInterrupted : 0;
	}

	const {diff} = await loadContainerDiff(input.container, {engine: input.engine});
	if (input.json === undefined) {
		input.io.stdout(formatDiffText(diff));
	} else if (input.json === '-') {
		input.io.stdout(formatDiffJson(diff));
	} else {
		await writeOutput(input.json, formatDiffJson(diff));
	}

	return 0;
}

async function loadRunTui(): Promise<RunTui> {
	// The UI (ink, react) loads only when a terminal shows it.
	const {runTui} = await import('../ui/run.js');
	return runTui;
}
