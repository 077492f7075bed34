// An image built here with one change of each kind per layer, read from the real daemon: the analysis equals the
// one of its `docker save` file, and the stacked layers equal `docker export` of a container made from it.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	analyze, buildImage, byPath, docker, ensureBusyboxImage, exportListing, readFromDaemon, readFromFile,
	removeContainers, removeImages, requireDocker, saveImage, stackedListing, tempDir, uniqueTag,
} from '../helpers/docker.js';

const steps = [
	// 1: files and directories to change later.
	'RUN mkdir -p /data/sub /gone/deep /perm && echo one > /data/keep.txt && echo temporary > /data/temp.txt'
	+ ' && echo original > /data/over.txt && echo target > /data/target.txt && echo deep > /gone/deep/f'
	+ ' && echo p > /perm/p && chown 1000:1001 /data/sub',
	// 2: a file written, then deleted.
	'RUN rm /data/temp.txt',
	// 3: a file overwritten (bigger).
	'RUN echo overwritten-with-more-bytes > /data/over.txt',
	// 4: modes changed, setuid included.
	'RUN chmod 4750 /perm/p && chmod 700 /data/sub',
	// 5: a symlink and a hardlink.
	'RUN ln -s target.txt /data/link && ln /data/target.txt /data/hard',
	// 6: a directory tree removed.
	'RUN rm -rf /gone',
];

test('daemon image: same analysis as its docker save file; stacked layers equal docker export', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	const base = await ensureBusyboxImage();
	const tag = uniqueTag('layers');
	t.after(async () => removeImages(tag));
	await buildImage(tag, `FROM ${base}\n${steps.join('\n')}\n`);

	const fromDaemon = await readFromDaemon(tag);
	assert.equal(fromDaemon.name, tag);
	assert.deepEqual(fromDaemon.tags, [tag]);
	assert.equal(fromDaemon.layers.length, 1 + steps.length);

	const file = await saveImage(tag, await tempDir(t));
	const fromFile = await readFromFile(file, 'saved.tar');
	const analysis = analyze(fromDaemon);
	assert.deepEqual(analysis, analyze(fromFile));

	// The analysis saw each change where it happened: [added, modified, removed] for layers 2..6.
	assert.deepEqual(analysis.layers.slice(2).map(layer => [layer.added, layer.modified, layer.removed]), [
		[0, 0, 1], // Rm /data/temp.txt
		[0, 1, 0], // /data/over.txt overwritten
		[0, 2, 0], // Chmod of /perm/p and /data/sub
		[2, 1, 0], // Symlink and hardlink added; the hardlink's target is copied up (modified)
		[0, 0, 3], // Rm -rf /gone: one whiteout removes the directory and the 2 paths below it
	]);
	// dive visits leaves only: /gone was a directory with children, so it is not wasted space; its files count once.
	assert.deepEqual(analysis.image.inefficiencies.map(inefficiency => inefficiency.path).sort(),
		['/data/over.txt', '/data/sub', '/data/target.txt', '/data/temp.txt', '/perm/p']);

	const container = (await docker('create', '--network', 'none', tag)).trim();
	t.after(async () => removeContainers(container));
	const exported = await exportListing(container);
	const stacked = stackedListing(fromDaemon);
	assert.deepEqual(stacked, exported);

	// And the listing itself is right, checked against what the Dockerfile did.
	const records = byPath(stacked);
	assert.equal(records.get('/data/temp.txt'), undefined);
	assert.equal(records.get('/gone'), undefined);
	assert.equal(records.get('/data/over.txt')?.size, 'overwritten-with-more-bytes\n'.length);
	assert.equal(records.get('/perm/p')?.mode, 0o4750);
	assert.deepEqual({...records.get('/data/sub')!}, {path: '/data/sub', type: 'dir', mode: 0o700, uid: 1000, gid: 1001, size: 0, linkTarget: null, digest: null});
	assert.equal(records.get('/data/link')?.type, 'symlink');
	assert.equal(records.get('/data/link')?.linkTarget, 'target.txt');
	const pair = [records.get('/data/hard')!, records.get('/data/target.txt')!];
	assert.deepEqual(pair.map(record => record.type).sort(), ['file', 'hardlink']);
});
