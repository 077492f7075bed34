// The Layer details pane as lines of text for a pane width: the reducer scrolls over them (the pane takes the
// focus) and the view draws a window of them, so both agree on how many there are. Nothing is cut: identifiers
// and the command wrap (by display width, text-width.ts), the figures wrap as whole fields.
import {humanBytes} from '../ci/go-format.js';
import {escapeName} from '../report/escape.js';
import {escapeCommand} from './format.js';
import type {BrowserModel} from './state/model.js';
import {displayWidth, wrap} from './text-width.js';

const labelIndent = ' '.repeat('Digest:  '.length);

/** Fields side by side, three spaces apart, a new line (indented) when the next one does not fit. */
function packFields(fields: readonly string[], width: number, indent: string): string[] {
	const lines: string[] = [];
	let line = '';
	for (const field of fields) {
		if (line === '') {
			line = field;
		} else if (displayWidth(line) + 3 + displayWidth(field) <= width) {
			line += `   ${field}`;
		} else {
			lines.push(line);
			line = indent + field;
		}
	}

	lines.push(line);
	return lines.flatMap(text => wrap(text, width, {words: true, indent}));
}

/**
 * "Label:  value" wrapped: when the value does not fit after its label but fits whole on a line of its own (the
 * creation time at 80 columns), it goes to the next line (indented when there is room) instead of being split.
 */
function labelled(label: string, value: string, width: number): string[] {
	const text = `${label}${value}`;
	if (displayWidth(text) > width && displayWidth(value) <= width) {
		return [label.trimEnd(), displayWidth(labelIndent + value) <= width ? labelIndent + value : value];
	}

	return wrap(text, width, {indent: labelIndent});
}

/** Every line of the Layer details pane for `layer` in a pane `width` columns wide (no title). */
export function layerDetailLines(model: BrowserModel, index: number, width: number): string[] {
	const layer = model.data.analysis.layers[index];
	if (layer === undefined || width <= 0) {
		return [];
	}

	// The figures and the command first: they are what a short pane must show; the identifiers come last (the
	// pane scrolls when focused).
	const container = index === model.data.containerLayer;
	const lines: string[] = [];
	if (container) {
		lines.push(...wrap(`Layer:   ${index}, container (writable)`, width, {words: true, indent: labelIndent}));
	}

	lines.push(
		...packFields([`Size:    ${humanBytes(layer.sizeBytes)}`, `Files: ${layer.nodeCount}`, `+${layer.added} ~${layer.modified} -${layer.removed}`], width, labelIndent),
		...wrap(`Command: ${container ? 'container (writable)' : escapeCommand(layer.command)}`, width, {words: true}),
		...labelled('Created: ', escapeName(layer.created || '(unknown)'), width),
	);
	if (!container) {
		lines.push(...wrap(`Digest:  ${escapeName(layer.digest || '(unknown)')}`, width, {indent: labelIndent}));
	}

	lines.push(...wrap(`Diff ID: ${escapeName(layer.diffId || '(unknown)')}`, width, {indent: labelIndent}));
	return lines;
}
