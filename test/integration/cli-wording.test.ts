// Error wording through the built CLI against a real daemon: each says what was tried and what to do.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {runCli} from '../helpers/cli.js';
import {freePort} from '../helpers/common.js';
import {ensureBusyboxImage, requireDocker} from '../helpers/docker.js';

test('--platform on a daemon image names the daemon and says how to get that platform (not "the archive holds")', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	const image = await ensureBusyboxImage();
	const result = await runCli([image, '--platform', 'linux/s390x', '--no-tui']);
	assert.equal(result.code, 2, result.stderr);
	assert.equal(result.stderr.split('\n').filter(line => line.startsWith('layerscope:')).join('\n'), `layerscope: ${image} in the Docker daemon is linux/amd64, not linux/s390x: a daemon keeps one platform of an image; pull that one first (docker pull --platform linux/s390x ${image}), or leave out --platform`);
	assert.doesNotMatch(result.stderr, /archive/);
});

test('a failed pull prints no "pulled: …" line before its error', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	// Nothing listens on the port: the daemon's pull fails.
	const reference = `127.0.0.1:${await freePort()}/layerscope-test/absent:1`;
	const result = await runCli([reference, '--no-tui'], {timeoutMs: 120_000});
	assert.equal(result.code, 2, result.stderr);
	assert.doesNotMatch(result.stderr, /pulled/);
	assert.match(result.stderr, /^layerscope: .+$/m);
});
