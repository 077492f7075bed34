// Progress of reading an image, on stderr: one self-erasing line on a terminal; on anything else (a CI log, a
// file) only a pull's start and end, each on its own line.
import prettyBytes from 'pretty-bytes';
import type {RawImage} from '../analysis/types.js';
import type {SourceStatus} from '../sources/types.js';
import {type LoadOptions, loadImage} from './load.js';

export type StderrProgress = Pick<LoadOptions, 'onStatus' | 'onRead'> & {
	/** The read ended; ok false: it failed, so nothing claims it finished (no "pulled: …" line). */
	done(ok: boolean): void;
};

/** A progress reporter writing to `write` (process.stderr's); `isTTY` and `columns` describe that stream. */
export function stderrProgress(write: (text: string) => void, terminal: {isTTY: boolean; columns?: number}): StderrProgress {
	if (!terminal.isTTY) {
		let pull: SourceStatus | undefined;
		return {
			onStatus(status) {
				if (status.phase === 'pull') {
					if (pull === undefined) {
						write(`${status.message}\n`);
					}

					pull = status;
				}
			},
			done(ok) {
				if (ok && pull?.current !== undefined) {
					write(`pulled: ${prettyBytes(pull.current)}\n`);
				}
			},
		};
	}

	let last = 0;
	let shown = false;
	const show = (text: string, force = false): void => {
		const now = Date.now();
		if (!force && now - last < 100) {
			return;
		}

		last = now;
		shown = true;
		const width = Math.max(20, (terminal.columns ?? 80) - 1);
		write(`\r\u001B[2K${text.slice(0, width)}`);
	};

	return {
		onStatus(status) {
			const amount = status.current === undefined ? '' : ` ${prettyBytes(status.current)}${status.total === undefined ? '' : ` / ${prettyBytes(status.total)}`}`;
			// The message names its own verb ("pulling …", "exporting …"): the phase is not repeated before it.
			show(`${status.message}${amount}`, true);
		},
		onRead(progress) {
			const total = progress.totalBytes === undefined ? '' : ` / ${prettyBytes(progress.totalBytes)}`;
			const fromCache = progress.layersFromCache === undefined ? '' : ` (${progress.layersFromCache} from cache)`;
			show(`reading ${prettyBytes(progress.bytes)}${total} · ${progress.layersDone} layers${fromCache} · ${progress.entries.toLocaleString('en-US')} entries`);
		},
		done() {
			if (shown) {
				write('\r\u001B[2K');
			}
		},
	};
}

/** Reads the image the user named, with progress on stderr. */
export async function readImageWithProgress(target: string, options: Pick<LoadOptions, 'source' | 'platform' | 'insecure' | 'cache'>): Promise<RawImage> {
	const progress = stderrProgress(text => process.stderr.write(text), {isTTY: process.stderr.isTTY === true, columns: process.stderr.columns});
	let ok = false;
	try {
		const image = await loadImage(target, {
			...options,
			onStatus: progress.onStatus,
			onRead: progress.onRead,
			onNotice(line) {
				process.stderr.write(`layerscope: ${line}\n`);
			},
		});
		ok = true;
		return image;
	} finally {
		progress.done(ok);
	}
}
