import {createReadStream} from 'node:fs';
import {Session} from 'node:inspector/promises';
import {analyzeImage} from '../src/analysis/analyze.js';
import {readImageArchive} from '../src/archive/read-image.js';
const image = await readImageArchive(createReadStream(process.argv[2]!, {highWaterMark: 1024 * 1024}), {name: 'x'});
analyzeImage(image);
const session = new Session(); session.connect();
await session.post('Profiler.enable'); await session.post('Profiler.start');
for (let i = 0; i < 3; i++) analyzeImage(image);
const {profile} = await session.post('Profiler.stop');
const byId = new Map(profile.nodes.map(n => [n.id, n]));
const self = new Map<string, number>();
for (const s of profile.samples!) { const n = byId.get(s)!; const k = `${n.callFrame.functionName} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`; self.set(k, (self.get(k) ?? 0) + 1); }
console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 22).map(([k, v]) => `${(v / profile.samples!.length * 100).toFixed(1)}% ${k}`).join('\n'));
