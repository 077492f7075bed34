// The demo image: a small docker-save archive with real waste (a package cache written then deleted, a file
// overwritten, a mode change, an opaque directory), byte-for-byte the same every time it is built.
import {mkdirSync, renameSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {buildImageArchive, type FixtureEntry, type FixtureLayer} from './image-builder.js';

const dir = (p: string, mode = 0o755): FixtureEntry => ({path: p, type: 'dir', mode});
const tools = ['sh', 'ls', 'cat', 'cp', 'mv', 'rm', 'mkdir', 'echo', 'grep', 'sed', 'tar', 'gzip'];

const base: FixtureEntry[] = [
	dir('bin'), dir('etc'), dir('lib'), dir('tmp', 0o1777), dir('usr'), dir('usr/bin'), dir('usr/share'), dir('usr/share/doc'),
	dir('var'), dir('var/cache'), dir('var/log'), dir('root', 0o700), dir('home'),
	{path: 'bin/busybox', size: 900_000, mode: 0o755},
	...tools.map(name => ({path: `bin/${name}`, type: 'hardlink' as const, linkTarget: 'bin/busybox', mode: 0o755})),
	{path: 'usr/bin/env', type: 'symlink', linkTarget: '../../bin/busybox', mode: 0o777},
	{path: 'lib/libc.so.6', size: 1_800_000, mode: 0o755},
	{path: 'lib/ld-linux-x86-64.so.2', size: 210_000, mode: 0o755},
	{path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n'},
	{path: 'etc/group', content: 'root:x:0:\nnogroup:x:65534:\n'},
	{path: 'etc/os-release', content: 'NAME="Demo Linux"\nID=demo\nVERSION_ID=1\n'},
	...Array.from({length: 40}, (_, index) => ({path: `usr/share/doc/pkg${String(index).padStart(2, '0')}/copyright`, size: 1500 + (index * 37)})),
];

export const demoLayers: FixtureLayer[] = [
	{command: '/bin/sh -c #(nop) ADD file:demo-rootfs in / ', entries: base},
	{
		command: '/bin/sh -c apk-get update && apk-get install -y python3',
		entries: [
			dir('var'), dir('var/cache'), dir('var/cache/pkg'),
			...Array.from({length: 6}, (_, index) => ({path: `var/cache/pkg/python3-part${index}.pkg`, size: 400_000 + (index * 10_000)})),
			dir('usr'), dir('usr/lib'), dir('usr/lib/python3'),
			...Array.from({length: 30}, (_, index) => ({path: `usr/lib/python3/module${String(index).padStart(2, '0')}.py`, size: 8000 + (index * 211)})),
			dir('usr/bin'), {path: 'usr/bin/python3', size: 600_000, mode: 0o755},
		],
	},
	{
		command: '/bin/sh -c #(nop) COPY dir:app in /app ',
		entries: [
			dir('app'), dir('app/static'),
			{path: 'app/config.json', content: JSON.stringify({debug: true, workers: 2}, null, 2)},
			{path: 'app/main.py', size: 24_000},
			{path: 'app/static/bundle.js', size: 350_000},
			{path: 'app/static/old-bundle.js', size: 340_000},
			{path: 'app/run.sh', content: '#!/bin/sh\nexec python3 /app/main.py\n', mode: 0o644},
		],
	},
	{
		command: '/bin/sh -c rm -rf /var/cache/pkg && sed -i s/true/false/ /app/config.json && chmod +x /app/run.sh',
		entries: [
			dir('var'), dir('var/cache'), {path: 'var/cache/.wh.pkg'},
			dir('app'),
			{path: 'app/config.json', content: JSON.stringify({debug: false, workers: 4}, null, 2)},
			{path: 'app/run.sh', content: '#!/bin/sh\nexec python3 /app/main.py\n', mode: 0o755},
		],
	},
	{
		command: '/bin/sh -c rm -rf /app/static && mkdir /app/static && cp /build/bundle.min.js /app/static/',
		entries: [
			dir('app'), dir('app/static'), {path: 'app/static/.wh..wh..opq'},
			{path: 'app/static/bundle.min.js', size: 120_000},
		],
	},
	{
		command: '/bin/sh -c #(nop)  USER nobody',
		entries: [],
	},
];

export async function buildDemoImage(): Promise<Buffer> {
	return buildImageArchive(demoLayers, {format: 'docker-legacy', tag: 'layerscope-demo:latest'});
}

/** Write the demo image to `file` atomically (a temporary file, then a rename), so readers never see half of it. */
export async function writeDemoImage(file: string): Promise<number> {
	const archive = await buildDemoImage();
	mkdirSync(path.dirname(file), {recursive: true});
	const temporary = `${file}.${process.pid}.tmp`;
	writeFileSync(temporary, archive);
	renameSync(temporary, file);
	return archive.length;
}
