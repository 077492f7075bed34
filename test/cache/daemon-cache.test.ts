// The daemon's second open: inspect gives the image id and diff_ids, the cache has every layer and the image's
// record, so no `docker save` (no GET /images/NAME/get reaches the daemon: counted in a proxy on its socket). A new
// top layer means one save again, and the figures are those of an uncached read.
import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {test} from 'node:test';
import {LayerCache} from '../../src/cache/layer-cache.js';
import {runCli} from '../helpers/cli.js';
import {buildImage, ensureBusyboxImage, removeImages, requireDocker, tempDir, uniqueTag} from '../helpers/docker.js';

const daemonSocket = '/var/run/docker.sock';

/** A unix socket that forwards to the daemon's and records each request line (method and path). */
async function countingProxy(socketPath: string): Promise<{requests: string[]; close: () => Promise<void>}> {
	const requests: string[] = [];
	const server = net.createServer(client => {
		const upstream = net.connect(daemonSocket);
		let head = '';
		client.on('data', (chunk: Buffer) => {
			head = (head + chunk.toString('latin1')).slice(-8192);
			for (const match of head.matchAll(/(?:^|\r\n)(GET|POST|HEAD|PUT|DELETE) (\S+) HTTP\/1\.[01]\r\n/g)) {
				requests.push(`${match[1]!} ${match[2]!}`);
			}

			head = head.slice(head.lastIndexOf('\r\n') + 2);
		});
		client.pipe(upstream).pipe(client);
		client.on('error', () => upstream.destroy());
		upstream.on('error', () => client.destroy());
	});
	await new Promise<void>(resolve => {
		server.listen(socketPath, resolve);
	});
	return {
		requests,
		close: async () => new Promise<void>(resolve => {
			server.close(() => {
				resolve();
			});
		}),
	};
}

test('daemon: the second open does no docker save; a new top layer does one, with the same figures as without cache', async t => {
	if (!await requireDocker(t) || !existsSync(daemonSocket)) {
		return;
	}

	const base = await ensureBusyboxImage();
	const tag = uniqueTag('cache');
	const changed = uniqueTag('cache-top');
	t.after(async () => removeImages(tag, changed));
	await buildImage(tag, `FROM ${base}\nRUN mkdir -p /app && echo one > /app/one && echo gone > /app/gone\nRUN rm /app/gone && echo two > /app/two\n`);
	await buildImage(changed, `FROM ${tag}\nRUN echo three > /app/three\n`);
	const dir = await tempDir(t, 'layerscope-cache-daemon-');
	const proxy = await countingProxy(path.join(dir, 'docker.sock'));
	t.after(async () => proxy.close());
	const cacheDir = path.join(dir, 'cache');
	const env = {DOCKER_HOST: `unix://${path.join(dir, 'docker.sock')}`, LAYERSCOPE_CACHE_DIR: cacheDir};
	const saves = (): number => proxy.requests.filter(request => /^GET \/(?:v[\d.]+\/)?images\/.+\/get(?:\?|$)/.test(request)).length;

	const first = await runCli([tag, '--json', '-'], {env});
	assert.equal(first.code, 0, first.stderr);
	assert.equal(saves(), 1, proxy.requests.join('\n'));
	const info = await new LayerCache({dir: cacheDir}).info();
	assert.equal(info.images, 1);
	assert.ok(info.layers >= 3);

	const second = await runCli([tag, '--json', '-'], {env});
	assert.equal(second.code, 0, second.stderr);
	assert.equal(saves(), 1, `no second save:\n${proxy.requests.join('\n')}`);
	assert.equal(second.stdout, first.stdout);

	const top = await runCli([changed, '--json', '-'], {env});
	assert.equal(top.code, 0, top.stderr);
	assert.equal(saves(), 2, 'a new top layer: one save');
	const uncached = await runCli([changed, '--json', '-', '--no-cache'], {env});
	assert.equal(uncached.stdout, top.stdout);
	const again = await runCli([changed, '--json', '-'], {env});
	assert.equal(again.stdout, top.stdout);
	assert.equal(saves(), 3, 'only the --no-cache run saved again');
});
