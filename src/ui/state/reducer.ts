// The browser's reducer: every key press becomes an action, resolved here through the key table with the current
// state (so fast key presses never act on a stale state), and every change of what the tree shows keeps the
// selected file selected when it is still listed.
import {isDirectory, noneHidden, rowOf} from '../../analysis/views.js';
import type {ChangeKind} from '../../analysis/types.js';
import {helpLines} from '../help-text.js';
import {resolveKey} from '../keymap.js';
import {type BrowserModel, compileFilter} from './model.js';
import type {Layout} from './layout.js';
import type {Action, CommandId, Focus, TreeState, UiState, Viewport} from './types.js';
import {type ViewerAction, openViewer, viewerReducer} from './viewer.js';

/** Rows the file viewer has for the file's lines: the body less its title, note and status lines. */
export function viewerRows(layout: Layout): number {
	return Math.max(1, layout.bodyHeight - 3);
}

// Tab order: Layers, file tree, Layer details, Image details (Shift-Tab from Layers reaches Image details).
const focusOrder: readonly Focus[] = ['layers', 'tree', 'details', 'image'];

export function initialState(viewport: Viewport, overrides: Partial<UiState> = {}): UiState {
	return {
		viewport,
		focus: 'layers',
		layer: 0,
		layerTop: 0,
		mode: 'layer',
		tree: {cursor: 0, top: 0, collapseAll: false, toggled: new Set(), hidden: noneHidden, sort: 'name', attributes: true},
		filter: {open: false, text: '', applied: '', error: undefined},
		imageTop: 0,
		detailsTop: 0,
		help: false,
		helpTop: 0,
		viewer: undefined,
		extract: undefined,
		notice: undefined,
		quit: false,
		...overrides,
	};
}

function clamp(value: number, low: number, high: number): number {
	return Math.max(low, Math.min(high, value));
}

/** Move `top` so that `cursor` is inside a window of `rows` rows over `count` rows. */
function scrollTo(cursor: number, top: number, rows: number, count: number): number {
	let next = top;
	if (cursor < next) {
		next = cursor;
	} else if (cursor >= next + rows) {
		next = cursor - rows + 1;
	}

	return clamp(next, 0, Math.max(0, count - rows));
}

function maxDetailsTop(model: BrowserModel, layer: number, layout: Layout): number {
	return Math.max(0, model.detailLines(layer, layout.leftWidth).length - Math.max(1, layout.detailsHeight - 1));
}

function maxHelpTop(model: BrowserModel, layout: Layout): number {
	return Math.max(0, helpLines(layout.width, model.helpKind).length - Math.max(1, layout.bodyHeight - 1));
}

/** Clamp cursors and scroll windows to the data and the viewport. */
function settle(model: BrowserModel, state: UiState): UiState {
	const layout = model.layout(state);
	const layer = clamp(state.layer, 0, model.layerCount - 1);
	const layerTop = scrollTo(layer, state.layerTop, layout.layerRows, model.layerCount);
	const rows = model.rows({...state, layer});
	const cursor = clamp(state.tree.cursor, 0, Math.max(0, rows.count - 1));
	const top = scrollTo(cursor, state.tree.top, layout.treeRows, rows.count);
	const imageTop = clamp(state.imageTop, 0, Math.max(0, model.inefficiencyCount - layout.imageRows));
	const detailsTop = layer === state.layer ? clamp(state.detailsTop, 0, maxDetailsTop(model, layer, layout)) : 0;
	const helpTop = state.help ? clamp(state.helpTop, 0, maxHelpTop(model, layout)) : 0;
	if (layer === state.layer && layerTop === state.layerTop && cursor === state.tree.cursor && top === state.tree.top && imageTop === state.imageTop
		&& detailsTop === state.detailsTop && helpTop === state.helpTop) {
		return state;
	}

	return {...state, layer, layerTop, imageTop, detailsTop, helpTop, tree: {...state.tree, cursor, top}};
}

/** Apply a change to what the tree lists, keeping the selected node (or its nearest listed ancestor) selected. */
function retarget(model: BrowserModel, before: UiState, after: UiState): UiState {
	const oldRows = model.rows(before);
	const node = oldRows.nodes[before.tree.cursor];
	const rows = model.rows(after);
	let cursor = Math.min(before.tree.cursor, Math.max(0, rows.count - 1));
	if (node !== undefined) {
		const {parent} = model.union;
		for (let current = node; current > 0; current = parent[current]!) {
			const row = rowOf(rows, current);
			if (row >= 0) {
				cursor = row;
				break;
			}
		}
	}

	// Keep the selected row where it was on screen when possible.
	const offset = before.tree.cursor - before.tree.top;
	return {...after, tree: {...after.tree, cursor, top: Math.max(0, cursor - offset)}};
}

function moveBy(model: BrowserModel, state: UiState, command: CommandId): UiState {
	const layout = model.layout(state);
	const focus = state.filter.open ? 'tree' : state.focus;
	const pick = (size: number, page: number, current: number): number => {
		switch (command) {
			case 'cursor.up': {
				return current - 1;
			}

			case 'cursor.down': {
				return current + 1;
			}

			case 'page.up': {
				return current - page;
			}

			case 'page.down': {
				return current + page;
			}

			case 'cursor.home': {
				return 0;
			}

			default: {
				return size - 1;
			}
		}
	};

	if (state.help) {
		const rows = Math.max(1, layout.bodyHeight - 1);
		const maxTop = maxHelpTop(model, layout);
		return {...state, helpTop: clamp(command === 'cursor.end' ? maxTop : pick(maxTop + 1, Math.max(1, rows - 1), state.helpTop), 0, maxTop)};
	}

	if (focus === 'layers') {
		const layer = clamp(pick(model.layerCount, Math.max(1, layout.layerRows - 1), state.layer), 0, model.layerCount - 1);
		return layer === state.layer ? state : retarget(model, state, {...state, layer, detailsTop: 0});
	}

	if (focus === 'details') {
		const rows = Math.max(1, layout.detailsHeight - 1);
		const maxTop = maxDetailsTop(model, state.layer, layout);
		return {...state, detailsTop: clamp(command === 'cursor.end' ? maxTop : pick(maxTop + 1, Math.max(1, rows - 1), state.detailsTop), 0, maxTop)};
	}

	if (focus === 'image') {
		const page = Math.max(1, layout.imageRows - 1);
		const maxTop = Math.max(0, model.inefficiencyCount - layout.imageRows);
		const imageTop = clamp(command === 'cursor.end' ? maxTop : pick(model.inefficiencyCount, page, state.imageTop), 0, maxTop);
		return {...state, imageTop};
	}

	const {count} = model.rows(state);
	const page = Math.max(1, layout.treeRows - 1);
	const cursor = clamp(pick(count, page, state.tree.cursor), 0, Math.max(0, count - 1));
	let {top} = state.tree;
	if (command === 'page.up' || command === 'page.down') {
		// A page moves the window by a page and the cursor with it, as dive does.
		top = clamp(top + (command === 'page.down' ? page : -page), 0, Math.max(0, count - layout.treeRows));
	}

	return {...state, tree: {...state.tree, cursor, top: scrollTo(cursor, top, layout.treeRows, count)}};
}

function withTree(state: UiState, tree: Partial<TreeState>): UiState {
	return {...state, tree: {...state.tree, ...tree}};
}

function toggleCollapse(state: UiState, node: number): UiState {
	const toggled = new Set(state.tree.toggled);
	if (toggled.has(node)) {
		toggled.delete(node);
	} else {
		toggled.add(node);
	}

	return withTree(state, {toggled});
}

function treeCommand(model: BrowserModel, state: UiState, command: CommandId): UiState {
	const rows = model.rows(state);
	const node = rows.nodes[state.tree.cursor];
	const view = rows.tree.view;
	const expandable = node !== undefined && isDirectory(view, node) && rows.tree.hasChildren[node] === 1;
	const collapsed = node !== undefined && rows.collapsed(node);
	switch (command) {
		case 'tree.toggle': {
			return node !== undefined && isDirectory(view, node) ? toggleCollapse(state, node) : state;
		}

		case 'tree.toggleAll': {
			return withTree(state, {collapseAll: !state.tree.collapseAll, toggled: new Set()});
		}

		case 'tree.left': {
			if (node === undefined) {
				return state;
			}

			if (expandable && !collapsed) {
				return toggleCollapse(state, node);
			}

			const up = model.union.parent[node]!;
			const row = up > 0 ? rowOf(rows, up) : -1;
			return row >= 0 ? withTree(state, {cursor: row}) : state;
		}

		case 'tree.right': {
			if (!expandable) {
				return state;
			}

			return collapsed ? toggleCollapse(state, node) : withTree(state, {cursor: state.tree.cursor + 1});
		}

		case 'tree.attributes': {
			return withTree(state, {attributes: !state.tree.attributes});
		}

		case 'tree.sort': {
			return retarget(model, state, withTree(state, {sort: state.tree.sort === 'name' ? 'size' : 'name'}));
		}

		default: {
			const kind = command.slice('tree.hide.'.length) as ChangeKind;
			return retarget(model, state, withTree(state, {hidden: {...state.tree.hidden, [kind]: !state.tree.hidden[kind]}}));
		}
	}
}

function setFilter(model: BrowserModel, state: UiState, text: string): UiState {
	const compiled = compileFilter(text);
	const error = typeof compiled === 'string' ? compiled : undefined;
	const applied = error === undefined ? text : state.filter.applied;
	const next = {...state, filter: {...state.filter, text, error, applied}};
	return applied === state.filter.applied ? next : retarget(model, state, next);
}

/** The tree's selected node as a path and whether it is a directory (undefined on an empty tree). */
function selectedPath(model: BrowserModel, state: UiState): {path: string; directory: boolean} | undefined {
	const rows = model.rows(state);
	const node = rows.nodes[state.tree.cursor];
	if (node === undefined) {
		return undefined;
	}

	return {path: model.union.paths[node]!, directory: isDirectory(rows.tree.view, node)};
}

const viewerCommands: Partial<Record<CommandId, ViewerAction>> = {
	'cursor.up': {type: 'viewer.scroll', delta: -1},
	'cursor.down': {type: 'viewer.scroll', delta: 1},
	'page.up': {type: 'viewer.page', direction: -1},
	'page.down': {type: 'viewer.page', direction: 1},
	'cursor.home': {type: 'viewer.home'},
	'cursor.end': {type: 'viewer.end'},
	'viewer.search': {type: 'viewer.search.start'},
	'viewer.next': {type: 'viewer.search.next', direction: 1},
	'viewer.previous': {type: 'viewer.search.next', direction: -1},
	'viewer.search.apply': {type: 'viewer.search.submit'},
	'viewer.search.cancel': {type: 'viewer.search.cancel'},
	'viewer.search.backspace': {type: 'viewer.search.backspace'},
};

function fileCommand(model: BrowserModel, state: UiState, command: 'file.view' | 'file.extract'): UiState {
	const selected = selectedPath(model, state);
	if (selected === undefined || selected.path === '/') {
		return state;
	}

	if (command === 'file.extract') {
		return {...state, extract: {path: selected.path, layer: state.layer, seq: (state.extract?.seq ?? 0) + 1}};
	}

	if (selected.directory) {
		return {...state, notice: `${selected.path} is a directory: Ctrl-E extracts it`};
	}

	return {...state, viewer: openViewer(selected.path, state.layer, viewerRows(model.layout(state)))};
}

function runCommand(model: BrowserModel, state: UiState, command: CommandId): UiState {
	if (state.viewer !== undefined && !state.help) {
		if (command === 'viewer.close') {
			return {...state, viewer: undefined};
		}

		if (command === 'help.toggle') {
			return {...state, help: true, helpTop: 0};
		}

		const action = viewerCommands[command];
		if (action !== undefined) {
			return {...state, viewer: viewerReducer(state.viewer, action)};
		}

		return command === 'quit' ? {...state, quit: true} : state;
	}

	switch (command) {
		case 'file.view':
		case 'file.extract': {
			return fileCommand(model, state, command);
		}

		case 'quit': {
			return {...state, quit: true};
		}

		case 'help.toggle': {
			return {...state, help: !state.help, helpTop: 0};
		}

		case 'focus.next':
		case 'focus.previous': {
			const step = command === 'focus.next' ? 1 : focusOrder.length - 1;
			return {...state, focus: focusOrder[(focusOrder.indexOf(state.focus) + step) % focusOrder.length]!};
		}

		case 'cursor.up':
		case 'cursor.down':
		case 'page.up':
		case 'page.down':
		case 'cursor.home':
		case 'cursor.end': {
			return moveBy(model, state, command);
		}

		case 'layer.select': {
			return {...state, focus: 'tree'};
		}

		case 'mode.layer':
		case 'mode.aggregated': {
			const mode = command === 'mode.layer' ? 'layer' : 'aggregated';
			return mode === state.mode ? state : retarget(model, state, {...state, mode});
		}

		case 'filter.open': {
			return {...state, filter: {...state.filter, open: true}};
		}

		case 'filter.apply': {
			return {...state, filter: {...state.filter, open: false}};
		}

		case 'filter.clear': {
			return setFilter(model, {...state, filter: {...state.filter, open: false}}, '');
		}

		case 'filter.backspace': {
			return setFilter(model, state, [...state.filter.text].slice(0, -1).join(''));
		}

		default: {
			return treeCommand(model, state, command);
		}
	}
}

/** The reducer. `model` is the finished data (memoised selectors); the state is never mutated. */
export function reduce(model: BrowserModel, state: UiState, action: Action): UiState {
	let next: UiState;
	switch (action.type) {
		case 'key': {
			if (state.notice !== undefined) {
				state = {...state, notice: undefined};
			}

			let command = resolveKey(state, action.name);
			// Enter on a file views it; on a directory it keeps its tree meaning (Ctrl-M: show/hide modified).
			if (action.name === 'enter' && command === 'tree.hide.modified' && selectedPath(model, state)?.directory === false) {
				command = 'file.view';
			}

			if (state.viewer?.search.editing === true && command === undefined && action.text !== undefined && action.text !== '') {
				next = {...state, viewer: viewerReducer(state.viewer, {type: 'viewer.search.input', text: action.text})};
			} else if (command !== undefined) {
				next = runCommand(model, state, command);
			} else if (state.filter.open && action.text !== undefined && action.text !== '') {
				next = setFilter(model, state, state.filter.text + action.text);
			} else {
				return state;
			}

			break;
		}

		case 'command': {
			next = runCommand(model, state, action.command);
			break;
		}

		case 'resize': {
			if (action.viewport.width === state.viewport.width && action.viewport.height === state.viewport.height) {
				return settle(model, state);
			}

			next = {...state, viewport: action.viewport};
			if (next.viewer !== undefined) {
				next = {...next, viewer: viewerReducer(next.viewer, {type: 'viewer.resize', height: viewerRows(model.layout(next))})};
			}

			break;
		}

		case 'select-layer': {
			next = retarget(model, state, {...state, layer: clamp(action.layer, 0, model.layerCount - 1), detailsTop: 0});
			break;
		}

		case 'filter.set': {
			next = setFilter(model, state, action.text);
			break;
		}

		case 'viewer': {
			if (state.viewer === undefined) {
				return state;
			}

			next = {...state, viewer: viewerReducer(state.viewer, action.action)};
			break;
		}

		case 'notice': {
			next = {...state, notice: action.text};
			break;
		}
	}

	return next === state ? state : settle(model, next);
}
