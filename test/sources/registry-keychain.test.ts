// Where registry credentials come from: docker's config.json (auths, credHelpers, credsStore via real helper
// scripts on PATH), then podman's auth.json. Secrets never appear in what is shown.
import assert from 'node:assert/strict';
import {chmod, mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {test} from 'node:test';
import {defaultKeychain} from '../../src/sources/registry/keychain.js';
import {SourceError} from '../../src/sources/types.js';
import {tempDir} from '../helpers/docker.js';

const auth = (user: string, password: string): string => Buffer.from(`${user}:${password}`).toString('base64');

/** A docker-credential-NAME script that answers from a JSON map of server URL → [user, secret] and logs its stdin. */
async function helperScript(bin: string, name: string, answers: Record<string, [string, string]>): Promise<string> {
	const log = path.join(bin, `${name}.log`);
	const cases = Object.entries(answers).map(([server, [user, secret]]) => `  '${server}') printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' '${server}' '${user}' '${secret}';;`).join('\n');
	await writeFile(path.join(bin, `docker-credential-${name}`), `#!/bin/sh
[ "$1" = get ] || exit 3
read -r server
printf '%s\\n' "$server" >> '${log}'
case "$server" in
${cases}
  *) echo 'credentials not found in native keychain'; exit 1;;
esac
`);
	await chmod(path.join(bin, `docker-credential-${name}`), 0o755);
	return log;
}

test('auths entries: auth (base64 user:password), identitytoken, any key form of the host', async t => {
	const dir = await tempDir(t);
	await writeFile(path.join(dir, 'config.json'), JSON.stringify({auths: {
		'https://index.docker.io/v1/': {auth: auth('hubuser', 'hub:pass')},
		'http://localhost:5000/v2/': {auth: auth('local', 'secret-1')},
		'ghcr.io': {identitytoken: 'refresh-xyz'},
	}}));
	const keychain = defaultKeychain({DOCKER_CONFIG: dir, PATH: process.env['PATH']});
	const hub = await keychain.resolve('docker.io');
	assert.deepEqual(hub.credential, {kind: 'basic', username: 'hubuser', secret: 'hub:pass', where: `${path.join(dir, 'config.json')} (auths)`});
	assert.equal((await keychain.resolve('localhost:5000')).credential?.secret, 'secret-1');
	assert.deepEqual((await keychain.resolve('ghcr.io')).credential, {kind: 'identity-token', username: '', secret: 'refresh-xyz', where: `${path.join(dir, 'config.json')} (auths)`});
	const none = await keychain.resolve('quay.io');
	assert.equal(none.credential, undefined);
	assert.deepEqual(none.tried, [`${path.join(dir, 'config.json')} (auths)`]);
});

test('credHelpers win for their host, credsStore for the rest; a helper without the credentials falls through to auths', async t => {
	const dir = await tempDir(t);
	const bin = path.join(dir, 'bin');
	await mkdir(bin);
	const perHost = await helperScript(bin, 'perhost', {'reg.example:5000': ['helper-user', 'helper-secret']});
	const store = await helperScript(bin, 'store', {'https://index.docker.io/v1/': ['<token>', 'hub-identity']});
	await writeFile(path.join(dir, 'config.json'), JSON.stringify({
		credHelpers: {'reg.example:5000': 'perhost'},
		credsStore: 'store',
		auths: {'quay.io': {auth: auth('quay-user', 'quay-secret')}},
	}));
	const env = {DOCKER_CONFIG: dir, PATH: `${bin}:${process.env['PATH'] ?? ''}`};
	const keychain = defaultKeychain(env);
	const fromHelper = await keychain.resolve('reg.example:5000');
	assert.equal(fromHelper.credential?.kind, 'basic');
	assert.equal(fromHelper.credential?.username, 'helper-user');
	assert.equal(fromHelper.credential?.secret, 'helper-secret');
	assert.match(fromHelper.credential?.where ?? '', /^credential helper docker-credential-perhost \(credHelpers in /);
	// Docker Hub is asked for by docker's server URL; "<token>" marks an identity token.
	const hub = await keychain.resolve('docker.io');
	assert.equal(hub.credential?.kind, 'identity-token');
	assert.equal(hub.credential?.secret, 'hub-identity');
	assert.deepEqual((await readFile(store, 'utf8')).trim().split('\n'), ['https://index.docker.io/v1/']);
	assert.deepEqual((await readFile(perHost, 'utf8')).trim().split('\n'), ['reg.example:5000']);
	// The store has nothing for quay.io: the auths entry answers.
	const quay = await keychain.resolve('quay.io');
	assert.equal(quay.credential?.secret, 'quay-secret');
	assert.equal(quay.tried.length, 2);
	assert.ok(quay.tried.every(place => !place.includes('secret')));
});

test('a helper named in the config but missing from PATH is a clear error', async t => {
	const dir = await tempDir(t);
	await writeFile(path.join(dir, 'config.json'), JSON.stringify({credsStore: 'layerscope-test-absent'}));
	await assert.rejects(defaultKeychain({DOCKER_CONFIG: dir, PATH: dir}).resolve('ghcr.io'), (error: unknown) =>
		error instanceof SourceError && error.message === 'credential helper docker-credential-layerscope-test-absent is not on PATH (named in the docker config)');
});

test('podman: REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json, after docker\'s config', async t => {
	const dir = await tempDir(t);
	const authFile = path.join(dir, 'auth.json');
	await writeFile(authFile, JSON.stringify({auths: {'quay.io': {auth: auth('podman', 'p-secret')}}}));
	const explicit = await defaultKeychain({DOCKER_CONFIG: path.join(dir, 'none'), REGISTRY_AUTH_FILE: authFile}).resolve('quay.io');
	assert.equal(explicit.credential?.secret, 'p-secret');
	assert.equal(explicit.credential?.where, `${authFile} (auths)`);
	await mkdir(path.join(dir, 'run', 'containers'), {recursive: true});
	await writeFile(path.join(dir, 'run', 'containers', 'auth.json'), JSON.stringify({auths: {'quay.io': {auth: auth('xdg', 'x-secret')}}}));
	const runtime = await defaultKeychain({DOCKER_CONFIG: path.join(dir, 'none'), XDG_RUNTIME_DIR: path.join(dir, 'run')}).resolve('quay.io');
	assert.equal(runtime.credential?.username, 'xdg');
	const anonymous = await defaultKeychain({DOCKER_CONFIG: path.join(dir, 'none'), HOME: path.join(dir, 'none')}).resolve('quay.io');
	assert.deepEqual(anonymous, {tried: [`${path.join(dir, 'none', 'config.json')} (no such file)`]});
});

test('a config that is not JSON is named without quoting its content', async t => {
	const dir = await tempDir(t);
	await writeFile(path.join(dir, 'config.json'), '{"auths": {"x": {"auth": "c2VjcmV0OnZhbHVl"}');
	await assert.rejects(defaultKeychain({DOCKER_CONFIG: dir}).resolve('x'), (error: unknown) =>
		error instanceof SourceError && error.message === `${path.join(dir, 'config.json')} is not valid JSON`);
});
