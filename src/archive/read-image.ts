// Reading a whole image in one streaming pass: an archive (docker save, podman, kaniko, OCI) from any byte
// stream, or an OCI layout directory blob by blob. Layers are analysed while their bytes stream; the manifest
// (which `docker save` writes last) puts them in order at the end.
import {createReadStream, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {Readable} from 'node:stream';
import tarStream, {type Header} from 'tar-stream';
import type {RawImage} from '../analysis/types.js';
import {type BlobKind, decoderFor, readHead, sniff, sniffBytes} from './blob.js';
import {LayerParser, tarError} from './layer-tar.js';
import {FormatError, type Platform, planImage} from './manifest.js';
import {headerLinkName, headerName, normalizePath} from './names.js';
import {TarFraming} from './tar-framing.js';
import {assemble, type LayerStore, readLayers} from './read-lazy.js';

export {FormatError} from './manifest.js';

/**
 * JSON documents larger than this are not image metadata (configs and manifests are kilobytes; what is larger is
 * an attestation or SBOM) and are not kept.
 */
export const jsonLimit = 8 * 1024 * 1024;

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
 * Takes one blob's bytes; decides by its first bytes whether it is a layer, JSON, or something to skip.
 * A blob that fails to parse as a layer is not an error yet: only if the image turns out to use it.
 */
export class BlobSink {
	kind: BlobKind | undefined;
	layer: LayerParser | undefined;
	/** Why the blob could not be read as a layer. */
	failure: Error | undefined;
	/** The raw text of a JSON blob (small ones only), parsed when the manifest needs it. */
	jsonText: Buffer | undefined;
	private head: Buffer[] = [];
	private headBytes = 0;
	private jsonParts: Buffer[] = [];
	private jsonBytes = 0;
	private readonly progress: Progress;
	private readonly computeDiffId: boolean;

	constructor(progress: Progress, computeDiffId = false) {
		this.progress = progress;
		this.computeDiffId = computeDiffId;
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

	async end(): Promise<void> {
		if (this.kind === undefined) {
			this.decide();
			await this.forward(Buffer.concat(this.head));
		}

		if (this.layer !== undefined && this.failure === undefined) {
			try {
				await this.layer.end();
				this.progress.layersDone++;
				this.progress.report();
			} catch (error) {
				this.failure = error as Error;
			}
		} else if (this.kind === 'json' && this.jsonBytes <= jsonLimit) {
			this.jsonText = Buffer.concat(this.jsonParts);
			this.jsonParts = [];
		}
	}

	/** The parsed document, for the manifest's lookups. */
	json(name: string): unknown {
		if (this.jsonText === undefined) {
			return undefined;
		}

		try {
			return JSON.parse(this.jsonText.toString('utf8')) as unknown;
		} catch (error) {
			throw new FormatError(`${name} is not valid JSON: ${(error as Error).message}`);
		}
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
			this.jsonBytes += chunk.length;
			if (this.jsonBytes <= jsonLimit) {
				this.jsonParts.push(chunk);
			} else {
				this.jsonParts = [];
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
			sink.end().then(resolve, reject);
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

	const decoder = decoderFor(sniff(head));
	if (decoder === undefined) {
		return input;
	}

	input.on('error', error => decoder.destroy(error));
	decoder.on('error', () => undefined);
	return input.pipe(decoder);
}

/** Read an image archive (any of the supported formats) from a byte stream. */
export async function readImageArchive(source: Readable, options: ReadOptions): Promise<RawImage> {
	const progress = makeProgress(options);
	let input = source;
	try {
		input = await decompressed(source);
	} catch (error) {
		throw new FormatError(`cannot read the archive: ${(error as Error).message}`);
	}

	const sinks = new Map<string, BlobSink>();
	const links = new Map<string, string>();
	const extract = tarStream.extract({filenameEncoding: 'latin1', highWaterMark: 1024 * 1024} as Parameters<typeof tarStream.extract>[0]);
	let entryCount = 0;

	await new Promise<void>((resolve, reject) => {
		let failed = false;
		const fail = (error: Error): void => {
			if (!failed) {
				failed = true;
				input.destroy();
				extract.destroy();
				reject(error);
			}
		};

		input.on('error', error => {
			fail(new FormatError(`cannot read the archive: ${(error as NodeJS.ErrnoException).code ?? error.message}`));
		});
		// Data after the archive's end marker (padding, anything appended) is not read as entries.
		const framing = new TarFraming();
		input.on('data', (chunk: Buffer) => {
			progress.bytes += chunk.length;
			const part = framing.feed(chunk);
			if (part.length > 0 && !extract.write(part)) {
				input.pause();
			}
		});
		extract.on('drain', () => input.resume());
		input.on('end', () => extract.end(undefined));
		extract.on('error', (error: Error) => {
			fail(progress.bytes < 512
				? new FormatError(`not an image archive: ${progress.bytes} bytes is too short for a tar file`)
				: tarError(error, 'archive'));
		});
		extract.on('finish', () => {
			if (entryCount === 0) {
				fail(new FormatError('empty archive: no entries'));
				return;
			}

			resolve();
		});
		extract.on('entry', (header: Header, stream, next) => {
			entryCount++;
			const name = normalizePath(headerName(header));
			if ((header.type === 'symlink' || header.type === 'link') && header.linkname) {
				const target = headerLinkName(header);
				links.set(name, header.type === 'link' ? normalizePath(target) : normalizePath(path.posix.join(path.posix.dirname(name), target)));
			}

			if (header.type !== 'file' && header.type !== 'contiguous-file') {
				stream.on('error', () => undefined);
				stream.on('end', next);
				stream.resume();
				return;
			}

			const sink = new BlobSink(progress, options.computeDiffId);
			sinks.set(name, sink);
			drainInto(stream as unknown as DataSource, sink).then(() => {
				next();
			}, (error: unknown) => {
				fail(tarError(error as Error, 'archive'));
			});
		});
	});

	const resolveLink = (name: string): string => {
		let current = name;
		for (let hops = 0; hops < 16 && links.has(current); hops++) {
			current = links.get(current)!;
		}

		return current;
	};

	const plan = planImage(name => sinks.get(resolveLink(name))?.json(name), {platform: options.platform, tag: options.tag});
	const contents = await Promise.all(plan.layers.map(async ref => {
		const sink = sinks.get(resolveLink(ref.path));
		if (sink?.layer === undefined) {
			throw new FormatError(sink === undefined ? `layer ${ref.path} is missing from the archive` : `layer ${ref.path} is not a tar, gzip or zstd blob`);
		}

		if (sink.failure !== undefined) {
			throw new FormatError(`layer ${ref.path}: ${sink.failure.message}`);
		}

		return sink.layer.contents;
	}));
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

			throw new FormatError(`cannot read ${name} in the layout: ${code ?? String(error)}`);
		}

		if (!stat.isFile()) {
			throw new FormatError(`${name} in the layout is not a regular file`);
		}

		return {file, size: stat.size};
	};

	const lookup = (name: string): unknown => {
		const found = regularFile(name);
		if (found === undefined || found.size > jsonLimit) {
			return undefined;
		}

		let text: string;
		try {
			text = readFileSync(found.file, 'utf8');
		} catch (error) {
			throw new FormatError(`cannot read ${name} in the layout: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
		}

		try {
			return JSON.parse(text) as unknown;
		} catch (error) {
			throw new FormatError(`${name} is not valid JSON: ${(error as Error).message}`);
		}
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
					throw new FormatError(`layer ${ref.path} is missing from the layout`);
				}

				return createReadStream(blob.file, {highWaterMark: 1024 * 1024});
			},
		},
	}));
	const contents = await readLayers(layers, {store: options.store, onProgress: options.onProgress === undefined ? undefined : progress => {
		options.onProgress?.({...progress, totalBytes: options.totalBytes});
	}});
	return assemble(plan, options.name, index => contents[index]!);
}
