// runTui end to end with fake terminal streams: progress first, then the browser; quit, cancel while loading,
// and a failing load (unmounted, same error thrown).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {stripVTControlCharacters} from 'node:util';
import {type LoadProgress, type LoadedImage, renderOptions, runTui} from '../../src/ui/run.js';
import {streams, until} from '../helpers/fake-terminal.js';
import {diveFixture, loadArchive} from '../helpers/fixtures.js';

test('progress at once, then the browser; q quits and restores raw mode', async () => {
	const {stdout, stdin, options} = streams();
	let release!: (image: LoadedImage) => void;
	const loaded = loadArchive(diveFixture('test-docker-image.tar'));
	let progress!: (value: LoadProgress) => void;
	const result = runTui({
		...options,
		title: 'test-docker-image.tar',
		async load(onProgress) {
			progress = onProgress;
			return new Promise(resolve => {
				release = resolve;
			});
		},
	});
	await until(() => stdout.text().includes('layerscope · test-docker-image.tar'), 'the progress view');
	progress({phase: 'read', message: 'reading test-docker-image.tar', bytes: 1_523_200, totalBytes: 3_046_400, layersDone: 7, layersTotal: 14, entries: 226});
	await until(() => stdout.text().includes('Layers   7 of 14'), 'the progress figures');
	assert.match(stdout.text(), /^Reading test-docker-image\.tar$/m);
	assert.match(stdout.text(), /Bytes {4}1\.52 MB of 3\.05 MB \(50 %\)/);
	assert.match(stdout.text(), /Entries {2}226 \(\d+\/s\)/);
	release(await loaded);
	await until(() => stdout.text().includes('Image efficiency score: 98 %'), 'the browser');
	assert.equal(stdin.rawMode, true);
	stdin.write('q');
	assert.equal(await result, 'quit');
	assert.equal(stdin.rawMode, false, 'raw mode is off again');
});

test('Ctrl-C while loading aborts the load and resolves "cancelled"', async () => {
	const {stdout, stdin, options} = streams();
	let signal: AbortSignal | undefined;
	const result = runTui({
		...options,
		title: 'slow',
		async load(_onProgress, abort) {
			signal = abort;
			return new Promise((_resolve, reject) => {
				abort.addEventListener('abort', () => {
					reject(new Error('cancelled'));
				});
			});
		},
	});
	await until(() => stdout.text().includes('q or Ctrl-C cancels'), 'the progress view');
	stdin.write('\u0003');
	assert.equal(await result, 'cancelled');
	assert.equal(signal?.aborted, true);
	assert.equal(stdin.rawMode, false);
});

test('q while loading cancels too', async () => {
	const {stdout, stdin, options} = streams();
	const result = runTui({...options, title: 'slow', load: async () => new Promise<LoadedImage>(() => {})});
	await until(() => stdout.text().includes('q or Ctrl-C cancels'), 'the progress view');
	stdin.write('q');
	assert.equal(await result, 'cancelled');
});

test('a failing load unmounts the UI and rethrows the same error', async () => {
	const {stdout, stdin, options} = streams();
	const failure = new Error('no such image: nope');
	await assert.rejects(runTui({
		...options,
		title: 'nope',
		async load() {
			await until(() => stdout.text().includes('Starting'), 'the first frame');
			throw failure;
		},
	}), error => error === failure);
	assert.equal(stdin.rawMode, false);
	assert.equal(stdin.listenerCount('readable'), 0, 'nothing listens to stdin any more');
});

test('the alternate screen is entered and left', async () => {
	const {stdout, stdin, options} = streams();
	const loaded = await loadArchive(diveFixture('test-docker-image.tar'));
	const result = runTui({...options, alternateScreen: true, title: 'x', load: async () => loaded});
	await until(() => stdout.text().includes('Image efficiency score'), 'the browser');
	stdin.write('q');
	await result;
	assert.ok(stdout.output.startsWith('\u001B[?1049h'));
	assert.ok(stdout.output.endsWith('\u001B[?1049l'));
});

test('without a fixed viewport the terminal size is used, and a resize re-lays the panes', async () => {
	const {stdout, stdin, options} = streams();
	const loaded = await loadArchive(diveFixture('test-docker-image.tar'));
	const result = runTui({...options, viewport: undefined, title: 'x', load: async () => loaded});
	await until(() => stdout.text().includes('Image efficiency score'), 'the browser');
	// Where the column separator stands on the "Cmp" header line: the left column's width.
	const separatorAt = (text: string): number[] => text.split('\n').filter(line => line.startsWith('Cmp')).map(line => [...line].indexOf('│'));
	assert.deepEqual(new Set(separatorAt(stdout.text())), new Set([34]), '34 columns of 100');
	const before = stdout.output.length;
	stdout.columns = 70;
	stdout.rows = 20;
	stdout.emit('resize');
	await until(() => separatorAt(stripVTControlCharacters(stdout.output.slice(before))).includes(26), 'the 70-column layout (26 columns)');
	stdin.write('q');
	assert.equal(await result, 'quit');
});

test('ink render options: the chosen defaults, and LAYERSCOPE_INK_RENDER for the benchmark', () => {
	assert.deepEqual(renderOptions({}), renderOptions());
	assert.deepEqual(renderOptions({LAYERSCOPE_INK_RENDER: 'maxFps=60,incremental=1'}), {maxFps: 60, incrementalRendering: true});
	assert.deepEqual(renderOptions({LAYERSCOPE_INK_RENDER: 'maxFps=0,incremental=0'}).incrementalRendering, false);
});
