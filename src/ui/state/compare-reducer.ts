// The compare UI's reducer: the browser's (src/ui/state/reducer.ts) on the merged tree, held on B's layer with
// the tree focused (the compare UI has one tree and no layer to select), and Ctrl-O cycling name → size → |delta|.
// Pure.
import {rowOf} from '../../analysis/views.js';
import {notInCompare, resolveKey} from '../keymap.js';
import {type CompareModel, type CompareUiState, layerB} from './compare-model.js';
import {initialState, reduce} from './reducer.js';
import type {Action, Viewport} from './types.js';

export function initialCompareState(model: CompareModel, viewport: Viewport): CompareUiState {
	return reduceCompare(model, {...initialState(viewport, {focus: 'tree', layer: layerB}), bySizeDelta: false}, {type: 'resize', viewport});
}

function pinned(state: CompareUiState): CompareUiState {
	return state.focus === 'tree' && state.layer === layerB && state.mode === 'layer' ? state : {...state, focus: 'tree', layer: layerB, mode: 'layer'};
}

/** name → size → |size delta| → name, keeping the selected node selected. */
function cycleSort(model: CompareModel, state: CompareUiState): CompareUiState {
	const node = model.rows(state).nodes[state.tree.cursor];
	let next: CompareUiState;
	if (state.tree.sort === 'name') {
		next = {...state, bySizeDelta: false, tree: {...state.tree, sort: 'size'}};
	} else if (state.bySizeDelta) {
		next = {...state, bySizeDelta: false, tree: {...state.tree, sort: 'name'}};
	} else {
		next = {...state, bySizeDelta: true};
	}

	const rows = model.rows(next);
	const row = node === undefined ? -1 : rowOf(rows, node);
	const cursor = row >= 0 ? row : Math.min(state.tree.cursor, Math.max(0, rows.count - 1));
	const offset = state.tree.cursor - state.tree.top;
	return {...next, tree: {...next.tree, cursor, top: Math.max(0, cursor - offset)}};
}

/** A key that does nothing here: the state as it was, less a notice (every key clears it, as in the browser). */
function unchanged(state: CompareUiState): CompareUiState {
	return state.notice === undefined ? state : {...state, notice: undefined};
}

export function reduceCompare(model: CompareModel, state: CompareUiState, action: Action): CompareUiState {
	if (action.type === 'key' && !state.help && !state.filter.open) {
		const command = resolveKey(state, action.name);
		if (command === 'tree.sort') {
			return cycleSort(model, state);
		}

		// Keys of the image browser that compare has nothing for (no other pane, layer, or file to open).
		if (command !== undefined && notInCompare.has(command)) {
			return unchanged(state);
		}
	}

	const next = reduce(model, state, action) as CompareUiState;
	// Enter on a file is the browser's "view it": nothing to open here either.
	if (next.viewer !== undefined && state.viewer === undefined) {
		return unchanged(state);
	}

	// The browser's reducer spreads the state, so bySizeDelta survives it.
	return pinned(next);
}

/** The sort order's name for the help bar and the title. */
export function sortLabel(state: CompareUiState): 'name' | 'size' | 'delta' {
	if (state.tree.sort === 'name') {
		return 'name';
	}

	return state.bySizeDelta ? 'delta' : 'size';
}
