// What the TUI shows over time: loading progress (throttled), then the finished model, plus the terminal size.
// runTui writes it; the root component reads it with useSyncExternalStore.
import type {BrowserModel} from './state/model.js';
import type {Viewport} from './state/types.js';
import type {LoadProgress} from './run.js';

export type TuiSnapshot = {
	readonly phase: 'loading' | 'preparing' | 'ready';
	readonly progress: LoadProgress | undefined;
	/** Entries per second over the last second or so. */
	readonly rate: number;
	readonly model: BrowserModel | undefined;
	readonly viewport: Viewport;
	/** Keys typed while loading, applied in order when the browser opens. */
	readonly pendingKeys: readonly PendingKey[];
};

/** A key by name (keymap.ts) with the text it types. */
export type PendingKey = {readonly name: string; readonly text: string};

/** Progress updates more often than this are folded into the next one. */
const progressInterval = 100;

export class TuiStore {
	private snapshot: TuiSnapshot;
	private readonly listeners = new Set<() => void>();
	private pending: LoadProgress | undefined;
	private timer: NodeJS.Timeout | undefined;
	private lastEmit = 0;
	private readonly samples: Array<{time: number; entries: number}> = [];
	private readonly now: () => number;

	constructor(viewport: Viewport, now: () => number = Date.now) {
		this.snapshot = {phase: 'loading', progress: undefined, rate: 0, model: undefined, viewport, pendingKeys: []};
		this.now = now;
	}

	readonly subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => {
			this.listeners.delete(listener);
		};
	};

	readonly get = (): TuiSnapshot => this.snapshot;

	progress(progress: LoadProgress): void {
		this.pending = progress;
		const wait = this.lastEmit + progressInterval - this.now();
		if (wait <= 0) {
			this.flushProgress();
		} else {
			this.timer ??= setTimeout(() => {
				this.timer = undefined;
				this.flushProgress();
			}, wait);
		}
	}

	preparing(): void {
		this.stopTimer();
		this.set({phase: 'preparing'});
	}

	ready(model: BrowserModel): void {
		this.stopTimer();
		this.set({phase: 'ready', model});
	}

	/**
	 * Keep keys typed before the browser is mounted (they are not drawn: no new snapshot). Also after `ready`: the
	 * loading screen keeps the keys until React has re-rendered, and the browser takes them when it mounts.
	 */
	queueKeys(keys: readonly PendingKey[]): void {
		(this.snapshot.pendingKeys as PendingKey[]).push(...keys);
	}

	resize(viewport: Viewport): void {
		if (viewport.width !== this.snapshot.viewport.width || viewport.height !== this.snapshot.viewport.height) {
			this.set({viewport});
		}
	}

	dispose(): void {
		this.stopTimer();
		this.listeners.clear();
	}

	private stopTimer(): void {
		if (this.timer !== undefined) {
			clearTimeout(this.timer);
			this.timer = undefined;
		}
	}

	private flushProgress(): void {
		const progress = this.pending;
		if (progress === undefined || this.snapshot.phase !== 'loading') {
			return;
		}

		this.pending = undefined;
		const time = this.now();
		this.lastEmit = time;
		this.samples.push({time, entries: progress.entries});
		while (this.samples.length > 2 && time - this.samples[1]!.time >= 1000) {
			this.samples.shift();
		}

		const first = this.samples[0]!;
		const seconds = (time - first.time) / 1000;
		const rate = seconds > 0 ? (progress.entries - first.entries) / seconds : 0;
		this.set({progress, rate});
	}

	private set(change: Partial<TuiSnapshot>): void {
		this.snapshot = {...this.snapshot, ...change};
		for (const listener of this.listeners) {
			listener();
		}
	}
}
