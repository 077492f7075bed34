// The bundle's log-update (src/ui/bundle/log-update.ts) against ink's own: on a stream whose frames start at the
// screen's top left corner it writes only the changed lines, each at its row, and leaves the cursor where ink's whole
// write would; the first frame, a new terminal size, a stream not registered, go to ink's as before. The screen
// itself is checked in a real terminal: test/ui/tmux.test.ts (resizes, and every tmux test runs the bundle).
import assert from 'node:assert/strict';
import path from 'node:path';
import {Writable} from 'node:stream';
import {test} from 'node:test';
import {pathToFileURL} from 'node:url';
import logUpdate, {changedLines} from '../../src/ui/bundle/log-update.js';
import {framesAtHome} from '../../src/ui/frame-origin.js';
import {repoRoot} from '../helpers/fixtures.js';

type Log = ((text: string) => boolean) & {clear: () => void; sync: (text: string) => void};
// ink's package exports only its index: its log-update is imported by file.
const {default: inkLogUpdate} = await import(pathToFileURL(path.join(repoRoot, 'node_modules/ink/build/log-update.js')).href) as {default: {create: (stream: Writable) => Log}};

/** A terminal-like stream: its size, and what was written to it. */
function terminal(columns: number, rows: number): Writable & {columns: number; rows: number; written: string[]} {
	const written: string[] = [];
	const stream = new Writable({
		write(chunk: Buffer | string, _encoding, done) {
			written.push(String(chunk));
			done();
		},
	});
	return Object.assign(stream, {columns, rows, written});
}

const frame = (cursor: number): string => `${['title', 'header', ...Array.from({length: 5}, (_, row) => `${row === cursor ? '>' : ' '} row ${row}`)].join('\n')}\n`;

test('changedLines: the lines that differ at their rows (1-based), rows no longer used erased, the cursor after the frame', () => {
	assert.equal(changedLines(['a', 'b', 'c', ''], ['a', 'B', 'c', '']), '\u001B[2;1HB\u001B[K\u001B[4;1H');
	assert.equal(changedLines(['a', 'b', 'c', ''], ['a', '']), '\u001B[2;1H\u001B[K\u001B[3;1H\u001B[K\u001B[2;1H');
	assert.equal(changedLines(['a', ''], ['a', '']), '\u001B[2;1H');
});

test('frames at the top left corner: a cursor move writes its two lines; a new size, a whole frame as ink writes it', () => {
	const stream = terminal(40, 10);
	const reference = terminal(40, 10);
	framesAtHome.add(stream);
	const log = logUpdate.create(stream);
	const ink = inkLogUpdate.create(reference);
	// The first frame: ink's whole write.
	log(frame(0));
	ink(frame(0));
	assert.deepEqual(stream.written, reference.written);
	stream.written.length = 0;
	// A cursor move: rows 3 and 4 (1-based), then the cursor where ink leaves it (the line after the frame).
	assert.equal(log(frame(1)), true);
	assert.deepEqual(stream.written, ['\u001B[3;1H  row 0\u001B[K\u001B[4;1H> row 1\u001B[K\u001B[8;1H']);
	stream.written.length = 0;
	assert.equal(log(frame(1)), false, 'the same frame: nothing written');
	assert.deepEqual(stream.written, []);
	// ink's state follows: its clear erases the frame it holds, as ink's own does after the same frames.
	ink(frame(1));
	reference.written.length = 0;
	log.clear();
	ink.clear();
	assert.deepEqual(stream.written, reference.written);
	stream.written.length = 0;
	reference.written.length = 0;
	// After a clear, and after the terminal's size changed: whole frames again.
	log(frame(2));
	ink(frame(2));
	stream.columns = 30;
	reference.columns = 30;
	log(frame(3));
	ink(frame(3));
	assert.deepEqual(stream.written, reference.written);
});

test('a stream whose frames do not start at the top left corner: every frame as ink writes it', () => {
	const stream = terminal(40, 10);
	const reference = terminal(40, 10);
	const log = logUpdate.create(stream);
	const ink = inkLogUpdate.create(reference);
	for (const cursor of [0, 1, 2, 2, 4]) {
		log(frame(cursor));
		ink(frame(cursor));
	}

	assert.deepEqual(stream.written, reference.written);
});

test('the terminal got narrower and ink redrew its last frame, which wraps: the next frame is written whole, as ink writes it', () => {
	const stream = terminal(70, 10);
	framesAtHome.add(stream);
	const log = logUpdate.create(stream);
	const reference = terminal(70, 10);
	const ink = inkLogUpdate.create(reference);
	// Laid out for 70 columns: its header line is 66 wide.
	const wide = (cursor: number): string => frame(cursor).replace('header', 'header'.padEnd(66, '-'));
	log(wide(0));
	ink(wide(0));
	// 40 columns: ink's redraw of the last frame (its header wraps onto a second row), then the frame laid out anew.
	// (ink clears first when the width shrinks: node_modules/ink/build/ink.js, resized.)
	stream.columns = 40;
	reference.columns = 40;
	log.clear();
	ink.clear();
	for (const text of [wide(0), frame(1), frame(2)]) {
		log(text);
		ink(text);
	}

	// The wrapped frame's rows do not match its lines: the frame after it goes whole (as ink writes it), and only
	// once a whole frame fits, changed lines again.
	assert.deepEqual(stream.written.slice(0, 4), reference.written.slice(0, 4));
	assert.deepEqual(stream.written.slice(4), ['\u001B[4;1H  row 1\u001B[K\u001B[5;1H> row 2\u001B[K\u001B[8;1H']);
});
