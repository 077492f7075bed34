// Small helpers shared by test files.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
// A test file run on its own (node --test FILE) gets its own layer cache too, never the user's.
import './cache-env.js';

/** A TCP port on 127.0.0.1 that nothing listens on (free a moment ago). */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => {
				resolve(port);
			});
		});
	});
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}

	assert.fail('expected a rejection');
}

/** The status of an HTTP GET within a second (a TCP host and port, or a unix socket); 0 when nothing answers. */
export async function httpStatus(target: {socketPath: string} | {host: string; port: number}, urlPath: string): Promise<number> {
	return new Promise(resolve => {
		const request = http.get({...target, path: urlPath, timeout: 1000}, response => {
			response.resume();
			resolve(response.statusCode ?? 0);
		});
		request.on('error', () => {
			resolve(0);
		});
		request.on('timeout', () => {
			request.destroy();
		});
	});
}

/** Whether an HTTP GET answers 200 within a second (a TCP host and port, or a unix socket). */
export async function answers200(target: {socketPath: string} | {host: string; port: number}, urlPath: string): Promise<boolean> {
	return await httpStatus(target, urlPath) === 200;
}
