// `layerscope diff` against a real daemon: containers made from an image built here, known changes, and the
// result checked against `docker diff` (paths and kinds), `docker inspect --size` (SizeRw) and the real sizes.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {xxh64} from '@node-rs/xxhash';
import type {ContainerChange} from '../../src/analysis/container-diff.js';
import {buildUnionTree, layerView, markKind} from '../../src/analysis/views.js';
import {type LoadedDiff, loadContainerDiff, runDiffCommand, tuiData} from '../../src/cli/diff-command.js';
import {type DiffJson, diffJson} from '../../src/report/diff.js';
import {type RequestCounter} from '../../src/sources/container.js';
import {SourceError} from '../../src/sources/types.js';
import {
	buildImage,
	byPath,
	docker,
	dockerAvailable,
	exportListing,
	ensureBusyboxImage,
	removeContainers,
	removeImages,
	requireDocker,
	uniqueTag,
} from '../helpers/docker.js';

const suffix = `${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
const imageTag = uniqueTag('diff');
const containers: string[] = [];
const images: string[] = [imageTag];

// Layer 1 creates /data, layer 2 appends to a file of layer 1.
const dockerfile = (base: string): string => `FROM ${base}
RUN mkdir -p /data/gone/deep /data/keep && echo base > /data/append.txt && echo x > /data/gone/deep/f && echo m > /data/mode.txt && echo t > /data/target
RUN echo again >> /data/append.txt
`;

// The known changes: a 1 MB file, an append, a deleted directory, a symlink, a mode change, a new directory
// with a hardlinked file, and a name with an escape sequence in it.
const changeScript = [
	'head -c 1048576 /dev/zero > /data/big',
	'echo more >> /data/append.txt',
	'rm -rf /data/gone',
	'ln -s /data/target /data/link',
	'chmod 600 /data/mode.txt',
	'mkdir -p /new/dir',
	'echo hello > /new/dir/hello.txt',
	'ln /new/dir/hello.txt /new/dir/hello2.txt',
	'echo evil > "/new/$(printf \'e\\033[31mvil\')"',
].join(' && ');

const expected = new Map<string, Partial<ContainerChange>>([
	['/data', {kind: 'modified', type: 'dir', size: 0, fromLayer: 2}],
	['/data/append.txt', {kind: 'modified', type: 'file', size: 16, previousSize: 11, fromLayer: 2, mode: 0o644}],
	['/data/big', {kind: 'added', type: 'file', size: 1_048_576, previousSize: null, fromLayer: null}],
	['/data/gone', {kind: 'deleted', type: 'dir', size: 0, previousSize: 2, fromLayer: 1}],
	['/data/link', {kind: 'added', type: 'symlink', size: '/data/target'.length, linkTarget: '/data/target'}],
	['/data/mode.txt', {kind: 'modified', type: 'file', size: 2, previousSize: 2, fromLayer: 1, mode: 0o600, uid: 0, gid: 0}],
	['/new', {kind: 'added', type: 'dir', size: 0}],
	['/new/dir', {kind: 'added', type: 'dir', size: 0}],
	['/new/dir/hello.txt', {kind: 'added', type: 'file', size: 6}],
	// The second name of a file: its bytes count once, as the daemon's SizeRw counts them (per inode).
	['/new/dir/hello2.txt', {kind: 'added', type: 'hardlink', size: 0, linkTarget: '/new/dir/hello.txt'}],
	['/new/e\u001B[31mvil', {kind: 'added', type: 'file', size: 5}],
]);

const letters: Record<string, ContainerChange['kind']> = {A: 'added', C: 'modified', D: 'deleted'};

/** `docker diff` as path → kind. */
async function dockerDiff(container: string): Promise<Map<string, ContainerChange['kind']>> {
	const out = await docker('diff', container);
	const result = new Map<string, ContainerChange['kind']>();
	for (const line of out.split('\n')) {
		if (line !== '') {
			result.set(line.slice(2), letters[line[0]!]!);
		}
	}

	return result;
}

async function sizeRw(container: string): Promise<number> {
	return Number((await docker('inspect', '--size', '--format', '{{.SizeRw}}', container)).trim());
}

function checkAgainstExpected(loaded: LoadedDiff): void {
	const byPath = new Map(loaded.diff.changes.map(change => [change.path, change]));
	for (const [path, fields] of expected) {
		const change = byPath.get(path);
		assert.ok(change, `missing ${JSON.stringify(path)}`);
		for (const [key, value] of Object.entries(fields)) {
			assert.deepEqual(change[key as keyof ContainerChange], value, `${JSON.stringify(path)} ${key}`);
		}
	}
}

async function checkDockerDiff(container: string, loaded: LoadedDiff): Promise<void> {
	const ours = new Map(loaded.diff.changes.map(change => [change.path, change.kind]));
	assert.deepEqual(new Map([...ours].sort()), new Map([...await dockerDiff(container)].sort()));
	assert.deepEqual(new Set(ours.keys()), new Set(expected.keys()));
}

let ready = false;

before(async () => {
	if (!await dockerAvailable()) {
		return;
	}

	const base = await ensureBusyboxImage();
	await buildImage(imageTag, dockerfile(base));
	ready = true;
});

after(async () => {
	await removeContainers(...containers);
	// A container the daemon failed to remove (left `dead`) goes on a second try.
	await removeContainers(...containers);
	await removeImages(...images);
});

function name(what: string): string {
	const value = `layerscope-test-diff-${what}-${suffix}`;
	containers.push(value);
	return value;
}

test('a stopped container: docker diff paths and kinds, real sizes, layers, SizeRw', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	assert.ok(ready);
	const container = name('stopped');
	await docker('run', '--network', 'none', '--name', container, imageTag, 'sh', '-c', changeScript);
	const counter: RequestCounter = {requests: 0};
	const loaded = await loadContainerDiff(container, {counter});
	await checkDockerDiff(container, loaded);
	checkAgainstExpected(loaded);
	assert.equal(loaded.diff.container.name, container);
	assert.equal(loaded.diff.container.state, 'exited');
	assert.equal(loaded.diff.container.image, imageTag);
	assert.equal(loaded.diff.container.imageId, (await docker('image', 'inspect', '--format', '{{.Id}}', imageTag)).trim());
	assert.deepEqual([loaded.diff.summary.added, loaded.diff.summary.modified, loaded.diff.summary.deleted], [7, 3, 1]);
	// Everything the container wrote is in a listed path here, so the sum matches the daemon's figure exactly.
	const daemonSize = await sizeRw(container);
	assert.equal(loaded.diff.summary.sizeRw, daemonSize);
	assert.equal(loaded.diff.summary.bytes, daemonSize);
	assert.equal(loaded.diff.summary.bytes, 1_048_576 + 16 + 12 + 2 + 6 + 5);
	// ping, inspect, image check, changes; then one archive request for the added /new (all 5 paths in it are
	// added) and one for /data (5 changed paths over 17 bytes of image files: cheaper than 5 requests); and one for
	// the content of /data/mode.txt (chmod only: same size as in the image, so its bytes decide "modified").
	assert.equal(counter.requests, 4 + 2 + 1);
	// The image side is the image itself: busybox + 2 layers.
	assert.equal(loaded.image.layers.length, 3);
	// One request a path gives the same: alone, the hardlink's second name looks like a plain file of the same size,
	// mtime, mode and owner as the first, so one more request (their directory) shows they are one file.
	const singlesCounter: RequestCounter = {requests: 0};
	const singles = await loadContainerDiff(container, {singlesOnly: true, counter: singlesCounter});
	assert.deepEqual(singles.diff.changes, loaded.diff.changes);
	assert.equal(singles.diff.summary.bytes, daemonSize);
	assert.equal(singlesCounter.requests, 4 + 10 + 1 + 1);
	// A subtree that streams more than its budget is abandoned; its paths are then read one by one (same result).
	const tight: RequestCounter = {requests: 0};
	const fallback = await loadContainerDiff(container, {bytesPerRequest: 1, slackBytes: 0, counter: tight});
	assert.deepEqual(fallback.diff.changes, loaded.diff.changes);
	// 4 + the abandoned /new + 5 paths in it + 5 paths of /data (17 image bytes > 4 × 1 byte: no subtree) + the
	// hardlink check of /new/dir + the content of /data/mode.txt.
	assert.equal(tight.requests, 4 + 1 + 5 + 5 + 1 + 1);
	// The container was only read.
	assert.equal((await docker('inspect', '--format', '{{.State.Status}}', container)).trim(), 'exited');
	await checkDockerDiff(container, loaded);
});

test('hardlinks across a new directory, the top level and an image directory count once: bytes == SizeRw, links as docker export has them, whatever the reads', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	assert.ok(ready);
	const container = name('hardlinks');
	// One 100000-byte file under four names (/out new, / top level, /etc from the image), and a copy with the same
	// size, mtime, mode and owner that is another file (cp -p): SizeRw counts 2 × 100000.
	await docker('run', '--network', 'none', '--name', container, imageTag, 'sh', '-c', [
		'mkdir /out',
		'head -c 100000 /bin/busybox > /out/blob.bin',
		'ln /out/blob.bin /out/blob-link.bin',
		'ln /out/blob.bin /blob-top.bin',
		'ln /out/blob.bin /etc/blob-etc.bin',
		'cp -p /out/blob.bin /etc/copy.bin',
	].join(' && '));
	const daemonSize = await sizeRw(container);
	assert.equal(daemonSize, 200_000);
	const exported = byPath(await exportListing(container));
	const names = ['/blob-top.bin', '/etc/blob-etc.bin', '/etc/copy.bin', '/out/blob-link.bin', '/out/blob.bin'];
	const expectedNames = names.map(path => {
		const record = exported.get(path)!;
		return [path, record.type, record.size, record.linkTarget === null ? null : `/${record.linkTarget}`];
	});
	// The first name in the export's walk carries the bytes; the copy is a file of its own.
	assert.deepEqual(expectedNames.map(item => item[1]), ['file', 'hardlink', 'file', 'hardlink', 'hardlink']);
	for (const [label, options] of [
		['planned reads (a subtree of the new /out, single paths elsewhere or /etc as a subtree)', {}],
		['one request a path', {singlesOnly: true}],
		['subtrees abandoned over budget, then single paths', {bytesPerRequest: 1, slackBytes: 0}],
		['subtrees wherever possible', {bytesPerRequest: 1e12}],
	] as const) {
		const loaded = await loadContainerDiff(container, options);
		assert.equal(loaded.diff.summary.bytes, daemonSize, label);
		const changes = new Map(loaded.diff.changes.map(change => [change.path, change]));
		assert.deepEqual(names.map(path => {
			const change = changes.get(path)!;
			return [path, change.type, change.size, change.linkTarget];
		}), expectedNames, label);
	}
});

test('the container layer marks a same-size edit modified and a touched file unmodified (content digests, as the image layers)', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	const tag = uniqueTag('diff-content');
	images.push(tag);
	await buildImage(tag, `FROM ${await ensureBusyboxImage()}\nRUN echo mode=fast > /etc/app.conf\n`);
	const container = name('content');
	// The daemon's change list compares size and mtime in whole seconds when the image's mtime has no nanoseconds
	// (a tar's never does): a same-size edit in the second the image was built is not listed at all. Wait past it.
	await docker('run', '--network', 'none', '--name', container, tag, 'sh', '-c', 'sleep 2 && sed -i s/fast/slow/ /etc/app.conf && touch /etc/passwd');
	const loaded = await loadContainerDiff(container);
	const changes = new Map(loaded.diff.changes.map(change => [change.path, change]));
	// The daemon lists both as changed (C): both were copied up.
	assert.equal(changes.get('/etc/app.conf')?.kind, 'modified');
	assert.equal(changes.get('/etc/passwd')?.kind, 'modified');
	assert.match(changes.get('/etc/app.conf')?.digest ?? '', /^xxh64:[\da-f]{16}$/);
	// The digest is the xxh64 of the container's bytes (sed's output), and `diff --json` carries it.
	assert.equal(changes.get('/etc/app.conf')?.digest, `xxh64:${xxh64(Buffer.from('mode=slow\n')).toString(16).padStart(16, '0')}`);
	assert.equal(diffJson(loaded.diff).changes.find(change => change.path === '/etc/app.conf')?.digest, changes.get('/etc/app.conf')?.digest);
	assert.equal(diffJson(loaded.diff).changes.find(change => change.path === '/etc/passwd')?.digest, changes.get('/etc/passwd')?.digest ?? null);
	const data = tuiData(loaded);
	const top = data.analysis.layers[data.containerLayer!]!;
	// Only the edit is a change of the layer: /etc keeps its header, /etc/passwd its bytes and metadata.
	assert.deepEqual([top.added, top.modified, top.removed], [0, 1, 0]);
	const union = buildUnionTree(data.image.layers.map(layer => layer.contents.entries));
	const view = layerView(union, data.containerLayer!, 'layer');
	assert.equal(markKind(view.mark[union.paths.indexOf('/etc/app.conf')]!), 'modified');
	assert.equal(markKind(view.mark[union.paths.indexOf('/etc/passwd')]!), 'unmodified');
});

test('a running container: same changes, sizes checked with stat inside the container', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	assert.ok(ready);
	const container = name('running');
	await docker('run', '-d', '--network', 'none', '--name', container, imageTag, 'sleep', '600');
	await docker('exec', container, 'sh', '-c', changeScript);
	const loaded = await loadContainerDiff(container);
	assert.equal(loaded.diff.container.state, 'running');
	await checkDockerDiff(container, loaded);
	checkAgainstExpected(loaded);
	for (const change of loaded.diff.changes) {
		if (change.kind === 'deleted' || change.path.includes('\u001B')) {
			continue;
		}

		const [size, mode, uid, gid] = (await docker('exec', container, 'stat', '-c', '%s %a %u %g', change.path)).trim().split(' ').map(Number);
		assert.equal(change.size, change.type === 'dir' || change.type === 'hardlink' ? 0 : size, change.path);
		assert.equal(change.mode, Number.parseInt(String(mode), 8), change.path);
		assert.deepEqual([change.uid, change.gid], [uid, gid], change.path);
	}

	assert.equal(loaded.diff.summary.bytes, await sizeRw(container));
	assert.equal((await docker('inspect', '--format', '{{.State.Status}}', container)).trim(), 'running');
});

test('the command: JSON on stdout, text with names escaped', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	assert.ok(ready);
	const container = name('json');
	await docker('run', '--network', 'none', '--name', container, imageTag, 'sh', '-c', changeScript);
	const id = (await docker('inspect', '--format', '{{.Id}}', container)).trim();
	let out = '';
	const io = {
		stdout(text: string) {
			out += text;
		},
		stderr() {
			assert.fail('nothing on stderr');
		},
		isTTY: false,
	};
	// By short id, JSON to stdout.
	assert.equal(await runDiffCommand({container: id.slice(0, 12), json: '-', tui: true, engine: 'docker', io}), 0);
	const json = JSON.parse(out) as DiffJson;
	assert.deepEqual(Object.keys(json), ['container', 'summary', 'changes']);
	assert.deepEqual(json.container, {id, name: container, image: imageTag, imageId: json.container.imageId, state: 'exited'});
	assert.deepEqual(json.summary, {added: 7, modified: 3, deleted: 1, bytes: 1_048_617, sizeRw: 1_048_617});
	assert.deepEqual(json.changes.map(change => change.path), [...expected.keys()].sort());
	assert.deepEqual(json.changes.find(change => change.path === '/data/append.txt'), {
		path: '/data/append.txt', kind: 'modified', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 16, previousSize: 11, fromLayer: 2, linkTarget: null, digest: null,
	});

	// Plain text when stdout is not a terminal, even with tui requested.
	out = '';
	assert.equal(await runDiffCommand({container, tui: true, engine: 'docker', io}), 0);
	assert.doesNotMatch(out, /\u001B/);
	assert.match(out, /^A {2}-rw-r--r-- {2}0:0 +5 B +- +- {2}\/new\/e\\x1b\[31mvil$/m);
	assert.match(out, /^C {2}-rw------- {2}0:0 +2 B +2 B +1 {2}\/data\/mode\.txt$/m);
	assert.match(out, /^D {2}drwxr-xr-x {2}0:0 +- +2 B +1 {2}\/data\/gone$/m);
	assert.match(out, /^A {2}lrwxrwxrwx {2}0:0 +12 B +- +- {2}\/data\/link → \/data\/target$/m);
	assert.match(out, /^Writable layer: 1\.05 MB in 11 changed paths \(daemon SizeRw 1\.05 MB\)$/m);
	assert.match(out, /^A {2}-rw-r--r-- {2}0:0 +0 B +- +- {2}\/new\/dir\/hello2\.txt {2}\(hardlink to \/new\/dir\/hello\.txt\)$/m);
});

async function rejectsOneLine(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
	await assert.rejects(promise, (error: unknown) => {
		assert.ok(error instanceof SourceError, `not a SourceError: ${String(error)}`);
		assert.match(error.message, pattern);
		assert.doesNotMatch(error.message, /\n/);
		return true;
	});
}

test('errors: no such container, invalid name, unreachable daemon', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	const io = {stdout() {}, stderr() {}, isTTY: false};
	await rejectsOneLine(runDiffCommand({container: `no-such-container-${suffix}`, tui: false, engine: 'docker', io}), /^no such container: no-such-container-/);
	await rejectsOneLine(runDiffCommand({container: '../images/json', tui: false, engine: 'docker', io}), /^invalid container name or id: \.\.\/images\/json$/);
	// An image reference where a container belongs: said so, with where to look.
	await rejectsOneLine(runDiffCommand({container: 'app:1', tui: false, engine: 'docker', io}), /^invalid container name or id: app:1 \(an image reference\? diff takes a container: docker ps -a lists them; layerscope app:1 analyses the image\)$/);
	const saved = process.env['DOCKER_HOST'];
	process.env['DOCKER_HOST'] = `unix:///tmp/layerscope-no-daemon-${suffix}.sock`;
	try {
		await rejectsOneLine(runDiffCommand({container: 'web-1', tui: false, engine: 'docker', io}), /^cannot connect to the Docker daemon at unix:\/\/\/tmp\/layerscope-no-daemon-.*\.sock: is it running\?/);
	} finally {
		if (saved === undefined) {
			delete process.env['DOCKER_HOST'];
		} else {
			process.env['DOCKER_HOST'] = saved;
		}
	}
});

test('error: the image of the container is no longer present', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	assert.ok(ready);
	const tag = uniqueTag('diff-gone');
	images.push(tag);
	await buildImage(tag, `FROM ${imageTag}\nRUN echo 1 > /one\n`);
	const container = name('image-gone');
	await docker('create', '--network', 'none', '--name', container, tag, 'true');
	await docker('rmi', '-f', tag);
	await rejectsOneLine(loadContainerDiff(container), /^the image of container layerscope-test-diff-image-gone-.* \(layerscope-test\/diff-gone-.*, [\da-f]{12}\) is no longer present/);
});

test('error: the container is removed while its paths are being read', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	assert.ok(ready);
	const container = name('removed');
	await docker('run', '-d', '--network', 'none', '--name', container, imageTag, 'sh', '-c', 'mkdir /many && cd /many && for i in $(seq 1 500); do echo $i > f$i; done && touch /ready && sleep 600');
	for (let tries = 0; tries < 200; tries++) {
		if (await docker('exec', container, 'ls', '/ready').then(() => true, () => false)) {
			break;
		}

		await new Promise(resolve => setTimeout(resolve, 100));
	}

	// One request a path (each takes the daemon tens of milliseconds), and the container goes once the change
	// list is in. The daemon itself sometimes fails that removal ("failed to remove root filesystem … directory
	// not empty": a request of ours had it mounted) and leaves the container `dead`; that is still a removal, and
	// the cleanup removes it again.
	let removal: Promise<unknown> | undefined;
	await rejectsOneLine(loadContainerDiff(container, {
		singlesOnly: true,
		concurrency: 1,
		onProgress() {
			removal ??= docker('rm', '-f', container).catch(() => undefined);
		},
	}), /^container layerscope-test-diff-removed-.* \([\da-f]{12}\) was removed while it was being read$/);
	await removal;
});
