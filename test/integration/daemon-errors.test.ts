// Every way of reaching (or failing to reach) the real daemon gives a working source or one clear line.
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import {chmod, mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterEach, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {daemonSource} from '../../src/sources/daemon.js';
import {resolveEndpoint} from '../../src/sources/docker-host.js';
import {SourceError} from '../../src/sources/types.js';
import {ensureBusyboxImage, readFromDaemon, requireDocker, tempDir} from '../helpers/docker.js';
import {freePort, rejection} from '../helpers/common.js';

const variables = ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG'] as const;
const saved = Object.fromEntries(variables.map(name => [name, process.env[name]]));
afterEach(() => {
	for (const name of variables) {
		if (saved[name] === undefined) {
			delete process.env[name];
		} else {
			process.env[name] = saved[name];
		}
	}
});

/** The endpoint the test environment itself uses (normally unix:///var/run/docker.sock). */
const realEndpoint = resolveEndpoint('docker', process.env).url;

/** A docker config dir whose currentContext is `name`, pointing at `host`. */
async function contextConfig(dir: string, name: string, host: string): Promise<void> {
	const id = createHash('sha256').update(name).digest('hex');
	await mkdir(path.join(dir, 'contexts', 'meta', id), {recursive: true});
	await writeFile(path.join(dir, 'contexts', 'meta', id, 'meta.json'), JSON.stringify({Name: name, Metadata: {}, Endpoints: {docker: {Host: host, SkipTLSVerify: false}}}));
	await writeFile(path.join(dir, 'config.json'), JSON.stringify({auths: {}, currentContext: name}));
}

test('unreachable daemon: DOCKER_HOST at a socket that does not exist', async () => {
	process.env['DOCKER_HOST'] = 'unix:///nonexistent.sock';
	const error = await rejection(daemonSource('busybox:latest'));
	assert.ok(error instanceof SourceError);
	assert.equal(error.message, 'cannot connect to the Docker daemon at unix:///nonexistent.sock: is it running? (no such socket)');
});

test('image not found and the pull fails: the daemon\'s own reason is in the message', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	// Nothing listens on this loopback port, so the daemon's pull fails at once.
	const reference = `127.0.0.1:${await freePort()}/nope:latest`;
	const error = await rejection(daemonSource(reference));
	assert.ok(error instanceof SourceError, String(error));
	assert.ok(error.message.startsWith(`image ${reference} is not in the local image store and pulling it failed: `), error.message);
	assert.match(error.message, /connection refused/);
	assert.ok(!error.message.includes('\n'));
});

test('a docker context from DOCKER_CONFIG pointing at the real socket works', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	const base = await ensureBusyboxImage();
	const dir = await tempDir(t);
	await contextConfig(dir, 'layerscope-real', realEndpoint);
	delete process.env['DOCKER_HOST'];
	delete process.env['DOCKER_CONTEXT'];
	process.env['DOCKER_CONFIG'] = dir;
	assert.equal(resolveEndpoint('docker').origin, 'context "layerscope-real"');
	const image = await readFromDaemon(base);
	assert.equal(image.layers.length, 1);
	assert.deepEqual(image.tags, [base]);
});

test('a docker context pointing at a missing socket: the error names that socket', async t => {
	const dir = await tempDir(t);
	const missing = path.join(dir, 'missing.sock');
	await contextConfig(dir, 'layerscope-missing', `unix://${missing}`);
	delete process.env['DOCKER_HOST'];
	process.env['DOCKER_CONFIG'] = dir;
	const error = await rejection(daemonSource('busybox:latest'));
	assert.ok(error instanceof SourceError);
	assert.equal(error.message, `cannot connect to the Docker daemon at unix://${missing}: is it running? (no such socket)`);

	// DOCKER_CONTEXT naming a context that is not there.
	process.env['DOCKER_CONTEXT'] = 'not-there';
	const absent = await rejection(daemonSource('busybox:latest'));
	assert.ok(absent instanceof SourceError);
	assert.match(absent.message, /^docker context "not-there" \(DOCKER_CONTEXT\) does not exist: no .*meta\.json$/);
});

test('permission denied on the socket, for a user outside the docker group', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	if (process.getuid?.() !== 0 || !realEndpoint.startsWith('unix://')) {
		t.skip('needs root (to run a child as nobody) and a unix socket');
		return;
	}

	// A child process as uid/gid 65534 (nobody) asks the real socket, which is root:docker 0660.
	const dir = await tempDir(t);
	await chmod(dir, 0o755);
	const daemonModule = fileURLToPath(new URL('../../src/sources/daemon.ts', import.meta.url));
	const script = path.join(dir, 'probe.mts');
	await writeFile(script, `import {ensureDaemon} from ${JSON.stringify(daemonModule)};
try { await ensureDaemon('docker'); console.log('connected'); } catch (error) { console.log(error.message); }
`);
	await chmod(script, 0o644);
	const output = await new Promise<string>((resolve, reject) => {
		execFile(process.execPath, ['--import', 'tsx', script], {
			uid: 65_534,
			gid: 65_534,
			cwd: fileURLToPath(new URL('../..', import.meta.url)),
			env: {PATH: process.env['PATH'] ?? '', HOME: dir, DOCKER_HOST: realEndpoint},
			timeout: 60_000,
		}, (error, stdout, stderr) => {
			if (error) {
				reject(new Error(`probe failed: ${stderr}`));
				return;
			}

			resolve(stdout.trim());
		});
	});
	assert.equal(output, `permission denied on the docker socket ${realEndpoint}: add your user to the docker group or use sudo`);
});
