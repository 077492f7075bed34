// A real terminal for benchmarks: a private tmux server (its own socket), one pane of a fixed size, and a control-
// mode client (`tmux -C`) that sends keys and receives everything the program writes as `%output` notifications,
// timestamped as they arrive. No polling of the screen and no process spawned per key: the same harness times
// layerscope and `less`, so their figures compare.
import {type ChildProcessWithoutNullStreams, spawn, spawnSync} from 'node:child_process';

export type OutputChunk = {readonly at: number; readonly text: string};

/** tmux's control-mode escaping: bytes below space and the backslash as `\ooo`. */
function decodeOutput(value: string): string {
	return value.replaceAll(/\\([0-7]{3})/g, (_, octal: string) => String.fromCodePoint(Number.parseInt(octal, 8)));
}

export class TmuxHarness {
	readonly socket: string;
	readonly session: string;
	private readonly client: ChildProcessWithoutNullStreams;
	private readonly chunks: OutputChunk[] = [];
	private buffered = '';
	private readonly waiters = new Set<() => void>();

	private constructor(socket: string, session: string, client: ChildProcessWithoutNullStreams) {
		this.socket = socket;
		this.session = session;
		this.client = client;
		client.stdout.setEncoding('latin1');
		client.stdout.on('data', (data: string) => {
			const at = performance.now();
			this.buffered += data;
			let newline = this.buffered.indexOf('\n');
			while (newline >= 0) {
				const line = this.buffered.slice(0, newline);
				this.buffered = this.buffered.slice(newline + 1);
				if (line.startsWith('%output ')) {
					const value = line.slice(line.indexOf(' ', 8) + 1);
					this.chunks.push({at, text: Buffer.from(decodeOutput(value), 'latin1').toString('utf8')});
				}

				newline = this.buffered.indexOf('\n');
			}

			for (const waiter of this.waiters) {
				waiter();
			}
		});
	}

	/** A server with one idle pane of `width`×`height`, and the control client attached to it. */
	static async start(width: number, height: number, environment: Record<string, string> = {}): Promise<TmuxHarness> {
		const socket = `layerscope-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
		const session = 'bench';
		const env = Object.entries({TERM: 'xterm-256color', ...environment}).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
		const made = spawnSync('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', session, '-x', String(width), '-y', String(height), ...env, 'sleep 100000']);
		if (made.status !== 0) {
			throw new Error(`tmux: ${String(made.stderr)}`);
		}

		spawnSync('tmux', ['-L', socket, 'set-option', '-g', 'window-size', 'manual']);
		spawnSync('tmux', ['-L', socket, 'set-option', '-g', 'status', 'off']);
		spawnSync('tmux', ['-L', socket, 'set-option', '-g', 'remain-on-exit', 'on']);
		spawnSync('tmux', ['-L', socket, 'resize-window', '-t', session, '-x', String(width), '-y', String(height)]);
		const client = spawn('tmux', ['-L', socket, '-C', 'attach-session', '-t', session]);
		const harness = new TmuxHarness(socket, session, client);
		await harness.sleep(200);
		return harness;
	}

	private command(line: string): void {
		this.client.stdin.write(`${line}\n`);
	}

	async sleep(ms: number): Promise<void> {
		await new Promise(resolve => {
			setTimeout(resolve, ms);
		});
	}

	/** Replace the pane's program with `shellCommand` (run by sh); returns the time it was asked for. */
	run(shellCommand: string, environment: Record<string, string> = {}): number {
		const env = Object.entries(environment).map(([key, value]) => `-e ${quote(`${key}=${value}`)}`).join(' ');
		this.chunks.length = 0;
		const at = performance.now();
		this.command(`respawn-pane -k ${env} -t ${this.session} ${quote(shellCommand)}`);
		return at;
	}

	/** Send one key (tmux key name: Down, PageDown, Tab, j, C-a…); returns the time it was sent. */
	key(name: string): number {
		const at = performance.now();
		this.command(`send-keys -t ${this.session} ${name}`);
		return at;
	}

	/** Output received since `since` (ms, performance.now()). */
	outputSince(since: number): OutputChunk[] {
		return this.chunks.filter(chunk => chunk.at >= since);
	}

	/** When the text of the output since `since` first contains `needle` (undefined after `timeout` ms). */
	async waitForText(needle: string, since: number, timeout = 60_000): Promise<number | undefined> {
		const deadline = performance.now() + timeout;
		let text = '';
		let index = 0;
		for (;;) {
			const chunks = this.chunks;
			for (; index < chunks.length; index++) {
				if (chunks[index]!.at < since) {
					continue;
				}

				text += chunks[index]!.text;
				if (text.includes(needle)) {
					return chunks[index]!.at;
				}
			}

			if (performance.now() > deadline) {
				return undefined;
			}

			await this.waitForOutput(deadline - performance.now());
		}
	}

	/**
	 * After a key sent at `sent`: the time of the last output chunk before `quiet` ms without output (the frame
	 * is complete), or undefined when nothing came within `timeout` ms.
	 */
	async settled(sent: number, quiet = 40, timeout = 3000): Promise<number | undefined> {
		const deadline = sent + timeout;
		for (;;) {
			const last = this.chunks.at(-1);
			const now = performance.now();
			if (last !== undefined && last.at >= sent && now - last.at >= quiet) {
				return last.at;
			}

			if (now > deadline) {
				return last !== undefined && last.at >= sent ? last.at : undefined;
			}

			await this.waitForOutput(Math.min(quiet, deadline - now));
		}
	}

	private async waitForOutput(ms: number): Promise<void> {
		await new Promise<void>(resolve => {
			const done = (): void => {
				clearTimeout(timer);
				this.waiters.delete(done);
				resolve();
			};

			const timer = setTimeout(done, Math.max(1, ms));
			this.waiters.add(done);
		});
	}

	/** The pane as text now. */
	screen(): string {
		return spawnSync('tmux', ['-L', this.socket, 'capture-pane', '-p', '-t', this.session], {encoding: 'utf8'}).stdout;
	}

	stop(): void {
		this.client.stdin.end();
		this.client.kill();
		spawnSync('tmux', ['-L', this.socket, 'kill-server']);
	}
}

function quote(text: string): string {
	return `'${text.replaceAll('\'', '\'\\\'\'')}'`;
}
