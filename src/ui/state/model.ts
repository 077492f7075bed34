// The finished data behind the browser and its memoised selectors. The union tree is built once; each layer's
// view once per compare mode; visibility (hide kinds, filter) and the row list only when their inputs change.
// Key presses that only move a cursor reuse everything.
import {analyzeImage} from '../../analysis/analyze.js';
import type {Analysis, LayerEntry, RawImage} from '../../analysis/types.js';
import {
	type LayerView,
	type MatchCache,
	type TreeRows,
	type UnionTree,
	type VisibleTree,
	buildUnionTree,
	layerView,
	newMatchCache,
	noneHidden,
	rowOf,
	treeRows,
	visibleTree,
} from '../../analysis/views.js';
import {LRUCache} from 'lru-cache';
import type {HelpKind} from '../keymap.js';
import {layerDetailLines} from '../details-text.js';
import {type RowText, treeRowText} from '../tree-text.js';
import {type AttributeColumns, type Layout, computeLayout} from './layout.js';
import type {FileReader} from './viewer.js';
import type {UiState} from './types.js';

export type BrowserData = {
	readonly image: RawImage;
	readonly analysis: Analysis;
	/** Index of the layer that is a container's writable layer, if any. */
	readonly containerLayer?: number;
	/** Extra lines for the image details pane: each a line, or its wordings longest first (the first that fits is shown). */
	readonly notes?: ReadonlyArray<string | readonly string[]>;
	/** Reading files of the image (the viewer, Ctrl-E); absent where the source cannot be read again. */
	readonly files?: FileAccess;
};

/** What the browser can do with a file of the image, by absolute path and layer. */
export type FileAccess = {
	readonly read: FileReader;
	/** Extract a file or directory into the current directory; resolves to the one line to show (where, or why not). */
	readonly extract: (path: string, layer: number) => Promise<string>;
};

const viewCacheSize = 16;
const matchCacheSize = 4;
/** Visible trees and row lists kept (a few layers either side of the selected one, both modes). */
const treeCacheSize = 8;
/** Layer details texts kept (a layer at a width each). */
const detailCacheSize = 64;
/** Row texts kept for one row list (a few screens' worth: moving the cursor or paging back finds them built). */
const rowTextLimit = 2048;

/** A filter without regex syntax: it matches exactly the paths that contain it. */
function isLiteral(source: string): boolean {
	return !/[\\^$.*+?()[\]{}|]/.test(source);
}

/** Compile a filter regex; an invalid one gives its error message (one line) instead of throwing. */
export function compileFilter(text: string): RegExp | string {
	try {
		return new RegExp(text);
	} catch (error) {
		// V8 repeats the whole pattern ("Invalid regular expression: /…/: Unterminated group"): keep the reason.
		const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
		return message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
	}
}

/** Identity keys for objects (views, hidden-kind records, collapse sets) in cache keys. */
const ids = new WeakMap<object, number>();
let nextId = 0;
function idOf(object: object): number {
	let id = ids.get(object);
	if (id === undefined) {
		id = ++nextId;
		ids.set(object, id);
	}

	return id;
}

type TreeInputs = Pick<UiState, 'layer' | 'mode' | 'tree' | 'filter'>;

let warm = false;

/**
 * Run every branch of the view passes once, over a tree of a few nodes, before the first real one. V8 optimises
 * a long loop while it runs; a branch it has not seen taken yet (the first filter, the first removed file) then
 * throws the optimised code away in the middle of a 200k-node pass, and the rest of that pass runs unoptimised:
 * measured, the first visit of a layer took twice as long, a filter's first keystroke three times.
 */
function warmUp(): void {
	if (warm) {
		return;
	}

	warm = true;
	const entry = (path: string, extra: Partial<LayerEntry> = {}): LayerEntry => ({path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, ...extra});
	const union = buildUnionTree([
		[entry('a', {type: 'dir', size: 0}), entry('a/b'), entry('a/c', {type: 'symlink', linkTarget: 'b'}), entry('d/e'), entry('f')],
		[entry('a/b', {mode: 0o600}), entry('d/e', {whiteout: true}), entry('g/h')],
		[entry('g', {type: 'dir', size: 0, opaque: true}), entry('g/i'), entry('f', {whiteout: true})],
	]);
	const hiddenUnmodified = {...noneHidden, unmodified: true};
	for (let round = 0; round < 3; round++) {
		for (let layer = 0; layer < union.layerCount; layer++) {
			for (const mode of ['layer', 'aggregated'] as const) {
				const view = layerView(union, layer, mode);
				for (const filter of [undefined, /a/, /b|h/]) {
					const tree = visibleTree(view, round === 1 ? hiddenUnmodified : noneHidden, filter && newMatchCache(union, filter));
					for (const order of ['name', 'size'] as const) {
						rowOf(treeRows(tree, node => node === round, order), round);
					}
				}
			}
		}
	}
}

export class BrowserModel {
	/** Whose keys the full help lists (CompareModel: compare's). */
	readonly helpKind: HelpKind = 'browser';
	readonly data: BrowserData;
	readonly union: UnionTree;
	/**
	 * The image's own figures (size, wasted bytes, efficiency, reclaimable bytes, inefficient files). With a
	 * container's writable layer on top (`layerscope diff`), those of the layers below it: the writable layer is
	 * not part of the image, and its figures are shown apart (see `withContainer`).
	 */
	readonly imageFigures: Analysis['image'];
	/** The figures of image and writable layer together, when there is a writable layer. */
	readonly withContainer: Analysis['image'] | undefined;
	private readonly views = new LRUCache<string, LayerView>({max: viewCacheSize});
	private readonly matches = new LRUCache<string, MatchCache>({max: matchCacheSize});
	/** Unfiltered and filtered visible trees apart: typing a filter must not evict the unfiltered ones. */
	private readonly visibles = new LRUCache<string, VisibleTree>({max: treeCacheSize});
	private readonly filteredVisibles = new LRUCache<string, VisibleTree>({max: treeCacheSize});
	private readonly rowLists = new LRUCache<string, TreeRows>({max: treeCacheSize});

	constructor(data: BrowserData) {
		warmUp();
		this.data = data;
		this.union = buildUnionTree(data.image.layers.map(layer => layer.contents.entries));
		const top = data.containerLayer;
		if (top === undefined || top !== data.image.layers.length - 1 || top === 0) {
			this.imageFigures = data.analysis.image;
			this.withContainer = undefined;
		} else {
			this.imageFigures = analyzeImage({...data.image, layers: data.image.layers.slice(0, top)}).image;
			this.withContainer = data.analysis.image;
		}
	}

	/** Lines of notes under the image figures: the caller's (a container's), then the combined figures. */
	get noteCount(): number {
		return (this.data.notes?.length ?? 0) + (this.withContainer === undefined ? 0 : 1);
	}

	get layerCount(): number {
		return this.data.image.layers.length;
	}

	get inefficiencyCount(): number {
		return this.imageFigures.inefficiencies.length;
	}

	layout(state: Pick<UiState, 'viewport' | 'filter' | 'tree'> & Partial<Pick<UiState, 'focus'>>): Layout {
		return computeLayout(state, {layerCount: this.layerCount, noteCount: this.noteCount, inefficiencyCount: this.inefficiencyCount, detailLines: this.mostDetailLines});
	}

	private readonly detailLineCounts = new Map<number, number>();
	private readonly detailTexts = new LRUCache<string, readonly string[]>({max: detailCacheSize});
	/** Row texts by row list (a list dropped from `rowLists` takes its texts with it), then by columns and row. */
	private readonly rowTexts = new WeakMap<TreeRows, LRUCache<string, RowText>>();

	/**
	 * The lines of Layer details for `layer` in a pane `width` columns wide (details-text.ts), built once per layer
	 * and width: the reducer clamps the pane's scrolling with their count on every key.
	 */
	detailLines(layer: number, width: number): readonly string[] {
		const key = `${layer}:${width}`;
		let lines = this.detailTexts.get(key);
		if (lines === undefined) {
			lines = layerDetailLines(this, layer, width);
			this.detailTexts.set(key, lines);
		}

		return lines;
	}

	/**
	 * Row `row` of a row list as text (tree-text.ts), built once per row list, row and attribute columns: a key that
	 * moves the cursor or pages back finds the rows in view built (sizes formatted, glyphs walked up the tree).
	 */
	rowText(rows: TreeRows, row: number, columns: AttributeColumns | boolean): RowText {
		let texts = this.rowTexts.get(rows);
		if (texts === undefined) {
			texts = new LRUCache({max: rowTextLimit});
			this.rowTexts.set(rows, texts);
		}

		const key = `${String(columns)}:${row}`;
		let text = texts.get(key);
		if (text === undefined) {
			text = treeRowText(rows, row, columns);
			texts.set(key, text);
		}

		return text;
	}

	/** The most lines Layer details has for any layer in a pane `width` columns wide (no title); once per width. */
	readonly mostDetailLines = (width: number): number => {
		let most = this.detailLineCounts.get(width);
		if (most === undefined) {
			most = 0;
			for (let index = 0; index < this.layerCount; index++) {
				most = Math.max(most, this.detailLines(index, width).length);
			}

			this.detailLineCounts.set(width, most);
		}

		return most;
	};

	view(layer: number, mode: UiState['mode']): LayerView {
		const key = `${mode}:${layer}`;
		let view = this.views.get(key);
		if (view === undefined) {
			view = layerView(this.union, layer, mode);
			this.views.set(key, view);
		}

		return view;
	}

	private matchCache(source: string): MatchCache | undefined {
		if (source === '') {
			return undefined;
		}

		let cache = this.matches.get(source);
		if (cache === undefined) {
			const regex = compileFilter(source);
			if (typeof regex === 'string') {
				return undefined;
			}

			cache = newMatchCache(this.union, regex);
			this.seedMatches(source, cache);
			this.matches.set(source, cache);
		}

		return cache;
	}

	/**
	 * Typing a literal filter one key at a time: what did not contain "ab" cannot contain "abc", and what
	 * contained "abc" contains "ab". Carry those answers over from the last literal filter, so a keystroke tests
	 * only the paths that are still in question.
	 */
	private seedMatches(source: string, cache: MatchCache): void {
		if (!isLiteral(source)) {
			return;
		}

		for (const [previous, known] of this.matches.entries()) {
			if (!isLiteral(previous)) {
				continue;
			}

			const narrower = source.includes(previous);
			if (!narrower && !previous.includes(source)) {
				continue;
			}

			const carried = narrower ? 2 : 1;
			const from = known.result;
			const to = cache.result;
			for (let node = 0; node < to.length; node++) {
				if (from[node] === carried) {
					to[node] = carried;
				}
			}

			return;
		}
	}

	visible(state: TreeInputs): VisibleTree {
		const view = this.view(state.layer, state.mode);
		const {hidden} = state.tree;
		const key = `${idOf(view)}:${idOf(hidden)}:${state.filter.applied}`;
		const cache = state.filter.applied === '' ? this.visibles : this.filteredVisibles;
		let result = cache.get(key);
		if (result === undefined) {
			result = visibleTree(view, hidden, this.matchCache(state.filter.applied));
			cache.set(key, result);
		}

		return result;
	}

	rows(state: TreeInputs): TreeRows {
		const tree = this.visible(state);
		const {sort, collapseAll, toggled} = state.tree;
		const key = `${idOf(tree)}:${sort}:${collapseAll}:${idOf(toggled)}`;
		let result = this.rowLists.get(key);
		if (result === undefined) {
			result = treeRows(tree, node => collapseAll !== toggled.has(node), sort);
			this.rowLists.set(key, result);
		}

		return result;
	}

	/**
	 * Work worth doing ahead of time, in small steps, each with the idle time (ms) to wait before it: the trees of
	 * the layers next to the selected one, soon, with the texts of the rows a move there would show first (the
	 * window where the tree's is now; given the viewport); the other compare mode's tree, after a longer pause (it
	 * costs a full view, and switching modes is rarer than moving through layers).
	 */
	prefetchSteps(state: TreeInputs & Partial<Pick<UiState, 'viewport'>>): Array<{readonly delay: number; readonly run: () => void}> {
		const steps: Array<{delay: number; run: () => void}> = [];
		for (const layer of [state.layer + 1, state.layer - 1]) {
			if (layer >= 0 && layer < this.layerCount) {
				steps.push({delay: steps.length === 0 ? 100 : 10, run: () => {
					const rows = this.rows({...state, layer});
					if (state.viewport !== undefined) {
						const layout = this.layout({...state, viewport: state.viewport});
						for (let row = state.tree.top; row < Math.min(rows.count, state.tree.top + layout.treeRows); row++) {
							this.rowText(rows, row, layout.attributeColumns);
						}
					}
				}});
			}
		}

		steps.push({delay: 1000, run: () => {
			this.rows({...state, mode: state.mode === 'layer' ? 'aggregated' : 'layer'});
		}});
		return steps;
	}
}
