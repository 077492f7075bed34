// `layerscope cat` and `layerscope extract` through the built CLI: exact bytes to a pipe, one-line errors with
// exit 2, extraction into a directory and as a tar, and a hostile archive that tries to write outside.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, test} from 'node:test';
import tarStream from 'tar-stream';
import {buildImageArchive, collectPack, type FixtureLayer} from '../../scripts/lib/image-builder.js';
import {runCli} from '../helpers/cli.js';
import {buildImageFromLayerTars} from '../helpers/raw-image.js';

const layers: FixtureLayer[] = [
	{entries: [
		{path: 'etc', type: 'dir'},
		{path: 'etc/app.conf', content: 'version=1\n'},
		{path: 'bin', type: 'dir'},
		{path: 'bin/tool', content: Buffer.from([0x7F, 0x45, 0x4C, 0x46, 0, 0, 1, 2, 0x1B, 0x5B]), mode: 0o755},
	]},
	{entries: [
		{path: 'etc/app.conf', content: 'version=2\n\u001B]0;title\u0007\n'},
		{path: 'etc/link', type: 'symlink', linkTarget: '/etc/app.conf'},
	]},
];

function tempFile(name: string): string {
	return path.join(mkdtempSync(path.join(tmpdir(), 'layerscope-content-cli-')), name);
}

async function imageFile(imageLayers: readonly FixtureLayer[] = layers): Promise<string> {
	const file = tempFile('image.tar');
	writeFileSync(file, await buildImageArchive(imageLayers, {format: 'docker25', compression: 'gzip'}));
	return file;
}

describe('cat (CLI)', () => {
	test('exact bytes to a pipe, escapes included; --layer; symlinks followed', async () => {
		const file = await imageFile();
		const top = await runCli(['cat', file, '/etc/app.conf']);
		assert.equal(top.code, 0, top.stderr);
		assert.equal(top.stdout, 'version=2\n\u001B]0;title\u0007\n');
		assert.equal((await runCli(['cat', file, '/etc/app.conf', '--layer', '0'])).stdout, 'version=1\n');
		assert.equal((await runCli(['cat', file, 'etc/link'])).stdout, 'version=2\n\u001B]0;title\u0007\n');
		const removed = await runCli(['cat', file, '/etc/link', '--layer', '0']);
		assert.equal(removed.code, 2, 'not there yet at layer 0');
	});

	test('errors are one line with exit 2', async () => {
		const file = await imageFile();
		for (const [args, message] of [
			[['cat', file, '/etc/nope'], /^layerscope: \/etc\/nope does not exist at layer 1; the nearest existing directory is \/etc\n$/],
			[['cat', file, '/etc'], /^layerscope: \/etc is a directory at layer 1: use `layerscope extract` for a subtree\n$/],
			[['cat', file, '/etc/app.conf', '--layer', '5'], /^layerscope: --layer 5 does not exist: the image has layers 0 to 1\n$/],
			[['cat', file, '/etc/app.conf', '--layer', 'x'], /^layerscope: --layer wants a layer index/],
			[['cat', file], /^layerscope: cat needs a path in the image/],
			[['cat', '-', '/etc/app.conf'], /stdin cannot be read twice/],
		] as const) {
			const result = await runCli(args, {input: args[1] === '-' ? readFileSync(file) : undefined});
			assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
			assert.match(result.stderr, message);
			assert.equal(result.stderr.trim().split('\n').length, 1);
		}
	});
});

/** Removals through an ancestor (rm -rf, an opaque directory, a file in a directory's place) and dangling links. */
const removals: FixtureLayer[] = [
	{entries: [
		{path: 'var', type: 'dir'}, {path: 'var/cache', type: 'dir'}, {path: 'var/cache/pkg', type: 'dir'},
		{path: 'var/cache/pkg/a.pkg', content: 'package a\n'},
		{path: 'srv', type: 'dir'}, {path: 'srv/static', type: 'dir'}, {path: 'srv/static/x', type: 'dir'},
		{path: 'srv/static/x/b.js', content: 'bundle\n'},
		{path: 'opt', type: 'dir'}, {path: 'opt/tool', type: 'dir'}, {path: 'opt/tool/run', content: 'run\n'},
		{path: 'data', type: 'dir'},
		{path: 'data/link', type: 'symlink', linkTarget: '../nowhere/file'},
		{path: 'data/odd', type: 'symlink', linkTarget: '/opt/tool/run/x'},
		{path: 'data/esc', type: 'symlink', linkTarget: '/\u001B[31mred'},
	]},
	{entries: [{path: 'var', type: 'dir'}, {path: 'var/cache', type: 'dir'}, {path: 'var/cache/.wh.pkg'}]},
	{entries: [
		{path: 'srv', type: 'dir'}, {path: 'srv/static', type: 'dir'}, {path: 'srv/static/.wh..wh..opq'},
		{path: 'srv/static/index.html', content: 'index\n'},
		{path: 'opt', type: 'dir'}, {path: 'opt/tool', content: 'now a file\n'},
	]},
];

describe('removed and dangling paths (CLI)', () => {
	test('a file removed with its directory (rm -rf, an opaque directory, a file in its place) is shown as last present', async () => {
		const file = await imageFile(removals);
		for (const [filePath, removedBy, bytes] of [
			['/var/cache/pkg/a.pkg', 1, 'package a\n'],
			['/srv/static/x/b.js', 2, 'bundle\n'],
			['/opt/tool/run', 2, 'run\n'],
		] as const) {
			const result = await runCli(['cat', file, filePath]);
			assert.equal(result.code, 0, result.stderr);
			assert.equal(result.stdout, bytes);
			assert.equal(result.stderr, `layerscope: ${filePath} was removed by layer ${removedBy}; showing it as layer ${removedBy - 1} had it\n`);
		}

		const never = await runCli(['cat', file, '/var/cache/pkg/none']);
		assert.equal(never.code, 2);
		assert.equal(never.stderr, 'layerscope: /var/cache/pkg/none does not exist at layer 2; the nearest existing directory is /var/cache\n');
	});

	test('removed, then its directory replaced by a file: the note names the layer that took it away', async () => {
		const file = await imageFile([
			{entries: [{path: 'a', type: 'dir'}, {path: 'a/b', type: 'dir'}, {path: 'a/b/c', content: 'c\n'}]},
			{entries: [{path: 'a', type: 'dir'}, {path: 'a/.wh.b'}]},
			{entries: [{path: 'x', content: 'unrelated\n'}]},
			{entries: [{path: 'a', type: 'dir'}, {path: 'a/b', content: 'now a file\n'}]},
		]);
		const result = await runCli(['cat', file, '/a/b/c']);
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stdout, 'c\n');
		assert.equal(result.stderr, 'layerscope: /a/b/c was removed by layer 1; showing it as layer 0 had it\n');
	});

	test('a directory replaced by a symlink (/lib become a link to usr/lib): what was only in the old directory is removed', async () => {
		const file = await imageFile([
			{entries: [{path: 'lib', type: 'dir'}, {path: 'lib/old.so', content: 'old\n'}, {path: 'usr', type: 'dir'}, {path: 'usr/lib', type: 'dir'}, {path: 'usr/lib/new.so', content: 'new\n'}]},
			{entries: [{path: 'lib', type: 'symlink', linkTarget: 'usr/lib'}]},
		]);
		const old = await runCli(['cat', file, '/lib/old.so']);
		assert.equal(old.code, 0, old.stderr);
		assert.equal(old.stdout, 'old\n');
		assert.equal(old.stderr, 'layerscope: /lib/old.so was removed by layer 1; showing it as layer 0 had it\n');
		assert.equal((await runCli(['cat', file, '/lib/new.so'])).stdout, 'new\n');
		const none = await runCli(['cat', file, '/lib/none.so']);
		assert.equal(none.stderr, 'layerscope: /lib/none.so does not exist at layer 1; the nearest existing directory is /usr/lib\n');
	});

	test('a removed directory: cat and extract give one answer, extract writes it as last present', async () => {
		const file = await imageFile(removals);
		const cat = await runCli(['cat', file, '/var/cache/pkg', '--layer', '1']);
		assert.equal(cat.code, 2);
		assert.equal(cat.stderr, 'layerscope: /var/cache/pkg was removed by layer 1; layer 0 had it as a directory: use `layerscope extract` for a subtree\n');
		const out = tempFile('out');
		const extract = await runCli(['extract', file, '/var/cache/pkg', '--layer', '1', '--output', out]);
		assert.equal(extract.code, 0, extract.stderr);
		assert.match(extract.stderr, /^layerscope: \/var\/cache\/pkg was removed by layer 1; extracting it as layer 0 had it\nextracted \/var\/cache\/pkg \(layer 0\) to .*: 1 file,/);
		assert.deepEqual(readdirSync(out), ['a.pkg']);
		assert.equal(readFileSync(path.join(out, 'a.pkg'), 'utf8'), 'package a\n');
		const missing = await runCli(['extract', file, '/var/cache/pkg/none', '--output', tempFile('none')]);
		assert.equal(missing.code, 2);
		assert.equal(missing.stderr, 'layerscope: /var/cache/pkg/none does not exist at layer 2; the nearest existing directory is /var/cache\n');
	});

	test('a dangling symlink names its target and the missing component (escaped), exit 2', async () => {
		const file = await imageFile(removals);
		for (const [filePath, message] of [
			['/data/link', '/data/link is a symlink to ../nowhere/file, which does not exist at layer 2: there is no /nowhere'],
			['/data/link/more', '/data/link/more does not exist at layer 2: /data/link is a symlink to ../nowhere/file, which does not exist at layer 2: there is no /nowhere'],
			['/data/odd', '/data/odd is a symlink to /opt/tool/run/x, which does not exist at layer 2: /opt/tool is not a directory'],
			['/data/esc', '/data/esc is a symlink to /\\x1b[31mred, which does not exist at layer 2: there is no /\\x1b[31mred'],
		] as const) {
			const result = await runCli(['cat', file, filePath]);
			assert.equal(result.code, 2, result.stderr);
			assert.equal(result.stderr, `layerscope: ${message}\n`);
			if (filePath.endsWith('/more')) {
				const extract = await runCli(['extract', file, filePath, '--output', tempFile('dangling')]);
				assert.equal(extract.code, 2, extract.stderr);
				assert.equal(extract.stderr, result.stderr, 'extract: the same line');
			}
		}

		// extract of the link itself writes the link (as links are extracted).
		const out = tempFile('link');
		assert.equal((await runCli(['extract', file, '/data/link', '--output', out])).code, 0);
		assert.equal(readlinkSync(path.join(out, 'link')), '../nowhere/file');
	});
});

describe('extract (CLI)', () => {
	test('into a new directory, then refused when not empty, then --force', async () => {
		const file = await imageFile();
		const out = tempFile('out');
		const first = await runCli(['extract', file, '/', '--output', out]);
		assert.equal(first.code, 0, first.stderr);
		assert.match(first.stderr, /^extracted \/ \(layer 1\) to .*out: 2 files, 2 directories, 1 symlink, 31 B\n$/);
		assert.equal(readFileSync(path.join(out, 'etc/app.conf'), 'utf8'), 'version=2\n\u001B]0;title\u0007\n');
		assert.equal(lstatSync(path.join(out, 'bin/tool')).mode & 0o777, 0o755);
		const again = await runCli(['extract', file, '/etc', '-o', out]);
		assert.equal(again.code, 2);
		assert.match(again.stderr, /is not empty: name a new or empty directory, or add --force/);
		assert.equal((await runCli(['extract', file, '/etc', '-o', out, '--force'])).code, 0);
		assert.equal((await runCli(['extract', file, '/etc'])).code, 2, '--output is required');
	});

	test('--output - is a tar that GNU tar reads', async () => {
		const file = await imageFile();
		const result = spawnSync(process.execPath, ['bin/layerscope.js', 'extract', file, '/etc', '--output', '-', '--layer', '0'], {encoding: 'buffer'});
		assert.equal(result.status, 0, result.stderr.toString());
		const tarFile = tempFile('out.tar');
		writeFileSync(tarFile, result.stdout);
		const listing = spawnSync('tar', ['-tf', tarFile], {encoding: 'utf8'});
		assert.deepEqual(listing.stdout.trim().split('\n').sort(), ['./', 'app.conf']);
	});

	test('a hostile image cannot write outside the output', async () => {
		// Names with ../ and absolute paths, a symlink to a directory outside, then a file "through" it, and a
		// hardlink to a path outside.
		const base = mkdtempSync(path.join(tmpdir(), 'layerscope-hostile-extract-'));
		const outside = path.join(base, 'outside');
		mkdirSync(outside);
		const pack = tarStream.pack();
		const add = (header: Partial<tarStream.Header> & {name: string}, body?: string): void => {
			pack.entry(header, body ?? '');
		};

		add({name: '../../../escape-dotdot.txt', size: 3, type: 'file'}, 'bad');
		add({name: `/${outside.slice(1)}/escape-absolute.txt`, size: 3, type: 'file'}, 'bad');
		add({name: 'jump', type: 'symlink', linkname: outside});
		add({name: 'jump/escape-through-link.txt', size: 3, type: 'file'}, 'bad');
		add({name: 'hard', type: 'link', linkname: '../../../../etc/passwd'});
		pack.finalize();
		const file = path.join(base, 'hostile.tar');
		writeFileSync(file, await buildImageFromLayerTars([await collectPack(pack)]));
		const out = path.join(base, 'out');
		const result = await runCli(['extract', file, '/', '--output', out]);
		assert.ok(result.code === 0 || result.code === 2, result.stderr);
		assert.deepEqual(readdirSync(outside), [], 'nothing written in the directory a link points to');
		assert.ok(!existsSync(path.join(base, 'escape-dotdot.txt')));
		const written = spawnSync('find', [base, '-newer', file], {encoding: 'utf8'}).stdout.trim().split('\n').filter(item => item !== '' && !item.startsWith(out) && item !== base);
		assert.deepEqual(written, [], 'nothing outside the output');
	});
});

describe('cat of GNU tar dialects (CLI)', () => {
	test('a sparse file (tar --sparse, PAX 1.0 and old GNU) is its logical bytes, holes as zeros', async () => {
		const base = mkdtempSync(path.join(tmpdir(), 'layerscope-sparse-cat-'));
		const root = path.join(base, 'root');
		mkdirSync(root);
		const sparse = path.join(root, 'sparse.bin');
		// 4 MiB with data at 0 and at 3 MiB only.
		spawnSync('sh', ['-c', `printf head > ${sparse} && truncate -s 4M ${sparse} && printf tail | dd of=${sparse} bs=1 seek=3145728 conv=notrunc status=none`]);
		const expected = readFileSync(sparse);
		for (const format of [['--posix'], ['--format=gnu'], ['--format=oldgnu']]) {
			const layer = path.join(base, `layer${format[0]}.tar`);
			const made = spawnSync('tar', ['--sparse', ...format, '-C', root, '-cf', layer, 'sparse.bin']);
			assert.equal(made.status, 0, made.stderr?.toString());
			const file = path.join(base, `image${format[0]}.tar`);
			writeFileSync(file, await buildImageFromLayerTars([readFileSync(layer)]));
			const result = spawnSync(process.execPath, ['bin/layerscope.js', 'cat', file, '/sparse.bin'], {encoding: 'buffer', maxBuffer: 8 * 1024 * 1024});
			assert.equal(result.status, 0, result.stderr.toString());
			assert.ok(result.stdout.equals(expected), `${format[0]}: ${result.stdout.length} bytes`);
		}
	});
});
