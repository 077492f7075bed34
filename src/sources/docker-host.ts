// Which daemon to talk to, found the way the docker CLI (or podman's remote client) finds it, and a dockerode
// client for it. dockerode only reads DOCKER_HOST; contexts and podman sockets are resolved here.
import {createHash} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import {SourceError} from './types.js';

export type Engine = 'docker' | 'podman';

/** TLS material for a tcp endpoint: a directory holding ca.pem, cert.pem and key.pem. */
export type TlsSettings = {
	readonly dir: string;
	/** Verify the daemon's certificate (DOCKER_TLS_VERIFY, or a context without SkipTLSVerify). */
	readonly verify: boolean;
};

/** A daemon endpoint, resolved but not yet connected to. */
export type Endpoint = {
	readonly engine: Engine;
	/** Human form for messages: `unix:///var/run/docker.sock`, `tcp://10.0.0.1:2376`, `ssh://me@host`. */
	readonly url: string;
	/** Where the endpoint came from: `DOCKER_HOST`, `context "NAME"`, `CONTAINER_HOST`, `default`. */
	readonly origin: string;
	readonly protocol: 'unix' | 'http' | 'https' | 'ssh';
	/** For unix endpoints. */
	readonly socketPath?: string;
	/** For tcp and ssh endpoints. */
	readonly host?: string;
	readonly port?: number;
	/** For ssh endpoints. */
	readonly username?: string;
	readonly tls?: TlsSettings;
	/** Other sockets that were considered and did not exist (podman's defaults), for error messages. */
	readonly alsoTried?: readonly string[];
};

/** The little of the filesystem that resolution reads; tests pass temp dirs or fakes. */
export type FsLike = {
	/** Contents of a file as UTF-8; throws (with `code` ENOENT when missing) like fs.readFileSync. */
	readonly readFile: (file: string) => string;
	readonly exists: (file: string) => boolean;
};

export const nodeFs: FsLike = {
	readFile: file => readFileSync(file, 'utf8'),
	exists: file => existsSync(file),
};

/** The environment variables resolution reads (process.env fits). */
export type DaemonEnv = {
	readonly [K in 'HOME' | 'DOCKER_HOST' | 'DOCKER_CONTEXT' | 'DOCKER_CONFIG' | 'DOCKER_TLS_VERIFY' | 'DOCKER_TLS' | 'DOCKER_CERT_PATH'
	| 'CONTAINER_HOST' | 'XDG_RUNTIME_DIR']?: string | undefined;
};

type Env = DaemonEnv;

const defaultDockerSocket = '/var/run/docker.sock';
const rootPodmanSocket = '/run/podman/podman.sock';

function nonEmpty(value: string | undefined): string | undefined {
	return value === undefined || value === '' ? undefined : value;
}

/** The docker CLI's configuration directory: $DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(env: Env): string {
	return nonEmpty(env.DOCKER_CONFIG) ?? path.join(nonEmpty(env.HOME) ?? os.homedir(), '.docker');
}

function unixEndpoint(engine: Engine, socketPath: string, origin: string): Endpoint {
	return {engine, url: `unix://${socketPath}`, origin, protocol: 'unix', socketPath};
}

/**
 * Parse a host URL as the docker CLI accepts it: unix://PATH, tcp://HOST[:PORT], ssh://[USER@]HOST[:PORT].
 * Returns undefined for npipe:// (Windows only). `tls` applies to tcp.
 */
function parseHost(engine: Engine, value: string, origin: string, tls: TlsSettings | undefined): Endpoint | undefined {
	const match = /^([a-z]+):\/\/(.*)$/i.exec(value);
	if (match === null) {
		// The docker CLI reads a bare "host:port" as tcp.
		return parseHost(engine, `tcp://${value}`, origin, tls);
	}

	const scheme = match[1]!.toLowerCase();
	const rest = match[2]!;
	if (scheme === 'npipe') {
		return undefined;
	}

	if (scheme === 'unix') {
		if (rest === '') {
			throw new SourceError(`${origin}: unix:// needs a socket path (e.g. unix:///var/run/docker.sock)`);
		}

		return unixEndpoint(engine, rest, origin);
	}

	if (scheme !== 'tcp' && scheme !== 'ssh' && scheme !== 'http' && scheme !== 'https') {
		throw new SourceError(`${origin}: unsupported daemon address ${JSON.stringify(value)} (use unix://, tcp:// or ssh://)`);
	}

	let url: URL;
	try {
		url = new URL(`${scheme === 'ssh' ? 'ssh' : 'http'}://${rest}`);
	} catch {
		throw new SourceError(`${origin}: malformed daemon address ${JSON.stringify(value)}`);
	}

	const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
	if (host === '') {
		throw new SourceError(`${origin}: daemon address ${JSON.stringify(value)} has no host`);
	}

	if (scheme === 'ssh') {
		const port = url.port === '' ? 22 : Number(url.port);
		const username = url.username === '' ? undefined : decodeURIComponent(url.username);
		return {
			engine,
			url: `ssh://${username === undefined ? '' : `${username}@`}${url.host}`,
			origin,
			protocol: 'ssh',
			host,
			port,
			username,
		};
	}

	const useTls = scheme === 'https' || tls !== undefined;
	// The docker CLI's defaults: 2376 with TLS, 2375 without.
	const port = url.port === '' ? (useTls ? 2376 : 2375) : Number(url.port);
	const hostPart = host.includes(':') ? `[${host}]` : host;
	return {
		engine,
		url: `tcp://${hostPart}:${port}`,
		origin,
		protocol: useTls ? 'https' : 'http',
		host,
		port,
		tls: useTls ? tls ?? {dir: '', verify: true} : undefined,
	};
}

function readJson(fs: FsLike, file: string, what: string): unknown {
	let text: string;
	try {
		text = fs.readFile(file);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return undefined;
		}

		throw new SourceError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
	}

	try {
		return JSON.parse(text) as unknown;
	} catch (error) {
		throw new SourceError(`cannot parse ${what} ${file}: ${(error as Error).message}`);
	}
}

function field(value: unknown, key: string): unknown {
	return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** A named docker context: contexts/meta/<sha256(name)>/meta.json, TLS files under contexts/tls/<sha256(name)>/docker. */
function contextEndpoint(name: string, configDir: string, fs: FsLike, origin: string): Endpoint {
	const id = createHash('sha256').update(name).digest('hex');
	const metaFile = path.join(configDir, 'contexts', 'meta', id, 'meta.json');
	const meta = readJson(fs, metaFile, 'docker context');
	const label = `docker context ${JSON.stringify(name)} (${origin})`;
	if (meta === undefined) {
		throw new SourceError(`${label} does not exist: no ${metaFile}`);
	}

	const docker = field(field(meta, 'Endpoints'), 'docker');
	const host = field(docker, 'Host');
	if (typeof host !== 'string' || host === '') {
		throw new SourceError(`${label} has no docker endpoint in ${metaFile}`);
	}

	const tlsDir = path.join(configDir, 'contexts', 'tls', id, 'docker');
	const hasTls = ['ca.pem', 'cert.pem', 'key.pem'].some(file => fs.exists(path.join(tlsDir, file)));
	const tls = hasTls ? {dir: tlsDir, verify: field(docker, 'SkipTLSVerify') !== true} : undefined;
	const endpoint = parseHost('docker', host, `context ${JSON.stringify(name)}`, tls);
	if (endpoint === undefined) {
		throw new SourceError(`${label} points at a Windows named pipe (${host}), which only works on Windows`);
	}

	return endpoint;
}

function resolveDocker(env: Env, fs: FsLike): Endpoint {
	const configDir = dockerConfigDir(env);
	const dockerHost = nonEmpty(env.DOCKER_HOST);
	if (dockerHost !== undefined) {
		let tls: TlsSettings | undefined;
		if (nonEmpty(env.DOCKER_TLS_VERIFY) !== undefined || nonEmpty(env.DOCKER_TLS) !== undefined) {
			tls = {dir: nonEmpty(env.DOCKER_CERT_PATH) ?? configDir, verify: nonEmpty(env.DOCKER_TLS_VERIFY) !== undefined};
		}

		const endpoint = parseHost('docker', dockerHost, 'DOCKER_HOST', tls);
		if (endpoint !== undefined) {
			return endpoint;
		}
		// An npipe:// address means nothing here: fall through as if DOCKER_HOST were unset.
	}

	let name = nonEmpty(env.DOCKER_CONTEXT);
	let origin = 'DOCKER_CONTEXT';
	if (name === undefined) {
		const configFile = path.join(configDir, 'config.json');
		const current = field(readJson(fs, configFile, 'docker config'), 'currentContext');
		if (typeof current === 'string' && current !== '') {
			name = current;
			origin = `currentContext in ${configFile}`;
		}
	}

	if (name !== undefined && name !== 'default') {
		return contextEndpoint(name, configDir, fs, origin);
	}

	return unixEndpoint('docker', defaultDockerSocket, 'default');
}

function resolvePodman(env: Env, fs: FsLike): Endpoint {
	const containerHost = nonEmpty(env.CONTAINER_HOST);
	if (containerHost !== undefined) {
		const endpoint = parseHost('podman', containerHost, 'CONTAINER_HOST', undefined);
		if (endpoint === undefined) {
			throw new SourceError(`CONTAINER_HOST: a Windows named pipe (${containerHost}) only works on Windows`);
		}

		return endpoint;
	}

	const candidates: string[] = [];
	const runtimeDir = nonEmpty(env.XDG_RUNTIME_DIR);
	if (runtimeDir !== undefined) {
		candidates.push(path.join(runtimeDir, 'podman', 'podman.sock'));
	}

	candidates.push(rootPodmanSocket);
	const found = candidates.find(file => fs.exists(file));
	const chosen = found ?? candidates[0]!;
	const endpoint = unixEndpoint('podman', chosen, found === undefined ? 'default' : 'default (found)');
	const others = candidates.filter(file => file !== chosen).map(file => `unix://${file}`);
	return found === undefined && others.length > 0 ? {...endpoint, alsoTried: others} : endpoint;
}

/**
 * Find the daemon endpoint. Docker: DOCKER_HOST (unix://, tcp:// with DOCKER_TLS_VERIFY / DOCKER_TLS and
 * DOCKER_CERT_PATH, ssh://; npipe:// is ignored), else DOCKER_CONTEXT, else `currentContext` of
 * $DOCKER_CONFIG/config.json, else unix:///var/run/docker.sock. Podman: CONTAINER_HOST, else the first existing of
 * $XDG_RUNTIME_DIR/podman/podman.sock and /run/podman/podman.sock. Reads only through `fs`; throws SourceError
 * for a malformed address, a missing context or an unreadable config file.
 */
export function resolveEndpoint(engine: Engine, env: Env = process.env, fs: FsLike = nodeFs): Endpoint {
	return engine === 'podman' ? resolvePodman(env, fs) : resolveDocker(env, fs);
}

function readTlsFile(dir: string, file: string, required: boolean): Buffer | undefined {
	const full = path.join(dir, file);
	try {
		return readFileSync(full);
	} catch (error) {
		if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') {
			return undefined;
		}

		throw new SourceError(`cannot read TLS file ${full}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
	}
}

/** dockerode's options plus `agent`, which docker-modem passes to the request (not in @types/dockerode). */
export type ClientOptions = Dockerode.DockerOptions & {agent?: https.Agent};

/** dockerode options for an endpoint. Every field dockerode would otherwise take from DOCKER_HOST is set. */
export function dockerodeOptions(endpoint: Endpoint): ClientOptions {
	const base: ClientOptions = {
		socketPath: undefined,
		host: undefined,
		port: undefined,
		protocol: undefined,
		ca: undefined,
		cert: undefined,
		key: undefined,
		// No client timeout: `docker save` of a large image streams for minutes. Calls that must be bounded
		// (ping) carry their own abort signal.
		timeout: undefined,
	};
	switch (endpoint.protocol) {
		case 'unix': {
			return {...base, socketPath: endpoint.socketPath};
		}

		case 'ssh': {
			return {
				...base,
				protocol: 'ssh',
				host: endpoint.host,
				port: endpoint.port,
				username: endpoint.username,
				sshOptions: {agent: process.env['SSH_AUTH_SOCK']},
			};
		}

		case 'http': {
			return {...base, protocol: 'http', host: endpoint.host, port: endpoint.port};
		}

		case 'https': {
			const tls = endpoint.tls ?? {dir: '', verify: true};
			const ca = tls.dir === '' ? undefined : readTlsFile(tls.dir, 'ca.pem', tls.verify);
			const cert = tls.dir === '' ? undefined : readTlsFile(tls.dir, 'cert.pem', false);
			const key = tls.dir === '' ? undefined : readTlsFile(tls.dir, 'key.pem', cert !== undefined);
			const options = {...base, protocol: 'https' as const, host: endpoint.host, port: endpoint.port};
			if (!tls.verify) {
				// dockerode passes no rejectUnauthorized through; an agent carries it.
				return {...options, agent: new https.Agent({rejectUnauthorized: false, cert, key, keepAlive: false})};
			}

			return {...options, ca, cert, key};
		}
	}
}

/**
 * A dockerode client for the engine's endpoint (see resolveEndpoint). Does not contact the daemon; use
 * ensureDaemon (daemon.ts) to check it answers. `endpoint` is the human address, for messages.
 */
export function connectDocker(
	engine: Engine = 'docker',
	env: Env = process.env,
	fs: FsLike = nodeFs,
): {docker: Dockerode; endpoint: string; resolved: Endpoint} {
	const resolved = resolveEndpoint(engine, env, fs);
	let docker: Dockerode;
	try {
		docker = new Dockerode(dockerodeOptions(resolved));
	} catch (error) {
		if (error instanceof SourceError) {
			throw error;
		}

		// dockerode reads DOCKER_HOST and DOCKER_CERT_PATH itself before our options override them.
		throw new SourceError(`cannot set up a client for ${resolved.url}: ${(error as Error).message}`);
	}

	return {docker, endpoint: resolved.url, resolved};
}
