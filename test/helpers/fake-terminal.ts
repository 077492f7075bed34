// Fake terminal streams for running the real UI (runTui, runUi) in-process: only the terminal is fake.
import {EventEmitter} from 'node:events';
import {stripVTControlCharacters} from 'node:util';

/** A terminal's output stream: what ink writes is kept (`output`, `text()` without escapes); `written` on each write. */
export class FakeStdout extends EventEmitter {
	readonly isTTY = false;
	columns = 100;
	rows = 30;
	output = '';
	write = (data: string): boolean => {
		this.output += data;
		this.emit('written');
		return true;
	};

	text(): string {
		return stripVTControlCharacters(this.output);
	}
}

/** A terminal's input stream: `write` types text as a user would; the raw mode asked for is kept. */
export class FakeStdin extends EventEmitter {
	readonly isTTY = true;
	private data: string | undefined;
	rawMode = false;
	write(data: string): void {
		this.data = data;
		this.emit('readable');
	}

	read = (): string | null => {
		const {data} = this;
		this.data = undefined;
		return data ?? null;
	};

	setEncoding(): void {}
	setRawMode(mode: boolean): void {
		this.rawMode = mode;
	}

	resume(): void {}
	pause(): void {}
	ref(): void {}
	unref(): void {}
}

/** A fake terminal of 100×30 and the runTui/runUi stream options over it. */
export function streams() {
	const stdout = new FakeStdout();
	const stdin = new FakeStdin();
	return {stdout, stdin, options: {stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, viewport: {width: 100, height: 30}, alternateScreen: false, colors: false}};
}

/** Wait until `check` holds, polling every 5 ms; throws after `limit` tries, naming `what`. */
export async function until(check: () => boolean, what: string, limit = 500): Promise<void> {
	for (let tries = 0; !check(); tries++) {
		if (tries > limit) {
			throw new Error(`timed out waiting for ${what}`);
		}

		await new Promise(resolve => {
			setTimeout(resolve, 5);
		});
	}
}
