// An image archive file on disk, read by seeking: its tar headers are indexed first (a few reads, whatever the
// archive's size and wherever manifest.json sits), then only the blobs wanted are read. With a layer cache this
// skips the bytes of every cached layer: the config's diff_ids say which layers those are before any layer byte.
import {createReadStream} from 'node:fs';
import {type FileHandle, open} from 'node:fs/promises';
import path from 'node:path';
import type {LayerContents, RawImage} from '../analysis/types.js';
import {BlobSink, type DataSource, drainInto, jsonLimit, makeProgress, type ReadOptions} from './read-image.js';
import {assemble, type LayerStore} from './read-lazy.js';
import {FormatError, type ImagePlan, planImage} from './manifest.js';
import {decodeLatin1Name, headerName, normalizePath} from './names.js';

/** Where a regular file's data sits in the archive. */
type Member = {readonly offset: number; readonly size: number};

/** The archive's regular files and links by normalised name (a later entry of the same name wins, as in tar x). */
export type TarIndex = {
	readonly members: Map<string, Member>;
	readonly links: Map<string, string>;
};


const block = 512;

function octal(field: Buffer): number | undefined {
	if ((field[0]! & 0x80) !== 0) {
		// Base-256 (GNU): big-endian, first byte's top bit is the marker; positive values only here.
		let value = 0;
		for (let index = 1; index < field.length; index++) {
			value = (value * 256) + field[index]!;
		}

		return (field[0]! & 0x40) === 0 ? value + ((field[0]! & 0x3F) * (256 ** (field.length - 1))) : undefined;
	}

	const text = field.toString('latin1').replaceAll('\0', ' ').trim();
	return text === '' ? 0 : /^[0-7]+$/.test(text) ? Number.parseInt(text, 8) : undefined;
}

function checksumOk(header: Buffer): boolean {
	let sum = 0;
	for (let index = 0; index < block; index++) {
		sum += index >= 148 && index < 156 ? 32 : header[index]!;
	}

	return octal(header.subarray(148, 156)) === sum;
}

function cString(field: Buffer): string {
	const end = field.indexOf(0);
	return field.toString('latin1', 0, end < 0 ? field.length : end);
}

/** PAX records ("LEN key=value\n"…), by their length prefixes. */
function paxRecords(data: Buffer): Record<string, string> {
	const out: Record<string, string> = {};
	let offset = 0;
	while (offset < data.length) {
		const space = data.indexOf(0x20, offset);
		const length = space < 0 ? Number.NaN : Number(data.toString('latin1', offset, space));
		if (!Number.isSafeInteger(length) || length <= 0 || offset + length > data.length) {
			throw new FormatError('bad PAX record in the archive');
		}

		const record = data.toString('utf8', space + 1, offset + length - 1);
		const equals = record.indexOf('=');
		if (equals > 0) {
			out[record.slice(0, equals)] = record.slice(equals + 1);
		}

		offset += length;
	}

	return out;
}

/**
 * Index the outer tar of an archive file by reading only its headers. Undefined when the file is not a plain tar
 * this index reads (compressed, damaged, an unusual header): the caller streams it instead, which names the problem.
 */
export async function indexTar(file: string): Promise<TarIndex | undefined> {
	let handle: FileHandle;
	try {
		handle = await open(file, 'r');
	} catch {
		return undefined;
	}

	try {
		const {size: fileSize} = await handle.stat();
		const members = new Map<string, Member>();
		const links = new Map<string, string>();
		const header = Buffer.alloc(block);
		let position = 0;
		let longName: string | undefined;
		let pax: Record<string, string> | undefined;
		let entries = 0;
		const readData = async (size: number): Promise<Buffer> => {
			const data = Buffer.alloc(size);
			const {bytesRead} = await handle.read(data, 0, size, position + block);
			if (bytesRead !== size) {
				throw new FormatError('short read');
			}

			return data;
		};

		while (position + block <= fileSize) {
			const {bytesRead} = await handle.read(header, 0, block, position);
			if (bytesRead !== block) {
				return undefined;
			}

			if (header.every(byte => byte === 0)) {
				break; // The end marker.
			}

			if (!checksumOk(header)) {
				return undefined;
			}

			const size = octal(header.subarray(124, 136));
			if (size === undefined || position + block + size > fileSize) {
				return undefined;
			}

			const type = String.fromCodePoint(header[156]!);
			const next = position + block + (Math.ceil(size / block) * block);
			if (type === 'x' || type === 'L' || type === 'K') {
				if (size > jsonLimit) {
					return undefined;
				}

				const data = await readData(size);
				if (type === 'x') {
					pax = paxRecords(data);
				} else if (type === 'L') {
					longName = cString(data);
				}

				position = next;
				continue;
			}

			if (type === 'g') {
				position = next;
				continue;
			}

			entries++;
			const magic = header.toString('latin1', 257, 263);
			const prefix = magic === 'ustar\u0000' ? cString(header.subarray(345, 500)) : '';
			const rawName = longName ?? (prefix === '' ? cString(header.subarray(0, 100)) : `${prefix}/${cString(header.subarray(0, 100))}`);
			const name = normalizePath(headerName({name: rawName, pax}));
			const dataSize = pax?.['size'] === undefined ? size : Number(pax['size']);
			if (!Number.isSafeInteger(dataSize) || dataSize !== size) {
				return undefined; // A PAX size beyond the header's: leave it to the streaming reader.
			}

			if (type === '0' || type === '\u0000' || type === '7') {
				members.set(name, {offset: position + block, size});
				links.delete(name);
			} else if (type === '1' || type === '2') {
				const target = pax?.['linkpath'] ?? decodeLatin1Name(cString(header.subarray(157, 257)));
				if (target !== '') {
					links.set(name, type === '1' ? normalizePath(target) : normalizePath(path.posix.join(path.posix.dirname(name), target)));
				}
			}

			longName = undefined;
			pax = undefined;
			position = next;
		}

		return entries === 0 ? undefined : {members, links};
	} catch {
		return undefined;
	} finally {
		await handle.close();
	}
}

/**
 * Read an image from an indexed archive file: JSON documents and uncached layers from their byte ranges, cached
 * layers from the store; undefined (nothing read but the JSON documents) when the store holds none of its layers. Layers read are parsed with their diff_id computed; those that match the config's diff_id
 * go to `store.verified`. Errors are the streaming reader's (FormatError, one line).
 */
export async function readIndexedArchive(file: string, index: TarIndex, store: LayerStore, options: ReadOptions): Promise<RawImage | undefined> {
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
	const documents = new Map<string, unknown>();
	const handle = await open(file, 'r');
	let plan: ImagePlan | undefined;
	try {
		for (let round = 0; plan === undefined; round++) {
			let wanted: string | undefined;
			try {
				plan = planImage(name => {
					const resolved = resolveLink(name);
					if (!documents.has(resolved) && round < 16) {
						wanted = resolved;
						throw new NeedDocument();
					}

					return documents.get(resolved);
				}, {platform: options.platform, tag: options.tag});
			} catch (error) {
				if (!(error instanceof NeedDocument) || wanted === undefined) {
					throw error;
				}

				documents.set(wanted, await readJson(handle, index.members.get(wanted), wanted));
			}
		}
	} finally {
		await handle.close();
	}

	const cachedLayers: Array<LayerContents | undefined> = [];
	for (const [layerIndex, ref] of plan.layers.entries()) {
		const diffId = plan.diffIds[layerIndex] ?? '';
		// A layer named twice is looked up once.
		const earlier = plan.diffIds.indexOf(diffId);
		cachedLayers.push(diffId === '' || !index.members.has(resolveLink(ref.path)) ? undefined
			: earlier < layerIndex ? cachedLayers[earlier] : await store.get(diffId));
	}

	if (cachedLayers.every(layer => layer === undefined)) {
		return undefined;
	}

	const contents: LayerContents[] = [];
	for (const [layerIndex, ref] of plan.layers.entries()) {
		const member = index.members.get(resolveLink(ref.path));
		if (member === undefined) {
			throw new FormatError(`layer ${ref.path} is missing from the archive`);
		}

		const diffId = plan.diffIds[layerIndex] ?? '';
		const cached = cachedLayers[layerIndex];
		if (cached !== undefined) {
			contents.push(cached);
			progress.bytes += member.size;
			progress.entries += cached.entries.length;
			progress.layersDone++;
			progress.layersFromCache++;
			progress.report();
			continue;
		}

		const sink = new BlobSink(progress, true);
		const stream = member.size === 0 ? undefined : createReadStream(file, {start: member.offset, end: member.offset + member.size - 1, highWaterMark: 1024 * 1024});
		if (stream === undefined) {
			await sink.end();
		} else {
			await drainInto(stream as DataSource, sink, count => {
				progress.bytes += count;
			}).catch((error: unknown) => {
				const code = (error as NodeJS.ErrnoException).code;
				throw code === undefined ? error : new FormatError(`cannot read layer ${ref.path}: ${code}`);
			});
		}

		if (sink.layer === undefined) {
			throw new FormatError(`layer ${ref.path} is not a tar, gzip or zstd blob`);
		}

		if (sink.failure !== undefined) {
			throw new FormatError(`layer ${ref.path}: ${sink.failure.message}`);
		}

		const layer = await sink.layer.contents;
		if (diffId !== '' && layer.diffId === diffId) {
			store.verified?.(diffId, layer);
		}

		contents.push(layer);
	}

	return assemble(plan, options.name, layerIndex => contents[layerIndex]!, resolveLink);
}

/** Thrown inside planImage's lookup to fetch a document first. */
class NeedDocument extends Error {}

/** A small member's JSON (undefined when absent, too large, or not JSON: planImage names what is missing). */
async function readJson(handle: FileHandle, member: Member | undefined, name: string): Promise<unknown> {
	if (member === undefined || member.size > jsonLimit) {
		return undefined;
	}

	const data = Buffer.alloc(member.size);
	await handle.read(data, 0, member.size, member.offset);
	const first = data.find(byte => byte !== 0x20 && byte !== 0x0A && byte !== 0x0D && byte !== 0x09);
	if (first !== 0x7B && first !== 0x5B) {
		return undefined;
	}

	try {
		return JSON.parse(data.toString('utf8')) as unknown;
	} catch (error) {
		throw new FormatError(`${name} is not valid JSON: ${(error as Error).message}`);
	}
}
