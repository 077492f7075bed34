// The OCI distribution API over a RegistryTransport: a manifest (an index → the platform's manifest), the config
// blob, and layer blobs that open lazily as verified streams. Asks for exactly what it needs: a reference by digest
// fetches that one document; an index costs one more request for the chosen manifest.
import {createHash, type Hash} from 'node:crypto';
import {Readable} from 'node:stream';
import {chooseDescriptor, FormatError, hostPlatform, type Platform} from '../../archive/manifest.js';
import {singleLine} from '../../report/escape.js';
import {type LazyImage, type LazyLayer, type SourceStatus, SourceError} from '../types.js';
import {defaultKeychain, type Keychain} from './keychain.js';
import {formatReference, isInsecure, parseReference, type Reference} from './reference.js';
import {readSmall, registryMessage, RegistryTransport, type TransportOptions} from './transport.js';

const mediaTypes = {
	ociIndex: 'application/vnd.oci.image.index.v1+json',
	dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
	ociManifest: 'application/vnd.oci.image.manifest.v1+json',
	dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/** Manifests and configs are kilobytes; larger answers are refused rather than buffered. */
const documentLimit = 8 * 1024 * 1024;

export type RegistryOptions = {
	/** The platform to pick from an index; when absent, the host's (else the first image). */
	readonly platform?: Platform;
	/** --insecure: plain HTTP and unverified TLS allowed for this registry. */
	readonly insecure?: boolean;
	readonly keychain?: Keychain;
	readonly signal?: AbortSignal;
	readonly onStatus?: (status: SourceStatus) => void;
	/** Transport tuning (attempts, backoff, timeouts, retry notices), for tests. */
	readonly transport?: Pick<TransportOptions, 'attempts' | 'backoffMs' | 'timeoutMs' | 'onRetry'>;
	/** Read by tests: LAYERSCOPE_INSECURE_REGISTRIES. Default process.env. */
	readonly env?: NodeJS.ProcessEnv;
};

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

/** A hash for `algorithm:hex` digests (sha256, sha512), or an error naming what is unsupported. */
function hasherFor(digest: string): Hash {
	const algorithm = digest.slice(0, digest.indexOf(':'));
	if (algorithm !== 'sha256' && algorithm !== 'sha512') {
		throw new SourceError(`unsupported digest algorithm in ${singleLine(digest)}`);
	}

	return createHash(algorithm);
}

function mismatch(what: string, digest: string, detail: string): SourceError {
	return new SourceError(`digest mismatch: ${what} ${singleLine(digest)} from the registry ${detail}; no figures are shown`);
}

/** Read a whole small document (manifest, config) and check it against its digest and size when known. */
async function fetchDocument(transport: RegistryTransport, path: string, accept: string | undefined, what: string, expect?: {digest?: string; size?: number}): Promise<{bytes: Buffer; contentType: string}> {
	const response = await transport.get(path, accept === undefined ? {} : {Accept: accept});
	if (response.status === 404) {
		const body = registryMessage(await readSmall(response.body));
		throw new SourceError(`manifest unknown: ${what} is not in registry ${singleLine(transport.registry)}${body.code === '' ? '' : ` (${body.code})`}`);
	}

	if (response.status !== 200) {
		const body = registryMessage(await readSmall(response.body));
		throw new SourceError(`registry ${singleLine(transport.registry)} answered HTTP ${response.status} for ${what}${body.message === '' ? '' : `: ${singleLine(body.message)}`}`);
	}

	const parts: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of response.body) {
			size += (chunk as Buffer).length;
			if (size > documentLimit || (expect?.size !== undefined && size > expect.size)) {
				response.body.destroy();
				if (expect?.size !== undefined && size > expect.size) {
					throw mismatch(what, expect.digest ?? '', `is larger than the ${expect.size} bytes its descriptor says`);
				}

				throw new SourceError(`${what} from registry ${singleLine(transport.registry)} is larger than ${documentLimit / 1024 / 1024} MiB`);
			}

			parts.push(chunk as Buffer);
		}
	} catch (error) {
		throw transport.networkError(error);
	}

	const bytes = Buffer.concat(parts);
	if (expect?.size !== undefined && bytes.length !== expect.size) {
		throw mismatch(what, expect.digest ?? '', `is ${bytes.length} bytes, not the ${expect.size} its descriptor says`);
	}

	if (expect?.digest !== undefined) {
		const actual = `${expect.digest.slice(0, expect.digest.indexOf(':'))}:${hasherFor(expect.digest).update(bytes).digest('hex')}`;
		if (actual !== expect.digest) {
			throw mismatch(what, expect.digest, `hashes to ${actual}`);
		}
	}

	const contentType = response.headers['content-type'] ?? '';
	return {bytes, contentType: contentType.split(';')[0]!.trim()};
}

function parseJson(bytes: Buffer, what: string): Json {
	let parsed: unknown;
	try {
		parsed = JSON.parse(bytes.toString('utf8'));
	} catch {
		throw new FormatError(`${what} is not valid JSON`);
	}

	if (!isObject(parsed)) {
		throw new FormatError(`${what} is not a JSON object`);
	}

	return parsed;
}

type Descriptor = {digest: string; size?: number; mediaType?: string};

function descriptorOf(value: unknown, what: string): Descriptor {
	const item = isObject(value) ? value : {};
	const digest = text(item['digest']);
	if (!/^[a-z\d]+(?:[+._-][a-z\d]+)*:[a-zA-Z\d=_-]{32,}$/.test(digest)) {
		throw new FormatError(`${what} has no valid digest`);
	}

	const size = typeof item['size'] === 'number' && Number.isSafeInteger(item['size']) && item['size'] >= 0 ? item['size'] : undefined;
	const mediaType = text(item['mediaType']);
	return {digest, ...(size === undefined ? {} : {size}), ...(mediaType === '' ? {} : {mediaType})};
}

/**
 * A blob as a stream of its bytes, checked against its digest and size: a mismatch makes the stream fail before
 * it ends. A connection that breaks mid-blob is resumed with `Range` (or re-read from the start, skipping what was
 * already passed on, when the registry ignores Range), up to the transport's attempts.
 */
export function blobStream(transport: RegistryTransport, repository: string, blob: Descriptor, signal?: AbortSignal): Readable {
	const path = `/v2/${repository}/blobs/${blob.digest}`;
	async function * chunks(): AsyncGenerator<Buffer> {
		const hash = hasherFor(blob.digest);
		let received = 0;
		for (let round = 1; ; round++) {
			const response = await transport.get(path, received > 0 ? {Range: `bytes=${received}-`} : {});
			if (response.status === 404) {
				await readSmall(response.body);
				throw new SourceError(`blob ${singleLine(blob.digest)} is missing from registry ${singleLine(transport.registry)}`);
			}

			let skip = 0;
			if (response.status === 206) {
				const start = /^bytes (\d+)-/.exec(response.headers['content-range'] ?? '')?.[1];
				if (start === undefined || Number(start) !== received) {
					response.body.destroy();
					throw new SourceError(`registry ${singleLine(transport.registry)} resumed blob ${singleLine(blob.digest)} at the wrong offset`);
				}
			} else if (response.status === 200) {
				skip = received; // Range ignored: the blob again from its first byte.
			} else {
				const body = registryMessage(await readSmall(response.body));
				throw new SourceError(`registry ${singleLine(transport.registry)} answered HTTP ${response.status} for blob ${singleLine(blob.digest)}${body.message === '' ? '' : `: ${singleLine(body.message)}`}`);
			}

			try {
				for await (const data of response.body) {
					let chunk = data as Buffer;
					if (skip > 0) {
						const dropped = Math.min(skip, chunk.length);
						skip -= dropped;
						chunk = chunk.subarray(dropped);
						if (chunk.length === 0) {
							continue;
						}
					}

					received += chunk.length;
					if (blob.size !== undefined && received > blob.size) {
						throw mismatch('blob', blob.digest, `is larger than the ${blob.size} bytes the manifest says`);
					}

					hash.update(chunk);
					yield chunk;
				}

				break;
			} catch (error) {
				if (error instanceof SourceError || signal?.aborted === true) {
					throw error;
				}

				const code = (error as NodeJS.ErrnoException).code;
				const transient = code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT' || (error as Error).message === 'aborted';
				if (!transient || round >= transport.maxAttempts) {
					throw transport.networkError(error);
				}

				transport.retryListener?.(`blob ${blob.digest} broke off after ${received} bytes (${code ?? (error as Error).message}); resuming`);
				await transport.backoff(round);
			}
		}

		if (blob.size !== undefined && received !== blob.size) {
			throw mismatch('blob', blob.digest, `is ${received} bytes, not the ${blob.size} the manifest says`);
		}

		const actual = `${blob.digest.slice(0, blob.digest.indexOf(':'))}:${hash.digest('hex')}`;
		if (actual !== blob.digest) {
			throw mismatch('blob', blob.digest, `hashes to ${actual}`);
		}
	}

	const stream = Readable.from(chunks(), {objectMode: false, highWaterMark: 1024 * 1024});
	if (signal !== undefined) {
		const onAbort = (): void => {
			stream.destroy(new SourceError('cancelled'));
		};

		signal.addEventListener('abort', onAbort, {once: true});
		stream.once('close', () => {
			signal.removeEventListener('abort', onAbort);
		});
	}

	return stream;
}

const manifestAccept = [mediaTypes.ociIndex, mediaTypes.dockerList, mediaTypes.ociManifest, mediaTypes.dockerManifest].join(', ');

/**
 * An image in a registry as a LazyImage: the manifest (the platform's, from an index) and the config are read now;
 * layer blobs open lazily, verified. `reference` is a docker-style reference (`nginx`, `host:5000/app@sha256:…`).
 * Every failure is a SourceError (one line; credentials never appear) or a FormatError for malformed documents.
 */
export async function registryImage(referenceText: string, options: RegistryOptions = {}): Promise<LazyImage> {
	const reference: Reference = parseReference(referenceText);
	const transport = new RegistryTransport({
		registry: reference.registry,
		repository: reference.repository,
		insecure: isInsecure(reference.registry, options.insecure === true, options.env),
		keychain: options.keychain ?? defaultKeychain(),
		signal: options.signal,
		...options.transport,
	});
	const shown = formatReference(reference);
	const {repository} = reference;
	options.onStatus?.({phase: 'pull', message: `pulling ${singleLine(shown)} from its registry`});
	const wanted = reference.digest ?? reference.tag!;
	let document = await fetchDocument(transport, `/v2/${repository}/manifests/${wanted}`, manifestAccept, `manifest ${singleLine(shown)}`,
		reference.digest === undefined ? undefined : {digest: reference.digest});
	let manifest = parseJson(document.bytes, `the manifest of ${singleLine(shown)}`);
	for (let depth = 0; Array.isArray(manifest['manifests']); depth++) {
		if (depth >= 4) {
			throw new FormatError(`the index of ${singleLine(shown)} nests too deep`);
		}

		const chosen = descriptorOf(chooseDescriptor(manifest, {platform: options.platform ?? hostPlatform(), strict: options.platform !== undefined}), 'an index entry');
		document = await fetchDocument(transport, `/v2/${repository}/manifests/${chosen.digest}`, manifestAccept, `manifest ${singleLine(chosen.digest)}`, chosen);
		manifest = parseJson(document.bytes, `manifest ${singleLine(chosen.digest)}`);
	}

	if (manifest['schemaVersion'] === 1) {
		throw new FormatError(`${singleLine(shown)} has a Docker schema 1 manifest, which is deprecated and not supported`);
	}

	const config = descriptorOf(manifest['config'], 'the manifest\'s config');
	const configBytes = (await fetchDocument(transport, `/v2/${repository}/blobs/${config.digest}`, undefined, `config ${singleLine(config.digest)}`, config)).bytes;
	const parsedConfig = parseJson(configBytes, `config ${singleLine(config.digest)}`);
	const {platform} = options;
	const os = text(parsedConfig['os']);
	const architecture = text(parsedConfig['architecture']);
	if (platform !== undefined && architecture !== '' && (os !== platform.os || architecture !== platform.architecture)) {
		// A single-platform image (no index): the config says what it is.
		throw new FormatError(`no image for platform ${platform.os}/${platform.architecture} (${singleLine(shown)} is ${singleLine(os)}/${singleLine(architecture)})`);
	}

	const rootfs = isObject(parsedConfig['rootfs']) ? parsedConfig['rootfs'] : {};
	const diffIds = Array.isArray(rootfs['diff_ids']) ? rootfs['diff_ids'].map(value => text(value)) : [];
	if (!Array.isArray(manifest['layers'])) {
		throw new FormatError(`the manifest of ${singleLine(shown)} lists no layers`);
	}

	const layers: LazyLayer[] = manifest['layers'].map((item, index) => {
		const blob = descriptorOf(item, `layer ${index} of the manifest`);
		return {
			digest: blob.digest,
			diffId: diffIds[index] ?? '',
			...(blob.size === undefined ? {} : {size: blob.size}),
			...(blob.mediaType === undefined ? {} : {mediaType: blob.mediaType}),
			async open(signal?: AbortSignal) {
				return blobStream(transport, repository, blob, signal ?? options.signal);
			},
		};
	});
	return {
		kind: 'lazy',
		name: referenceText,
		tags: reference.tag === undefined ? [] : [`${reference.registry}/${repository}:${reference.tag}`],
		config: configBytes,
		configDigest: config.digest,
		layers,
	};
}
