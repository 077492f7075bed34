// Rendered frames (ink-testing-library) for each pane and mode, compared with plain-text files in snapshots/.
// Keys go in as terminal bytes through ink's own input handling, exactly as in a terminal.
import assert from 'node:assert/strict';
import {before, test} from 'node:test';
import {analyzeImage} from '../../src/analysis/analyze.js';
import type {RawImage} from '../../src/analysis/types.js';
import {Browser} from '../../src/ui/components/browser.js';
import {BrowserModel} from '../../src/ui/state/model.js';
import type {UiState, Viewport} from '../../src/ui/state/types.js';
import {demoImage, diveFixture, loadArchive} from '../helpers/fixtures.js';
import {buildHostileImage, hostileShown} from '../helpers/hostile-image.js';
import {readImageArchive} from '../../src/archive/read-image.js';
import {Readable} from 'node:stream';
import {drive} from './ink-driver.js';
import {assertSnapshot, normaliseFrame, updateFlag, updating} from './snapshot.js';

let dive: BrowserModel;
let demo: BrowserModel;
let hostileModel: BrowserModel;

before(async () => {
	dive = new BrowserModel(await loadArchive(diveFixture('test-docker-image.tar')));
	demo = new BrowserModel(await loadArchive(await demoImage()));
	const image = await readImageArchive(Readable.from([await buildHostileImage()]), {name: 'hostile.tar'});
	hostileModel = new BrowserModel({image, analysis: analyzeImage(image)});
});

const size: Viewport = {width: 100, height: 32};

async function browse(model: BrowserModel, viewport: Viewport = size) {
	let quit = 0;
	const driven = await drive(<Browser model={model} viewport={viewport} colors={false} onQuit={() => {
		quit++;
	}}/>);
	return {...driven, quits: () => quit};
}

test(`the snapshot update flag (${updateFlag}) is off`, () => {
	assert.equal(updating(), false, `${updateFlag}=1 rewrites snapshots/: unset it and run the tests again`);
});

test('dive fixture: the layers pane has the focus at start', async () => {
	const ui = await browse(dive);
	const frame = ui.frame();
	assert.match(frame, /━━ Layers/);
	assert.match(frame, /^>● {2}0 {4}1\.2 MB {2}#\(nop\) ADD file:/m);
	assert.match(frame, /Image efficiency score: 98 %/);
	assert.match(frame, /Potential wasted space: 32 kB/);
	assert.match(frame, /│> {2}drwxr-xr-x {9}0:0 {5}1\.2 MB {2}├── bin/);
	assert.equal(normaliseFrame(frame).split('\n').length - 1, size.height, 'the frame fills the viewport exactly');
	assertSnapshot('dive-layers', frame);
	ui.unmount();
});

test('dive fixture: layer 7 in the tree pane, changes marked with glyphs', async () => {
	const ui = await browse(dive);
	await ui.press(...'jjjjjjj', 'tab', 'space');
	const frame = ui.frame();
	assert.match(frame, /━━ Current Layer Contents \(layer 7\)/);
	assert.match(frame, /^>● {2}7 /m);
	assert.match(frame, / - -rw-r--r-- {9}0:0 {5}6\.4 kB {2}│ {3}│ {3}└── somefile3\.t/);
	assert.match(frame, / \+ -rw-r--r-- {9}0:0 {5}6\.4 kB {2}│ {3}└── saved\.txt/);
	assert.match(frame, / ~ drwx------ {9}0:0 {6}19 kB {2}├── root/);
	assertSnapshot('dive-layer7-tree', frame);
	ui.unmount();
});

test('dive fixture: aggregated changes of layers 1-13', async () => {
	const ui = await browse(dive);
	await ui.press('ctrl+a', 'G', 'tab', 'space');
	const frame = ui.frame();
	assert.match(frame, /Aggregated Layer Contents \(layers 0-13\)/);
	assert.match(frame, / - drwxr-xr-x {9}0:0 {6}19 kB {2}│ {3}├── example/);
	assertSnapshot('dive-aggregated-13', frame);
	ui.unmount();
});

test('dive fixture: collapse all, hide unmodified, no attributes, sort by size', async () => {
	const ui = await browse(dive);
	await ui.press('tab', 'ctrl+space');
	assertSnapshot('dive-collapse-all', ui.frame());
	await ui.press('ctrl+space', 'shift+tab', ...'jjjjjjj', 'tab', 'ctrl+u');
	assert.match(ui.frame(), /●Added {2}\^R ●Removed {2}\^M ●Modified {2}\? Help {2}q Quit$/m, 'whole items only, help and quit kept');
	assertSnapshot('dive-hide-unmodified', ui.frame());
	await ui.press('ctrl+u', 'ctrl+b');
	assertSnapshot('dive-no-attributes', ui.frame());
	await ui.press('ctrl+b', 'space', 'ctrl+o');
	assert.match(ui.frame(), /· by size/);
	assertSnapshot('dive-sort-size', ui.frame());
	ui.unmount();
});

test('dive fixture: live filter, then an invalid regex is shown and the last valid filter kept', async () => {
	const ui = await browse(dive);
	await ui.press(...'jjjjjjj', 'tab', '/', ...'saved');
	assert.match(ui.frame(), /Filter \(regex on path\): saved▏/);
	assertSnapshot('dive-filter-live', ui.frame());
	await ui.press('(');
	assert.match(ui.frame(), /Filter \(regex on path\): saved\(▏ {2}✗ invalid regex: Unterminated group/);
	assert.match(ui.frame(), /saved\.txt/, 'the last valid filter stays in effect');
	assertSnapshot('dive-filter-invalid', ui.frame());
	await ui.press('esc');
	assert.doesNotMatch(ui.frame(), /Filter/);
	ui.unmount();
});

test('dive fixture: image details focused, full help', async () => {
	const ui = await browse(dive);
	await ui.press('shift+tab');
	assert.match(ui.frame(), /━━ Image details/);
	assertSnapshot('dive-image-focus', ui.frame());
	await ui.press('?');
	assert.match(ui.frame(), /File tree pane/);
	assertSnapshot('dive-help', ui.frame());
	await ui.press('q');
	assert.equal(ui.quits(), 1);
	ui.unmount();
});

test('narrow terminals: names get the room first — attribute columns go one by one, all below 60 columns', async () => {
	const medium = await browse(dive, {width: 90, height: 24});
	await medium.press('tab');
	assert.match(medium.frame(), /│ {3}Permission {7}Size {2}Filetree/, 'at 90 columns the owner column goes first');
	medium.unmount();
	const narrow = await browse(dive, {width: 80, height: 24});
	await narrow.press('tab');
	assert.match(narrow.frame(), /│ {9}Size {2}Filetree/, 'at 80 columns only the size stays');
	assert.match(narrow.frame(), /│> {6}1\.2 MB {2}├── bin/);
	assertSnapshot('dive-narrow-80', narrow.frame());
	narrow.unmount();
	const tiny = await browse(dive, {width: 55, height: 20});
	await tiny.press('tab');
	assert.doesNotMatch(tiny.frame(), /Permission/);
	assertSnapshot('dive-narrow-55', tiny.frame());
	tiny.unmount();
});

test('demo image: layers and the tree of its last layer', async () => {
	const ui = await browse(demo);
	assertSnapshot('demo-layers', ui.frame());
	await ui.press('G', 'tab');
	assertSnapshot('demo-last-layer-tree', ui.frame());
	ui.unmount();
});

test('a short terminal (60×20): the Layers title says which layers are in view, and follows the cursor', async () => {
	const ui = await browse(demo, {width: 60, height: 19});
	const title = () => normaliseFrame(ui.frame()).split('\n')[0]!.split('│')[0]!;
	assert.match(title(), /^━━ Layers ━+ (?:layer changes · )?1-\d of 6 ━$/);
	await ui.press('down', 'down', 'down', 'down');
	assert.match(title(), / \d-5 of 6 ━$/);
	ui.unmount();
});

test('a newcomer at 80×24 and 75×24 (23 rows drawn): every layer of the demo, ranges that stay and say what they count', async () => {
	for (const width of [80, 75]) {
		const ui = await browse(demo, {width, height: 23});
		let lines = normaliseFrame(ui.frame()).split('\n').map(line => line.split('│')[0]!);
		// The 6 layers are all in view (before: 3 of them, the list scrolled).
		for (let layer = 0; layer < 6; layer++) {
			assert.ok(lines.some(line => new RegExp(`^[> ][●○ ] ${layer} `).test(line)), `${width} columns: layer ${layer} in view`);
		}

		// Layer details keeps its range (a shorter title where the long one would push it out).
		assert.match(lines.find(line => /^[─━]{2} (?:Layer details|Details) /.test(line)) ?? '', / 1-6 of \d+ ─$/, `${width} columns`);
		// Image details says what its figure counts; with the focus it shows its table, and the range says whose.
		assert.match(lines.find(line => /^[─━]{2} Image/.test(line)) ?? '', / 4 (?:inefficient )?files ─$/, `${width} columns`);
		await ui.press('tab', 'tab', 'tab');
		lines = normaliseFrame(ui.frame()).split('\n').map(line => line.split('│')[0]!);
		assert.match(lines.find(line => /^━━ Image/.test(line)) ?? '', / files 1-2 of 4 ━$/, `${width} columns`);
		assert.ok(lines.some(line => /^(?:Count {2}Total Space|# +Space) {2}Path/.test(line)), `${width} columns: the table`);
		// Its two bundles read apart: the narrow table leaves the paths room to differ.
		assert.ok(lines.some(line => line.includes('static/bundle.js')) && lines.some(line => line.includes('old-bundle.js')), `${width} columns: the paths differ`);
		// The tree's title keeps the layer's change counts.
		assert.match(normaliseFrame(ui.frame()).split('\n')[0]!, /│── (?:Current Layer Contents \(layer 0\)|Layer 0 contents) ─* \+112 ~0 -0 ─$/, `${width} columns`);
		ui.unmount();
	}
});

test('a container\'s writable layer is labelled, with its notes in the image pane', async () => {
	const {image} = dive.data;
	const writable: RawImage = {
		...image,
		layers: [...image.layers, {
			id: 'container',
			digest: '',
			diffId: '',
			command: '',
			created: '',
			contents: {
				entries: [
					{path: 'root', type: 'dir', mode: 0o700, uid: 0, gid: 0, size: 0},
					{path: 'root/new.log', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1234},
					{path: 'somefile.txt', type: 'file', mode: 0, uid: 0, gid: 0, size: 0, whiteout: true},
				],
				tarBytes: 0,
				blobBytes: 0,
				compression: 'none',
			},
		}],
	};
	const model = new BrowserModel({image: writable, analysis: analyzeImage(writable), containerLayer: 14, notes: ['Container: web (running), SizeRw 1.2 kB']});
	const ui = await browse(model, {width: 100, height: 36});
	await ui.press('G', 'tab', 'space');
	const frame = ui.frame();
	assert.match(frame, /^>● 14 {4}1\.2 kB {2}container \(writa/m);
	assert.match(frame, /Layer: {3}14, container \(writable\)/);
	assert.match(frame, /Container: web \(running\)/);
	assert.match(frame, /^Potential wasted space: 32 kB /m, 'the image\'s own figures: dive\'s 32 kB, without the writable layer');
	assert.match(frame, /^With container: 1\.2 MB, 97 % /m, 'image and writable layer together, labelled');
	assert.match(frame, / - -rw-rw-r-- {9}0:0 {5}6\.4 kB {2}├── somefile\.txt/);
	assertSnapshot('container-layer', frame);
	ui.unmount();

	// At 80 columns a note too long for the pane takes its shorter wording, whole.
	const narrow = new BrowserModel({image: writable, analysis: analyzeImage(writable), containerLayer: 14, notes: [['Writable layer: 1.2 kB (SizeRw 1.2 kB)', 'Writable: 1.2 kB, SizeRw 1.2 kB', 'Written 1.2 kB/1.2 kB']]});
	const small = await browse(narrow, {width: 80, height: 24});
	const lines = small.frame().split('\n');
	assert.ok(lines.some(line => /^Written 1\.2 kB\/1\.2 kB +│/.test(line)), small.frame());
	assert.ok(lines.every(line => !line.includes('…') || !line.startsWith('Writ')), 'the note is never cut');
	small.unmount();
});

test('hostile names are escaped in every pane: nothing can move the cursor or set the title', async () => {
	const ui = await browse(hostileModel);
	await ui.press('j', 'tab', 'ctrl+b');
	const frame = ui.frame();
	// Only the frame's own newlines: no ESC, BEL, CR, TAB, C1 or bidi control anywhere.
	assert.doesNotMatch(frame, /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uD800-\uDFFF]/);
	for (const text of [...hostileShown, 'dir\\x1b[31mred', 'bidi\\u{202e}txt.exe', 'echo \\x1b]0;CMD\\x07 &&']) {
		assert.ok(frame.includes(text), `shows ${text}`);
	}

	assert.match(frame, /^\\↵ {2}echo second line/m, 'a backslash before a newline stays single (only one before x, u or an escape is doubled)');
	assertSnapshot('hostile-names', frame);
	ui.unmount();
});

test('every viewport size gives a frame of exactly its height, no line wider than it', async () => {
	for (const [width, height] of [[100, 8], [100, 12], [20, 10], [45, 15], [59, 30], [60, 30], [89, 24], [90, 24], [100, 60]] as const) {
		const ui = await browse(dive, {width, height});
		await ui.press('tab', '/', 'x');
		for (const frame of [ui.frame()]) {
			const lines = normaliseFrame(frame).split('\n').slice(0, -1);
			assert.equal(lines.length, height, `${width}×${height}: ${lines.length} lines`);
			for (const line of lines) {
				assert.ok([...line].length <= width, `${width}×${height}: line too wide: ${line}`);
			}

			// Each pane starts where the layout puts it: no pane spills into the next.
			const layout = dive.layout({viewport: {width, height}, filter: {open: true, text: 'x', applied: 'x', error: undefined}, tree: {attributes: true} as UiState['tree']});
			const starts: Array<[number, RegExp]> = [[0, /^[─━]{2} L/], [layout.layersHeight, /^[─━]{2} (?:L|D)/], [layout.layersHeight + layout.detailsHeight, /^[─━]{2} I/]];
			for (const [row, title] of starts) {
				if (row < layout.bodyHeight) {
					assert.match(lines[row] ?? '', title, `${width}×${height}: row ${row}`);
				}
			}

			assert.match(lines.at(-2) ?? '', /^Filter/, `${width}×${height}: filter line`);
			assert.doesNotMatch(frame, /\b1-0 of/, `${width}×${height}: an empty range in the image pane title`);
		}

		ui.unmount();
	}
});

test('a viewport below 20×8 (a terminal below 20×9): one message with the size needed, keys still work (q quits); at 20×8 the panes', async () => {
	for (const viewport of [{width: 30, height: 7}, {width: 19, height: 24}, {width: 12, height: 4}]) {
		const ui = await browse(demo, viewport);
		const lines = normaliseFrame(ui.frame()).split('\n').filter(line => line.trim() !== '');
		assert.ok(lines.length <= viewport.height, `${viewport.width}×${viewport.height}: ${lines.length} lines`);
		assert.ok(lines.every(line => line.length <= viewport.width), lines.join('\n'));
		assert.match(lines.join(' '), /Terminal/);
		assert.doesNotMatch(ui.frame(), /Layers|Filetree/);
		await ui.press('q');
		assert.equal(ui.quits(), 1);
		ui.unmount();
	}

	const ui = await browse(demo, {width: 20, height: 8});
	assert.match(ui.frame(), /Layers/);
	assert.doesNotMatch(ui.frame(), /too small/);
	ui.unmount();
});
