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
// Narrow terminals degrade like dive: below 90 columns the layers column shrinks; below 60 the attribute columns
// of the tree are hidden whatever the user chose.
import type {UiState} from './types.js';

export const narrowWidth = 90;
export const attributesMinWidth = 60;
/** Lines of the layer details pane, title included. */
export const detailsLines = 7;
/** Summary lines of the image details pane, before the notes and the table. */
export const imageSummaryLines = 5;

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
	/** Attribute columns actually drawn. */
	readonly attributes: boolean;
};

export type LayoutCounts = {
	readonly layerCount: number;
	/** Lines of notes in the image details pane. */
	readonly noteCount: number;
};

function clamp(value: number, low: number, high: number): number {
	return Math.max(low, Math.min(high, value));
}

export function computeLayout(state: Pick<UiState, 'viewport' | 'filter' | 'tree'>, counts: LayoutCounts): Layout {
	const width = Math.max(20, Math.floor(state.viewport.width));
	const height = Math.max(8, Math.floor(state.viewport.height));
	const filterLine = state.filter.open || state.filter.text !== '';
	const bodyHeight = height - 1 - (filterLine ? 1 : 0);
	const leftWidth = width >= narrowWidth
		? clamp(Math.round(width * 0.34), 32, 64)
		: clamp(Math.floor(width * 0.3), 14, 30);
	const rightWidth = width - leftWidth - 1;

	// Left column: layers (title + header + rows), details (fixed), image details (the rest).
	const detailsHeight = bodyHeight >= 24 ? detailsLines : clamp(bodyHeight - 10, 2, detailsLines);
	const imageMinimum = imageSummaryLines + 1 + counts.noteCount + 3;
	const layersWanted = counts.layerCount + 2;
	const layersRoom = bodyHeight - detailsHeight - Math.min(imageMinimum, Math.max(3, bodyHeight - detailsHeight - 4));
	const layersHeight = clamp(Math.min(layersWanted, Math.max(4, Math.floor(bodyHeight * 0.45))), 3, Math.max(3, layersRoom));
	const imageHeight = Math.max(0, bodyHeight - layersHeight - detailsHeight);
	const imageRows = Math.max(0, imageHeight - 1 - imageSummaryLines - counts.noteCount - 1);

	return {
		width,
		height,
		leftWidth,
		rightWidth,
		bodyHeight,
		layersHeight,
		layerRows: Math.max(1, layersHeight - 2),
		detailsHeight,
		imageHeight,
		imageRows,
		treeRows: Math.max(1, bodyHeight - 2),
		filterLine,
		attributes: state.tree.attributes && width >= attributesMinWidth,
	};
}
