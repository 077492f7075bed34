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

export async function writeOutput(target: string, text: OutputText): Promise<void> {
	if (target === '-') {
		await writeStdout(text);
		return;
	}

	try {
		let real = target;
		try {
			real = await fs.realpath(target);
		} catch {
			// Does not exist yet (or a dangling link): written as a new file.
		}

		const existing = await fs.stat(real).catch(() => undefined);
		if (existing?.isDirectory() === true) {
			throw new OutputError(`cannot write ${target}: it is a directory`);
		}

		if (isDescriptorPath(target) || (existing !== undefined && !existing.isFile())) {
			await writeFileChunks(real, text);
			return;
		}

		const temporary = path.join(path.dirname(path.resolve(real)), `.${path.basename(real)}.${randomBytes(6).toString('hex')}.tmp`);
		try {
			await writeFileChunks(temporary, text, existing === undefined ? 0o644 : existing.mode & 0o777);
			await fs.rename(temporary, real);
		} catch (error) {
			await fs.rm(temporary, {force: true});
			throw error;
		}
	} catch (error) {
		if (error instanceof OutputError) {
			throw error;
		}

		const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
		throw new OutputError(`cannot write ${target}: ${code}`);
	}
}
