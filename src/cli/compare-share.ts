// Which of compare's two readers parses which layer, once both have said what their images hold
// (src/archive/layer-share.ts). A diff_id both images hold is parsed once; a layer that sits in a file on disk may
// be parsed by either reader; the work is balanced by blob bytes (largest first, each to the reader with less so
// far: with two images on one base, one reader takes the base and the other both top layers). A layer both images
// hold goes to the reader of the thread that analyses both, when there is one. Pure.
import type {BlobLocation, ShareableLayer} from '../archive/layer-share.js';

export type SideName = 'A' | 'B';

/** What one reader is told: for each layer it offered (in its order), parse it or wait; and the other's to parse. */
export type SideAssignment = {
	/**
	 * Per offered layer: 'read' (`share`: the other reader waits for it) or 'wait': the other reader parses it from
	 * the blob at `from` (this image's own, or the other image's copy).
	 */
	readonly answers: ReadonlyArray<{readonly kind: 'read'; readonly share: boolean} | {readonly kind: 'wait'; readonly from: BlobLocation}>;
	/** Layers only the other image holds, which this reader parses for it (from the other image's file). */
	readonly foreign: ReadonlyArray<{readonly diffId: string; readonly location: BlobLocation}>;
};

const other = (side: SideName): SideName => (side === 'A' ? 'B' : 'A');

/**
 * Assign the layers two readers offered (null: that reader offers none and takes no other work). Each diff_id is
 * parsed by exactly one reader (a layer without a location: by its own); a reader is given a layer only the other
 * image holds when that layer has a location. `analyser`: the reader whose thread analyses both images; a layer
 * both images hold goes to it, so that it never crosses a thread (the other reader's copy is the analyser's).
 * `oneThread`: both readers run in one thread, so there is nothing to balance: each reads its own layers.
 */
export function assignLayers(offers: Readonly<Record<SideName, readonly ShareableLayer[] | null>>, analyser?: SideName, oneThread = false): Record<SideName, SideAssignment> {
	type Item = {diffId: string; bytes: number; held: Partial<Record<SideName, ShareableLayer>>; reader?: SideName};
	const items = new Map<string, Item>();
	// A layer without a location is never shared: what the other reader parses is checked against its blob.
	const keyOf = (side: SideName, layer: ShareableLayer): string => (layer.location === undefined ? `${side} ${layer.diffId}` : layer.diffId);
	for (const side of ['A', 'B'] as const) {
		for (const layer of offers[side] ?? []) {
			const key = keyOf(side, layer);
			const item = items.get(key) ?? {diffId: layer.diffId, bytes: 0, held: {}};
			item.held[side] ??= layer;
			item.bytes = Math.max(item.bytes, layer.bytes);
			items.set(key, item);
		}
	}

	const load: Record<SideName, number> = {A: 0, B: 0};
	// The layers pinned to the analyser first, so that the balance counts them; then largest first.
	const pinned = (item: Item): number => (analyser !== undefined && item.held.A !== undefined && item.held.B !== undefined ? 0 : 1);
	const ordered = [...items.values()].sort((x, y) => (pinned(x) - pinned(y)) || (y.bytes - x.bytes) || (x.diffId < y.diffId ? -1 : (x.diffId > y.diffId ? 1 : 0)));
	for (const item of ordered) {
		const can = (side: SideName): boolean => item.held[side] !== undefined
			|| (!oneThread && offers[side] !== null && item.held[other(side)]?.location !== undefined);
		let reader: SideName = can('A') ? 'A' : 'B';
		if (pinned(item) === 0) {
			reader = analyser!;
		} else if (can('A') && can('B')) {
			// The less loaded reader; on a tie one that holds the layer (nothing to hand over), A first.
			reader = load.A < load.B ? 'A' : (load.B < load.A ? 'B' : (item.held.A === undefined ? 'B' : 'A'));
		}

		item.reader = reader;
		load[reader] += item.bytes;
	}

	const assignment = (side: SideName): SideAssignment => ({
		answers: (offers[side] ?? []).map(layer => {
			const item = items.get(keyOf(side, layer))!;
			if (item.reader === side) {
				return {kind: 'read', share: item.held[other(side)] !== undefined};
			}

			// The other reader parses its own copy when it holds one, else this image's blob (a foreign parse).
			return {kind: 'wait', from: (item.held[other(side)] ?? layer).location!};
		}),
		foreign: ordered
			.filter(item => item.reader === side && item.held[side] === undefined)
			.map(item => ({diffId: item.diffId, location: item.held[other(side)]!.location!})),
	});
	return {A: assignment('A'), B: assignment('B')};
}
