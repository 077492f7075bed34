// The browser's whole UI state and the actions that change it. Plain data: the reducer is the only writer.
import type {CompareMode, HiddenKinds, SortOrder} from '../../analysis/views.js';
import type {ChangeKind} from '../../analysis/types.js';
import type {ViewerAction, ViewerState} from './viewer.js';

export type Focus = 'layers' | 'tree' | 'details' | 'image';

export type Viewport = {
	readonly width: number;
	readonly height: number;
};

export type TreeState = {
	/** Selected row. */
	readonly cursor: number;
	/** First row in the window. */
	readonly top: number;
	/** Every directory collapsed (Ctrl-Space); `toggled` holds the union nodes that differ from it. */
	readonly collapseAll: boolean;
	readonly toggled: ReadonlySet<number>;
	readonly hidden: HiddenKinds;
	readonly sort: SortOrder;
	/** The user's choice; narrow terminals hide attributes whatever it is. */
	readonly attributes: boolean;
};

export type FilterState = {
	/** The input line has the keys. */
	readonly open: boolean;
	/** What the user typed. */
	readonly text: string;
	/** The regex source in effect (the last valid text; '' for none). */
	readonly applied: string;
	/** Why `text` is not a valid regex, when it is not. */
	readonly error: string | undefined;
};

export type UiState = {
	readonly viewport: Viewport;
	readonly focus: Focus;
	/** Selected layer (the layers pane cursor). */
	readonly layer: number;
	readonly layerTop: number;
	readonly mode: CompareMode;
	readonly tree: TreeState;
	readonly filter: FilterState;
	/** First row of the inefficient-files table in the window. */
	readonly imageTop: number;
	/** First line of the Layer details pane in the window (back to 0 when the layer changes). */
	readonly detailsTop: number;
	/** The full key help is open. */
	readonly help: boolean;
	/** First line of the full help in the window. */
	readonly helpTop: number;
	/** The file viewer, when open (it takes the whole body and the keys). */
	readonly viewer: ViewerState | undefined;
	/** A request to extract the selected path (Ctrl-E), for the browser to carry out; `seq` tells requests apart. */
	readonly extract: {readonly path: string; readonly layer: number; readonly seq: number} | undefined;
	/** One line shown in place of the help bar until the next key (e.g. where Ctrl-E extracted to). */
	readonly notice: string | undefined;
	readonly quit: boolean;
};

export type CommandId =
	| 'quit'
	| 'help.toggle'
	| 'focus.next'
	| 'focus.previous'
	| 'cursor.up'
	| 'cursor.down'
	| 'page.up'
	| 'page.down'
	| 'cursor.home'
	| 'cursor.end'
	| 'layer.select'
	| 'mode.layer'
	| 'mode.aggregated'
	| 'tree.left'
	| 'tree.right'
	| 'tree.toggle'
	| 'tree.toggleAll'
	| 'tree.hide.added'
	| 'tree.hide.removed'
	| 'tree.hide.modified'
	| 'tree.hide.unmodified'
	| 'tree.attributes'
	| 'tree.sort'
	| 'filter.open'
	| 'filter.apply'
	| 'filter.clear'
	| 'filter.backspace'
	| 'file.view'
	| 'file.extract'
	| 'viewer.close'
	| 'viewer.search'
	| 'viewer.next'
	| 'viewer.previous'
	| 'viewer.search.apply'
	| 'viewer.search.cancel'
	| 'viewer.search.backspace';

export type Action =
	/** A key press, by name (see keymap.ts); `text` is the typed text for printable keys (filter input). */
	| {readonly type: 'key'; readonly name: string; readonly text?: string}
	| {readonly type: 'command'; readonly command: CommandId}
	| {readonly type: 'resize'; readonly viewport: Viewport}
	| {readonly type: 'select-layer'; readonly layer: number}
	| {readonly type: 'filter.set'; readonly text: string}
	/** What the viewer's reader answered (a window of the file, or why not). */
	| {readonly type: 'viewer'; readonly action: ViewerAction}
	| {readonly type: 'notice'; readonly text: string};

export const hideCommands: Readonly<Record<ChangeKind, CommandId>> = {
	added: 'tree.hide.added',
	removed: 'tree.hide.removed',
	modified: 'tree.hide.modified',
	unmodified: 'tree.hide.unmodified',
};
