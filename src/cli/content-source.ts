// The image behind `cat`, `extract` and the TUI's viewer. Where the source allows it (an uncompressed archive
// on disk, an OCI layout, a registry), nothing but the JSON documents is read up front and each layer's entries
// only when a lookup needs them; otherwise (the daemon, a compressed archive) the image is read once, with
// progress on stderr, and one layer's bytes are read again later.
import type {Readable} from 'node:stream';
import type {LayerContents, LayerEntry} from '../analysis/types.js';
import {parseLayerBlob, planArchiveFile, planLayoutDir, type PlannedImage} from '../archive/lazy-archive.js';
import {escapeName} from '../report/escape.js';
import {type ImageSource, type LazyImage, SourceError} from '../sources/types.js';
import {type ContentImage, contentImageOf} from './content.js';
import {type BlobReadCounter, counted, layerOpener} from './layer-blob.js';
import {type LoadOptions, loadImageFrom, platformOf, resolveSource} from './load.js';
import {stderrProgress} from './progress.js';

/** A ContentImage whose layers are parsed on first use (each once). */
function lazyContentImage(layerCount: number, openBlob: (index: number) => Promise<Readable>, name: string, counter?: BlobReadCounter): ContentImage {
	const openLayer = async (index: number): Promise<Readable> => counted(await openBlob(index), counter);

	const parsed = new Map<number, Promise<LayerContents>>();
	return {
		layerCount,
		async entries(index): Promise<readonly LayerEntry[]> {
			let contents = parsed.get(index);
			if (contents === undefined) {
				contents = openLayer(index).then(async blob => parseLayerBlob(blob)).catch((error: unknown) => {
					throw new SourceError(`layer ${index} of ${escapeName(name)}: ${(error as Error).message}`);
				});
				parsed.set(index, contents);
			}

			return (await contents).entries;
		},
		async open(index) {
			if (index < 0 || index >= layerCount) {
				throw new SourceError(`layer ${index} does not exist (the image has ${layerCount})`);
			}

			return openLayer(index);
		},
	};
}

async function planned(source: ImageSource | LazyImage, options: Pick<LoadOptions, 'platform'>): Promise<PlannedImage | undefined> {
	const platform = platformOf(options);

	if (source.kind === 'layout') {
		return planLayoutDir(source.dir, {platform, tag: source.ref});
	}

	if (source.kind === 'archive' && source.file !== undefined) {
		return planArchiveFile(source.file, {platform, tag: source.tag});
	}

	return undefined;
}

/** Open the image the user named for reading files out of it; `counter` adds up the layer bytes read. */
export async function openImageForContent(target: string, options: Pick<LoadOptions, 'source' | 'platform' | 'insecure'>, counter?: BlobReadCounter): Promise<ContentImage> {
	const progress = stderrProgress(text => process.stderr.write(text), {isTTY: process.stderr.isTTY === true, columns: process.stderr.columns});
	let ok = false;
	try {
		const source = await resolveSource(target, {
			...options,
			onStatus: progress.onStatus,
			onNotice(line) {
				process.stderr.write(`layerscope: ${line}\n`);
			},
		});
		if (source.kind === 'lazy') {
			ok = true;
			return lazyContentImage(source.layers.length, async index => source.layers[index]!.open(), source.name, counter);
		}

		const plan = await planned(source, options);
		if (plan !== undefined) {
			ok = true;
			return lazyContentImage(plan.plan.layers.length, plan.openLayer, source.name, counter);
		}

		const image = await loadImageFrom(source, {...options, onStatus: progress.onStatus, onRead: progress.onRead});
		ok = true;
		return contentImageOf(image, layerOpener(source, image, counter));
	} finally {
		progress.done(ok);
	}
}
