// Writes test/fixtures/demo-image.tar (see scripts/lib/demo-image.ts).
// Usage: node --import tsx scripts/make-demo-image.ts [--if-missing] [OUTPUT]
import {existsSync} from 'node:fs';
import {demoLayers, writeDemoImage} from './lib/demo-image.js';

const args = process.argv.slice(2);
const output = args.find(argument => !argument.startsWith('--')) ?? 'test/fixtures/demo-image.tar';
if (!(args.includes('--if-missing') && existsSync(output))) {
	const bytes = await writeDemoImage(output);
	process.stderr.write(`wrote ${output} (${bytes} bytes, ${demoLayers.length} layers)\n`);
}
