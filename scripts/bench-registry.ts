// npm run bench (second part) — reading an image from a registry against reading the same image's gzip OCI
// archive from disk, in one run, alternating. Builds (once, cached under .bench/registry/) an OCI archive of about
// 45,000 files and 280 MB of layer tar in 4 gzip layers, starts Debian's docker-registry on a free 127.0.0.1 port
// (storage cached too), pushes the archive with skopeo when the registry lacks it, then times the built CLI's text
// report on `oci-archive:FILE` and on `registry:127.0.0.1:PORT/bench/app:v1`, the layer cache off (every run
// downloads or reads and parses every layer). Target: registry ≤ 1.3× disk.
// Usage: node --import tsx scripts/bench-registry.ts [--runs N]
import {type ChildProcess, spawn, spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import {pipeline} from 'node:stream/promises';
import zlib from 'node:zlib';
import tarStream from 'tar-stream';

const args = process.argv.slice(2);
const runsIndex = args.indexOf('--runs');
const runs = runsIndex < 0 ? 3 : Number(args[runsIndex + 1]);
const dir = path.resolve('.bench', 'registry');
const archive = path.join(dir, 'image-oci-gzip.tar');
const mtime = new Date('2024-01-01T00:00:00Z');

function pool(size: number): Buffer {
	const words = ['lorem', 'ipsum', 'layer', 'image', 'static', 'const', 'return', 'function', 'import', '{', '}', '\n', 'value', '=', '0x'];
	const out = Buffer.alloc(size);
	let offset = 0;
	let seed = 7;
	while (offset < size) {
		seed = ((seed * 1_103_515_245) + 12_345) % 2_147_483_648;
		offset += out.write(`${seed % 5 === 0 ? (seed % 100_000).toString(36) : words[seed % words.length]!} `, offset);
	}

	return out;
}

/** One gzip layer blob: `files` small files under `prefix`, `big` 16 MiB files; resolves to digest, size, diff_id. */
async function writeLayer(file: string, prefix: string, files: number, big: number, data: Buffer): Promise<{digest: string; size: number; diffId: string}> {
	const pack = tarStream.pack();
	const tarHash = createHash('sha256');
	const gzip = zlib.createGzip({level: 6});
	pack.on('data', (chunk: unknown) => {
		tarHash.update(chunk as Buffer);
	});
	const done = pipeline(pack, gzip, createWriteStream(file));
	const add = async (header: Parameters<typeof pack.entry>[0], body: Buffer): Promise<void> => new Promise((resolve, reject) => {
		pack.entry(header, body, error => {
			if (error) {
				reject(error);
			} else {
				resolve();
			}
		});
	});
	for (let index = 0; index < files; index++) {
		if (index % 500 === 0) {
			await add({name: `${prefix}/d${index / 500}/`, type: 'directory', mode: 0o755, mtime}, Buffer.alloc(0));
		}

		const size = 1000 + ((index * 7919) % 8000);
		const start = (index * 4099) % (data.length - size);
		await add({name: `${prefix}/d${Math.floor(index / 500)}/f${index}.txt`, mode: 0o644, mtime}, data.subarray(start, start + size));
	}

	for (let index = 0; index < big; index++) {
		const body = Buffer.alloc(16 * 1024 * 1024);
		for (let offset = 0; offset < body.length; offset += data.length) {
			data.copy(body, offset, (index * 977) % 1024);
		}

		await add({name: `${prefix}/big-${index}.bin`, mode: 0o644, mtime}, body);
	}

	pack.finalize();
	await done;
	const blobHash = createHash('sha256');
	await pipeline(createReadStream(file), blobHash);
	return {digest: `sha256:${blobHash.digest('hex')}`, size: statSync(file).size, diffId: `sha256:${tarHash.digest('hex')}`};
}

async function buildArchive(): Promise<void> {
	if (existsSync(archive)) {
		return;
	}

	mkdirSync(dir, {recursive: true});
	const data = pool(4 * 1024 * 1024);
	const plans = [['usr/share/base', 22_000, 4], ['opt/app', 14_000, 3], ['var/lib/data', 7000, 1], ['srv/extra', 2000, 2]] as const;
	const layers = [];
	for (const [index, [prefix, files, big]] of plans.entries()) {
		process.stderr.write(`building registry bench layer ${index} (${files} files)…\n`);
		layers.push({file: path.join(dir, `layer-${index}.gz`), ...await writeLayer(path.join(dir, `layer-${index}.gz`), prefix, files, big, data)});
	}

	const config = Buffer.from(JSON.stringify({architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: layers.map(layer => layer.diffId)}, history: plans.map(([prefix]) => ({created_by: `generate ${prefix}`}))}));
	const sha = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
	const manifest = Buffer.from(JSON.stringify({
		schemaVersion: 2,
		mediaType: 'application/vnd.oci.image.manifest.v1+json',
		config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length},
		layers: layers.map(layer => ({mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size})),
	}));
	const index = JSON.stringify({schemaVersion: 2, manifests: [{mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length, annotations: {'org.opencontainers.image.ref.name': 'v1'}, platform: {os: 'linux', architecture: 'amd64'}}]});
	const pack = tarStream.pack();
	const done = pipeline(pack, createWriteStream(`${archive}.tmp`));
	pack.entry({name: 'oci-layout', mtime}, '{"imageLayoutVersion":"1.0.0"}');
	pack.entry({name: 'index.json', mtime}, index);
	for (const bytes of [config, manifest]) {
		pack.entry({name: `blobs/sha256/${sha(bytes).slice(7)}`, mtime}, bytes);
	}

	for (const layer of layers) {
		const entry = pack.entry({name: `blobs/sha256/${layer.digest.slice(7)}`, size: layer.size, mtime});
		await pipeline(createReadStream(layer.file), entry);
		rmSync(layer.file);
	}

	pack.finalize();
	await done;
	renameSync(`${archive}.tmp`, archive);
}

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => {
				resolve(port);
			});
		});
	});
}

async function status(port: number, urlPath: string): Promise<number> {
	return new Promise(resolve => {
		http.get({host: '127.0.0.1', port, path: urlPath, timeout: 1000, headers: {Accept: 'application/vnd.oci.image.manifest.v1+json'}}, response => {
			response.resume();
			resolve(response.statusCode ?? 0);
		}).on('error', () => {
			resolve(0);
		});
	});
}

async function startRegistry(): Promise<{port: number; child: ChildProcess}> {
	const port = await freePort();
	const config = path.join(dir, 'registry.yml');
	writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, 'storage')}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
	const child = spawn('docker-registry', ['serve', config], {stdio: 'ignore'});
	for (let attempt = 0; attempt < 300; attempt++) {
		if (await status(port, '/v2/') === 200) {
			return {port, child};
		}

		await new Promise(resolve => {
			setTimeout(resolve, 100);
		});
	}

	child.kill();
	throw new Error('docker-registry did not start');
}

function timeCli(target: string): number {
	const start = process.hrtime.bigint();
	const result = spawnSync(process.execPath, ['bin/layerscope.js', target, '--no-tui'], {stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: {...process.env, HOME: '/nonexistent', CI: '', LAYERSCOPE_NO_CACHE: '1'}});
	if (result.status !== 0) {
		throw new Error(`layerscope ${target} failed: ${result.stderr}`);
	}

	return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

await buildArchive();
const {port, child} = await startRegistry();
try {
	const reference = `127.0.0.1:${port}/bench/app:v1`;
	if (await status(port, '/v2/bench/app/manifests/v1') !== 200) {
		process.stderr.write('pushing the bench image to the registry…\n');
		const pushed = spawnSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci-archive:${archive}`, `docker://${reference}`], {stdio: 'inherit'});
		if (pushed.status !== 0) {
			throw new Error('skopeo copy failed');
		}
	}

	const disk: number[] = [];
	const registry: number[] = [];
	for (let run = 0; run < runs; run++) {
		disk.push(timeCli(`oci-archive:${archive}`));
		registry.push(timeCli(`registry:${reference}`));
	}

	const size = statSync(archive).size;
	console.log(`registry bench: gzip OCI archive of ${(size / 1e6).toFixed(0)} MB (4 layers), ${runs} runs each, alternating; median`);
	console.log(`  oci-archive from disk      ${(median(disk) / 1000).toFixed(2).padStart(6)} s  (runs: ${disk.map(ms => (ms / 1000).toFixed(2)).join(', ')})`);
	console.log(`  registry on 127.0.0.1      ${(median(registry) / 1000).toFixed(2).padStart(6)} s  (runs: ${registry.map(ms => (ms / 1000).toFixed(2)).join(', ')})`);
	console.log(`  ratio registry / disk: ${(median(registry) / median(disk)).toFixed(2)}× (target ≤ 1.3×)`);
	// cat of one small file: only the blobs the lookup needs are read (scripts/bench-content.ts --one).
	console.log('cat of one small file (node start-up included):');
	for (const [where, file] of [['top layer', '/srv/extra/d0/f0.txt'], ['base layer', '/usr/share/base/d0/f0.txt']] as const) {
		for (const target of [`oci-archive:${archive}`, `registry:${reference}`]) {
			const child = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench-content.ts', '--one', target, file], {encoding: 'utf8'});
			if (child.status !== 0) {
				throw new Error(child.stderr);
			}

			const result = JSON.parse(child.stdout) as {wallMs: number; bytesRead: number; maxRssMb: number};
			console.log(`  ${where.padEnd(10)} ${target.startsWith('registry:') ? 'registry' : 'disk    '} ${(result.wallMs / 1000).toFixed(2).padStart(6)} s ${(result.bytesRead / 1e6).toFixed(1).padStart(6)} MB of ${(size / 1e6).toFixed(0)} MB of blobs read ${result.maxRssMb.toFixed(0).padStart(4)} MB peak RSS`);
		}
	}
} finally {
	child.kill();
}
