// `layerscope cache info` and `layerscope cache prune [--max-size SIZE] [--older-than DAYS]`: the layer cache
// (src/cache/layer-cache.ts) seen and trimmed from the command line.
import prettyBytes from 'pretty-bytes';
import type {LayerCache} from '../../cache/layer-cache.js';
import {escapeName} from '../../report/escape.js';
import {UsageError} from '../args.js';
import {type CommandContext, type CommandDefinition, optionString} from '../command.js';

/** The cache's module loads when a cache command runs, not when the command line is parsed. */
async function cacheModule() {
	return import('../../cache/layer-cache.js');
}

async function openCache(): Promise<LayerCache> {
	const {cacheDirectory, LayerCache} = await cacheModule();
	return new LayerCache({dir: cacheDirectory()});
}

const infoCommand: CommandDefinition = {
	name: 'info',
	summary: 'where the layer cache is, how many layers, images and analyses it holds, and its size',
	arguments: [],
	options: [],
	async run({io}: CommandContext) {
		const info = await (await openCache()).info();
		io.stdout([
			`directory: ${escapeName(info.dir)}`,
			`layers: ${info.layers}`,
			`images: ${info.images}`,
			`analyses: ${info.analyses}`,
			`bytes: ${info.bytes} (${prettyBytes(info.bytes)})`,
			'',
		].join('\n'));
		return 0;
	},
};

const pruneCommand: CommandDefinition = {
	name: 'prune',
	summary: 'remove cache entries: all of them, or the least recently used beyond --max-size, or those unused for --older-than days',
	arguments: [],
	options: [
		{name: 'max-size', value: 'SIZE', help: 'keep the most recently used entries within SIZE (500MB, 2GB, 1GiB)', complete: 'none'},
		{name: 'older-than', value: 'DAYS', help: 'remove entries not used for DAYS days', complete: 'none'},
	],
	async run({options, io}: CommandContext) {
		const maxSize = optionString(options, 'max-size');
		const olderThan = optionString(options, 'older-than');
		const maxBytes = maxSize === undefined ? undefined : (await cacheModule()).parseSize(maxSize);
		if (maxSize !== undefined && maxBytes === undefined) {
			throw new UsageError(`--max-size wants a size such as 500MB or 2GB (got "${escapeName(maxSize)}")`);
		}

		if (olderThan !== undefined && !/^\d+(?:\.\d+)?$/.test(olderThan)) {
			throw new UsageError(`--older-than wants a number of days (got "${escapeName(olderThan)}")`);
		}

		const olderThanDays = olderThan === undefined ? undefined : Number(olderThan);
		const result = await (await openCache()).prune({...(maxBytes === undefined ? {} : {maxBytes}), ...(olderThanDays === undefined ? {} : {olderThanDays})});
		io.stdout(`removed ${result.removed} entries, ${prettyBytes(result.bytes)}\n`);
		return 0;
	},
};

export const cacheCommand: CommandDefinition = {
	name: 'cache',
	summary: 'the layer cache: info, prune',
	arguments: [],
	options: [],
	subcommands: [infoCommand, pruneCommand],
	details: [
		'Parsed layers are cached by diff_id in $LAYERSCOPE_CACHE_DIR, else $XDG_CACHE_HOME/layerscope, else',
		'~/.cache/layerscope; at most LAYERSCOPE_CACHE_MAX_SIZE (default 2GB), least recently used go first.',
		'--no-cache or LAYERSCOPE_NO_CACHE=1 on a command that reads an image neither uses nor fills it.',
	],
};
