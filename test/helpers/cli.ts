// Running the built CLI (npm test builds it first) as a user would.
import {spawn} from 'node:child_process';
import path from 'node:path';
import {repoRoot} from './fixtures.js';
// A test file run on its own (node --test FILE) gets its own layer cache too, never the user's.
import './cache-env.js';

export type CliResult = {code: number | null; stdout: string; stderr: string};

export async function runCli(args: readonly string[], options: {input?: Buffer; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number} = {}): Promise<CliResult> {
	const child = spawn(process.execPath, [path.join(repoRoot, 'bin/layerscope.js'), ...args], {
		cwd: options.cwd ?? repoRoot,
		env: {...process.env, NO_COLOR: '1', ...options.env},
		stdio: ['pipe', 'pipe', 'pipe'],
	});
	const stdout: Buffer[] = [];
	const stderr: Buffer[] = [];
	child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
	child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
	child.stdin.on('error', () => undefined);
	child.stdin.end(options.input);
	const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	clearTimeout(timer);
	return {code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8')};
}
