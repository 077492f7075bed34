// Part of `npm run bench`: `cat` of one small file from the large bench archive, by the layer that holds it —
// wall time, peak RSS and the bytes of layer blobs read, against the archive's size.
// Usage: node --import tsx scripts/bench-content.ts ARCHIVE…   (or --one ARCHIVE PATH, what each child runs)
import {spawnSync} from 'node:child_process';
import {statSync} from 'node:fs';
import {openImageForContent} from '../src/cli/content-source.js';
import {findFile, layerIndex, streamFile} from '../src/cli/content.js';

const args = process.argv.slice(2);
if (args[0] === '--one') {
	const started = performance.now();
	const counter = {bytes: 0};
	const image = await openImageForContent(args[1]!, {}, counter);
	const target = await findFile(image, args[2]!, layerIndex(image, undefined));
	let bytes = 0;
	await streamFile(image.open, target, chunk => {
		bytes += chunk.length;
	});
	console.log(JSON.stringify({wallMs: performance.now() - started, bytesRead: counter.bytes, fileBytes: bytes, layer: target.content.layer, maxRssMb: process.resourceUsage().maxRSS / 1024}));
} else {
	// The bench image's layers, base first: a file of the top layer and one of the base layer.
	const files = [['top layer', '/srv/extra/d0/file-0.txt'], ['lower layer', '/usr/share/base/d0/file-1.txt']] as const;
	console.log('\ncat of one small file (node start-up included; median of 3):');
	for (const archive of args) {
		const size = statSync(archive).size;
		for (const [where, file] of files) {
			const results = [];
			for (let run = 0; run < 3; run++) {
				const child = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench-content.ts', '--one', archive, file], {encoding: 'utf8'});
				if (child.status !== 0) {
					throw new Error(child.stderr);
				}

				results.push(JSON.parse(child.stdout) as {wallMs: number; bytesRead: number; layer: number; maxRssMb: number});
			}

			results.sort((a, b) => a.wallMs - b.wallMs);
			const median = results[1]!;
			console.log(`${archive.split('/').pop()!.padEnd(34)} ${where.padEnd(11)} (layer ${median.layer}) ${(median.wallMs / 1000).toFixed(2).padStart(6)} s ${(median.bytesRead / 1e6).toFixed(0).padStart(6)} MB of ${(size / 1e6).toFixed(0)} MB read ${median.maxRssMb.toFixed(0).padStart(5)} MB peak RSS`);
		}
	}
}
