// `layerscope compare A B --markdown`: a summary for a pull-request comment or $GITHUB_STEP_SUMMARY (GitHub
// flavoured Markdown). Pure. Names from the images are escaped (escapeName), then put in code spans with `|`
// escaped, so they cannot break the table or inject markup; the list of paths is cut to the largest `top`.
import {type FileChange, type ImageComparison, largestFirst} from '../analysis/compare.js';
import {basisLine, changePath, deltaText, figureRows, imageLabel, plural, signedBytes, sizeText} from './compare-text.js';
import {bytes, escapeCommand} from './format.js';

export type MarkdownOptions = {
	/** How many changed paths to list (largest first); default 30. */
	readonly top?: number;
	/** A line for the CI verdict ("**FAIL** highestSizeIncrease …"), when the gate ran. */
	readonly verdict?: readonly string[];
};

/** Text as a code span safe inside a table cell. */
export function code(text: string): string {
	const safe = text.replaceAll('|', '\\|');
	let fence = '`';
	while (safe.includes(fence)) {
		fence += '`';
	}

	const pad = safe.startsWith('`') || safe.endsWith('`') ? ' ' : '';
	return `${fence}${pad}${safe}${pad}${fence}`;
}

/** At most `limit` characters (code points), ending in `…` when cut. */
function cutAt(text: string, limit: number): string {
	const chars = [...text];
	return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join('')}…`;
}

const kindMark: Record<FileChange['kind'], string> = {added: '➕ added', removed: '➖ removed', modified: '✏️ modified'};

export function formatCompareMarkdown(comparison: ImageComparison, options: MarkdownOptions = {}): string {
	const top = options.top ?? 30;
	const {layers, summary} = comparison;
	const lines: string[] = [
		`### Image comparison: ${code(imageLabel(comparison.a))} → ${code(imageLabel(comparison.b))}`,
		'',
		`Size ${signedBytes(comparison.delta.sizeBytes)}: ${plural(summary.added, 'path')} added (${signedBytes(summary.addedBytes)}), ${summary.removed.toLocaleString('en-US')} removed (${signedBytes(-summary.removedBytes)}), ${summary.modified.toLocaleString('en-US')} modified (${signedBytes(summary.modifiedBytesB - summary.modifiedBytesA)}).`,
		'',
	];
	if (options.verdict !== undefined) {
		lines.push(...options.verdict, '');
	}

	lines.push('| | A | B | Delta |', '|---|---:|---:|---:|');
	for (const row of figureRows(comparison)) {
		lines.push(`| ${row.label} | ${row.a} | ${row.b} | ${row.delta} |`);
	}

	lines.push('', `**Layers:** ${layers.shared} shared (${bytes(layers.sharedBytes)}), ${layers.onlyA.length} only in A, ${layers.onlyB.length} only in B.`);
	const only = [...layers.onlyA.map(layer => ({side: 'A', layer})), ...layers.onlyB.map(layer => ({side: 'B', layer}))];
	if (only.length > 0) {
		lines.push('', '| | # | Size | Command |', '|---|---:|---:|---|');
		for (const {side, layer} of only) {
			lines.push(`| ${side} | ${layer.index} | ${bytes(layer.sizeBytes)} | ${code(cutAt(escapeCommand(layer.command), 200))} |`);
		}
	}

	if (comparison.changes.length === 0) {
		lines.push('', 'No file differs.', '');
		return lines.join('\n');
	}

	const changes = largestFirst(comparison.changes);
	const shown = changes.slice(0, top);
	lines.push('', `**Largest changes**${shown.length < changes.length ? ` (${shown.length} of ${changes.length.toLocaleString('en-US')})` : ''}:`, '', '| | Path | Size A | Size B | Delta | What |', '|---|---|---:|---:|---:|---|');
	for (const change of shown) {
		lines.push(`| ${kindMark[change.kind]} | ${code(changePath(change))} | ${sizeText(change.sizeA)} | ${sizeText(change.sizeB)} | ${deltaText(change)} | ${change.reasons.join(', ')} |`);
	}

	lines.push('', `<sub>${basisLine(comparison)} Made by layerscope compare.</sub>`, '');
	return lines.join('\n');
}
