// Opaque whiteouts as overlay2 really writes them: a directory removed and made again in one RUN becomes an opaque
// directory in the layer (`DIR/.wh..wh..opq`). The stacked layers must still equal `docker export`.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	buildImage, byPath, docker, ensureBusyboxImage, exportListing, readFromDaemon, removeContainers, removeImages,
	requireDocker, run, saveImage, stackedListing, tempDir, uniqueTag,
} from '../helpers/docker.js';

const dockerfile = (base: string): string => `FROM ${base}
RUN mkdir -p /d/sub /e/sub/deeper /keep && echo a > /d/a && echo b > /d/sub/b && echo old > /e/sub/deeper/old && echo k > /keep/k
RUN rm -rf /d && mkdir /d && echo x > /d/new && rm -rf /e/sub && mkdir -p /e/sub/deeper && echo y > /e/sub/y
`;

test('daemon image with opaque whiteouts: the layer holds .wh..wh..opq; stacked layers equal docker export', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	const base = await ensureBusyboxImage();
	const tag = uniqueTag('opaque');
	t.after(async () => removeImages(tag));
	await buildImage(tag, dockerfile(base));

	// The layer really holds opaque markers (checked with tar, not with layerscope).
	const file = await saveImage(tag, await tempDir(t));
	const manifest = JSON.parse(await run('tar', ['-xOf', file, 'manifest.json'])) as Array<{Layers: string[]}>;
	const lastLayer = manifest[0]!.Layers.at(-1)!;
	const names = (await run('sh', ['-c', 'tar -xOf "$1" "$2" | tar -t', 'sh', file, lastLayer])).split('\n');
	assert.ok(names.includes('d/.wh..wh..opq'), names.join(' '));
	assert.ok(names.includes('e/sub/.wh..wh..opq'), names.join(' '));

	const image = await readFromDaemon(tag);
	const entries = image.layers.at(-1)!.contents.entries;
	assert.deepEqual(entries.filter(entry => entry.opaque === true).map(entry => entry.path).sort(), ['d', 'e/sub']);

	const container = (await docker('create', '--network', 'none', tag)).trim();
	t.after(async () => removeContainers(container));
	const stacked = stackedListing(image);
	const exported = await exportListing(container);
	assert.deepEqual(stacked, exported);
	// The comparison can tell: stacking without the opaque markers shows the old files again.
	const ignoringOpaque = {...image, layers: image.layers.map(layer => ({...layer, contents: {...layer.contents, entries: layer.contents.entries.filter(entry => entry.opaque !== true)}}))};
	assert.notDeepEqual(stackedListing(ignoringOpaque), exported);

	const paths = new Set(byPath(stacked).keys());
	for (const gone of ['/d/a', '/d/sub', '/d/sub/b', '/e/sub/deeper/old']) {
		assert.ok(!paths.has(gone), `${gone} hidden by the opaque directory`);
	}

	for (const kept of ['/d/new', '/e/sub/y', '/e/sub/deeper', '/keep/k']) {
		assert.ok(paths.has(kept), kept);
	}
});
