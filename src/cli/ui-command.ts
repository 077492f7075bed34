// `layerscope IMAGE` in a terminal: the Ink UI, with the image loaded behind its progress view. Only the UI's
// entry loads before the first frame: the readers, the layer cache and the content access load in `load`, while
// the progress view is on the screen (they took ~50-70 ms before it, native addons and cacache included).
import {runTui, type TuiOptions} from '../ui/run.js';
import type {RawImage} from '../analysis/types.js';
import type {ImageSource, LazyImage} from '../sources/types.js';
import type {FileAccess} from '../ui/state/model.js';
import type {LoadOptions} from './load.js';

/**
 * The viewer's and Ctrl-E's access to the files of an image read from `source`: one layer read again for a
 * file's bytes; Ctrl-E writes ./NAME in the current directory (never over something there).
 */
export async function fileAccess(source: ImageSource | LazyImage, image: RawImage): Promise<FileAccess> {
	const [{existsSync}, {default: path}, {escapeName}, {contentImageOf, planExtract, readFileWindow}, {extractToDirectory}, {layerOpener}, {extractSummary}] = await Promise.all([
		import('node:fs'),
		import('node:path'),
		import('../report/escape.js'),
		import('./content.js'),
		import('./extract-writer.js'),
		import('./layer-blob.js'),
		import('./commands/extract.js'),
	]);
	const content = contentImageOf(image, layerOpener(source, image));
	return {
		read: async (file, layer, offset, maxBytes, signal) => readFileWindow(content, file, layer, offset, maxBytes, signal),
		async extract(file, layer) {
			const plan = await planExtract(content, file, layer);
			const name = plan.path === '/' ? 'rootfs' : path.posix.basename(plan.path);
			const target = path.resolve(name);
			if (existsSync(target)) {
				return `./${escapeName(name)} exists here: not extracted (move it away or use layerscope extract)`;
			}

			// A directory's contents go into ./NAME; a single file is written as ./NAME in the current directory.
			const result = plan.isDirectory
				? await extractToDirectory(plan, content.open, target)
				: await extractToDirectory(plan, content.open, path.resolve('.'), {force: true});
			return `extracted ${escapeName(plan.path)} (layer ${plan.layer}${plan.removedAt === undefined ? '' : `: removed by layer ${plan.removedAt}`}) to ./${escapeName(name)}: ${extractSummary(result)}`;
		},
	};
}

/** " (N layers from cache)", or '' when none came from the cache. */
function fromCacheNote(layers: number | undefined): string {
	return layers === undefined || layers === 0 ? '' : ` (${layers} ${layers === 1 ? 'layer' : 'layers'} from cache)`;
}

export async function runUi(
	target: string,
	/** The load options, or a function that makes them (opening the layer cache) once the first frame is out. */
	options: Pick<LoadOptions, 'source' | 'platform' | 'insecure' | 'cache'> | (() => Promise<Pick<LoadOptions, 'source' | 'platform' | 'insecure' | 'cache'>>),
	/** Other terminal streams and size than the process's (tests). */
	terminal: Pick<TuiOptions, 'stdout' | 'stdin' | 'viewport' | 'alternateScreen' | 'colors'> = {},
): Promise<'quit' | 'cancelled'> {
	return runTui({
		...terminal,
		title: target,
		async load(onProgress, signal) {
			const [{loadImageFrom, resolveSource}, {analyzeWithCache}, loadOptions] = await Promise.all([
				import('./load.js'),
				import('./cached-analysis.js'),
				typeof options === 'function' ? options() : options,
			]);
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
			const source = await resolveSource(target, {...loadOptions, signal, onStatus, onNotice});
			const image = await loadImageFrom(source, {
				...loadOptions,
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
			const analysis = await analyzeWithCache(image, loadOptions.cache);
			// The cache writes finish while the views are prepared and browsed.
			void loadOptions.cache?.flush();
			return {image, analysis, files: await fileAccess(source, image)};
		},
	});
}
