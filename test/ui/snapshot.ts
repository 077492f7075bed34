// Plain-text frame snapshots in snapshots/. They are rewritten only with LAYERSCOPE_UPDATE_SNAPSHOTS=1, and the
// guard test in frames.test.tsx fails while that flag is on, so it cannot be left on by accident.
import assert from 'node:assert/strict';
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {stripVTControlCharacters} from 'node:util';
import {repoRoot} from '../helpers/fixtures.js';

export const updateFlag = 'LAYERSCOPE_UPDATE_SNAPSHOTS';
export const snapshotDir = path.join(repoRoot, 'snapshots');

export function updating(): boolean {
	return process.env[updateFlag] === '1';
}

/** A frame as stored: no escape sequences, no trailing blanks. */
export function normaliseFrame(frame: string): string {
	return stripVTControlCharacters(frame).split('\n').map(line => line.trimEnd()).join('\n').trimEnd() + '\n';
}

export function assertSnapshot(name: string, frame: string): void {
	const file = path.join(snapshotDir, `${name}.txt`);
	const text = normaliseFrame(frame);
	if (updating()) {
		mkdirSync(snapshotDir, {recursive: true});
		writeFileSync(file, text);
		return;
	}

	assert.ok(existsSync(file), `missing snapshot ${path.relative(repoRoot, file)}: run the tests once with ${updateFlag}=1 and review it`);
	assert.equal(text, readFileSync(file, 'utf8'), `frame differs from ${path.relative(repoRoot, file)}`);
}
