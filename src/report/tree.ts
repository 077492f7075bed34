// The `tree` command's outputs: one line per entry, or JSON records.
import {listTree, type TreeRecord} from '../analysis/listing.js';
import type {FileNode} from '../analysis/tree.js';
import {escapeName} from './escape.js';
import {columnWidth, modeString, padStart} from './format.js';

export function formatTree(root: FileNode): string {
	const records = listTree(root);
	const owners = records.map(record => `${record.uid}:${record.gid}`);
	const ownerWidth = columnWidth(owners);
	const sizeWidth = columnWidth(records.map(record => String(record.size)));
	const lines = records.map((record, index) => {
		const link = record.linkTarget === null ? '' : ` → ${record.type === 'hardlink' ? '/' : ''}${escapeName(record.linkTarget)}`;
		return `${modeString(record)} ${padStart(owners[index]!, ownerWidth)} ${padStart(String(record.size), sizeWidth)} ${escapeName(record.path)}${link}`;
	});
	return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export function treeJson(root: FileNode): TreeRecord[] {
	return listTree(root);
}
