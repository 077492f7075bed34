// cat from a registry (a real docker-registry on 127.0.0.1): only the blobs the lookup needs are fetched — a file
// of the top layer never downloads the large base layer — and the bytes equal the archive's.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {test} from 'node:test';
import {findFile, layerIndex, streamFile} from '../../src/cli/content.js';
import {openImageForContent} from '../../src/cli/content-source.js';
import {buildImageArchive} from '../../scripts/lib/image-builder.js';
import {runCli} from '../helpers/cli.js';
import {tempDir} from '../helpers/docker.js';
import {push, requireRegistryTools, startRegistry} from '../helpers/registry.js';

test('cat from a registry fetches only the layers it needs', {timeout: 180_000}, async t => {
	if (!await requireRegistryTools(t)) {
		return;
	}

	const registry = await startRegistry(t);
	const big = randomBytes(4 * 1024 * 1024); // Incompressible: the base blob stays ~4 MiB.
	const file = path.join(await tempDir(t), 'image.tar');
	await writeFile(file, await buildImageArchive([
		{command: 'base', entries: [{path: 'data', type: 'dir'}, {path: 'data/big.bin', content: big}, {path: 'etc/base.conf', content: 'base\n'}]},
		{command: 'top', entries: [{path: 'etc/app.conf', content: 'from the top layer\n'}]},
	], {format: 'docker25', compression: 'gzip'}));
	const reference = await push(registry, `docker-archive:${file}`, 'acme/content:v1');

	const read = async (filePath: string): Promise<{text: string; bytesRead: number}> => {
		const counter = {bytes: 0};
		const image = await openImageForContent(`registry:${reference}`, {}, counter);
		const parts: Buffer[] = [];
		await streamFile(image.open, await findFile(image, filePath, layerIndex(image, undefined)), chunk => {
			parts.push(chunk);
		});
		return {text: Buffer.concat(parts).toString('latin1'), bytesRead: counter.bytes};
	};

	const top = await read('/etc/app.conf');
	assert.equal(top.text, 'from the top layer\n');
	assert.ok(top.bytesRead < 64 * 1024, `a top-layer file read ${top.bytesRead} bytes of blobs`);
	const base = await read('/data/big.bin');
	assert.ok(Buffer.from(base.text, 'latin1').equals(big));

	const cli = await runCli(['cat', `registry:${reference}`, '/etc/base.conf']);
	assert.equal(cli.code, 0, cli.stderr);
	assert.equal(cli.stdout, 'base\n');
});
