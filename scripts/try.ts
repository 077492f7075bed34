import {createReadStream} from 'node:fs';
import {readImageArchive} from '/work/main/src/archive/read-image.js';
import {analyzeImage} from '/work/main/src/analysis/analyze.js';
for (const f of process.argv.slice(2)) {
  try {
  const img = await readImageArchive(createReadStream(f), {name: f});
  const a = analyzeImage(img);
  console.log(f, JSON.stringify({...a.image, inefficiencies: a.image.inefficiencies.slice(0,5)}), a.layers.map(l => l.sizeBytes).join(','), a.layers.map(l=>l.nodeCount).join(','));
  console.log(a.layers.slice(0,3).map(l => [l.id, l.command, l.diffId]));
  } catch (e) { console.log(f, 'ERR', (e as Error).message); }
}
