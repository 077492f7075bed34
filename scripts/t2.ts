import {createReadStream} from 'node:fs';
import {readImageArchive} from '../src/archive/read-image.js';
const t = performance.now(); const c = process.cpuUsage();
await readImageArchive(createReadStream(process.argv[2]!, {highWaterMark: 1024 * 1024}), {name: 'x'});
const u = process.cpuUsage(c);
console.log('read only wall', (performance.now() - t).toFixed(0), 'cpu', ((u.user + u.system) / 1000).toFixed(0));
