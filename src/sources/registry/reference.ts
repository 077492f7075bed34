// Image references as the docker CLI reads them (github.com/distribution/reference, ParseNormalizedNamed):
// `nginx` → docker.io/library/nginx:latest, `host:5000/app@sha256:…`, `localhost/app`.
import {singleLine} from '../../report/escape.js';
import {SourceError} from '../types.js';

/** A normalised reference: where the image lives and which manifest to ask for. */
export type Reference = {
	/** The registry's name as written in references: `docker.io`, `ghcr.io`, `localhost:5000`, `[::1]:5000`. */
	readonly registry: string;
	/** The repository path, e.g. `library/nginx`. */
	readonly repository: string;
	/** The tag; `latest` when neither a tag nor a digest was given. */
	readonly tag?: string;
	/** `algorithm:hex` when the reference names a manifest by digest (then the tag, if any, is only shown). */
	readonly digest?: string;
};

export const dockerHub = 'docker.io';

// From distribution/reference's grammar.
const component = /^[a-z\d]+(?:(?:[._]|__|-+)[a-z\d]+)*$/;
const tagPattern = /^\w[\w.-]{0,127}$/;
const digestPattern = /^[a-z\d]+(?:[+._-][a-z\d]+)*:[a-zA-Z\d=_-]{32,}$/;
const hostPattern = /^(?:\[[a-fA-F\d:.]+\]|[a-zA-Z\d](?:[a-zA-Z\d-]*[a-zA-Z\d])?(?:\.[a-zA-Z\d](?:[a-zA-Z\d-]*[a-zA-Z\d])?)*)(?::\d+)?$/;

function invalid(text: string, why: string): SourceError {
	return new SourceError(`invalid image reference "${singleLine(text)}": ${why}`);
}

/**
 * Parse and normalise a reference as `docker pull` does. The first path component is a registry when it holds a
 * `.` or a `:` or is `localhost`; otherwise the image is on Docker Hub, where one-component names live under
 * `library/`. Throws SourceError naming what is wrong.
 */
export function parseReference(text: string): Reference {
	if (text === '' || text.length > 4096) {
		throw invalid(text, 'empty or too long');
	}

	let rest = text;
	let digest: string | undefined;
	const at = rest.indexOf('@');
	if (at >= 0) {
		digest = rest.slice(at + 1);
		rest = rest.slice(0, at);
		if (!digestPattern.test(digest)) {
			throw invalid(text, 'the digest is not ALGORITHM:HEX');
		}
	}

	let tag: string | undefined;
	const lastSlash = rest.lastIndexOf('/');
	const colon = rest.lastIndexOf(':');
	if (colon > lastSlash) {
		tag = rest.slice(colon + 1);
		rest = rest.slice(0, colon);
		if (!tagPattern.test(tag)) {
			throw invalid(text, 'the tag may hold only letters, digits, _ . - (at most 128)');
		}
	}

	const slash = rest.indexOf('/');
	const first = slash < 0 ? '' : rest.slice(0, slash);
	let registry = dockerHub;
	let repository = rest;
	if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))) {
		registry = first;
		repository = rest.slice(slash + 1);
		if (!hostPattern.test(registry)) {
			throw invalid(text, `"${singleLine(registry)}" is not a registry host[:port]`);
		}
	}

	if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') {
		registry = dockerHub;
	}

	if (registry === dockerHub && !repository.includes('/')) {
		repository = `library/${repository}`;
	}

	if (repository === '' || !repository.split('/').every(part => component.test(part))) {
		throw invalid(text, 'repository names are lowercase letters, digits and separators (. _ __ -) between / ');
	}

	if (repository.length > 255) {
		throw invalid(text, 'the repository name is longer than 255 characters');
	}

	if (tag === undefined && digest === undefined) {
		tag = 'latest';
	}

	return {registry, repository, ...(tag === undefined ? {} : {tag}), ...(digest === undefined ? {} : {digest})};
}

/** The reference written out in full: `docker.io/library/nginx:latest`, `host/app@sha256:…`. */
export function formatReference(reference: Reference): string {
	return `${reference.registry}/${reference.repository}${reference.tag === undefined ? '' : `:${reference.tag}`}${reference.digest === undefined ? '' : `@${reference.digest}`}`;
}

/** The host:port to connect to for a registry name (Docker Hub pulls go to registry-1.docker.io). */
export function registryHost(registry: string): string {
	return registry === dockerHub ? 'registry-1.docker.io' : registry;
}

/** The host part of `host[:port]`, without brackets. */
export function hostName(hostPort: string): string {
	if (hostPort.startsWith('[')) {
		return hostPort.slice(1, hostPort.indexOf(']'));
	}

	const colon = hostPort.lastIndexOf(':');
	return colon < 0 ? hostPort : hostPort.slice(0, colon);
}

/** Loopback hosts, where docker allows plain HTTP without being told: localhost, 127.0.0.0/8, ::1. */
export function isLoopback(hostPort: string): boolean {
	const host = hostName(hostPort).toLowerCase();
	return host === 'localhost' || host.endsWith('.localhost') || /^127(?:\.\d{1,3}){3}$/.test(host) || host === '::1';
}

/**
 * Whether a registry may be spoken to without verified TLS: loopback, `--insecure`, or listed (comma or space
 * separated host[:port] names) in LAYERSCOPE_INSECURE_REGISTRIES.
 */
export function isInsecure(registry: string, flag: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
	if (flag || isLoopback(registry)) {
		return true;
	}

	const listed = (env['LAYERSCOPE_INSECURE_REGISTRIES'] ?? '').split(/[\s,]+/).filter(item => item !== '');
	return listed.some(item => item === registry || item === hostName(registry));
}
