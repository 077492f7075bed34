// daemonSource and ensureDaemon against a fake Docker API on a temp unix socket: no daemon needed, and the
// failure cases a real daemon rarely produces on demand (errors inside a pull stream, a dropped export, a daemon
// that never answers) happen every time.
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type {Readable} from 'node:stream';
import {after, afterEach, test} from 'node:test';
import {checkReference, daemonError, daemonSource, ensureDaemon, PullProgress} from '../../src/sources/daemon.js';
import type {Endpoint} from '../../src/sources/docker-host.js';
import {type SourceStatus, SourceError} from '../../src/sources/types.js';
import {rejection} from '../helpers/common.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'layerscope-fake-daemon-'));
after(() => {
	rmSync(dir, {recursive: true, force: true});
});

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

const servers: http.Server[] = [];
const savedHost = process.env['DOCKER_HOST'];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => new Promise<void>(resolve => {
		server.closeAllConnections();
		server.close(() => {
			resolve();
		});
	})));
	if (savedHost === undefined) {
		delete process.env['DOCKER_HOST'];
	} else {
		process.env['DOCKER_HOST'] = savedHost;
	}
});

let socketCount = 0;
/** Start a fake daemon; DOCKER_HOST points at it until the test ends. Resolves to the requests seen. */
async function fakeDaemon(routes: Record<string, Handler>): Promise<string[]> {
	const seen: string[] = [];
	const socket = path.join(dir, `d${socketCount++}.sock`);
	const server = http.createServer((request, response) => {
		const route = `${request.method} ${(request.url ?? '').replace(/\?.*$/, '')}`;
		seen.push(`${request.method} ${request.url}`);
		const handler = routes[route] ?? (route === 'GET /_ping' ? (_request: http.IncomingMessage, response_: http.ServerResponse) => response_.end('OK') : undefined);
		if (handler === undefined) {
			response.writeHead(404, {'Content-Type': 'application/json'});
			response.end(JSON.stringify({message: `no route ${route}`}));
			return;
		}

		handler(request, response);
	});
	servers.push(server);
	await new Promise<void>(resolve => {
		server.listen(socket, resolve);
	});
	process.env['DOCKER_HOST'] = `unix://${socket}`;
	return seen;
}

function json(status: number, body: unknown): Handler {
	return (_request, response) => {
		response.writeHead(status, {'Content-Type': 'application/json'});
		response.end(JSON.stringify(body));
	};
}

const notFound = json(404, {message: 'No such image: x'});
const inspected = json(200, {Id: 'sha256:abc', RepoTags: ['x:latest'], Size: 123});

async function readAll(stream: Readable): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) {
		chunks.push(chunk as Buffer);
	}

	return Buffer.concat(chunks);
}

test('a present image: no pull; open() streams exactly what /images/NAME/get sends', async () => {
	const payload = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
	const seen = await fakeDaemon({
		'GET /images/reg.example:5000/team/app:1.2/json': inspected,
		'GET /images/reg.example:5000/team/app:1.2/get'(_request, response) {
			response.writeHead(200, {'Content-Type': 'application/x-tar'});
			response.end(payload);
		},
	});
	const statuses: SourceStatus[] = [];
	const source = await daemonSource('reg.example:5000/team/app:1.2', {onStatus: status => statuses.push(status)});
	assert.equal(source.kind, 'archive');
	assert.equal(source.name, 'reg.example:5000/team/app:1.2');
	const bytes = await readAll(await source.open());
	assert.ok(bytes.equals(payload));
	assert.deepEqual(seen.map(request => request.replace(/\?.*$/, '')), ['GET /_ping', 'GET /images/reg.example:5000/team/app:1.2/json', 'GET /images/reg.example:5000/team/app:1.2/get']);
	assert.deepEqual(statuses.map(status => status.phase), ['export']);
});

test('an absent image is pulled; progress is aggregated over layers; then inspected again', async () => {
	let present = false;
	const events = [
		{status: 'Pulling from team/app', id: '1.2'},
		{status: 'Pulling fs layer', id: 'aaa'},
		{status: 'Pulling fs layer', id: 'bbb'},
		{status: 'Downloading', id: 'aaa', progressDetail: {current: 100, total: 1000}},
		{status: 'Downloading', id: 'bbb', progressDetail: {current: 50, total: 500}},
		{status: 'Downloading', id: 'aaa', progressDetail: {current: 1000, total: 1000}},
		{status: 'Download complete', id: 'aaa'},
		{status: 'Pull complete', id: 'aaa'},
		{status: 'Download complete', id: 'bbb'},
		{status: 'Pull complete', id: 'bbb'},
		{status: 'Digest: sha256:0123'},
		{status: 'Status: Downloaded newer image for app:1.2'},
	];
	const seen = await fakeDaemon({
		'GET /images/app:1.2/json': (request, response) => (present ? inspected : notFound)(request, response),
		'POST /images/create'(_request, response) {
			response.writeHead(200, {'Content-Type': 'application/json'});
			// Split lines across writes, and one line in two halves, as a socket may deliver them.
			const text = events.map(event => JSON.stringify(event)).join('\r\n') + '\r\n';
			response.write(text.slice(0, 97));
			response.write(text.slice(97, 301));
			present = true;
			response.end(text.slice(301));
		},
		'GET /images/app:1.2/get': (_request, response) => response.end('tar'),
	});
	const statuses: SourceStatus[] = [];
	const source = await daemonSource('app:1.2', {onStatus: status => statuses.push(status)});
	assert.ok(seen.includes('POST /images/create?fromImage=app&tag=1.2'), seen.join(', '));
	const pulls = statuses.filter(status => status.phase === 'pull');
	assert.equal(pulls.length, events.length + 1);
	assert.deepEqual(pulls.at(-1), {phase: 'pull', message: 'pulling app:1.2: 2/2 layers', current: 1500, total: 1500});
	// While bbb's size was unknown the total was unknown too; then it grew with each layer's size.
	assert.deepEqual(pulls.map(status => status.total), [undefined, undefined, undefined, undefined, undefined, 1500, 1500, 1500, 1500, 1500, 1500, 1500, 1500]);
	assert.deepEqual(pulls.map(status => status.current), [0, 0, 0, 0, 100, 150, 1050, 1050, 1050, 1500, 1500, 1500, 1500]);
	assert.equal((await readAll(await source.open())).toString(), 'tar');
});

test('a pull error inside the progress stream (HTTP 200) fails with the daemon\'s message', async () => {
	await fakeDaemon({
		'GET /images/127.0.0.1:5999/nope:latest/json': notFound,
		'POST /images/create'(_request, response) {
			response.writeHead(200, {'Content-Type': 'application/json'});
			response.write(`${JSON.stringify({status: 'Pulling from nope', id: 'latest'})}\n`);
			response.write('this line is not JSON\n');
			response.end(`${JSON.stringify({errorDetail: {message: 'manifest for 127.0.0.1:5999/nope:latest not found:\nmanifest unknown \u001B[31m'}, error: 'short'})}\n`);
		},
	});
	const error = await rejection(daemonSource('127.0.0.1:5999/nope:latest'));
	assert.ok(error instanceof SourceError);
	assert.equal(error.message, 'image 127.0.0.1:5999/nope:latest is not in the local image store and pulling it failed: manifest for 127.0.0.1:5999/nope:latest not found: manifest unknown \\x1b[31m');
});

test('a pull refused with an HTTP error status fails with the daemon\'s message', async () => {
	await fakeDaemon({
		'GET /images/private/app:latest/json': notFound,
		'POST /images/create': json(404, {message: 'pull access denied for private/app, repository does not exist'}),
	});
	const error = await rejection(daemonSource('private/app:latest'));
	assert.ok(error instanceof SourceError);
	assert.equal(error.message, 'image private/app:latest is not in the local image store and pulling it failed: pull access denied for private/app, repository does not exist');
});

test('an image id that is not there is reported without any pull', async () => {
	const id = `sha256:${'ab'.repeat(32)}`;
	const seen = await fakeDaemon({[`GET /images/${id}/json`]: notFound});
	const error = await rejection(daemonSource(id));
	assert.equal(error.message, `no such image: ${id}`);
	assert.ok(!seen.some(request => request.startsWith('POST')));
});

test('other daemon errors on inspect carry the daemon\'s message', async () => {
	await fakeDaemon({'GET /images/app:latest/json': json(500, {message: 'layer store is corrupt'})});
	const error = await rejection(daemonSource('app:latest'));
	assert.ok(error instanceof SourceError);
	assert.equal(error.message, 'the Docker daemon could not inspect app:latest: layer store is corrupt');
});

test('an export that fails before streaming, and one whose connection drops midway, are SourceErrors', async () => {
	await fakeDaemon({
		'GET /images/a:1/json': inspected,
		'GET /images/a:1/get': json(500, {message: 'open /var/lib/docker/x: no such file'}),
		'GET /images/b:1/json': inspected,
		'GET /images/b:1/get'(_request, response) {
			response.writeHead(200, {'Content-Type': 'application/x-tar'});
			response.write(Buffer.alloc(4096));
			setTimeout(() => response.socket?.destroy(), 50);
		},
	});
	const a = await daemonSource('a:1');
	const early = await rejection(a.open());
	assert.ok(early instanceof SourceError);
	assert.equal(early.message, 'the Docker daemon could not export a:1: open /var/lib/docker/x: no such file');

	const b = await daemonSource('b:1');
	const stream = await b.open();
	const midway = await rejection(readAll(stream));
	assert.ok(midway instanceof SourceError, String(midway));
	assert.match(midway.message, /^the connection to the Docker daemon at unix:\/\/.*\.sock was closed unexpectedly \(ECONNRESET\)$/);
});

test('the signal cancels a pull in progress and an export in progress', async () => {
	await fakeDaemon({
		'GET /images/slow:1/json': notFound,
		'POST /images/create'(_request, response) {
			response.writeHead(200, {'Content-Type': 'application/json'});
			response.write(`${JSON.stringify({status: 'Pulling fs layer', id: 'x'})}\n`); // …and nothing more.
		},
		'GET /images/big:1/json': inspected,
		'GET /images/big:1/get'(_request, response) {
			response.writeHead(200, {'Content-Type': 'application/x-tar'});
			response.write(Buffer.alloc(1024));
		},
	});
	const pullController = new AbortController();
	const pulling = daemonSource('slow:1', {
		signal: pullController.signal,
		onStatus(status) {
			if (status.message.includes('0/1 layers')) {
				pullController.abort();
			}
		},
	});
	assert.equal((await rejection(pulling)).message, 'cancelled');

	const exportController = new AbortController();
	const source = await daemonSource('big:1', {signal: exportController.signal});
	const stream = await source.open();
	const reading = readAll(stream);
	setTimeout(() => {
		exportController.abort();
	}, 50);
	const error = await rejection(reading);
	assert.ok(error instanceof SourceError);
	assert.equal(error.message, 'cancelled');
	assert.equal((await rejection(source.open())).message, 'cancelled');
});

test('a daemon that never answers the ping times out with a clear line; the signal cancels the wait', async () => {
	await fakeDaemon({'GET /_ping'() {/* Never answers. */}});
	const started = Date.now();
	const error = await rejection(ensureDaemon('docker', {timeoutMs: 300}));
	assert.ok(error instanceof SourceError);
	assert.match(error.message, /^the Docker daemon at unix:\/\/.*\.sock did not answer within 0\.3 s$/);
	assert.ok(Date.now() - started < 5000);

	const controller = new AbortController();
	setTimeout(() => {
		controller.abort();
	}, 100);
	assert.equal((await rejection(ensureDaemon('docker', {signal: controller.signal}))).message, 'cancelled');
});

test('unreachable daemons: missing socket, nothing listening, podman socket missing', async () => {
	const missing = await rejection(ensureDaemon('docker', {env: {DOCKER_HOST: `unix://${dir}/nonexistent.sock`}}));
	assert.equal(missing.message, `cannot connect to the Docker daemon at unix://${dir}/nonexistent.sock: is it running? (no such socket)`);

	// A file that is not a listening socket refuses connections.
	const dead = path.join(dir, 'dead.sock');
	writeFileSync(dead, '');
	const refused = await rejection(ensureDaemon('docker', {env: {DOCKER_HOST: `unix://${dead}`}}));
	assert.equal(refused.message, `cannot connect to the Docker daemon at unix://${dead}: is it running? (connection refused)`);

	const podman = await rejection(ensureDaemon('podman', {env: {CONTAINER_HOST: `unix://${dir}/podman.sock`}}));
	assert.equal(podman.message, `cannot connect to podman: no socket at unix://${dir}/podman.sock; start the service with \`podman system service --time=0 unix://${dir}/podman.sock\``);
});

test('daemonError maps socket permission errors, TLS errors and unknown errors to one line', () => {
	const unix: Endpoint = {engine: 'docker', url: 'unix:///var/run/docker.sock', origin: 'default', protocol: 'unix', socketPath: '/var/run/docker.sock'};
	const tcp: Endpoint = {engine: 'docker', url: 'tcp://10.0.0.1:2376', origin: 'DOCKER_HOST', protocol: 'https', host: '10.0.0.1', port: 2376};
	const eacces = Object.assign(new Error('connect EACCES /var/run/docker.sock'), {code: 'EACCES'});
	assert.equal(daemonError(eacces, unix).message, 'permission denied on the docker socket unix:///var/run/docker.sock: add your user to the docker group or use sudo');
	const tls = Object.assign(new Error('self-signed certificate'), {code: 'DEPTH_ZERO_SELF_SIGNED_CERT'});
	assert.equal(daemonError(tls, tcp).message, 'TLS error talking to the Docker daemon at tcp://10.0.0.1:2376: self-signed certificate');
	assert.equal(daemonError(new Error('weird\nthing'), tcp).message, 'cannot talk to the Docker daemon at tcp://10.0.0.1:2376: weird thing');
	const existing = new SourceError('kept as is');
	assert.equal(daemonError(existing, tcp), existing);
});

test('references are checked before they reach a URL path', () => {
	for (const good of ['busybox', 'busybox:1.36', 'library/busybox:latest', '127.0.0.1:5000/a/b:tag', 'localhost/x@sha256:' + 'a'.repeat(64), 'sha256:' + 'f'.repeat(64), 'my_image.v2-x:1_0', 'app:1..2']) {
		assert.doesNotThrow(() => {
			checkReference(good);
		}, good);
	}

	for (const bad of ['', 'BAD REF', 'a/../../containers/x', 'a/./b', 'x?all=1', 'x#y', 'x\u001B[2J', 'x/', ':tag']) {
		assert.throws(() => {
			checkReference(bad);
		}, (error: Error) => error instanceof SourceError && error.message.startsWith('invalid image reference: ') && !/[\u0000-\u001F]/.test(error.message), JSON.stringify(bad));
	}
});

test('PullProgress: layers that already exist count as done and add no bytes; errors are returned', () => {
	const progress = new PullProgress('app');
	// Docker reports a layer it has as "Already exists" without announcing it first.
	progress.add({status: 'Already exists', id: 'a'});
	progress.add({status: 'Pulling fs layer', id: 'b'});
	progress.add({status: 'Downloading', id: 'b', progressDetail: {current: 5, total: 10}});
	assert.deepEqual(progress.status(), {phase: 'pull', message: 'pulling app: 1/2 layers', current: 5, total: 10});
	assert.equal(progress.add({error: 'boom'}), 'boom');
	assert.equal(progress.add({errorDetail: {message: 'detailed'}, error: 'short'}), 'detailed');
});
