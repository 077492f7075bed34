// Crafted outer archives through the built CLI (cases a04, a07, a11 of ../shared/cases): every string from the
// archive escaped in the one-line error, memory bounded whatever unreferenced blobs it holds, no read past the
// end-of-archive marker. Each test builds its own input.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {createWriteStream} from 'node:fs';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {pipeline} from 'node:stream/promises';
import {test, type TestContext} from 'node:test';
import zlib from 'node:zlib';
import tarStream from 'tar-stream';
import {buildLayerTar} from '../../scripts/lib/image-builder.js';
import {repoRoot} from '../helpers/fixtures.js';
import {legacyArchive, type Member, outerArchive, rawControl, runMeasured} from '../helpers/crafted.js';

const esc = '\u001B';
const bel = '\u0007';

async function scratch(t: TestContext): Promise<string> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'layerscope-hostile-'));
	t.after(async () => rm(dir, {recursive: true, force: true}));
	return dir;
}

/** Exit 2, exactly one line on stderr, nothing raw in it, and the line matching `expected`. */
function assertOneSafeLine(result: {code: number | null; stderr: string; stdout: string}, expected: RegExp): void {
	assert.equal(result.code, 2, result.stderr);
	assert.equal(result.stderr.split('\n').length, 2, `one line: ${JSON.stringify(result.stderr)}`);
	assert.doesNotMatch(result.stderr, rawControl, JSON.stringify(result.stderr));
	assert.doesNotMatch(result.stderr, /\n\s+at /);
	assert.match(result.stderr, expected);
	assert.equal(result.stdout, '');
}

test('a04: manifest paths, tags, digests, platforms, ref names and JSON parser snippets are escaped in errors', async t => {
	const dir = await scratch(t);
	const layer = await buildLayerTar([{path: 'etc/', type: 'dir'}]);
	const config = JSON.stringify({architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: ['sha256:x']}});
	const ociLayout: Member = ['oci-layout', '{"imageLayoutVersion":"1.0.0"}'];
	const cases: Array<{file: string; members: Member[]; args?: (file: string) => string[]; expected: RegExp}> = [
		{
			file: 'a-layer-path.tar',
			members: [['L/layer.tar', layer], ['c.json', config], ['manifest.json', JSON.stringify([{Config: 'c.json', RepoTags: ['a:b'], Layers: [`${esc}]52;c;ZXJyb3I=${bel}${esc}]0;ERR-TITLE${bel}${esc}[2J/layer.tar`]}])]],
			expected: /^layerscope: layer \\x1b\]52;c;ZXJyb3I=\\x07\\x1b\]0;ERR-TITLE\\x07\\x1b\[2J\/layer\.tar is missing from the archive$/m,
		},
		{
			file: 'b-config-path.tar',
			members: [['L/layer.tar', layer], ['manifest.json', JSON.stringify([{Config: `${esc}]0;CFG-TITLE${bel}${esc}[31mred.json`, RepoTags: ['a:b'], Layers: ['L/layer.tar']}])]],
			expected: /image config "\\x1b\]0;CFG-TITLE\\x07\\x1b\[31mred\.json" is missing/,
		},
		{
			file: 'c-tags.tar',
			members: [['L/layer.tar', layer], ['c.json', config], ['manifest.json', JSON.stringify([{Config: 'c.json', RepoTags: [`x${esc}]0;TAGS-TITLE${bel}:1`], Layers: ['L/layer.tar']}])]],
			args: file => [`docker-archive:${file}:nomatch`],
			expected: /no image tagged "nomatch" in the archive \(it has: x\\x1b\]0;TAGS-TITLE\\x07:1\)/,
		},
		{
			file: 'd-oci-digest.tar',
			members: [ociLayout, ['index.json', JSON.stringify({schemaVersion: 2, manifests: [{digest: `sha256:${esc}]0;DIGEST${bel}`}]})]],
			args: file => [`oci-archive:${file}`],
			expected: /invalid digest "sha256:\\x1b\]0;DIGEST\\x07"/,
		},
		{
			file: 'e-oci-platform.tar',
			members: [ociLayout, ['index.json', JSON.stringify({schemaVersion: 2, manifests: [{digest: `sha256:${'a'.repeat(64)}`, platform: {os: `li${esc}]0;PLAT${bel}`, architecture: 'x'}}]})]],
			args: file => [`oci-archive:${file}`, '--platform', 'linux/arm64'],
			expected: /no image for platform linux\/arm64 \(the image has: li\\x1b\]0;PLAT\\x07\/x\)/,
		},
		{
			file: 'e-oci-ref.tar',
			members: [ociLayout, ['index.json', JSON.stringify({schemaVersion: 2, manifests: [{digest: `sha256:${'a'.repeat(64)}`, annotations: {'org.opencontainers.image.ref.name': `r${esc}]0;REF${bel}`}}]})]],
			args: file => [`oci-archive:${file}:nomatch`],
			expected: /no image named "nomatch" in the OCI index \(it has: r\\x1b\]0;REF\\x07\)/,
		},
		{
			file: 'f-json-snippet.tar',
			members: [['L/layer.tar', layer], ['c.json', `{"x": ${esc}]0;PWN${bel}}`], ['manifest.json', JSON.stringify([{Config: 'c.json', RepoTags: ['a:b'], Layers: ['L/layer.tar']}])]],
			expected: /^layerscope: c\.json is not valid JSON: .*\\x1b\]0;PWN\\x07/m,
		},
	];
	for (const item of cases) {
		const file = path.join(dir, item.file);
		await writeFile(file, await outerArchive(item.members));
		const result = await runMeasured([...(item.args?.(file) ?? [file]), '--no-tui']);
		assertOneSafeLine(result, item.expected);
	}

	// The archive's own file name.
	const missing = path.join(dir, `gone${esc}]0;NAME${bel}.tar`);
	assertOneSafeLine(await runMeasured([missing, '--no-tui']), /no such file or directory: .*gone\\x1b\]0;NAME\\x07\.tar/);
});

type Junk = {readonly name: string; readonly size: number; readonly fill: string};

/** Write an outer archive member by member to a gzip file (big junk never held in memory at once). */
async function writeGzipArchive(file: string, members: Iterable<Member | Junk>): Promise<void> {
	const pack = tarStream.pack();
	const done = pipeline(pack, zlib.createGzip({level: 1}), createWriteStream(file));
	const pending = (): number => (pack as unknown as {readableLength: number}).readableLength;
	for (const member of members) {
		if (Array.isArray(member)) {
			const [name, data] = member as Member;
			pack.entry({name, mtime: new Date(0)}, typeof data === 'string' ? Buffer.from(data) : data);
		} else {
			const junk = member as Junk;
			const entry = pack.entry({name: junk.name, size: junk.size, mtime: new Date(0)});
			entry.write(Buffer.from('{"x":"'));
			entry.write(Buffer.alloc(junk.size - 8, junk.fill));
			entry.end(Buffer.from('"}'));
		}

		while (pending() > 16 * 1024 * 1024) {
			await new Promise(resolve => setTimeout(resolve, 5));
		}
	}

	pack.finalize();
	await done;
}

test('a07: unreferenced JSON blobs cost nothing once they have streamed past (40 × 8 MB of JSON, peak RSS bounded)', {timeout: 120_000}, async t => {
	const dir = await scratch(t);
	const file = path.join(dir, 'json-blobs.tar.gz');
	const layer = await buildLayerTar([{path: 'etc/', type: 'dir'}, {path: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n'}]);
	const config = JSON.stringify({architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: ['sha256:x']}});
	const junk = Array.from({length: 40}, (_, index) => ({name: `junk/${index}.json`, size: (8 * 1024 * 1024) - 100, fill: 'j'}));
	await writeGzipArchive(file, [['L/layer.tar', layer], ['c.json', config], ...junk, ['manifest.json', JSON.stringify([{Config: 'c.json', RepoTags: ['a:b'], Layers: ['L/layer.tar']}])]]);
	const result = await runMeasured([file, '--no-tui']);
	assert.equal(result.code, 0, result.stderr);
	assert.match(result.stdout, /^Image: json-blobs\.tar\.gz \(a:b\)/);
	// Before: every blob's text was kept, ~8.8 MB of RSS each (~400 MB here, 2.5 GB for 300 of them).
	assert.ok(result.peakMb < 200, `peak RSS ${result.peakMb.toFixed(0)} MB`);
	t.diagnostic(`40 × 8 MB unreferenced JSON: peak RSS ${result.peakMb.toFixed(0)} MB, ${result.seconds.toFixed(1)} s`);
});

test('a07: 20,000 tiny unreferenced tar blobs: bounded memory; the parser state of a finished blob is released', {timeout: 120_000}, async t => {
	const dir = await scratch(t);
	const file = path.join(dir, 'tar-blobs.tar.gz');
	const layer = await buildLayerTar([{path: 'etc/', type: 'dir'}]);
	const config = JSON.stringify({architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: ['sha256:x']}});
	const empty = Buffer.alloc(1024);
	const junk = Array.from({length: 20_000}, (_, index): Member => [`junk/${String(index).padStart(8, '0')}`, empty]);
	await writeGzipArchive(file, [['L/layer.tar', layer], ['c.json', config], ...junk, ['manifest.json', JSON.stringify([{Config: 'c.json', RepoTags: ['a:b'], Layers: ['L/layer.tar']}])]]);
	const result = await runMeasured([file, '--no-tui']);
	assert.equal(result.code, 0, result.stderr);
	assert.ok(result.peakMb < 200, `peak RSS ${result.peakMb.toFixed(0)} MB`);
	t.diagnostic(`20,000 unreferenced tar blobs: peak RSS ${result.peakMb.toFixed(0)} MB, ${result.seconds.toFixed(1)} s`);
});

test('a07: JSON budgets — a config nested 100,000 deep, an oversized manifest.json: one line each; unused deep junk is fine', async t => {
	const dir = await scratch(t);
	const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
	const cases: Array<[string, Buffer, RegExp | undefined]> = [
		['deep-config.tar', await legacyArchive({configText: deep}), /^layerscope: c\.json nests deeper than 64 levels: not image metadata$/m],
		['big-manifest.tar', await legacyArchive({manifest: {Padding: 'p'.repeat(5 * 1024 * 1024)}}), /^layerscope: manifest\.json is \d+ bytes: more than a manifest\.json may hold \(4 MiB\)$/m],
		['deep-junk.tar', await legacyArchive({extra: [['junk.json', deep]]}), undefined],
	];
	for (const [name, bytes, expected] of cases) {
		const file = path.join(dir, name);
		await writeFile(file, bytes);
		const result = await runMeasured([file, '--no-tui']);
		if (expected === undefined) {
			assert.equal(result.code, 0, result.stderr);
		} else {
			assertOneSafeLine(result, expected);
		}
	}
});

/** Run the CLI on stdin fed by `feed` (which may never end); resolves when the CLI exits. */
async function runOnStdin(args: string[], feed: (stdin: NodeJS.WritableStream, stopped: () => boolean) => void): Promise<{code: number | null; stdout: string; stderr: string; seconds: number}> {
	const started = performance.now();
	const child = spawn(process.execPath, [path.join(repoRoot, 'bin/layerscope.js'), ...args], {stdio: ['pipe', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}});
	let exited = false;
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => {
		stdout += chunk.toString('utf8');
	});
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString('utf8');
	});
	child.stdin.on('error', () => undefined);
	const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
	feed(child.stdin, () => exited);
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	exited = true;
	clearTimeout(timer);
	child.stdin.destroy();
	return {code, stdout, stderr, seconds: (performance.now() - started) / 1000};
}

test('a11: stdin stops at the end-of-archive marker: endless zeros after it, or a producer that keeps the pipe open', async () => {
	const archive = await legacyArchive();
	const zeros = Buffer.alloc(1024 * 1024);
	const endless = await runOnStdin(['-', '--no-tui'], (stdin, stopped) => {
		stdin.write(archive);
		const more = (): void => {
			if (!stopped() && stdin.write(zeros)) {
				setImmediate(more);
			}
		};

		stdin.on('drain', more);
		more();
	});
	assert.equal(endless.code, 0, endless.stderr);
	assert.match(endless.stdout, /^Image: stdin \(a:b\)/);
	assert.ok(endless.seconds < 10, `${endless.seconds} s`);

	const open = await runOnStdin(['-', '--no-tui'], stdin => {
		stdin.write(archive); // And never end.
	});
	assert.equal(open.code, 0, open.stderr);
	assert.match(open.stdout, /^Image: stdin \(a:b\)/);
	assert.ok(open.seconds < 10, `${open.seconds} s`);
});

test('a11: /dev/zero, as a file or on stdin, is "not an image archive" at once', async () => {
	const file = await runMeasured(['/dev/zero', '--no-tui'], {timeoutMs: 20_000});
	assertOneSafeLine(file, /^layerscope: not an image archive: an empty archive \(no entries\)$/m);
	const zeros = Buffer.alloc(1024 * 1024);
	const stdin = await runOnStdin(['-', '--no-tui'], (input, stopped) => {
		const more = (): void => {
			if (!stopped() && input.write(zeros)) {
				setImmediate(more);
			}
		};

		input.on('drain', more);
		more();
	});
	assertOneSafeLine(stdin, /^layerscope: not an image archive: an empty archive \(no entries\)$/m);
});
