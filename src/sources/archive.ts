// Archive files, stdin and OCI layout directories.
import {existsSync, fstatSync, type Stats, statSync} from 'node:fs';
import {open} from 'node:fs/promises';
import path from 'node:path';
import {fileChunks} from '../archive/file-chunks.js';
import {escapeName} from '../report/escape.js';
import {SourceError, type ImageSource} from './types.js';

const prefixes = ['docker-archive:', 'oci-archive:', 'oci:'] as const;

/** True when the argument names a local archive, directory or stdin rather than an image reference. */
export function isLocalReference(argument: string): boolean {
	return argument === '-' || prefixes.some(prefix => argument.startsWith(prefix)) || existsSync(argument)
		// Clearly a path, even if it does not exist (an image reference never looks like these).
		|| /^(?:\.{0,2}\/|~)/.test(argument) || /\.(?:tar|tgz|tar\.gz|tar\.zst)$/i.test(argument);
}

function layoutSource(dir: string, ref?: string): ImageSource {
	if (!existsSync(path.join(dir, 'index.json'))) {
		throw new SourceError(`not an OCI layout directory (no index.json): ${escapeName(dir)}`);
	}

	const name = path.basename(path.resolve(dir));
	return ref === undefined ? {kind: 'layout', name, dir} : {kind: 'layout', name: `${name}:${ref}`, dir, ref};
}

/** `PATH` or `PATH:TAG` (a tag may hold colons itself): the shortest prefix that exists is the path. */
function splitReference(rest: string): {file: string; tag?: string} {
	if (existsSync(rest)) {
		return {file: rest};
	}

	for (let index = rest.indexOf(':'); index > 0; index = rest.indexOf(':', index + 1)) {
		if (existsSync(rest.slice(0, index))) {
			return {file: rest.slice(0, index), tag: rest.slice(index + 1)};
		}
	}

	return {file: rest};
}

function fileSource(file: string, name: string, tag?: string): ImageSource {
	let stat: Stats;
	try {
		stat = statSync(file);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new SourceError(code === 'ENOENT' ? `no such file or directory: ${escapeName(file)}` : `cannot read ${escapeName(file)}: ${code ?? String(error)}`);
	}

	if (stat.isDirectory()) {
		return layoutSource(file, tag);
	}

	const regular = stat.isFile();
	return {
		kind: 'archive',
		name: tag === undefined ? name : `${name}:${tag}`,
		tag,
		// A named pipe, a device, a socket: read once, front to back, like standard input (no index, no second read).
		...(regular ? {totalBytes: stat.size, file} : {once: true}),
		async open() {
			const handle = await open(file, 'r').catch((error: unknown) => {
				throw new SourceError(`cannot read ${escapeName(file)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
			});
			return regular ? fileChunks(handle) : handle.createReadStream({highWaterMark: 1024 * 1024});
		},
	};
}

/** Resolve `-`, a path, `docker-archive:PATH[:TAG]`, `oci-archive:PATH[:REF]` or `oci:DIR[:REF]` to a source. */
export function localSource(argument: string): ImageSource {
	if (argument === '-') {
		return {
			kind: 'archive',
			name: 'stdin',
			once: true,
			async open() {
				if (process.stdin.isTTY) {
					throw new SourceError('stdin is a terminal: pipe an image archive in, e.g. `docker save IMAGE | layerscope -`');
				}

				if (fstatSync(0).isDirectory()) {
					throw new SourceError('stdin is a directory: pipe an image archive in, e.g. `docker save IMAGE | layerscope -`');
				}

				return process.stdin;
			},
		};
	}

	for (const prefix of prefixes) {
		if (argument.startsWith(prefix)) {
			const rest = argument.slice(prefix.length);
			if (rest === '') {
				throw new SourceError(`${prefix} needs a path`);
			}

			const {file, tag} = splitReference(rest);
			if (prefix === 'oci:') {
				return layoutSource(file, tag);
			}

			return fileSource(file, path.basename(file), tag);
		}
	}

	return fileSource(argument, path.basename(argument));
}
