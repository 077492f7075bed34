// `layerscope tree IMAGE [--layer N]`: the filesystem as seen at a layer, as a listing or JSON records.
import {UsageError} from '../args.js';
import {type CommandContext, type CommandDefinition, optionString} from '../command.js';
import {imageSourceOptions, loadOptionsFrom} from './source-options.js';

async function run({args, options}: CommandContext): Promise<number> {
	const layerOption = optionString(options, 'layer');
	if (layerOption !== undefined && !/^\d+$/.test(layerOption)) {
		throw new UsageError(`--layer wants a layer index, a whole number from 0 (got "${layerOption}")`);
	}

	// Loaded when the command runs, not when the command line is parsed.
	const [{stackLayers}, {treeChunks, treeJsonChunks}, {writeOutput}, {readImageWithProgress}] = await Promise.all([
		import('../../analysis/tree.js'),
		import('../../report/tree.js'),
		import('../output.js'),
		import('../progress.js'),
	]);
	const image = await readImageWithProgress(args[0]!, await loadOptionsFrom(options));
	let layer = image.layers.length - 1;
	if (layerOption !== undefined) {
		if (Number(layerOption) >= image.layers.length) {
			throw new UsageError(`--layer must be a layer index from 0 to ${image.layers.length - 1} (got "${layerOption}")`);
		}

		layer = Number(layerOption);
	}

	const root = stackLayers(image.layers.slice(0, layer + 1).map(item => item.contents.entries));
	const json = optionString(options, 'json');
	// Written as the tree is walked, waiting for stdout or the file to drain: never one string of the listing.
	await writeOutput(json ?? '-', json === undefined ? treeChunks(root) : treeJsonChunks(root));

	return 0;
}

export const treeCommand: CommandDefinition = {
	name: 'tree',
	summary: 'list the filesystem as seen at a layer (default: the top layer)',
	arguments: [{name: 'IMAGE', help: 'as for the default command', required: true, missing: 'tree needs an image (try layerscope help tree)', complete: 'file'}],
	options: [
		{name: 'layer', value: 'N', help: 'the filesystem as seen at layer N (0 is the base layer; default: the top layer)', complete: 'none'},
		{name: 'json', value: 'FILE', help: 'write {path, type, mode, uid, gid, size, linkTarget, digest} records to FILE (- for stdout)'},
		...imageSourceOptions,
	],
	run,
};
