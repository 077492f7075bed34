// Writing an output (JSON, JUnit…) to a file or stdout. A regular file is replaced atomically (temp file and
// rename in its directory), so a failed run never leaves a partial file; `-`, pipes and devices such as
// /dev/stdout or /dev/null are written directly and never replaced.
import {randomBytes} from 'node:crypto';
import {promises as fs, type Stats} from 'node:fs';
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

export async function writeOutput(target: string, text: string): Promise<void> {
	if (target === '-') {
		await writeStdout(text);
		return;
	}

	let existing: Stats | undefined;
	try {
		existing = await fs.stat(target);
	} catch {
		existing = undefined;
	}

	try {
		if (existing !== undefined && !existing.isFile()) {
			if (existing.isDirectory()) {
				throw new OutputError(`cannot write ${target}: it is a directory`);
			}

			await fs.writeFile(target, text);
			return;
		}

		const dir = path.dirname(path.resolve(target));
		const temporary = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
		try {
			await fs.writeFile(temporary, text, {mode: existing === undefined ? 0o644 : existing.mode & 0o777});
			await fs.rename(temporary, target);
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
