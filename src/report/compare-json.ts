// `layerscope compare A B --json`: the comparison as plain JSON. Pure.
//
// {a: {ref, id, sizeBytes, efficiencyScore, inefficientBytes, reclaimableBytes, duplicateBytes, fileCount}, b: {…},
//  delta: {… B minus A …}, layers: {shared, sharedBytes, onlyA: [{index, diffId, sizeBytes, command}], onlyB},
//  summary: {added, removed, modified, addedBytes, removedBytes, modifiedBytesA, modifiedBytesB, sizeDelta},
//  contentBasis: "digest"|"size"|"mixed",
//  changes: [{path, kind, type, sizeA, sizeB, reasons, typeA?, linkA?, linkB?}]}   (tree order)
// Paths are absolute and kept as stored (JSON escapes what needs escaping); with --ci the verdict is under "ci".
import type {ImageComparison} from '../analysis/compare.js';

export function compareJson(comparison: ImageComparison, extra: {ci?: unknown} = {}): unknown {
	return {
		a: comparison.a,
		b: comparison.b,
		delta: comparison.delta,
		layers: comparison.layers,
		summary: comparison.summary,
		contentBasis: comparison.contentBasis,
		changes: comparison.changes.map(change => ({
			path: change.path,
			kind: change.kind,
			type: change.type,
			sizeA: change.sizeA,
			sizeB: change.sizeB,
			reasons: change.reasons,
			...(change.typeA === undefined ? {} : {typeA: change.typeA}),
			...(change.linkA === undefined ? {} : {linkA: change.linkA}),
			...(change.linkB === undefined ? {} : {linkB: change.linkB}),
		})),
		...(extra.ci === undefined ? {} : {ci: extra.ci}),
	};
}
