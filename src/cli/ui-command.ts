// `layerscope IMAGE` in a terminal: the Ink UI, with the image loaded behind its progress view.
import {runTui, type TuiOptions} from '../ui/run.js';
import {existsSync} from 'node:fs';
import path from 'node:path';
import type {RawImage} from '../analysis/types.js';
import {escapeName} from '../report/escape.js';
import type {ImageSource, LazyImage} from '../sources/types.js';
import type {FileAccess} from '../ui/state/model.js';
import {contentImageOf, planExtract, readFileWindow} from './content.js';
import {describeOutput, extractToDirectory} from './extract-writer.js';
import {layerOpener} from './layer-blob.js';
import {count} from './commands/extract.js';
import type {LoadOptions} from './load.js';
import {loadImageFrom, resolveSource} from './load.js';
import {analyzeWithCache} from './cached-analysis.js';

/**
 * The viewer's and Ctrl-E's access to the files of an image read from `source`: one layer read again for a
 * file's bytes; Ctrl-E writes ./NAME in the current directory (never over something there).
 */
export function fileAccess(source: ImageSource | LazyImage, image: RawImage): FileAccess {
	const content = contentImageOf(image, layerOpener(source, image));
	return {
		read: async (file, layer, offset, maxBytes, signal) => readFileWindow(content, file, layer, offset, maxBytes, signal),
		async extract(file, layer) {
			const plan = await planExtract(content, file, layer);
			const name = plan.path === '/' ? 'rootfs' : path.posix.basename(plan.path);
			const target = path.resolve(name);
			if (existsSync(target)) {
				return `./${escapeName(name)} exists in ${describeOutput('.')}: nothing extracted (move it away, or use layerscope extract)`;
			}

			// A directory's contents go into ./NAME; a single file is written as ./NAME in the current directory.
			const result = plan.isDirectory
				? await extractToDirectory(plan, content.open, target)
				: await extractToDirectory(plan, content.open, path.resolve('.'), {force: true});
			return `extracted ${escapeName(plan.path)} (layer ${layer}) to ${describeOutput(target)}: ${count(result.files, 'file')}, ${count(result.directories, 'directory', 'directories')}, ${count(result.symlinks, 'symlink')}`;
		},
	};
}

/** " (N layers from cache)", or '' when none came from the cache. */
function fromCacheNote(layers: number | undefined): string {
	return layers === undefined || layers === 0 ? '' : ` (${layers} ${layers === 1 ? 'layer' : 'layers'} from cache)`;
}

export async function runUi(
	target: string,
	options: Pick<LoadOptions, 'source' | 'platform' | 'insecure' | 'cache'>,
	/** Other terminal streams and size than the process's (tests). */
	terminal: Pick<TuiOptions, 'stdout' | 'stdin' | 'viewport' | 'alternateScreen' | 'colors'> = {},
): Promise<'quit' | 'cancelled'> {
	return runTui({
		...terminal,
		title: target,
		async load(onProgress, signal) {
			let fromCache: number | undefined;
			const onStatus: LoadOptions['onStatus'] = status => {
				onProgress({
					phase: status.phase,
					message: status.message,
					bytes: status.current ?? 0,
					totalBytes: status.total,
					layersDone: 0,
					entries: 0,
				});
			};
			const onNotice: LoadOptions['onNotice'] = line => {
				onProgress({phase: 'pull', message: line, bytes: 0, layersDone: 0, entries: 0});
			};
			const source = await resolveSource(target, {...options, signal, onStatus, onNotice});
			const image = await loadImageFrom(source, {
				...options,
				signal,
				onStatus,
				onNotice,
				onRead(progress) {
					fromCache = progress.layersFromCache;
					onProgress({phase: 'read', message: `reading ${target}${fromCacheNote(fromCache)}`, ...progress});
				},
			});
			const layersTotal = image.layers.length;
			onProgress({phase: 'analyse', message: `analysing${fromCacheNote(fromCache)}`, bytes: 0, layersDone: layersTotal, layersTotal, entries: 0});
			const analysis = await analyzeWithCache(image, options.cache);
			// The cache writes finish while the views are prepared and browsed.
			void options.cache?.flush();
			return {image, analysis, files: fileAccess(source, image)};
		},
	});
}
