// `layerscope compare` on two images built here with known differences, checked against the difference of their
// `docker export` listings and contents (the daemon's own view of the final filesystems).
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {test} from 'node:test';
import tarStream from 'tar-stream';
import {createReadStream} from 'node:fs';
import {compareRead} from '../../src/cli/compare-command.js';
import {runCli} from '../helpers/cli.js';
import {
	buildImage, docker, ensureBusyboxImage, isRuntimePath, readFromDaemon, readFromFile, removeContainers, removeImages,
	requireDocker, run, saveImage, tempDir, uniqueTag,
} from '../helpers/docker.js';

const common = 'RUN mkdir -p /data /opt/tree/sub && echo shared > /opt/tree/sub/f && echo same > /data/same';
const stepA = 'RUN echo aaaa > /data/content && echo gone > /data/gone && echo m > /data/mode && echo o > /data/owner'
	+ ' && ln -s same /data/link && mkdir /data/dirfile && echo inner > /data/dirfile/inner && echo short > /data/grows'
	+ ' && rm -rf /opt/tree/sub';
const stepB = 'RUN echo bbbb > /data/content && echo m > /data/mode && chmod 700 /data/mode && echo o > /data/owner'
	+ ' && chown 1000:1000 /data/owner && ln -s content /data/link && echo now-a-file > /data/dirfile'
	+ ' && echo much-longer-than-before > /data/grows && mkdir /data/new && echo added > /data/new/file';

type ExportRecord = {type: string; mode: number; uid: number; gid: number; size: number; link: string; sha: string};

/** `docker export` of a container of the image: every path (runtime files left out) with its metadata and content hash. */
async function exported(image: string, dir: string): Promise<Map<string, ExportRecord>> {
	const container = (await docker('create', '--network', 'none', image)).trim();
	try {
		const file = path.join(dir, `${container}.tar`);
		await run('docker', ['export', '-o', file, container]);
		const records = new Map<string, ExportRecord>();
		const extract = tarStream.extract();
		const done = new Promise<void>((resolve, reject) => {
			extract.on('finish', resolve);
			extract.on('error', reject);
		});
		extract.on('entry', (header, stream, next) => {
			const hash = createHash('sha256');
			stream.on('data', (chunk: unknown) => hash.update(chunk as Buffer));
			stream.on('end', () => {
				const name = `/${header.name.replace(/^\.?\//, '').replace(/\/$/, '')}`;
				const type = ({file: 'file', directory: 'dir', symlink: 'symlink', link: 'hardlink'} as Record<string, string>)[header.type ?? 'file'] ?? String(header.type);
				if (name !== '/' && !isRuntimePath(name)) {
					records.set(name, {type, mode: (header.mode ?? 0) & 0o7777, uid: header.uid ?? 0, gid: header.gid ?? 0, size: type === 'file' ? header.size ?? 0 : 0, link: header.linkname ?? '', sha: hash.digest('hex')});
				}

				next();
			});
			stream.resume();
		});
		createReadStream(file).pipe(extract);
		await done;
		return records;
	} finally {
		await removeContainers(container);
	}
}

/** The difference of two export listings, as "kind path" lines; `content` false leaves out changes only the bytes show. */
function exportDifference(a: Map<string, ExportRecord>, b: Map<string, ExportRecord>, content: boolean): string[] {
	const out: string[] = [];
	for (const [name, left] of a) {
		const right = b.get(name);
		if (right === undefined) {
			out.push(`removed ${name}`);
			continue;
		}

		const metadata = left.type !== right.type || left.mode !== right.mode || left.uid !== right.uid || left.gid !== right.gid || left.size !== right.size || left.link !== right.link;
		if (metadata || (content && left.type === 'file' && left.sha !== right.sha)) {
			out.push(`modified ${name}`);
		}
	}

	for (const name of b.keys()) {
		if (!a.has(name)) {
			out.push(`added ${name}`);
		}
	}

	return out.sort();
}

test('compare: two built images against the difference of their docker export listings and contents', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	const base = await ensureBusyboxImage();
	const tagA = uniqueTag('compare-a');
	const tagB = uniqueTag('compare-b');
	t.after(async () => removeImages(tagA, tagB));
	await buildImage(tagA, `FROM ${base}\n${common}\n${stepA}\n`);
	await buildImage(tagB, `FROM ${base}\n${common}\n${stepB}\n`);
	const dir = await tempDir(t);

	const [imageA, imageB] = await Promise.all([readFromDaemon(tagA), readFromDaemon(tagB)]);
	const comparison = compareRead(imageA, imageB);
	const [exportA, exportB] = await Promise.all([exported(tagA, dir), exported(tagB, dir)]);
	// Without content digests (a reader that gives none), a change of the bytes alone cannot be seen: /data/content.
	const byDigest = comparison.contentBasis === 'digest';
	const expected = exportDifference(exportA, exportB, byDigest);
	assert.deepEqual(comparison.changes.map(change => `${change.kind} ${change.path}`).sort(), expected);
	assert.equal(expected.includes('modified /data/content'), byDigest);

	const reasons = Object.fromEntries(comparison.changes.map(change => [change.path, change.reasons.join(',')]));
	assert.equal(reasons['/data/mode'], 'mode');
	assert.equal(reasons['/data/owner'], 'owner');
	assert.equal(reasons['/data/link'], 'link');
	assert.equal(reasons['/data/grows'], 'content,size');
	assert.match(reasons['/data/dirfile']!, /type/);
	const dirfile = comparison.changes.find(change => change.path === '/data/dirfile')!;
	assert.deepEqual([dirfile.typeA, dirfile.type, dirfile.sizeB], ['dir', 'file', 11]);
	// The directory that only had things change below it is not listed.
	assert.equal(reasons['/data'], undefined);
	assert.deepEqual(comparison.changes.filter(change => change.kind === 'removed').map(change => change.path), ['/data/dirfile/inner', '/data/gone']);
	assert.deepEqual(comparison.changes.filter(change => change.kind === 'added').map(change => change.path), ['/data/new', '/data/new/file', '/opt/tree/sub', '/opt/tree/sub/f']);

	// The base and the common RUN step are the same layers (the builder's cache), in order from the base.
	assert.equal(comparison.layers.shared, 2);
	assert.deepEqual([comparison.layers.onlyA.map(layer => layer.index), comparison.layers.onlyB.map(layer => layer.index)], [[2], [2]]);
	assert.equal(comparison.delta.sizeBytes, comparison.b.sizeBytes - comparison.a.sizeBytes);
	assert.equal(comparison.a.fileCount, [...exportA.keys()].length);
	assert.equal(comparison.b.fileCount, [...exportB.keys()].length);

	// The CLI: JSON on stdout, the gate's exit codes, the JUnit file.
	const json = await runCli(['compare', tagA, tagB, '--json', '-']);
	assert.equal(json.code, 0, json.stderr);
	const document = JSON.parse(json.stdout) as {changes: Array<{path: string}>; summary: {added: number}};
	// Again, the images' records and every layer now in the layer cache: both read in the main thread from the cache
	// (the base decoded once), the same JSON.
	const warm = await runCli(['compare', tagA, tagB, '--json', '-']);
	assert.equal(warm.code, 0, warm.stderr);
	assert.equal(warm.stdout, json.stdout);
	assert.deepEqual(document.changes.map(change => change.path), comparison.changes.map(change => change.path));
	const pass = await runCli(['compare', tagA, tagB, '--ci', '--highest-added-files', '4', '--highest-size-increase', '1kB']);
	assert.equal(pass.code, 0, pass.stderr + pass.stdout);
	assert.match(pass.stdout, /PASS {2}highestAddedFiles \(4\)/);
	const junit = path.join(dir, 'junit.xml');
	const fail = await runCli(['compare', tagA, tagB, '--ci', '--highest-added-files', '3', '--ci-format', 'junit', '--junit-file', junit]);
	assert.equal(fail.code, 1, fail.stderr + fail.stdout);
	assert.match(fail.stdout, /FAIL {2}highestAddedFiles \(too many files added \(added-files=4 > threshold=3\)\)/);
	assert.match(await readFile(junit, 'utf8'), /<failure type="highestAddedFiles"/);
	const config = path.join(dir, 'rules.yml');
	await writeFile(config, 'compare:\n  highestAddedFiles: lots\n');
	const bad = await runCli(['compare', tagA, tagB, '--ci', '--ci-config', config]);
	assert.equal(bad.code, 2);
	assert.match(bad.stderr, /^layerscope: .*rules\.yml: invalid highestAddedFiles value "lots": not a whole number\n$/m);
	const missing = await runCli(['compare', tagA, `${tagB}-missing-${process.pid}`, '--ci']);
	assert.equal(missing.code, 2);
	assert.match(missing.stderr, /layerscope: B: /);
});

test('compare: the same image from the daemon and from its docker save file has no change', async t => {
	if (!await requireDocker(t)) {
		return;
	}

	const base = await ensureBusyboxImage();
	const tag = uniqueTag('compare-same');
	t.after(async () => removeImages(tag));
	await buildImage(tag, `FROM ${base}\n${common}\n${stepA}\n`);
	const file = await saveImage(tag, await tempDir(t));
	const comparison = compareRead(await readFromDaemon(tag), await readFromFile(file, 'saved.tar'));
	assert.deepEqual(comparison.changes, []);
	assert.equal(comparison.layers.shared, 3);
	assert.deepEqual([comparison.layers.onlyA, comparison.layers.onlyB], [[], []]);
	assert.deepEqual(comparison.delta, {sizeBytes: 0, efficiencyScore: 0, inefficientBytes: 0, reclaimableBytes: 0, duplicateBytes: 0, fileCount: 0});
	const cli = await runCli(['compare', tag, file]);
	assert.equal(cli.code, 0, cli.stderr);
	assert.match(cli.stdout, /Layers: 3 shared .*, 0 only in A, 0 only in B\n/);
	assert.match(cli.stdout, /\nNo file differs\.\n$/);
});
