// Fails when the JS + CSS loaded by the first screen (the entry chunk and
// what index.html pulls in) exceeds the 250 KB gzipped budget.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const refs = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
let js = 0, css = 0;
for (const r of refs) {
  const n = gzipSync(readFileSync(join(dist, r)), { level: 9 }).length;
  if (r.endsWith('.js')) js += n; else css += n;
}
const kb = (n) => (n / 1024).toFixed(1) + ' KB';
console.log(`first screen: JS ${kb(js)} gzipped, CSS ${kb(css)} gzipped (${refs.join(', ')})`);
if (js > 250 * 1024) { console.error('first-screen JS exceeds 250 KB gzipped'); process.exit(1); }
