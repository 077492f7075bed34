// From the user's IMAGE argument to a read image: pick the source, stream it through the archive reader.
import {readImageArchive, readOciLayout} from '../archive/read-image.js';
import {parsePlatform} from '../archive/manifest.js';
import type {RawImage} from '../analysis/types.js';
import {isLocalReference, localSource} from '../sources/archive.js';
import {type ImageSource, type SourceStatus, SourceError} from '../sources/types.js';
import {UsageError} from './args.js';

export type LoadOptions = {
	readonly source?: string;
	readonly platform?: string;
	readonly signal?: AbortSignal;
	readonly onStatus?: (status: SourceStatus) => void;
	readonly onRead?: (progress: {bytes: number; totalBytes?: number; layersDone: number; entries: number}) => void;
};

/** The values of --source. */
export const sourceNames: readonly string[] = ['docker', 'podman', 'docker-archive', 'oci-archive', 'oci'];
const sources = new Set(sourceNames);

/** Where the user's IMAGE argument's bytes come from (no byte read yet, but a daemon may be asked). */
export async function resolveSource(target: string, options: LoadOptions): Promise<ImageSource> {
	const {source} = options;
	if (source !== undefined && !sources.has(source)) {
		throw new UsageError(`unknown --source "${source}" (docker, podman, docker-archive, oci-archive or oci)`);
	}

	if (source === 'docker' || source === 'podman' || (source === undefined && !isLocalReference(target))) {
		// The daemon module loads dockerode: only when a daemon is used.
		const {daemonSource} = await import('../sources/daemon.js');
		return daemonSource(target, {engine: source === 'podman' ? 'podman' : 'docker', onStatus: options.onStatus, signal: options.signal});
	}

	if (source === 'oci' && !target.startsWith('oci:')) {
		return localSource(`oci:${target}`);
	}

	return localSource(target);
}

export async function loadImage(target: string, options: LoadOptions): Promise<RawImage> {
	return loadImageFrom(await resolveSource(target, options), options);
}

/** Read an image from a resolved source (the source can then be asked again for one layer's bytes). */
export async function loadImageFrom(source: ImageSource, options: LoadOptions): Promise<RawImage> {
	const platform = options.platform === undefined ? undefined : parsePlatform(options.platform);
	if (platform !== undefined && platform.architecture === '') {
		throw new UsageError(`--platform wants OS/ARCH, e.g. linux/amd64 (got "${options.platform}")`);
	}

	options.onStatus?.({phase: 'read', message: `reading ${source.name}`});
	if (source.kind === 'layout') {
		return readOciLayout(source.dir, {name: source.name, platform, tag: source.ref, onProgress: options.onRead});
	}

	const stream = await source.open();
	options.signal?.addEventListener('abort', () => {
		stream.destroy(new SourceError('cancelled'));
	}, {once: true});
	return readImageArchive(stream, {name: source.name, platform, tag: source.tag, totalBytes: source.totalBytes, onProgress: options.onRead});
}
