// From a fully read image to its analysis: dive's figures, per-layer change counts, and layerscope's own.
import {FilesystemTally, findDuplicates} from './duplicates.js';
import {EfficiencyAccumulator} from './efficiency.js';
import {applyLayer, buildLayerTree, countNodes, type FileNode, forkTree, newRoot, PathBudget, subtreeSize} from './tree.js';
import {type Analysis, type AnalysisFigures, type LayerSummary, type RawImage, type RawLayer, summarizeEntries} from './types.js';

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

/** An analysis without its lists of files (what crosses to compare's main thread). */
export function figuresOf(analysis: AnalysisFigures & {readonly image: Partial<Pick<Analysis['image'], 'inefficiencies' | 'duplicateFiles'>>}): AnalysisFigures {
	const {inefficiencies: _inefficiencies, duplicateFiles: _duplicateFiles, ...image} = analysis.image;
	return {...analysis, image};
}

/**
 * An analysis in progress: the layers so far, stacked (the filesystem, overlay rules) and added up (dive's
 * figures). `fork` gives one that goes on from here independently, sharing what both hold (copy on write).
 */
class LayerStack {
	private budget = new PathBudget();
	private efficiency: EfficiencyAccumulator;
	private stacked = newRoot();
	/** The filesystem this stack was forked from (fork): never changed, its nodes shared with the fork. */
	private forkedFrom: FileNode | undefined;
	private gen = 0;
	private reclaimableBytes = 0;
	private sizeBytes = 0;
	private userSizeBytes = 0;
	private nodeTotal = 0;
	private layers: LayerSummary[] = [];
	private readonly ignore: ((path: string) => boolean) | undefined;

	constructor(options: AnalyzeOptions) {
		this.ignore = options.ignore;
		this.efficiency = new EfficiencyAccumulator(options.ignore);
	}

	add(layer: RawLayer): void {
		const index = this.layers.length;
		const {entries} = layer.contents;
		const tree = buildLayerTree(entries, this.budget);
		const nodeCount = tree.count;
		this.efficiency.addLayer(tree);

		const summary = layer.contents.summary ?? summarizeEntries(entries);
		const {added, modified, removed} = applyLayer(this.stacked, entries, undefined, node => {
			this.reclaimableBytes += droppedBytes(node, this.ignore);
		}, summary, undefined, this.gen);
		const layerSize = summary.sizeBytes;
		this.sizeBytes += layerSize;
		if (index > 0) {
			this.userSizeBytes += layerSize;
		}

		this.nodeTotal += nodeCount;
		this.layers.push({
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
		});
	}

	/** A stack that goes on from these layers; this one goes on too, and neither sees the other's later layers. */
	fork(): LayerStack {
		const copy = Object.create(LayerStack.prototype) as LayerStack;
		Object.assign(copy, this);
		copy.budget = this.budget.copy();
		copy.layers = [...this.layers];
		copy.efficiency = this.efficiency.fork();
		const mine = forkTree(this.stacked);
		const theirs = forkTree(this.stacked);
		this.forkedFrom = this.stacked;
		copy.forkedFrom = this.stacked;
		this.stacked = mine.root;
		this.gen = mine.gen;
		copy.stacked = theirs.root;
		copy.gen = theirs.gen;
		return copy;
	}

	/** The layers so far are `layers` (the same contents, another image's ids, digests and history). */
	relabel(layers: readonly RawLayer[]): void {
		this.layers = this.layers.map((summary, index) => {
			const layer = layers[index]!;
			return {...summary, id: layer.id, digest: layer.digest, diffId: layer.diffId, command: layer.command, created: layer.created};
		});
	}

	/** The stacked filesystem so far (a fork's copy after fork). */
	get root(): FileNode {
		return this.stacked;
	}

	/** The stacked filesystem of the layers this stack was forked after (its root when it was never forked). */
	get base(): FileNode {
		return this.forkedFrom ?? this.stacked;
	}

	/** The analysis of these layers as the image `image`. */
	finish(image: RawImage): {analysis: Analysis; root: FileNode} {
		const {inefficiencies, ...result} = this.efficiency.result();
		const {duplicateBytes, duplicateFiles} = findDuplicates(this.stacked);
		const analysis: Analysis = {
			config: image.config,
			layers: this.layers,
			image: {...this.summary(image, result, duplicateBytes, countNodes(this.stacked)), inefficiencies, duplicateFiles},
		};
		return {analysis, root: this.stacked};
	}

	/**
	 * finish without the lists of files (figuresOf's): the duplicate bytes and entry count are `tally`'s (moved to
	 * this stack's filesystem).
	 */
	figures(image: RawImage, tally: FilesystemTally): {analysis: AnalysisFigures; root: FileNode} {
		tally.moveTo(this.stacked);
		const result = this.efficiency.totals();
		return {analysis: {config: image.config, layers: this.layers, image: this.summary(image, result, tally.duplicateBytes, tally.entryCount)}, root: this.stacked};
	}

	private summary(image: RawImage, result: {readonly wastedBytes: number; readonly efficiency: number}, duplicateBytes: number, fileCount: number): AnalysisFigures['image'] {
		const {sizeBytes, userSizeBytes} = this;
		return {
			name: image.name,
			tags: image.tags,
			sizeBytes,
			userSizeBytes,
			wastedBytes: result.wastedBytes,
			// dive divides without a guard: 0/0 is NaN.
			userWastedPercent: result.wastedBytes / userSizeBytes,
			efficiency: result.efficiency,
			reclaimableBytes: this.reclaimableBytes,
			fileCount,
			nodeCount: this.nodeTotal,
			duplicateBytes,
		};
	}
}

/**
 * analyzeImage, and the image's final filesystem (all layers stacked with overlay rules, as stackLayers builds it),
 * which the analysis stacks on the way: `compare` lists it instead of stacking the layers a second time.
 */
export function analyzeImageTree(image: RawImage, options: AnalyzeOptions = {}): {analysis: Analysis; root: FileNode} {
	return stackImage(image, options).finish(image);
}

/** Every layer of `image` stacked and added up. */
function stackImage(image: RawImage, options: AnalyzeOptions): LayerStack {
	const stack = new LayerStack(options);
	for (const layer of image.layers) {
		stack.add(layer);
	}

	return stack;
}

/**
 * analyzeImageTree without the lists of files (figuresOf's figures): what `compare` shows of an image. The duplicate
 * bytes are counted without grouping the files (FilesystemTally).
 */
export function analyzeImageFigures(image: RawImage, options: AnalyzeOptions = {}): {analysis: AnalysisFigures; root: FileNode} {
	const stack = stackImage(image, options);
	return stack.figures(image, new FilesystemTally(stack.root));
}

/**
 * The figures of two images (analyzeImageTree's, without the lists of files: figuresOf) and their final
 * filesystems, at once.
 * The layers they begin with in common (the same parsed contents, in the same places: two builds on one base) are
 * stacked and added up once, each image's own layers go on from there sharing the unchanged part of the trees
 * (copy on write).
 */
export function analyzeImagePair(a: RawImage, b: RawImage, options: AnalyzeOptions = {}): [{analysis: AnalysisFigures; root: FileNode}, {analysis: AnalysisFigures; root: FileNode}] {
	let common = 0;
	while (common < a.layers.length && common < b.layers.length && a.layers[common]!.contents === b.layers[common]!.contents) {
		common++;
	}

	const stackA = new LayerStack(options);
	for (let index = 0; index < common; index++) {
		stackA.add(a.layers[index]!);
	}

	const stackB = common > 0 ? stackA.fork() : new LayerStack(options);
	// Each layer's own figures (id, command, …) are its image's: the shared part is only the parse.
	stackB.relabel(b.layers);

	for (let index = common; index < a.layers.length; index++) {
		stackA.add(a.layers[index]!);
	}

	for (let index = common; index < b.layers.length; index++) {
		stackB.add(b.layers[index]!);
	}

	// Duplicates and entries of the base counted once, then of each image only what its own layers changed (and of
	// images without common layers, each whole).
	const tally = new FilesystemTally(stackA.base);
	return [stackA.figures(a, tally), stackB.figures(b, common > 0 ? tally : new FilesystemTally(stackB.base))];
}
