// cat and extract against the real daemon: the bytes and the tree equal what `docker export` of a created
// container holds, from the daemon source and from a `docker save` file.
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {lstatSync, readFileSync, readdirSync, readlinkSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {findFile, layerIndex, planExtract, streamFile} from '../../src/cli/content.js';
import {extractToDirectory} from '../../src/cli/extract-writer.js';
import {openImageForContent} from '../../src/cli/content-source.js';
import {rejection} from '../helpers/common.js';
import {buildImage, docker, ensureBusyboxImage, removeContainers, removeImages, requireDocker, run, saveImage, tempDir, uniqueTag} from '../helpers/docker.js';

const runtime = new Set(['.dockerenv', 'etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'etc/mtab', 'dev', 'proc', 'sys']);

function isRuntime(relative: string): boolean {
	return [...runtime].some(prefix => relative === prefix || relative.startsWith(`${prefix}/`));
}

type Listed = {type: string; mode: number; size: number; sha?: string; link?: string};

/** Every path below `root` (runtime paths left out) → what it is, without recursion into the stack. */
function listing(root: string): Map<string, Listed> {
	const out = new Map<string, Listed>();
	const pending = [''];
	while (pending.length > 0) {
		const relative = pending.pop()!;
		for (const name of readdirSync(path.join(root, relative))) {
			const rel = relative === '' ? name : `${relative}/${name}`;
			if (isRuntime(rel)) {
				continue;
			}

			const full = path.join(root, rel);
			const stat = lstatSync(full);
			if (stat.isSymbolicLink()) {
				out.set(rel, {type: 'symlink', mode: 0, size: 0, link: readlinkSync(full)});
			} else if (stat.isDirectory()) {
				out.set(rel, {type: 'dir', mode: stat.mode & 0o777, size: 0});
				pending.push(rel);
			} else if (stat.isFile()) {
				out.set(rel, {type: 'file', mode: stat.mode & 0o777, size: stat.size, sha: createHash('sha256').update(readFileSync(full)).digest('hex')});
			} else {
				out.set(rel, {type: 'other', mode: 0, size: 0});
			}
		}
	}

	return out;
}

const dockerfile = `FROM ${'BUSYBOX'}
RUN mkdir -p /app/conf /app/data && echo "one" > /app/conf/a.conf && echo "same-size-1" > /app/data/s.txt \\
 && head -c 200000 /dev/urandom > /app/data/blob.bin && printf 'esc\\033[2Jx\\n' > /app/conf/ctl.txt
RUN echo "two" > /app/conf/a.conf && echo "same-size-2" > /app/data/s.txt && ln /app/data/blob.bin /app/data/blob-link \\
 && ln -s ../conf/a.conf /app/data/conf-link && chmod 600 /app/conf/a.conf && rm /app/conf/ctl.txt
RUN rm -rf /app/data/blob.bin && echo three >> /app/conf/a.conf
`;

test('cat and extract equal docker export (daemon and docker save file)', {timeout: 300_000}, async t => {
	if (!await requireDocker(t)) {
		return;
	}

	const base = await ensureBusyboxImage();
	const tag = uniqueTag('content');
	const container = `layerscope-test-content-${process.pid}-${Date.now()}`;
	t.after(async () => {
		await removeContainers(container);
		await removeImages(tag);
	});
	await buildImage(tag, dockerfile.replace('BUSYBOX', base));
	const dir = await tempDir(t);
	await docker('create', '--network', 'none', '--name', container, tag, 'true');
	const exported = path.join(dir, 'export');
	await run('mkdir', ['-p', exported]);
	await run('sh', ['-c', `docker export ${container} | tar -x -C ${exported}`]);
	const truth = listing(exported);
	const archiveFile = await saveImage(tag, dir);

	for (const argument of [tag, archiveFile]) {
		// The daemon: read whole, then one layer again from a new export; the file: read top-down, lazily.
		const image = await openImageForContent(argument, {});
		const {open} = image;
		const top = layerIndex(image, undefined);

		// cat: every regular file, byte for byte.
		const files = [...truth].filter(([, item]) => item.type === 'file');
		assert.ok(files.length > 4, `${files.length} files`);
		for (const [rel, item] of files) {
			const hash = createHash('sha256');
			await streamFile(open, await findFile(image, `/${rel}`, top), chunk => {
				hash.update(chunk);
			});
			assert.equal(hash.digest('hex'), item.sha, `cat /${rel} from ${argument}`);
		}

		// An earlier layer's version of an overwritten file and of a file a later layer removed.
		const earlier: Buffer[] = [];
		await streamFile(open, await findFile(image, '/app/conf/a.conf', top - 2), chunk => {
			earlier.push(chunk);
		});
		assert.equal(Buffer.concat(earlier).toString(), 'one\n');
		const removed = await findFile(image, '/app/conf/ctl.txt', top - 1);
		assert.match(removed.note ?? '', /showing it as layer/);

		// extract: the whole filesystem, listed, equals the export (modes, sizes, contents, link targets).
		const out = path.join(dir, `extract-${argument === tag ? 'daemon' : 'file'}`);
		await extractToDirectory(await planExtract(image, '/', top), open, out);
		const extracted = listing(out);
		assert.deepEqual([...extracted.keys()].sort(), [...truth.keys()].filter(key => truth.get(key)!.type !== 'other').sort());
		for (const [rel, item] of extracted) {
			assert.deepEqual(item, truth.get(rel), `/${rel}`);
		}

		assert.equal(lstatSync(path.join(out, 'app/data/blob-link')).nlink, 1, 'its other name was removed');
	}
});

test('removed with their directory, and dangling links: what docker export of the image before and after holds', {timeout: 300_000}, async t => {
	if (!await requireDocker(t)) {
		return;
	}

	const base = await ensureBusyboxImage();
	const before = uniqueTag('content-before');
	const tag = uniqueTag('content-removed');
	const containers = [`layerscope-test-content-before-${process.pid}-${Date.now()}`, `layerscope-test-content-removed-${process.pid}-${Date.now()}`];
	t.after(async () => {
		await removeContainers(...containers);
		await removeImages(tag, before);
	});
	await buildImage(before, `FROM ${base}
RUN mkdir -p /var/cache/pkg /srv/static/x /data /opt/lib /opt/usr/lib && echo "package a" > /var/cache/pkg/a.pkg \\
 && echo bundle > /srv/static/x/b.js && ln -s ../nowhere/file /data/link && echo old > /opt/lib/old.so
`);
	await buildImage(tag, `FROM ${before}
RUN rm -rf /var/cache/pkg
RUN rm -rf /srv/static && mkdir /srv/static && echo index > /srv/static/index.html \\
 && rm -rf /opt/lib && ln -s usr/lib /opt/lib
`);
	const dir = await tempDir(t);
	const truth: Array<Map<string, Listed>> = [];
	for (const [index, reference] of [before, tag].entries()) {
		await docker('create', '--network', 'none', '--name', containers[index]!, reference, 'true');
		const exported = path.join(dir, `export-${index}`);
		await run('mkdir', ['-p', exported]);
		await run('sh', ['-c', `docker export ${containers[index]!} | tar -x -C ${exported}`]);
		truth.push(listing(exported));
	}

	const [had, now] = truth as [Map<string, Listed>, Map<string, Listed>];
	for (const gone of ['var/cache/pkg', 'var/cache/pkg/a.pkg', 'srv/static/x', 'srv/static/x/b.js', 'nowhere', 'opt/lib/old.so', 'opt/usr/lib/old.so']) {
		assert.equal(now.has(gone), false, `the image removed /${gone}`);
	}

	assert.deepEqual(now.get('data/link'), {type: 'symlink', mode: 0, size: 0, link: '../nowhere/file'});
	const archiveFile = await saveImage(tag, dir);
	for (const argument of [tag, archiveFile]) {
		const image = await openImageForContent(argument, {});
		const top = layerIndex(image, undefined);
		for (const [file, removedBy] of [['var/cache/pkg/a.pkg', top - 1], ['srv/static/x/b.js', top], ['opt/lib/old.so', top]] as const) {
			const target = await findFile(image, `/${file}`, top);
			assert.equal(target.note, `/${file} was removed by layer ${removedBy}; showing it as layer ${removedBy - 1} had it`);
			const hash = createHash('sha256');
			await streamFile(image.open, target, chunk => {
				hash.update(chunk);
			});
			assert.equal(hash.digest('hex'), had.get(file)!.sha, `/${file} as the image before the removal had it (${argument})`);
		}

		assert.equal((await rejection(findFile(image, '/var/cache/pkg', top))).message,
			`/var/cache/pkg was removed by layer ${top - 1}; layer ${top - 2} had it as a directory: use \`layerscope extract\` for a subtree`);
		const plan = await planExtract(image, '/var/cache/pkg', top);
		assert.equal(plan.note, `/var/cache/pkg was removed by layer ${top - 1}; extracting it as layer ${top - 2} had it`);
		assert.deepEqual(plan.items.map(item => item.relative), ['', 'a.pkg']);
		assert.equal((await rejection(findFile(image, '/data/link', top))).message,
			`/data/link is a symlink to ../nowhere/file, which does not exist at layer ${top}: there is no /nowhere`);
	}
});
