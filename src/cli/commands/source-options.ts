// Options every command that reads an image shares: where the image comes from. A new source option (a registry
// flag, --no-cache…) goes here, and into `loadOptionsFrom`, so every such command gets it.
import {optionFlag, optionString, type OptionDefinition, type OptionValues} from '../command.js';
import type {LoadOptions} from '../load.js';
import {sourceNames} from '../source-names.js';

export const imageSourceOptions: readonly OptionDefinition[] = [
	{name: 'source', value: 'SOURCE', help: `where IMAGE comes from: ${sourceNames.join(', ')} (default: the daemon for references, the file for paths)`, complete: {words: sourceNames}},
	{name: 'platform', value: 'OS/ARCH', help: 'which platform of a multi-platform image (default: this host)', complete: {words: ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/386', 'linux/ppc64le', 'linux/s390x', 'windows/amd64']}},
	{name: 'insecure', help: 'registry: allow plain HTTP and unverified TLS (loopback registries always may; also LAYERSCOPE_INSECURE_REGISTRIES)'},
	{name: 'no-cache', help: 'neither use nor fill the layer cache (also LAYERSCOPE_NO_CACHE=1)'},
];

/**
 * The load options the shared source options ask for. Async: the layer cache's modules (cacache, ~0.15 s to load)
 * are imported here, when a command runs, so parsing the command line (--help, --version) never loads them.
 */
export async function loadOptionsFrom(options: OptionValues): Promise<Pick<LoadOptions, 'source' | 'platform' | 'insecure' | 'cache'>> {
	const {runCache} = await import('../run-cache.js');
	return {source: optionString(options, 'source'), platform: optionString(options, 'platform'), insecure: optionFlag(options, 'insecure'), cache: runCache(optionFlag(options, 'no-cache'))};
}
