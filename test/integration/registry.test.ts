// Images read straight from real registries (Debian's docker-registry on 127.0.0.1, pushed with skopeo): anonymous,
// htpasswd Basic, Bearer tokens from a token server, a credential helper; a multi-platform index; a corrupt blob;
// a connection dropped mid-blob; rate limits; a redirect to another host. Figures equal those of the same archive
// read from disk, and of `docker save` of the same image.
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {chmod, mkdir, readFile, stat, writeFile} from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import {test, type TestContext} from 'node:test';
import {analyzeImage} from '../../src/analysis/analyze.js';
import type {Analysis, RawImage} from '../../src/analysis/types.js';
import {readLazyImage} from '../../src/archive/read-lazy.js';
import {readImageArchive} from '../../src/archive/read-image.js';
import {parsePlatform} from '../../src/archive/manifest.js';
import {registryImage, type RegistryOptions} from '../../src/sources/registry/client.js';
import {defaultKeychain} from '../../src/sources/registry/keychain.js';
import {RegistryTransport} from '../../src/sources/registry/transport.js';
import {SourceError} from '../../src/sources/types.js';
import {buildImageArchive, buildLayerTar, compress, type FixtureLayer} from '../../scripts/lib/image-builder.js';
import {runCli} from '../helpers/cli.js';
import {freePort, rejection} from '../helpers/common.js';
import {buildImage, ensureBusyboxImage, readFromFile, removeImages, requireDocker, run, saveImage, tempDir, uniqueTag} from '../helpers/docker.js';
import {identityToken, push, requireRegistryTools, startRegistry, type TestRegistry} from '../helpers/registry.js';

const layers: FixtureLayer[] = [
	{command: 'base', entries: [{path: 'bin/', type: 'dir'}, {path: 'bin/tool', size: 400_000, mode: 0o755}, {path: 'etc/config', content: 'a=1\n'}]},
	{command: 'add data', entries: [{path: 'data/', type: 'dir'}, {path: 'data/big', size: 700_000}, {path: 'etc/config', content: 'a=2\n'}]},
	{command: 'remove', entries: [{path: 'bin/.wh.tool'}, {path: 'data/small', size: 1000}]},
];

/** The figures that must agree between two reads of one image, whatever the layer blobs' compression. */
function figures(analysis: Analysis): unknown {
	return {
		image: {...analysis.image, name: '', tags: []},
		config: analysis.config,
		layers: analysis.layers.map(({id: _id, digest: _digest, blobBytes: _blobBytes, compression: _compression, ...rest}) => rest),
	};
}

async function archiveFile(t: TestContext, name = 'image.tar'): Promise<string> {
	const file = path.join(await tempDir(t), name);
	await writeFile(file, await buildImageArchive(layers, {format: 'docker25', compression: 'gzip'}));
	return file;
}

async function fromDisk(file: string): Promise<RawImage> {
	return readFromFile(file, 'disk');
}

/** A registry with the fixture image pushed as REPO:v1. */
async function withImage(t: TestContext, registry: TestRegistry, repository = 'acme/app'): Promise<{reference: string; file: string}> {
	const file = await archiveFile(t);
	return {reference: await push(registry, `docker-archive:${file}`, `${repository}:v1`), file};
}

/** The error line of a failed run (a pull line may come before it). */
function errorLine(stderr: string): string {
	return stderr.split('\n').filter(line => line.startsWith('layerscope: ')).join('\n');
}

/** A docker config dir holding `auths` for a registry. */
async function dockerConfig(t: TestContext, host: string, user: string, password: string): Promise<string> {
	const dir = await tempDir(t);
	await writeFile(path.join(dir, 'config.json'), JSON.stringify({auths: {[host]: {auth: Buffer.from(`${user}:${password}`).toString('base64')}}}));
	return dir;
}

async function read(reference: string, options: RegistryOptions = {}): Promise<RawImage> {
	return readLazyImage(await registryImage(reference, {keychain: defaultKeychain({HOME: '/nonexistent'}), ...options}));
}

/** An HTTP proxy in front of the registry: `intercept` may answer a request itself; else it is forwarded. */
async function startProxy(t: TestContext, registry: TestRegistry, intercept: (request: http.IncomingMessage, response: http.ServerResponse, forward: (options?: {cutAfter?: number}) => void) => boolean): Promise<{host: string; seen: Array<{path: string; range?: string; authorization?: string}>}> {
	const seen: Array<{path: string; range?: string; authorization?: string}> = [];
	const server = http.createServer((request, response) => {
		seen.push({path: request.url ?? '', range: request.headers.range, authorization: request.headers.authorization});
		const forward = (options: {cutAfter?: number} = {}): void => {
			const upstream = http.request({host: '127.0.0.1', port: registry.port, path: request.url, method: request.method, headers: request.headers}, answer => {
				response.writeHead(answer.statusCode ?? 502, answer.headers);
				if (options.cutAfter === undefined) {
					answer.pipe(response);
					return;
				}

				let sent = 0;
				answer.on('data', (chunk: Buffer) => {
					if (sent < options.cutAfter!) {
						const part = chunk.subarray(0, options.cutAfter! - sent);
						sent += part.length;
						response.write(part);
						if (sent >= options.cutAfter!) {
							answer.destroy();
							// The connection drops mid-body.
							setTimeout(() => response.socket?.destroy(), 20);
						}
					}
				});
			});
			upstream.on('error', () => response.destroy());
			request.pipe(upstream);
		};

		if (!intercept(request, response, forward)) {
			forward();
		}
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
	return {host: `127.0.0.1:${(server.address() as {port: number}).port}`, seen};
}

test('anonymous registry: the image reads as its archive does from disk, with progress', async t => {
	if (!await requireRegistryTools(t)) {
		return;
	}

	const registry = await startRegistry(t);
	const {reference, file} = await withImage(t, registry);
	const progress: Array<{bytes: number; totalBytes?: number; layersDone: number}> = [];
	const lazy = await registryImage(reference, {keychain: defaultKeychain({HOME: '/nonexistent'})});
	assert.equal(lazy.layers.length, 3);
	assert.ok(lazy.layers.every(layer => layer.digest.startsWith('sha256:') && layer.diffId.startsWith('sha256:') && layer.size !== undefined));
	const image = await readLazyImage(lazy, {onProgress: item => progress.push(item)});
	assert.deepEqual(figures(analyzeImage(image)), figures(analyzeImage(await fromDisk(file))));
	assert.deepEqual(image.tags, [`${registry.host}/acme/app:v1`]);
	const total = lazy.layers.reduce((sum, layer) => sum + layer.size!, 0);
	const last = progress.at(-1)!;
	assert.deepEqual({bytes: last.bytes, totalBytes: last.totalBytes, layersDone: last.layersDone}, {bytes: total, totalBytes: total, layersDone: 3});
	assert.ok(progress.some(item => item.bytes > 0 && item.bytes < total), 'progress between 0 and the total');
	// A single-platform image and another --platform: what it is, named.
	const other = await rejection(read(reference, {platform: parsePlatform('linux/arm64')}));
	assert.equal(other.message, `no image for platform linux/arm64 (${registry.host}/acme/app:v1 is linux/amd64)`);

	// By digest: the same figures, one manifest request.
	const manifestDigest = (await run('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${reference}`])).trim();
	const byDigest = await read(`${registry.host}/acme/app@${manifestDigest}`);
	assert.deepEqual(figures(analyzeImage(byDigest)), figures(analyzeImage(image)));
	assert.deepEqual(byDigest.tags, []);
});

test('the CLI: registry:REF and --source registry give the report, --json and tree of the image on disk', async t => {
	if (!await requireRegistryTools(t)) {
		return;
	}

	const registry = await startRegistry(t);
	const {reference, file} = await withImage(t, registry);
	const env = {HOME: '/nonexistent', DOCKER_CONFIG: '/nonexistent'};
	const fromRegistry = await runCli([`registry:${reference}`, '--json', '-'], {env});
	assert.equal(fromRegistry.code, 0, fromRegistry.stderr);
	const local = await runCli([file, '--json', '-'], {env});
	const strip = (text: string): unknown => {
		const json = JSON.parse(text) as {layer: Array<Record<string, unknown>>; image: Record<string, unknown>};
		return {...json, layer: json.layer.map(({digestId: _d, id: _i, ...rest}) => rest)};
	};

	assert.deepEqual(strip(fromRegistry.stdout), strip(local.stdout));
	const tree = await runCli(['tree', reference, '--source', 'registry'], {env});
	assert.equal(tree.code, 0, tree.stderr);
	assert.equal(tree.stdout, (await runCli(['tree', file], {env})).stdout);
	const ci = await runCli([`registry:${reference}`, '--ci'], {env});
	const localCi = await runCli([file, '--ci'], {env});
	assert.equal(ci.code, localCi.code, ci.stderr);
	assert.equal(ci.stdout, localCi.stdout);
	// compare with its file: the same layers, nothing changed; again with every layer in the layer cache (both images
	// then read in one thread, a layer both take from the cache decoded once): the same comparison, either way round.
	const cached = {...env, LAYERSCOPE_CACHE_DIR: path.join(await tempDir(t), 'cache')};
	for (const pair of [[`registry:${reference}`, file], [file, `registry:${reference}`]]) {
		const runs = [];
		for (let run = 0; run < 2; run++) {
			const result = await runCli(['compare', ...pair, '--json', '-'], {env: cached});
			assert.equal(result.code, 0, result.stderr);
			runs.push(result.stdout);
		}

		assert.deepEqual((JSON.parse(runs[0]!) as {changes: unknown[]}).changes, []);
		assert.equal(runs[1], runs[0]);
	}
});

test('a bare reference with no daemon answering reads from the registry, and says so in one stderr line', async t => {
	if (!await requireRegistryTools(t)) {
		return;
	}

	const registry = await startRegistry(t);
	const {reference} = await withImage(t, registry);
	const result = await runCli([reference, '--no-tui'], {env: {DOCKER_HOST: `unix:///tmp/layerscope-no-daemon-${process.pid}.sock`, HOME: '/nonexistent'}});
	assert.equal(result.code, 0, result.stderr);
	assert.match(result.stderr, new RegExp(`^layerscope: no Docker daemon answers; reading ${reference.replaceAll('.', '\\.')} straight from its registry$`, 'm'));
	assert.match(result.stdout, /^Total size: .* in 3 layers/m);
});

test('htpasswd Basic auth: credentials from the docker config; wrong or missing ones are named, never shown', async t => {
	if (!await requireRegistryTools(t)) {
		return;
	}

	const password = 'pa55-Word-xyz';
	const registry = await startRegistry(t, {kind: 'basic', username: 'alice', password});
	const {reference, file} = await withImage(t, registry);
	const good = await dockerConfig(t, registry.host, 'alice', password);
	const image = await read(reference, {keychain: defaultKeychain({DOCKER_CONFIG: good})});
	assert.deepEqual(figures(analyzeImage(image)), figures(analyzeImage(await fromDisk(file))));

	const bad = await dockerConfig(t, `http://${registry.host}`, 'alice', 'wrong-secret-123');
	const badResult = await runCli([`registry:${reference}`, '--debug'], {env: {DOCKER_CONFIG: bad}});
	assert.equal(badResult.code, 2);
	assert.equal(badResult.stdout, '');
	assert.equal(errorLine(badResult.stderr), `layerscope: registry ${registry.host} denied access to acme/app (401 Unauthorized: authentication required); credentials tried: username and password from ${path.join(bad, 'config.json')} (auths)`);
	for (const secret of ['wrong-secret-123', Buffer.from('alice:wrong-secret-123').toString('base64'), 'Basic ', 'Authorization']) {
		assert.ok(!badResult.stderr.includes(secret), `stderr shows ${secret}`);
	}

	const none = await rejection(read(reference, {keychain: defaultKeychain({DOCKER_CONFIG: path.join(bad, 'none'), HOME: '/nonexistent'})}));
	assert.ok(none instanceof SourceError);
	assert.equal(none.message, `registry ${registry.host} wants a username and password (Basic auth); no credentials for ${registry.host} in ${path.join(bad, 'none', 'config.json')} (no such file) (anonymous); log in with \`docker login ${registry.host}\``);
});

test('Bearer tokens: the token server gets the helper\'s credentials and the pull scope; the token is never shown', async t => {
	if (!await requireRegistryTools(t)) {
		return;
	}

	const password = 'tok-secret-987';
	const registry = await startRegistry(t, {kind: 'token', username: 'bob', password});
	const {reference, file} = await withImage(t, registry, 'team/svc');
	// A credential helper script on PATH, named by credHelpers.
	const dir = await tempDir(t);
	const bin = path.join(dir, 'bin');
	await mkdir(bin);
	await writeFile(path.join(bin, 'docker-credential-layerscope-test'), `#!/bin/sh\nread -r server\n[ "$server" = '${registry.host}' ] || { echo 'credentials not found in native keychain'; exit 1; }\nprintf '{"Username":"bob","Secret":"${password}"}'\n`);
	await chmod(path.join(bin, 'docker-credential-layerscope-test'), 0o755);
	await writeFile(path.join(dir, 'config.json'), JSON.stringify({credHelpers: {[registry.host]: 'layerscope-test'}}));
	const env = {DOCKER_CONFIG: dir, PATH: `${bin}:${process.env['PATH'] ?? ''}`};
	registry.tokenRequests.length = 0;
	const result = await runCli([`registry:${reference}`, '--json', '-', '--debug'], {env});
	assert.equal(result.code, 0, result.stderr);
	assert.ok(registry.tokenRequests.length > 0);
	assert.ok(registry.tokenRequests.every(request => request.authorization === 'Basic' && request.scope === 'repository:team/svc:pull'), JSON.stringify(registry.tokenRequests));
	const local = await runCli([file, '--json', '-']);
	assert.equal((JSON.parse(result.stdout) as {image: {sizeBytes: number}}).image.sizeBytes, (JSON.parse(local.stdout) as {image: {sizeBytes: number}}).image.sizeBytes);
	assert.ok(!result.stderr.includes(password) && !result.stderr.includes('Bearer') && !result.stderr.includes('eyJ'), result.stderr);

	// An identity token (auths.identitytoken) is exchanged as an OAuth2 refresh token.
	registry.tokenRequests.length = 0;
	const identityConfig = path.join(dir, 'identity');
	await mkdir(identityConfig);
	await writeFile(path.join(identityConfig, 'config.json'), JSON.stringify({auths: {[registry.host]: {identitytoken: identityToken}}}));
	const viaIdentity = await read(reference, {keychain: defaultKeychain({DOCKER_CONFIG: identityConfig})});
	assert.deepEqual(figures(analyzeImage(viaIdentity)), figures(analyzeImage(await fromDisk(file))));
	assert.deepEqual(registry.tokenRequests, [{authorization: 'refresh_token', scope: 'repository:team/svc:pull'}]);

	// Anonymous: the token server hands out a token without access; the registry says no.
	const anonymous = await runCli([`registry:${reference}`, '--debug'], {env: {DOCKER_CONFIG: path.join(dir, 'none'), HOME: '/nonexistent'}});
	assert.equal(anonymous.code, 2);
	assert.match(errorLine(anonymous.stderr), new RegExp(`^layerscope: registry ${registry.host.replaceAll('.', '\\.')} denied access to team/svc \\(401 Unauthorized: authentication required\\); no credentials for ${registry.host.replaceAll('.', '\\.')} in .* \\(anonymous\\)$`));
	assert.ok(!anonymous.stderr.includes('eyJ'), 'no token in the output');
});

/** An OCI layout with one image per platform (and an attestation manifest, which is skipped). */
async function multiPlatformLayout(dir: string, platforms: readonly string[]): Promise<void> {
	const blobs = path.join(dir, 'blobs', 'sha256');
	await mkdir(blobs, {recursive: true});
	const put = async (data: Buffer | string): Promise<{digest: string; size: number}> => {
		const bytes = Buffer.from(data);
		const hex = createHash('sha256').update(bytes).digest('hex');
		await writeFile(path.join(blobs, hex), bytes);
		return {digest: `sha256:${hex}`, size: bytes.length};
	};

	const manifests = [];
	for (const platform of platforms) {
		const [os, architecture, variant] = platform.split('/');
		const tar = await buildLayerTar([{path: 'platform', content: `${platform}\n`}, {path: `only-${architecture!}`, size: 1000 + manifests.length}]);
		const layer = await put(compress(tar, 'gzip'));
		const diffId = `sha256:${createHash('sha256').update(tar).digest('hex')}`;
		const config = await put(JSON.stringify({architecture, os, ...(variant === undefined ? {} : {variant}), rootfs: {type: 'layers', diff_ids: [diffId]}, history: [{created_by: `layer for ${platform}`}]}));
		const manifest = await put(JSON.stringify({schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {mediaType: 'application/vnd.oci.image.config.v1+json', ...config}, layers: [{mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer}]}));
		manifests.push({mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, platform: {os, architecture, ...(variant === undefined ? {} : {variant})}});
	}

	await writeFile(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
	const index = {schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests};
	const indexBlob = await put(JSON.stringify(index));
	await writeFile(path.join(dir, 'index.json'), JSON.stringify({schemaVersion: 2, manifests: [{mediaType: 'application/vnd.oci.image.index.v1+json', ...indexBlob, annotations: {'org.opencontainers.image.ref.name': 'multi'}}]}));
}

test('a multi-platform index (skopeo copy --all): the host\'s platform, --platform, and an absent one listing those there are', async t => {
	if (!await requireRegistryTools(t)) {
		return;
	}

	const registry = await startRegistry(t);
	const dir = await tempDir(t);
	await multiPlatformLayout(dir, ['linux/amd64', 'linux/arm64/v8', 'linux/s390x']);
	const reference = await push(registry, `oci:${dir}:multi`, 'multi/app:v1', {all: true});
	const arm = await read(reference, {platform: parsePlatform('linux/arm64')});
	assert.equal(arm.config.architecture, 'arm64');
	assert.deepEqual(arm.layers[0]!.contents.entries.map(entry => entry.path), ['platform', 'only-arm64']);
	const s390x = await runCli([`registry:${reference}`, '--platform', 'linux/s390x', '--json', '-'], {env: {HOME: '/nonexistent'}});
	assert.equal(s390x.code, 0, s390x.stderr);
	assert.equal((JSON.parse(s390x.stdout) as {layer: Array<{command: string}>}).layer[0]!.command, 'layer for linux/s390x');
	const host = await read(reference);
	assert.equal(host.config.architecture, process.arch === 'arm64' ? 'arm64' : (process.arch === 's390x' ? 's390x' : 'amd64'));
	// Only what is needed: through the index, two manifests; by the platform manifest's digest, one.
	const proxy = await startProxy(t, registry, () => false);
	const manifests = (): string[] => proxy.seen.map(item => item.path).filter(item => item.includes('/manifests/'));
	const viaIndex = await registryImage(`${proxy.host}/multi/app:v1`, {platform: parsePlatform('linux/arm64'), keychain: defaultKeychain({HOME: '/nonexistent'})});
	assert.equal(manifests().length, 2);
	const armDigest = manifests()[1]!.split('/manifests/')[1]!;
	proxy.seen.length = 0;
	const direct = await registryImage(`${proxy.host}/multi/app@${armDigest}`, {keychain: defaultKeychain({HOME: '/nonexistent'})});
	assert.deepEqual(manifests(), [`/v2/multi/app/manifests/${armDigest}`]);
	assert.equal(direct.configDigest, viaIndex.configDigest);
	assert.equal(proxy.seen.filter(item => item.path.includes('/blobs/')).length, 1, 'only the config blob before any layer is read');

	const absent = await runCli([`registry:${reference}`, '--platform', 'linux/riscv64'], {env: {HOME: '/nonexistent'}});
	assert.equal(absent.code, 2);
	assert.equal(errorLine(absent.stderr), 'layerscope: no image for platform linux/riscv64 (the image has: linux/amd64, linux/arm64/v8, linux/s390x)');
});

test('a blob corrupted in the registry\'s storage is a digest mismatch: exit 2, no figures', async t => {
	if (!await requireRegistryTools(t)) {
		return;
	}

	const registry = await startRegistry(t);
	const {reference} = await withImage(t, registry);
	const lazy = await registryImage(reference, {keychain: defaultKeychain({HOME: '/nonexistent'})});
	const {digest} = lazy.layers[1]!;
	const blob = registry.blobPath(digest);
	const original = await readFile(blob);
	// Same size, one byte flipped near the end: the gzip stream may still decode, only the digest catches it.
	const corrupt = Buffer.from(original);
	corrupt[corrupt.length - 20] = corrupt[corrupt.length - 20]! ^ 0xFF;
	await writeFile(blob, corrupt);
	// --no-cache: the layer cache would answer for this layer (its diff_id was read by an earlier test) and never fetch the blob.
	const result = await runCli([`registry:${reference}`, '--json', '-', '--no-cache'], {env: {HOME: '/nonexistent'}});
	assert.equal(result.code, 2);
	assert.equal(result.stdout, '');
	const actual = `sha256:${createHash('sha256').update(corrupt).digest('hex')}`;
	// The digest check or the gzip decoder (its CRC) notices first, depending on which flipped byte it is.
	const line = errorLine(result.stderr);
	assert.ok(line === `layerscope: digest mismatch: blob ${digest} from the registry hashes to ${actual}; no figures are shown`
		|| line.startsWith(`layerscope: layer ${digest}: corrupt gzip layer data`), line);
	// A blob cut short (the registry serves what it has): a size mismatch.
	await writeFile(blob, original.subarray(0, original.length - 100));
	const short = await rejection(read(reference));
	assert.ok(short instanceof SourceError, short.message);
	assert.equal(short.message, `digest mismatch: blob ${digest} from the registry is ${original.length - 100} bytes, not the ${original.length} the manifest says; no figures are shown`);
	assert.equal((await stat(blob)).size, original.length - 100);
});

test('a connection dropped mid-blob is resumed with Range; the figures are the same', async t => {
	if (!await requireRegistryTools(t)) {
		return;
	}

	const registry = await startRegistry(t);
	const {file} = await withImage(t, registry);
	// The two big layers' blobs break off after 5000 bytes on their first request.
	const lazy = await registryImage(`${registry.host}/acme/app:v1`, {keychain: defaultKeychain({HOME: '/nonexistent'})});
	const big = new Set(lazy.layers.filter(layer => layer.size! > 100_000).map(layer => layer.digest));
	assert.equal(big.size, 2);
	let cut = 0;
	const proxy = await startProxy(t, registry, (request, _response, forward) => {
		const digest = /\/blobs\/(sha256:[a-f\d]+)$/.exec(request.url ?? '')?.[1];
		if (digest !== undefined && big.has(digest) && request.headers.range === undefined) {
			cut++;
			forward({cutAfter: 5000});
			return true;
		}

		return false;
	});
	const retries: string[] = [];
	const image = await read(`${proxy.host}/acme/app:v1`, {transport: {onRetry: what => retries.push(what), backoffMs: 10}});
	assert.deepEqual(figures(analyzeImage(image)), figures(analyzeImage(await fromDisk(file))));
	assert.equal(cut, 2);
	const resumed = proxy.seen.filter(item => item.range !== undefined);
	assert.ok(resumed.length >= 2 && resumed.every(item => item.range === 'bytes=5000-'), JSON.stringify(resumed));
	assert.ok(retries.some(what => /broke off after 5000 bytes .*resuming/.test(what)), retries.join('\n'));
});

test('429 and 5xx are retried with backoff; a lasting 429 is a rate-limit error', async t => {
	if (!await requireRegistryTools(t)) {
		return;
	}

	const registry = await startRegistry(t);
	const {file} = await withImage(t, registry);
	let failures = 0;
	const flaky = await startProxy(t, registry, (request, response) => {
		if (/\/manifests\//.test(request.url ?? '') && failures < 2) {
			failures++;
			response.writeHead(failures === 1 ? 503 : 429, {'Content-Type': 'application/json'});
			response.end(JSON.stringify({errors: [{code: 'TOOMANYREQUESTS', message: 'slow down'}]}));
			return true;
		}

		return false;
	});
	const image = await read(`${flaky.host}/acme/app:v1`, {transport: {backoffMs: 10}});
	assert.deepEqual(figures(analyzeImage(image)), figures(analyzeImage(await fromDisk(file))));
	assert.equal(failures, 2);

	const limited = await startProxy(t, registry, (request, response) => {
		if (/\/manifests\//.test(request.url ?? '')) {
			response.writeHead(429, {'Content-Type': 'application/json', 'Retry-After': '3600'});
			response.end(JSON.stringify({errors: [{code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit.'}]}));
			return true;
		}

		return false;
	});
	const result = await runCli([`registry:${limited.host}/acme/app:v1`], {env: {HOME: '/nonexistent'}});
	assert.equal(result.code, 2);
	assert.equal(errorLine(result.stderr), `layerscope: registry ${limited.host} rate-limited the pull (429 Too Many Requests TOOMANYREQUESTS: You have reached your pull rate limit.); it asks to wait 3600 s; try again later, or log in for a higher limit`);
});

test('a blob redirected to another host is fetched without the registry\'s credentials', async t => {
	if (!await requireRegistryTools(t)) {
		return;
	}

	const registry = await startRegistry(t, {kind: 'basic', username: 'carol', password: 'redirect-secret'});
	const {file} = await withImage(t, registry);
	// "Blob storage" on another loopback address: serves the blob bytes it fetches from the registry itself.
	const storageSeen: Array<string | undefined> = [];
	const basic = `Basic ${Buffer.from('carol:redirect-secret').toString('base64')}`;
	const storage = http.createServer((request, response) => {
		storageSeen.push(request.headers.authorization);
		http.get({host: '127.0.0.1', port: registry.port, path: request.url, headers: {Authorization: basic}}, answer => {
			response.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(response);
		});
	});
	await new Promise<void>(resolve => {
		storage.listen(0, '127.0.0.2', resolve);
	});
	t.after(async () => new Promise<void>(resolve => {
		storage.closeAllConnections();
		storage.close(() => {
			resolve();
		});
	}));
	const storagePort = (storage.address() as {port: number}).port;
	const proxy = await startProxy(t, registry, (request, response) => {
		if (/\/blobs\/sha256:/.test(request.url ?? '') && request.headers.authorization !== undefined) {
			response.writeHead(307, {Location: `http://127.0.0.2:${storagePort}${request.url ?? ''}`});
			response.end();
			return true;
		}

		return false;
	});
	const config = await dockerConfig(t, proxy.host, 'carol', 'redirect-secret');
	const image = await read(`${proxy.host}/acme/app:v1`, {keychain: defaultKeychain({DOCKER_CONFIG: config})});
	assert.deepEqual(figures(analyzeImage(image)), figures(analyzeImage(await fromDisk(file))));
	assert.ok(storageSeen.length >= 4, `config and 3 layers went to blob storage: ${storageSeen.length}`);
	assert.deepEqual(storageSeen.filter(value => value !== undefined), [], 'no Authorization header reached the other host');
	assert.ok(proxy.seen.some(item => item.authorization === basic), 'the registry itself got the credentials');
});

test('connection errors are one line: refused, unknown host, manifest unknown, TLS failure (mentioning --insecure)', async t => {
	if (!await requireRegistryTools(t)) {
		return;
	}

	const env = {HOME: '/nonexistent'};
	const port = await freePort();
	const refused = await runCli([`registry:127.0.0.1:${port}/app:1`], {env});
	assert.equal(refused.code, 2);
	assert.equal(errorLine(refused.stderr), `layerscope: cannot connect to registry 127.0.0.1:${port} at 127.0.0.1:${port}: connection refused`);

	const unknown = await runCli(['registry:no-such-host.invalid/app:1'], {env});
	assert.equal(unknown.code, 2);
	assert.equal(errorLine(unknown.stderr), 'layerscope: cannot reach registry no-such-host.invalid: unknown host no-such-host.invalid');

	const registry = await startRegistry(t);
	await withImage(t, registry);
	const missing = await runCli([`registry:${registry.host}/acme/app:v2`], {env});
	assert.equal(missing.code, 2);
	assert.equal(errorLine(missing.stderr), `layerscope: manifest unknown: manifest ${registry.host}/acme/app:v2 is not in registry ${registry.host} (MANIFEST_UNKNOWN)`);
	const noRepo = await runCli([`registry:${registry.host}/acme/other:v1`], {env});
	assert.equal(errorLine(noRepo.stderr), `layerscope: manifest unknown: manifest ${registry.host}/acme/other:v1 is not in registry ${registry.host} (MANIFEST_UNKNOWN)`);

	// A TLS server with a self-signed certificate, spoken to as a secure registry would be.
	const dir = await tempDir(t);
	await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=localhost']);
	const server = https.createServer({key: await readFile(path.join(dir, 'k.pem')), cert: await readFile(path.join(dir, 'c.pem'))}, (_request, response) => {
		response.end('{}');
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	t.after(() => {
		server.close();
	});
	const host = `127.0.0.1:${(server.address() as {port: number}).port}`;
	const transport = new RegistryTransport({registry: host, repository: 'app', insecure: false, keychain: defaultKeychain({HOME: '/nonexistent'})});
	const tls = await rejection(transport.get('/v2/app/manifests/1'));
	assert.ok(tls instanceof SourceError);
	assert.match(tls.message, new RegExp(`^TLS error talking to registry ${host.replaceAll('.', '\\.')}: self[- ]signed certificate; for a test registry without a valid certificate, use --insecure \\(or list it in LAYERSCOPE_INSECURE_REGISTRIES\\)$`));
	// The same server as an insecure registry: TLS without verification.
	const insecure = new RegistryTransport({registry: host, repository: 'app', insecure: true, keychain: defaultKeychain({HOME: '/nonexistent'})});
	const answer = await insecure.get('/v2/app/manifests/1');
	assert.equal(answer.status, 200);
	answer.body.resume();
});

test('figures from the registry equal those of `docker save` of the same image', async t => {
	if (!await requireRegistryTools(t) || !await requireDocker(t)) {
		return;
	}

	const registry = await startRegistry(t);
	const base = await ensureBusyboxImage();
	const tag = uniqueTag('registry-save');
	t.after(async () => removeImages(tag));
	await buildImage(tag, `FROM ${base}\nRUN head -c 300000 /bin/busybox > /one && mkdir -p /d && echo x > /d/x\nRUN rm /one && echo y > /d/y\n`);
	const archive = await saveImage(tag, await tempDir(t));
	const reference = await push(registry, `docker-archive:${archive}`, 'saved/app:v1');
	const image = await read(reference);
	const saved = await readImageArchive((await import('node:fs')).createReadStream(archive), {name: 'saved'});
	assert.deepEqual(figures(analyzeImage(image)), figures(analyzeImage(saved)));
	assert.deepEqual(image.layers.map(layer => layer.diffId), saved.layers.map(layer => layer.diffId));
});
