// What modules loaded on demand (the layer cache…) share with main.ts, without main.ts loading them: the --debug
// flag, and work to finish before the process exits.

/** Flags of this run, set by main.ts before a command runs. */
export const runFlags = {debug: false};

const exitHooks: Array<() => Promise<void>> = [];

/** Run `hook` (awaited) after the command, before the process exits; a failing hook is ignored. */
export function beforeExit(hook: () => Promise<void>): void {
	exitHooks.push(hook);
}

/** Runs the hooks registered so far, in order (main.ts). */
export async function runExitHooks(): Promise<void> {
	for (const hook of exitHooks.splice(0)) {
		await hook().catch(() => undefined);
	}
}
