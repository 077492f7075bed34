// The plain-text report (what `layerscope IMAGE` prints when stdout is not a terminal).
import type {Analysis} from '../analysis/types.js';
import {escapeName} from './escape.js';
import {bytes, columnWidth, escapeCommand, padEnd, padStart, percent} from './format.js';

export type TextOptions = {
	/** How many inefficient files to list (all when undefined). */
	readonly topFiles?: number;
};

export function formatTextReport(analysis: Analysis, options: TextOptions = {}): string {
	const {image, layers} = analysis;
	const lines: string[] = [];
	const tags = image.tags.length > 0 ? ` (${image.tags.map(tag => escapeName(tag)).join(', ')})` : '';
	lines.push(`Image: ${escapeName(image.name)}${tags}`);
	if (analysis.config.id !== '') {
		lines.push(`Id: ${analysis.config.id}`);
	}

	if (analysis.config.os !== '') {
		lines.push(`Platform: ${escapeName(analysis.config.os)}/${escapeName(analysis.config.architecture)}`);
	}

	lines.push(`Total size: ${bytes(image.sizeBytes)} in ${layers.length} layer${layers.length === 1 ? '' : 's'}, ${image.fileCount} files in the final filesystem`, '');

	lines.push('Layers:');
	const sizeWidth = columnWidth(layers.map(layer => bytes(layer.sizeBytes)), 4);
	const indexWidth = Math.max(1, String(layers.length - 1).length);
	// The layer's change counts (src/analysis/tree.ts LayerChanges): paths added, modified, removed.
	lines.push(`  ${padStart('#', indexWidth)}  ${padStart('Size', sizeWidth)}  ${padEnd('Changes (+ ~ -)', 17)}  Command`);
	for (const layer of layers) {
		const changes = `+${layer.added} ~${layer.modified} -${layer.removed}`;
		lines.push(`  ${padStart(String(layer.index), indexWidth)}  ${padStart(bytes(layer.sizeBytes), sizeWidth)}  ${padEnd(changes, 17)}  ${escapeCommand(layer.command)}`);
	}

	lines.push(
		'',
		`Efficiency:            ${percent(image.efficiency)}`,
		`Wasted space:          ${bytes(image.wastedBytes)} (${image.wastedBytes} bytes)`,
		`User wasted:           ${percent(image.userWastedPercent)} of ${bytes(image.userSizeBytes)} added above the base layer`,
		`Reclaimable by squash: ${bytes(image.reclaimableBytes)} (${image.reclaimableBytes} bytes)`,
		'',
	);

	const files = options.topFiles === undefined ? image.inefficiencies : image.inefficiencies.slice(0, options.topFiles);
	if (files.length === 0) {
		lines.push('Inefficient files: none');
	} else {
		const more = image.inefficiencies.length - files.length;
		lines.push(`Inefficient files${more > 0 ? ` (top ${files.length} of ${image.inefficiencies.length})` : ''}:`);
		const countWidth = columnWidth(files.map(item => String(item.count)), 5);
		const spaceWidth = columnWidth(files.map(item => bytes(item.cumulativeSize)), 12);
		lines.push(`  ${padEnd('Count', countWidth)}  ${padEnd('Wasted Space', spaceWidth)}  File Path`);
		for (const item of files) {
			lines.push(`  ${padEnd(String(item.count), countWidth)}  ${padEnd(bytes(item.cumulativeSize), spaceWidth)}  ${escapeName(item.path)}`);
		}
	}

	lines.push('');
	// One push a line: spreading a list of 100k+ lines into push overflows the stack.
	for (const line of duplicateLines(analysis, options)) {
		lines.push(line);
	}

	return `${lines.join('\n')}\n`;
}

/** The "Duplicate files" section: identical content at different paths of the final filesystem. */
function duplicateLines(analysis: Analysis, options: TextOptions): string[] {
	const {duplicateFiles: groups, duplicateBytes} = analysis.image;
	if (groups.length === 0) {
		return ['Duplicate files: none'];
	}

	const shown = options.topFiles === undefined ? groups : groups.slice(0, options.topFiles);
	const more = groups.length - shown.length;
	const lines = [
		`Duplicate files${more > 0 ? ` (top ${shown.length} of ${groups.length})` : ''}: ${bytes(duplicateBytes)} (${duplicateBytes} bytes) stored more than once`,
	];
	const countWidth = columnWidth(shown.map(item => String(item.count)), 6);
	const sizeWidth = columnWidth(shown.map(item => bytes(item.sizeBytes)), 4);
	const extraWidth = columnWidth(shown.map(item => bytes(item.sizeBytes * (item.count - 1))), 10);
	const indent = ' '.repeat(2 + countWidth + 2 + sizeWidth + 2 + extraWidth + 2);
	lines.push(`  ${padEnd('Copies', countWidth)}  ${padStart('Size', sizeWidth)}  ${padStart('Duplicated', extraWidth)}  Paths`);
	for (const item of shown) {
		const [first, ...rest] = item.paths;
		lines.push(`  ${padEnd(String(item.count), countWidth)}  ${padStart(bytes(item.sizeBytes), sizeWidth)}  ${padStart(bytes(item.sizeBytes * (item.count - 1)), extraWidth)}  ${escapeName(first ?? '')}`);
		for (const path of rest) {
			lines.push(`${indent}${escapeName(path)}`);
		}
	}

	return lines;
}
