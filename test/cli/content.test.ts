// Reading files out of images: cat's lookup (layers, symlinks, removed files), reading only the needed layer,
// and extract into a directory or a tar, against archives built here in every format and compression.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {lstatSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, statSync, writeFileSync, mkdirSync, symlinkSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {PassThrough} from 'node:stream';
import {describe, test} from 'node:test';
import {localSource} from '../../src/sources/archive.js';
import {loadImageFrom} from '../../src/cli/load.js';
import {type BlobReadCounter, type LayerOpener, layerOpener} from '../../src/cli/layer-blob.js';
import {type ContentImage, contentImageOf, findFile, layerIndex, planExtract, streamFile} from '../../src/cli/content.js';
import {openImageForContent} from '../../src/cli/content-source.js';
import {extractToDirectory, extractToTar} from '../../src/cli/extract-writer.js';
import {type ArchiveFormat, type Compression, type FixtureLayer, buildImageArchive, writeOciLayout} from '../../scripts/lib/image-builder.js';
import {rejection} from '../helpers/common.js';

const big = Buffer.alloc(3 * 1024 * 1024, 'x');
const layers: FixtureLayer[] = [
	{command: 'base', entries: [
		{path: 'etc', type: 'dir', mode: 0o755},
		{path: 'etc/app.conf', content: 'version=1\n', mode: 0o644},
		{path: 'etc/gone.txt', content: 'bye\n'},
		{path: 'bin', type: 'dir'},
		{path: 'bin/tool', content: '#!/bin/sh\necho tool\n', mode: 0o755},
		{path: 'bin/tool-link', type: 'hardlink', linkTarget: 'bin/tool'},
		{path: 'data', type: 'dir'},
		{path: 'data/big.bin', content: big},
	]},
	{command: 'change', entries: [
		{path: 'etc', type: 'dir', mode: 0o755},
		{path: 'etc/app.conf', content: 'version=2\n', mode: 0o600},
		{path: 'etc/.wh.gone.txt', content: ''},
		{path: 'etc/current', type: 'symlink', linkTarget: 'app.conf'},
		{path: 'etc/abs', type: 'symlink', linkTarget: '/bin/tool'},
		{path: 'etc/escape', type: 'symlink', linkTarget: '../../../../etc/app.conf'},
		{path: 'etc/ctl.txt', content: 'a\u001B]0;pwned\u0007b\n'},
	]},
];

async function archive(format: ArchiveFormat, compression: Compression): Promise<string> {
	const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-content-'));
	const file = path.join(dir, 'image.tar');
	writeFileSync(file, await buildImageArchive(layers, {format, compression}));
	return file;
}

/** The lazy way `cat` opens an archive file or layout, or (`whole`) the image read first and its layers opened again. */
async function load(argument: string, whole = false): Promise<{image: ContentImage; open: LayerOpener; counter: BlobReadCounter}> {
	const counter = {bytes: 0};
	if (whole) {
		const source = localSource(argument);
		const raw = await loadImageFrom(source, {});
		const image = contentImageOf(raw, layerOpener(source, raw, counter));
		return {image, open: image.open, counter};
	}

	const image = await openImageForContent(argument, {}, counter);
	return {image, open: image.open, counter};
}

async function cat(argument: string, filePath: string, layer?: number, whole = false): Promise<{text: string; note?: string; bytesRead: number}> {
	const {image, open, counter} = await load(argument, whole);
	const target = await findFile(image, filePath, layerIndex(image, layer));
	const parts: Buffer[] = [];
	await streamFile(open, target, chunk => {
		parts.push(chunk);
	});
	return {text: Buffer.concat(parts).toString('latin1'), note: target.note, bytesRead: counter.bytes};
}

describe('cat', () => {
	for (const [format, compression] of [['docker25', 'none'], ['docker-legacy', 'none'], ['oci', 'gzip'], ['oci', 'zstd'], ['kaniko', 'gzip']] as const) {
		for (const whole of [false, true]) {
			test(`${format} ${compression}${whole ? ', read whole first' : ''}: final bytes, --layer, symlinks, hardlinks`, async () => {
				const file = await archive(format, compression);
				assert.equal((await cat(file, '/etc/app.conf', undefined, whole)).text, 'version=2\n');
				assert.equal((await cat(file, 'etc/app.conf', 0, whole)).text, 'version=1\n');
				assert.equal((await cat(file, '/etc/current', undefined, whole)).text, 'version=2\n');
				assert.equal((await cat(file, '/etc/abs', undefined, whole)).text, '#!/bin/sh\necho tool\n');
				assert.equal((await cat(file, '/etc/escape', undefined, whole)).text, 'version=2\n', '.. stops at the image root');
				assert.equal((await cat(file, '/bin/tool-link', undefined, whole)).text, '#!/bin/sh\necho tool\n');
				const removed = await cat(file, '/etc/gone.txt', 1, whole);
				assert.equal(removed.text, 'bye\n');
				assert.match(removed.note ?? '', /removed by layer 1; showing it as layer 0 had it/);
			});
		}
	}

	test('reads only the layers above the file (archive on disk: seeks; the 3 MiB base layer is never read)', async () => {
		for (const [format, compression] of [['docker25', 'none'], ['oci', 'gzip'], ['docker-legacy', 'none']] as const) {
			const file = await archive(format, compression);
			const {bytesRead} = await cat(file, '/etc/app.conf');
			assert.ok(bytesRead < 64 * 1024, `${format}: read ${bytesRead} bytes`);
			// The whole-image way reads the 3 MiB layer for its entries.
			const whole = await cat(file, '/etc/app.conf', undefined, true);
			assert.ok(whole.bytesRead < 64 * 1024, `${format}, whole: then read ${whole.bytesRead} bytes`);
		}
	});

	test('an OCI layout reads one blob', async () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-content-layout-'));
		await writeOciLayout(dir, layers, 'gzip');
		assert.equal((await cat(`oci:${dir}`, '/etc/app.conf')).text, 'version=2\n');
	});

	test('the bytes of a large file are exact', async () => {
		const file = await archive('oci', 'gzip');
		const {text} = await cat(file, '/data/big.bin');
		assert.equal(text.length, big.length);
		assert.ok(Buffer.from(text, 'latin1').equals(big));
	});

	test('missing paths name the nearest existing directory; directories and dangling links are refused', async () => {
		const file = await archive('docker25', 'none');
		const {image} = await load(file);
		assert.equal((await rejection(findFile(image, '/etc/nope/x', 1))).message,
			'/etc/nope/x does not exist at layer 1; the nearest existing directory is /etc');
		assert.match((await rejection(findFile(image, '/etc', 1))).message, /is a directory at layer 1: use `layerscope extract`/);
		assert.throws(() => layerIndex(image, 7), /--layer 7 does not exist: the image has layers 0 to 1/);
	});
});

function listTree(root: string): string[] {
	const out: string[] = [];
	const walk = (dir: string, prefix: string): void => {
		for (const name of readdirSync(dir).sort()) {
			const full = path.join(dir, name);
			const stat = lstatSync(full);
			const rel = prefix === '' ? name : `${prefix}/${name}`;
			if (stat.isSymbolicLink()) {
				out.push(`${rel} -> ${readlinkSync(full)}`);
			} else if (stat.isDirectory()) {
				out.push(`${rel}/ ${(stat.mode & 0o7777).toString(8)}`);
				walk(full, rel);
			} else {
				out.push(`${rel} ${(stat.mode & 0o7777).toString(8)} ${stat.size} nlink=${stat.nlink}`);
			}
		}
	};

	walk(root, '');
	return out;
}

describe('extract', () => {
	test('a subtree into a new directory: contents, modes, links, hardlinks', async () => {
		const file = await archive('oci', 'zstd');
		const {image, open} = await load(file);
		const out = path.join(mkdtempSync(path.join(tmpdir(), 'layerscope-extract-')), 'new', 'dir');
		const result = await extractToDirectory(await planExtract(image, '/', 1), open, out);
		assert.deepEqual(listTree(out), [
			'bin/ 755',
			'bin/tool 755 20 nlink=2',
			'bin/tool-link 755 20 nlink=2',
			'data/ 755',
			`data/big.bin 644 ${big.length} nlink=1`,
			'etc/ 755',
			'etc/abs -> /bin/tool',
			'etc/app.conf 600 10 nlink=1',
			'etc/ctl.txt 644 13 nlink=1',
			'etc/current -> app.conf',
			'etc/escape -> ../../../../etc/app.conf',
		]);
		assert.equal(readFileSync(path.join(out, 'etc/app.conf'), 'utf8'), 'version=2\n');
		assert.equal(statSync(path.join(out, 'etc/app.conf')).mtime.toISOString(), '2024-01-01T00:00:00.000Z');
		assert.equal(result.files, 4);
		assert.equal(result.hardlinks, 1);
	});

	test('a directory\'s contents go directly below the output; a file keeps its name', async () => {
		const file = await archive('docker25', 'gzip');
		const {image, open} = await load(file);
		const base = mkdtempSync(path.join(tmpdir(), 'layerscope-extract-'));
		await extractToDirectory(await planExtract(image, '/etc', 0), open, path.join(base, 'etc0'));
		assert.deepEqual(readdirSync(path.join(base, 'etc0')).sort(), ['app.conf', 'gone.txt']);
		assert.equal(readFileSync(path.join(base, 'etc0/app.conf'), 'utf8'), 'version=1\n');
		await extractToDirectory(await planExtract(image, '/bin/tool', 1), open, path.join(base, 'one'));
		assert.deepEqual(readdirSync(path.join(base, 'one')), ['tool']);
	});

	test('a non-empty output is refused without --force; with --force a planted symlink is replaced, not followed', async () => {
		const file = await archive('docker25', 'none');
		const {image, open} = await load(file);
		const base = mkdtempSync(path.join(tmpdir(), 'layerscope-extract-'));
		const outside = path.join(base, 'outside');
		mkdirSync(outside);
		const out = path.join(base, 'out');
		mkdirSync(out);
		symlinkSync(outside, path.join(out, 'etc'));
		writeFileSync(path.join(out, 'keep'), 'mine');
		const error = await rejection(extractToDirectory(await planExtract(image, '/', 1), open, out));
		assert.match(error.message, /is not empty: name a new or empty directory, or add --force/);
		await extractToDirectory(await planExtract(image, '/', 1), open, out, {force: true});
		assert.deepEqual(readdirSync(outside), [], 'nothing written through the planted link');
		assert.ok(lstatSync(path.join(out, 'etc')).isDirectory());
		assert.equal(readFileSync(path.join(out, 'keep'), 'utf8'), 'mine');
	});

	test('--same-owner restores owners and setuid bits (as root); without it they are not kept', {skip: process.getuid?.() === 0 ? false : 'needs root'}, async () => {
		const file = path.join(mkdtempSync(path.join(tmpdir(), 'layerscope-owner-')), 'image.tar');
		writeFileSync(file, await buildImageArchive([{entries: [
			{path: 'srv', type: 'dir', uid: 1000, gid: 1001, mode: 0o750},
			{path: 'srv/suid', content: 'x', uid: 1000, gid: 1001, mode: 0o4755},
		]}], {format: 'docker25'}));
		const {image, open} = await load(file);
		const base = mkdtempSync(path.join(tmpdir(), 'layerscope-owner-out-'));
		await extractToDirectory(await planExtract(image, '/', 0), open, path.join(base, 'kept'), {sameOwner: true});
		const kept = statSync(path.join(base, 'kept/srv/suid'));
		assert.deepEqual([kept.uid, kept.gid, kept.mode & 0o7777], [1000, 1001, 0o4755]);
		assert.deepEqual([statSync(path.join(base, 'kept/srv')).uid, statSync(path.join(base, 'kept/srv')).mode & 0o777], [1000, 0o750]);
		await extractToDirectory(await planExtract(image, '/', 0), open, path.join(base, 'plain'));
		const plain = statSync(path.join(base, 'plain/srv/suid'));
		assert.deepEqual([plain.uid, plain.mode & 0o7777], [0, 0o755]);
	});

	test('--output - writes the same tree as a tar stream (GNU tar lists it)', async () => {
		const file = await archive('docker25', 'none');
		const {image, open} = await load(file);
		const sink = new PassThrough();
		const parts: Buffer[] = [];
		sink.on('data', (chunk: Buffer) => parts.push(chunk));
		await extractToTar(await planExtract(image, '/etc', 1), open, sink);
		const tarFile = path.join(mkdtempSync(path.join(tmpdir(), 'layerscope-extract-')), 'out.tar');
		writeFileSync(tarFile, Buffer.concat(parts));
		const listing = spawnSync('tar', ['-tvf', tarFile], {encoding: 'utf8'});
		assert.equal(listing.status, 0, listing.stderr);
		const names = listing.stdout.trim().split('\n').map(line => line.replace(/^.*\d\d:\d\d /, '')).sort();
		assert.deepEqual(names, ['./', 'abs -> /bin/tool', 'app.conf', 'ctl.txt', 'current -> app.conf', 'escape -> ../../../../etc/app.conf']);
		const unpacked = path.join(path.dirname(tarFile), 'x');
		mkdirSync(unpacked);
		assert.equal(spawnSync('tar', ['-xf', tarFile, '-C', unpacked]).status, 0);
		assert.equal(readFileSync(path.join(unpacked, 'app.conf'), 'utf8'), 'version=2\n');
		assert.ok(!existsSync(path.join(unpacked, 'gone.txt')));
	});
});
