// Finding one path from the top layer down, asking for a layer's entries only when the layers above did not
// decide it: `cat` of a file in the top layers of a large image reads those layers and no other.
//
// The rules are applyLayer's (src/analysis/tree.ts), read from the top: a path is decided by the highest layer
// (at or below the asked one) that has an entry for it, a whiteout of it or of an ancestor, an opaque marker on an
// ancestor, or a non-directory at an ancestor. PURE: when a layer is needed it says which, and the caller
// fetches it and asks again.
import type {LayerEntry} from './types.js';

/** One layer's entries, indexed for lookups. */
export type LayerIndex = {
	/** Non-whiteout entries by path. */
	readonly entries: ReadonlyMap<string, LayerEntry>;
	readonly whiteouts: ReadonlySet<string>;
	/** Directories whose lower contents this layer hides. */
	readonly opaques: ReadonlySet<string>;
	/** Every ancestor directory of an entry (a directory the layer implies without a header of its own). */
	readonly implied: ReadonlySet<string>;
};

function addAncestors(path: string, into: Set<string>): void {
	for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
		const parent = path.slice(0, slash);
		if (into.has(parent)) {
			break;
		}

		into.add(parent);
	}
}

/**
 * Index a layer's entries (O(entries × depth)), as applyLayer applies them: opaque markers hide but create
 * nothing; whiteouts, in tar order, imply their parent directories and then delete their path (so a later
 * whiteout can delete a directory an earlier one implied); entries imply their parents, always.
 */
export function indexLayer(entries: readonly LayerEntry[]): LayerIndex {
	const map = new Map<string, LayerEntry>();
	const whiteouts = new Set<string>();
	const opaques = new Set<string>();
	const implied = new Set<string>();
	const byWhiteouts = new Set<string>();
	for (const entry of entries) {
		if (entry.opaque === true) {
			opaques.add(entry.path);
		} else if (entry.whiteout === true) {
			whiteouts.add(entry.path);
			addAncestors(entry.path, byWhiteouts);
			if (byWhiteouts.size > 0) {
				byWhiteouts.delete(entry.path);
				const below = `${entry.path}/`;
				for (const path of byWhiteouts) {
					if (path.startsWith(below)) {
						byWhiteouts.delete(path);
					}
				}
			}
		} else {
			map.set(entry.path, entry);
			addAncestors(entry.path, implied);
		}
	}

	for (const path of byWhiteouts) {
		implied.add(path);
	}

	return {entries: map, whiteouts, opaques, implied};
}

/** The answer for one literal path. */
export type Decision =
	| {readonly kind: 'need'; readonly layer: number}
	| {readonly kind: 'found'; readonly layer: number; /** undefined: a directory with no header of its own. */ readonly entry: LayerEntry | undefined}
	| {readonly kind: 'absent'; /** The layer that removed it (a whiteout, an opaque or a non-directory above it). */ readonly removedAt?: number};

function ancestors(path: string): string[] {
	const out: string[] = [];
	for (let slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
		out.push(path.slice(0, slash));
	}

	return out;
}

/** Decide the literal `path` (symlinks not followed) as seen at layer `top`. */
export function decide(layers: ReadonlyArray<LayerIndex | undefined>, top: number, path: string): Decision {
	if (path === '') {
		return {kind: 'found', layer: top, entry: undefined};
	}

	const above = ancestors(path);
	for (let index = top; index >= 0; index--) {
		const layer = layers[index];
		if (layer === undefined) {
			return {kind: 'need', layer: index};
		}

		const entry = layer.entries.get(path);
		if (entry !== undefined) {
			return {kind: 'found', layer: index, entry};
		}

		if (layer.implied.has(path)) {
			// A directory this layer implies (whatever was lower there is replaced or merged: it is a directory now).
			// Its own header, if any, is lower down: not read for a lookup that only passes through it.
			return {kind: 'found', layer: index, entry: undefined};
		}

		if (layer.whiteouts.has(path)) {
			return {kind: 'absent', removedAt: index};
		}

		for (const ancestor of above) {
			const other = layer.entries.get(ancestor);
			if (layer.whiteouts.has(ancestor) || layer.opaques.has(ancestor) || (other !== undefined && other.type !== 'dir')) {
				return {kind: 'absent', removedAt: index};
			}
		}
	}

	return {kind: 'absent'};
}

/** What `cat` needs to know of a path, resolved with symlinks followed. */
export type Resolution =
	| {readonly kind: 'need'; readonly layer: number}
	| {readonly kind: 'found'; readonly path: string; readonly layer: number; readonly entry: LayerEntry | undefined}
	| {
		readonly kind: 'absent';
		/** Deepest existing ancestor. */
		readonly nearest: string;
		/**
		 * The layer that removed the path itself or one of its ancestors (a whiteout, an opaque marker, a
		 * non-directory or a symlink put in a directory's place); undefined when it never existed or was lost through a
		 * symlink's target.
		 */
		readonly removedAt?: number;
		/** Set when a symlink on the way leads nowhere: the path is missing only because of where the link points. */
		readonly dangling?: DanglingLink;
	};

/** A symlink whose target (or a component of it) does not exist. Paths without the leading '/'. */
export type DanglingLink = {
	/** The symlink (the last one followed when links lead to links). */
	readonly link: string;
	/** Its target, as stored. */
	readonly target: string;
	/** The first component of the target's path that is missing (or, for 'not-a-directory', the non-directory). */
	readonly missing: string;
	readonly reason: 'missing' | 'not-a-directory';
};

/** A symlink being followed: its target's components are pending until `pending` shrinks back to `end`. */
type LinkFrame = {readonly link: string; readonly target: string; readonly end: number};

const maxSymlinkHops = 40;

/**
 * Resolve `path` at layer `top` as a process chrooted into the image would: symlinks on the way (the last
 * component included) are followed, absolute targets from the root, '..' never above it, at most 40 links.
 */
export function resolveTopDown(layers: ReadonlyArray<LayerIndex | undefined>, top: number, path: string): Resolution {
	const pending = path.split('/').filter(part => part !== '' && part !== '.').reverse();
	const resolved: string[] = [];
	const links: LinkFrame[] = [];
	// The layer of the last symlink on the user's own path (a directory replaced by a link: what was below it
	// was removed by that layer, e.g. /lib become a link to usr/lib).
	let replacedBy: number | undefined;
	let hops = 0;
	let last: Decision | undefined;
	while (pending.length > 0) {
		const part = pending.pop()!;
		// Links whose target was used up: this part (if any) comes from further out.
		while (links.length > 0 && links.at(-1)!.end > pending.length) {
			links.pop();
		}

		if (part === '..') {
			resolved.pop();
			last = undefined;
			continue;
		}

		const candidate = [...resolved, part].join('/');
		const decision = decide(layers, top, candidate);
		if (decision.kind === 'need') {
			return decision;
		}

		const frame = links.at(-1);
		if (decision.kind === 'absent') {
			const nearest = resolved.join('/');
			return frame === undefined
				? {kind: 'absent', nearest, removedAt: decision.removedAt ?? replacedBy}
				: {kind: 'absent', nearest, dangling: {link: frame.link, target: frame.target, missing: candidate, reason: 'missing'}};
		}

		const {entry} = decision;
		if (entry?.type === 'symlink') {
			if (++hops > maxSymlinkHops) {
				throw new RangeError(`too many levels of symbolic links at /${candidate}`);
			}

			const target = entry.linkTarget ?? '';
			if (target.startsWith('/')) {
				resolved.length = 0;
			}

			if (links.length === 0) {
				replacedBy = decision.layer > 0 ? decision.layer : undefined;
			}

			links.push({link: candidate, target, end: pending.length});
			const parts = target.split('/').filter(segment => segment !== '' && segment !== '.');
			for (let index = parts.length - 1; index >= 0; index--) {
				pending.push(parts[index]!);
			}

			last = undefined;
			continue;
		}

		if (entry !== undefined && entry.type !== 'dir' && pending.length > 0) {
			// A non-directory where a directory is needed: what was below it was removed by the layer that put it
			// there (or never existed, which the layer below then says).
			// Through a symlink: a dangling link when its own target goes through the non-directory, else plainly
			// missing (the link itself removed nothing).
			const nearest = resolved.join('/');
			if (frame === undefined) {
				return {kind: 'absent', nearest, removedAt: decision.layer};
			}

			return frame.end < pending.length
				? {kind: 'absent', nearest, dangling: {link: frame.link, target: frame.target, missing: candidate, reason: 'not-a-directory'}}
				: {kind: 'absent', nearest};
		}

		resolved.push(part);
		last = decision;
	}

	if (last === undefined) {
		// The root, or a path that ends in '..' or in a symlink to a directory.
		const joined = resolved.join('/');
		const decision = decide(layers, top, joined);
		if (decision.kind === 'need') {
			return decision;
		}

		return decision.kind === 'found' ? {kind: 'found', path: joined, layer: decision.layer, entry: decision.entry} : {kind: 'absent', nearest: ''};
	}

	return {kind: 'found', path: resolved.join('/'), layer: last.kind === 'found' ? last.layer : top, entry: last.kind === 'found' ? last.entry : undefined};
}
