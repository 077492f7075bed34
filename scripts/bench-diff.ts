// Benchmark of `layerscope diff`: containers with 10,000 changed files, timed, with the number of daemon requests.
//
//   node --import tsx scripts/bench-diff.ts [--files N] [--singles N] [--keep]
//
// Scenarios (each on an image built from the test busybox rootfs, containers run with --network none):
//   added:    N new files in a new directory          (one subtree request covers them all)
//   modified: N files of an image layer appended to   (the directory is cheap to stream: one subtree request)
//   spread:   N new files in an image directory holding 64 MiB (streaming 64 MiB once costs less than N
//             requests, so it is one subtree request too; per-path requests win only for few changes under
//             many image bytes)
//   singles:  the first scenario again with --singles files and one request a path, for the per-request cost
// Requests = those layerscope-diff makes itself (counted) + 3 made by daemonSource (ping, image inspect, save).
import {performance} from 'node:perf_hooks';
import {loadContainerDiff} from '../src/cli/diff-command.js';
import type {RequestCounter} from '../src/sources/container.js';
import {buildImage, docker, ensureBusyboxImage, removeContainers, removeImages} from '../test/helpers/docker.js';

const argv = process.argv.slice(2);
function option(name: string, fallback: number): number {
	const index = argv.indexOf(`--${name}`);
	return index >= 0 ? Number(argv[index + 1]) : fallback;
}

const files = option('files', 10_000);
const singles = option('singles', 500);
const keep = argv.includes('--keep');
const tag = `layerscope-bench/diff-${process.pid}:latest`;
const names: string[] = [];

type Row = {scenario: string; changes: number; requests: number; seconds: number; dockerDiffSeconds: number; bytes: number; sizeRw: number | null};

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
	const start = performance.now();
	const value = await work();
	return [value, (performance.now() - start) / 1000];
}

async function scenario(name: string, script: string, options: {singlesOnly?: boolean} = {}): Promise<Row> {
	const container = `layerscope-bench-diff-${name}-${process.pid}`;
	names.push(container);
	await docker('run', '--network', 'none', '--name', container, tag, 'sh', '-c', script);
	const [, dockerDiffSeconds] = await timed(async () => docker('diff', container));
	const counter: RequestCounter = {requests: 0};
	const [loaded, seconds] = await timed(async () => loadContainerDiff(container, {counter, singlesOnly: options.singlesOnly}));
	const {summary} = loaded.diff;
	return {
		scenario: name,
		changes: loaded.diff.changes.length,
		requests: counter.requests + 3,
		seconds,
		dockerDiffSeconds,
		bytes: summary.bytes,
		sizeRw: summary.sizeRw,
	};
}

async function main(): Promise<void> {
	const base = await ensureBusyboxImage();
	process.stderr.write(`building ${tag} (${files} files in /mod, 64 MiB in /big)…\n`);
	await buildImage(tag, `FROM ${base}
RUN mkdir /mod && cd /mod && i=0; while [ $i -lt ${files} ]; do echo $i > f$i; i=$((i+1)); done
RUN mkdir /big && head -c 67108864 /dev/zero > /big/blob
`);
	const rows: Row[] = [];
	const loop = (count: number, body: string): string => `i=0; while [ $i -lt ${count} ]; do ${body}; i=$((i+1)); done`;
	process.stderr.write('added…\n');
	rows.push(await scenario('added', `mkdir /bulk && cd /bulk && ${loop(files, 'echo $i > f$i')}`));
	process.stderr.write('modified…\n');
	rows.push(await scenario('modified', `cd /mod && ${loop(files, 'echo x >> f$i')}`));
	process.stderr.write('spread…\n');
	rows.push(await scenario('spread', `cd /big && ${loop(files, 'echo $i > f$i')}`));
	process.stderr.write(`singles (${singles} files, one request a path)…\n`);
	rows.push(await scenario('singles', `mkdir /bulk && cd /bulk && ${loop(singles, 'echo $i > f$i')}`, {singlesOnly: true}));

	const header = ['scenario', 'changes', 'requests', 'layerscope s', 'docker diff s', 'bytes', 'SizeRw'];
	const table = [header, ...rows.map(row => [
		row.scenario,
		String(row.changes),
		String(row.requests),
		row.seconds.toFixed(2),
		row.dockerDiffSeconds.toFixed(2),
		String(row.bytes),
		String(row.sizeRw ?? '-'),
	])];
	const widths = header.map((_, column) => Math.max(...table.map(line => line[column]!.length)));
	for (const line of table) {
		process.stdout.write(`${line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}\n`);
	}

	const perRequest = rows.at(-1)!;
	process.stdout.write(`one request a path: ${((perRequest.seconds * 1000) / perRequest.changes).toFixed(1)} ms a path\n`);
}

try {
	await main();
} finally {
	if (!keep) {
		await removeContainers(...names);
		await removeImages(tag);
	}
}
