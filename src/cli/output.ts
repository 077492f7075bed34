// Writing an output (JSON, JUnit…) to a file or stdout. A regular file is replaced atomically (a temporary file
// and a rename in its directory), so a failed run never leaves a partial file. A symlink is followed: the file it
// points to is replaced, the link stays. `-`, and anything that is not a regular file (a pipe, a device such as
// /dev/null, /dev/stdout → /proc/self/fd/1, whatever that descriptor is) are written directly, never replaced.
// Text may come as chunks (an iterable of strings): they are written as they come, waiting for the destination to
// drain (backpressure), so a large output is never held whole.
import {randomBytes} from 'node:crypto';
import {createWriteStream, promises as fs} from 'node:fs';
import path from 'node:path';
import {Readable, type Writable} from 'node:stream';
import {pipeline} from 'node:stream/promises';
import {escapeName} from '../report/escape.js';
import {systemErrorText} from '../report/system-error.js';

export class OutputError extends Error {}

/** What an output holds: the whole text, or its chunks in order. */
export type OutputText = string | Iterable<string> | AsyncIterable<string>;

async function writeStdout(text: OutputText): Promise<void> {
	const chunks = typeof text === 'string' ? [text] : text;
	for await (const chunk of chunks) {
		await writeChunk(process.stdout, chunk);
	}
}

/** Write one chunk and wait until the stream has taken it (its callback), so memory stays at one chunk. */
async function writeChunk(stream: Writable, chunk: string): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		stream.write(chunk, error => {
			if (error) {
				reject(error);
			} else {
				resolve();
			}
		});
	});
}

/** Write to a file (created or truncated, as fs.writeFile would). */
async function writeFileChunks(file: string, text: OutputText, mode?: number): Promise<void> {
	if (typeof text === 'string') {
		await fs.writeFile(file, text, mode === undefined ? {} : {mode});
		return;
	}

	await pipeline(Readable.from(text, {objectMode: false}), createWriteStream(file, mode === undefined ? {} : {mode}));
}

/** Paths that name a process's descriptors or devices: always written in place, whatever they resolve to. */
function isDescriptorPath(file: string): boolean {
	return /^\/(?:dev|proc\/self\/fd|proc\/\d+\/fd)\//.test(path.resolve(file));
}

/** A failure of the file system (it has an errno code), as opposed to one of the text's producer. */
function isSystemError(error: unknown): boolean {
	return typeof (error as {code?: unknown} | undefined)?.code === 'string' && typeof (error as {syscall?: unknown}).syscall === 'string';
}

/**
 * Writes `text` to `target` (see the top of this file). Throws OutputError, one line saying which step failed and
 * what to do; an error of the text's producer (a chunk iterable that throws) is rethrown as it is, nothing left behind.
 */
export async function writeOutput(target: string, text: OutputText): Promise<void> {
	if (target === '-') {
		await writeStdout(text);
		return;
	}

	const shown = escapeName(target);
	let real = target;
	try {
		real = await fs.realpath(target);
	} catch {
		// Does not exist yet (or a dangling link): written as a new file.
	}

	const existing = await fs.stat(real).catch(() => undefined);
	if (existing?.isDirectory() === true) {
		throw new OutputError(`cannot write ${shown}: it is a directory; name a file in it, or - for stdout`);
	}

	if (isDescriptorPath(target) || (existing !== undefined && !existing.isFile())) {
		try {
			await writeFileChunks(real, text);
		} catch (error) {
			throw isSystemError(error) ? new OutputError(`cannot write ${shown}: ${systemErrorText(error)}`) : error;
		}

		return;
	}

	const directory = path.dirname(path.resolve(real));
	const directoryStats = await fs.stat(directory).catch(() => undefined);
	if (directoryStats === undefined) {
		throw new OutputError(`cannot write ${shown}: the directory ${escapeName(directory)} does not exist; create it first, or write elsewhere (- for stdout)`);
	}

	if (!directoryStats.isDirectory()) {
		throw new OutputError(`cannot write ${shown}: ${escapeName(directory)} is not a directory`);
	}

	const temporary = path.join(directory, `.${path.basename(real)}.${randomBytes(6).toString('hex')}.tmp`);
	const mode = existing === undefined ? 0o644 : existing.mode & 0o777;
	try {
		// Created empty first, so that a directory that takes no new file is told apart from a failed write.
		await fs.writeFile(temporary, '', {mode, flag: 'wx'});
	} catch (error) {
		const reason = systemErrorText(error);
		throw new OutputError(existing === undefined
			? `cannot write ${shown}: cannot create a file in ${escapeName(directory)} (${reason}); write to a directory you can write to, or - for stdout`
			: `cannot write ${shown}: it exists, but it is replaced by writing a new file beside it, and ${escapeName(directory)} does not allow that (${reason}); write to a directory you can write to, or - for stdout`);
	}

	try {
		await writeFileChunks(temporary, text, mode);
	} catch (error) {
		await fs.rm(temporary, {force: true}).catch(() => undefined);
		throw isSystemError(error) ? new OutputError(`cannot write ${shown}: ${systemErrorText(error)}`) : error;
	}

	try {
		await fs.rename(temporary, real);
	} catch (error) {
		await fs.rm(temporary, {force: true}).catch(() => undefined);
		throw new OutputError(`cannot write ${shown}: cannot put the new file in its place (${systemErrorText(error)})`);
	}
}
