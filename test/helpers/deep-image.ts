// An image of N files whose paths are deep and long but each under Linux's limits (4096 bytes a path, 255 a
// component): every entry has its own top directory, so the stacked tree holds N × depth distinct nodes, and a
// listing of every node's full path is O(N · depth²) bytes. The kind of a08 (../shared/cases/a08-memory-long-paths)
// that the 4096-byte name limit lets through. Made with scripts/lib/image-builder.ts (names over 100 bytes go into
// PAX records), gzip layer.
import {writeFileSync} from 'node:fs';
import {buildImageArchive, type FixtureEntry} from '../../scripts/lib/image-builder.js';

export type DeepShape = {
	/** Files (each with its own chain of directories). */
	readonly entries: number;
	/** Path components a file has (directories + the file). Default 61. */
	readonly depth?: number;
	/** Bytes a component. Default 60 (61 × 61 - 1 = 3,720 bytes a path). */
	readonly componentBytes?: number;
};

/** The path of file `index`: `d<index>…/xxx…/…/f…`, `depth` components of `componentBytes` bytes. */
export function deepPath(index: number, depth = 61, componentBytes = 60): string {
	const parts = [`d${index}`.padEnd(componentBytes, 'd')];
	for (let level = 1; level < depth - 1; level++) {
		parts.push(`${level}`.padEnd(componentBytes, 'x'));
	}

	parts.push('f'.padEnd(componentBytes, 'f'));
	return parts.join('/');
}

/** Nodes in the stacked tree (every directory is implicit: the layer lists files only). */
export function deepNodeCount(shape: DeepShape): number {
	return shape.entries * (shape.depth ?? 61);
}

export async function buildDeepImage(shape: DeepShape): Promise<Buffer> {
	const entries: FixtureEntry[] = [];
	for (let index = 0; index < shape.entries; index++) {
		entries.push({path: deepPath(index, shape.depth, shape.componentBytes), content: ''});
	}

	return buildImageArchive([{entries}], {format: 'docker-legacy', compression: 'gzip', tag: 'deep/paths:latest'});
}

export async function writeDeepImage(file: string, shape: DeepShape): Promise<void> {
	writeFileSync(file, await buildDeepImage(shape));
}
