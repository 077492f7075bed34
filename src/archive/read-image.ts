// Reading a whole image in one streaming pass: an archive (docker save, podman, kaniko, OCI) from any byte
// stream, or an OCI layout directory blob by blob. Layers are analysed while their bytes stream; the manifest
// (which `docker save` writes last) puts them in order at the end.
import {readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {PassThrough, Readable} from 'node:stream';
import {fileChunks} from './file-chunks.js';
import type {LayerContents, RawImage} from '../analysis/types.js';
import {type BlobKind, decodeErrorMessage, decoderFor, readHead, sniff, sniffBytes} from './blob.js';
import {escapeName, terminalSafe} from '../report/escape.js';
import type {LayerShare} from './layer-share.js';
import {LayerParser, tarError} from './layer-tar.js';
import {FormatError, type Platform, planImage} from './manifest.js';
import {type JsonRole, type KeptJson, keepJson, MetadataBudget, metadataLimits, oversizeJson, useJson} from './metadata.js';
import {decodeBytes, normalizePath} from './names.js';
import {assemble, type LayerStore, readLayers} from './read-lazy.js';
import {defaultTarLimits, type TarHeader, type TarLimits, TarReader, type TarSink} from './tar-reader.js';

export {FormatError} from './manifest.js';

/**
 * JSON documents larger than this are not image metadata (configs and manifests are kilobytes; what is larger is
 * an attestation or SBOM) and are not kept. See metadata.ts for the other budgets.
 */
export const jsonLimit = metadataLimits.documentBytes;

/** Files the outer archive may hold (a docker save has a few per layer); more is refused with one line. */
const maxArchiveFiles = 100_000;

export type ReadProgress = {
	/** Bytes of the archive read so far. */
	readonly bytes: number;
	/** Total archive bytes when known. */
	readonly totalBytes?: number;
	readonly layersDone: number;
	readonly entries: number;
	/** Of layersDone, how many came from the layer cache (not read). */
	readonly layersFromCache?: number;
};

export type ReadOptions = {
	/** Shown as the image name. */
	readonly name: string;
	readonly platform?: Platform;
	/** Which image of a multi-image archive (a RepoTag); default the first. */
	readonly tag?: string;
	readonly totalBytes?: number;
	readonly onProgress?: (progress: ReadProgress) => void;
	/** Hash each layer's uncompressed bytes (LayerContents.diffId), so the layer cache can check them. */
	readonly computeDiffId?: boolean;
	/** Layers already parsed, by diff_id (the layer cache), where the reader can skip a layer's bytes (OCI layouts). */
	readonly store?: LayerStore;
	/** Layers shared with another reader of this run (indexed archive files only; see layer-share.ts). */
	readonly share?: LayerShare;
};

export type Progress = {bytes: number; layersDone: number; entries: number; layersFromCache: number; report: () => void};

export function makeProgress(options: ReadOptions): Progress {
	const state: Progress = {
		bytes: 0,
		layersDone: 0,
		entries: 0,
		layersFromCache: 0,
		report() {
			options.onProgress?.({bytes: state.bytes, totalBytes: options.totalBytes, layersDone: state.layersDone, entries: state.entries, ...(state.layersFromCache > 0 ? {layersFromCache: state.layersFromCache} : {})});
		},
	};
	return state;
}

/**
 * The text of the JSON blob being read, one buffer a reader (blobs stream one after another): copying each chunk
 * into it lets the input's buffers go at once, and what is kept of a document is only its projection.
 */
class JsonScratch {
	buffer = Buffer.alloc(0);

	/** Make room for `bytes` bytes (at most jsonLimit), keeping what is there. */
	reserve(bytes: number): void {
		if (bytes > this.buffer.length) {
			const grown = Buffer.allocUnsafe(Math.min(jsonLimit, Math.max(bytes, this.buffer.length * 2, 64 * 1024)));
			this.buffer.copy(grown);
			this.buffer = grown;
		}
	}
}

/**
 * Takes one blob's bytes; decides by its first bytes whether it is a layer, JSON, or something to skip.
 * A blob that fails to parse as a layer is not an error yet: only if the image turns out to use it.
 */
export class BlobSink {
	kind: BlobKind | undefined;
	/** The parser while a layer blob streams; released at its end (only `layerContents` is kept). */
	layer: LayerParser | undefined;
	/** A layer blob's contents once it has streamed. */
	layerContents: LayerContents | undefined;
	/** Why the blob could not be read as a layer. */
	failure: Error | undefined;
	/** What is kept of a JSON blob: its projection (metadata.ts), never its text. */
	kept: KeptJson | undefined;
	private head: Buffer[] = [];
	private headBytes = 0;
	/** A JSON blob's bytes so far: copied into the reader's one scratch buffer (chunks are never retained). */
	private jsonBytes = 0;
	private readonly scratch: JsonScratch;
	private readonly progress: Progress;
	private readonly computeDiffId: boolean;

	constructor(progress: Progress, computeDiffId = false, scratch = new JsonScratch()) {
		this.progress = progress;
		this.computeDiffId = computeDiffId;
		this.scratch = scratch;
	}

	/** Push the next bytes; a promise means: wait before pushing more. */
	write(chunk: Buffer): Promise<void> | undefined {
		if (this.kind === undefined) {
			this.head.push(chunk);
			this.headBytes += chunk.length;
			if (this.headBytes < sniffBytes) {
				return undefined;
			}

			this.decide();
			chunk = this.head.length === 1 ? chunk : Buffer.concat(this.head);
			this.head = [];
		}

		return this.forward(chunk);
	}

	/**
	 * No more bytes. A JSON blob is checked and projected at once (synchronously: the scratch buffer is free for
	 * the next blob when this returns); a layer's parser finishes in the returned promise, if any.
	 */
	end(): Promise<void> | undefined {
		if (this.kind === undefined) {
			this.decide();
			const pending = this.forward(Buffer.concat(this.head));
			if (pending !== undefined) {
				return pending.then(async () => this.finish());
			}
		}

		return this.finish();
	}

	private finish(): Promise<void> | undefined {
		this.head = [];
		if (this.kind === 'json') {
			this.kept = this.jsonBytes <= jsonLimit ? keepJson(this.scratch.buffer.subarray(0, this.jsonBytes)) : oversizeJson(this.jsonBytes);
			return undefined;
		}

		const {layer} = this;
		this.layer = undefined; // Its tar state, buffers and decoder: only the contents stay.
		if (layer === undefined || this.failure !== undefined) {
			return undefined;
		}

		return layer.end().then(contents => {
			this.layerContents = contents;
			this.progress.layersDone++;
			this.progress.report();
		}, (error: unknown) => {
			this.failure = error as Error;
		});
	}

	/** True when the blob is a tar, gzip or zstd stream (whether or not it parsed). */
	get isLayer(): boolean {
		return this.kind === 'tar' || this.kind === 'gzip' || this.kind === 'zstd';
	}

	/** The document for the manifest's lookups, as `role`; undefined when the blob is no JSON. */
	json(name: string, role: JsonRole): unknown {
		if (this.kept === undefined) {
			return undefined;
		}

		const use = useJson(name, this.kept, role);
		if ('problem' in use) {
			throw new FormatError(use.problem);
		}

		return use.value;
	}

	private decide(): void {
		const head = Buffer.concat(this.head);
		this.kind = head.length === 0 ? 'tar' : sniff(head);
		if (this.kind === 'tar' || this.kind === 'gzip' || this.kind === 'zstd') {
			let seen = 0;
			this.layer = new LayerParser(this.kind, {
				onEntries: count => {
					this.progress.entries += count - seen;
					seen = count;
					this.progress.report();
				},
				computeDiffId: this.computeDiffId,
			});
			this.layer.contents.then(contents => {
				this.progress.entries += contents.entries.length - seen;
				seen = contents.entries.length;
			}, () => undefined);
		}
	}

	private forward(chunk: Buffer): Promise<void> | undefined {
		if (chunk.length === 0) {
			return undefined;
		}

		if (this.layer !== undefined) {
			if (this.failure !== undefined) {
				return undefined; // The rest of a blob that is no layer: skipped.
			}

			return this.layer.write(chunk)?.catch((error: unknown) => {
				this.failure = error as Error;
			});
		}

		if (this.kind === 'json') {
			const offset = this.jsonBytes;
			this.jsonBytes += chunk.length;
			if (this.jsonBytes <= jsonLimit) {
				this.scratch.reserve(this.jsonBytes);
				chunk.copy(this.scratch.buffer, offset);
			}
		}

		return undefined;
	}
}

export type DataSource = {
	on(event: 'data', listener: (chunk: Buffer) => void): unknown;
	on(event: 'end', listener: () => void): unknown;
	on(event: 'error', listener: (error: Error) => void): unknown;
	pause(): unknown;
	resume(): unknown;
};

/** Feed a readable's bytes to a sink, pausing while the sink asks to wait. */
export async function drainInto(stream: DataSource, sink: BlobSink, onBytes?: (count: number) => void): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		stream.on('error', reject);
		stream.on('data', (chunk: Buffer) => {
			onBytes?.(chunk.length);
			const pending = sink.write(chunk);
			if (pending !== undefined) {
				stream.pause();
				pending.then(() => stream.resume(), reject);
			}
		});
		stream.on('end', () => {
			Promise.resolve(sink.end()).then(resolve, reject);
		});
	});
}

/** Undo a compression of the whole archive (`docker save | gzip`), recognised by its first bytes. */
async function decompressed(input: Readable): Promise<Readable> {
	const head = await readHead(input, 4);
	if (input.readableEnded) {
		// All of it was read already (a tiny or empty input).
		input = Readable.from(head.length > 0 ? [head] : []);
	} else if (head.length > 0) {
		input.unshift(head);
	}

	const kind = sniff(head);
	const decoder = decoderFor(kind);
	if (decoder === undefined) {
		return input;
	}

	// The decoder's own errors (data cut short, corrupt) in words; the input's errors pass as they are.
	const output = new PassThrough({highWaterMark: 0});
	input.on('error', error => output.destroy(error));
	decoder.on('error', error => output.destroy(new FormatError(decodeErrorMessage(error, kind as 'gzip' | 'zstd', 'archive'))));
	return input.pipe(decoder).pipe(output);
}

/**
 * Limits for the outer archive's framing: names as in a layer (PATH_MAX), PAX and GNU records as Go allows, and
 * the sum of all names bounded well below a layer's (an image archive has a few files a layer).
 */
const outerTarLimits: TarLimits = {...defaultTarLimits, maxMetadataBytes: 64 * 1024 * 1024};

/** The outer archive's reader errors, in its words (a TarHeaderError speaks of a layer tar). */
function outerError(error: Error, bytes: number, entries: number): Error {
	if (entries === 0 && bytes < 512) {
		return new FormatError(`not an image archive: ${bytes} bytes is too short for a tar file`);
	}

	if (entries === 0 && error.message.startsWith('invalid tar header')) {
		return new FormatError('not an image archive: the input is not a tar file (nor a gzip or zstd compressed one)');
	}

	if (error instanceof FormatError) {
		const message = terminalSafe(error.message.replace('truncated layer tar', 'truncated archive').replace('the layer tar', 'the archive').replace('of the layer', 'of the archive'));
		return new FormatError(message.startsWith('truncated archive') || message.startsWith('not an image archive') || message.startsWith('the archive') ? message : `cannot read the archive: ${message}`);
	}

	return tarError(error, 'archive');
}

/**
 * Receives the outer archive's entries from the Go-exact TarReader (the entries `docker load` sees): every
 * regular file goes to a BlobSink, links are noted, the rest is skipped. Writes that ask to wait collect in
 * `pending` (takePending), so the input pauses until they settle.
 */
class OuterArchive implements TarSink {
	entryCount = 0;
	/** Set when the archive cannot be an image archive (too many files, metadata over budget). */
	failure: Error | undefined;
	private current: BlobSink | undefined;
	private pending: Array<Promise<void>> = [];
	private readonly budget = new MetadataBudget();

	private readonly sinks: Map<string, BlobSink>;
	private readonly links: Map<string, string>;
	private readonly progress: Progress;
	private readonly scratch: JsonScratch;
	private readonly computeDiffId: boolean;

	constructor(sinks: Map<string, BlobSink>, links: Map<string, string>, progress: Progress, scratch: JsonScratch, computeDiffId = false) {
		this.computeDiffId = computeDiffId;
		this.sinks = sinks;
		this.links = links;
		this.progress = progress;
		this.scratch = scratch;
	}

	header(header: TarHeader): void {
		this.current = undefined;
		if (this.failure !== undefined) {
			return;
		}

		this.entryCount++;
		if (this.entryCount > maxArchiveFiles) {
			this.failure = new FormatError(`the archive holds more than ${maxArchiveFiles.toLocaleString('en-US')} files: not an image archive layerscope reads`);
			return;
		}

		const name = normalizePath(decodeBytes(header.name));
		const type = String.fromCodePoint(header.typeflag);
		if ((type === '1' || type === '2') && header.linkname.length > 0) {
			const target = decodeBytes(header.linkname);
			this.links.set(name, type === '1' ? normalizePath(target) : normalizePath(path.posix.join(path.posix.dirname(name), target)));
		}

		// Regular files are blobs (a sparse one is not something an image archive holds: skipped).
		if ((type === '0' || type === '7') && !header.sparse) {
			this.current = new BlobSink(this.progress, this.computeDiffId, this.scratch);
			this.sinks.set(name, this.current);
		}
	}

	data(chunk: Buffer): void {
		const pending = this.current?.write(chunk);
		if (pending !== undefined) {
			this.pending.push(pending);
		}
	}

	hole(): void {
		// Only sparse members have holes, and they are skipped.
	}

	end(): void {
		const sink = this.current;
		this.current = undefined;
		if (sink === undefined) {
			return;
		}

		const account = (): void => {
			const overBudget = sink.kept === undefined ? undefined : this.budget.add(sink.kept);
			if (overBudget !== undefined) {
				this.failure ??= new FormatError(overBudget);
			}
		};

		const pending = sink.end();
		if (pending === undefined) {
			account();
		} else {
			this.pending.push(pending.then(account));
		}
	}

	/** The writes and ends that have not settled yet (the list is handed over and emptied). */
	takePending(): Array<Promise<void>> {
		const {pending} = this;
		this.pending = [];
		return pending;
	}
}

/** Read an image archive (any of the supported formats) from a byte stream. */
export async function readImageArchive(source: Readable, options: ReadOptions): Promise<RawImage> {
	const progress = makeProgress(options);
	const scratch = new JsonScratch();
	let input = source;
	try {
		input = await decompressed(source);
	} catch (error) {
		throw new FormatError(`cannot read the archive: ${(error as Error).message}`);
	}

	const sinks = new Map<string, BlobSink>();
	const links = new Map<string, string>();
	const outer = new OuterArchive(sinks, links, progress, scratch, options.computeDiffId);
	const reader = new TarReader(outer, outerTarLimits);

	await new Promise<void>((resolve, reject) => {
		let settled = false;
		const settle = (error?: Error): void => {
			if (settled) {
				return;
			}

			settled = true;
			input.off('data', onData);
			input.destroy();
			source.destroy();
			if (error === undefined) {
				resolve();
			} else {
				reject(error);
			}
		};

		let finishing = false;
		const finish = (): void => {
			if (finishing) {
				return; // The end marker came first; the input's own end follows it.
			}

			finishing = true;
			try {
				reader.end();
			} catch (error) {
				settle(outerError(error as Error, progress.bytes, outer.entryCount));
				return;
			}

			Promise.all(outer.takePending()).then(() => {
				settle(outer.failure ?? (outer.entryCount === 0 ? new FormatError('not an image archive: an empty archive (no entries)') : undefined));
			}, (error: unknown) => {
				settle(outerError(error as Error, progress.bytes, outer.entryCount));
			});
		};

		const onData = (chunk: Buffer): void => {
			progress.bytes += chunk.length;
			try {
				reader.write(chunk);
			} catch (error) {
				settle(outerError(error as Error, progress.bytes, outer.entryCount));
				return;
			}

			if (outer.failure !== undefined) {
				settle(outer.failure);
				return;
			}

			// The end-of-archive marker ends the archive, as in Go's archive/tar and GNU tar: nothing after it is
			// read (endless padding, appended data, a producer that keeps its pipe open); the input is closed.
			if (reader.ended) {
				input.off('data', onData);
				input.pause();
				finish();
				return;
			}

			const pending = outer.takePending();
			if (pending.length > 0) {
				input.pause();
				Promise.all(pending).then(() => {
					if (!settled) {
						input.resume();
					}
				}, (error: unknown) => {
					settle(outerError(error as Error, progress.bytes, outer.entryCount));
				});
			}
		};

		input.on('error', error => {
			settle(error instanceof FormatError ? error : new FormatError(`cannot read the archive: ${terminalSafe((error as NodeJS.ErrnoException).code ?? error.message)}`));
		});
		input.on('data', onData);
		input.on('end', finish);
	});

	const resolveLink = (name: string): string => {
		let current = name;
		for (let hops = 0; hops < 16 && links.has(current); hops++) {
			current = links.get(current)!;
		}

		return current;
	};

	if (!reader.ended && !sinks.has(resolveLink('manifest.json')) && !sinks.has(resolveLink('index.json'))) {
		// Cut at an entry's edge: tar's end-of-archive blocks are missing too (every tar writer puts them).
		throw new FormatError(`truncated archive: it ends (${progress.bytes} bytes) without tar's end-of-archive blocks, before any manifest.json or index.json`);
	}

	const plan = planImage((name, role) => sinks.get(resolveLink(name))?.json(name, role), {platform: options.platform, tag: options.tag});
	const contents = plan.layers.map(ref => {
		const sink = sinks.get(resolveLink(ref.path));
		if (sink?.isLayer !== true) {
			throw new FormatError(sink === undefined ? `layer ${escapeName(ref.path)} is missing from the archive` : `layer ${escapeName(ref.path)} is not a tar, gzip or zstd blob`);
		}

		if (sink.failure !== undefined || sink.layerContents === undefined) {
			throw new FormatError(`layer ${escapeName(ref.path)}: ${terminalSafe(sink.failure?.message ?? 'not read')}`);
		}

		return sink.layerContents;
	});
	return assemble(plan, options.name, index => contents[index]!, resolveLink);
}

/** Read an OCI image layout directory: index.json first, then each layer blob streamed from disk. */
export async function readOciLayout(dir: string, options: ReadOptions): Promise<RawImage> {
	/** A regular file of the layout (never a FIFO or device, which could block forever), or undefined if absent. */
	const regularFile = (name: string): {file: string; size: number} | undefined => {
		const file = path.join(dir, ...name.split('/'));
		let stat;
		try {
			stat = statSync(file);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code === 'ENOENT' || code === 'ENOTDIR') {
				return undefined;
			}

			throw new FormatError(`cannot read ${escapeName(name)} in the layout: ${code ?? 'unknown error'}`);
		}

		if (!stat.isFile()) {
			throw new FormatError(`${escapeName(name)} in the layout is not a regular file`);
		}

		return {file, size: stat.size};
	};

	const lookup = (name: string, role: JsonRole): unknown => {
		const found = regularFile(name);
		if (found === undefined) {
			return undefined;
		}

		let kept: KeptJson;
		if (found.size > jsonLimit) {
			kept = oversizeJson(found.size);
		} else {
			try {
				kept = keepJson(readFileSync(found.file));
			} catch (error) {
				throw new FormatError(`cannot read ${escapeName(name)} in the layout: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`);
			}
		}

		const use = useJson(name, kept, role);
		if ('problem' in use) {
			throw new FormatError(use.problem);
		}

		return use.value;
	};

	const plan = planImage(lookup, {platform: options.platform, tag: options.tag});
	// The layout's blobs as lazy layers: the same reader as a registry's.
	const layers = plan.layers.map((ref, index) => ({
		label: ref.path,
		layer: {
			digest: ref.digest,
			diffId: plan.diffIds[index] ?? '',
			async open() {
				const blob = regularFile(ref.path);
				if (blob === undefined) {
					throw new FormatError(`layer ${escapeName(ref.path)} is missing from the layout`);
				}

				return fileChunks(blob.file);
			},
		},
	}));
	const contents = await readLayers(layers, {store: options.store, onProgress: options.onProgress === undefined ? undefined : progress => {
		options.onProgress?.({...progress, totalBytes: options.totalBytes});
	}});
	return assemble(plan, options.name, index => contents[index]!);
}
