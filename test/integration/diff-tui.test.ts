// The TUI with a real container: the writable layer is the top layer, selected, its tree marked against the
// image below. Compared with snapshots/diff-container-layer.txt; LAYERSCOPE_UPDATE_SNAPSHOTS=1 rewrites the file
// and then fails, so the flag cannot be left on.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {readFile, writeFile} from 'node:fs/promises';
import {test} from 'node:test';
import {render} from 'ink-testing-library';
import {createElement} from 'react';
import {loadContainerDiff, tuiData} from '../../src/cli/diff-command.js';
import {Browser} from '../../src/ui/components/browser.js';
import {BrowserModel} from '../../src/ui/state/model.js';
import {buildImage, docker, ensureBusyboxImage, removeContainers, removeImages, requireDocker} from '../helpers/docker.js';

const snapshot = new URL('../../snapshots/diff-container-layer.txt', import.meta.url);
// Names are in the frame: unique per run (concurrent runs must not collide), of fixed length, and the random
// part is replaced by xxxxxxxx before comparing.
const random = randomBytes(4).toString('hex');
const imageTag = `layerscope-test/dt-${random}`;
const container = `ls-diff-tui-${random}`;

const keys = {tab: '\t', ctrlU: '\u0015'} as const;

/** Write a key and wait until the frame changes (never a fixed sleep). */
async function press(stdin: {write(data: string): void}, lastFrame: () => string | undefined, key: string): Promise<void> {
	const before = lastFrame();
	stdin.write(key);
	for (let waited = 0; lastFrame() === before; waited += 5) {
		assert.ok(waited < 5000, `no new frame after key ${JSON.stringify(key)}`);
		await new Promise(resolve => setTimeout(resolve, 5));
	}
}

test('TUI frame: the container layer on top of its image', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	t.after(async () => {
		await removeContainers(container);
		await removeImages(imageTag);
	});
	const base = await ensureBusyboxImage();
	await buildImage(imageTag, `FROM ${base}
RUN mkdir -p /data/gone/deep && echo base > /data/append.txt && echo x > /data/gone/deep/f && echo m > /data/mode.txt
RUN echo again >> /data/append.txt
`);
	await docker('run', '--network', 'none', '--name', container, imageTag, 'sh', '-c',
		'head -c 1048576 /dev/zero > /data/big && echo more >> /data/append.txt && rm -rf /data/gone && ln -s /data/mode.txt /data/link && chmod 600 /data/mode.txt');
	const data = tuiData(await loadContainerDiff(container));
	assert.equal(data.containerLayer, 3);
	assert.equal(data.image.layers.length, 4);
	const model = new BrowserModel(data);
	const {lastFrame, stdin, unmount} = render(createElement(Browser, {
		model,
		viewport: {width: 120, height: 30},
		colors: false,
		onQuit() {},
		initial: {layer: data.containerLayer},
	}));
	// Into the file tree, then hide unmodified files: what is left is what the container changed.
	await press(stdin, lastFrame, keys.tab);
	await press(stdin, lastFrame, keys.ctrlU);
	const frame = `${lastFrame() ?? ''}\n`.replaceAll(random, 'xxxxxxxx');
	unmount();

	// What the frame must show whatever the layout: the layer, its size, the marks, the daemon's figure.
	assert.match(frame, /container \(writable\)/);
	assert.match(frame, /SizeRw/);
	assert.match(frame, /big/);
	assert.match(frame, /gone/);
	// The image's figures are the image's (2 MB of busybox and two small layers), the container's apart, labelled.
	assert.match(frame, /^Total Image size: 2\.0 MB /m);
	assert.match(frame, /^(Image \+ container|With container): 3\.0 MB, efficiency \d+ % /m);

	if (process.env['LAYERSCOPE_UPDATE_SNAPSHOTS'] === '1') {
		await writeFile(snapshot, frame);
		assert.fail('snapshot rewritten: run again without LAYERSCOPE_UPDATE_SNAPSHOTS');
	}

	assert.equal(frame, await readFile(snapshot, 'utf8'));
});
