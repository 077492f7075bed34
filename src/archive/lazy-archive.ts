// An image archive file or OCI layout opened without reading its layers: the plan (which blobs are the layers,
// in order) from its JSON documents alone, and each layer's blob opened or parsed on demand. What lets `cat` read
// the top layers of a large image and stop there.
import {promises as fs} from 'node:fs';
import path from 'node:path';
import {Readable} from 'node:stream';
import {fileChunks} from './file-chunks.js';
import type {LayerContents} from '../analysis/types.js';
import {type IndexedMember, indexTarFile} from './archive-member.js';
import {readHead, sniff} from './blob.js';
import {LayerSink} from './layer-tar.js';
import {FormatError, type ImagePlan, type Platform, planImage} from './manifest.js';
import {escapeName, singleLine} from '../report/escape.js';
import {metadataLimits, nestsDeeper} from './metadata.js';
import {normalizePath} from './names.js';

/** JSON documents larger than this are not image metadata (as the archive reader rules). */
const jsonLimit = 8 * 1024 * 1024;

/** An image whose layers are opened one at a time. */
export type PlannedImage = {
	readonly plan: ImagePlan;
	/** The blob of layer `index` (plain, gzip or zstd tar), as stored. */
	readonly openLayer: (index: number) => Promise<Readable>;
};

export type PlanOptions = {readonly platform?: Platform; readonly tag?: string};

function parseJson(name: string, text: string): unknown {
	if (nestsDeeper(Buffer.from(text), metadataLimits.maxDepth)) {
		throw new FormatError(`${escapeName(name)} nests deeper than ${metadataLimits.maxDepth} levels: not image metadata`);
	}

	try {
		return JSON.parse(text) as unknown;
	} catch (error) {
		throw new FormatError(`${escapeName(name)} is not valid JSON: ${singleLine((error as Error).message)}`);
	}
}

/**
 * Plan an uncompressed image archive on disk from its headers and JSON members only. Undefined when the file is
 * not a plain tar (a compressed archive is read whole instead).
 */
export async function planArchiveFile(file: string, options: PlanOptions): Promise<PlannedImage | undefined> {
	const members = await indexTarFile(file);
	if (members === undefined) {
		return undefined;
	}

	// `docker save` writes a layer that appears twice as a symlink to its first copy.
	const resolve = (name: string): IndexedMember | undefined => {
		let current = name;
		for (let hops = 0; hops < 16; hops++) {
			const member = members.get(current);
			if (member === undefined || (member.type !== '1' && member.type !== '2')) {
				return member;
			}

			current = member.type === '1' ? normalizePath(member.linkName) : normalizePath(path.posix.join(path.posix.dirname(current), member.linkName));
		}

		return undefined;
	};

	const handle = await fs.open(file, 'r');
	const texts = new Map<string, string>();
	try {
		for (const name of members.keys()) {
			const found = resolve(name);
			if (found !== undefined && found.type === '0' && found.size > 0 && found.size <= jsonLimit) {
				// What could be a document (JSON starts with { or [; a tar, gzip or zstd blob never does): read it.
				const first = Buffer.alloc(1);
				await handle.read(first, 0, 1, found.offset);
				if (first[0] === 0x7B || first[0] === 0x5B) {
					const data = Buffer.alloc(found.size);
					await handle.read(data, 0, found.size, found.offset);
					texts.set(name, data.toString('utf8'));
				}
			}

		}
	} finally {
		await handle.close();
	}

	const plan = planImage(name => {
		const text = texts.get(name);
		return text === undefined ? undefined : parseJson(name, text);
	}, options);
	return {
		plan,
		async openLayer(index) {
			const ref = plan.layers[index];
			const member = ref === undefined ? undefined : resolve(ref.path);
			if (ref === undefined || member?.type !== '0') {
				throw new FormatError(`layer ${escapeName(ref?.path ?? String(index))} is missing from the archive`);
			}

			return member.size === 0 ? Readable.from([]) : fileChunks(file, {start: member.offset, end: member.offset + member.size - 1});
		},
	};
}

/** Plan an OCI image layout directory from its JSON files only. */
export async function planLayoutDir(dir: string, options: PlanOptions): Promise<PlannedImage> {
	const texts = new Map<string, string>();
	const load = async (name: string): Promise<void> => {
		const file = path.join(dir, ...name.split('/'));
		const stat = await fs.stat(file).catch(() => undefined);
		if (stat?.isFile() === true && stat.size <= jsonLimit) {
			texts.set(name, await fs.readFile(file, 'utf8'));
		}
	};

	// planImage asks for documents one after another; serve it from what is on disk, loading as it asks.
	const lookupSync = (name: string): unknown => {
		const text = texts.get(name);
		if (text === undefined) {
			throw new MissingDocument(name);
		}

		return parseJson(name, text);
	};

	for (let attempt = 0; attempt < 64; attempt++) {
		try {
			const plan = planImage(lookupSync, options);
			return {
				plan,
				async openLayer(index) {
					const ref = plan.layers[index];
					if (ref === undefined) {
						throw new FormatError(`layer ${index} is missing from the layout`);
					}

					return fileChunks(path.join(dir, ...ref.path.split('/')));
				},
			};
		} catch (error) {
			if (!(error instanceof MissingDocument) || texts.has(error.document) || error.absent) {
				throw error;
			}

			const before = texts.size;
			await load(error.document);
			if (texts.size === before) {
				// Not there: let planImage see it as absent this time.
				texts.set(error.document, 'null');
			}
		}
	}

	throw new FormatError('the layout\'s documents refer to each other too deeply');
}

class MissingDocument extends Error {
	readonly absent = false;
	readonly document: string;

	constructor(document: string) {
		super(`missing ${document}`);
		this.document = document;
	}
}

/** Parse one layer blob (plain, gzip or zstd tar, sniffed by its bytes) into its entries. */
export async function parseLayerBlob(blob: Readable): Promise<LayerContents> {
	const head = await readHead(blob, 512);
	const kind = sniff(head);
	if (kind !== 'tar' && kind !== 'gzip' && kind !== 'zstd') {
		blob.destroy();
		throw new FormatError('the layer is not a tar, gzip or zstd blob');
	}

	const sink = new LayerSink(kind);
	const rest = blob.readableEnded ? Readable.from(head.length > 0 ? [head] : []) : blob;
	if (!blob.readableEnded && head.length > 0) {
		blob.unshift(head);
	}

	rest.on('error', error => sink.destroy(error));
	rest.pipe(sink);
	return sink.contents;
}
