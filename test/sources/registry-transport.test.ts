// The WWW-Authenticate challenge and the registry's error bodies, as the transport reads them.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {parseChallenge, registryMessage} from '../../src/sources/registry/transport.js';

test('WWW-Authenticate: Bearer with quoted parameters (commas and escapes inside), Basic, none', () => {
	assert.deepEqual(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"'), {
		scheme: 'bearer',
		params: {realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull'},
	});
	assert.deepEqual(parseChallenge('bearer realm="https://r/t", scope="repository:a:pull,push" ,error="insufficient_scope"'), {
		scheme: 'bearer',
		params: {realm: 'https://r/t', scope: 'repository:a:pull,push', error: 'insufficient_scope'},
	});
	assert.deepEqual(parseChallenge('Basic realm="say \\"hi\\""'), {scheme: 'basic', params: {realm: 'say "hi"'}});
	assert.deepEqual(parseChallenge('Bearer realm=https://unquoted/token,service=s'), {scheme: 'bearer', params: {realm: 'https://unquoted/token', service: 's'}});
	assert.deepEqual(parseChallenge(undefined), {scheme: 'none', params: {}});
	assert.deepEqual(parseChallenge('Negotiate abc'), {scheme: 'none', params: {}});
});

test('distribution error bodies give their first code and message; other bodies their text', () => {
	assert.deepEqual(registryMessage('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]}'), {code: 'MANIFEST_UNKNOWN', message: 'manifest unknown'});
	assert.deepEqual(registryMessage('  Service Unavailable\n'), {code: '', message: 'Service Unavailable'});
	assert.deepEqual(registryMessage(''), {code: '', message: ''});
});
