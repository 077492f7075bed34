// The data behind the compare UI: the merged tree of A's and B's final filesystems, as the image browser's model
// sees a two-layer image — layer 0 is A's final filesystem, layer 1 is what B changes on it (its added and
// modified entries, a whiteout at the top of each removed subtree) — so the browser's tree machinery (marks,
// filter, collapse, hide kinds, sort, paging) works unchanged on it. Sizes of A and of B per node (a directory: all
// below it) come from the same union tree. Pure apart from the caches.
import {compareListings, type ImageComparison} from '../../analysis/compare.js';
import type {LayerEntry, RawImage} from '../../analysis/types.js';
import {stateAt, type TreeRows, treeRows, type VisibleTree} from '../../analysis/views.js';
import {BrowserModel} from './model.js';
import type {UiState} from './types.js';

/** The compare UI's state: the browser's, plus sorting by |size delta| (Ctrl-O cycles name → size → delta). */
export type CompareUiState = UiState & {readonly bySizeDelta: boolean};

/** The layer index of B in the synthetic image (A is 0). */
export const layerB = 1;

/** B as a layer over A: B's entry for each added or modified path, a whiteout at the top of each removed subtree. */
function changeLayer(listA: readonly LayerEntry[], listB: readonly LayerEntry[]): LayerEntry[] {
	const out: LayerEntry[] = [];
	const removedDirs = new Set<string>();
	compareListings(listA, listB, (path, a, b, change) => {
		if (change === undefined) {
			return;
		}

		const relative = path.slice(1);
		if (change.kind === 'removed') {
			const slash = relative.lastIndexOf('/');
			const parent = slash < 0 ? '' : relative.slice(0, slash);
			if (!removedDirs.has(parent)) {
				out.push({path: relative, type: 'file', mode: 0, uid: 0, gid: 0, size: 0, whiteout: true});
			}

			if (a?.type === 'dir') {
				removedDirs.add(relative);
			}

			return;
		}

		out.push(b!);
	});
	return out;
}

function syntheticImage(comparison: ImageComparison, listA: readonly LayerEntry[], listB: readonly LayerEntry[]): RawImage {
	const layer = (id: string, command: string, entries: LayerEntry[]) => ({
		id,
		digest: '',
		diffId: '',
		command,
		created: '',
		contents: {entries, tarBytes: 0, blobBytes: 0, compression: 'none' as const},
	});
	return {
		name: `${comparison.a.ref} → ${comparison.b.ref}`,
		tags: [],
		config: {id: '', os: '', architecture: '', created: ''},
		layers: [layer('A', comparison.a.ref, [...listA]), layer('B', comparison.b.ref, changeLayer(listA, listB))],
	};
}

export class CompareModel extends BrowserModel {
	override readonly helpKind = 'compare';
	readonly comparison: ImageComparison;
	/** Bytes at each union node in A / in B: a file's size; a directory's, everything below it. */
	readonly sizeA: Float64Array;
	readonly sizeB: Float64Array;
	private readonly deltaRows = new Map<string, TreeRows>();

	/** `listA`, `listB`: the final filesystems in tree order (src/analysis/compare.ts finalListing). */
	constructor(comparison: ImageComparison, listA: readonly LayerEntry[], listB: readonly LayerEntry[]) {
		const image = syntheticImage(comparison, listA, listB);
		// The browser's panes other than the tree are not drawn; its model wants an analysis all the same.
		super({image, analysis: {config: image.config, layers: [], image: {name: image.name, tags: [], sizeBytes: 0, userSizeBytes: 0, wastedBytes: 0, userWastedPercent: 0, efficiency: 1, reclaimableBytes: 0, duplicateBytes: 0, duplicateFiles: [], fileCount: 0, nodeCount: 0, inefficiencies: []}}});
		this.comparison = comparison;
		const {union} = this;
		this.sizeA = new Float64Array(union.size);
		this.sizeB = new Float64Array(union.size);
		for (let node = 1; node < union.size; node++) {
			const a = stateAt(union, node, 0);
			const b = stateAt(union, node, layerB);
			this.sizeA[node] = a >= 0 ? union.entrySize[a]! : 0;
			this.sizeB[node] = b >= 0 ? union.entrySize[b]! : 0;
		}

		// Children come after their parent: one backward pass adds every subtree up.
		for (let node = union.size - 1; node > 0; node--) {
			const up = union.parent[node]!;
			this.sizeA[up] = this.sizeA[up]! + this.sizeA[node]!;
			this.sizeB[up] = this.sizeB[up]! + this.sizeB[node]!;
		}
	}

	override rows(state: Parameters<BrowserModel['rows']>[0] & {bySizeDelta?: boolean}): TreeRows {
		if (state.tree.sort !== 'size' || state.bySizeDelta !== true) {
			return super.rows(state);
		}

		// Sorted by |B − A|: the visible tree's sizes swapped for the deltas, then the browser's size order.
		const tree = this.visible(state);
		const {collapseAll, toggled} = state.tree;
		const key = `${state.filter.applied}:${JSON.stringify(state.tree.hidden)}:${collapseAll}:${[...toggled].join(',')}`;
		let rows = this.deltaRows.get(key);
		if (rows === undefined || rows.tree.view !== tree.view || rows.tree.visible !== tree.visible) {
			const size = new Float64Array(this.sizeA.length);
			for (let node = 0; node < size.length; node++) {
				size[node] = Math.abs(this.sizeB[node]! - this.sizeA[node]!);
			}

			const byDelta: VisibleTree = {...tree, size};
			rows = {...treeRows(byDelta, node => collapseAll !== toggled.has(node), 'size'), tree};
			if (this.deltaRows.size > 8) {
				this.deltaRows.clear();
			}

			this.deltaRows.set(key, rows);
		}

		return rows;
	}
}
