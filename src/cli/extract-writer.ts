// Writing an extraction: into a directory (only below it, ever) or as a tar stream.
//
// Safety, for images nobody vetted: every name is relative and clean (the reader cleans `..` and leading `/`
// as Go's path.Clean does); directories are created by us before anything goes in them; files are opened with
// O_NOFOLLOW|O_EXCL so nothing is written through a link; symlinks are created last, after every file, so no
// later write can pass through one; hardlinks only link two files of this extraction. Names are written byte for
// byte (invalid UTF-8 included).
import {constants, promises as fs} from 'node:fs';
import path from 'node:path';
import {Readable, type Writable} from 'node:stream';
import tarStream, {type Header} from 'tar-stream';
import type {LayerEntry} from '../analysis/types.js';
import {readLayerFiles} from '../archive/layer-files.js';
import {encodeNameBytes} from '../archive/names.js';
import {escapeName} from '../report/escape.js';
import type {ExtractItem, ExtractPlan} from './content.js';
import type {LayerOpener} from './layer-blob.js';

export class ExtractError extends Error {}

/** What an extraction wrote. */
export type ExtractResult = {
	readonly directories: number;
	readonly files: number;
	readonly symlinks: number;
	readonly hardlinks: number;
	/** Bytes of file content written. */
	readonly bytes: number;
	/** Character/block devices and FIFOs not written (no mknod here), by path. */
	readonly skipped: readonly string[];
};

export type ExtractOptions = {
	/** Write into a non-empty directory (replacing what is in the way). */
	readonly force?: boolean;
	/** Restore uid/gid (only when running as root) and setuid/setgid/sticky bits. */
	readonly sameOwner?: boolean;
	readonly signal?: AbortSignal;
};

const fileFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

type Group = {layer: number; tarPath: string; items: ExtractItem[]};

/** Files grouped by the layer entry that holds their bytes (hardlinks of one file share a group). */
function contentGroups(items: readonly ExtractItem[]): Map<number, Map<string, Group>> {
	const byLayer = new Map<number, Map<string, Group>>();
	for (const item of items) {
		const type = item.node.entry?.type;
		if (item.content === undefined || (type !== 'file' && type !== 'hardlink')) {
			continue;
		}

		const {layer, entry} = item.content;
		let groups = byLayer.get(layer);
		if (groups === undefined) {
			groups = new Map();
			byLayer.set(layer, groups);
		}

		let group = groups.get(entry.path);
		if (group === undefined) {
			group = {layer, tarPath: entry.path, items: []};
			groups.set(entry.path, group);
		}

		group.items.push(item);
	}

	return byLayer;
}

function modeOf(entry: LayerEntry | undefined, fallback: number, special: boolean): number {
	const mode = entry?.mode ?? fallback;
	return special ? mode & 0o7777 : mode & 0o777;
}

function mtimeOf(entry: LayerEntry | undefined): Date | undefined {
	return entry?.mtime === undefined ? undefined : new Date(entry.mtime * 1000);
}

async function isEmptyDirectory(dir: string): Promise<boolean> {
	const handle = await fs.opendir(dir);
	try {
		return (await handle.read()) === null;
	} finally {
		await handle.close().catch(() => undefined);
	}
}

/** Remove what is in the way of a new entry (only with --force); never a directory we would have to empty. */
async function clearWay(target: Buffer, keepDirectory: boolean): Promise<'directory' | 'cleared' | 'free'> {
	const stat = await fs.lstat(target).catch(() => undefined);
	if (stat === undefined) {
		return 'free';
	}

	if (stat.isDirectory()) {
		if (keepDirectory) {
			return 'directory';
		}

		await fs.rm(target, {recursive: true, force: true});
		return 'cleared';
	}

	await fs.unlink(target);
	return 'cleared';
}

/**
 * Write the plan below `output` (created when missing; a non-empty one is refused unless `force`).
 * ExtractError (one line) for a refused or unwritable output.
 */
export async function extractToDirectory(plan: ExtractPlan, open: LayerOpener, output: string, options: ExtractOptions = {}): Promise<ExtractResult> {
	const shownOutput = escapeName(output);
	const existing = await fs.stat(output).catch(() => undefined);
	if (existing === undefined) {
		await fs.mkdir(output, {recursive: true}).catch((error: unknown) => {
			throw new ExtractError(`cannot create ${shownOutput}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
		});
	} else if (!existing.isDirectory()) {
		throw new ExtractError(`${shownOutput} exists and is not a directory`);
	} else if (options.force !== true && !(await isEmptyDirectory(output))) {
		throw new ExtractError(`${shownOutput} is not empty: name a new or empty directory, or add --force to write into it`);
	}

	const base = Buffer.from(`${await fs.realpath(output)}/`);
	const target = (relative: string): Buffer => (relative === '' ? base.subarray(0, base.length - 1) : Buffer.concat([base, encodeNameBytes(relative)]));
	const asRoot = process.getuid?.() === 0;
	const sameOwner = options.sameOwner === true && asRoot;
	const result = {directories: 0, files: 0, symlinks: 0, hardlinks: 0, bytes: 0, skipped: [] as string[]};
	const force = options.force === true;

	// 1. Directories, parents first, writable by us until the end.
	const directories: ExtractItem[] = [];
	for (const item of plan.items) {
		if (item.node.children === undefined) {
			continue;
		}

		directories.push(item);
		if (item.relative === '') {
			continue;
		}

		const where = target(item.relative);
		if (force && (await clearWay(where, true)) === 'directory') {
			continue;
		}

		await fs.mkdir(where, {mode: 0o700});
		result.directories++;
	}

	// 2. Files, one layer at a time, each layer read once.
	const byLayer = contentGroups(plan.items);
	for (const layer of [...byLayer.keys()].sort((a, b) => a - b)) {
		const groups = byLayer.get(layer)!;
		const blob = await open(layer, options.signal);
		const found = await readLayerFiles(blob, new Set(groups.keys()), async (_entry, body) => {
			const group = groups.get(_entry.path)!;
			const [first, ...others] = group.items;
			const where = target(first!.relative);
			if (force) {
				await clearWay(where, false);
			}

			const handle = await fs.open(where, fileFlags, 0o600);
			try {
				for await (const chunk of body) {
					await handle.write(chunk);
					result.bytes += chunk.length;
				}

				// Hardlinks share one inode: its metadata is the file entry's. Owner first: chown clears setuid/setgid.
				if (sameOwner && first!.content !== undefined) {
					await handle.chown(first!.content.entry.uid, first!.content.entry.gid);
				}

				await handle.chmod(modeOf(first!.content?.entry, 0o644, sameOwner));

				const mtime = mtimeOf(first!.content?.entry);
				if (mtime !== undefined) {
					await handle.utimes(mtime, mtime);
				}
			} finally {
				await handle.close();
			}

			result.files++;
			for (const other of others) {
				const otherWhere = target(other.relative);
				if (force) {
					await clearWay(otherWhere, false);
				}

				await fs.link(where, otherWhere);
				result.hardlinks++;
			}
		});
		if (found.size !== groups.size) {
			const missing = [...groups.keys()].find(name => !found.has(name))!;
			throw new ExtractError(`layer ${layer} no longer holds /${escapeName(missing)} (did the image change since it was read?)`);
		}
	}

	// 3. Symlinks last: nothing is written after them, so nothing can be written through one.
	for (const item of plan.items) {
		const entry = item.node.entry;
		if (entry === undefined || item.node.children !== undefined) {
			continue;
		}

		if (entry.type === 'symlink') {
			const where = target(item.relative);
			if (force) {
				await clearWay(where, false);
			}

			await fs.symlink(encodeNameBytes(entry.linkTarget ?? ''), where);
			const mtime = mtimeOf(entry);
			if (mtime !== undefined) {
				await fs.lutimes(where, mtime, mtime).catch(() => undefined);
			}

			if (sameOwner) {
				await fs.lchown(where, entry.uid, entry.gid);
			}

			result.symlinks++;
		} else if (entry.type === 'char' || entry.type === 'block' || entry.type === 'fifo') {
			result.skipped.push(`/${item.node.path}`);
		} else if (entry.type === 'hardlink' && item.content === undefined) {
			result.skipped.push(`/${item.node.path}`);
		}
	}

	// 4. Directory modes and times, deepest first (a read-only directory is closed only once it is full).
	for (let index = directories.length - 1; index >= 0; index--) {
		const item = directories[index]!;
		const where = target(item.relative);
		const {entry} = item.node;
		if (sameOwner && entry !== undefined) {
			await fs.lchown(where, entry.uid, entry.gid);
		}

		await fs.chmod(where, modeOf(entry, 0o755, sameOwner));

		const mtime = mtimeOf(entry);
		if (mtime !== undefined) {
			await fs.utimes(where, mtime, mtime);
		}
	}

	return result;
}

/**
 * Write the plan as a tar stream to `out` (what `--output DIR` would write, as a tar: directories first, then
 * files layer by layer, hardlinks as links to the first copy, then symlinks).
 */
export async function extractToTar(plan: ExtractPlan, open: LayerOpener, out: Writable, options: ExtractOptions = {}): Promise<ExtractResult> {
	const pack = tarStream.pack();
	const piped = new Promise<void>((resolve, reject) => {
		out.on('error', reject);
		pack.on('error', reject);
		pack.on('end', resolve);
	});
	const readable = Readable.from(pack as unknown as AsyncIterable<Buffer>);
	readable.pipe(out, {end: out !== process.stdout});
	const result = {directories: 0, files: 0, symlinks: 0, hardlinks: 0, bytes: 0, skipped: [] as string[]};
	const name = (item: ExtractItem, directory: boolean): string => {
		const relative = item.relative === '' ? '.' : item.relative;
		return directory ? `${relative}/` : relative;
	};

	const header = (entry: LayerEntry | undefined, fallback: number): {mode: number; uid: number; gid: number; mtime: Date} => ({
		mode: entry?.mode ?? fallback,
		uid: entry?.uid ?? 0,
		gid: entry?.gid ?? 0,
		mtime: mtimeOf(entry) ?? new Date(0),
	});

	const add = async (headers: Partial<Header> & {name: string}, body?: AsyncIterable<Buffer>): Promise<void> => {
		await new Promise<void>((resolve, reject) => {
			const entry = pack.entry(headers as Header, error => {
				if (error) {
					reject(error);
				} else {
					resolve();
				}
			});
			if (body === undefined) {
				return;
			}

			(async () => {
				for await (const chunk of body) {
					result.bytes += chunk.length;
					if (!entry.write(chunk)) {
						await new Promise<void>(drained => {
							entry.once('drain', drained);
						});
					}
				}

				entry.end(undefined);
			})().catch(reject);
		});
	};

	for (const item of plan.items) {
		if (item.node.children !== undefined) {
			await add({name: name(item, true), type: 'directory', ...header(item.node.entry, 0o755)});
			result.directories++;
		}
	}

	const byLayer = contentGroups(plan.items);
	for (const layer of [...byLayer.keys()].sort((a, b) => a - b)) {
		const groups = byLayer.get(layer)!;
		const blob = await open(layer, options.signal);
		await readLayerFiles(blob, new Set(groups.keys()), async (entry, body) => {
			const group = groups.get(entry.path)!;
			const [first, ...others] = group.items;
			await add({name: name(first!, false), type: 'file', size: entry.size, ...header(entry, 0o644)}, body);
			result.files++;
			for (const other of others) {
				await add({name: name(other, false), type: 'link', linkname: name(first!, false), ...header(entry, 0o644)});
				result.hardlinks++;
			}
		});
	}

	for (const item of plan.items) {
		const entry = item.node.entry;
		if (entry === undefined || item.node.children !== undefined) {
			continue;
		}

		if (entry.type === 'symlink') {
			await add({name: name(item, false), type: 'symlink', linkname: entry.linkTarget ?? '', ...header(entry, 0o777)});
			result.symlinks++;
		} else if (entry.type === 'char' || entry.type === 'block' || entry.type === 'fifo' || (entry.type === 'hardlink' && item.content === undefined)) {
			result.skipped.push(`/${item.node.path}`);
		}
	}

	pack.finalize();
	await piped;
	return result;
}

/** Where a relative name would land below `output` (for messages). */
export function describeOutput(output: string): string {
	return escapeName(path.resolve(output));
}
