// Pulling: an image pushed to a local registry (Debian's docker-registry on 127.0.0.1) and absent from the daemon is
// pulled by daemonSource, with progress, and reads the same as the archive it was pushed from.
import assert from 'node:assert/strict';
import {stat, writeFile} from 'node:fs/promises';
import http from 'node:http';
import {test, type TestContext} from 'node:test';
import type {Analysis} from '../../src/analysis/types.js';
import {daemonSource} from '../../src/sources/daemon.js';
import {type SourceStatus, SourceError} from '../../src/sources/types.js';
import {
	analyze, buildImage, docker, ensureBusyboxImage, readFromDaemon, readFromFile, removeImages, requireDocker, run,
	saveImage, tempDir, uniqueTag,
} from '../helpers/docker.js';
import {startRegistry, type TestRegistry} from '../helpers/registry.js';

async function httpGet(port: number, urlPath: string, accept: string): Promise<string> {
	return new Promise((resolve, reject) => {
		http.get({host: '127.0.0.1', port, path: urlPath, headers: {Accept: accept}, timeout: 10_000}, response => {
			let body = '';
			response.setEncoding('utf8');
			response.on('data', (text: string) => {
				body += text;
			});
			response.on('end', () => {
				if (response.statusCode === 200) {
					resolve(body);
				} else {
					reject(new Error(`GET ${urlPath}: HTTP ${response.statusCode ?? '?'} ${body}`));
				}
			});
		}).on('error', reject);
	});
}

/** The parts of two reads of one image that must agree whatever the tags. */
function comparable(analysis: Analysis): Analysis {
	return {...analysis, image: {...analysis.image, tags: []}};
}

/** Build a small image on the busybox base, push it to the registry, and remove it from the daemon. */
async function pushed(t: TestContext, registry: TestRegistry, name: string, dockerfileTail: string): Promise<{remote: string; archive: string}> {
	const {port} = registry;
	const base = await ensureBusyboxImage();
	const built = uniqueTag(name);
	t.after(async () => removeImages(built));
	await buildImage(built, `FROM ${base}\n${dockerfileTail}`);
	const archive = await saveImage(built, await tempDir(t));
	const remote = `127.0.0.1:${port}/layerscope-test/${name}-${process.pid}:v1`;
	await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `docker-archive:${archive}`, `docker://${remote}`]);
	await removeImages(built, remote);
	t.after(async () => removeImages(remote));
	return {remote, archive};
}

async function inDaemon(reference: string): Promise<boolean> {
	return docker('image', 'inspect', reference).then(() => true, () => false);
}

test('an image absent from the daemon is pulled from a local registry, with progress, and reads like its archive', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	// A few layers of real size, so the pull has bytes to report.
	const {remote, archive} = await pushed(t, await startRegistry(t), 'pushed', 'RUN head -c 300000 /bin/busybox > /one\nRUN head -c 200000 /bin/busybox > /two && rm /one\n');
	assert.equal(await inDaemon(remote), false, 'the image is not in the daemon before the pull');

	const statuses: SourceStatus[] = [];
	const pulled = await readFromDaemon(remote, {onStatus: status => statuses.push(status)});
	assert.equal(await inDaemon(remote), true, 'the daemon has the image after the pull');

	const pulls = statuses.filter(status => status.phase === 'pull');
	assert.ok(pulls.length >= 3, `pull progress events: ${pulls.length}`);
	assert.ok(pulls.every(status => status.message.startsWith(`pulling ${remote}`)));
	const last = pulls.at(-1)!;
	// The busybox layer is already in the daemon ("Already exists") and still counts as one of the three.
	assert.equal(last.message, `pulling ${remote}: 3/3 layers`, JSON.stringify(last));
	assert.ok(last.total !== undefined && last.total > 0 && last.current === last.total, JSON.stringify(last));
	assert.ok(pulls.some(status => status.current !== undefined && status.current > 0 && status.current < last.total!), 'progress between 0 and the total');

	const expected = analyze(await readFromFile(archive, 'archive'));
	const actual = analyze(pulled);
	assert.deepEqual(pulled.tags, [remote]);
	assert.deepEqual(comparable(actual), comparable(expected));
});

test('a pull that fails midway (a corrupt blob in the registry) fails with the daemon\'s message from the progress stream', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	const registry = await startRegistry(t);
	const {port} = registry;
	const {remote} = await pushed(t, registry, 'corrupt', 'RUN head -c 300000 /bin/busybox > /one\n');
	// Overwrite the top layer's blob in the registry's storage: the daemon downloads it, then its digest check fails.
	const repository = remote.slice(`127.0.0.1:${port}/`.length, -':v1'.length);
	const manifest = JSON.parse(await httpGet(port, `/v2/${repository}/manifests/v1`, 'application/vnd.docker.distribution.manifest.v2+json')) as {layers: Array<{digest: string}>};
	const digest = manifest.layers.at(-1)!.digest.slice('sha256:'.length);
	const blob = registry.blobPath(`sha256:${digest}`);
	await writeFile(blob, Buffer.alloc((await stat(blob)).size, 0x41));

	const statuses: SourceStatus[] = [];
	let failure: unknown;
	try {
		await daemonSource(remote, {onStatus: status => statuses.push(status)});
	} catch (error) {
		failure = error;
	}

	assert.ok(failure instanceof SourceError, String(failure));
	assert.equal(failure.message, `image ${remote} is not in the local image store and pulling it failed: filesystem layer verification failed for digest sha256:${digest}`);
	// The layers' events came before the error (how many bytes a progress event shows first is up to the daemon's
	// pace: a 300 kB blob from 127.0.0.1 may be verified before any "Downloading" event, seen once in CI).
	assert.ok(statuses.some(status => status.phase === 'pull' && /: \d+\/\d+ layers$/.test(status.message)), `the pull had started: the error came inside the stream (${JSON.stringify(statuses)})`);
	assert.equal(await inDaemon(remote), false);
});
