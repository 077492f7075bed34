// Real registries for tests: Debian's docker-registry (distribution 2.8) on 127.0.0.1, anonymous, with htpasswd
// Basic auth, or with Bearer tokens from a token server the test runs (RS256 JWTs whose x5c certificate is in the
// registry's rootcertbundle). Images go in with skopeo. In CI (LAYERSCOPE_REQUIRE_DOCKER=1) a registry that cannot
// start fails the test instead of skipping it.
import {type ChildProcess, spawn} from 'node:child_process';
import {createSign, randomBytes, randomUUID} from 'node:crypto';
import {readFile, writeFile} from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type {TestContext} from 'node:test';
import {freePort, httpStatus} from './common.js';
import {run, tempDir} from './docker.js';

let tools: Promise<boolean> | undefined;

/** Whether docker-registry, skopeo, htpasswd and openssl are installed (checked once). */
async function toolsInstalled(): Promise<boolean> {
	tools ??= Promise.all(['docker-registry', 'skopeo', 'htpasswd', 'openssl'].map(async tool => run('sh', ['-c', `command -v ${tool}`]).then(() => true, () => false)))
		.then(found => found.every(Boolean));
	return tools;
}

/** Call first: true when the tools are there; skips the test otherwise, or throws under LAYERSCOPE_REQUIRE_DOCKER=1. */
export async function requireRegistryTools(t: TestContext): Promise<boolean> {
	if (await toolsInstalled()) {
		return true;
	}

	if (process.env['LAYERSCOPE_REQUIRE_DOCKER'] === '1') {
		throw new Error('LAYERSCOPE_REQUIRE_DOCKER=1 but docker-registry, skopeo, htpasswd or openssl is missing (see .ci/run)');
	}

	t.skip('docker-registry, skopeo, htpasswd or openssl missing');
	return false;
}

export type Auth =
	| {readonly kind: 'none'}
	| {readonly kind: 'basic'; readonly username: string; readonly password: string}
	| {readonly kind: 'token'; readonly username: string; readonly password: string};

export type TestRegistry = {
	readonly port: number;
	/** `127.0.0.1:PORT` */
	readonly host: string;
	/** Where the registry keeps blobs: `blobPath(digest)` gives a blob's data file. */
	readonly blobPath: (digest: string) => string;
	/** Token requests the token server saw (auth: token only): their Authorization header kind and scope. */
	readonly tokenRequests: Array<{authorization: string; scope: string}>;
	/** skopeo --dest-creds value, or undefined for an anonymous registry. */
	readonly creds?: string;
};

/** The identity token (docker login's OAuth2 refresh token) the token server accepts. */
export const identityToken = 'layerscope-test-identity-token';

/** A self-signed certificate and its key (PEM), made with openssl. */
async function certificate(dir: string): Promise<{key: string; cert: string; certFile: string}> {
	const keyFile = path.join(dir, 'token.key');
	const certFile = path.join(dir, 'token.crt');
	await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=layerscope-test-token']);
	return {key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8'), certFile};
}

function base64url(data: Buffer | string): string {
	return Buffer.from(data).toString('base64url');
}

/** A token server (distribution's token auth spec): Basic credentials in, an RS256 JWT out, for the asked scope. */
async function startTokenServer(t: TestContext, dir: string, auth: {username: string; password: string}, log: TestRegistry['tokenRequests']): Promise<{port: number; certFile: string}> {
	const {key, cert, certFile} = await certificate(dir);
	const der = Buffer.from(cert.replaceAll(/-----[^-]+-----|\s/g, ''), 'base64');
	const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
	const server = http.createServer((request, response) => {
		let body = '';
		request.setEncoding('utf8');
		request.on('data', (text: string) => {
			body += text;
		});
		request.on('end', () => {
			answer(request, response, new URLSearchParams(body));
		});
	});
	const answer = (request: http.IncomingMessage, response: http.ServerResponse, form: URLSearchParams): void => {
		const url = new URL(request.url ?? '/', 'http://127.0.0.1');
		const refresh = request.method === 'POST' && form.get('grant_type') === 'refresh_token';
		const authorization = refresh ? 'refresh_token' : request.headers.authorization ?? '';
		const scope = (refresh ? form.get('scope') : url.searchParams.get('scope')) ?? '';
		log.push({authorization: authorization.split(' ')[0] ?? '', scope});
		// Anonymous requests get a token without access (as Docker Hub does for private repositories).
		const allowed = refresh ? form.get('refresh_token') === identityToken : authorization === expected;
		if (authorization !== '' && !allowed) {
			response.writeHead(401, {'Content-Type': 'application/json'});
			response.end(JSON.stringify({details: 'wrong username or password'}));
			return;
		}

		const access = allowed && scope !== ''
			? scope.split(' ').map(item => {
				const [type, name, actions] = item.split(':');
				return {type, name, actions: (actions ?? '').split(',')};
			})
			: [];
		const now = Math.floor(Date.now() / 1000);
		const header = {alg: 'RS256', typ: 'JWT', x5c: [der.toString('base64')]};
		const claims = {iss: 'layerscope-test-issuer', sub: allowed ? auth.username : '', aud: (refresh ? form.get('service') : url.searchParams.get('service')) ?? '', exp: now + 600, nbf: now - 10, iat: now, jti: randomUUID(), access};
		const signed = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
		const signature = createSign('RSA-SHA256').update(signed).sign(key);
		response.writeHead(200, {'Content-Type': 'application/json'});
		// OAuth2 answers carry access_token, the older flow token.
		response.end(JSON.stringify(refresh ? {access_token: `${signed}.${base64url(signature)}`, expires_in: 600} : {token: `${signed}.${base64url(signature)}`, expires_in: 600}));
	};
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	t.after(async () => new Promise<void>(resolve => {
		server.closeAllConnections();
		server.close(() => {
			resolve();
		});
	}));
	return {port: (server.address() as {port: number}).port, certFile};
}

async function stop(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) {
		return;
	}

	const exited = new Promise(resolve => {
		child.on('exit', resolve);
	});
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
	await exited;
	clearTimeout(timer);
}

/** Start docker-registry on a free 127.0.0.1 port, storage in a temp dir; stopped and removed when the test ends. */
export async function startRegistry(t: TestContext, auth: Auth = {kind: 'none'}): Promise<TestRegistry> {
	const dir = await tempDir(t, 'layerscope-registry-');
	const port = await freePort();
	const tokenRequests: TestRegistry['tokenRequests'] = [];
	const lines = [
		'version: 0.1',
		'log:',
		'  level: error',
		'storage:',
		'  filesystem:',
		`    rootdirectory: ${path.join(dir, 'storage')}`,
		'http:',
		`  addr: 127.0.0.1:${port}`,
		`  secret: ${randomBytes(16).toString('hex')}`,
	];
	if (auth.kind === 'basic') {
		const file = path.join(dir, 'htpasswd');
		await run('htpasswd', ['-Bbc', file, auth.username, auth.password]);
		lines.push('auth:', '  htpasswd:', '    realm: layerscope-test', `    path: ${file}`);
	} else if (auth.kind === 'token') {
		const token = await startTokenServer(t, dir, auth, tokenRequests);
		lines.push('auth:', '  token:', `    realm: http://127.0.0.1:${token.port}/token`, '    service: layerscope-test-registry', '    issuer: layerscope-test-issuer', `    rootcertbundle: ${token.certFile}`);
	}

	const config = path.join(dir, 'registry.yml');
	await writeFile(config, `${lines.join('\n')}\n`);
	const child = spawn('docker-registry', ['serve', config], {stdio: ['ignore', 'ignore', 'pipe']});
	t.after(async () => stop(child));
	let stderr = '';
	child.stderr.setEncoding('utf8');
	child.stderr.on('data', (text: string) => {
		stderr = (stderr + text).slice(-4000);
	});
	for (let attempt = 0; ; attempt++) {
		if (child.exitCode !== null) {
			throw new Error(`docker-registry exited with ${child.exitCode}: ${stderr}`);
		}

		// An auth-protected registry answers 401: any answer means it is up.
		if (await httpStatus({host: '127.0.0.1', port}, '/v2/') !== 0) {
			break;
		}

		if (attempt >= 300) {
			throw new Error(`docker-registry did not answer on 127.0.0.1:${port} within 30 s: ${stderr}`);
		}

		await new Promise(resolve => {
			setTimeout(resolve, 100);
		});
	}

	return {
		port,
		host: `127.0.0.1:${port}`,
		blobPath(digest) {
			const hex = digest.slice('sha256:'.length);
			return path.join(dir, 'storage', 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
		},
		tokenRequests,
		...(auth.kind === 'none' ? {} : {creds: `${auth.username}:${auth.password}`}),
	};
}

/** Push with skopeo: SOURCE is a skopeo transport reference (docker-archive:FILE, oci:DIR); `all` copies every platform. */
export async function push(registry: TestRegistry, source: string, repositoryAndTag: string, options: {all?: boolean} = {}): Promise<string> {
	const destination = `${registry.host}/${repositoryAndTag}`;
	await run('skopeo', [
		'copy', '--quiet', '--dest-tls-verify=false', ...(registry.creds === undefined ? [] : ['--dest-creds', registry.creds]),
		...(options.all === true ? ['--all'] : []), source, `docker://${destination}`,
	]);
	return destination;
}
