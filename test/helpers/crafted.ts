// Crafted (hostile) inputs for the tests of case a04–a20: outer archives with arbitrary member names and bytes,
// and a CLI runner that reports the child's peak RSS.
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tarStream from 'tar-stream';
import {buildLayerTar, collectPack, type FixtureEntry} from '../../scripts/lib/image-builder.js';
import {type CliResult, runCli} from './cli.js';

export type Member = readonly [name: string, data: string | Buffer];

/** An outer archive (docker save style) with exactly these members, packed by tar-stream (ustar, PAX past 100 bytes). */
export async function outerArchive(members: readonly Member[]): Promise<Buffer> {
	const pack = tarStream.pack();
	const packed = collectPack(pack);
	for (const [name, data] of members) {
		const bytes = typeof data === 'string' ? Buffer.from(data) : data;
		pack.entry({name, size: bytes.length, mode: 0o644, mtime: new Date(0)}, bytes);
	}

	pack.finalize();
	return packed;
}

/** A one-layer legacy docker save archive; `manifest` and `config` override the generated documents' fields. */
export async function legacyArchive(options: {
	readonly entries?: readonly FixtureEntry[];
	readonly manifest?: Record<string, unknown>;
	readonly configText?: string;
	readonly extra?: readonly Member[];
	readonly after?: readonly Member[];
} = {}): Promise<Buffer> {
	const layer = await buildLayerTar(options.entries ?? [{path: 'etc/', type: 'dir'}, {path: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n'}]);
	const config = options.configText ?? JSON.stringify({architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: ['sha256:x']}, history: [{created_by: '/bin/sh -c layer 0'}]});
	const manifest = JSON.stringify([{Config: 'c.json', RepoTags: ['a:b'], Layers: ['L/layer.tar'], ...options.manifest}]);
	return outerArchive([['L/layer.tar', layer], ['c.json', config], ...(options.extra ?? []), ['manifest.json', manifest], ...(options.after ?? [])]);
}

export type MeasuredResult = CliResult & {
	/** The child's peak resident set size in MB (VmHWM at exit); NaN if it never exited normally. */
	readonly peakMb: number;
	readonly seconds: number;
};

/** Run the built CLI and measure its peak RSS (recorded by the child itself at exit) and its wall time. */
export async function runMeasured(args: readonly string[], options: Parameters<typeof runCli>[1] = {}): Promise<MeasuredResult> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'layerscope-rss-'));
	const file = path.join(dir, 'rss');
	// VmHWM: the high-water mark of this process image's own memory. (getrusage's maxRSS is not: Linux carries it
	// over fork and exec, so a child of a big test process would report the parent's size.)
	const record = `import {readFileSync, writeFileSync} from 'node:fs'; process.on('exit', () => writeFileSync(${JSON.stringify(file)}, /VmHWM:\\s*(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 'NaN'));`;
	const hook = `data:text/javascript,${encodeURIComponent(record)}`;
	const started = performance.now();
	try {
		const result = await runCli(args, {...options, env: {...options.env, NODE_OPTIONS: `--import=${hook}`}});
		const seconds = (performance.now() - started) / 1000;
		const kb = Number(await readFile(file, 'utf8').catch(() => 'NaN'));
		return {...result, peakMb: kb / 1024, seconds};
	} finally {
		await rm(dir, {recursive: true, force: true});
	}
}

/** Raw terminal controls that must never reach stderr/stdout: C0 (but \n), DEL, C1, bidi controls, U+FFFE/U+FFFF. */
export const rawControl = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF]/;

/** A minimal ustar header (regular file unless `typeflag` says otherwise), checksum filled in. */
export function ustarHeader(name: string, size = 0, typeflag = '0'): Buffer {
	const block = Buffer.alloc(512);
	block.write(name, 0, 100, 'utf8');
	block.write('0000644\0', 100, 'latin1');
	block.write('0000000\0', 108, 'latin1');
	block.write('0000000\0', 116, 'latin1');
	block.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
	block.write('00000000000\0', 136, 'latin1');
	block.write('        ', 148, 'latin1');
	block.write(typeflag, 156, 'latin1');
	block.write('ustar\u000000', 257, 'latin1');
	let sum = 0;
	for (const byte of block) {
		sum += byte;
	}

	block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
	return block;
}

/** A layer tar of `count` empty files under `dir` (headers only: big listings cheaply). */
export function manyFilesLayer(dir: string, count: number): Buffer {
	const blocks: Buffer[] = [];
	for (let index = 0; index < count; index++) {
		blocks.push(ustarHeader(`${dir}/d${Math.floor(index / 1000)}/file_${index}.py`));
	}

	blocks.push(Buffer.alloc(1024));
	return Buffer.concat(blocks);
}
