// Budgets for the JSON documents of an image archive (manifest.json, index.json, OCI manifests and indexes, image
// configs) and what is kept of them.
//
// An archive names its layers only in its last files (docker save writes manifest.json last), so every JSON blob
// is a candidate until then. What is kept of one is its *projection*: only the fields planImage (manifest.ts)
// reads, so a blob the manifest never names costs a few bytes once it has streamed past, whatever it held. The
// whole text of one blob lives only while it is checked and parsed.
//
// Limits (each failure is one line naming the document):
// - a document larger than `documentBytes` is not kept at all (an SBOM or attestation, never metadata);
// - when used, a manifest or index may hold at most 4 MiB (what registries accept: the OCI distribution spec's
//   4 MiB manifest limit), a config 8 MiB, manifest.json 4 MiB;
// - nesting deeper than `maxDepth` is refused before parsing (metadata nests about 5 deep; a deep `[[[[…` would
//   cost ~50 bytes of heap a byte);
// - projections kept over the whole archive: at most `keptBytes` (estimated heap bytes) and `documents` of them.
import {escapeName, singleLine} from '../report/escape.js';

export const metadataLimits = {
	/** A JSON blob larger than this is never kept (bytes). */
	documentBytes: 8 * 1024 * 1024,
	/** Nesting depth of arrays and objects any document may have. */
	maxDepth: 64,
	/** Estimated bytes of kept projections over the whole archive. */
	keptBytes: 64 * 1024 * 1024,
	/** JSON documents kept over the whole archive. */
	documents: 50_000,
} as const;

/** What a document is used as; each role has its own size limit (bytes). */
export type JsonRole = 'manifest.json' | 'index' | 'manifest' | 'config';

export const roleLimits: Readonly<Record<JsonRole, number>> = {
	'manifest.json': 4 * 1024 * 1024,
	index: 4 * 1024 * 1024,
	manifest: 4 * 1024 * 1024,
	config: 8 * 1024 * 1024,
};

/** A JSON blob as kept: its size, and either its projection or why it cannot be used (an escaped one-line reason). */
export type KeptJson = {
	readonly bytes: number;
	readonly value?: unknown;
	readonly problem?: string;
	/** Estimated heap bytes of the projection, for the archive-wide budget. */
	readonly cost: number;
};

/** True when arrays/objects in the JSON text nest deeper than `max` (strings are skipped; no recursion). */
export function nestsDeeper(text: Uint8Array, max: number): boolean {
	let depth = 0;
	let inString = false;
	for (let index = 0; index < text.length; index++) {
		const byte = text[index]!;
		if (inString) {
			if (byte === 0x5C) {
				index++; // The escaped character, whatever it is.
			} else if (byte === 0x22) {
				inString = false;
			}
		} else if (byte === 0x22) {
			inString = true;
		} else if (byte === 0x5B || byte === 0x7B) {
			if (++depth > max) {
				return true;
			}
		} else if (byte === 0x5D || byte === 0x7D) {
			depth--;
		}
	}

	return false;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Builds a projection and counts what it costs. */
class Projector {
	cost = 0;

	string(value: unknown): string | undefined {
		if (typeof value !== 'string') {
			return undefined;
		}

		this.cost += 16 + value.length;
		return value;
	}

	/** The listed keys of an object that hold strings, numbers or booleans. */
	scalars(source: Json, keys: readonly string[]): Json {
		const out: Json = {};
		this.cost += 32;
		for (const key of keys) {
			const value = source[key];
			if (typeof value === 'string') {
				out[key] = this.string(value);
			} else if (typeof value === 'number' || typeof value === 'boolean') {
				out[key] = value;
				this.cost += 16;
			}
		}

		return out;
	}

	strings(value: unknown): unknown[] | undefined {
		if (!Array.isArray(value)) {
			return undefined;
		}

		this.cost += 16 + (8 * value.length);
		return value.map(item => this.string(item) ?? null);
	}

	objects(value: unknown, each: (item: Json) => Json): unknown[] | undefined {
		if (!Array.isArray(value)) {
			return undefined;
		}

		this.cost += 16 + (8 * value.length);
		return value.map(item => (isObject(item) ? each(item) : null));
	}

	descriptor(item: Json): Json {
		const out = this.scalars(item, ['mediaType', 'digest', 'size']);
		if (isObject(item['platform'])) {
			out['platform'] = this.scalars(item['platform'], ['os', 'architecture', 'variant']);
		}

		if (isObject(item['annotations'])) {
			out['annotations'] = this.scalars(item['annotations'], ['org.opencontainers.image.ref.name', 'io.containerd.image.name', 'vnd.docker.reference.type']);
		}

		return out;
	}

	/** The fields of any document kind that manifest.ts reads; nothing else. */
	document(value: unknown): unknown {
		if (Array.isArray(value)) {
			// Docker's manifest.json.
			return this.objects(value, item => {
				const out = this.scalars(item, ['Config']);
				for (const key of ['RepoTags', 'Layers']) {
					const list = this.strings(item[key]);
					if (list !== undefined) {
						out[key] = list;
					}
				}

				return out;
			});
		}

		if (!isObject(value)) {
			return value;
		}

		const out = this.scalars(value, ['schemaVersion', 'mediaType', 'os', 'architecture', 'variant', 'created']);
		const manifests = this.objects(value['manifests'], item => this.descriptor(item));
		if (manifests !== undefined) {
			out['manifests'] = manifests;
		}

		if (isObject(value['config'])) {
			out['config'] = this.descriptor(value['config']);
		}

		const layers = this.objects(value['layers'], item => this.descriptor(item));
		if (layers !== undefined) {
			out['layers'] = layers;
		}

		if (isObject(value['rootfs'])) {
			const rootfs = this.scalars(value['rootfs'], ['type']);
			const diffIds = this.strings(value['rootfs']['diff_ids']);
			if (diffIds !== undefined) {
				rootfs['diff_ids'] = diffIds;
			}

			out['rootfs'] = rootfs;
		}

		const history = this.objects(value['history'], item => this.scalars(item, ['created', 'created_by', 'empty_layer']));
		if (history !== undefined) {
			out['history'] = history;
		}

		return out;
	}
}

/** Only what planImage reads of a parsed document (manifest.json, an index, a manifest or a config). */
export function projectDocument(value: unknown): {value: unknown; cost: number} {
	const projector = new Projector();
	const projected = projector.document(value);
	return {value: projected, cost: projector.cost};
}

/** Documents this large are first skimmed for a field planImage reads; without one they are never parsed. */
const skimBytes = 1024 * 1024;

const fieldNames = ['Config', 'Layers', 'RepoTags', 'manifests', 'config', 'layers', 'rootfs', 'history', 'os', 'architecture'].map(name => Buffer.from(`"${name}"`));

/** Whether the text may name a field planImage reads (a `\u` escape could spell any key, so it counts too). */
function mayHoldMetadata(text: Buffer): boolean {
	return text.includes('\\u') || fieldNames.some(name => text.includes(name));
}

/**
 * Check, parse and project one JSON blob's text. Never throws: a document that cannot be used keeps a one-line
 * reason (the JSON parser's message escaped: it quotes the document), reported only if the image uses it.
 */
export function keepJson(text: Buffer): KeptJson {
	const bytes = text.length;
	if (bytes > metadataLimits.documentBytes) {
		return oversizeJson(bytes);
	}

	if (nestsDeeper(text, metadataLimits.maxDepth)) {
		return {bytes, cost: 0, problem: `nests deeper than ${metadataLimits.maxDepth} levels: not image metadata`};
	}

	if (bytes >= skimBytes && !mayHoldMetadata(text)) {
		return {bytes, cost: 0, problem: 'holds none of the fields of a manifest, index or config: not image metadata'};
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(text.toString('utf8')) as unknown;
	} catch (error) {
		const message = singleLine((error as Error).message);
		return {bytes, cost: 0, problem: `is not valid JSON: ${message.length > 200 ? `${message.slice(0, 200)}…` : message}`};
	}

	const {value, cost} = projectDocument(parsed);
	return {bytes, value, cost};
}

/** A JSON blob too large to keep (only its size is known). */
export function oversizeJson(bytes: number): KeptJson {
	return {bytes, cost: 0, problem: `is larger than ${metadataLimits.documentBytes / 1024 / 1024} MiB: not image metadata`};
}

/** Counts what the kept documents of one archive cost; `add` answers a one-line reason once over budget. */
export class MetadataBudget {
	documents = 0;
	cost = 0;

	add(kept: KeptJson): string | undefined {
		this.documents++;
		this.cost += kept.cost;
		if (this.documents > metadataLimits.documents) {
			return `the archive holds more than ${metadataLimits.documents.toLocaleString('en-US')} JSON documents: not an image archive layerscope reads`;
		}

		if (this.cost > metadataLimits.keptBytes) {
			return `the archive's JSON documents hold more than ${metadataLimits.keptBytes / 1024 / 1024} MiB of image metadata: not an image archive layerscope reads`;
		}

		return undefined;
	}
}

/** The kept document for a role, or a FormatError-worthy message (already escaped). */
export function useJson(name: string, kept: KeptJson, role: JsonRole): {value: unknown} | {problem: string} {
	if (kept.problem !== undefined) {
		return {problem: `${escapeName(name)} ${kept.problem}`};
	}

	const limit = roleLimits[role];
	if (kept.bytes > limit) {
		return {problem: `${escapeName(name)} is ${kept.bytes} bytes: more than a${role === 'index' ? 'n' : ''} ${role} may hold (${limit / 1024 / 1024} MiB)`};
	}

	return {value: kept.value};
}
