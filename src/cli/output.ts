// Writing an output (JSON, JUnit…) to a file or stdout. A regular file is replaced atomically (a temporary file
// and a rename in its directory), so a failed run never leaves a partial file. A symlink is followed: the file it
// points to is replaced, the link stays. `-`, and anything that is not a regular file (a pipe, a device such as
// /dev/null, /dev/stdout → /proc/self/fd/1, whatever that descriptor is) are written directly, never replaced.
import {randomBytes} from 'node:crypto';
import {promises as fs} from 'node:fs';
import path from 'node:path';

export class OutputError extends Error {}

async function writeStdout(text: string): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		process.stdout.write(text, error => {
			if (error) {
				reject(error);
			} else {
				resolve();
			}
		});
	});
}

/** Paths that name a process's descriptors or devices: always written in place, whatever they resolve to. */
function isDescriptorPath(file: string): boolean {
	return /^\/(?:dev|proc\/self\/fd|proc\/\d+\/fd)\//.test(path.resolve(file));
}

export async function writeOutput(target: string, text: string): Promise<void> {
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
			await fs.writeFile(real, text);
			return;
		}

		const temporary = path.join(path.dirname(path.resolve(real)), `.${path.basename(real)}.${randomBytes(6).toString('hex')}.tmp`);
		try {
			await fs.writeFile(temporary, text, {mode: existing === undefined ? 0o644 : existing.mode & 0o777});
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
