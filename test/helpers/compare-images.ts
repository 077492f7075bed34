// Small in-memory images for the compare tests (entries as a layer tar would give them).
import {analyzeImage} from '../../src/analysis/analyze.js';
import {type CompareSide, compareImages, type ImageComparison, sideOf} from '../../src/analysis/compare.js';
import type {LayerEntry, RawImage} from '../../src/analysis/types.js';

export const file = (path: string, size = 1, extra: Partial<LayerEntry> = {}): LayerEntry => ({path, type: 'file', mode: 0o644, uid: 0, gid: 0, size, ...extra});
export const dir = (path: string, extra: Partial<LayerEntry> = {}): LayerEntry => ({path, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, ...extra});
export const link = (path: string, target: string): LayerEntry => ({path, type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkTarget: target});

export type TestLayer = {readonly diffId: string; readonly entries: LayerEntry[]; readonly command?: string};

export function image(name: string, layers: readonly TestLayer[]): RawImage {
	return {
		name,
		tags: [],
		config: {id: `sha256:${name.replaceAll(/\W/g, '')}0123456789abcdef`, os: 'linux', architecture: 'amd64', created: ''},
		layers: layers.map((layer, index) => ({
			id: String(index),
			digest: layer.diffId,
			diffId: layer.diffId,
			command: layer.command ?? `step ${index} of ${name}`,
			created: '',
			contents: {entries: layer.entries, tarBytes: 0, blobBytes: 0, compression: 'none' as const},
		})),
	};
}

export function side(raw: RawImage): CompareSide & {readonly listing: readonly LayerEntry[]} {
	return sideOf(raw, analyzeImage(raw));
}

/** A small pair: B adds a 1000-byte file, grows one, removes one, wastes 500 more bytes. */
export function samplePair(): {a: RawImage; b: RawImage; comparison: ImageComparison} {
	const base: TestLayer = {diffId: 'sha256:base', entries: [dir('etc'), file('etc/passwd', 100), dir('bin'), file('bin/sh', 10_000)], command: 'ADD rootfs /'};
	const a = image('app:main', [base, {diffId: 'sha256:a1', entries: [dir('app'), file('app/main.js', 2000), file('app/old.js', 300)]}]);
	const b = image('app:pr', [
		base,
		{diffId: 'sha256:b1', entries: [dir('app'), file('app/main.js', 2500), file('app/new.bin', 1000), file('app/tmp', 500)]},
		{diffId: 'sha256:b2', entries: [{...file('app/tmp', 0), whiteout: true}], command: 'RUN rm /app/tmp'},
	]);
	return {a, b, comparison: compareImages(side(a), side(b))};
}
