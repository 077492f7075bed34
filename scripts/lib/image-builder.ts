// Builds image archives deterministically from a list of layers: docker save (legacy and Docker 25+), kaniko,
// OCI archive and OCI layout directory; plain, gzip or zstd layers. Used by the demo image, fixtures and tests.
import {spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import tarStream from 'tar-stream';

export type FixtureEntry = {
	readonly path: string;
	readonly type?: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';
	readonly content?: string | Buffer;
	/** A file of this many bytes (deterministic content) instead of `content`. */
	readonly size?: number;
	readonly mode?: number;
	readonly uid?: number;
	readonly gid?: number;
	readonly linkTarget?: string;
	/** Write a GNU long-name ('L') record for this entry instead of ustar/PAX. */
	readonly gnuLongName?: boolean;
};

export type FixtureLayer = {
	readonly entries: readonly FixtureEntry[];
	readonly command?: string;
};

export type ArchiveFormat = 'docker-legacy' | 'docker25' | 'kaniko' | 'oci';
export type Compression = 'none' | 'gzip' | 'zstd';

const mtime = new Date('2024-01-01T00:00:00Z');
const typeNames = {file: 'file', dir: 'directory', symlink: 'symlink', hardlink: 'link', char: 'character-device', block: 'block-device', fifo: 'fifo'} as const;

function fill(size: number, seed: string): Buffer {
	const out = Buffer.alloc(size);
	let block = createHash('sha256').update(seed).digest();
	for (let offset = 0; offset < size; offset += block.length) {
		block.copy(out, offset);
		block = createHash('sha256').update(block).digest();
	}

	return out;
}

function octal(value: number, length: number): string {
	return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

/** A raw ustar header block (for the GNU long-name record and its entry). */
function rawHeader(name: string, typeflag: string, size: number, mode: number): Buffer {
	const block = Buffer.alloc(512);
	block.write(name.slice(0, 99), 0, 'utf8');
	block.write(octal(mode, 8), 100, 'latin1');
	block.write(octal(0, 8), 108, 'latin1');
	block.write(octal(0, 8), 116, 'latin1');
	block.write(octal(size, 12), 124, 'latin1');
	block.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'latin1');
	block.write('        ', 148, 'latin1');
	block.write(typeflag, 156, 'latin1');
	block.write('ustar  \0', 257, 'latin1'); // GNU magic
	let sum = 0;
	for (const byte of block) {
		sum += byte;
	}

	block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
	return block;
}

function padded(data: Buffer): Buffer {
	const rest = data.length % 512;
	return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rest)]);
}

export async function buildLayerTar(entries: readonly FixtureEntry[]): Promise<Buffer> {
	const pack = tarStream.pack();
	const packed = collectPack(pack);
	const raw: Buffer[] = [];
	for (const entry of entries) {
		const type = entry.type ?? 'file';
		const body = type === 'file' ? (entry.size === undefined ? Buffer.from(entry.content ?? '') : fill(entry.size, entry.path)) : Buffer.alloc(0);
		const mode = entry.mode ?? (type === 'dir' ? 0o755 : 0o644);
		if (entry.gnuLongName === true) {
			const name = Buffer.from(`${entry.path}\0`);
			raw.push(rawHeader('././@LongLink', 'L', name.length, 0), padded(name), rawHeader(entry.path, type === 'dir' ? '5' : '0', body.length, mode), padded(body));
			continue;
		}

		const header = {
			name: entry.path,
			type: typeNames[type],
			mode,
			uid: entry.uid ?? 0,
			gid: entry.gid ?? 0,
			mtime,
			size: body.length,
			linkname: entry.linkTarget,
		};
		await new Promise<void>((resolve, reject) => {
			pack.entry(header, body, error => {
				if (error) {
					reject(error);
				} else {
					resolve();
				}
			});
		});
	}

	pack.finalize();
	const written = await packed;
	// GNU long-name records go first, then whatever tar-stream wrote (which ends with the end-of-archive marker).
	return raw.length === 0 ? written : Buffer.concat([...raw, written]);
}

export function compress(data: Buffer, compression: Compression): Buffer {
	if (compression === 'gzip') {
		return zlib.gzipSync(data, {level: 1});
	}

	if (compression === 'zstd') {
		const result = spawnSync('zstd', ['-q', '-c', '-3'], {input: data, maxBuffer: 1024 * 1024 * 1024});
		if (result.status !== 0) {
			throw new Error(`zstd failed (is the zstd program installed?): ${String(result.stderr ?? result.error)}`);
		}

		return result.stdout;
	}

	return data;
}

/** Everything a tar-stream pack writes, once it has ended (call `finalize()` on it after adding entries). */
export async function collectPack(pack: ReturnType<typeof tarStream.pack>): Promise<Buffer> {
	const chunks: Buffer[] = [];
	await new Promise<void>((resolve, reject) => {
		pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
		pack.on('end', () => resolve());
		pack.on('error', reject);
	});
	return Buffer.concat(chunks);
}

function sha256(data: Buffer | string): string {
	return createHash('sha256').update(data).digest('hex');
}

export type BuiltImage = {
	/** Archive path → bytes, in the order they are written. */
	readonly files: Array<[string, Buffer]>;
	readonly symlinks: Array<[string, string]>;
};

const mediaTypes: Record<Compression, string> = {
	none: 'application/vnd.oci.image.layer.v1.tar',
	gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
	zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
};

/** The files of an image in one of the archive layouts. */
export async function buildImageFiles(
	layers: readonly FixtureLayer[],
	options: {format: ArchiveFormat; compression?: Compression; tag?: string; duplicateAsSymlink?: boolean} ,
): Promise<BuiltImage> {
	const compression = options.compression ?? 'none';
	const tars = await Promise.all(layers.map(async layer => buildLayerTar(layer.entries)));
	const diffIds = tars.map(tar => `sha256:${sha256(tar)}`);
	const blobs = tars.map(tar => compress(tar, compression));
	const config = {
		architecture: 'amd64',
		os: 'linux',
		created: mtime.toISOString(),
		config: {Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh']},
		rootfs: {type: 'layers', diff_ids: diffIds},
		history: layers.map((layer, index) => ({created: mtime.toISOString(), created_by: layer.command ?? `/bin/sh -c #(nop) layer ${index}`})),
	};
	const configText = JSON.stringify(config);
	const configHex = sha256(configText);
	const tag = options.tag ?? 'layerscope-fixture:latest';
	const files: Array<[string, Buffer]> = [];
	const symlinks: Array<[string, string]> = [];

	if (options.format === 'docker-legacy') {
		// Layers in directory order (not layer order), manifest.json last, as docker save writes them.
		const ids = blobs.map((_, index) => sha256(`${diffIds[index]!}-${index}`));
		const order = [...ids.keys()].sort((a, b) => (ids[a]! < ids[b]! ? -1 : 1));
		const seen = new Map<string, string>();
		for (const index of order) {
			const id = ids[index]!;
			files.push([`${id}/VERSION`, Buffer.from('1.0')], [`${id}/json`, Buffer.from(JSON.stringify({id}))]);
			const first = seen.get(diffIds[index]!);
			if (options.duplicateAsSymlink === true && first !== undefined) {
				symlinks.push([`${id}/layer.tar`, `../${first}/layer.tar`]);
			} else {
				files.push([`${id}/layer.tar`, blobs[index]!]);
				seen.set(diffIds[index]!, id);
			}
		}

		files.push(
			[`${configHex}.json`, Buffer.from(configText)],
			['repositories', Buffer.from(JSON.stringify({[tag.split(':')[0]!]: {[tag.split(':')[1] ?? 'latest']: ids.at(-1)}}))],
			['manifest.json', Buffer.from(JSON.stringify([{Config: `${configHex}.json`, RepoTags: [tag], Layers: ids.map(id => `${id}/layer.tar`)}]))],
		);
		return {files, symlinks};
	}

	if (options.format === 'kaniko') {
		const names = blobs.map(blob => `${sha256(blob)}${compression === 'gzip' ? '.tar.gz' : '.tar'}`);
		files.push([`sha256:${configHex}`, Buffer.from(configText)]);
		for (const [index, name] of names.entries()) {
			files.push([name, blobs[index]!]);
		}

		files.push(['manifest.json', Buffer.from(JSON.stringify([{Config: `sha256:${configHex}`, RepoTags: [tag], Layers: names}]))]);
		return {files, symlinks};
	}

	const manifest = {
		schemaVersion: 2,
		mediaType: 'application/vnd.oci.image.manifest.v1+json',
		config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configHex}`, size: configText.length},
		layers: blobs.map(blob => ({mediaType: mediaTypes[compression], digest: `sha256:${sha256(blob)}`, size: blob.length})),
	};
	const manifestText = JSON.stringify(manifest);
	const manifestHex = sha256(manifestText);
	const index = {
		schemaVersion: 2,
		mediaType: 'application/vnd.oci.image.index.v1+json',
		manifests: [{
			mediaType: 'application/vnd.oci.image.manifest.v1+json',
			digest: `sha256:${manifestHex}`,
			size: manifestText.length,
			annotations: {'io.containerd.image.name': tag, 'org.opencontainers.image.ref.name': tag.split(':')[1] ?? 'latest'},
			platform: {architecture: 'amd64', os: 'linux'},
		}],
	};
	const written = new Set<string>();
	const blob = (hex: string, data: Buffer): void => {
		if (!written.has(hex)) {
			written.add(hex);
			files.push([`blobs/sha256/${hex}`, data]);
		}
	};

	for (const data of blobs) {
		blob(sha256(data), data);
	}

	blob(configHex, Buffer.from(configText));
	blob(manifestHex, Buffer.from(manifestText));
	files.push(['oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}')], ['index.json', Buffer.from(JSON.stringify(index))]);
	if (options.format === 'docker25') {
		files.push(['manifest.json', Buffer.from(JSON.stringify([{
			Config: `blobs/sha256/${configHex}`,
			RepoTags: [tag],
			Layers: blobs.map(data => `blobs/sha256/${sha256(data)}`),
		}]))]);
	}

	return {files, symlinks};
}

/** The image as one archive (tar) in memory. */
export async function buildImageArchive(layers: readonly FixtureLayer[], options: Parameters<typeof buildImageFiles>[1]): Promise<Buffer> {
	const {files, symlinks} = await buildImageFiles(layers, options);
	const pack = tarStream.pack();
	const packed = collectPack(pack);
	const directories = new Set<string>();
	for (const [name] of [...files, ...symlinks]) {
		const dir = path.posix.dirname(name);
		if (dir !== '.' && !directories.has(dir)) {
			directories.add(dir);
			pack.entry({name: `${dir}/`, type: 'directory', mode: 0o755, mtime});
		}
	}

	for (const [name, data] of files) {
		pack.entry({name, mode: 0o644, mtime, size: data.length}, data);
	}

	for (const [name, target] of symlinks) {
		pack.entry({name, type: 'symlink', linkname: target, mode: 0o777, mtime});
	}

	pack.finalize();
	return packed;
}

/** The image as an OCI layout directory. */
export async function writeOciLayout(dir: string, layers: readonly FixtureLayer[], compression: Compression = 'none'): Promise<void> {
	const {files} = await buildImageFiles(layers, {format: 'oci', compression});
	for (const [name, data] of files) {
		const file = path.join(dir, ...name.split('/'));
		mkdirSync(path.dirname(file), {recursive: true});
		writeFileSync(file, data);
	}
}
