// One file-tree row as text, in dive's layout: optional attribute columns, tree glyphs, the (escaped) name and
// `→ target` for links. Only rows in the visible window are ever built.
import {type TreeRows, implicitDir, isDirectory, markKind} from '../analysis/views.js';
import type {ChangeKind} from '../analysis/types.js';
import {humanBytes} from '../ci/go-format.js';
import {escapeName} from '../report/escape.js';
import {modeString, padStart} from '../report/format.js';
import type {AttributeColumns} from './state/layout.js';

/** The attribute header over the tree (all columns), aligned with the attribute columns. */
export const attributeHeader = 'Permission     UID:GID       Size  Filetree';

/** The header over the tree for a choice of attribute columns. */
export function treeHeader(columns: AttributeColumns | boolean): string {
	switch (columns === true ? 'all' : (columns === false ? 'none' : columns)) {
		case 'all': {
			return attributeHeader;
		}

		case 'no-owner': {
			return `Permission ${padStart('Size', 10)}  Filetree`;
		}

		case 'size': {
			return `${padStart('Size', 10)}  Filetree`;
		}

		default: {
			return 'Filetree';
		}
	}
}

/** One glyph per change kind, so marks survive without colour (NO_COLOR, snapshots). */
export const changeGlyph: Readonly<Record<ChangeKind, string>> = {added: '+', modified: '~', removed: '-', unmodified: ' '};

export type RowText = {
	readonly node: number;
	readonly kind: ChangeKind;
	/** dive's row text: attributes (when asked) + tree glyphs + name. */
	readonly text: string;
};

function attributes(rows: TreeRows, node: number, columns: AttributeColumns): string {
	const {view, size} = rows.tree;
	const sizeText = padStart(humanBytes(size[node]!), 10);
	if (columns === 'size') {
		return `${sizeText}  `;
	}

	const value = view.shown[node]!;
	const entry = value >= 0 ? view.union.entries[value] : undefined;
	const mode = entry === undefined
		? (value === implicitDir ? 'drwxr-xr-x' : '----------')
		: modeString(entry);
	const owner = entry === undefined ? '0:0' : `${entry.uid}:${entry.gid}`;
	return columns === 'no-owner' ? `${mode} ${sizeText}  ` : `${mode} ${padStart(owner, 11)} ${sizeText}  `;
}

function branches(rows: TreeRows, node: number): string {
	const {parent} = rows.tree.view.union;
	let prefix = '';
	for (let up = parent[node]!; up > 0; up = parent[up]!) {
		prefix = (rows.isLast[up] === 1 ? '    ' : '│   ') + prefix;
	}

	const collapsed = rows.tree.hasChildren[node] === 1 && isDirectory(rows.tree.view, node) && rows.collapsed(node);
	return prefix + (rows.isLast[node] === 1 ? '└─' : '├─') + (collapsed ? '⊕ ' : '─ ');
}

function label(rows: TreeRows, node: number): string {
	const {view} = rows.tree;
	const name = escapeName(view.union.names[node]!);
	const value = view.shown[node]!;
	const entry = value >= 0 ? view.union.entries[value] : undefined;
	if (entry !== undefined && (entry.type === 'symlink' || entry.type === 'hardlink')) {
		return `${name} → ${escapeName(entry.linkTarget ?? '')}`;
	}

	return name;
}

/** The text of row `row` (which must be < rows.count); `true` is every attribute column, `false` none. */
export function treeRowText(rows: TreeRows, row: number, withAttributes: AttributeColumns | boolean): RowText {
	const node = rows.nodes[row]!;
	const kind = markKind(rows.tree.view.mark[node]!);
	const columns = withAttributes === true ? 'all' : (withAttributes === false ? 'none' : withAttributes);
	const text = (columns === 'none' ? '' : attributes(rows, node, columns)) + branches(rows, node) + label(rows, node);
	return {node, kind, text};
}

/** Rows from..to-1 as text (clamped), for tests and plain renders. */
export function treeText(rows: TreeRows, from: number, to: number, withAttributes: AttributeColumns | boolean): string[] {
	const out: string[] = [];
	for (let row = Math.max(0, from); row < Math.min(to, rows.count); row++) {
		out.push(treeRowText(rows, row, withAttributes).text);
	}

	return out;
}
