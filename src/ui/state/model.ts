// The finished data behind the browser and its memoised selectors. The union tree is built once; each layer's
// view once per compare mode; visibility (hide kinds, filter) and the row list only when their inputs change.
// Key presses that only move a cursor reuse everything.
import type {Analysis, RawImage} from '../../analysis/types.js';
import {
	type LayerView,
	type MatchCache,
	type TreeRows,
	type UnionTree,
	type VisibleTree,
	buildUnionTree,
	layerView,
	newMatchCache,
	treeRows,
	visibleTree,
} from '../../analysis/views.js';
import {type Layout, computeLayout} from './layout.js';
import type {UiState} from './types.js';

export type BrowserData = {
	readonly image: RawImage;
	readonly analysis: Analysis;
	/** Index of the layer that is a container's writable layer, if any. */
	readonly containerLayer?: number;
	/** Extra lines for the image details pane. */
	readonly notes?: readonly string[];
};

const viewCacheSize = 16;
const matchCacheSize = 4;

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

export class BrowserModel {
	readonly data: BrowserData;
	readonly union: UnionTree;
	private readonly views = new Map<string, LayerView>();
	private readonly matches = new Map<string, MatchCache>();
	private visibleMemo: {view: LayerView; hidden: UiState['tree']['hidden']; filter: string; result: VisibleTree} | undefined;
	private rowsMemo: {tree: VisibleTree; sort: string; collapseAll: boolean; toggled: ReadonlySet<number>; result: TreeRows} | undefined;

	constructor(data: BrowserData) {
		this.data = data;
		this.union = buildUnionTree(data.image.layers.map(layer => layer.contents.entries));
	}

	get layerCount(): number {
		return this.data.image.layers.length;
	}

	get inefficiencyCount(): number {
		return this.data.analysis.image.inefficiencies.length;
	}

	layout(state: Pick<UiState, 'viewport' | 'filter' | 'tree'>): Layout {
		return computeLayout(state, {layerCount: this.layerCount, noteCount: this.data.notes?.length ?? 0});
	}

	view(layer: number, mode: UiState['mode']): LayerView {
		const key = `${mode}:${layer}`;
		let view = this.views.get(key);
		if (view === undefined) {
			view = layerView(this.union, layer, mode);
			if (this.views.size >= viewCacheSize) {
				this.views.delete(this.views.keys().next().value!);
			}
		} else {
			this.views.delete(key);
		}

		this.views.set(key, view);
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
			if (this.matches.size >= matchCacheSize) {
				this.matches.delete(this.matches.keys().next().value!);
			}

			this.matches.set(source, cache);
		}

		return cache;
	}

	visible(state: Pick<UiState, 'layer' | 'mode' | 'tree' | 'filter'>): VisibleTree {
		const view = this.view(state.layer, state.mode);
		const {hidden} = state.tree;
		const filter = state.filter.applied;
		const memo = this.visibleMemo;
		if (memo?.view === view && memo.hidden === hidden && memo.filter === filter) {
			return memo.result;
		}

		const result = visibleTree(view, hidden, this.matchCache(filter));
		this.visibleMemo = {view, hidden, filter, result};
		return result;
	}

	rows(state: Pick<UiState, 'layer' | 'mode' | 'tree' | 'filter'>): TreeRows {
		const tree = this.visible(state);
		const {sort, collapseAll, toggled} = state.tree;
		const memo = this.rowsMemo;
		if (memo?.tree === tree && memo.sort === sort && memo.collapseAll === collapseAll && memo.toggled === toggled) {
			return memo.result;
		}

		const result = treeRows(tree, node => collapseAll !== toggled.has(node), sort);
		this.rowsMemo = {tree, sort, collapseAll, toggled, result};
		return result;
	}
}
