// Deadlines of silence on every daemon call (case a17): a proxy in front of the real dockerd forwards everything
// until the call under test, then goes silent — a wedged daemon as the client sees it. The CLI must answer with one
// line and exit 2 within a bounded time (LAYERSCOPE_DAEMON_TIMEOUT=2 s here; 60 s by default), never hang.
import assert from 'node:assert/strict';
import net from 'node:net';
import {test, type TestContext} from 'node:test';
import {freePort} from '../helpers/common.js';
import {runMeasured} from '../helpers/crafted.js';
import {ensureBusyboxImage, requireDocker} from '../helpers/docker.js';

type Stall = 'inspect' | 'save' | 'pull';

/** Which request goes unanswered: its request line (a keep-alive connection may carry several). */
const stalls: Record<Stall, RegExp> = {
	inspect: /^GET (?:\/v[\d.]+)?\/images\/[^ ]+\/json /m,
	save: /^GET (?:\/v[\d.]+)?\/images\/[^ ]+\/get /m,
	pull: /^POST (?:\/v[\d.]+)?\/images\/create/m,
};

/** A TCP proxy to the daemon's socket that stops answering at the stalled call (after 10 KB of a save). */
async function stallingProxy(t: TestContext, stall: Stall): Promise<number> {
	const port = await freePort();
	const sockets = new Set<net.Socket>();
	const server = net.createServer(client => {
		const daemon = net.connect('/var/run/docker.sock');
		sockets.add(client);
		sockets.add(daemon);
		let stalled = false;
		let allowance = Number.POSITIVE_INFINITY;
		client.on('data', (chunk: Buffer) => {
			if (stalls[stall].test(chunk.toString('latin1'))) {
				if (stall === 'save') {
					allowance = 10 * 1024;
				} else {
					stalled = true;
				}
			}

			if (!stalled) {
				daemon.write(chunk);
			}
		});
		daemon.on('data', (chunk: Buffer) => {
			if (stalled) {
				return;
			}

			const part = chunk.subarray(0, Math.max(0, Math.min(chunk.length, allowance)));
			allowance -= part.length;
			client.write(part);
			stalled = allowance <= 0;
		});
		client.on('error', () => undefined);
		daemon.on('error', () => undefined);
		client.on('close', () => daemon.destroy());
	});
	await new Promise<void>(resolve => {
		server.listen(port, '127.0.0.1', resolve);
	});
	t.after(() => {
		for (const socket of sockets) {
			socket.destroy();
		}

		server.close();
	});
	return port;
}

for (const [stall, reference, expected] of [
	['inspect', undefined, /^layerscope: the Docker daemon sent nothing for 2 s while inspecting layerscope-test\/busybox:latest: is it wedged\?\n$/],
	['save', undefined, /^layerscope: .*the Docker daemon sent nothing for 2 s while exporting layerscope-test\/busybox:latest: is it wedged\?\n$/],
	['pull', 'localhost:1/layerscope-test/absent-image:1', /(?:^|\n)layerscope: the Docker daemon sent nothing for 2 s while (?:starting the pull of localhost:1\/layerscope-test\/absent-image:1|pulling): is it wedged\?\n$/],
] as const) {
	test(`a17: a daemon that goes silent during the ${stall}: one line, exit 2, within seconds`, {timeout: 60_000}, async t => {
		if (!await requireDocker(t)) {
			return;
		}

		const image = reference ?? await ensureBusyboxImage();
		const port = await stallingProxy(t, stall);
		const result = await runMeasured([image, '--no-tui'], {env: {DOCKER_HOST: `tcp://127.0.0.1:${port}`, LAYERSCOPE_DAEMON_TIMEOUT: '2'}, timeoutMs: 30_000});
		assert.equal(result.code, 2, result.stderr);
		assert.match(result.stderr, expected);
		assert.ok(result.seconds < 15, `${result.seconds} s`);
	});
}
