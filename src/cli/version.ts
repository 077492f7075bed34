// The version of layerscope: package.json's, found above this module (dist/cli/ in the bundle, src/cli/ under tsx).
import {readFileSync} from 'node:fs';

let cached: string | undefined;

export function version(): string {
	if (cached !== undefined) {
		return cached;
	}

	cached = 'unknown';
	for (const up of ['../package.json', '../../package.json', '../../../package.json']) {
		try {
			const parsed = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as {name?: string; version?: string};
			if (parsed.name === 'layerscope' && typeof parsed.version === 'string') {
				cached = parsed.version;
				break;
			}
		} catch {
			// Not there: one level further up.
		}
	}

	return cached;
}
