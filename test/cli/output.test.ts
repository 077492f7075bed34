// Output files (cases a13, a14): opened as a shell's `> FILE` would be, never through a user-space resolution of
// a symlink; a foreign symlink in a sticky directory refused; a read-only file never replaced; SIGINT/SIGTERM
// while writing leave the old file and no temporary file.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {chmod, lchown, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile} from 'node:fs/promises';
import {existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test, type TestContext} from 'node:test';
import {OutputError, writeOutput} from '../../src/cli/output.js';
import {runCli} from '../helpers/cli.js';
import {legacyArchive, manyFilesLayer, outerArchive} from '../helpers/crafted.js';
import {repoRoot} from '../helpers/fixtures.js';

const isRoot = process.geteuid?.() === 0;

async function scratch(t: TestContext): Promise<string> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'layerscope-output-'));
	t.after(async () => rm(dir, {recursive: true, force: true}));
	return dir;
}

test('writeOutput: a new file; an own file replaced with its mode kept; no temporary file left', async t => {
	const dir = await scratch(t);
	const file = path.join(dir, 'report.json');
	await writeOutput(file, 'one\n');
	assert.equal(await readFile(file, 'utf8'), 'one\n');
	await chmod(file, 0o600);
	await writeOutput(file, 'two\n');
	assert.equal(await readFile(file, 'utf8'), 'two\n');
	assert.equal((await stat(file)).mode & 0o777, 0o600);
	assert.deepEqual(await readdir(dir), ['report.json']);
});

test('writeOutput: a symlink is opened by the kernel (written through, the link stays); devices in place; a directory is an error', async t => {
	const dir = await scratch(t);
	const target = path.join(dir, 'target.json');
	await writeFile(target, 'old');
	const link = path.join(dir, 'link.json');
	await symlink(target, link);
	await writeOutput(link, 'new\n');
	assert.equal(await readFile(target, 'utf8'), 'new\n');
	assert.equal(await readlink(link), target);
	// A dangling link: the kernel creates its target, as `>` does.
	const dangling = path.join(dir, 'dangling.json');
	await symlink(path.join(dir, 'created.json'), dangling);
	await writeOutput(dangling, 'x');
	assert.equal(await readFile(path.join(dir, 'created.json'), 'utf8'), 'x');
	await writeOutput('/dev/null', 'nothing');
	await assert.rejects(writeOutput(dir, 'x'), (error: Error) => error instanceof OutputError && /^cannot write .*: it is a directory; name a file in it, or - for stdout$/.test(error.message));
});

test('a13: a symlink planted by another user in a sticky directory is refused; its target is untouched', {skip: isRoot ? false : 'needs root (to plant a link owned by another user)'}, async t => {
	const dir = await scratch(t);
	const sticky = path.join(dir, 'tmp');
	await mkdir(sticky);
	await chmod(sticky, 0o1777);
	const victim = path.join(dir, 'passwd');
	await writeFile(victim, 'root:x:0:0:root:/root:/bin/bash\n');
	const planted = path.join(sticky, 'report.json');
	await symlink(victim, planted);
	await lchown(planted, 12_345, 12_345);
	await assert.rejects(writeOutput(planted, '{}'), /^Error: refusing to write .*report\.json: a symlink owned by another user in a sticky directory/);
	assert.equal(await readFile(victim, 'utf8'), 'root:x:0:0:root:/root:/bin/bash\n');
	assert.ok((await lstat(planted)).isSymbolicLink());
	// Through the CLI: one line, exit 2, the victim intact.
	const image = path.join(dir, 'img.tar');
	await writeFile(image, await legacyArchive());
	const result = await runCli([image, '--json', planted]);
	assert.equal(result.code, 2);
	assert.match(result.stderr, /^layerscope: refusing to write .*report\.json: a symlink owned by another user in a sticky directory/);
	assert.equal(await readFile(victim, 'utf8'), 'root:x:0:0:root:/root:/bin/bash\n');
});

test('a13: a read-only file of another user in a world-writable directory is not replaced (as `>` fails)', {skip: isRoot && existsSync('/usr/bin/setpriv') ? false : 'needs root and setpriv (to run as nobody)'}, async t => {
	const dir = await scratch(t);
	await chmod(dir, 0o755);
	const shared = path.join(dir, 'shared');
	await mkdir(shared);
	await chmod(shared, 0o777);
	const baseline = path.join(shared, 'baseline.json');
	await writeFile(baseline, 'KEEP\n');
	await chmod(baseline, 0o444);
	const image = path.join(dir, 'img.tar');
	await writeFile(image, await legacyArchive());
	await chmod(image, 0o644);
	const child = spawn('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, path.join(repoRoot, 'bin/layerscope.js'), image, '--json', baseline], {stdio: ['ignore', 'pipe', 'pipe']});
	let stderr = '';
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	const code = await new Promise(resolve => child.on('close', resolve));
	assert.equal(code, 2, stderr);
	assert.match(stderr, /^layerscope: cannot write .*baseline\.json: permission denied\n$/);
	assert.equal(await readFile(baseline, 'utf8'), 'KEEP\n');
	assert.equal((await stat(baseline)).uid, 0);
	assert.deepEqual(await readdir(shared), ['baseline.json']);
});

test('a14: SIGINT and SIGTERM while the JSON is written: exit 130, the old file intact, no temporary file', {timeout: 180_000}, async t => {
	const dir = await scratch(t);
	const layers = Array.from({length: 3}, (_, index) => manyFilesLayer(`l${index}`, 60_000));
	const config = JSON.stringify({architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: layers.map(() => 'sha256:x')}});
	const image = path.join(dir, 'big.tar');
	await writeFile(image, await outerArchive([
		...layers.map((layer, index): [string, Buffer] => [`L${index}/layer.tar`, layer]),
		['c.json', config],
		['manifest.json', JSON.stringify([{Config: 'c.json', RepoTags: ['big:1'], Layers: layers.map((_, index) => `L${index}/layer.tar`)}])],
	]));
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		const out = path.join(dir, `out-${signal}`);
		await mkdir(out);
		await writeFile(path.join(out, 'report.json'), 'OLD\n');
		const child = spawn(process.execPath, [path.join(repoRoot, 'bin/layerscope.js'), image, '--json', path.join(out, 'report.json')], {stdio: ['ignore', 'ignore', 'pipe']});
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => {
			stderr += chunk.toString();
		});
		const closed = new Promise<number | null>(resolve => child.on('close', resolve));
		let sent = false;
		for (let tries = 0; tries < 12_000 && !sent && child.exitCode === null; tries++) {
			if ((await readdir(out)).some(name => name.endsWith('.tmp'))) {
				child.kill(signal);
				sent = true;
			} else {
				await new Promise(resolve => setTimeout(resolve, 2));
			}
		}

		const code = await closed;
		if (!sent) {
			t.diagnostic(`${signal}: the write finished before the temporary file was seen; nothing to interrupt`);
			continue;
		}

		assert.equal(code, 130, `${signal}: ${stderr}`);
		assert.match(stderr, /\nlayerscope: interrupted\n$/);
		assert.deepEqual(await readdir(out), ['report.json'], signal);
		assert.equal(await readFile(path.join(out, 'report.json'), 'utf8'), 'OLD\n');
	}
});
