import {createReadStream} from 'node:fs';
import {analyzeImage} from '../src/analysis/analyze.js';
import {readImageArchive} from '../src/archive/read-image.js';
const image = await readImageArchive(createReadStream(process.argv[2]!, {highWaterMark: 1024 * 1024}), {name: 'x'});
for (let i = 0; i < 4; i++) { const t = performance.now(); analyzeImage(image); console.log('analyse', (performance.now() - t).toFixed(0)); }
