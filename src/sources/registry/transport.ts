// HTTP to one registry repository (go-containerregistry's transport): picks https or (for loopback and insecure
// registries) http, answers the WWW-Authenticate challenge (Basic, or a Bearer token for the repository's pull
// scope), retries resets, 429 and 5xx with backoff, follows redirects — without the registry's Authorization when
// they lead to another host. The registry API calls (client.ts) sit on top; credentials come from a Keychain.
// No credential, token or header value ever goes into an error message.
import http, {type IncomingHttpHeaders, type IncomingMessage} from 'node:http';
import https from 'node:https';
import {singleLine} from '../../report/escape.js';
import {SourceError} from '../types.js';
import type {Credential, Keychain} from './keychain.js';
import {registryHost} from './reference.js';

export type TransportOptions = {
	/** Registry name as in references (docker.io, localhost:5000). */
	readonly registry: string;
	/** Repository path; the Bearer scope is `repository:REPO:pull`. */
	readonly repository: string;
	/** Allow plain HTTP and unverified TLS (loopback, --insecure, LAYERSCOPE_INSECURE_REGISTRIES). */
	readonly insecure: boolean;
	readonly keychain: Keychain;
	readonly signal?: AbortSignal;
	/** Attempts per request for transient failures (default 5). */
	readonly attempts?: number;
	/** First backoff in ms, doubled each retry (default 200). */
	readonly backoffMs?: number;
	/** Idle socket timeout in ms (default 60 s). */
	readonly timeoutMs?: number;
	/** Told of each retry (for tests and --debug-free diagnostics): what failed. */
	readonly onRetry?: (what: string) => void;
};

/** A response with a status the API layer interprets (2xx, 3xx unfollowed, 404…). Its body must be consumed. */
export type RegistryResponse = {
	readonly status: number;
	readonly headers: IncomingHttpHeaders;
	readonly body: IncomingMessage;
};

type Challenge = {scheme: 'basic' | 'bearer' | 'none'; params: Record<string, string>};

const userAgent = 'layerscope (registry client)';
const maxRedirects = 5;
const maxErrorBody = 64 * 1024;
/** Longest Retry-After honoured before reporting the rate limit instead of waiting. */
const maxRetryAfterMs = 10_000;

/** Parse a WWW-Authenticate header: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. */
export function parseChallenge(header: string | undefined): Challenge {
	if (header === undefined || header.trim() === '') {
		return {scheme: 'none', params: {}};
	}

	const match = /^\s*(\S+)\s*(.*)$/s.exec(header);
	const scheme = (match?.[1] ?? '').toLowerCase();
	const params: Record<string, string> = {};
	const pattern = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
	for (const part of (match?.[2] ?? '').matchAll(pattern)) {
		params[part[1]!.toLowerCase()] = part[2] === undefined ? part[3] ?? '' : part[2].replaceAll(/\\(.)/g, '$1');
	}

	return {scheme: scheme === 'basic' ? 'basic' : (scheme === 'bearer' ? 'bearer' : 'none'), params};
}

function isTlsError(error: NodeJS.ErrnoException): boolean {
	const code = error.code ?? '';
	return /^ERR_SSL|^ERR_TLS|CERT|SELF_SIGNED|UNABLE_TO_VERIFY|^EPROTO$/.test(code) || /SSL routines|certificate|wrong version number/i.test(error.message);
}

/** Failures worth another attempt: the connection broke or timed out. */
function isTransient(error: NodeJS.ErrnoException): boolean {
	return ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET'].includes(error.code ?? '')
		|| error.message === 'socket hang up' || error.message === 'aborted';
}

async function delay(ms: number, signal?: AbortSignal): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = (): void => {
			clearTimeout(timer);
			reject(new SourceError('cancelled'));
		};

		signal?.addEventListener('abort', onAbort, {once: true});
	});
}

/** Read a small body as text (at most 64 KiB; the rest is discarded). */
export async function readSmall(body: IncomingMessage, limit = maxErrorBody): Promise<string> {
	const parts: Buffer[] = [];
	let size = 0;
	for await (const chunk of body) {
		const buffer = chunk as Buffer;
		if (size < limit) {
			parts.push(buffer.subarray(0, limit - size));
		}

		size += buffer.length;
	}

	return Buffer.concat(parts).toString('utf8');
}

/** The registry's own error text from a distribution error body (`{"errors":[{"code","message"}]}`). */
export function registryMessage(text: string): {code: string; message: string} {
	try {
		const parsed = JSON.parse(text) as {errors?: Array<{code?: unknown; message?: unknown}>};
		const first = parsed.errors?.[0];
		if (first !== undefined) {
			return {code: typeof first.code === 'string' ? first.code : '', message: typeof first.message === 'string' ? first.message : ''};
		}
	} catch {
		// Not JSON: the text itself.
	}

	return {code: '', message: text.trim().slice(0, 200)};
}

/** A transient failure (reset, 429, 5xx) that survived every attempt. */
class TransientFailure extends Error {
	readonly status: number | undefined;
	readonly retryAfterMs: number | undefined;
	readonly body: string | undefined;

	constructor(message: string, status?: number, retryAfterMs?: number, body?: string) {
		super(message);
		this.status = status;
		this.retryAfterMs = retryAfterMs;
		this.body = body;
	}
}

export class RegistryTransport {
	readonly registry: string;
	/** host[:port] connected to. */
	readonly host: string;
	private base: URL | undefined;
	private challenge: Challenge = {scheme: 'none', params: {}};
	private authorization: string | undefined;
	private credential: Credential | undefined;
	private tried: readonly string[] = [];
	private credentialsLooked = false;
	private readonly agents: {http: http.Agent; https: https.Agent};
	private readonly options: TransportOptions;
	private started: Promise<void> | undefined;

	constructor(options: TransportOptions) {
		this.options = options;
		this.registry = options.registry;
		this.host = registryHost(options.registry);
		this.agents = {
			http: new http.Agent({keepAlive: true, maxSockets: 8}),
			https: new https.Agent({keepAlive: true, maxSockets: 8, rejectUnauthorized: !options.insecure}),
		};
	}

	/** Close idle sockets (call when done). */
	close(): void {
		this.agents.http.destroy();
		this.agents.https.destroy();
	}

	/**
	 * GET a path under /v2/ (e.g. `/v2/library/nginx/manifests/latest`) with the given headers, authorised. Resolves
	 * with the final response (after redirects) for any status but 401/403/429/5xx, which become SourceErrors.
	 */
	async get(path: string, headers: Record<string, string> = {}): Promise<RegistryResponse> {
		try {
			this.started ??= this.start();
			await this.started;
			let refreshed = false;
			for (;;) {
				const response = await this.withRetries(path, async () => this.follow(new URL(path, this.base), headers));
				if (response.status === 401 && !refreshed) {
					// The token may have expired, or the registry wants another scope: answer its challenge once more.
					const text = await readSmall(response.body);
					const challenge = parseChallenge(headerText(response.headers['www-authenticate']));
					if (challenge.scheme === 'none') {
						throw this.denied(401, text);
					}

					refreshed = true;
					this.challenge = challenge;
					await this.authorize();
					continue;
				}

				if (response.status === 401 || response.status === 403) {
					throw this.denied(response.status, await readSmall(response.body));
				}

				return response;
			}
		} catch (error) {
			throw this.networkError(error);
		}
	}

	/** A description of the credentials used, never their values: for messages. */
	credentialsNote(): string {
		if (this.credential !== undefined) {
			return `credentials tried: ${this.credential.kind === 'basic' ? 'username and password' : 'identity token'} from ${this.credential.where}`;
		}

		return `no credentials for ${singleLine(this.registry)} in ${this.tried.map(place => singleLine(place)).join(', ')} (anonymous)`;
	}

	private denied(status: number, body: string): SourceError {
		const {message} = registryMessage(body);
		const detail = message === '' ? '' : `: ${singleLine(message)}`;
		return new SourceError(`registry ${singleLine(this.registry)} denied access to ${singleLine(this.options.repository)} (${status === 401 ? '401 Unauthorized' : '403 Forbidden'}${detail}); ${this.credentialsNote()}`);
	}

	/** Ping /v2/ to pick the scheme and learn the challenge, then authorise. */
	private async start(): Promise<void> {
		const schemes = this.options.insecure ? ['https:', 'http:'] : ['https:'];
		let lastError: unknown;
		for (const [index, scheme] of schemes.entries()) {
			const url = new URL(`${scheme}//${this.host}/v2/`);
			try {
				const response = await this.withRetries('/v2/', async () => this.send(url, {}));
				await readSmall(response.body);
				this.base = url;
				this.challenge = response.status === 401 ? parseChallenge(headerText(response.headers['www-authenticate'])) : {scheme: 'none', params: {}};
				await this.authorize();
				return;
			} catch (error) {
				lastError = error;
				const code = (error as NodeJS.ErrnoException).code;
				// An insecure registry that does not speak TLS: plain HTTP next (docker's fallback).
				const more = index + 1 < schemes.length;
				if (!more || error instanceof SourceError || code === 'ENOTFOUND') {
					break;
				}
			}
		}

		throw this.networkError(lastError);
	}

	/** The Authorization header for the current challenge (Basic, or a Bearer token fetched from the realm). */
	private async authorize(): Promise<void> {
		const {scheme, params} = this.challenge;
		if (scheme === 'none') {
			this.authorization = undefined;
			return;
		}

		if (!this.credentialsLooked) {
			this.credentialsLooked = true;
			const found = await this.options.keychain.resolve(this.registry);
			this.credential = found.credential;
			this.tried = found.tried;
		}

		const {credential} = this;
		if (scheme === 'basic') {
			if (credential === undefined || credential.kind !== 'basic') {
				throw new SourceError(`registry ${singleLine(this.registry)} wants a username and password (Basic auth); ${this.credentialsNote()}; log in with \`docker login ${singleLine(this.registry)}\``);
			}

			this.authorization = `Basic ${Buffer.from(`${credential.username}:${credential.secret}`).toString('base64')}`;
			return;
		}

		this.authorization = `Bearer ${await this.token(params)}`;
	}

	/** The Bearer token flow (distribution's token spec; OAuth2 refresh_token for identity tokens). */
	private async token(params: Record<string, string>): Promise<string> {
		const realm = params['realm'];
		if (realm === undefined || !/^https?:\/\//i.test(realm)) {
			throw new SourceError(`registry ${singleLine(this.registry)} asked for a token without a valid realm`);
		}

		const url = new URL(realm);
		const scope = `repository:${this.options.repository}:pull`;
		const service = params['service'];
		const {credential} = this;
		let response: RegistryResponse;
		if (credential?.kind === 'identity-token') {
			const form = new URLSearchParams({grant_type: 'refresh_token', refresh_token: credential.secret, client_id: 'layerscope', scope, ...(service === undefined ? {} : {service})});
			response = await this.withRetries('the token endpoint', async () => this.send(url, {'Content-Type': 'application/x-www-form-urlencoded'}, form.toString()));
		} else {
			if (service !== undefined) {
				url.searchParams.set('service', service);
			}

			url.searchParams.set('scope', scope);
			const headers: Record<string, string> = credential === undefined ? {} : {Authorization: `Basic ${Buffer.from(`${credential.username}:${credential.secret}`).toString('base64')}`};
			response = await this.withRetries('the token endpoint', async () => this.send(url, headers));
		}

		const text = await readSmall(response.body, 1024 * 1024);
		if (response.status === 401 || response.status === 403) {
			throw new SourceError(`the token service of registry ${singleLine(this.registry)} (${singleLine(url.host)}) refused access to ${singleLine(this.options.repository)} (${response.status}); ${this.credentialsNote()}`);
		}

		if (response.status !== 200) {
			throw new SourceError(`the token service of registry ${singleLine(this.registry)} (${singleLine(url.host)}) answered HTTP ${response.status}`);
		}

		let parsed: {token?: unknown; access_token?: unknown};
		try {
			parsed = JSON.parse(text) as typeof parsed;
		} catch {
			throw new SourceError(`the token service of registry ${singleLine(this.registry)} answered something that is not JSON`);
		}

		const token = typeof parsed.token === 'string' && parsed.token !== '' ? parsed.token : parsed.access_token;
		if (typeof token !== 'string' || token === '') {
			throw new SourceError(`the token service of registry ${singleLine(this.registry)} answered without a token`);
		}

		return token;
	}

	/** Send, following redirects; the Authorization goes only to the registry's own host. */
	private async follow(start: URL, headers: Record<string, string>): Promise<RegistryResponse> {
		let url = start;
		for (let hop = 0; ; hop++) {
			const sameHost = url.host === this.base?.host;
			const all = sameHost && this.authorization !== undefined ? {...headers, Authorization: this.authorization} : headers;
			const response = await this.send(url, all);
			const location = headerText(response.headers.location);
			if (response.status < 300 || response.status >= 400 || response.status === 304 || location === undefined) {
				return response;
			}

			response.body.resume();
			if (hop >= maxRedirects) {
				throw new SourceError(`registry ${singleLine(this.registry)} redirected more than ${maxRedirects} times`);
			}

			const next = new URL(location, url);
			if (next.protocol !== 'https:' && next.protocol !== 'http:') {
				throw new SourceError(`registry ${singleLine(this.registry)} redirected to an unsupported URL scheme`);
			}

			if (next.protocol === 'http:' && url.protocol === 'https:' && !this.options.insecure) {
				throw new SourceError(`registry ${singleLine(this.registry)} redirected from https to plain http (${singleLine(next.host)}); use --insecure to allow it`);
			}

			url = next;
		}
	}

	/** Run a request, retrying transient failures (resets, 429, 5xx) with exponential backoff. */
	private async withRetries(what: string, attempt: () => Promise<RegistryResponse>): Promise<RegistryResponse> {
		const attempts = this.options.attempts ?? 5;
		let backoff = this.options.backoffMs ?? 200;
		for (let round = 1; ; round++) {
			let failure: TransientFailure | NodeJS.ErrnoException;
			try {
				const response = await attempt();
				if (response.status !== 429 && response.status < 500) {
					return response;
				}

				const body = await readSmall(response.body);
				const retryAfter = retryAfterMs(headerText(response.headers['retry-after']));
				failure = new TransientFailure(`HTTP ${response.status}`, response.status, retryAfter, body);
			} catch (error) {
				if (error instanceof SourceError || !isTransient(error as NodeJS.ErrnoException)) {
					throw error;
				}

				failure = error as NodeJS.ErrnoException;
			}

			const wait = failure instanceof TransientFailure && failure.retryAfterMs !== undefined ? failure.retryAfterMs : backoff;
			if (round >= attempts || wait > maxRetryAfterMs) {
				throw failure instanceof TransientFailure ? this.statusError(failure, what) : failure;
			}

			this.options.onRetry?.(`${what}: ${failure.message}`);
			await delay(wait, this.options.signal);
			backoff *= 2;
		}
	}

	private statusError(failure: TransientFailure, what: string): SourceError {
		const {code, message} = registryMessage(failure.body ?? '');
		const detail = message === '' ? '' : `: ${singleLine(message)}`;
		if (failure.status === 429) {
			const wait = failure.retryAfterMs === undefined ? '' : `; it asks to wait ${Math.ceil(failure.retryAfterMs / 1000)} s`;
			return new SourceError(`registry ${singleLine(this.registry)} rate-limited the pull (429 Too Many Requests${code === '' ? '' : ` ${code}`}${detail})${wait}; try again later, or log in for a higher limit`);
		}

		return new SourceError(`registry ${singleLine(this.registry)} failed on ${what} (HTTP ${failure.status ?? '?'}${detail}) after ${this.options.attempts ?? 5} attempts`);
	}

	/** One request; resolves on the response's headers. */
	private async send(url: URL, headers: Record<string, string>, body?: string): Promise<RegistryResponse> {
		const {signal} = this.options;
		if (signal?.aborted === true) {
			throw new SourceError('cancelled');
		}

		const secure = url.protocol === 'https:';
		const module = secure ? https : http;
		return new Promise<RegistryResponse>((resolve, reject) => {
			const request = module.request(url, {
				method: body === undefined ? 'GET' : 'POST',
				agent: secure ? this.agents.https : this.agents.http,
				headers: {'User-Agent': userAgent, ...headers},
				signal,
				timeout: this.options.timeoutMs ?? 60_000,
			}, response => {
				resolve({status: response.statusCode ?? 0, headers: response.headers, body: response});
			});
			request.on('timeout', () => {
				request.destroy(Object.assign(new Error(`no answer from ${url.host} for ${(this.options.timeoutMs ?? 60_000) / 1000} s`), {code: 'ETIMEDOUT'}));
			});
			request.on('error', error => {
				reject(error.name === 'AbortError' ? new SourceError('cancelled') : error);
			});
			request.end(body);
		});
	}

	/** One line for a connection failure, naming the registry; never the request's headers. */
	networkError(error: unknown): Error {
		if (error instanceof SourceError) {
			return error;
		}

		const failure = (error instanceof Error ? error : new Error(String(error))) as NodeJS.ErrnoException;
		const name = singleLine(this.registry);
		const host = singleLine(this.host);
		switch (failure.code) {
			case 'ENOTFOUND':
			case 'EAI_AGAIN': {
				return new SourceError(`cannot reach registry ${name}: unknown host ${singleLine((failure as {hostname?: string}).hostname ?? host)}`);
			}

			case 'ECONNREFUSED': {
				return new SourceError(`cannot connect to registry ${name} at ${host}: connection refused`);
			}

			case 'ECONNRESET':
			case 'EPIPE': {
				return new SourceError(`the connection to registry ${name} was closed unexpectedly (${failure.code}), also on retrying`);
			}

			case 'ETIMEDOUT': {
				return new SourceError(`registry ${name} did not answer: ${singleLine(failure.message)}`);
			}

			default: {
				if (isTlsError(failure)) {
					return new SourceError(`TLS error talking to registry ${name}: ${singleLine(failure.message)}; for a test registry without a valid certificate, use --insecure (or list it in LAYERSCOPE_INSECURE_REGISTRIES)`);
				}

				return new SourceError(`cannot talk to registry ${name}: ${singleLine(failure.message)}${failure.code === undefined ? '' : ` (${failure.code})`}`);
			}
		}
	}

	/** Retry helper exposed to the API layer for blob bodies: back off before attempt `round` (1-based). */
	async backoff(round: number): Promise<void> {
		await delay((this.options.backoffMs ?? 200) * (2 ** (round - 1)), this.options.signal);
	}

	get maxAttempts(): number {
		return this.options.attempts ?? 5;
	}

	get retryListener(): ((what: string) => void) | undefined {
		return this.options.onRetry;
	}
}

function headerText(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

function retryAfterMs(value: string | undefined): number | undefined {
	if (value === undefined) {
		return undefined;
	}

	if (/^\d+$/.test(value.trim())) {
		return Number(value.trim()) * 1000;
	}

	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
