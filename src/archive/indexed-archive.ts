// An image archive file on disk, read by seeking: its tar headers are indexed first (a few reads, whatever the
// archive's size and wherever manifest.json sits; the index of archive-member.ts), then only the blobs wanted are
// read. With a layer cache this skips the bytes of every cached layer: the config's diff_ids say which layers those
// are before any layer byte.
import {type FileHandle, open} from 'node:fs/promises';
import path from 'node:path';
import type {LayerContents, RawImage} from '../analysis/types.js';
import {BlobSink, type DataSource, drainInto, jsonLimit, makeProgress, type ReadOptions} from './read-image.js';
import {assemble, type LayerStore} from './read-lazy.js';
import type {ShareableLayer, ShareAnswer} from './layer-share.js';
import {FormatError, type ImagePlan, planImage} from './manifest.js';
import {type KeptJson, keepJson, oversizeJson, useJson} from './metadata.js';
import {normalizePath} from './names.js';
import {escapeName, terminalSafe} from '../report/escape.js';
import {type IndexedMember, indexTarFile} from './archive-member.js';
import {fileChunks} from './file-chunks.js';

/** Where a regular file's data sits in the archive. */
type Member = {readonly offset: number; readonly size: number};

/** The archive's regular files and links by normalised name (a later entry of the same name wins, as in tar x). */
export type TarIndex = {
	readonly members: Map<string, Member>;
	readonly links: Map<string, string>;
};

/**
 * Index the outer tar of an archive file by reading only its headers (archive-member.ts's index). Undefined when
 * the file is not a plain tar it reads (compressed, or past its limits): the caller streams it instead, which names
 * any problem.
 */
export async function indexTar(file: string): Promise<TarIndex | undefined> {
	let indexed: Map<string, IndexedMember> | undefined;
	try {
		indexed = await indexTarFile(file);
	} catch {
		return undefined;
	}

	if (indexed === undefined || indexed.size === 0) {
		return undefined;
	}

	const members = new Map<string, Member>();
	const links = new Map<string, string>();
	for (const [name, member] of indexed) {
		if (member.type === '0') {
			members.set(name, {offset: member.offset, size: member.size});
		} else if ((member.type === '1' || member.type === '2') && member.linkName !== '') {
			links.set(name, member.type === '1' ? normalizePath(member.linkName) : normalizePath(path.posix.join(path.posix.dirname(name), member.linkName)));
		}
	}

	return {members, links};
}

/**
 * Read an image from an indexed archive file: JSON documents and uncached layers from their byte ranges, cached
 * layers from the store; undefined (nothing read but the JSON documents) when there is no `options.share` and the
 * store holds none of its layers. With a store, layers read are parsed with their diff_id computed; those that
 * match the config's diff_id go to `store.verified`. With `options.share` (layer-share.ts) the layers not cached are
 * offered to it first: those it answers 'wait' for come from the other reader (read here after all when it could
 * not), after this reader has parsed its own. Errors are the streaming reader's (FormatError, one line).
 */
export async function readIndexedArchive(file: string, index: TarIndex, store: LayerStore | undefined, options: ReadOptions): Promise<RawImage | undefined> {
	const progress = makeProgress(options);
	const resolveLink = (name: string): string => {
		let current = name;
		for (let hops = 0; hops < 16 && index.links.has(current); hops++) {
			current = index.links.get(current)!;
		}

		return current;
	};

	// planImage's lookups are synchronous: when it asks for a document not read yet, read it and plan again
	// (a handful of rounds: manifest.json or index.json, [an index,] a manifest, a config).
	const documents = new Map<string, KeptJson | undefined>();
	const handle = await open(file, 'r');
	let plan: ImagePlan | undefined;
	try {
		for (let round = 0; plan === undefined; round++) {
			let wanted: string | undefined;
			try {
				plan = planImage((name, role) => {
					const resolved = resolveLink(name);
					if (!documents.has(resolved) && round < 16) {
						wanted = resolved;
						throw new NeedDocument();
					}

					const kept = documents.get(resolved);
					if (kept === undefined) {
						return undefined;
					}

					// The same budgets as the streaming reader (metadata.ts).
					const use = useJson(name, kept, role);
					if ('problem' in use) {
						throw new FormatError(use.problem);
					}

					return use.value;
				}, {platform: options.platform, tag: options.tag});
			} catch (error) {
				if (!(error instanceof NeedDocument) || wanted === undefined) {
					throw error;
				}

				documents.set(wanted, await readJson(handle, index.members.get(wanted)));
			}
		}
	} finally {
		await handle.close();
	}

	const {share} = options;
	// With a share, which layers the store holds is asked first (nothing decoded) and told to the share with the
	// layers to parse; the stored ones are decoded once it has answered (a compare worker may be told to hand its
	// image over before that). A stored layer that then cannot be decoded is parsed here.
	const lookFirst = share !== undefined && store?.has !== undefined;
	const stored: boolean[] = [];
	const cachedLayers: Array<LayerContents | undefined> = [];
	for (const [layerIndex, ref] of plan.layers.entries()) {
		const diffId = plan.diffIds[layerIndex] ?? '';
		// A layer named twice is looked up once.
		const earlier = plan.diffIds.indexOf(diffId);
		const usable = store !== undefined && diffId !== '' && index.members.has(resolveLink(ref.path)) && share?.fromStore?.(diffId) !== false;
		if (!usable || lookFirst) {
			cachedLayers.push(undefined);
			stored.push(usable && (earlier < layerIndex ? stored[earlier]! : await store.has!(diffId)));
		} else {
			cachedLayers.push(earlier < layerIndex ? cachedLayers[earlier] : await store.get(diffId));
			stored.push(cachedLayers[layerIndex] !== undefined);
		}
	}

	if (share === undefined && cachedLayers.every(layer => layer === undefined)) {
		return undefined;
	}

	// The layers not cached, offered to the share (once per diff_id): which to parse here, which to wait for.
	const answers = new Map<string, ShareAnswer>();
	if (share !== undefined) {
		const offered = new Map<string, ShareableLayer>();
		const cached = new Set<string>();
		for (const [layerIndex, ref] of plan.layers.entries()) {
			const diffId = plan.diffIds[layerIndex] ?? '';
			const member = index.members.get(resolveLink(ref.path));
			if (stored[layerIndex] === true) {
				cached.add(diffId);
			} else if (diffId !== '' && member !== undefined && !offered.has(diffId)) {
				offered.set(diffId, {diffId, bytes: member.size, location: {file, offset: member.offset, size: member.size}});
			}
		}

		const said = await share.plan([...offered.values()], [...cached]);
		for (const [position, diffId] of [...offered.keys()].entries()) {
			answers.set(diffId, said[position] ?? {kind: 'read', share: false});
		}

		if (lookFirst) {
			for (const layerIndex of plan.layers.keys()) {
				const diffId = plan.diffIds[layerIndex] ?? '';
				const earlier = plan.diffIds.indexOf(diffId);
				if (stored[layerIndex] === true) {
					cachedLayers[layerIndex] = earlier < layerIndex ? cachedLayers[earlier] : await store!.get(diffId);
				}
			}
		}
	}

	const readLayer = async (layerIndex: number): Promise<LayerContents> => {
		const ref = plan.layers[layerIndex]!;
		const member = index.members.get(resolveLink(ref.path));
		if (member === undefined) {
			throw new FormatError(`layer ${escapeName(ref.path)} is missing from the archive`);
		}

		const diffId = plan.diffIds[layerIndex] ?? '';
		const answer = answers.get(diffId);
		const shared = answer?.kind === 'read' && answer.share;
		// The bytes are hashed when the layer can go to the cache (which keeps only verified layers); the other reader
		// of a share checks blobs by their bytes instead (layer-share.ts).
		const sink = new BlobSink(progress, store !== undefined);
		const stream = member.size === 0 ? undefined : fileChunks(file, {start: member.offset, end: member.offset + member.size - 1});
		if (stream === undefined) {
			await sink.end();
		} else {
			await drainInto(stream as DataSource, sink, count => {
				progress.bytes += count;
			}).catch((error: unknown) => {
				const code = (error as NodeJS.ErrnoException).code;
				throw code === undefined ? error : new FormatError(`cannot read layer ${escapeName(ref.path)}: ${code}`);
			});
		}

		if (!sink.isLayer) {
			throw new FormatError(`layer ${escapeName(ref.path)} is not a tar, gzip or zstd blob`);
		}

		if (sink.failure !== undefined || sink.layerContents === undefined) {
			throw new FormatError(`layer ${escapeName(ref.path)}: ${terminalSafe(sink.failure?.message ?? 'not read')}`);
		}

		const layer = sink.layerContents;
		if (diffId !== '' && layer.diffId === diffId) {
			store?.verified?.(diffId, layer);
		}

		if (shared) {
			share!.read(diffId, layer);
		}

		return layer;
	};

	const taken = (layer: LayerContents, size: number, fromStore: boolean): void => {
		progress.bytes += size;
		progress.entries += layer.entries.length;
		progress.layersDone++;
		if (fromStore) {
			progress.layersFromCache++;
		}

		progress.report();
	};

	// First every layer parsed here, then the ones the other reader parses: by then they are often there, and
	// waiting earlier would leave this thread idle.
	const contents: Array<LayerContents | undefined> = [];
	for (const [layerIndex, ref] of plan.layers.entries()) {
		const diffId = plan.diffIds[layerIndex] ?? '';
		const cached = cachedLayers[layerIndex];
		if (cached !== undefined) {
			contents.push(cached);
			taken(cached, index.members.get(resolveLink(ref.path))?.size ?? 0, true);
		} else if (answers.get(diffId)?.kind === 'wait') {
			contents.push(undefined);
		} else {
			contents.push(await readLayer(layerIndex));
		}
	}

	for (const [layerIndex, ref] of plan.layers.entries()) {
		const answer = answers.get(plan.diffIds[layerIndex] ?? '');
		if (contents[layerIndex] !== undefined || answer?.kind !== 'wait') {
			continue;
		}

		const given = await answer.contents;
		if (given === undefined) {
			contents[layerIndex] = await readLayer(layerIndex);
		} else {
			contents[layerIndex] = given;
			taken(given, index.members.get(resolveLink(ref.path))?.size ?? 0, false);
		}
	}

	return assemble(plan, options.name, layerIndex => contents[layerIndex]!, resolveLink);
}

/** Thrown inside planImage's lookup to fetch a document first. */
class NeedDocument extends Error {}

/**
 * A member's JSON as the streaming reader keeps it (undefined when absent or not JSON: planImage names what is
 * missing).
 */
async function readJson(handle: FileHandle, member: Member | undefined): Promise<KeptJson | undefined> {
	if (member === undefined) {
		return undefined;
	}

	if (member.size > jsonLimit) {
		return oversizeJson(member.size);
	}

	const data = Buffer.alloc(member.size);
	await handle.read(data, 0, member.size, member.offset);
	const first = data.find(byte => byte !== 0x20 && byte !== 0x0A && byte !== 0x0D && byte !== 0x09);
	if (first !== 0x7B && first !== 0x5B) {
		return undefined;
	}

	return keepJson(data);
}
