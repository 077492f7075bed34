// Helpers for tests that need a real Docker daemon. Everything goes through the docker CLI, so a test checks
// layerscope against what docker itself says, never against layerscope's own client.
//
//   test('x', async t => {
//     if (!await requireDocker(t)) return;          // skips, or FAILS when LAYERSCOPE_REQUIRE_DOCKER=1
//     const base = await ensureBusyboxImage();       // 'layerscope-test/busybox:latest'
//     const tag = uniqueTag('x');
//     t.after(async () => removeImages(tag));
//     await buildImage(tag, `FROM ${base}\nRUN echo hi > /hi`);
//   });
import {execFile} from 'node:child_process';
import {createHash, randomBytes} from 'node:crypto';
import {createReadStream} from 'node:fs';
import {mkdir, mkdtemp, readFile, rename, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type {TestContext} from 'node:test';
import tarStream from 'tar-stream';
import {analyzeImage} from '../../src/analysis/analyze.js';
import {listTree, type TreeRecord} from '../../src/analysis/listing.js';
import {stackLayers} from '../../src/analysis/tree.js';
import type {Analysis, RawImage} from '../../src/analysis/types.js';
import {LayerSink} from '../../src/archive/layer-tar.js';
import {readImageArchive} from '../../src/archive/read-image.js';
import {daemonSource} from '../../src/sources/daemon.js';
import type {SourceOptions} from '../../src/sources/types.js';

export type RunOptions = {
	/** Bytes for the command's stdin. */
	readonly input?: string | Buffer;
	/** Added to process.env. */
	readonly env?: Readonly<Record<string, string>>;
	readonly cwd?: string;
	/** Milliseconds; default 5 minutes. */
	readonly timeout?: number;
};

/** Run a command; resolves to its stdout, rejects with an Error holding the command and its stderr. */
export async function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = execFile(command, args, {
			encoding: 'utf8',
			maxBuffer: 256 * 1024 * 1024,
			timeout: options.timeout ?? 300_000,
			env: {...process.env, ...options.env},
			cwd: options.cwd,
		}, (error, stdout, stderr) => {
			if (error) {
				reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
				return;
			}

			resolve(stdout);
		});
		child.stdin?.end(options.input);
	});
}

/** Run the docker CLI; resolves to stdout. */
export async function docker(...args: string[]): Promise<string> {
	return run('docker', args);
}

let available: Promise<boolean> | undefined;

/** True when `docker version` reaches a daemon (checked once per process). */
export async function dockerAvailable(): Promise<boolean> {
	available ??= run('docker', ['version', '--format', '{{.Server.Version}}'], {timeout: 20_000}).then(() => true, () => false);
	return available;
}

/**
 * Call first in a daemon test: resolves true when the daemon is there. Without one the test is skipped (resolves
 * false; return early), unless LAYERSCOPE_REQUIRE_DOCKER=1, in which case it throws and the test fails.
 */
export async function requireDocker(t: TestContext): Promise<boolean> {
	if (await dockerAvailable()) {
		return true;
	}

	if (process.env['LAYERSCOPE_REQUIRE_DOCKER'] === '1') {
		throw new Error('LAYERSCOPE_REQUIRE_DOCKER=1 but no Docker daemon answers `docker version`');
	}

	t.skip('no Docker daemon');
	return false;
}

export {requireDocker as requireDockerOrSkip};

/** A fresh image reference under layerscope-test/, unique per call: `layerscope-test/PREFIX-PID-RANDOM:latest`. */
export function uniqueTag(prefix: string): string {
	return `layerscope-test/${prefix}-${process.pid}-${randomBytes(3).toString('hex')}:latest`;
}

/** Remove images by reference or id; missing ones are fine. */
export async function removeImages(...references: string[]): Promise<void> {
	if (references.length > 0) {
		await run('docker', ['rmi', '-f', ...references]).catch(() => undefined);
	}
}

/** Remove containers (running or not) by name or id; missing ones are fine. */
export async function removeContainers(...containers: string[]): Promise<void> {
	if (containers.length > 0) {
		await run('docker', ['rm', '-f', '-v', ...containers]).catch(() => undefined);
	}
}

/** Make a temp dir removed when the test ends. */
export async function tempDir(t: TestContext, prefix = 'layerscope-test-'): Promise<string> {
	const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
	t.after(async () => rm(dir, {recursive: true, force: true}));
	return dir;
}

/**
 * Build an image with the legacy builder (DOCKER_BUILDKIT=0, so every RUN is its own layer exactly as written).
 * `contextFiles` maps relative paths to contents. Resolves to the image id.
 */
export async function buildImage(tag: string, dockerfileText: string, contextFiles: Readonly<Record<string, string | Buffer>> = {}): Promise<string> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'layerscope-build-'));
	try {
		await writeFile(path.join(dir, 'Dockerfile'), dockerfileText);
		for (const [name, content] of Object.entries(contextFiles)) {
			const file = path.join(dir, name);
			await mkdir(path.dirname(file), {recursive: true});
			await writeFile(file, content);
		}

		const output = await run('docker', ['build', '--network', 'none', '-q', '-t', tag, dir], {env: {DOCKER_BUILDKIT: '0'}});
		return output.trim().split('\n').pop()!.trim();
	} finally {
		await rm(dir, {recursive: true, force: true});
	}
}

export const busyboxImage = 'layerscope-test/busybox:latest';

const fixedTime = new Date('2000-01-01T00:00:00Z');

function goArch(): string {
	return ({x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x'} as Record<string, string>)[process.arch] ?? process.arch;
}

async function tarOf(entries: ReadonlyArray<{name: string; type?: 'directory' | 'symlink'; mode: number; linkname?: string; content?: Buffer}>): Promise<Buffer> {
	const pack = tarStream.pack();
	const chunks: Buffer[] = [];
	pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
	const done = new Promise<void>((resolve, reject) => {
		pack.on('end', resolve);
		pack.on('error', reject);
	});
	for (const entry of entries) {
		const header = {name: entry.name, type: entry.type ?? 'file', mode: entry.mode, linkname: entry.linkname, mtime: fixedTime, uid: 0, gid: 0, uname: 'root', gname: 'root'} as const;
		if (entry.content === undefined) {
			pack.entry(header);
		} else {
			pack.entry(header, entry.content);
		}
	}

	pack.finalize();
	await done;
	return Buffer.concat(chunks);
}

let archive: Promise<string> | undefined;

/**
 * A `docker save`-format archive of a busybox rootfs (static /usr/bin/busybox + a symlink per applet in /bin, /etc
 * with passwd and group, /tmp, /root), tagged layerscope-test/busybox:latest. Byte-for-byte deterministic, so its
 * image id is the same however often and however concurrently it is loaded. Resolves to the file's path.
 */
export async function busyboxArchive(): Promise<string> {
	archive ??= (async () => {
		const busybox = await readFile('/usr/bin/busybox');
		const applets = (await run('/usr/bin/busybox', ['--list'])).split('\n').map(name => name.trim()).filter(name => name !== '' && name !== 'busybox' && !name.includes('/')).sort();
		const layer = await tarOf([
			{name: 'bin/', type: 'directory', mode: 0o755},
			{name: 'bin/busybox', mode: 0o755, content: busybox},
			...applets.map(name => ({name: `bin/${name}`, type: 'symlink' as const, mode: 0o777, linkname: 'busybox'})),
			{name: 'etc/', type: 'directory', mode: 0o755},
			{name: 'etc/group', mode: 0o644, content: Buffer.from('root:x:0:\nnobody:x:65534:\n')},
			{name: 'etc/passwd', mode: 0o644, content: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n')},
			{name: 'root/', type: 'directory', mode: 0o700},
			{name: 'tmp/', type: 'directory', mode: 0o1777},
		]);
		const diffId = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
		const config = Buffer.from(JSON.stringify({
			architecture: goArch(),
			os: 'linux',
			created: fixedTime.toISOString(),
			config: {Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh']},
			rootfs: {type: 'layers', diff_ids: [diffId]},
			history: [{created: fixedTime.toISOString(), created_by: 'layerscope-test busybox rootfs'}],
		}));
		const configId = createHash('sha256').update(config).digest('hex');
		const layerDir = diffId.slice('sha256:'.length);
		const outer = await tarOf([
			{name: `${configId}.json`, mode: 0o644, content: config},
			{name: `${layerDir}/`, type: 'directory', mode: 0o755},
			{name: `${layerDir}/layer.tar`, mode: 0o644, content: layer},
			{name: 'manifest.json', mode: 0o644, content: Buffer.from(JSON.stringify([{Config: `${configId}.json`, RepoTags: [busyboxImage], Layers: [`${layerDir}/layer.tar`]}]))},
		]);
		// Named by content, so concurrent test processes write identical files and never read a torn one.
		const file = path.join(os.tmpdir(), `layerscope-busybox-${configId.slice(0, 16)}.tar`);
		const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
		await writeFile(temporary, outer);
		await rename(temporary, file);
		return file;
	})();
	return archive;
}

let loaded: Promise<string> | undefined;

/**
 * Make sure layerscope-test/busybox:latest is in the daemon (loads busyboxArchive() when missing; idempotent and
 * safe when several test processes call it at once). Resolves to the reference.
 */
export async function ensureBusyboxImage(): Promise<string> {
	loaded ??= (async () => {
		const file = await busyboxArchive();
		const manifest = await run('tar', ['-xOf', file, 'manifest.json']);
		const configName = (JSON.parse(manifest) as Array<{Config: string}>)[0]!.Config;
		const expected = `sha256:${configName.replace(/\.json$/, '')}`;
		const current = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', busyboxImage]).then(out => out.trim(), () => '');
		if (current !== expected) {
			await run('docker', ['load', '-q', '-i', file]);
		}

		return busyboxImage;
	})();
	loaded.catch(() => {
		loaded = undefined;
	});
	return loaded;
}

/** `docker save` an image to a file in `dir`; resolves to the file's path. */
export async function saveImage(reference: string, dir: string): Promise<string> {
	const file = path.join(dir, `${reference.replaceAll(/[^\w.-]+/g, '_')}.tar`);
	await run('docker', ['save', '-o', file, reference]);
	return file;
}

// Reading images and containers back, for comparisons.

/** daemonSource → readImageArchive. */
export async function readFromDaemon(reference: string, options: SourceOptions = {}): Promise<RawImage> {
	const source = await daemonSource(reference, options);
	return readImageArchive(await source.open(), {name: source.name, totalBytes: source.totalBytes});
}

/** A `docker save` file → readImageArchive. */
export async function readFromFile(file: string, name: string): Promise<RawImage> {
	return readImageArchive(createReadStream(file), {name});
}

/** An analysis with the name blanked, to compare two reads of the same image. */
export function withoutName(analysis: Analysis): Analysis {
	return {...analysis, image: {...analysis.image, name: ''}};
}

export function analyze(image: RawImage): Analysis {
	return withoutName(analyzeImage(image));
}

/** The final filesystem of an image, from its layers. */
export function stackedListing(image: RawImage): TreeRecord[] {
	return listTree(stackLayers(image.layers.map(layer => layer.contents.entries)));
}

/**
 * What the runtime puts into every container and is not part of the image: docker's init layer (daemon/initlayer:
 * /.dockerenv, /etc/hosts, /etc/hostname, /etc/resolv.conf, /etc/mtab → /proc/mounts, /dev, /proc, /sys) and
 * podman's equivalents (/run/.containerenv). Test images must not contain these themselves.
 */
const runtimePaths = ['/.dockerenv', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/etc/mtab', '/dev', '/proc', '/sys', '/run/.containerenv'];

export function isRuntimePath(path: string): boolean {
	return runtimePaths.some(prefix => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * `docker export` (or `podman … export`: pass the command and its global flags) of a container, read as one layer
 * and listed, runtime files left out. Goes through a temp file: podman's export can hang writing to a pipe.
 */
export async function exportListing(container: string, command: readonly string[] = ['docker']): Promise<TreeRecord[]> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'layerscope-export-'));
	try {
		const file = path.join(dir, 'export.tar');
		await run(command[0]!, [...command.slice(1), 'export', '-o', file, container]);
		const sink = new LayerSink('tar');
		createReadStream(file).pipe(sink);
		const contents = await sink.contents;
		return listTree(stackLayers([contents.entries])).filter(record => !isRuntimePath(record.path));
	} finally {
		await rm(dir, {recursive: true, force: true});
	}
}

/** Records by path, for spot checks. */
export function byPath(records: readonly TreeRecord[]): Map<string, TreeRecord> {
	return new Map(records.map(record => [record.path, record]));
}
