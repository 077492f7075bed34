// The image behind `cat`, `extract` and the TUI's viewer: read once (entries only, with progress on stderr),
// kept with its source so that one layer's bytes can be read again.
import type {RawImage} from '../analysis/types.js';
import {layerOpener, type LayerOpener} from './layer-blob.js';
import {type LoadOptions, loadImageFrom, resolveSource} from './load.js';
import {stderrProgress} from './progress.js';

export type ImageForContent = {
	readonly image: RawImage;
	/** Opens one layer's blob again from the same source. */
	readonly open: LayerOpener;
};

/** Read the image the user named (progress on stderr) and keep a way back to its layers' bytes. */
export async function openImageForContent(target: string, options: Pick<LoadOptions, 'source' | 'platform'>): Promise<ImageForContent> {
	const progress = stderrProgress(text => process.stderr.write(text), {isTTY: process.stderr.isTTY === true, columns: process.stderr.columns});
	let ok = false;
	try {
		const source = await resolveSource(target, {...options, onStatus: progress.onStatus});
		const image = await loadImageFrom(source, {...options, onStatus: progress.onStatus, onRead: progress.onRead});
		ok = true;
		return {image, open: layerOpener(source, image)};
	} finally {
		progress.done(ok);
	}
}
