// Images from a Docker (or podman) daemon: inspect, pull when absent, then stream `docker save` of it.
import {PassThrough, type Readable} from 'node:stream';
import type Dockerode from 'dockerode';
import {singleLine} from '../report/escape.js';
import {connectDocker, type DaemonEnv, type Endpoint, type Engine} from './docker-host.js';
import {type ArchiveSource, type SourceOptions, SourceError} from './types.js';

/** How long a ping may take before the daemon counts as unresponsive. */
const pingTimeoutMs = 15_000;

/**
 * How long the daemon may stay silent during one call — the image inspect, a pull's progress stream, the `docker
 * save` stream — before the run fails with one line (milliseconds; 60 s, as `diff` allows a path). The
 * environment variable LAYERSCOPE_DAEMON_TIMEOUT (seconds) overrides it. Time the reader spends with a full
 * buffer (backpressure) does not count: only silence while layerscope waits for bytes.
 */
export function daemonSilenceMs(env: Readonly<Record<string, string | undefined>> = process.env): number {
	const seconds = Number(env['LAYERSCOPE_DAEMON_TIMEOUT']);
	return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000;
}

function silenceError(engine: Engine, what: string, ms: number): SourceError {
	return new SourceError(`${daemonName(engine)} sent nothing for ${ms / 1000} s while ${what}: is it wedged?`);
}

/** Reject with `error()` when the promise has not settled within `ms`. */
async function deadline<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const expired = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => {
			reject(error());
		}, ms);
	});
	try {
		return await Promise.race([promise, expired]);
	} finally {
		clearTimeout(timer);
		promise.catch(() => undefined);
	}
}

/**
 * Call `onSilence` when `stream` delivers no byte for `ms` while its consumer is waiting for more (a consumer that
 * is not reading — `isBackpressured()` — stops the clock). Returns a function that stops watching.
 */
function watchSilence(stream: Readable, ms: number, onSilence: () => void, isBackpressured: () => boolean = () => false): () => void {
	let last = Date.now();
	const onData = (): void => {
		last = Date.now();
	};

	stream.on('data', onData);
	const timer = setInterval(() => {
		if (isBackpressured() || stream.isPaused()) {
			last = Date.now();
		} else if (Date.now() - last >= ms) {
			stop();
			onSilence();
		}
	}, Math.min(1000, Math.max(50, ms / 4)));
	timer.unref();
	const stop = (): void => {
		clearInterval(timer);
		stream.off('data', onData);
	};

	return stop;
}

function daemonName(engine: Engine): string {
	return engine === 'podman' ? 'podman' : 'the Docker daemon';
}

export type DaemonFailure = Error & {code?: string; statusCode?: number; json?: unknown};

/** The daemon's own message from a dockerode HTTP error (`json.message`), else the error's text. */
export function daemonMessage(error: DaemonFailure): string {
	const json = error.json as {message?: unknown} | undefined;
	if (typeof json?.message === 'string' && json.message !== '') {
		return json.message;
	}

	if (typeof error.json === 'string' && error.json !== '') {
		return error.json;
	}

	if (Buffer.isBuffer(error.json) && error.json.length > 0) {
		return error.json.toString('utf8');
	}

	// "(HTTP code 500) server error - MESSAGE "
	return error.message.replace(/^\(HTTP code \d+\) [^-]*- /, '');
}

function isTlsError(code: string | undefined, message: string): boolean {
	return (code !== undefined && (/^ERR_SSL|^ERR_TLS|CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code))) || /SSL routines|certificate/i.test(message);
}

/**
 * One clear line for a failure talking to the daemon: unreachable, permission denied, missing podman socket,
 * TLS, timeout, or the daemon's own error message. `cancelled` when the operation's signal fired.
 */
export function daemonError(error: unknown, endpoint: Endpoint, what = 'talk to'): SourceError {
	if (error instanceof SourceError) {
		return error;
	}

	const failure = (error instanceof Error ? error : new Error(String(error))) as DaemonFailure;
	const {code} = failure;
	const name = daemonName(endpoint.engine);
	const at = `${name} at ${endpoint.url}`;
	if (failure.name === 'AbortError' || code === 'ABORT_ERR') {
		return new SourceError('cancelled');
	}

	if (failure.name === 'TimeoutError') {
		return new SourceError(`${at} ${failure.message}`);
	}

	if (failure.statusCode !== undefined) {
		return new SourceError(`${name} could not ${what}: ${singleLine(daemonMessage(failure))}`);
	}

	switch (code) {
		case 'ENOENT': {
			if (endpoint.engine === 'podman') {
				const tried = [endpoint.url, ...(endpoint.alsoTried ?? [])].join(' or ');
				return new SourceError(`cannot connect to podman: no socket at ${tried}; start the service with \`podman system service --time=0 ${endpoint.url}\``);
			}

			return new SourceError(`cannot connect to ${at}: is it running? (no such socket)`);
		}

		case 'ECONNREFUSED': {
			return new SourceError(`cannot connect to ${at}: is it running? (connection refused)`);
		}

		case 'EACCES':
		case 'EPERM': {
			return new SourceError(endpoint.protocol === 'unix'
				? `permission denied on the ${endpoint.engine} socket ${endpoint.url}: add your user to the ${endpoint.engine === 'podman' ? 'socket\'s' : 'docker'} group or use sudo`
				: `permission denied connecting to ${at}`);
		}

		case 'ENOTFOUND':
		case 'EAI_AGAIN': {
			return new SourceError(`cannot connect to ${at}: unknown host ${singleLine(endpoint.host ?? '')}`);
		}

		case 'ETIMEDOUT':
		case 'EHOSTUNREACH':
		case 'ENETUNREACH': {
			return new SourceError(`cannot connect to ${at}: ${code}`);
		}

		case 'ECONNRESET':
		case 'EPIPE': {
			return new SourceError(`the connection to ${at} was closed unexpectedly (${code})`);
		}

		default: {
			if (isTlsError(code, failure.message)) {
				return new SourceError(`TLS error talking to ${at}: ${singleLine(failure.message)}`);
			}

			return new SourceError(`cannot ${what} ${at}: ${singleLine(failure.message)}${code === undefined ? '' : ` (${code})`}`);
		}
	}
}

function abortedError(): SourceError {
	return new SourceError('cancelled');
}

/** Reject as soon as the signal fires; the operation itself may keep running in the background. */
async function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
	if (signal === undefined) {
		return promise;
	}

	if (signal.aborted) {
		promise.catch(() => undefined);
		throw abortedError();
	}

	return new Promise<T>((resolve, reject) => {
		const onAbort = (): void => {
			reject(abortedError());
		};

		signal.addEventListener('abort', onAbort, {once: true});
		promise.then(value => {
			signal.removeEventListener('abort', onAbort);
			resolve(value);
		}, (error: unknown) => {
			signal.removeEventListener('abort', onAbort);
			reject(error as Error);
		});
	});
}

export type Daemon = {
	readonly docker: Dockerode;
	/** Human address, e.g. `unix:///var/run/docker.sock`, for messages. */
	readonly endpoint: string;
	readonly resolved: Endpoint;
};

export type EnsureOptions = {
	readonly signal?: AbortSignal;
	/** Defaults to process.env. */
	readonly env?: DaemonEnv;
	/** How long the ping may take (default 15 s). */
	readonly timeoutMs?: number;
};

/**
 * Resolve the engine's endpoint and check the daemon answers a ping (within 15 s by default). Every failure is
 * a SourceError with one line naming the endpoint tried.
 */
export async function ensureDaemon(engine: Engine = 'docker', options: EnsureOptions = {}): Promise<Daemon> {
	const daemon = connectDocker(engine, options.env);
	// The ping gets its own controller: it stops on the caller's signal or after pingTimeoutMs.
	const controller = new AbortController();
	const timeoutMs = options.timeoutMs ?? pingTimeoutMs;
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		controller.abort();
	}, timeoutMs);
	const forward = (): void => {
		controller.abort();
	};

	options.signal?.addEventListener('abort', forward, {once: true});
	try {
		// dockerode's ping takes an abortSignal option its types do not declare.
		const ping = daemon.docker.ping.bind(daemon.docker) as unknown as (options: {abortSignal: AbortSignal}) => Promise<unknown>;
		await abortable(ping({abortSignal: controller.signal}), options.signal);
	} catch (error) {
		if (timedOut) {
			const timeout = new Error(`did not answer within ${timeoutMs / 1000} s`);
			timeout.name = 'TimeoutError';
			throw daemonError(timeout, daemon.resolved);
		}

		throw daemonError(error, daemon.resolved, 'be reached');
	} finally {
		clearTimeout(timer);
		options.signal?.removeEventListener('abort', forward);
	}

	return daemon;
}

/** Docker references: [host[:port]/]path[:tag][@digest], or an image id. Only the shape is checked here. */
const referencePattern = /^[\w][\w.-]*(?::\d+)?(?:\/[\w.-]+)*(?::[\w][\w.-]{0,127})?(?:@[a-z\d]+(?:[+.\-_][a-z\d]+)*:[a-f\d]{32,})?$|^(?:sha256:)?[a-f\d]{12,64}$/i;

/** A full image id (`sha256:HEX` or 64 hex digits): the daemon knows it or nobody does. */
export function isImageId(reference: string): boolean {
	return /^sha256:[a-f\d]{12,64}$|^[a-f\d]{64}$/i.test(reference);
}

/** Check a reference is shaped like one before it goes into a URL path. */
export function checkReference(reference: string): void {
	if (!referencePattern.test(reference) || reference.split('/').some(part => part === '.' || part === '..')) {
		throw new SourceError(`invalid image reference: ${JSON.stringify(singleLine(reference)).slice(1, -1)}`);
	}
}

type PullEvent = {
	status?: string;
	id?: string;
	progressDetail?: {current?: number; total?: number};
	error?: string;
	errorDetail?: {message?: string};
	message?: string;
};

type LayerProgress = {current: number; total: number; done: boolean};

/** Folds a pull's JSON progress events into one status: bytes downloaded / known total over all layers. */
export class PullProgress {
	readonly layers = new Map<string, LayerProgress>();
	lastStatus = '';
	private readonly reference: string;

	constructor(reference: string) {
		this.reference = reference;
	}

	/** Take one event; returns the daemon's error message if the event reports one. */
	add(event: PullEvent): string | undefined {
		if (typeof event.error === 'string' || event.errorDetail !== undefined) {
			return event.errorDetail?.message ?? event.error ?? 'unknown error';
		}

		const status = typeof event.status === 'string' ? event.status : '';
		const id = typeof event.id === 'string' ? event.id : undefined;
		const layer = id === undefined ? undefined : this.layers.get(id);
		if (id !== undefined && status === 'Already exists') {
			// Docker may say this before (or without) "Pulling fs layer": a layer there is nothing to fetch for.
			this.layers.set(id, {current: layer?.current ?? 0, total: layer?.total ?? 0, done: true});
		} else if (id !== undefined && /^(?:Pulling fs layer|Waiting)$/.test(status)) {
			if (layer === undefined) {
				this.layers.set(id, {current: 0, total: 0, done: false});
			}
		} else if (id !== undefined && status === 'Downloading') {
			const detail = event.progressDetail;
			const entry = layer ?? {current: 0, total: 0, done: false};
			if (typeof detail?.current === 'number') {
				entry.current = detail.current;
			}

			if (typeof detail?.total === 'number' && detail.total > 0) {
				entry.total = detail.total;
			}

			this.layers.set(id, entry);
		} else if (layer !== undefined && /^(?:Verifying Checksum|Download complete|Extracting|Pull complete)$/.test(status)) {
			if (layer.total > 0) {
				layer.current = layer.total;
			}

			if (status === 'Pull complete') {
				layer.done = true;
			}
		}

		if (status !== '') {
			this.lastStatus = status;
		}

		return undefined;
	}

	status(): {phase: 'pull'; message: string; current: number; total?: number} {
		let current = 0;
		let total = 0;
		let done = 0;
		let unknown = false;
		for (const layer of this.layers.values()) {
			current += layer.current;
			total += layer.total;
			unknown ||= layer.total === 0 && !layer.done;
			if (layer.done) {
				done++;
			}
		}

		const counts = this.layers.size > 0 ? `${done}/${this.layers.size} layers` : singleLine(this.lastStatus);
		return {
			phase: 'pull',
			message: `pulling ${singleLine(this.reference)}${counts === '' ? '' : `: ${counts}`}`,
			current,
			total: unknown || total === 0 ? undefined : total,
		};
	}
}

/** Read newline-delimited JSON from a pull stream; resolves when it ends, rejects with the daemon's error. */
async function followPull(stream: Readable, progress: PullProgress, onStatus: SourceOptions['onStatus'], silence: {ms: number; engine: Engine}): Promise<void> {
	return new Promise<void>((resolve, reject) => {
		let buffered = '';
		let failed = false;
		const fail = (error: Error): void => {
			if (!failed) {
				failed = true;
				unwatch();
				stream.destroy();
				reject(error);
			}
		};

		const unwatch = watchSilence(stream, silence.ms, () => {
			fail(silenceError(silence.engine, 'pulling', silence.ms));
		});

		const line = (text: string): void => {
			const trimmed = text.trim();
			if (trimmed === '' || failed) {
				return;
			}

			let event: PullEvent;
			try {
				event = JSON.parse(trimmed) as PullEvent;
			} catch {
				return; // Not a progress event; ignore rather than fail a pull that may well succeed.
			}

			const message = progress.add(event);
			if (message !== undefined) {
				fail(new SourceError(message));
				return;
			}

			onStatus?.(progress.status());
		};

		stream.setEncoding('utf8');
		stream.on('data', (chunk: string) => {
			buffered += chunk;
			let newline = buffered.indexOf('\n');
			while (newline >= 0) {
				line(buffered.slice(0, newline));
				buffered = buffered.slice(newline + 1);
				newline = buffered.indexOf('\n');
			}

			if (buffered.length > 1024 * 1024) {
				buffered = ''; // A runaway line is not progress.
			}
		});
		stream.on('error', fail);
		stream.on('end', () => {
			unwatch();
			line(buffered);
			if (!failed) {
				resolve();
			}
		});
		stream.on('close', () => {
			if (!failed && !stream.readableEnded) {
				fail(Object.assign(new Error('the pull stream closed early'), {code: 'ECONNRESET'}));
			}
		});
	});
}

async function inspect(daemon: Daemon, reference: string, signal: AbortSignal | undefined): Promise<Dockerode.ImageInspectInfo | undefined> {
	const ms = daemonSilenceMs();
	try {
		return await abortable(deadline(daemon.docker.getImage(reference).inspect(), ms, () => silenceError(daemon.resolved.engine, `inspecting ${singleLine(reference)}`, ms)), signal);
	} catch (error) {
		if ((error as DaemonFailure).statusCode === 404) {
			return undefined;
		}

		throw error;
	}
}

async function pull(daemon: Daemon, reference: string, options: SourceOptions): Promise<void> {
	const progress = new PullProgress(reference);
	options.onStatus?.(progress.status());
	let stream: Readable;
	try {
		// dockerode would put an undefined abortSignal into the query string.
		const pullOptions = options.signal === undefined ? {} : {abortSignal: options.signal};
		const ms = daemonSilenceMs();
		stream = await abortable(deadline(daemon.docker.pull(reference, pullOptions) as Promise<Readable>, ms, () => silenceError(daemon.resolved.engine, `starting the pull of ${singleLine(reference)}`, ms)), options.signal);
	} catch (error) {
		const failure = error as DaemonFailure;
		if (failure.statusCode !== undefined) {
			throw new SourceError(pullFailure(reference, daemonMessage(failure)));
		}

		throw daemonError(error, daemon.resolved);
	}

	try {
		await abortable(followPull(stream, progress, options.onStatus, {ms: daemonSilenceMs(), engine: daemon.resolved.engine}), options.signal);
	} catch (error) {
		stream.destroy();
		if (error instanceof SourceError && error.message !== 'cancelled') {
			throw new SourceError(pullFailure(reference, error.message));
		}

		throw daemonError(error, daemon.resolved);
	}
}

function pullFailure(reference: string, message: string): string {
	return `image ${singleLine(reference)} is not in the local image store and pulling it failed: ${singleLine(message)}`;
}

/**
 * An image from the daemon, as a `docker save` stream. Inspects the image and pulls it when absent (progress
 * through options.onStatus, phase 'pull'); `open()` then streams the save archive. Every call has a deadline of
 * silence (daemonSilenceMs: 60 s); every failure
 * is a SourceError (one line); options.signal cancels (SourceError 'cancelled').
 */
export async function daemonSource(reference: string, options: SourceOptions = {}): Promise<ArchiveSource> {
	checkReference(reference);
	const engine = options.engine ?? 'docker';
	const daemon = await ensureDaemon(engine, {signal: options.signal});
	const {signal} = options;
	let inspected: Dockerode.ImageInspectInfo | undefined;
	try {
		inspected = await inspect(daemon, reference, signal);
		if (inspected === undefined) {
			if (isImageId(reference)) {
				// An id names a local image only: there is nothing to pull.
				throw new SourceError(`no such image: ${singleLine(reference)}`);
			}

			await pull(daemon, reference, options);
			inspected = await inspect(daemon, reference, signal);
			if (inspected === undefined) {
				throw new SourceError(`${daemonName(engine)} pulled ${singleLine(reference)} but does not list it afterwards`);
			}
		}
	} catch (error) {
		throw daemonError(error, daemon.resolved, `inspect ${singleLine(reference)}`);
	}

	// No totalBytes: the size of `docker save` output is not known in advance (inspect's Size counts file bytes,
	// not tar headers and padding), and a total that the stream overruns would make a wrong progress bar.
	const layers = inspected.RootFS?.Layers;
	return {
		kind: 'archive',
		name: reference,
		// The image id and diff_ids, before any byte of `docker save`: a layer cache may make the save unneeded.
		...(typeof inspected.Id === 'string' && Array.isArray(layers) && layers.every(layer => typeof layer === 'string')
			? {known: {imageId: inspected.Id, diffIds: layers}}
			: {}),
		async open() {
			if (signal?.aborted === true) {
				throw abortedError();
			}

			options.onStatus?.({phase: 'export', message: `exporting ${singleLine(reference)} from ${daemonName(engine)}`});
			let response: Readable;
			// dockerode's get() takes no signal: a stream arriving after a cancel is closed at once.
			const request = daemon.docker.getImage(reference).get() as Promise<Readable>;
			const ms = daemonSilenceMs();
			const exporting = `exporting ${singleLine(reference)}`;
			try {
				response = await abortable(deadline(request, ms, () => silenceError(engine, exporting, ms)), signal);
			} catch (error) {
				request.then(stream => stream.destroy(), () => undefined);
				throw daemonError(error, daemon.resolved, `export ${singleLine(reference)}`);
			}

			// Errors from the daemon's socket become SourceErrors; the signal destroys the stream.
			const output = new PassThrough({highWaterMark: 1024 * 1024});
			const onAbort = (): void => {
				response.destroy();
				output.destroy(abortedError());
			};

			signal?.addEventListener('abort', onAbort, {once: true});
			const detach = (): void => {
				signal?.removeEventListener('abort', onAbort);
			};

			response.on('error', error => {
				detach();
				output.destroy(daemonError(error, daemon.resolved, `export ${singleLine(reference)}`));
			});
			const unwatch = watchSilence(response, ms, () => {
				detach();
				output.destroy(silenceError(engine, exporting, ms));
			}, () => output.writableNeedDrain);
			response.on('end', () => {
				unwatch();
				detach();
			});
			response.on('close', () => {
				if (!response.readableEnded && !output.destroyed) {
					// The connection went away without an error event: never leave the reader waiting.
					detach();
					output.destroy(daemonError(Object.assign(new Error('closed'), {code: 'ECONNRESET'}), daemon.resolved));
				}
			});
			output.on('close', () => {
				unwatch();
				detach();
				response.destroy();
			});
			response.pipe(output);
			return output;
		},
	};
}
