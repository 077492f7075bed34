// `layerscope diff` output without a daemon: the text report and JSON over a made-up diff, and how the command
// picks the TUI. (The daemon tests check the same outputs against real containers.)
import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {ContainerChange, ContainerDiff} from '../../src/analysis/container-diff.js';
import {runDiffCommand} from '../../src/cli/diff-command.js';
import {diffJson, diffNotes, formatDiffJson, formatDiffText} from '../../src/report/diff.js';

function change(path: string, kind: ContainerChange['kind'], fields: Partial<ContainerChange> = {}): ContainerChange {
	return {path, kind, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, previousSize: null, fromLayer: null, linkTarget: null, ...fields};
}

const diff: ContainerDiff = {
	container: {id: 'a'.repeat(64), name: 'web\u001B]0;pwned\u0007-1', image: 'app:1', imageId: `sha256:${'b'.repeat(64)}`, state: 'running', sizeRw: 2_000_010},
	summary: {added: 3, modified: 2, deleted: 2, bytes: 2_000_010, sizeRw: 2_000_010},
	changes: [
		change('/etc', 'modified', {type: 'dir', mode: 0o755, previousSize: 0, fromLayer: 0}),
		change('/etc/app.conf', 'modified', {size: 10, previousSize: 7, fromLayer: 2, mode: 0o600, uid: 1000, gid: 1000}),
		change('/srv/evil\u202Ename\uDCFF', 'added', {size: 2_000_000}),
		change('/srv/link', 'added', {type: 'symlink', mode: 0o777, linkTarget: '../\u001B[2Jx'}),
		change('/srv/gone-since', 'added', {type: 'unknown', mode: null, uid: null, gid: null, vanished: true}),
		change('/usr/share/doc', 'deleted', {type: 'dir', mode: 0o755, previousSize: 123_456, fromLayer: 1}),
		change('/.dockerenv', 'deleted', {type: 'unknown', mode: null, uid: null, gid: null}),
	],
};

test('text report: summary, a row per change, every name escaped', () => {
	const text = formatDiffText(diff);
	assert.doesNotMatch(text, /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202E]|[\uD800-\uDFFF]/);
	assert.deepEqual(text.split('\n').slice(0, 5), [
		`Container web\\x1b]0;pwned\\x07-1 (aaaaaaaaaaaa, running) on image app:1 (bbbbbbbbbbbb)`,
		'Writable layer: 2 MB in 7 changed paths (daemon SizeRw 2 MB)',
		'  added           3        2 MB',
		'  modified        2        10 B  (7 B in the image)',
		'  deleted         2              (123 kB in the image)',
	]);
	// Rows in the diff's order (built sorted by path); a symlink shows its target, a vanished path says so.
	assert.deepEqual(text.split('\n').slice(6), [
		'   Mode        UID:GID    Size  In image  Layer  Path',
		'C  drwxr-xr-x  0:0         0 B       0 B      0  /etc',
		'C  -rw-------  1000:1000  10 B       7 B      2  /etc/app.conf',
		'A  -rw-r--r--  0:0        2 MB         -      -  /srv/evil\\u{202e}name\\xff',
		'A  lrwxrwxrwx  0:0         0 B         -      -  /srv/link → ../\\x1b[2Jx',
		'A  ?---------  ?           0 B         -      -  /srv/gone-since  (gone before it could be read)',
		'D  drwxr-xr-x  0:0           -    123 kB      1  /usr/share/doc',
		'D  ?---------  ?             -         -      -  /.dockerenv',
		'',
	]);
});

test('text report of an empty diff', () => {
	const text = formatDiffText({...diff, summary: {added: 0, modified: 0, deleted: 0, bytes: 0, sizeRw: null}, changes: []});
	assert.match(text, /^Writable layer: 0 B in 0 changed paths \(the daemon reports no size\)$/m);
	assert.match(text, /No changes: the writable layer holds nothing the image does not\.\n$/);
});

test('text report of a diff with 150,000 changes: column widths need no spread of every row', () => {
	const changes = Array.from({length: 150_000}, (_, index) => change(`/data/file-${index}`, 'added', {size: index, uid: index % 3 === 0 ? 100_000 : 0}));
	const large: ContainerDiff = {...diff, summary: {added: changes.length, modified: 0, deleted: 0, bytes: 0, sizeRw: null}, changes};
	const lines = formatDiffText(large).split('\n');
	assert.equal(lines.length, 7 + changes.length + 1);
	assert.equal(lines[6], '   Mode        UID:GID      Size  In image  Layer  Path');
	assert.equal(lines.at(-2), 'A  -rw-r--r--  0:0        150 kB         -      -  /data/file-149999');
});

test('JSON: the documented shape, raw names (JSON escapes them), vanished only when set', () => {
	const json = diffJson(diff);
	assert.deepEqual(Object.keys(json), ['container', 'summary', 'changes']);
	assert.deepEqual(json.container, {id: 'a'.repeat(64), name: 'web\u001B]0;pwned\u0007-1', image: 'app:1', imageId: `sha256:${'b'.repeat(64)}`, state: 'running'});
	assert.deepEqual(json.summary, {added: 3, modified: 2, deleted: 2, bytes: 2_000_010, sizeRw: 2_000_010});
	assert.deepEqual(Object.keys(json.changes[0]!), ['path', 'kind', 'type', 'mode', 'uid', 'gid', 'size', 'previousSize', 'fromLayer', 'linkTarget', 'digest']);
	assert.equal(json.changes.find(item => item.path === '/srv/gone-since')?.vanished, true);
	const text = formatDiffJson(diff);
	// No raw control characters: JSON.stringify escapes them.
	assert.doesNotMatch(text, /[\u0000-\u0009\u000B-\u001F]/);
	assert.deepEqual(JSON.parse(text), json);
});

test('TUI notes: container, counts, the writable layer against SizeRw', () => {
	assert.deepEqual(diffNotes(diff), [
		['Container: web\u001B]0;pwned\u0007-1 (running)', 'web\u001B]0;pwned\u0007-1 (running)', 'web\u001B]0;pwned\u0007-1'],
		['docker diff: 3 A, 2 C, 2 D', 'diff: 3 A, 2 C, 2 D'],
		['Writable layer: 2.0 MB (SizeRw 2.0 MB)', 'Writable: 2.0 MB, SizeRw 2.0 MB', 'Written 2.0 MB/2.0 MB'],
		'1 path gone before read',
	]);
});

test('the command shows the TUI only on a terminal without --json; cancelling exits 130', async () => {
	const calls: string[] = [];
	const io = {stdout() {}, stderr() {}, isTTY: true};
	const fakeTui = (outcome: 'quit' | 'cancelled') => async (options: {title: string}) => {
		calls.push(options.title);
		return outcome;
	};

	assert.equal(await runDiffCommand({container: 'web-1', tui: true, engine: 'docker', io, runTui: fakeTui('quit')}), 0);
	assert.equal(await runDiffCommand({container: 'web-1', tui: true, engine: 'docker', io, runTui: fakeTui('cancelled')}), 130);
	assert.deepEqual(calls, ['container web-1', 'container web-1']);
});
