// The plain-text report (what `layerscope IMAGE` prints when stdout is not a terminal).
import type {Analysis} from '../analysis/types.js';
import {escapeName} from './escape.js';
import {bytes, columnWidth, oneLine, padEnd, padStart, percent} from './format.js';

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
	lines.push(`  ${padStart('#', indexWidth)}  ${padStart('Size', sizeWidth)}  ${padEnd('Changes (+ ~ -)', 17)}  Command`);
	for (const layer of layers) {
		const changes = `+${layer.added} ~${layer.modified} -${layer.removed}`;
		lines.push(`  ${padStart(String(layer.index), indexWidth)}  ${padStart(bytes(layer.sizeBytes), sizeWidth)}  ${padEnd(changes, 17)}  ${escapeName(oneLine(layer.command))}`);
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

	return `${lines.join('\n')}\n`;
}
