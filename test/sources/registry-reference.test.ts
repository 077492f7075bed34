// Reference normalisation as `docker pull` does it (distribution/reference's ParseNormalizedNamed).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {formatReference, isInsecure, isLoopback, parseReference, registryHost} from '../../src/sources/registry/reference.js';
import {SourceError} from '../../src/sources/types.js';

const digest = `sha256:${'a'.repeat(64)}`;

test('references normalise as the docker CLI does', () => {
	const cases: Array<[string, string]> = [
		['nginx', 'docker.io/library/nginx:latest'],
		['nginx:1.25', 'docker.io/library/nginx:1.25'],
		['acme/app', 'docker.io/acme/app:latest'],
		['docker.io/nginx', 'docker.io/library/nginx:latest'],
		['index.docker.io/library/nginx:1', 'docker.io/library/nginx:1'],
		['registry-1.docker.io/acme/app:2', 'docker.io/acme/app:2'],
		['ghcr.io/acme/app:1.4', 'ghcr.io/acme/app:1.4'],
		['localhost/app', 'localhost/app:latest'],
		['localhost:5000/app:v1', 'localhost:5000/app:v1'],
		['127.0.0.1:5000/a/b/c:x', '127.0.0.1:5000/a/b/c:x'],
		['[::1]:5000/app', '[::1]:5000/app:latest'],
		[`app@${digest}`, `docker.io/library/app@${digest}`],
		[`localhost:5000/app:v1@${digest}`, `localhost:5000/app:v1@${digest}`],
		['my-registry:5000/app', 'my-registry:5000/app:latest'],
		['a__b/c.d-e', 'docker.io/a__b/c.d-e:latest'],
	];
	for (const [input, expected] of cases) {
		assert.equal(formatReference(parseReference(input)), expected, input);
	}

	assert.deepEqual(parseReference(`localhost:5000/app@${digest}`), {registry: 'localhost:5000', repository: 'app', digest});
});

test('invalid references are one-line SourceErrors that say why', () => {
	const cases: Array<[string, RegExp]> = [
		['', /empty/],
		['Nginx', /lowercase/],
		['acme/App', /lowercase/],
		['app:bad tag', /tag/],
		['app@sha256:xyz', /digest/],
		['app:-x', /tag/],
		['host:5000/', /lowercase/],
		['a//b', /lowercase/],
		['bad_host.io:x5/app', /tag|registry/],
	];
	for (const [input, pattern] of cases) {
		assert.throws(() => parseReference(input), (error: unknown) => error instanceof SourceError && pattern.test(error.message) && !error.message.includes('\n'), input);
	}
});

test('Docker Hub pulls go to registry-1.docker.io; loopback and listed registries may use plain HTTP', () => {
	assert.equal(registryHost('docker.io'), 'registry-1.docker.io');
	assert.equal(registryHost('ghcr.io'), 'ghcr.io');
	for (const host of ['localhost', 'localhost:5000', '127.0.0.1:5000', '127.1.2.3', '[::1]:5000', 'x.localhost']) {
		assert.equal(isLoopback(host), true, host);
	}

	for (const host of ['ghcr.io', '10.0.0.1:5000', 'localhost.example.com', '128.0.0.1']) {
		assert.equal(isLoopback(host), false, host);
	}

	assert.equal(isInsecure('ghcr.io', false, {}), false);
	assert.equal(isInsecure('ghcr.io', true, {}), true);
	assert.equal(isInsecure('reg.lan:5000', false, {LAYERSCOPE_INSECURE_REGISTRIES: 'other.lan, reg.lan:5000'}), true);
	assert.equal(isInsecure('reg.lan:5000', false, {LAYERSCOPE_INSECURE_REGISTRIES: 'reg.lan'}), true);
	assert.equal(isInsecure('reg.lan:5000', false, {LAYERSCOPE_INSECURE_REGISTRIES: 'reg.lan:5001'}), false);
});
