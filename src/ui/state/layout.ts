// Pane sizes for a viewport. The reducer (scrolling, paging) and the view (drawing) both use this, so a page is
// always exactly what is on screen.
//
//   ┌ left column ─────────┐│┌ right column ───────────────┐
//   │ Layers               │││ File tree                    │
//   │ Layer details        │││                              │
//   │ Image details        │││                              │
//   └──────────────────────┘│└──────────────────────────────┘
//   filter line (when the filter is open or set)
//   help bar
//
// Left column heights: Layer details keeps its 7 lines (fewer on short terminals; up to 6 more from rows Image
// details would leave empty); the Layers pane shows a short
// list whole when it fits beside the image figures (unless Image details has the focus, which shows its table
// then), else its share (45%); Image details takes the rest.
//
// Narrow terminals degrade step by step, names first: below 90 columns the left column narrows (its figures
// switch to shorter labels where the long ones do not fit, rather than being cut, see image-details.tsx); the tree's attribute columns go one at a
// time — owner, then permissions, then size — whenever the name would otherwise get fewer than `nameRoom`
// columns; below 60 columns they are hidden whatever the user chose.
import type {UiState, Viewport} from './types.js';

export const narrowWidth = 90;
export const attributesMinWidth = 60;
/** Columns the tree keeps for its branch glyphs and names before any attribute column is drawn. */
export const nameRoom = 24;

/** Which attribute columns the tree draws, widest first. */
export type AttributeColumns = 'all' | 'no-owner' | 'size' | 'none';

/** Columns each choice takes before the tree glyphs (each column plus its gap). */
export const attributeWidths: Readonly<Record<AttributeColumns, number>> = {all: 10 + 1 + 11 + 1 + 10 + 2, 'no-owner': 10 + 1 + 10 + 2, size: 10 + 2, none: 0};

/** The widest attribute choice that leaves the names `nameRoom` columns in a tree pane `rightWidth` wide. */
export function attributeColumnsFor(rightWidth: number): AttributeColumns {
	// Three columns before the row text: the cursor mark, the change glyph and a space.
	for (const choice of ['all', 'no-owner', 'size'] as const) {
		if (rightWidth - 3 - attributeWidths[choice] >= nameRoom) {
			return choice;
		}
	}

	return 'none';
}
/** Lines of the layer details pane, title included. */
export const detailsLines = 7;
/** Lines Layer details may take beyond `detailsLines` from rows the image pane would leave empty. */
export const detailsExtra = 6;
/** Layer lists up to this long are shown whole when they fit beside the image figures (computeLayout). */
export const fewLayers = 10;
/** Summary lines of the image details pane, before the notes and the table. */
export const imageSummaryLines = 6;

export type Layout = {
	readonly width: number;
	readonly height: number;
	readonly leftWidth: number;
	readonly rightWidth: number;
	/** Height of the body (both columns). */
	readonly bodyHeight: number;
	readonly layersHeight: number;
	/** Layer rows visible in the layers pane. */
	readonly layerRows: number;
	readonly detailsHeight: number;
	readonly imageHeight: number;
	/** Rows of the inefficient-files table visible. */
	readonly imageRows: number;
	/** File-tree rows visible. */
	readonly treeRows: number;
	readonly filterLine: boolean;
	/** Some attribute columns are drawn. */
	readonly attributes: boolean;
	/** Which attribute columns are drawn ('none' when `attributes` is false). */
	readonly attributeColumns: AttributeColumns;
};

export type LayoutCounts = {
	readonly layerCount: number;
	/** Lines of notes in the image details pane. */
	readonly noteCount: number;
	/** Rows of the inefficient-files table (default 0). */
	readonly inefficiencyCount?: number;
	/** The most lines Layer details has for any layer in a pane this wide (no title); unknown: no limit. */
	readonly detailLines?: (width: number) => number;
};

function clamp(value: number, low: number, high: number): number {
	return Math.max(low, Math.min(high, value));
}

/** The smallest terminal the panes are laid out for (columns, rows); below it the UI says so instead (too-small.tsx). */
export const minimumViewport = {width: 20, height: 8} as const;

/** Whether the terminal is below minimumViewport: a frame laid out for the minimum would wrap or scroll off. */
export function tooSmall(viewport: Viewport): boolean {
	return viewport.width < minimumViewport.width || viewport.height < minimumViewport.height;
}

export function computeLayout(state: Pick<UiState, 'viewport' | 'filter' | 'tree'> & Partial<Pick<UiState, 'focus'>>, counts: LayoutCounts): Layout {
	const width = Math.max(minimumViewport.width, Math.floor(state.viewport.width));
	const height = Math.max(minimumViewport.height, Math.floor(state.viewport.height));
	const filterLine = state.filter.open || state.filter.text !== '';
	const bodyHeight = height - 1 - (filterLine ? 1 : 0);
	const leftWidth = width >= narrowWidth
		? clamp(Math.round(width * 0.34), 32, 64)
		: clamp(Math.floor(width * 0.375), 14, 32);
	const rightWidth = width - leftWidth - 1;

	// Left column: layers (title + header + rows), details (fixed), image details (the rest).
	const detailsHeight = bodyHeight >= 24 ? detailsLines : clamp(bodyHeight - 10, 2, detailsLines);
	const imageMinimum = imageSummaryLines + 1 + counts.noteCount + 3;
	const layersWanted = counts.layerCount + 2;
	const layersRoom = bodyHeight - detailsHeight - Math.min(imageMinimum, Math.max(3, bodyHeight - detailsHeight - 4));
	const share = clamp(Math.min(layersWanted, Math.max(4, Math.floor(bodyHeight * 0.45))), 3, Math.max(3, layersRoom));
	// A few layers (up to fewLayers) are all in view when they fit beside the image figures, the table of
	// inefficient files giving way until Image details has the focus: a 6-layer image at 80×24 shows its 6 layers,
	// not 3 of them. A longer list scrolls in its share, and the table keeps its rows.
	const layersHeight = share < layersWanted && counts.layerCount <= fewLayers && state.focus !== 'image'
		&& layersWanted <= bodyHeight - detailsHeight - (1 + imageSummaryLines + counts.noteCount)
		? layersWanted
		: share;
	// Rows the image pane would leave empty (a tall terminal) go to Layer details, up to `detailsExtra` more lines
	// and no more than its longest layer needs: its digest and diff id are then in view without scrolling it.
	const imageWanted = 1 + imageSummaryLines + counts.noteCount + 1 + (counts.inefficiencyCount ?? 0);
	const spare = bodyHeight - layersHeight - detailsHeight - imageWanted;
	const detailsWanted = counts.detailLines === undefined ? Number.POSITIVE_INFINITY : 1 + counts.detailLines(leftWidth) - detailsHeight;
	const details = detailsHeight + clamp(Math.min(spare, detailsWanted), 0, detailsExtra);
	const imageHeight = Math.max(0, bodyHeight - layersHeight - details);
	const imageRows = Math.max(0, imageHeight - 1 - imageSummaryLines - counts.noteCount - 1);

	const attributeColumns = state.tree.attributes && width >= attributesMinWidth ? attributeColumnsFor(rightWidth) : 'none';
	return {
		width,
		height,
		leftWidth,
		rightWidth,
		bodyHeight,
		layersHeight,
		layerRows: Math.max(1, layersHeight - 2),
		detailsHeight: details,
		imageHeight,
		imageRows,
		treeRows: Math.max(1, bodyHeight - 2),
		filterLine,
		attributes: attributeColumns !== 'none',
		attributeColumns,
	};
}
