// From a fully read image to its analysis: dive's figures, per-layer change counts, and layerscope's own.
import {findDuplicates} from './duplicates.js';
import {EfficiencyAccumulator} from './efficiency.js';
import {applyLayer, buildLayerTree, countNodes, type FileNode, newRoot, PathBudget, subtreeSize} from './tree.js';
import {type Analysis, type LayerSummary, type RawImage, summarizeEntries} from './types.js';

export type AnalyzeOptions = {
	/**
	 * Paths (absolute, "/a/b") left out of the wasted-space accounting: efficiency, wasted bytes, the inefficient
	 * files and reclaimableBytes. Sizes and file counts are the image's, ignored paths included.
	 */
	readonly ignore?: (path: string) => boolean;
};

/** Bytes of a dropped subtree, less the paths `ignore` matches (an ignored directory takes its subtree along). */
function droppedBytes(node: FileNode, ignore: ((path: string) => boolean) | undefined): number {
	if (ignore === undefined) {
		return subtreeSize(node);
	}

	let total = 0;
	const pending = [node];
	for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
		if (ignore(`/${next.path}`)) {
			continue;
		}

		total += next.entry?.size ?? 0;
		for (const child of next.children?.values() ?? []) {
			pending.push(child);
		}
	}

	return total;
}

/**
 * The analysis of a read image. Throws PathBudgetError (one line) when the layers' trees hold more path bytes
 * than pathBudgetBytes (the stacked tree's nodes are among the layers' nodes, so the layer trees are counted).
 */
export function analyzeImage(image: RawImage, options: AnalyzeOptions = {}): Analysis {
	return analyzeImageTree(image, options).analysis;
}

/**
 * analyzeImage, and the image's final filesystem (all layers stacked with overlay rules, as stackLayers builds it),
 * which the analysis stacks on the way: `compare` lists it instead of stacking the layers a second time.
 */
export function analyzeImageTree(image: RawImage, options: AnalyzeOptions = {}): {analysis: Analysis; root: FileNode} {
	const budget = new PathBudget();
	const efficiency = new EfficiencyAccumulator(options.ignore);
	const stacked = newRoot();
	let reclaimableBytes = 0;
	let sizeBytes = 0;
	let userSizeBytes = 0;
	let nodeTotal = 0;

	const layers: LayerSummary[] = image.layers.map((layer, index) => {
		const {entries} = layer.contents;
		const tree = buildLayerTree(entries, budget);
		const nodeCount = tree.count;
		efficiency.addLayer(tree);

		const summary = layer.contents.summary ?? summarizeEntries(entries);
		const {added, modified, removed} = applyLayer(stacked, entries, undefined, node => {
			reclaimableBytes += droppedBytes(node, options.ignore);
		}, summary);
		const layerSize = summary.sizeBytes;
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
	const {duplicateBytes, duplicateFiles} = findDuplicates(stacked);
	const analysis: Analysis = {
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
			duplicateBytes,
			duplicateFiles,
		},
	};
	return {analysis, root: stacked};
}
