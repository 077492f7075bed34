// Writing an output (JSON, JUnit…) to a file or stdout, never less safely than a shell's `> FILE` would.
//
// - `-` is stdout.
// - A path that does not exist yet, or a regular file of the caller's (one link, in a directory the caller can
//   write), is replaced atomically: a temporary `.NAME.HEX.tmp` beside it (created exclusively, never through a
//   symlink), then a rename. A failed or interrupted run (SIGINT/SIGTERM: see removeTemporaryFiles) leaves the old
//   file intact and no temporary file behind.
// - Anything else is opened by the kernel exactly as `> FILE` opens it, and written in place: a symlink (the
//   kernel follows it, so fs.protected_symlinks applies), a device or FIFO (/dev/null, /dev/stdout → a pipe), a
//   file of another user or with other hard links (replacing it would change its owner or break the link), a
//   file in a directory the caller cannot write. The kernel checks the permissions: a read-only file is never
//   replaced.
// - A symlink owned by someone else in a sticky world-writable directory (/tmp) is refused outright, as the
//   kernel's protected_symlinks does, whether or not the host enables it: it is how another user redirects a
//   root-run `--json /tmp/report.json` onto /etc/passwd.
// No path is ever resolved in user space (no realpath/readlink): what is opened is what the kernel resolves.
// Text may come as chunks (an iterable of strings): they are written as they come, waiting for the destination to
// drain (backpressure), so a large output is never held whole.
import {randomBytes} from 'node:crypto';
import {closeSync, constants, createWriteStream, openSync, promises as fs, type Stats, unlinkSync} from 'node:fs';
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

/** Write to an open descriptor (closed afterwards, whatever happens). */
async function writeDescriptor(fd: number, text: OutputText): Promise<void> {
	const stream = createWriteStream('', {fd, autoClose: true});
	await pipeline(Readable.from(typeof text === 'string' ? [text] : text, {objectMode: false}), stream);
}

/** A failure of the file system (it has an errno code), as opposed to one of the text's producer. */
function isSystemError(error: unknown): boolean {
	return typeof (error as {code?: unknown} | undefined)?.code === 'string' && typeof (error as {syscall?: unknown}).syscall === 'string';
}

/** Temporary files being written now: removed by removeTemporaryFiles when a signal ends the process. */
const temporaries = new Set<string>();

/**
 * Remove every temporary output file still being written (synchronous: for a SIGINT/SIGTERM handler that exits
 * right after). The file being replaced is untouched.
 */
export function removeTemporaryFiles(): void {
	for (const file of temporaries) {
		try {
			unlinkSync(file);
		} catch {
			// Gone already.
		}
	}

	temporaries.clear();
}

const euid = (): number => process.geteuid?.() ?? -1;

/** As the kernel's protected_symlinks: a link in a sticky, world-writable directory that neither we nor the directory's owner own. */
function isForeignStickyLink(link: Stats, directory: Stats): boolean {
	const sticky = (directory.mode & 0o1000) !== 0 && (directory.mode & 0o002) !== 0;
	return sticky && link.uid !== euid() && link.uid !== directory.uid;
}

async function canWrite(file: string): Promise<boolean> {
	return fs.access(file, constants.W_OK).then(() => true, () => false);
}

/** Open as `> FILE` does (O_WRONLY|O_CREAT|O_TRUNC, the kernel resolving any symlink and checking permissions). */
async function writeInPlace(target: string, shown: string, text: OutputText): Promise<void> {
	let fd: number;
	try {
		fd = openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644);
	} catch (error) {
		throw new OutputError(`cannot write ${shown}: ${systemErrorText(error)}`);
	}

	try {
		await writeDescriptor(fd, text);
	} catch (error) {
		throw isSystemError(error) ? new OutputError(`cannot write ${shown}: ${systemErrorText(error)}`) : error;
	}
}

/** Write a temporary file beside `target` and rename it over `target`. */
async function replaceAtomically(target: string, shown: string, directory: string, text: OutputText, replacing: boolean, mode: number): Promise<void> {
	const temporary = path.join(directory, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
	let fd: number;
	try {
		// Created and registered in one synchronous step, so a signal handler can never miss it.
		fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
		temporaries.add(temporary);
	} catch (error) {
		const reason = systemErrorText(error);
		throw new OutputError(replacing
			? `cannot write ${shown}: it exists, but it is replaced by writing a new file beside it, and ${escapeName(directory)} does not allow that (${reason}); write to a directory you can write to, or - for stdout`
			: `cannot write ${shown}: cannot create a file in ${escapeName(directory)} (${reason}); write to a directory you can write to, or - for stdout`);
	}

	try {
		try {
			await writeDescriptor(fd, text);
		} catch (error) {
			throw isSystemError(error) ? new OutputError(`cannot write ${shown}: ${systemErrorText(error)}`) : error;
		}

		try {
			await fs.rename(temporary, target);
		} catch (error) {
			throw new OutputError(`cannot write ${shown}: cannot put the new file in its place (${systemErrorText(error)})`);
		}
	} catch (error) {
		await fs.rm(temporary, {force: true}).catch(() => undefined);
		throw error;
	} finally {
		temporaries.delete(temporary);
		try {
			closeSync(fd);
		} catch {
			// Closed by the stream already.
		}
	}
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
	let existing: Stats | undefined;
	try {
		existing = await fs.lstat(target);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
			throw new OutputError(`cannot write ${shown}: ${systemErrorText(error)}`);
		}
	}

	if (existing?.isDirectory() === true) {
		throw new OutputError(`cannot write ${shown}: it is a directory; name a file in it, or - for stdout`);
	}

	const directory = path.dirname(path.resolve(target));
	const directoryStats = await fs.stat(directory).catch(() => undefined);
	if (directoryStats === undefined) {
		throw new OutputError(`cannot write ${shown}: the directory ${escapeName(directory)} does not exist; create it first, or write elsewhere (- for stdout)`);
	}

	if (!directoryStats.isDirectory()) {
		throw new OutputError(`cannot write ${shown}: ${escapeName(directory)} is not a directory`);
	}

	if (existing?.isSymbolicLink() === true && isForeignStickyLink(existing, directoryStats)) {
		throw new OutputError(`refusing to write ${shown}: a symlink owned by another user in a sticky directory (it could point anywhere); remove it or write elsewhere`);
	}

	if (existing === undefined) {
		await replaceAtomically(target, shown, directory, text, false, 0o644);
		return;
	}

	const ours = existing.isFile() && existing.uid === euid() && existing.nlink === 1;
	if (ours && await canWrite(directory)) {
		// The kernel's verdict on writing the file itself: a read-only file stays read-only, as with `>`.
		if (!await canWrite(target)) {
			throw new OutputError(`cannot write ${shown}: permission denied`);
		}

		await replaceAtomically(target, shown, directory, text, true, existing.mode & 0o777);
		return;
	}

	await writeInPlace(target, shown, text);
}
