// Choosing the image in an archive or layout: by tag or ref name, by platform; errors that say what there is.
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {planImage} from '../../src/archive/manifest.js';
import {localSource} from '../../src/sources/archive.js';
import {readOciLayout} from '../../src/archive/read-image.js';
import {writeOciLayout} from '../../scripts/lib/image-builder.js';
import {diveFixture} from '../helpers/fixtures.js';

const config = (architecture: string) => ({os: 'linux', architecture, rootfs: {diff_ids: ['sha256:1']}, history: [{created_by: `/bin/sh -c ${architecture}`}]});

test('docker save of two images: the first by default, another by its tag, a clear error for an unknown tag', () => {
	const documents: Record<string, unknown> = {
		'manifest.json': [
			{Config: 'a.json', RepoTags: ['app:1'], Layers: ['a/layer.tar']},
			{Config: 'b.json', RepoTags: ['app:2', 'app:latest'], Layers: ['b/layer.tar']},
		],
		'a.json': config('amd64'),
		'b.json': config('arm64'),
	};
	const lookup = (name: string) => documents[name];
	assert.deepEqual(planImage(lookup).layers.map(layer => layer.path), ['a/layer.tar']);
	assert.deepEqual(planImage(lookup, {tag: 'app:latest'}).layers.map(layer => layer.path), ['b/layer.tar']);
	assert.throws(() => planImage(lookup, {tag: 'app:3'}), /no image tagged "app:3" in the archive \(it has: app:1, app:2, app:latest\)/);
	assert.throws(() => planImage(lookup, {platform: {os: 'linux', architecture: 's390x'}}), /no image for platform linux\/s390x \(the archive holds linux\/amd64 only; leave out --platform to read it\)$/);
});

test('an OCI index: --platform must match; without it the host is preferred, else the first', () => {
	const index = {manifests: [{digest: 'sha256:aa', platform: {os: 'linux', architecture: 'arm64'}, annotations: {'org.opencontainers.image.ref.name': 'v1'}}]};
	const documents: Record<string, unknown> = {
		'index.json': index,
		'blobs/sha256/aa': {config: {digest: 'sha256:cc'}, layers: [{digest: 'sha256:11'}]},
		'blobs/sha256/cc': config('arm64'),
	};
	const lookup = (name: string) => documents[name];
	assert.equal(planImage(lookup).config.architecture, 'arm64');
	assert.throws(() => planImage(lookup, {platform: {os: 'linux', architecture: 'amd64'}}), /no image for platform linux\/amd64 \(the image has: linux\/arm64\)/);
	assert.equal(planImage(lookup, {tag: 'v1'}).layers[0]?.digest, 'sha256:11');
	assert.throws(() => planImage(lookup, {tag: 'v2'}), /no image named "v2" in the OCI index \(it has: v1\)/);
});

test('docker-archive:PATH:TAG and oci:DIR:REF name the image to read', async () => {
	const source = localSource(`docker-archive:${diveFixture('test-docker-image.tar')}:dive-test:latest`);
	assert.equal(source.kind === 'archive' ? source.tag : undefined, 'dive-test:latest');
	const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-ref-'));
	try {
		await writeOciLayout(dir, [{entries: [{path: 'a', content: 'a'}]}]);
		const layout = localSource(`oci:${dir}:latest`);
		assert.equal(layout.kind === 'layout' ? layout.ref : undefined, 'latest');
		const image = await readOciLayout(dir, {name: 'x', tag: 'latest'});
		assert.equal(image.layers.length, 1);
		await assert.rejects(readOciLayout(dir, {name: 'x', tag: 'other'}), /no image named "other"/);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});
