// An image archive (docker save, legacy layout) around layer tars given as raw bytes: for hostile layers that the
// fixture builder would not write.
import {createHash} from 'node:crypto';
import tarStream from 'tar-stream';
import {collectPack} from '../../scripts/lib/image-builder.js';

function sha256(data: Buffer | string): string {
	return createHash('sha256').update(data).digest('hex');
}

/** A `docker save` archive of one image whose layers are `layerTars` (base first), tagged `tag`, with `commands` as its history. */
export async function buildImageFromLayerTars(layerTars: readonly Buffer[], tag = 'raw:latest', commands: readonly string[] = layerTars.map((_, index) => `layer ${index}`)): Promise<Buffer> {
	const diffIds = layerTars.map(tar => sha256(tar));
	const config = JSON.stringify({
		architecture: 'amd64',
		os: 'linux',
		created: '2024-01-01T00:00:00Z',
		config: {},
		rootfs: {type: 'layers', diff_ids: diffIds.map(id => `sha256:${id}`)},
		history: commands.map(command => ({created: '2024-01-01T00:00:00Z', created_by: command})),
	});
	const configName = `${sha256(config)}.json`;
	const manifest = JSON.stringify([{Config: configName, RepoTags: [tag], Layers: diffIds.map(id => `${id}/layer.tar`)}]);
	const pack = tarStream.pack();
	diffIds.forEach((id, index) => {
		pack.entry({name: `${id}/layer.tar`}, layerTars[index]!);
	});
	pack.entry({name: configName}, config);
	pack.entry({name: 'manifest.json'}, manifest);
	pack.finalize();
	return collectPack(pack);
}
