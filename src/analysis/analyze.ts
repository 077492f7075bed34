// From a fully read image to its analysis: dive's figures, per-layer change counts, and layerscope's own.
import {EfficiencyAccumulator} from './efficiency.js';
import {applyLayer, buildLayerTree, countNodes, newRoot, subtreeSize} from './tree.js';
import type {Analysis, LayerSummary, RawImage} from './types.js';

export type AnalyzeOptions = {
	/** Paths (absolute) left out of the wasted-space accounting. */
	readonly ignore?: (path: string) => boolean;
};

export function analyzeImage(image: RawImage, options: AnalyzeOptions = {}): Analysis {
	const efficiency = new EfficiencyAccumulator(options.ignore);
	const stacked = newRoot();
	let reclaimableBytes = 0;
	let sizeBytes = 0;
	let userSizeBytes = 0;
	let nodeTotal = 0;

	const layers: LayerSummary[] = image.layers.map((layer, index) => {
		const {entries} = layer.contents;
		const tree = buildLayerTree(entries);
		const nodeCount = tree.count;
		efficiency.addLayer(tree);

		let added = 0;
		let modified = 0;
		let removed = 0;
		applyLayer(stacked, entries, (_path, kind) => {
			if (kind === 'added') {
				added++;
			} else if (kind === 'modified') {
				modified++;
			} else if (kind === 'removed') {
				removed++;
			}
		}, node => {
			reclaimableBytes += subtreeSize(node);
		});

		let layerSize = 0;
		for (const entry of entries) {
			layerSize += entry.size;
		}

		sizeBytes += layerSize;
		if (index > 0) {
			userSizeBytes += layerSize;
		}

		nodeTotal += nodeCount;
		return {
			index,
			id: layer.id,
			digest: layer.digest,
			diffId: layer.diffId,
			command: layer.command,
			created: layer.created,
			sizeBytes: layerSize,
			nodeCount,
			entryCount: entries.length,
			tarBytes: layer.contents.tarBytes,
			blobBytes: layer.contents.blobBytes,
			compression: layer.contents.compression,
			added,
			modified,
			removed,
		};
	});

	const result = efficiency.result();
	return {
		config: image.config,
		layers,
		image: {
			name: image.name,
			tags: image.tags,
			sizeBytes,
			userSizeBytes,
			wastedBytes: result.wastedBytes,
			// dive divides without a guard: 0/0 is NaN.
			userWastedPercent: result.wastedBytes / userSizeBytes,
			efficiency: result.efficiency,
			reclaimableBytes,
			fileCount: countNodes(stacked),
			nodeCount: nodeTotal,
			inefficiencies: result.inefficiencies,
		},
	};
}
