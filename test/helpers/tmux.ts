// A real terminal for tests: a detached tmux session running a command, its screen read with capture-pane and
// keys sent as a user types them.
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {repoRoot} from './fixtures.js';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

export function tmux(...args: string[]): string {
	return execFileSync('tmux', args, {encoding: 'utf8'});
}

/** The built CLI's entry script (bin/layerscope.js), built first when dist/ is missing (`npm test` builds first). */
export function builtCli(): string {
	if (!existsSync(path.join(repoRoot, 'dist/cli/main.js'))) {
		execFileSync('npm', ['run', 'build', '--silent'], {cwd: repoRoot, stdio: 'inherit'});
	}

	return path.join(repoRoot, 'bin/layerscope.js');
}

export async function sleep(ms: number): Promise<void> {
	await new Promise(resolve => {
		setTimeout(resolve, ms);
	});
}

export type TmuxSession = {
	readonly name: string;
	/** The visible screen as text. */
	screen(): string;
	/** Poll the screen (every 50 ms, up to 30 s) until it matches; rejects with the screen when it never does. */
	waitFor(pattern: RegExp, what: string): Promise<string>;
	/** Send keys one by one (tmux key names: 'Down', 'C-b', 'Enter', or literal text), `pause` ms apart. */
	keys(...names: string[]): Promise<void>;
	/** The pane's title (what escape sequences could have set). */
	title(): string;
	kill(): void;
};

export type TmuxOptions = {
	readonly columns: number;
	readonly rows: number;
	readonly cwd: string;
	/** Extra environment, e.g. {TERM: 'xterm-256color'}. */
	readonly env?: Readonly<Record<string, string>>;
	/** Milliseconds between keys (default 60). */
	readonly pause?: number;
};

/** Start `command` (a shell command line) in a new detached session of the given size. */
export function startTmux(name: string, command: string, options: TmuxOptions): TmuxSession {
	const session = `${name}-${process.pid}`;
	const env = Object.entries(options.env ?? {}).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
	tmux('new-session', '-d', '-s', session, '-x', String(options.columns), '-y', String(options.rows), ...env, '-c', options.cwd, command);
	const screen = (): string => tmux('capture-pane', '-p', '-t', session);
	return {
		name: session,
		screen,
		async waitFor(pattern, what) {
			let text = '';
			for (let tries = 0; tries < 600; tries++) {
				text = screen();
				if (pattern.test(text)) {
					return text;
				}

				await sleep(50);
			}

			throw new Error(`timed out waiting for ${what}; the screen:\n${text}`);
		},
		async keys(...names) {
			for (const key of names) {
				tmux('send-keys', '-t', session, key);
				await sleep(options.pause ?? 60);
			}
		},
		title: () => tmux('display-message', '-p', '-t', session, '#{pane_title}'),
		kill() {
			spawnSync('tmux', ['kill-session', '-t', session]);
		},
	};
}

/** A pattern for the end of a `…; echo "EXIT=$?"; stty -a` script: the exit line and stty's flags after it. */
export const exitedWithStty = /EXIT=\d+[^]*\bi?canon[^]*\becho\b/;
