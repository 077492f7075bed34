// A container's writable layer against its image: the daemon's change list (`docker diff`) joined with the
// metadata of each changed path and with the image's own layers (what was there before, and which layer put it
// there). Pure: the daemon calls happen in src/sources/container.ts.
import {applyLayer, type FileNode, getNode, isDirNode, newRoot} from './tree.js';
import type {EntryType, LayerEntry, RawImage, RawLayer} from './types.js';

/** How the daemon classifies a changed path. `docker diff` prints them as A, C and D. */
export type ChangeKindName = 'added' | 'modified' | 'deleted';

/** One line of the daemon's change list: an absolute path, as `docker diff` prints it. */
export type DaemonChange = {
	readonly path: string;
	readonly kind: ChangeKindName;
};

/** The container, as the daemon describes it. */
export type ContainerInfo = {
	/** Full container id. */
	readonly id: string;
	/** Name without the leading `/`. */
	readonly name: string;
	/** The image reference the container was created from (`Config.Image`). */
	readonly image: string;
	/** The image id (`sha256:…`) the container runs on. */
	readonly imageId: string;
	/** `running`, `exited`, `created`, `paused`… */
	readonly state: string;
	/** The daemon's size of the writable layer, when it reports one. */
	readonly sizeRw?: number;
};

/** One changed path, with everything known about it. */
export type ContainerChange = {
	/** Absolute path, as `docker diff` prints it. */
	readonly path: string;
	readonly kind: ChangeKindName;
	/** For a deleted path: what the image had there. 'unknown' when nothing could tell. */
	readonly type: EntryType | 'unknown';
	/** Permission bits (0o7777); for a deleted path the image's. null when unknown. */
	readonly mode: number | null;
	readonly uid: number | null;
	readonly gid: number | null;
	/** Bytes this path takes in the writable layer: file size, symlink target length; 0 for the rest (a hardlink too: its bytes are counted once, under its other name). */
	readonly size: number;
	/**
	 * Bytes the image had at this path (null when the image had nothing there): a file's size, a symlink's
	 * target length, 0 for a directory, except when the change hides the image's directory (deleted, or
	 * replaced by a non-directory): then every byte beneath it.
	 */
	readonly previousSize: number | null;
	/** Index of the highest image layer that provided the path (null when no image layer did). */
	readonly fromLayer: number | null;
	/**
	 * Target of a symlink (as stored, not resolved), or the other name of a hardlink (absolute; a file's second
	 * name, seen when both names came in one subtree archive); null otherwise.
	 */
	readonly linkTarget: string | null;
	/**
	 * Content digest of a modified regular file, read when it decides "modified" in the TUI's container layer (the
	 * image has a file of the same size there, with a digest: see contentCheckPaths). Absent otherwise.
	 */
	readonly digest?: string;
	/** Set when the daemon listed the path but it was gone when its metadata was read (a running container). */
	readonly vanished?: true;
	/** Set when the file changed while the daemon archived it (its data was cut short); its metadata is from a second read. */
	readonly changedWhileReading?: true;
};

export type ContainerDiffSummary = {
	readonly added: number;
	readonly modified: number;
	readonly deleted: number;
	/** Σ size over the changes: the bytes the listed changes take in the writable layer. */
	readonly bytes: number;
	/** The daemon's SizeRw, null when it reported none. */
	readonly sizeRw: number | null;
};

export type ContainerDiff = {
	readonly container: ContainerInfo;
	readonly summary: ContainerDiffSummary;
	/** Sorted by path (byte order). */
	readonly changes: readonly ContainerChange[];
};

/** The image's final filesystem, with the layer that provided each entry. */
export type ImageIndex = {
	readonly root: FileNode;
	readonly layerOf: ReadonlyMap<LayerEntry, number>;
};

export function indexImage(layers: readonly RawLayer[]): ImageIndex {
	const root = newRoot();
	const layerOf = new Map<LayerEntry, number>();
	for (const [index, layer] of layers.entries()) {
		for (const entry of layer.contents.entries) {
			if (entry.whiteout !== true && entry.opaque !== true) {
				layerOf.set(entry, index);
			}
		}

		applyLayer(root, layer.contents.entries);
	}

	return {root, layerOf};
}

/** Bytes of a name as stored: lone surrogates U+DC80..U+DCFF stand for one invalid byte each (src/archive/names.ts). */
export function nameByteLength(text: string): number {
	let total = 0;
	for (const char of text) {
		const code = char.codePointAt(0)!;
		if (code >= 0xDC_80 && code <= 0xDC_FF) {
			total += 1;
		} else if (code < 0x80) {
			total += 1;
		} else if (code < 0x8_00) {
			total += 2;
		} else if (code < 0x1_00_00) {
			total += 3;
		} else {
			total += 4;
		}
	}

	return total;
}

/** Bytes an entry takes on a filesystem as the daemon counts them: a file's size, a symlink's target length. */
export function ownBytes(entry: Pick<LayerEntry, 'type' | 'size' | 'linkTarget'>): number {
	if (entry.type === 'file') {
		return entry.size;
	}

	if (entry.type === 'symlink') {
		return nameByteLength(entry.linkTarget ?? '');
	}

	return 0;
}

function subtreeBytes(node: FileNode): number {
	let total = node.entry === undefined ? 0 : ownBytes(node.entry);
	if (node.children !== undefined) {
		for (const child of node.children.values()) {
			total += subtreeBytes(child);
		}
	}

	return total;
}

/** The layer of a node's entry; for a directory with no entry of its own, the highest layer beneath it. */
function providingLayer(node: FileNode, layerOf: ReadonlyMap<LayerEntry, number>): number | undefined {
	if (node.entry !== undefined) {
		return layerOf.get(node.entry);
	}

	let highest: number | undefined;
	for (const child of node.children?.values() ?? []) {
		const layer = providingLayer(child, layerOf);
		if (layer !== undefined && (highest === undefined || layer > highest)) {
			highest = layer;
		}
	}

	return highest;
}

/** A symlink's target as stored; a hardlink's target as an absolute path (entries store it relative). */
function linkTargetOf(entry: LayerEntry): string | null {
	if (entry.type === 'symlink') {
		return entry.linkTarget ?? '';
	}

	return entry.type === 'hardlink' ? `/${entry.linkTarget ?? ''}` : null;
}

function relative(path: string): string {
	return path.split('/').filter(part => part !== '' && part !== '.').join('/');
}

function byPath(a: {path: string}, b: {path: string}): number {
	return a.path < b.path ? -1 : (a.path > b.path ? 1 : 0);
}

export type ContainerDiffInput = {
	readonly container: ContainerInfo;
	/** The daemon's change list, in any order (duplicates are dropped). */
	readonly changes: readonly DaemonChange[];
	/** Metadata of the added and modified paths, keyed by the absolute path of the change; missing = vanished. */
	readonly stats: ReadonlyMap<string, LayerEntry>;
	/** The container's image (the image id the container runs on). */
	readonly image: RawImage;
	/** A prebuilt index of the image, to share one stacking pass. */
	readonly index?: ImageIndex;
	/** Paths that changed while they were read (see fetchChangedPaths' changedWhileReading). */
	readonly changedWhileReading?: ReadonlySet<string>;
};

export function buildContainerDiff(input: ContainerDiffInput): ContainerDiff {
	const index = input.index ?? indexImage(input.image.layers);
	const seen = new Set<string>();
	const changes: ContainerChange[] = [];
	for (const change of input.changes) {
		if (seen.has(change.path)) {
			continue;
		}

		seen.add(change.path);
		const lower = getNode(index.root, relative(change.path));
		const lowerLayer = lower === undefined ? undefined : providingLayer(lower, index.layerOf);
		const fromLayer = change.kind === 'added' || lowerLayer === undefined ? null : lowerLayer;
		const lowerType: EntryType | undefined = lower === undefined ? undefined : (lower.entry?.type ?? 'dir');
		if (change.kind === 'deleted') {
			changes.push({
				path: change.path,
				kind: 'deleted',
				type: lowerType ?? 'unknown',
				// An implicit directory (no header in any layer) has no recorded metadata.
				mode: lower?.entry?.mode ?? null,
				uid: lower?.entry?.uid ?? null,
				gid: lower?.entry?.gid ?? null,
				size: 0,
				previousSize: lower === undefined ? null : subtreeBytes(lower),
				fromLayer,
				linkTarget: lower?.entry === undefined ? null : linkTargetOf(lower.entry),
			});
			continue;
		}

		const stat = input.stats.get(change.path);
		let previousSize: number | null = null;
		if (change.kind === 'modified' && lower !== undefined) {
			if (lower.entry !== undefined && !isDirNode(lower)) {
				previousSize = ownBytes(lower.entry);
			} else {
				// A directory: its own metadata is no bytes, unless a non-directory now hides all beneath it.
				previousSize = stat !== undefined && stat.type !== 'dir' ? subtreeBytes(lower) : 0;
			}
		}

		if (stat === undefined) {
			changes.push({
				path: change.path,
				kind: change.kind,
				type: 'unknown',
				mode: null,
				uid: null,
				gid: null,
				size: 0,
				previousSize,
				fromLayer,
				linkTarget: null,
				vanished: true,
			});
			continue;
		}

		changes.push({
			path: change.path,
			kind: change.kind,
			type: stat.type,
			mode: stat.mode,
			uid: stat.uid,
			gid: stat.gid,
			size: ownBytes(stat),
			previousSize,
			fromLayer,
			linkTarget: linkTargetOf(stat),
			...(stat.digest === undefined ? {} : {digest: stat.digest}),
			...(input.changedWhileReading?.has(change.path) === true ? {changedWhileReading: true as const} : {}),
		});
	}

	changes.sort(byPath);
	let added = 0;
	let modified = 0;
	let deleted = 0;
	let bytes = 0;
	for (const change of changes) {
		bytes += change.size;
		if (change.kind === 'added') {
			added++;
		} else if (change.kind === 'modified') {
			modified++;
		} else {
			deleted++;
		}
	}

	return {
		container: input.container,
		summary: {added, modified, deleted, bytes, sizeRw: input.container.sizeRw ?? null},
		changes,
	};
}

/** Id and command of the synthetic layer that stands for the writable layer. */
export const containerLayerId = 'container';
export const containerLayerCommand = 'container (writable)';

/**
 * The writable layer as an image layer, to stack on the image's layers and analyse like any other: added and
 * modified paths become entries (sizes as a tar would record them), deleted paths whiteouts. Paths that
 * vanished before their metadata was read are left out.
 */
export function containerLayer(diff: ContainerDiff): RawLayer {
	const entries: LayerEntry[] = [];
	for (const change of diff.changes) {
		const path = relative(change.path);
		if (path === '') {
			continue;
		}

		if (change.kind === 'deleted') {
			entries.push({
				path,
				type: change.type === 'unknown' ? 'file' : change.type,
				mode: 0,
				uid: 0,
				gid: 0,
				size: 0,
				whiteout: true,
			});
			continue;
		}

		if (change.type === 'unknown') {
			continue;
		}

		const entry: LayerEntry = {
			path,
			type: change.type,
			mode: change.mode ?? 0,
			uid: change.uid ?? 0,
			gid: change.gid ?? 0,
			size: change.type === 'file' ? change.size : 0,
			...(change.digest === undefined ? {} : {digest: change.digest}),
		};
		if (change.linkTarget === null) {
			entries.push(entry);
		} else {
			entries.push({...entry, linkTarget: change.type === 'hardlink' ? relative(change.linkTarget) : change.linkTarget});
		}
	}

	return {
		id: containerLayerId,
		digest: '',
		diffId: '',
		command: containerLayerCommand,
		created: '',
		contents: {entries, tarBytes: 0, blobBytes: 0, compression: 'none'},
	};
}

/** The image with the writable layer on top, and the index of that layer. */
export function imageWithContainerLayer(image: RawImage, diff: ContainerDiff): {image: RawImage; containerLayer: number} {
	return {
		image: {...image, layers: [...image.layers, containerLayer(diff)]},
		containerLayer: image.layers.length,
	};
}

/**
 * One archive request for changed paths' metadata. `subtree: false`: read the first tar header only (the path
 * itself). `subtree: true`: read every header of the path's archive, which covers each changed path beneath it;
 * if more than `budgetBytes` stream past before the archive ends, the request is abandoned and the paths not
 * seen yet are fetched one by one.
 */
export type FetchRequest = {
	readonly path: string;
	readonly subtree: boolean;
	/** Absolute changed paths this request provides (for a single request, just `path`). */
	readonly covers: readonly string[];
	readonly budgetBytes: number;
};

export type FetchPlanOptions = {
	/**
	 * Bytes of the image under a path (the node's own bytes plus everything beneath it), undefined when the image
	 * has no such path. Without it, only added directories are fetched as subtrees.
	 */
	readonly imageBytes?: (path: string) => number | undefined;
	/** Streaming this many bytes is taken to cost about one more archive request (default 8 MiB). */
	readonly bytesPerRequest?: number;
	/** Never fetch subtrees: one request a path. */
	readonly singlesOnly?: boolean;
	/** Added to every subtree's budget (default 64 MiB). */
	readonly slackBytes?: number;
};

type PlanNode = {
	readonly path: string;
	kind: ChangeKindName | undefined;
	readonly children: Map<string, PlanNode>;
	count: number;
};

/**
 * Which archive requests fetch the metadata of the added and modified paths (deleted ones need none), so that
 * the daemon works as little as it can. An archive request is expensive (the daemon starts a tar process for
 * each: ~85 ms on the reference machine, and it runs them one at a time) while streaming is cheap, so:
 * - an added directory with changes beneath it is one subtree request: everything in it is an added path;
 * - a directory whose changed paths would cost more as single requests than streaming what the image has
 *   beneath it is one subtree request (never the root: that would be a full export);
 * - every other path is a single request.
 */
export function planPathFetches(changes: readonly DaemonChange[], options: FetchPlanOptions = {}): FetchRequest[] {
	const bytesPerRequest = options.bytesPerRequest ?? 8 * 1024 * 1024;
	const slack = options.slackBytes ?? 64 * 1024 * 1024;
	const root: PlanNode = {path: '/', kind: undefined, children: new Map(), count: 0};
	const seen = new Set<string>();
	for (const change of changes) {
		if (change.kind === 'deleted' || seen.has(change.path)) {
			continue;
		}

		seen.add(change.path);
		let node = root;
		for (const part of relative(change.path).split('/')) {
			if (part === '') {
				continue;
			}

			let child = node.children.get(part);
			if (child === undefined) {
				child = {path: node.path === '/' ? `/${part}` : `${node.path}/${part}`, kind: undefined, children: new Map(), count: 0};
				node.children.set(part, child);
			}

			node = child;
		}

		node.kind = change.kind;
	}

	const countUp = (node: PlanNode): number => {
		node.count = node.kind === undefined ? 0 : 1;
		for (const child of node.children.values()) {
			node.count += countUp(child);
		}

		return node.count;
	};

	countUp(root);
	const requests: FetchRequest[] = [];
	const collect = (node: PlanNode, out: string[]): string[] => {
		if (node.kind !== undefined) {
			out.push(node.path);
		}

		for (const child of node.children.values()) {
			collect(child, out);
		}

		return out;
	};

	const subtree = (node: PlanNode, imageBytes: number): void => {
		requests.push({path: node.path, subtree: true, covers: collect(node, []), budgetBytes: imageBytes + (node.count * bytesPerRequest) + slack});
	};

	const walk = (node: PlanNode): void => {
		if (options.singlesOnly !== true && node !== root && node.count >= 2) {
			if (node.kind === 'added') {
				subtree(node, 0);
				return;
			}

			const imageBytes = options.imageBytes?.(node.path);
			if (imageBytes !== undefined && imageBytes <= (node.count - 1) * bytesPerRequest) {
				subtree(node, imageBytes);
				return;
			}
		}

		if (node.kind !== undefined) {
			requests.push({path: node.path, subtree: false, covers: [node.path], budgetBytes: 0});
		}

		for (const child of node.children.values()) {
			walk(child);
		}
	};

	walk(root);
	return requests;
}

/** `imageBytes` for planPathFetches over an image index (memoised per node). */
export function imageBytesLookup(index: ImageIndex): (path: string) => number | undefined {
	const memo = new Map<FileNode, number>();
	const total = (node: FileNode): number => {
		let value = memo.get(node);
		if (value === undefined) {
			value = node.entry === undefined ? 0 : ownBytes(node.entry);
			for (const child of node.children?.values() ?? []) {
				value += total(child);
			}

			memo.set(node, value);
		}

		return value;
	};

	return path => {
		const node = getNode(index.root, relative(path));
		return node === undefined ? undefined : total(node);
	};
}

/** Which request provided each changed path's metadata: absolute path → the request's path. */
export type ProvidedBy = Map<string, string>;

export type HardlinkCheckOptions = {
	/** As for planPathFetches: bytes of the image under a path. */
	readonly imageBytes?: (path: string) => number | undefined;
	/** Added to every check's budget (default 64 MiB). */
	readonly slackBytes?: number;
};

function parentDir(path: string): string {
	const slash = path.lastIndexOf('/');
	return slash <= 0 ? '/' : path.slice(0, slash);
}

/** The deepest directory holding both (absolute paths, "/" for the root). */
function commonDir(a: string, b: string): string {
	let dir = a;
	while (dir !== '/' && b !== dir && !b.startsWith(`${dir}/`)) {
		dir = parentDir(dir);
	}

	return dir;
}

function within(path: string, dir: string): boolean {
	return dir === '/' || path === dir || path.startsWith(`${dir}/`);
}

/**
 * Archive requests that tell which changed regular files are one inode under several names (hardlinks). The
 * daemon's archive endpoint writes a file's second name as a hardlink only within one archive, so names read by
 * different requests each come as a full file, and their bytes would count twice where SizeRw counts them once.
 * Candidates are regular files (size > 0) read by different requests whose size, mtime, mode, uid and gid are equal
 * (what names of one inode share); for each set, one subtree request of the deepest directory holding them all
 * (nested ones merged) lists them in one archive. Sets that the archive shows to be separate files stay as they are.
 */
export function planHardlinkChecks(stats: ReadonlyMap<string, LayerEntry>, providedBy: ReadonlyMap<string, string>, options: HardlinkCheckOptions = {}): FetchRequest[] {
	const groups = new Map<string, string[]>();
	// Names already known as hardlinks (second names within one subtree archive), by their target.
	const linksTo = new Map<string, string[]>();
	let writableBytes = 0;
	for (const [path, entry] of stats) {
		writableBytes += ownBytes(entry);
		if (entry.type === 'hardlink' && entry.linkTarget !== undefined) {
			const target = `/${entry.linkTarget}`;
			linksTo.set(target, [...linksTo.get(target) ?? [], path]);
		}

		if (entry.type !== 'file' || entry.size === 0) {
			continue;
		}

		const key = `${entry.size}:${entry.mtime ?? ''}:${entry.mode}:${entry.uid}:${entry.gid}`;
		const group = groups.get(key);
		if (group === undefined) {
			groups.set(key, [path]);
		} else {
			group.push(path);
		}
	}

	const wanted: Array<{dir: string; paths: string[]}> = [];
	for (const paths of groups.values()) {
		if (new Set(paths.map(path => providedBy.get(path) ?? path)).size < 2) {
			continue; // One archive showed them all: separate files (or already linked).
		}

		// Their known second names too, so that every name ends up linked to the same first one.
		const names = [...paths, ...paths.flatMap(path => linksTo.get(path) ?? [])];
		let dir = parentDir(names[0]!);
		for (const path of names) {
			dir = commonDir(dir, path);
		}

		wanted.push({dir, paths: names});
	}

	// A directory's request also covers the sets of the directories beneath it.
	wanted.sort((a, b) => (a.dir < b.dir ? -1 : (a.dir > b.dir ? 1 : 0)));
	const merged: Array<{dir: string; paths: string[]}> = [];
	for (const item of wanted) {
		const outer = merged.find(candidate => within(item.dir, candidate.dir));
		if (outer === undefined) {
			merged.push({dir: item.dir, paths: [...item.paths]});
		} else {
			for (const path of item.paths) {
				outer.paths.push(path);
			}
		}
	}

	const slack = options.slackBytes ?? 64 * 1024 * 1024;
	return merged.map(item => ({
		path: item.dir,
		subtree: true,
		covers: item.paths.sort(),
		budgetBytes: (options.imageBytes?.(item.dir) ?? 0) + writableBytes + slack,
	}));
}

/**
 * The changed paths a hardlink check saw, in archive order, each with the name of its inode: its own for a
 * regular file, the link target (the inode's first name in that archive) for a hardlink.
 */
export type InodeNames = ReadonlyArray<{readonly path: string; readonly inode: string}>;

/**
 * Rewrite `stats` so each inode's bytes count once: of the changed names of one inode, the first in archive order
 * keeps the file (its size); the others become hardlinks to it, of size 0, as `docker export` writes them.
 */
export function applyHardlinks(stats: Map<string, LayerEntry>, seen: InodeNames): void {
	const byInode = new Map<string, string[]>();
	for (const {path, inode} of seen) {
		if (!stats.has(path)) {
			continue;
		}

		const names = byInode.get(inode);
		if (names === undefined) {
			byInode.set(inode, [path]);
		} else if (!names.includes(path)) {
			names.push(path);
		}
	}

	for (const names of byInode.values()) {
		const file = names.map(path => stats.get(path)!).find(entry => entry.type === 'file');
		if (names.length < 2 || file === undefined) {
			continue;
		}

		const [carrier, ...others] = names as [string, ...string[]];
		if (stats.get(carrier)!.type !== 'file') {
			stats.set(carrier, file); // The names of one inode share its metadata.
		}

		for (const path of others) {
			const entry = stats.get(path)!;
			stats.set(path, {...entry, type: 'hardlink', size: 0, linkTarget: relative(carrier)});
		}
	}
}

/**
 * Modified regular files whose content decides whether they changed (sameFile): the image has a regular file of
 * the same size at the path, with an xxh64 content digest, and the container's tar header has no digest. The
 * daemon lists a file as changed whenever it was copied up (a chmod, a touch, a rewrite of the same bytes), so
 * only the content tells a same-size edit from no edit. Reading these files' bytes (src/sources/container.ts
 * fileDigests) gives the container layer the digests the image layers have.
 */
export function contentCheckPaths(changes: readonly DaemonChange[], stats: ReadonlyMap<string, LayerEntry>, index: ImageIndex): string[] {
	const out = new Set<string>();
	for (const change of changes) {
		const stat = stats.get(change.path);
		if (change.kind !== 'modified' || stat?.type !== 'file' || stat.digest !== undefined) {
			continue;
		}

		const lower = getNode(index.root, relative(change.path))?.entry;
		if (lower?.type === 'file' && lower.size === stat.size && lower.digest?.startsWith('xxh64:') === true) {
			out.add(change.path);
		}
	}

	return [...out];
}
