import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, test} from 'node:test';
import {connectDocker, dockerodeOptions, type FsLike, nodeFs, resolveEndpoint} from '../../src/sources/docker-host.js';
import {SourceError} from '../../src/sources/types.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'layerscope-host-'));
after(() => {
	rmSync(root, {recursive: true, force: true});
});

let counter = 0;
/** A fresh docker config dir: optional config.json and contexts (name → meta Endpoints.docker, tls files). */
function configDir(options: {config?: unknown; contexts?: Record<string, {host: string; skipTls?: boolean; tls?: boolean}>; dir?: string} = {}): string {
	const dir = options.dir ?? path.join(root, `config-${counter++}`);
	mkdirSync(dir, {recursive: true});
	if (options.config !== undefined) {
		writeFileSync(path.join(dir, 'config.json'), typeof options.config === 'string' ? options.config : JSON.stringify(options.config));
	}

	for (const [name, context] of Object.entries(options.contexts ?? {})) {
		const id = createHash('sha256').update(name).digest('hex');
		mkdirSync(path.join(dir, 'contexts', 'meta', id), {recursive: true});
		writeFileSync(path.join(dir, 'contexts', 'meta', id, 'meta.json'), JSON.stringify({
			Name: name,
			Metadata: {},
			Endpoints: {docker: {Host: context.host, SkipTLSVerify: context.skipTls ?? false}},
		}));
		if (context.tls === true) {
			const tls = path.join(dir, 'contexts', 'tls', id, 'docker');
			mkdirSync(tls, {recursive: true});
			for (const file of ['ca.pem', 'cert.pem', 'key.pem']) {
				writeFileSync(path.join(tls, file), 'not a real pem');
			}
		}
	}

	return dir;
}

describe('resolveEndpoint: docker', () => {
	test('no configuration at all: the default socket', () => {
		const endpoint = resolveEndpoint('docker', {HOME: path.join(root, 'nohome')});
		assert.equal(endpoint.url, 'unix:///var/run/docker.sock');
		assert.equal(endpoint.socketPath, '/var/run/docker.sock');
		assert.equal(endpoint.origin, 'default');
	});

	test('DOCKER_HOST unix:// wins over DOCKER_CONTEXT and currentContext', () => {
		const dir = configDir({config: {currentContext: 'other'}, contexts: {other: {host: 'unix:///other.sock'}}});
		const endpoint = resolveEndpoint('docker', {DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'other', DOCKER_HOST: 'unix:///tmp/my.sock'});
		assert.deepEqual(endpoint, {engine: 'docker', url: 'unix:///tmp/my.sock', origin: 'DOCKER_HOST', protocol: 'unix', socketPath: '/tmp/my.sock'});
	});

	test('DOCKER_HOST tcp:// without TLS: plain http, default port 2375', () => {
		const endpoint = resolveEndpoint('docker', {DOCKER_HOST: 'tcp://127.0.0.1'});
		assert.equal(endpoint.protocol, 'http');
		assert.equal(endpoint.url, 'tcp://127.0.0.1:2375');
		assert.equal(endpoint.port, 2375);
		assert.equal(endpoint.tls, undefined);
	});

	test('a bare host:port is tcp, as the docker CLI reads it', () => {
		const endpoint = resolveEndpoint('docker', {DOCKER_HOST: '127.0.0.1:2999'});
		assert.equal(endpoint.url, 'tcp://127.0.0.1:2999');
		assert.equal(endpoint.protocol, 'http');
	});

	test('DOCKER_TLS_VERIFY: https with verification, certificates from DOCKER_CERT_PATH, default port 2376', () => {
		const endpoint = resolveEndpoint('docker', {DOCKER_HOST: 'tcp://dockerhost.example', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs'});
		assert.equal(endpoint.protocol, 'https');
		assert.equal(endpoint.url, 'tcp://dockerhost.example:2376');
		assert.deepEqual(endpoint.tls, {dir: '/certs', verify: true});
	});

	test('DOCKER_TLS without verify; certificates default to the config dir', () => {
		const endpoint = resolveEndpoint('docker', {DOCKER_HOST: 'tcp://10.1.2.3:4000', DOCKER_TLS: '1', DOCKER_CONFIG: '/cfg'});
		assert.equal(endpoint.protocol, 'https');
		assert.deepEqual(endpoint.tls, {dir: '/cfg', verify: false});
		assert.equal(endpoint.port, 4000);
	});

	test('ssh:// keeps user, host and port', () => {
		const endpoint = resolveEndpoint('docker', {DOCKER_HOST: 'ssh://me@build.example:2222'});
		assert.equal(endpoint.protocol, 'ssh');
		assert.equal(endpoint.username, 'me');
		assert.equal(endpoint.host, 'build.example');
		assert.equal(endpoint.port, 2222);
		assert.equal(endpoint.url, 'ssh://me@build.example:2222');
	});

	test('npipe:// is ignored: resolution goes on to the context', () => {
		const dir = configDir({contexts: {ctx: {host: 'unix:///ctx.sock'}}});
		const endpoint = resolveEndpoint('docker', {DOCKER_HOST: 'npipe:////./pipe/docker_engine', DOCKER_CONTEXT: 'ctx', DOCKER_CONFIG: dir});
		assert.equal(endpoint.url, 'unix:///ctx.sock');
	});

	test('malformed or unsupported DOCKER_HOST: a one-line SourceError naming the variable', () => {
		assert.throws(() => resolveEndpoint('docker', {DOCKER_HOST: 'unix://'}), (error: Error) => error instanceof SourceError && /^DOCKER_HOST: unix:\/\/ needs a socket path/.test(error.message));
		assert.throws(() => resolveEndpoint('docker', {DOCKER_HOST: 'fd://3'}), (error: Error) => error instanceof SourceError && /^DOCKER_HOST: unsupported daemon address "fd:\/\/3"/.test(error.message));
		assert.throws(() => resolveEndpoint('docker', {DOCKER_HOST: 'tcp://'}), SourceError);
	});

	test('DOCKER_CONTEXT: meta.json found by the sha256 of the name', () => {
		const dir = configDir({contexts: {remote: {host: 'tcp://127.0.0.1:2376', tls: true}, 'my ctx': {host: 'unix:///run/ctx.sock'}}});
		const remote = resolveEndpoint('docker', {DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'remote'});
		assert.equal(remote.url, 'tcp://127.0.0.1:2376');
		assert.equal(remote.protocol, 'https');
		const id = createHash('sha256').update('remote').digest('hex');
		assert.deepEqual(remote.tls, {dir: path.join(dir, 'contexts', 'tls', id, 'docker'), verify: true});
		assert.equal(remote.origin, 'context "remote"');
		assert.equal(resolveEndpoint('docker', {DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'my ctx'}).url, 'unix:///run/ctx.sock');
	});

	test('a context with SkipTLSVerify keeps TLS but does not verify', () => {
		const dir = configDir({contexts: {skip: {host: 'tcp://127.0.0.1:2376', tls: true, skipTls: true}}});
		assert.equal(resolveEndpoint('docker', {DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'skip'}).tls?.verify, false);
	});

	test('a tcp context without TLS files is plain http', () => {
		const dir = configDir({contexts: {plain: {host: 'tcp://127.0.0.1:2375'}}});
		assert.equal(resolveEndpoint('docker', {DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'plain'}).protocol, 'http');
	});

	test('currentContext from $DOCKER_CONFIG/config.json, and from ~/.docker when DOCKER_CONFIG is unset', () => {
		const dir = configDir({config: {auths: {}, currentContext: 'cur'}, contexts: {cur: {host: 'unix:///cur.sock'}}});
		assert.equal(resolveEndpoint('docker', {DOCKER_CONFIG: dir}).url, 'unix:///cur.sock');
		const home = path.join(root, `home-${counter++}`);
		configDir({dir: path.join(home, '.docker'), config: {currentContext: 'cur'}, contexts: {cur: {host: 'unix:///home.sock'}}});
		assert.equal(resolveEndpoint('docker', {HOME: home}).url, 'unix:///home.sock');
	});

	test('DOCKER_CONTEXT beats currentContext; "default" means the default endpoint', () => {
		const dir = configDir({config: {currentContext: 'cur'}, contexts: {cur: {host: 'unix:///cur.sock'}, env: {host: 'unix:///env.sock'}}});
		assert.equal(resolveEndpoint('docker', {DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'env'}).url, 'unix:///env.sock');
		assert.equal(resolveEndpoint('docker', {DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'default'}).url, 'unix:///var/run/docker.sock');
		const onlyDefault = configDir({config: {currentContext: 'default'}});
		assert.equal(resolveEndpoint('docker', {DOCKER_CONFIG: onlyDefault}).url, 'unix:///var/run/docker.sock');
	});

	test('a missing context is an error naming the context and the file looked for', () => {
		const dir = configDir({config: {currentContext: 'gone'}});
		const id = createHash('sha256').update('gone').digest('hex');
		assert.throws(() => resolveEndpoint('docker', {DOCKER_CONFIG: dir}), (error: Error) => error instanceof SourceError
			&& error.message.startsWith('docker context "gone" (currentContext in ')
			&& error.message.includes(path.join(dir, 'contexts', 'meta', id, 'meta.json')));
		assert.throws(() => resolveEndpoint('docker', {DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'nope'}), /docker context "nope" \(DOCKER_CONTEXT\) does not exist/);
	});

	test('a context without a docker endpoint, or pointing at a named pipe, is an error', () => {
		const dir = configDir({contexts: {pipe: {host: 'npipe:////./pipe/docker_engine'}, empty: {host: ''}}});
		assert.throws(() => resolveEndpoint('docker', {DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'pipe'}), /only works on Windows/);
		assert.throws(() => resolveEndpoint('docker', {DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'empty'}), /has no docker endpoint/);
	});

	test('an unparsable config.json is an error naming the file', () => {
		const dir = configDir({config: '{"currentContext": '});
		assert.throws(() => resolveEndpoint('docker', {DOCKER_CONFIG: dir}), (error: Error) => error instanceof SourceError
			&& error.message.startsWith(`cannot parse docker config ${path.join(dir, 'config.json')}:`) && !error.message.includes('\n'));
	});

	test('reads go through the fs argument', () => {
		const reads: string[] = [];
		const fakeFs: FsLike = {
			readFile(file) {
				reads.push(file);
				if (file === '/cfg/config.json') {
					return JSON.stringify({currentContext: 'x'});
				}

				if (file === `/cfg/contexts/meta/${createHash('sha256').update('x').digest('hex')}/meta.json`) {
					return JSON.stringify({Endpoints: {docker: {Host: 'unix:///fake.sock'}}});
				}

				throw Object.assign(new Error('missing'), {code: 'ENOENT'});
			},
			exists: () => false,
		};
		assert.equal(resolveEndpoint('docker', {DOCKER_CONFIG: '/cfg'}, fakeFs).url, 'unix:///fake.sock');
		assert.equal(reads.length, 2);
	});
});

describe('resolveEndpoint: podman', () => {
	const existing = (files: string[]): FsLike => ({readFile: nodeFs.readFile, exists: file => files.includes(file)});

	test('CONTAINER_HOST first', () => {
		const endpoint = resolveEndpoint('podman', {CONTAINER_HOST: 'unix:///tmp/p.sock', XDG_RUNTIME_DIR: '/run/user/1000'}, existing(['/run/user/1000/podman/podman.sock']));
		assert.equal(endpoint.url, 'unix:///tmp/p.sock');
		assert.equal(endpoint.engine, 'podman');
		assert.equal(endpoint.origin, 'CONTAINER_HOST');
	});

	test('the rootless socket under XDG_RUNTIME_DIR when it exists, else the rootful one', () => {
		assert.equal(resolveEndpoint('podman', {XDG_RUNTIME_DIR: '/run/user/1000'}, existing(['/run/user/1000/podman/podman.sock', '/run/podman/podman.sock'])).url, 'unix:///run/user/1000/podman/podman.sock');
		assert.equal(resolveEndpoint('podman', {XDG_RUNTIME_DIR: '/run/user/1000'}, existing(['/run/podman/podman.sock'])).url, 'unix:///run/podman/podman.sock');
		assert.equal(resolveEndpoint('podman', {}, existing(['/run/podman/podman.sock'])).url, 'unix:///run/podman/podman.sock');
	});

	test('no socket anywhere: the first candidate, with the others listed for the error message', () => {
		const endpoint = resolveEndpoint('podman', {XDG_RUNTIME_DIR: '/run/user/1000'}, existing([]));
		assert.equal(endpoint.url, 'unix:///run/user/1000/podman/podman.sock');
		assert.deepEqual(endpoint.alsoTried, ['unix:///run/podman/podman.sock']);
		assert.equal(resolveEndpoint('podman', {}, existing([])).alsoTried, undefined);
	});

	test('podman ignores the docker variables', () => {
		const endpoint = resolveEndpoint('podman', {DOCKER_HOST: 'unix:///docker.sock'}, existing([]));
		assert.equal(endpoint.url, 'unix:///run/podman/podman.sock');
	});
});

describe('dockerodeOptions and connectDocker', () => {
	test('a unix endpoint clears every tcp setting dockerode would take from DOCKER_HOST', () => {
		const saved = process.env['DOCKER_HOST'];
		process.env['DOCKER_HOST'] = 'tcp://127.0.0.1:1';
		try {
			const {docker, endpoint} = connectDocker('docker', {DOCKER_HOST: 'unix:///tmp/x.sock'});
			assert.equal(endpoint, 'unix:///tmp/x.sock');
			const modem = docker.modem as unknown as {socketPath?: string; host?: string; protocol?: string};
			assert.equal(modem.socketPath, '/tmp/x.sock');
			assert.equal(modem.host, undefined);
			assert.equal(modem.protocol, 'http');
		} finally {
			if (saved === undefined) {
				delete process.env['DOCKER_HOST'];
			} else {
				process.env['DOCKER_HOST'] = saved;
			}
		}
	});

	test('tcp with TLS reads ca, cert and key from the directory; a missing required file is a clear error', () => {
		const dir = path.join(root, `certs-${counter++}`);
		mkdirSync(dir);
		writeFileSync(path.join(dir, 'ca.pem'), 'CA');
		writeFileSync(path.join(dir, 'cert.pem'), 'CERT');
		writeFileSync(path.join(dir, 'key.pem'), 'KEY');
		const options = dockerodeOptions(resolveEndpoint('docker', {DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir}));
		assert.equal(options.protocol, 'https');
		assert.equal(options.host, '127.0.0.1');
		assert.equal(options.port, 2376);
		assert.equal(options.ca?.toString(), 'CA');
		assert.equal(options.cert?.toString(), 'CERT');
		assert.equal(options.key?.toString(), 'KEY');
		assert.equal(options.socketPath, undefined);

		const noVerify = dockerodeOptions(resolveEndpoint('docker', {DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS: '1', DOCKER_CERT_PATH: dir}));
		assert.equal(noVerify.agent?.options.rejectUnauthorized, false);

		const empty = path.join(root, `certs-${counter++}`);
		mkdirSync(empty);
		assert.throws(() => dockerodeOptions(resolveEndpoint('docker', {DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: empty})),
			(error: Error) => error instanceof SourceError && error.message === `cannot read TLS file ${path.join(empty, 'ca.pem')}: ENOENT`);
	});

	test('podman engine: connectDocker reports the podman socket', () => {
		const {endpoint, resolved} = connectDocker('podman', {CONTAINER_HOST: 'unix:///tmp/podman-x.sock'});
		assert.equal(endpoint, 'unix:///tmp/podman-x.sock');
		assert.equal(resolved.engine, 'podman');
	});
});
