// dive's own test images: every figure dive's tests assert, to the last digit.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {formatJson, toJsonExport} from '../../src/report/json.js';
import {diveFixture, loadArchive, readDiveSnapshot} from '../helpers/fixtures.js';

test('test-docker-image.tar: dive Test_Analysis figures', async () => {
	const {analysis} = await loadArchive(diveFixture('test-docker-image.tar'));
	assert.equal(analysis.image.efficiency, 0.984_421_213_418_430_9);
	assert.equal(analysis.image.sizeBytes, 1_220_598);
	assert.equal(analysis.image.userSizeBytes, 66_237);
	assert.equal(analysis.image.wastedBytes, 32_025);
	assert.equal(analysis.image.userWastedPercent, 0.483_491_100_140_404_9);
	assert.equal(analysis.image.nodeCount, 451);
	assert.deepEqual(analysis.layers.map(layer => layer.nodeCount), [415, 1, 4, 3, 3, 3, 3, 4, 2, 2, 4, 2, 3, 2]);
	assert.deepEqual(analysis.layers.map(layer => layer.sizeBytes), [1_154_361, 6405, 0, 6405, 6405, 6405, 6405, 6405, 6405, 0, 2187, 6405, 6405, 6405]);
	assert.deepEqual(analysis.image.inefficiencies.map(item => [item.count, item.path, item.cumulativeSize]), [
		[2, '/root/saved.txt', 12_810],
		[2, '/root/example/somefile1.txt', 12_810],
		[2, '/root/example/somefile3.txt', 6405],
	]);
	assert.equal(analysis.layers[0]?.id, '28cfe03618aa2e914e81fdd90345245c15f4478e35252c06ca52d238fd3cc694');
	assert.equal(analysis.layers[13]?.id.slice(0, 8), 'cfb35bb5');
	assert.equal(analysis.layers[2]?.command, 'mkdir -p /root/example/really/nested');
	// Squashing drops the three superseded copies: dive's wasted bytes here, by construction of this image.
	assert.equal(analysis.image.reclaimableBytes, 32_025);
});

test('test-docker-image.tar: the JSON export equals dive\'s Test_Export snapshot', async () => {
	const {image, analysis} = await loadArchive(diveFixture('test-docker-image.tar'));
	const snapshot = readDiveSnapshot('export_test.snap');
	const expected = JSON.parse(snapshot.slice(snapshot.indexOf('{'), snapshot.lastIndexOf('}') + 1)) as {image: Record<string, unknown>};
	const actual = JSON.parse(formatJson(toJsonExport(image, analysis))) as {image: Record<string, unknown>};
	for (const key of ['userSizeBytes', 'userWastedPercent', 'reclaimableBytes', 'fileCount', 'duplicateBytes', 'duplicateFiles']) {
		assert.ok(key in actual.image, key);
		delete actual.image[key];
	}

	assert.deepEqual(actual, expected);
});

test('test-kaniko-image.tar: gzip layers named by digest, dive\'s derived figures', async () => {
	const {analysis} = await loadArchive(diveFixture('test-kaniko-image.tar'));
	assert.equal(analysis.layers.length, 14);
	assert.equal(analysis.image.nodeCount, 457);
	assert.equal(analysis.image.sizeBytes, 1_326_410);
	assert.equal(analysis.image.userSizeBytes, 94_677);
	assert.equal(analysis.image.wastedBytes, 46_245);
	assert.equal(analysis.image.efficiency, 0.979_368_849_021_643_1);
	assert.equal(analysis.image.userWastedPercent, 0.488_450_204_379_099_5);
	assert.deepEqual(analysis.layers.map(layer => layer.sizeBytes), [1_231_733, 9249, 0, 9249, 9249, 9249, 9249, 9249, 9249, 0, 2187, 9249, 9249, 9249]);
	assert.deepEqual(analysis.image.inefficiencies.map(item => [item.count, item.cumulativeSize, item.path]), [
		[2, 18_498, '/root/saved.txt'],
		[2, 18_498, '/root/example/somefile1.txt'],
		[2, 9249, '/root/example/somefile3.txt'],
	]);
	assert.equal(analysis.layers[0]?.id, '5c4213be9af904dd74649d250f22023f532b2f9179ffcb15260b5eaa10d7a3b4.tar.gz');
	assert.equal(analysis.layers[1]?.command, 'ADD README.md /somefile.txt');
	assert.ok(analysis.layers.every(layer => layer.compression === 'gzip'));
});

for (const [name, compression, diffId] of [
	['test-oci-uncompressed-image.tar', 'none', 'sha256:356d5e7f'],
	['test-oci-gzip-image.tar', 'gzip', 'sha256:356d5e7f'],
	['test-oci-zstd-image.tar', 'zstd', 'sha256:356d5e7f'],
	['test-oci-estargz-image.tar', 'gzip', 'sha256:2b3dbfdf'],
] as const) {
	test(`${name}: OCI archive without manifest.json, one ${compression} layer holding README.md`, async () => {
		const {image, analysis} = await loadArchive(diveFixture(name));
		assert.equal(analysis.layers.length, 1);
		assert.equal(analysis.image.nodeCount, 1);
		assert.deepEqual(image.layers[0]?.contents.entries.map(entry => [entry.path, entry.size]), [['README.md', 11_189]]);
		assert.equal(analysis.image.sizeBytes, 11_189);
		assert.equal(analysis.image.userSizeBytes, 0);
		assert.equal(analysis.image.wastedBytes, 0);
		assert.equal(analysis.image.efficiency, 1);
		assert.ok(Number.isNaN(analysis.image.userWastedPercent));
		assert.deepEqual(analysis.image.inefficiencies, []);
		assert.equal(analysis.layers[0]?.id, 'blobs');
		assert.equal(analysis.layers[0]?.command, 'COPY README.md /README.md # buildkit');
		assert.equal(analysis.layers[0]?.compression, compression);
		assert.ok(analysis.layers[0]?.diffId.startsWith(diffId));
		if (name.includes('estargz')) {
			// The TOC entry after the end-of-archive marker is not part of the layer.
			// 512 header + 11,264 data + 1,024 end marker; the whole decompressed stream is 14,848 bytes.
			assert.equal(analysis.layers[0]?.tarBytes, 12_800);
		}
	});
}

for (const name of ['test-uncompressed-image.tar', 'test-gzip-image.tar', 'test-estargz-image.tar', 'test-zstd-image.tar']) {
	test(`${name}: a plain rootfs tar is refused with a clear error, as dive refuses it`, async () => {
		await assert.rejects(loadArchive(diveFixture(name)), /not an image archive: no manifest\.json or index\.json/);
	});
}
