// A container, read-only, from the daemon: its description (inspect, with the writable layer's size), its change
// list (`docker diff`) and the metadata of each changed path. Nothing here pauses, commits, copies into or
// otherwise alters the container; the image side is read by daemonSource (daemon.ts) from the image id.
//
// Metadata of a changed path comes from GET /containers/{id}/archive?path=P: the first tar header names the path
// itself (type, mode, uid, gid, size, link target). Only that header is read; the response is then destroyed, so
// a directory's subtree or a large file's content is never read past the socket's buffers. One request a path, or
// one a subtree (planPathFetches). Names of one inode read by different requests are found by findHardlinks.
import {posix} from 'node:path';
import type {Readable} from 'node:stream';
import type Dockerode from 'dockerode';
import tarStream, {type Header} from 'tar-stream';
import type {ContainerInfo, DaemonChange, FetchRequest, InodeNames, ProvidedBy} from '../analysis/container-diff.js';
import type {LayerEntry} from '../analysis/types.js';
import {ContentHasher, toEntry} from '../archive/layer-tar.js';
import {headerName, normalizePath} from '../archive/names.js';
import {singleLine} from '../report/escape.js';
import {type Daemon, type DaemonFailure, daemonError, daemonMessage} from './daemon.js';
import {SourceError} from './types.js';

/** Counts the HTTP requests made to the daemon (for the benchmark and the closing note). */
export type RequestCounter = {requests: number};

export type ContainerReadOptions = {
	readonly signal?: AbortSignal;
	readonly counter?: RequestCounter;
};

export type StatOptions = ContainerReadOptions & {
	/** Filled with the request (its path) that provided each path's metadata (for planHardlinkChecks). */
	readonly providedBy?: ProvidedBy;
	/** Requests in flight at once (default 8). */
	readonly concurrency?: number;
	/** Bound on one path's request (default 60 s): a daemon that stops answering fails the run, never hangs it. */
	readonly timeoutMs?: number;
	readonly onProgress?: (done: number, total: number) => void;
	/**
	 * Filled with the paths whose archive stopped in the middle of their data (the file shrank or grew while the
	 * daemon read it, in a running container): their metadata comes from a second, header-only read.
	 */
	readonly changedWhileReading?: Set<string>;
};

const changeKinds = new Map<number, DaemonChange['kind']>([[0, 'modified'], [1, 'added'], [2, 'deleted']]);

/** Container names and ids as the daemon accepts them: checked before they go into a URL path. */
const containerPattern = /^\/?[a-zA-Z\d][\w.-]*$/;

function isNoSuchContainer(error: unknown): boolean {
	const failure = error as DaemonFailure;
	return failure.statusCode === 404 && /no such container/i.test(daemonMessage(failure));
}

function count(options: ContainerReadOptions): void {
	if (options.counter !== undefined) {
		options.counter.requests++;
	}
}

export function checkContainerReference(reference: string): string {
	if (!containerPattern.test(reference) || reference.includes('..')) {
		// "app:1", "ghcr.io/x/y", "img@sha256:…": an image reference where a container was asked for.
		const image = /^[\w][\w.-]*(?:\/[\w.-]+)*(?::[\w][\w.-]*)?(?:@sha256:[\da-f]+)?$/i.test(reference) && !reference.includes('..');
		throw new SourceError(`invalid container name or id: ${JSON.stringify(singleLine(reference)).slice(1, -1)}${image ? ` (an image reference? diff takes a container: docker ps -a lists them; layerscope ${singleLine(reference)} analyses the image)` : ''}`);
	}

	return reference.replace(/^\//, '');
}

/** Inspect a container by name or (short) id, with the writable layer's size. */
export async function inspectContainer(daemon: Daemon, reference: string, options: ContainerReadOptions = {}): Promise<ContainerInfo> {
	const name = checkContainerReference(reference);
	let info: Dockerode.ContainerInspectInfo & {SizeRw?: number};
	try {
		count(options);
		info = await daemon.docker.getContainer(name).inspect({size: true, abortSignal: options.signal} as Dockerode.ContainerInspectOptions);
	} catch (error) {
		if ((error as DaemonFailure).statusCode === 404) {
			throw new SourceError(`no such container: ${singleLine(name)} (docker ps -a lists containers)`);
		}

		throw daemonError(error, daemon.resolved, `inspect container ${singleLine(name)}`);
	}

	return {
		id: info.Id,
		name: (info.Name ?? '').replace(/^\//, ''),
		image: info.Config?.Image ?? info.Image,
		imageId: info.Image,
		state: info.State?.Status ?? 'unknown',
		...(typeof info.SizeRw === 'number' ? {sizeRw: info.SizeRw} : {}),
	};
}

/** Whether the daemon still has the image (by id). */
export async function imagePresent(daemon: Daemon, imageId: string, options: ContainerReadOptions = {}): Promise<boolean> {
	try {
		count(options);
		await daemon.docker.getImage(imageId).inspect({abortSignal: options.signal} as unknown as Dockerode.ImageInspectOptions);
		return true;
	} catch (error) {
		if ((error as DaemonFailure).statusCode === 404) {
			return false;
		}

		throw daemonError(error, daemon.resolved, `inspect image ${singleLine(imageId)}`);
	}
}

function removedError(container: ContainerInfo): SourceError {
	return new SourceError(`container ${singleLine(container.name)} (${container.id.slice(0, 12)}) was removed while it was being read`);
}

/** False once the container is gone, or being removed (a removal that failed half-way leaves it `dead`). */
async function containerExists(daemon: Daemon, container: ContainerInfo, options: ContainerReadOptions): Promise<boolean> {
	try {
		count(options);
		const info = await daemon.docker.getContainer(container.id).inspect();
		return info.State?.Status !== 'removing' && info.State?.Status !== 'dead';
	} catch (error) {
		return (error as DaemonFailure).statusCode !== 404;
	}
}

/** The daemon's change list (`docker diff`): unordered, `null` from the daemon means none. */
export async function containerChanges(daemon: Daemon, container: ContainerInfo, options: ContainerReadOptions = {}): Promise<DaemonChange[]> {
	let list: unknown;
	try {
		count(options);
		list = await daemon.docker.getContainer(container.id).changes({abortSignal: options.signal});
	} catch (error) {
		if ((error as DaemonFailure).statusCode === 404) {
			throw removedError(container);
		}

		throw daemonError(error, daemon.resolved, `list the changes of container ${singleLine(container.name)}`);
	}

	if (list === null || list === undefined) {
		return [];
	}

	if (!Array.isArray(list)) {
		throw new SourceError(`the daemon's change list for ${singleLine(container.name)} is not a list`);
	}

	return list.map((item: unknown) => {
		const {Path: path, Kind: kind} = (item ?? {}) as {Path?: unknown; Kind?: unknown};
		const name = typeof kind === 'number' ? changeKinds.get(kind) : undefined;
		if (typeof path !== 'string' || name === undefined) {
			throw new SourceError(`the daemon's change list for ${singleLine(container.name)} has an entry layerscope does not understand: ${singleLine(JSON.stringify(item))}`);
		}

		return {path, kind: name};
	});
}

type ArchiveResult<T> = {ok: T} | {vanished: true} | {removed: true};

/** A hard error with the daemon's connection, or the daemon gone silent (see StatOptions.timeoutMs). */
class Silence extends Error {}

/**
 * GET the archive of `path` and hand the response to `read`, which resolves once it has what it needs (it may
 * destroy the response early). A 404 is a path that vanished or a removed container. The response must keep
 * moving: no byte for `timeoutMs` aborts the request.
 */
async function withArchive<T>(
	daemon: Daemon,
	container: ContainerInfo,
	path: string,
	options: StatOptions,
	read: (response: Readable) => Promise<T>,
): Promise<ArchiveResult<T>> {
	const timeoutMs = options.timeoutMs ?? 60_000;
	const idle = new AbortController();
	const signal = options.signal === undefined ? idle.signal : AbortSignal.any([options.signal, idle.signal]);
	let timer = setTimeout(() => {
		idle.abort(new Silence());
	}, timeoutMs);
	const poke = (): void => {
		clearTimeout(timer);
		timer = setTimeout(() => {
			idle.abort(new Silence());
		}, timeoutMs);
	};

	const silent = (): SourceError => new SourceError(`the daemon sent nothing about ${singleLine(path)} in ${singleLine(container.name)} for ${timeoutMs / 1000} s`);
	try {
		let response: Readable;
		try {
			count(options);
			response = await daemon.docker.getContainer(container.id).getArchive({path, abortSignal: signal}) as Readable;
		} catch (error) {
			if (error instanceof URIError) {
				return {vanished: true}; // A name no URL can carry (cannot come from the daemon's JSON list).
			}

			if (isNoSuchContainer(error)) {
				return {removed: true};
			}

			if ((error as DaemonFailure).statusCode === 404) {
				return {vanished: true};
			}

			throw idle.signal.aborted ? silent() : error;
		}

		const onAbort = (): void => {
			response.destroy(new Error(idle.signal.aborted ? 'silent' : 'cancelled'));
		};

		signal.addEventListener('abort', onAbort, {once: true});
		response.on('data', poke);
		try {
			return {ok: await read(response)};
		} catch (error) {
			throw idle.signal.aborted ? silent() : error;
		} finally {
			signal.removeEventListener('abort', onAbort);
		}
	} finally {
		clearTimeout(timer);
	}
}

type Extract = ReturnType<typeof tarStream.extract>;

/** How an archive read ended: complete (or stopped by the caller), or cut short in the middle of `inFlight`'s data. */
type HeadersOutcome = {readonly truncated: false} | {readonly truncated: true; readonly inFlight?: Header};

/** tar-stream's words for an archive that ends in the middle of an entry or a header. */
function isTruncation(error: Error): boolean {
	return /Unexpected end of data|Unexpected end of input|Invalid tar header/i.test(error.message);
}

/**
 * Feed an archive response to a tar extractor. `onEntry` sees each header (the data is skipped) and returns
 * false to stop reading. Resolves when the archive ends or reading stopped; the response is destroyed then.
 * An archive cut short (the daemon stops when a file shrinks while its tar writer copies it: "archive/tar: write
 * too long/short") resolves as truncated, naming the entry whose data was cut; every stream's error is handled.
 */
async function readHeaders(response: Readable, onEntry: (header: Header, bytesSoFar: number) => boolean): Promise<HeadersOutcome> {
	const extract: Extract = tarStream.extract({filenameEncoding: 'latin1'} as Parameters<typeof tarStream.extract>[0]);
	let bytes = 0;
	let inFlight: Header | undefined;
	return new Promise<HeadersOutcome>((resolve, reject) => {
		let settled = false;
		const settle = (error?: Error): void => {
			if (settled) {
				return;
			}

			settled = true;
			response.unpipe(extract);
			response.destroy();
			extract.destroy();
			if (error === undefined) {
				resolve({truncated: false});
			} else if (isTruncation(error)) {
				resolve({truncated: true, inFlight});
			} else {
				reject(error);
			}
		};

		response.on('data', (chunk: Buffer) => {
			bytes += chunk.length;
		});
		extract.on('entry', (header: Header, stream, next) => {
			stream.on('error', () => undefined); // The extract reports the same failure.
			if (!onEntry(header, bytes)) {
				settle();
				return;
			}

			inFlight = header;
			stream.on('end', () => {
				inFlight = undefined;
				next();
			});
			stream.resume();
		});
		extract.on('finish', () => {
			settle();
		});
		extract.on('error', (error: Error) => {
			settle(error);
		});
		response.on('error', (error: Error) => {
			settle(error);
		});
		response.on('close', () => {
			if (!settled && !response.readableEnded) {
				settle(Object.assign(new Error('the connection closed in the middle of an archive'), {code: 'ECONNRESET'}));
			}
		});
		response.pipe(extract);
	});
}

/** A header as a layer entry; a hardlink's target made relative to the container's root. */
function headerEntry(header: Header, base: string): LayerEntry | undefined {
	const entry = toEntry({...header, name: 'x'});
	if (entry?.type === 'hardlink' && entry.linkTarget !== undefined) {
		return {...entry, linkTarget: normalizePath(posix.join(base, entry.linkTarget))};
	}

	return entry;
}

type RequestOutcome = {
	/** Paths the request could not settle (a subtree over its budget): to fetch one by one. */
	readonly retry: readonly string[];
};

async function runRequest(
	daemon: Daemon,
	container: ContainerInfo,
	request: FetchRequest,
	stats: Map<string, LayerEntry>,
	options: StatOptions,
): Promise<RequestOutcome | 'removed'> {
	// Names in the archive are relative to the requested path's parent (`data/x` for /data, `/bin` for /).
	const base = posix.dirname(request.path);
	if (!request.subtree) {
		const result = await withArchive(daemon, container, request.path, options, async response => {
			let first: Header | undefined;
			await readHeaders(response, header => {
				first = header;
				return false;
			});
			return first;
		});
		if ('removed' in result) {
			return 'removed';
		}

		const entry = 'ok' in result && result.ok !== undefined ? headerEntry(result.ok, base) : undefined;
		if (entry !== undefined) {
			stats.set(request.path, entry);
			options.providedBy?.set(request.path, request.path);
		}

		return {retry: []};
	}

	const wanted = new Set(request.covers);
	const result = await withArchive(daemon, container, request.path, options, async response => {
		let complete = true;
		const outcome = await readHeaders(response, (header, bytes) => {
			if (bytes > request.budgetBytes) {
				complete = false;
				return false;
			}

			const path = posix.join(base, normalizePath(headerName(header)));
			if (wanted.delete(path)) {
				const entry = headerEntry(header, base);
				if (entry !== undefined) {
					stats.set(path, entry);
					options.providedBy?.set(path, request.path);
				}
			}

			return wanted.size > 0;
		});
		if (outcome.truncated) {
			// Cut short: the file in flight changed while read; it and the paths not reached get a request each.
			complete = false;
			if (outcome.inFlight !== undefined) {
				const path = posix.join(base, normalizePath(headerName(outcome.inFlight)));
				if (stats.delete(path)) {
					wanted.add(path);
					options.changedWhileReading?.add(path);
				}
			}
		}

		return complete;
	});
	if ('removed' in result) {
		return 'removed';
	}

	// A finished archive without a path means it is gone; an abandoned one leaves the rest to single requests.
	return {retry: 'ok' in result && !result.ok ? [...wanted] : []};
}

/**
 * Metadata of the changed paths, by the requests planPathFetches chose, `concurrency` at a time; subtrees that
 * outgrow their budget fall back to one request a path. A path gone by the time it is read (a running
 * container) is left out of the map. Throws a SourceError if the container is removed meanwhile, or on any
 * other daemon failure (the remaining requests are abandoned).
 */
export async function fetchChangedPaths(
	daemon: Daemon,
	container: ContainerInfo,
	requests: readonly FetchRequest[],
	options: StatOptions = {},
): Promise<Map<string, LayerEntry>> {
	const stats = new Map<string, LayerEntry>();
	const concurrency = Math.max(1, options.concurrency ?? 8);
	const total = requests.reduce((sum, request) => sum + request.covers.length, 0);
	let done = 0;
	let failure: unknown;
	const stop = new AbortController();
	const signal = options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal]);
	const pool = async (queue: readonly FetchRequest[]): Promise<string[]> => {
		const retry: string[] = [];
		let next = 0;
		const worker = async (): Promise<void> => {
			while (failure === undefined && next < queue.length) {
				const request = queue[next++]!;
				let outcome: RequestOutcome | 'removed';
				try {
					outcome = await runRequest(daemon, container, request, stats, {...options, signal});
				} catch (error) {
					failure ??= error;
					stop.abort();
					return;
				}

				if (outcome === 'removed') {
					failure ??= removedError(container);
					stop.abort();
					return;
				}

				retry.push(...outcome.retry);
				done += request.covers.length - outcome.retry.length;
				options.onProgress?.(done, total);
			}
		};

		await Promise.all(Array.from({length: Math.min(concurrency, queue.length)}, async () => worker()));
		return retry;
	};

	const retry = await pool(requests);
	if (failure === undefined && retry.length > 0) {
		await pool(retry.map(path => ({path, subtree: false, covers: [path], budgetBytes: 0})));
	}

	if (failure !== undefined) {
		if (options.signal?.aborted === true) {
			throw new SourceError('cancelled');
		}

		if (failure instanceof SourceError) {
			throw failure;
		}

		// A container being removed fails requests in several ways (404, 409, 500): ask whether it still exists.
		if (!await containerExists(daemon, container, options)) {
			throw removedError(container);
		}

		throw daemonError(failure, daemon.resolved, `read the changed paths of container ${singleLine(container.name)}`);
	}

	return stats;
}

/**
 * Run the hardlink checks planHardlinkChecks chose: one subtree archive each, read (headers only) until every
 * covered path is seen. Each covered path comes back with its inode's name in that archive: its own for a regular
 * file, the link target for a hardlink (the daemon's tar writer links later names to the first). A check that
 * outgrows its budget, or a path gone meanwhile, is left out: those names keep counting as separate files.
 */
export async function findHardlinks(
	daemon: Daemon,
	container: ContainerInfo,
	checks: readonly FetchRequest[],
	options: StatOptions = {},
): Promise<InodeNames> {
	const seen: Array<{path: string; inode: string}> = [];
	for (const check of checks) {
		const base = posix.dirname(check.path);
		const wanted = new Set(check.covers);
		const found: Array<{path: string; inode: string}> = [];
		const result = await withArchive(daemon, container, check.path, options, async response => {
			let complete = true;
			await readHeaders(response, (header, bytes) => {
				if (bytes > check.budgetBytes) {
					complete = false;
					return false;
				}

				const path = posix.join(base, normalizePath(headerName(header)));
				if (wanted.delete(path)) {
					if (header.type === 'file') {
						found.push({path, inode: path});
					} else if (header.type === 'link' && header.linkname !== null && header.linkname !== undefined) {
						found.push({path, inode: posix.join(base, normalizePath(header.linkname))});
					}
				}

				return wanted.size > 0;
			});
			return complete;
		});
		if ('removed' in result) {
			throw removedError(container);
		}

		if ('ok' in result && result.ok) {
			for (const item of found) {
				seen.push(item);
			}
		}
	}

	return seen;
}

/**
 * The content digest (xxh64, as the layer reader computes it) of each regular file in `paths`, read from its
 * single-path archive (the file's bytes stream through the hasher; nothing is kept). A path gone meanwhile, or no
 * longer a regular file, is left out.
 */
export async function fileDigests(
	daemon: Daemon,
	container: ContainerInfo,
	paths: readonly string[],
	options: StatOptions = {},
): Promise<Map<string, string>> {
	const digests = new Map<string, string>();
	for (const path of paths) {
		const result = await withArchive(daemon, container, path, options, async response => new Promise<string | undefined>((resolve, reject) => {
			const extract: Extract = tarStream.extract();
			const hasher = new ContentHasher();
			let settled = false;
			const settle = (error: Error | undefined, digest?: string): void => {
				if (settled) {
					return;
				}

				settled = true;
				response.unpipe(extract);
				response.destroy();
				extract.destroy();
				if (error === undefined) {
					resolve(digest);
				} else {
					reject(error);
				}
			};

			extract.on('entry', (header: Header, stream) => {
				if (header.type !== 'file') {
					settle(undefined);
					return;
				}

				hasher.start(header.size ?? 0);
				stream.on('data', (chunk: unknown) => {
					hasher.data(chunk as Buffer);
				});
				stream.on('end', () => {
					settle(undefined, hasher.finish());
				});
				stream.on('error', (error: Error) => {
					settle(error);
				});
			});
			extract.on('finish', () => {
				settle(undefined);
			});
			extract.on('error', (error: Error) => {
				settle(error);
			});
			response.on('error', (error: Error) => {
				settle(error);
			});
			response.pipe(extract);
		}));
		if ('removed' in result) {
			throw removedError(container);
		}

		if ('ok' in result && result.ok !== undefined) {
			digests.set(path, result.ok);
		}
	}

	return digests;
}
