// Credentials for a registry, found where docker and podman keep them (go-containerregistry's authn.Keychain):
// $DOCKER_CONFIG/config.json (else ~/.docker/config.json) — credHelpers, credsStore (`docker-credential-NAME get`),
// auths (`auth`, `identitytoken`) — then podman's REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json.
// Only this file reads them; values never leave it except to the transport, and never in a message.
import {execFile} from 'node:child_process';
import {readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {singleLine} from '../../report/escape.js';
import {SourceError} from '../types.js';
import {dockerHub} from './reference.js';

/** A secret and where it came from. `where` names the place (file, helper) and is fit to show; the values are not. */
export type Credential = {
	/** `basic`: a username and password. `identity-token`: an OAuth2 refresh token (docker login's identitytoken). */
	readonly kind: 'basic' | 'identity-token';
	readonly username: string;
	readonly secret: string;
	readonly where: string;
};

export type KeychainResult = {
	/** The first credential found, or undefined for anonymous access. */
	readonly credential?: Credential;
	/** Each place looked in, in order, for messages ("~/.docker/config.json (auths)"); never values. */
	readonly tried: readonly string[];
};

export type Keychain = {
	/** Credentials for a registry name as written in references (`docker.io`, `localhost:5000`). */
	readonly resolve: (registry: string) => Promise<KeychainResult>;
};

type Env = Readonly<Record<string, string | undefined>>;

type AuthEntry = {auth?: unknown; identitytoken?: unknown; username?: unknown; password?: unknown};
type ConfigFile = {auths?: Record<string, AuthEntry>; credHelpers?: Record<string, unknown>; credsStore?: unknown};

/** The key a docker config uses for Docker Hub. */
const hubKey = 'https://index.docker.io/v1/';

/** `https://host/v1/` → `host` (docker's ConvertToHostname); Docker Hub's names become `docker.io`. */
function keyHost(key: string): string {
	const host = key.replace(/^https?:\/\//, '').split('/')[0] ?? '';
	return host === 'index.docker.io' || host === 'registry-1.docker.io' ? dockerHub : host;
}

function nonEmpty(value: string | undefined): string | undefined {
	return value === undefined || value === '' ? undefined : value;
}

function readConfig(file: string): ConfigFile | undefined {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT' || code === 'ENOTDIR') {
			return undefined;
		}

		throw new SourceError(`cannot read ${singleLine(file)}: ${code ?? String(error)}`);
	}

	try {
		const parsed = JSON.parse(text) as unknown;
		return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as ConfigFile : {};
	} catch {
		// The file's content is never quoted: it holds secrets.
		throw new SourceError(`${singleLine(file)} is not valid JSON`);
	}
}

function fromAuths(auths: ConfigFile['auths'], registry: string, where: string): Credential | undefined {
	if (typeof auths !== 'object' || auths === null) {
		return undefined;
	}

	for (const [key, entry] of Object.entries(auths)) {
		if (keyHost(key) !== registry || typeof entry !== 'object' || entry === null) {
			continue;
		}

		if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') {
			return {kind: 'identity-token', username: '', secret: entry.identitytoken, where};
		}

		if (typeof entry.auth === 'string' && entry.auth !== '') {
			const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
			const colon = decoded.indexOf(':');
			if (colon < 0) {
				throw new SourceError(`${where}: the "auth" entry for ${singleLine(registry)} is not base64 of USER:PASSWORD`);
			}

			return {kind: 'basic', username: decoded.slice(0, colon), secret: decoded.slice(colon + 1), where};
		}

		if (typeof entry.username === 'string' && typeof entry.password === 'string') {
			return {kind: 'basic', username: entry.username, secret: entry.password, where};
		}
	}

	return undefined;
}

/**
 * Ask `docker-credential-NAME get` (the docker credential helper protocol: the server URL on stdin, JSON with
 * Username and Secret on stdout). Undefined when the helper has no credentials for it.
 */
export async function helperGet(name: string, serverUrl: string, env: Env = process.env): Promise<{username: string; secret: string} | undefined> {
	const program = `docker-credential-${name}`;
	const output = await new Promise<string>((resolve, reject) => {
		const child = execFile(program, ['get'], {encoding: 'utf8', timeout: 30_000, env: env as NodeJS.ProcessEnv, maxBuffer: 1024 * 1024}, (error, stdout) => {
			if (error === null) {
				resolve(stdout);
				return;
			}

			const {code} = error as NodeJS.ErrnoException;
			if (code === 'ENOENT') {
				reject(new SourceError(`credential helper ${program} is not on PATH (named in the docker config)`));
			} else if (/credentials not found/i.test(stdout)) {
				resolve('');
			} else {
				// Its output may hold secrets: only its exit status is shown.
				reject(new SourceError(`credential helper ${program} failed (${error.killed ? 'timed out' : `exit ${String(error.code ?? '?')}`})`));
			}
		});
		child.stdin?.on('error', () => undefined);
		child.stdin?.end(serverUrl);
	});
	if (output.trim() === '') {
		return undefined;
	}

	let parsed: {Username?: unknown; Secret?: unknown};
	try {
		parsed = JSON.parse(output) as typeof parsed;
	} catch {
		throw new SourceError(`credential helper ${program} wrote something that is not JSON`);
	}

	if (typeof parsed.Secret !== 'string' || parsed.Secret === '') {
		return undefined;
	}

	return {username: typeof parsed.Username === 'string' ? parsed.Username : '', secret: parsed.Secret};
}

async function fromHelper(name: string, registry: string, where: string, env: Env): Promise<Credential | undefined> {
	const found = await helperGet(name, registry === dockerHub ? hubKey : registry, env);
	if (found === undefined) {
		return undefined;
	}

	// docker's convention: the username "<token>" marks an identity token.
	return found.username === '<token>'
		? {kind: 'identity-token', username: '', secret: found.secret, where}
		: {kind: 'basic', username: found.username, secret: found.secret, where};
}

/** The docker CLI's configuration directory: $DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(env: Env): string {
	return nonEmpty(env['DOCKER_CONFIG']) ?? path.join(nonEmpty(env['HOME']) ?? os.homedir(), '.docker');
}

/** The podman (containers-auth.json) file: REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json. */
function podmanAuthFile(env: Env): string | undefined {
	const explicit = nonEmpty(env['REGISTRY_AUTH_FILE']);
	if (explicit !== undefined) {
		return explicit;
	}

	const runtime = nonEmpty(env['XDG_RUNTIME_DIR']);
	return runtime === undefined ? undefined : path.join(runtime, 'containers', 'auth.json');
}

/** The keychain docker and podman users expect, reading the given environment (process.env by default). */
export function defaultKeychain(env: Env = process.env): Keychain {
	return {
		async resolve(registry) {
			const tried: string[] = [];
			const dockerFile = path.join(dockerConfigDir(env), 'config.json');
			const config = readConfig(dockerFile);
			if (config === undefined) {
				tried.push(`${dockerFile} (no such file)`);
			} else {
				const helpers = typeof config.credHelpers === 'object' && config.credHelpers !== null ? config.credHelpers : {};
				const helper = Object.entries(helpers).find(([key]) => keyHost(key) === registry)?.[1];
				if (typeof helper === 'string' && helper !== '') {
					const where = `credential helper docker-credential-${helper} (credHelpers in ${dockerFile})`;
					tried.push(where);
					const credential = await fromHelper(helper, registry, where, env);
					if (credential !== undefined) {
						return {credential, tried};
					}
				} else if (typeof config.credsStore === 'string' && config.credsStore !== '') {
					const where = `credential helper docker-credential-${config.credsStore} (credsStore in ${dockerFile})`;
					tried.push(where);
					const credential = await fromHelper(config.credsStore, registry, where, env);
					if (credential !== undefined) {
						return {credential, tried};
					}
				}

				const where = `${dockerFile} (auths)`;
				tried.push(where);
				const credential = fromAuths(config.auths, registry, where);
				if (credential !== undefined) {
					return {credential, tried};
				}
			}

			const podmanFile = podmanAuthFile(env);
			if (podmanFile !== undefined) {
				const podman = readConfig(podmanFile);
				if (podman === undefined) {
					tried.push(`${podmanFile} (no such file)`);
				} else {
					const where = `${podmanFile} (auths)`;
					tried.push(where);
					const credential = fromAuths(podman.auths, registry, where);
					if (credential !== undefined) {
						return {credential, tried};
					}
				}
			}

			return {tried};
		},
	};
}
