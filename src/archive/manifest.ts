// From the JSON documents of an image archive or layout to a plan: which blobs are the layers, in order, and
// what the config says of them. Handles docker save (legacy and Docker 25+), podman and kaniko tarballs
// (manifest.json) and OCI layouts (index.json → [index →] manifest → config), choosing the host platform and
// skipping attestation manifests.
import type {ImageConfigSummary} from '../analysis/types.js';
import {escapeName} from '../report/escape.js';
import type {JsonRole} from './metadata.js';
import {normalizePath} from './names.js';

export type LayerRef = {
	/** Path of the blob inside the archive or layout directory. */
	readonly path: string;
	readonly digest: string;
};

export type ImagePlan = {
	readonly tags: string[];
	readonly config: ImageConfigSummary;
	readonly layers: LayerRef[];
	readonly diffIds: string[];
	/** History entries that made a layer, in order: [command, created]. */
	readonly history: Array<{command: string; created: string}>;
};

/**
 * A parsed JSON document of the archive or layout by path, or undefined when there is none. `role` is what the
 * document is used as (its size budget, see metadata.ts); a document that exists but cannot be used throws a
 * FormatError naming it.
 */
export type JsonLookup = (path: string, role: JsonRole) => unknown;

export class FormatError extends Error {}

/** A single-platform image that is not the platform asked for (`wanted`, `holds`: "os/arch"). */
export class PlatformMismatchError extends FormatError {
	readonly wanted: string;
	readonly holds: string;

	constructor(wanted: string, holds: string) {
		super(`no image for platform ${wanted} (the archive holds ${holds} only; leave out --platform to read it)`);
		this.wanted = wanted;
		this.holds = holds;
	}
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Names from the input for a message: escaped, at most 20 of them, each cut to 200 characters. */
function listed(names: readonly string[]): string {
	const shown = names.slice(0, 20).map(name => escapeName(name.length > 200 ? `${name.slice(0, 200)}…` : name));
	return names.length > 20 ? `${shown.join(', ')}, … (${names.length} in all)` : shown.join(', ');
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

export function blobPath(digest: string): string {
	const [algorithm, hex] = digest.split(':');
	if (algorithm === undefined || hex === undefined || !/^[a-z0-9]+$/.test(algorithm) || !/^[a-f0-9]+$/i.test(hex)) {
		throw new FormatError(`invalid digest "${escapeName(digest)}"`);
	}

	return `blobs/${algorithm}/${hex}`;
}

const goArch: Record<string, string> = {x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64'};

export type Platform = {os: string; architecture: string; variant?: string};

export function hostPlatform(): Platform {
	return {os: 'linux', architecture: goArch[process.arch] ?? process.arch};
}

export function parsePlatform(value: string): Platform {
	const [os = 'linux', architecture = '', variant] = value.split('/');
	return variant === undefined ? {os, architecture} : {os, architecture, variant};
}

function isAttestation(descriptor: Json): boolean {
	const annotations = isObject(descriptor['annotations']) ? descriptor['annotations'] : {};
	const platform = isObject(descriptor['platform']) ? descriptor['platform'] : {};
	return annotations['vnd.docker.reference.type'] === 'attestation-manifest'
		|| (platform['os'] === 'unknown' && platform['architecture'] === 'unknown');
}

function configSummary(config: Json, id: string): ImageConfigSummary {
	return {id, os: text(config['os']), architecture: text(config['architecture']), created: text(config['created'])};
}

function historyOf(config: Json): ImagePlan['history'] {
	const history = Array.isArray(config['history']) ? config['history'] : [];
	const out: ImagePlan['history'] = [];
	for (const item of history) {
		if (!isObject(item) || item['empty_layer'] === true) {
			continue;
		}

		out.push({command: text(item['created_by']).replace(/^\/bin\/sh -c /, ''), created: text(item['created'])});
	}

	return out;
}

function diffIdsOf(config: Json): string[] {
	const rootfs = isObject(config['rootfs']) ? config['rootfs'] : {};
	return Array.isArray(rootfs['diff_ids']) ? rootfs['diff_ids'].map(value => text(value)) : [];
}

function planFromDockerManifest(manifest: unknown[], lookup: JsonLookup, wanted?: string): ImagePlan {
	const entries = manifest.filter(item => isObject(item));
	const tagsOf = (item: Json): string[] => (Array.isArray(item['RepoTags']) ? item['RepoTags'].map(value => text(value)) : []);
	let entry = entries[0];
	if (wanted !== undefined) {
		entry = entries.find(item => tagsOf(item).includes(wanted));
		if (entry === undefined) {
			const known = entries.flatMap(item => tagsOf(item));
			throw new FormatError(`no image tagged "${escapeName(wanted)}" in the archive (it has: ${known.length === 0 ? 'no tags' : listed(known)})`);
		}
	}

	if (entry === undefined) {
		throw new FormatError('manifest.json lists no image');
	}

	const configPath = normalizePath(text(entry['Config']));
	const config = lookup(configPath, 'config');
	if (!isObject(config)) {
		throw new FormatError(`image config "${escapeName(configPath)}" is missing from the archive`);
	}

	const layers = (Array.isArray(entry['Layers']) ? entry['Layers'] : []).map(value => {
		const path = normalizePath(text(value));
		const match = /^blobs\/([a-z0-9]+)\/([a-f0-9]+)$/.exec(path);
		return {path, digest: match === null ? '' : `${match[1]}:${match[2]}`};
	});
	const id = /([a-f0-9]{64})/.exec(configPath)?.[1];
	return {
		tags: (Array.isArray(entry['RepoTags']) ? entry['RepoTags'] : []).map(value => text(value)),
		config: configSummary(config, id === undefined ? '' : `sha256:${id}`),
		layers,
		diffIds: diffIdsOf(config),
		history: historyOf(config),
	};
}

function refNames(descriptor: Json): string[] {
	const annotations = isObject(descriptor['annotations']) ? descriptor['annotations'] : {};
	return [text(annotations['org.opencontainers.image.ref.name']), text(annotations['io.containerd.image.name'])].filter(name => name !== '');
}

function platformName(descriptor: Json): string {
	const p = isObject(descriptor['platform']) ? descriptor['platform'] : {};
	return [text(p['os']), text(p['architecture']), text(p['variant'])].filter(part => part !== '').join('/') || 'unknown';
}

export type PickOptions = {
	/** The platform wanted; `strict` when the user named it (no fallback to another one). */
	readonly platform: Platform;
	readonly strict: boolean;
	/** A reference name (org.opencontainers.image.ref.name or the full image name) to pick at the top level. */
	readonly ref?: string;
};

/**
 * From an image index (OCI index or Docker manifest list), the descriptor of the image to read: attestation
 * manifests skipped, then by ref name (when given), then the platform's; without a `strict` platform, the first
 * when none matches (as docker does for a single-platform image). Shared by layouts, archives and registries.
 */
export function chooseDescriptor(index: unknown, options: PickOptions): Json {
	let candidates = (isObject(index) && Array.isArray(index['manifests']) ? index['manifests'] : []).filter(item => isObject(item) && !isAttestation(item));
	if (candidates.length === 0) {
		throw new FormatError('the OCI index lists no image manifest');
	}

	const {platform, ref} = options;
	if (ref !== undefined) {
		const named = candidates.filter(item => refNames(item).some(name => name === ref || name.endsWith(`:${ref}`)));
		if (named.length === 0) {
			const known = [...new Set(candidates.flatMap(item => refNames(item)))];
			throw new FormatError(`no image named "${escapeName(ref)}" in the OCI index (it has: ${known.length === 0 ? 'no names' : listed(known)})`);
		}

		candidates = named;
	}

	const matches = (descriptor: Json): boolean => {
		const p = isObject(descriptor['platform']) ? descriptor['platform'] : undefined;
		return p === undefined || (p['os'] === platform.os && p['architecture'] === platform.architecture
			&& (platform.variant === undefined || p['variant'] === platform.variant));
	};

	const chosen = candidates.find(item => matches(item));
	if (chosen !== undefined) {
		return chosen;
	}

	if (options.strict) {
		throw new FormatError(`no image for platform ${escapeName([platform.os, platform.architecture, platform.variant].filter(Boolean).join('/'))} (the image has: ${listed(candidates.map(item => platformName(item)))})`);
	}

	return candidates[0]!;
}

function pickManifest(index: Json, lookup: JsonLookup, options: PickOptions, depth = 0): {descriptor: Json; manifest: Json} {
	if (depth > 4) {
		throw new FormatError('OCI index nesting is too deep');
	}

	const chosen = chooseDescriptor(index, depth === 0 ? options : {...options, ref: undefined});
	const document = lookup(blobPath(text(chosen['digest'])), 'manifest');
	if (!isObject(document)) {
		throw new FormatError(`manifest ${escapeName(text(chosen['digest']))} is missing`);
	}

	if (Array.isArray(document['manifests'])) {
		return pickManifest(document, lookup, options, depth + 1);
	}

	return {descriptor: chosen, manifest: document};
}

/** A plan from an image config (parsed JSON) and the manifest's layers: what a registry or lazy image knows. */
export function planFromConfig(config: unknown, configDigest: string, layers: LayerRef[], tags: string[]): ImagePlan {
	if (!isObject(config)) {
		throw new FormatError(`image config ${configDigest} is not a JSON object`);
	}

	return {tags, config: configSummary(config, configDigest), layers, diffIds: diffIdsOf(config), history: historyOf(config)};
}

function planFromOciIndex(index: Json, lookup: JsonLookup, options: PickOptions): ImagePlan {
	const {descriptor, manifest} = pickManifest(index, lookup, options);
	const configDescriptor = isObject(manifest['config']) ? manifest['config'] : {};
	const configDigest = text(configDescriptor['digest']);
	const config = lookup(blobPath(configDigest), 'config');
	if (!isObject(config)) {
		throw new FormatError(`image config ${escapeName(configDigest)} is missing`);
	}

	const layers = (Array.isArray(manifest['layers']) ? manifest['layers'] : []).map(item => {
		const digest = text(isObject(item) ? item['digest'] : undefined);
		return {path: blobPath(digest), digest};
	});
	const annotations = isObject(descriptor['annotations']) ? descriptor['annotations'] : {};
	const ref = text(annotations['io.containerd.image.name']) || text(annotations['org.opencontainers.image.ref.name']);
	return {
		tags: ref === '' ? [] : [ref],
		config: configSummary(config, configDigest),
		layers,
		diffIds: diffIdsOf(config),
		history: historyOf(config),
	};
}

/**
 * Plan an image from its JSON documents; manifest.json wins (as docker load does), else index.json.
 * `platform`, when given, must match (else the host's is preferred); `tag` picks an image by RepoTag or OCI ref name.
 */
export function planImage(lookup: JsonLookup, options: {platform?: Platform; tag?: string} = {}): ImagePlan {
	const manifest = lookup('manifest.json', 'manifest.json');
	if (Array.isArray(manifest)) {
		const plan = planFromDockerManifest(manifest, lookup, options.tag);
		const {platform} = options;
		if (platform !== undefined && plan.config.architecture !== '' && (plan.config.os !== platform.os || plan.config.architecture !== platform.architecture)) {
			throw new PlatformMismatchError(escapeName(`${platform.os}/${platform.architecture}`), escapeName(`${plan.config.os}/${plan.config.architecture}`));
		}

		return plan;
	}

	const index = lookup('index.json', 'index');
	if (isObject(index)) {
		return planFromOciIndex(index, lookup, {platform: options.platform ?? hostPlatform(), strict: options.platform !== undefined, ref: options.tag});
	}

	throw new FormatError('not an image archive: no manifest.json or index.json (a plain filesystem tar, such as `docker export` writes?)');
}
