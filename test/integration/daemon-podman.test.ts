// Engine 'podman': an image loaded into podman, read through `podman system service` (its Docker-compatible API) on
// a socket of our own. Podman runs with its own storage (--root/--runroot in a temp dir, vfs driver), so the test
// touches nothing else on the machine.
import assert from 'node:assert/strict';
import {type ChildProcess, spawn} from 'node:child_process';
import {chmod, mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {after, test, type TestContext} from 'node:test';
import type {Analysis} from '../../src/analysis/types.js';
import {daemonSource} from '../../src/sources/daemon.js';
import {SourceError} from '../../src/sources/types.js';
import {
	analyze, buildImage, byPath, ensureBusyboxImage, exportListing, readFromDaemon, readFromFile, removeImages,
	requireDocker, run, saveImage, stackedListing, tempDir, uniqueTag,
} from '../helpers/docker.js';
import {answers200} from '../helpers/common.js';

type Podman = {readonly command: readonly string[]; readonly socket: string; readonly dir: string; readonly service: ChildProcess};

let podman: Promise<Podman> | undefined;

/** Podman with private storage and its API service on a private socket; started once per file. */
async function startPodman(): Promise<Podman> {
	podman ??= (async () => {
		const dir = await mkdtemp(path.join(os.tmpdir(), 'layerscope-podman-'));
		await chmod(dir, 0o700);
		const command = ['podman', '--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'run'), '--storage-driver', 'vfs'];
		const socket = path.join(dir, 'podman.sock');
		const service = spawn(command[0]!, [...command.slice(1), 'system', 'service', '--time=0', `unix://${socket}`], {stdio: ['ignore', 'ignore', 'pipe']});
		let stderr = '';
		service.stderr.setEncoding('utf8');
		service.stderr.on('data', (text: string) => {
			stderr = (stderr + text).slice(-4000);
		});
		service.on('error', error => {
			stderr += String(error);
		});
		for (let attempt = 0; attempt < 300; attempt++) {
			if (service.exitCode !== null) {
				break;
			}

			if (await answers200({socketPath: socket}, '/_ping')) {
				return {command, socket, dir, service};
			}

			await new Promise(resolve => {
				setTimeout(resolve, 100);
			});
		}

		service.kill('SIGKILL');
		await rm(dir, {recursive: true, force: true});
		throw new Error(`podman system service did not start: ${stderr.trim() || `exit ${service.exitCode ?? '?'}`}`);
	})();
	return podman;
}

after(async () => {
	const started = await podman?.catch(() => undefined);
	if (started === undefined) {
		return;
	}

	if (started.service.exitCode === null) {
		const exited = new Promise(resolve => {
			started.service.on('exit', resolve);
		});
		started.service.kill('SIGTERM');
		const timer = setTimeout(() => started.service.kill('SIGKILL'), 10_000);
		await exited;
		clearTimeout(timer);
	}

	await run(started.command[0]!, [...started.command.slice(1), 'rm', '-af']).catch(() => undefined);
	await run(started.command[0]!, [...started.command.slice(1), 'rmi', '-af']).catch(() => undefined);
	await rm(started.dir, {recursive: true, force: true});
});

/** True when podman can run here; otherwise skips (or fails when LAYERSCOPE_REQUIRE_DOCKER=1, as in CI). */
async function requirePodman(t: TestContext): Promise<Podman | undefined> {
	try {
		return await startPodman();
	} catch (error) {
		if (process.env['LAYERSCOPE_REQUIRE_DOCKER'] === '1') {
			throw error;
		}

		t.skip(`podman cannot run here: ${(error as Error).message}`);
		return undefined;
	}
}

/** With CONTAINER_HOST set, the podman CLI turns into a remote client: set it only around layerscope's calls. */
async function withContainerHost<T>(socket: string, action: () => Promise<T>): Promise<T> {
	const saved = process.env['CONTAINER_HOST'];
	process.env['CONTAINER_HOST'] = `unix://${socket}`;
	try {
		return await action();
	} finally {
		if (saved === undefined) {
			delete process.env['CONTAINER_HOST'];
		} else {
			process.env['CONTAINER_HOST'] = saved;
		}
	}
}

/** Podman's save names layer blobs `<digest>.tar` where docker's says `<v1 id>/layer.tar`: everything else agrees. */
function withoutLayerIds(analysis: Analysis): Analysis {
	return {...analysis, layers: analysis.layers.map(layer => ({...layer, id: ''}))};
}

test('engine podman: an image loaded into podman reads like its docker save file; stacked layers equal podman export', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	const started = await requirePodman(t);
	if (started === undefined) {
		return;
	}

	const {command, socket} = started;
	const base = await ensureBusyboxImage();
	const tag = uniqueTag('podman');
	t.after(async () => removeImages(tag));
	await buildImage(tag, `FROM ${base}
RUN mkdir -p /d/sub && echo a > /d/a && echo b > /d/sub/b && echo t > /t && chown 7:8 /d/a
RUN rm /t && rm -rf /d && mkdir /d && echo x > /d/new && ln -s new /d/l && chmod 2755 /d
`);
	const archive = await saveImage(tag, await tempDir(t));
	await run(command[0]!, [...command.slice(1), 'load', '-q', '-i', archive]);

	const image = await withContainerHost(socket, async () => readFromDaemon(tag, {engine: 'podman'}));
	assert.equal(image.layers.length, 3);
	// Podman qualifies short names with localhost/.
	assert.deepEqual(image.tags, [`localhost/${tag}`]);
	const expected = analyze(await readFromFile(archive, 'archive'));
	const actual = analyze(image);
	assert.deepEqual(withoutLayerIds({...actual, image: {...actual.image, tags: []}}), withoutLayerIds({...expected, image: {...expected.image, tags: []}}));
	assert.deepEqual(image.layers.map(layer => layer.diffId), expected.layers.map(layer => layer.diffId));

	const container = (await run(command[0]!, [...command.slice(1), 'create', '--network', 'none', tag])).trim();
	const stacked = stackedListing(image);
	assert.deepEqual(stacked, await exportListing(container, command));
	const records = byPath(stacked);
	assert.equal(records.get('/t'), undefined);
	assert.equal(records.get('/d/a'), undefined);
	assert.equal(records.get('/d')?.mode, 0o2755);
	assert.equal(records.get('/d/l')?.linkTarget, 'new');
});

test('engine podman: an image podman does not have, from a registry nobody runs, fails with podman\'s message', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	const started = await requirePodman(t);
	if (started === undefined) {
		return;
	}

	let failure: unknown;
	await withContainerHost(started.socket, async () => {
		try {
			await daemonSource('127.0.0.1:1/nope:latest', {engine: 'podman'});
		} catch (error) {
			failure = error;
		}
	});
	assert.ok(failure instanceof SourceError, String(failure));
	assert.ok(failure.message.startsWith('image 127.0.0.1:1/nope:latest is not in the local image store and pulling it failed: '), failure.message);
	assert.match(failure.message, /connection refused/);
});

test('engine podman without a running service: the error names the socket and how to start it', async () => {
	const missing = path.join(os.tmpdir(), `layerscope-no-podman-${process.pid}.sock`);
	let failure: unknown;
	await withContainerHost(missing, async () => {
		try {
			await daemonSource('busybox:latest', {engine: 'podman'});
		} catch (error) {
			failure = error;
		}
	});
	assert.ok(failure instanceof SourceError);
	assert.equal(failure.message, `cannot connect to podman: no socket at unix://${missing}; start the service with \`podman system service --time=0 unix://${missing}\``);
});
