// A registry image's second open fetches no layer blob: the config's diff_ids name the cached layers before any
// blob is asked for (GET requests counted in an HTTP proxy in front of a real docker-registry); a new top layer
// is the one blob fetched; the figures are those of an uncached read.
import assert from 'node:assert/strict';
import {writeFile} from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import {test, type TestContext} from 'node:test';
import {registryImage} from '../../src/sources/registry/client.js';
import {defaultKeychain} from '../../src/sources/registry/keychain.js';
import {buildImageArchive, type FixtureLayer} from '../../scripts/lib/image-builder.js';
import {runCli} from '../helpers/cli.js';
import {tempDir} from '../helpers/docker.js';
import {push, requireRegistryTools, startRegistry, type TestRegistry} from '../helpers/registry.js';

/** An HTTP proxy in front of the registry recording every request path. */
async function countingProxy(t: TestContext, registry: TestRegistry): Promise<{host: string; paths: string[]}> {
	const paths: string[] = [];
	const server = http.createServer((request, response) => {
		paths.push(request.url ?? '');
		const upstream = http.request({host: '127.0.0.1', port: registry.port, path: request.url, method: request.method, headers: request.headers}, answer => {
			response.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(response);
		});
		upstream.on('error', () => response.destroy());
		request.pipe(upstream);
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	t.after(async () => new Promise<void>(resolve => {
		server.closeAllConnections();
		server.close(() => {
			resolve();
		});
	}));
	return {host: `127.0.0.1:${(server.address() as {port: number}).port}`, paths};
}

const files = (prefix: string, count: number): FixtureLayer['entries'] => Array.from({length: count}, (_, index) => ({path: `${prefix}/f${index}`, content: `${prefix} ${index}\n`}));
const base: FixtureLayer[] = [
	{command: 'base', entries: [{path: 'usr', type: 'dir'}, ...files('usr', 200)]},
	{command: 'app', entries: [{path: 'app', type: 'dir'}, ...files('app', 100), {path: 'usr/.wh.f1', content: ''}]},
	{command: 'top', entries: [{path: 'app/version', content: '1\n'}]},
];
const next: FixtureLayer[] = [...base.slice(0, 2), {command: 'top', entries: [{path: 'app/version', content: '2\n'}]}];

test('registry: the second open fetches no layer blob; a new top layer is the only blob fetched', async t => {
	if (!await requireRegistryTools(t)) {
		return;
	}

	const registry = await startRegistry(t);
	const dir = await tempDir(t, 'layerscope-cache-registry-');
	for (const [name, layers] of [['v1', base], ['v2', next]] as const) {
		const file = path.join(dir, `${name}.tar`);
		await writeFile(file, await buildImageArchive(layers, {format: 'docker-legacy', compression: 'none'}));
		await push(registry, `docker-archive:${file}`, `acme/app:${name}`);
	}

	const proxy = await countingProxy(t, registry);
	const keychain = defaultKeychain({HOME: '/nonexistent'});
	const v1 = await registryImage(`${proxy.host}/acme/app:v1`, {keychain});
	const v2 = await registryImage(`${proxy.host}/acme/app:v2`, {keychain});
	const layerDigests = new Set([...v1.layers, ...v2.layers].map(layer => layer.digest));
	assert.equal(layerDigests.size, 4);
	const fetched = (): string[] => proxy.paths.filter(item => /\/blobs\/sha256:[a-f\d]{64}$/.test(item)).map(item => item.slice(item.lastIndexOf('/') + 1)).filter(digest => layerDigests.has(digest));
	const env = {HOME: '/nonexistent', LAYERSCOPE_CACHE_DIR: path.join(dir, 'cache')};

	proxy.paths.length = 0;
	const first = await runCli([`registry:${proxy.host}/acme/app:v1`, '--json', '-'], {env});
	assert.equal(first.code, 0, first.stderr);
	assert.equal(fetched().length, 3);

	proxy.paths.length = 0;
	const second = await runCli([`registry:${proxy.host}/acme/app:v1`, '--json', '-'], {env});
	assert.equal(second.code, 0, second.stderr);
	assert.deepEqual(fetched(), [], `no layer blob on the second open:\n${proxy.paths.join('\n')}`);
	assert.equal(second.stdout, first.stdout);

	proxy.paths.length = 0;
	const changed = await runCli([`registry:${proxy.host}/acme/app:v2`, '--json', '-'], {env});
	assert.equal(changed.code, 0, changed.stderr);
	assert.deepEqual(fetched(), [v2.layers[2]!.digest], 'only the new top layer');
	const uncached = await runCli([`registry:${proxy.host}/acme/app:v2`, '--json', '-', '--no-cache'], {env});
	assert.equal(uncached.stdout, changed.stdout);
});
