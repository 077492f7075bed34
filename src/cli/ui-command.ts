// `layerscope IMAGE` in a terminal: the Ink UI, with the image loaded behind its progress view.
import {analyzeImage} from '../analysis/analyze.js';
import {runTui} from '../ui/run.js';
import type {LoadOptions} from './load.js';
import {loadImage} from './load.js';

export async function runUi(target: string, options: Pick<LoadOptions, 'source' | 'platform' | 'insecure'>): Promise<'quit' | 'cancelled'> {
	return runTui({
		title: target,
		async load(onProgress, signal) {
			const image = await loadImage(target, {
				...options,
				signal,
				onStatus(status) {
					onProgress({
						phase: status.phase,
						message: status.message,
						bytes: status.current ?? 0,
						totalBytes: status.total,
						layersDone: 0,
						entries: 0,
					});
				},
				onNotice(line) {
					onProgress({phase: 'pull', message: line, bytes: 0, layersDone: 0, entries: 0});
				},
				onRead(progress) {
					onProgress({phase: 'read', message: `reading ${target}`, ...progress});
				},
			});
			const layersTotal = image.layers.length;
			onProgress({phase: 'analyse', message: 'analysing', bytes: 0, layersDone: layersTotal, layersTotal, entries: 0});
			return {image, analysis: analyzeImage(image)};
		},
	});
}
