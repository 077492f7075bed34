// The `tree` command's outputs: one line per entry, or JSON records. Both come as chunks, produced as the tree is
// walked (twice for the listing: once for the column widths), so a deep image's listing — O(nodes × depth) bytes
// of paths — is never one string.
import {type TreeRecord, treeRecords} from '../analysis/listing.js';
import type {FileNode} from '../analysis/tree.js';
import {escapeName} from './escape.js';
import {modeString, padStart} from './format.js';

/** Characters a chunk collects before it is handed on. */
const chunkChars = 64 * 1024;

/** The listing, `mode uid:gid size /path[ → target]` a line, in chunks of whole lines ('' never yielded). */
export function * treeChunks(root: FileNode): Generator<string> {
	let ownerWidth = 0;
	let sizeWidth = 0;
	for (const record of treeRecords(root)) {
		ownerWidth = Math.max(ownerWidth, `${record.uid}:${record.gid}`.length);
		sizeWidth = Math.max(sizeWidth, String(record.size).length);
	}

	let chunk = '';
	for (const record of treeRecords(root)) {
		const link = record.linkTarget === null ? '' : ` → ${record.type === 'hardlink' ? '/' : ''}${escapeName(record.linkTarget)}`;
		chunk += `${modeString(record)} ${padStart(`${record.uid}:${record.gid}`, ownerWidth)} ${padStart(String(record.size), sizeWidth)} ${escapeName(record.path)}${link}\n`;
		if (chunk.length >= chunkChars) {
			yield chunk;
			chunk = '';
		}
	}

	if (chunk !== '') {
		yield chunk;
	}
}

/** The whole listing as one string (small trees and tests; the CLI writes treeChunks). */
export function formatTree(root: FileNode): string {
	return [...treeChunks(root)].join('');
}

/** `tree --json`: the TreeRecord array as formatJson would print it (2-space indent), in chunks. */
export function * treeJsonChunks(root: FileNode): Generator<string> {
	let chunk = '';
	let first = true;
	for (const record of treeRecords(root)) {
		// JSON strings hold no raw newline: indenting every line of the record is safe.
		chunk += `${first ? '[\n' : ',\n'}  ${JSON.stringify(record, null, 2).replaceAll('\n', '\n  ')}`;
		first = false;
		if (chunk.length >= chunkChars) {
			yield chunk;
			chunk = '';
		}
	}

	yield `${chunk}${first ? '[]\n' : '\n]\n'}`;
}

export function treeJson(root: FileNode): TreeRecord[] {
	return [...treeRecords(root)];
}
