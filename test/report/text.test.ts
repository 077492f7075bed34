import assert from 'node:assert/strict';
import {test} from 'node:test';
import {analyzeImage} from '../../src/analysis/analyze.js';
import type {LayerEntry, RawImage} from '../../src/analysis/types.js';
import {formatTextReport} from '../../src/report/text.js';

test('text report: the Duplicate files section, and 150,000 groups need no spread of every line', () => {
	const entries: LayerEntry[] = [];
	for (let index = 0; index < 150_000; index++) {
		for (const copy of ['a', 'b']) {
			entries.push({path: `${copy}/f${index}`, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1 + (index % 7), digest: `xxh64:${index.toString(16).padStart(16, '0')}`});
		}
	}

	const image: RawImage = {name: 'dups', tags: [], config: {id: '', os: '', architecture: '', created: ''}, layers: [
		{id: 'l', digest: '', diffId: '', command: '', created: '', contents: {entries, tarBytes: 0, blobBytes: 0, compression: 'none'}},
	]};
	const text = formatTextReport(analyzeImage(image));
	const section = text.slice(text.indexOf('Duplicate files'));
	assert.match(section, /^Duplicate files: 600 kB \(599994 bytes\) stored more than once\n {2}Copies {2}Size {2}Duplicated {2}Paths\n {2}2 {8}7 B {9}7 B {2}\/a\/f6\n {28}\/b\/f6\n/);
	assert.equal(section.split('\n').length, 2 + (150_000 * 2) + 1);
	assert.match(formatTextReport(analyzeImage({...image, layers: []})), /\nDuplicate files: none\n$/);
});

test('text report: commands read as typed (one backslash), escapes only where a reader could mistake them', () => {
	const command = "/bin/sh -c printf 'weird\\033[31mred\\n' \u001B[2J \\x1b";
	const image: RawImage = {name: 'cmd', tags: [], config: {id: '', os: '', architecture: '', created: ''}, layers: [
		{id: 'l', digest: '', diffId: '', command, created: '', contents: {entries: [], tarBytes: 0, blobBytes: 0, compression: 'none'}},
	]};
	const text = formatTextReport(analyzeImage(image));
	// As the TUI shows it: the typed \033 and \n stay single, the ESC byte is \x1b, a typed \x1b is doubled.
	assert.ok(text.includes("printf 'weird\\033[31mred\\n' \\x1b[2J \\\\x1b"), text);
	assert.ok(!text.includes('\u001B'));
});
