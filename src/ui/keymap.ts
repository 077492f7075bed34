// The one key table: it drives input (resolveKey), the help bar and the full help, so they cannot disagree.
//
// Ctrl-A means two things in dive; as dive does, the focused pane decides: in the file-tree pane Ctrl-A hides
// added files, in the layers and image panes it switches to aggregated changes. Ctrl-L (layer changes) works
// everywhere. Ctrl-M is Enter on a terminal, so in the tree pane Enter toggles "modified" as well.
import type {Key} from 'ink';
import type {CommandId, UiState} from './state/types.js';
import {displayWidth} from './text-width.js';

/** Where a binding applies. 'pane' bindings move within whichever pane has the focus. */
export type Scope = 'global' | 'pane' | 'layers' | 'tree' | 'details' | 'image' | 'filter' | 'help' | 'viewer' | 'viewer-search';

export type Binding = {
	readonly command: CommandId;
	readonly keys: readonly string[];
	readonly scope: Scope;
	/** Text for the full help. */
	readonly help: string;
	/** Label in the help bar (absent: not in the bar). */
	readonly bar?: string;
	/** The key as the bar shows it, when not the first key's label (scrolling: "↑↓", both directions). */
	readonly barKey?: string;
};

export const keyTable: readonly Binding[] = [
	{command: 'cursor.up', keys: ['up', 'k'], scope: 'pane', help: 'Move up'},
	{command: 'cursor.down', keys: ['down', 'j'], scope: 'pane', help: 'Move down'},
	{command: 'page.up', keys: ['pgup', 'u'], scope: 'pane', help: 'Page up'},
	{command: 'page.down', keys: ['pgdn', 'd'], scope: 'pane', help: 'Page down'},
	{command: 'cursor.home', keys: ['home', 'g'], scope: 'pane', help: 'First row'},
	{command: 'cursor.end', keys: ['end', 'G'], scope: 'pane', help: 'Last row'},
	{command: 'layer.select', keys: ['enter'], scope: 'layers', help: 'Select the layer and go to its file tree'},
	{command: 'cursor.down', keys: ['down', 'j'], scope: 'details', help: 'Scroll the layer details (the whole command) down', bar: 'Scroll', barKey: '↑↓'},
	{command: 'tree.left', keys: ['left', 'h'], scope: 'tree', help: 'Collapse the directory, or go to the parent'},
	{command: 'tree.right', keys: ['right', 'l'], scope: 'tree', help: 'Expand the directory, or go into it'},
	{command: 'tree.toggle', keys: ['space'], scope: 'tree', help: 'Collapse/expand the directory', bar: 'Collapse dir'},
	{command: 'tree.toggleAll', keys: ['ctrl+space'], scope: 'tree', help: 'Collapse/expand all directories', bar: 'Collapse all'},
	{command: 'tree.hide.added', keys: ['ctrl+a'], scope: 'tree', help: 'Show/hide added files', bar: 'Added'},
	{command: 'tree.hide.removed', keys: ['ctrl+r'], scope: 'tree', help: 'Show/hide removed files', bar: 'Removed'},
	{command: 'tree.hide.modified', keys: ['ctrl+m', 'enter'], scope: 'tree', help: 'Show/hide modified files (Ctrl-M is Enter; on a file, Enter views it)', bar: 'Modified'},
	{command: 'tree.hide.unmodified', keys: ['ctrl+u'], scope: 'tree', help: 'Show/hide unmodified files', bar: 'Unmodified'},
	{command: 'tree.attributes', keys: ['ctrl+b'], scope: 'tree', help: 'Show/hide permissions, owner and size', bar: 'Attributes'},
	{command: 'tree.sort', keys: ['ctrl+o'], scope: 'tree', help: 'Sort by name or by size', bar: 'Sort'},
	{command: 'file.view', keys: ['v'], scope: 'tree', help: 'View the file: text with line numbers, or a hex dump (also Enter on a file)', bar: 'View'},
	{command: 'file.extract', keys: ['ctrl+e'], scope: 'tree', help: 'Extract the file or directory into the current directory', bar: 'Extract'},
	{command: 'mode.aggregated', keys: ['ctrl+a'], scope: 'layers', help: 'Show aggregated changes (layers 1..N against layer 0)', bar: 'Aggregated'},
	{command: 'mode.aggregated', keys: ['ctrl+a'], scope: 'image', help: 'Show aggregated changes', bar: 'Aggregated'},
	{command: 'mode.layer', keys: ['ctrl+l'], scope: 'global', help: 'Show the changes of the selected layer only', bar: 'Layer changes'},
	{command: 'focus.next', keys: ['tab'], scope: 'global', help: 'Next pane', bar: 'Switch pane'},
	{command: 'focus.previous', keys: ['shift+tab'], scope: 'global', help: 'Previous pane'},
	{command: 'filter.open', keys: ['ctrl+f', '/'], scope: 'global', help: 'Filter files by a regex on the full path', bar: 'Filter'},
	{command: 'help.toggle', keys: ['?'], scope: 'global', help: 'Full key help', bar: 'Help'},
	{command: 'quit', keys: ['q', 'ctrl+c'], scope: 'global', help: 'Quit', bar: 'Quit'},
	{command: 'filter.apply', keys: ['enter'], scope: 'filter', help: 'Keep the filter and leave the input', bar: 'Keep'},
	{command: 'filter.clear', keys: ['esc'], scope: 'filter', help: 'Clear the filter and leave the input', bar: 'Clear'},
	{command: 'filter.backspace', keys: ['backspace'], scope: 'filter', help: 'Delete a character'},
	{command: 'cursor.up', keys: ['up'], scope: 'filter', help: 'Move up in the tree'},
	{command: 'cursor.down', keys: ['down'], scope: 'filter', help: 'Move down in the tree'},
	{command: 'page.up', keys: ['pgup'], scope: 'filter', help: 'Page up in the tree'},
	{command: 'page.down', keys: ['pgdn'], scope: 'filter', help: 'Page down in the tree'},
	{command: 'quit', keys: ['ctrl+c'], scope: 'filter', help: 'Quit', bar: 'Quit'},
	{command: 'viewer.close', keys: ['q', 'esc', 'v'], scope: 'viewer', help: 'Close the viewer', bar: 'Close'},
	{command: 'cursor.up', keys: ['up', 'k'], scope: 'viewer', help: 'Scroll up', bar: 'Scroll', barKey: '↑↓'},
	{command: 'cursor.down', keys: ['down', 'j', 'enter'], scope: 'viewer', help: 'Scroll down'},
	{command: 'page.up', keys: ['pgup', 'u', 'b'], scope: 'viewer', help: 'Page up'},
	{command: 'page.down', keys: ['pgdn', 'd', 'space'], scope: 'viewer', help: 'Page down'},
	{command: 'cursor.home', keys: ['home', 'g'], scope: 'viewer', help: 'Top'},
	{command: 'cursor.end', keys: ['end', 'G'], scope: 'viewer', help: 'Bottom'},
	{command: 'viewer.search', keys: ['/', 'ctrl+f'], scope: 'viewer', help: 'Search the file (case-insensitive)', bar: 'Search'},
	{command: 'viewer.next', keys: ['n'], scope: 'viewer', help: 'Next match', bar: 'Next'},
	{command: 'viewer.previous', keys: ['N'], scope: 'viewer', help: 'Previous match'},
	{command: 'help.toggle', keys: ['?'], scope: 'viewer', help: 'Full key help (closing it returns to the file)', bar: 'Help'},
	{command: 'quit', keys: ['ctrl+c'], scope: 'viewer', help: 'Quit', bar: 'Quit'},
	{command: 'viewer.search.apply', keys: ['enter'], scope: 'viewer-search', help: 'Find the text', bar: 'Find'},
	{command: 'viewer.search.cancel', keys: ['esc'], scope: 'viewer-search', help: 'Leave the search', bar: 'Cancel'},
	{command: 'viewer.search.backspace', keys: ['backspace'], scope: 'viewer-search', help: 'Delete a character'},
	{command: 'quit', keys: ['ctrl+c'], scope: 'viewer-search', help: 'Quit', bar: 'Quit'},
	{command: 'help.toggle', keys: ['?', 'esc'], scope: 'help', help: 'Close the help', bar: 'Close help'},
	{command: 'cursor.up', keys: ['up', 'k'], scope: 'help', help: 'Scroll up', bar: 'Scroll', barKey: '↑↓'},
	{command: 'cursor.down', keys: ['down', 'j'], scope: 'help', help: 'Scroll down'},
	{command: 'page.up', keys: ['pgup', 'u'], scope: 'help', help: 'Page up'},
	{command: 'page.down', keys: ['pgdn', 'd', 'space'], scope: 'help', help: 'Page down'},
	{command: 'cursor.home', keys: ['home', 'g'], scope: 'help', help: 'Top'},
	{command: 'cursor.end', keys: ['end', 'G'], scope: 'help', help: 'Bottom'},
	{command: 'quit', keys: ['q', 'ctrl+c'], scope: 'help', help: 'Quit', bar: 'Quit'},
];

/** The scopes consulted for a key, first match wins. */
export function activeScopes(state: UiState): readonly Scope[] {
	// The help opens over anything, the file viewer included.
	if (state.help) {
		return ['help'];
	}

	if (state.viewer !== undefined) {
		return [state.viewer.search.editing ? 'viewer-search' : 'viewer'];
	}

	if (state.filter.open) {
		return ['filter'];
	}

	return [state.focus, 'pane', 'global'];
}

export function resolveKey(state: UiState, name: string): CommandId | undefined {
	for (const scope of activeScopes(state)) {
		for (const binding of keyTable) {
			if (binding.scope === scope && binding.keys.includes(name)) {
				return binding.command;
			}
		}
	}

	return undefined;
}

/**
 * A key press from ink as key names ('up', 'ctrl+a', 'k', 'G', 'space'…) with the text each types. Keys typed
 * faster than the terminal is read arrive as one string: each character is a key of its own.
 */
export function keysFromInk(input: string, key: Key): Array<{name: string; text: string}> {
	const named: Array<[boolean, string]> = [
		[key.upArrow, 'up'],
		[key.downArrow, 'down'],
		[key.leftArrow, 'left'],
		[key.rightArrow, 'right'],
		[key.pageUp, 'pgup'],
		[key.pageDown, 'pgdn'],
		[key.home, 'home'],
		[key.end, 'end'],
		[key.return, 'enter'],
		[key.escape, 'esc'],
		[key.backspace || key.delete, 'backspace'],
	];
	for (const [pressed, name] of named) {
		if (pressed) {
			return [{name, text: ''}];
		}
	}

	if (key.tab) {
		return [{name: key.shift ? 'shift+tab' : 'tab', text: ''}];
	}

	if (key.ctrl) {
		// Ctrl-Space arrives as NUL, which ink names "`".
		if (input === '`' || input === ' ' || input === '@') {
			return [{name: 'ctrl+space', text: ''}];
		}

		return input.length === 1 ? [{name: `ctrl+${input.toLowerCase()}`, text: ''}] : [];
	}

	return [...input].map(char => charKey(char));
}

/** One character of a chunk of input as a key: control characters are the keys a terminal sends for them. */
function charKey(char: string): {name: string; text: string} {
	const code = char.codePointAt(0)!;
	const control: Record<number, string> = {0: 'ctrl+space', 8: 'backspace', 9: 'tab', 10: 'enter', 13: 'enter', 27: 'esc', 127: 'backspace'};
	if (control[code] !== undefined) {
		return {name: control[code], text: ''};
	}

	if (code < 32) {
		return {name: `ctrl+${String.fromCodePoint(code + 96)}`, text: ''};
	}

	return {name: char === ' ' ? 'space' : char, text: char};
}

/** How a key name is shown: ^A, Space, PgUp… */
export function keyLabel(name: string): string {
	const special: Record<string, string> = {
		up: '↑', down: '↓', left: '←', right: '→', pgup: 'PgUp', pgdn: 'PgDn', home: 'Home', end: 'End',
		enter: 'Enter', esc: 'Esc', tab: 'Tab', 'shift+tab': 'Shift-Tab', space: 'Space', backspace: 'Backspace',
		'ctrl+space': '^Space',
	};
	if (special[name] !== undefined) {
		return special[name];
	}

	return name.startsWith('ctrl+') ? `^${name.slice(5).toUpperCase()}` : name;
}

export type BarItem = {
	readonly key: string;
	readonly label: string;
	/** For toggles: whether the thing is on (shown as ● / ○). */
	readonly on?: boolean;
	/** Kept when the bar is too narrow for every item (help and quit). */
	readonly pinned?: boolean;
};

/** Commands whose bar item is never dropped: a user must always see how to get help and how to leave. */
const pinnedCommands: ReadonlySet<CommandId> = new Set(['help.toggle', 'quit']);

function toggleState(state: UiState, command: CommandId): boolean | undefined {
	const {hidden} = state.tree;
	switch (command) {
		case 'tree.hide.added': {
			return !hidden.added;
		}

		case 'tree.hide.removed': {
			return !hidden.removed;
		}

		case 'tree.hide.modified': {
			return !hidden.modified;
		}

		case 'tree.hide.unmodified': {
			return !hidden.unmodified;
		}

		case 'tree.attributes': {
			return state.tree.attributes;
		}

		case 'mode.layer': {
			return state.mode === 'layer';
		}

		case 'mode.aggregated': {
			return state.mode === 'aggregated';
		}

		default: {
			return undefined;
		}
	}
}

/**
 * The help bar for the current state, in table order: the focused pane's keys, then the global ones. Reads only
 * help, viewer (open, search editing), filter.open, focus, mode, tree.sort, tree.hidden and tree.attributes: HelpBar
 * (components/help-bar.tsx) builds it again only when one of these changes.
 */
export function helpBar(state: UiState): BarItem[] {
	const items: BarItem[] = [];
	const seen = new Set<CommandId>();
	const scopes = activeScopes(state);
	for (const scope of scopes) {
		for (const binding of keyTable) {
			if (binding.scope !== scope || binding.bar === undefined || seen.has(binding.command)) {
				continue;
			}

			// A key already taken by an earlier scope does not reach this binding.
			const reachable = binding.keys.filter(key => resolveKey(state, key) === binding.command);
			if (reachable.length === 0) {
				continue;
			}

			seen.add(binding.command);
			const label = binding.command === 'tree.sort' ? `Sort: ${state.tree.sort}` : binding.bar;
			const on = toggleState(state, binding.command);
			const key = binding.barKey ?? keyLabel(reachable[0]!);
			const item: BarItem = on === undefined ? {key, label} : {key, label, on};
			items.push(pinnedCommands.has(binding.command) ? {...item, pinned: true} : item);
		}
	}

	return items;
}

function itemText(item: BarItem): string {
	return `${item.key} ${item.on === undefined ? '' : (item.on ? '●' : '○')}${item.label}`;
}

/**
 * The bar as text. Given a `width` (columns), whole items are dropped from the end until it fits, except the
 * pinned ones (help, quit), which move to the end and stay; no item is ever cut in the middle.
 */
export function barText(items: readonly BarItem[], width?: number): string {
	if (width === undefined) {
		return items.map(item => itemText(item)).join('  ');
	}

	const pinned = items.filter(item => item.pinned === true).map(item => itemText(item));
	const kept: string[] = [];
	let used = Math.max(0, pinned.reduce((sum, text) => sum + displayWidth(text) + 2, 0) - 2);
	for (const item of items) {
		if (item.pinned === true) {
			continue;
		}

		const text = itemText(item);
		const extra = displayWidth(text) + (used > 0 || kept.length > 0 ? 2 : 0);
		if (used + extra > width) {
			break;
		}

		kept.push(text);
		used += extra;
	}

	return [...kept, ...pinned].join('  ');
}

/** Lines of the full help: every binding, grouped by where it applies. */
/** Which screen's keys the full help lists: the image browser's, or compare's (one tree, no layers to select). */
export type HelpKind = 'browser' | 'compare';

/** Commands that do nothing in compare: its focus stays on the one tree, and it has no layer or file to open. */
export const notInCompare: ReadonlySet<CommandId> = new Set(['focus.next', 'focus.previous', 'mode.layer', 'mode.aggregated', 'file.view', 'file.extract']);

/** The full key help, by section, generated from the key table (for `kind`'s screen). */
export function fullHelp(kind: HelpKind = 'browser'): Array<{title: string; rows: Array<{keys: string; help: string}>}> {
	const titles: Record<Scope, string> = {
		global: 'Anywhere',
		pane: kind === 'compare' ? 'Moving in the tree' : 'In the focused pane',
		layers: 'Layers pane',
		tree: 'File tree pane',
		details: 'Layer details pane',
		image: 'Image details pane',
		filter: 'Filter input',
		viewer: 'File viewer (v)',
		'viewer-search': 'File viewer search',
		help: 'This help',
	};
	const order: Scope[] = kind === 'compare'
		? ['global', 'pane', 'tree', 'filter', 'help']
		: ['global', 'pane', 'layers', 'tree', 'details', 'image', 'filter', 'viewer', 'viewer-search', 'help'];
	const helpOf = (binding: Binding): string => (kind === 'compare' && binding.command === 'tree.sort' ? 'Sort by name, by size in B, or by the size change' : binding.help);
	return order.map(scope => ({
		title: titles[scope],
		rows: keyTable
			.filter(binding => binding.scope === scope && (kind === 'browser' || !notInCompare.has(binding.command)))
			.map(binding => ({keys: binding.keys.map(key => keyLabel(key)).join(' '), help: helpOf(binding)})),
	}));
}
