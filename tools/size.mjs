// Prints the package's transfer sizes: raw, gzip -9 and brotli (q 11) of
// the .wasm and of the JS a user loads with it.
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.argv[2] ?? new URL("../pkg/", import.meta.url).pathname;
const files = ['kinesis_edge_bg.wasm', 'kinesis_edge.js', 'api.js', 'producer.js', 'public.js', 'browser.js'];

export function sizes(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const total = (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli });

// The producer's entry (`kinesis-edge/producer`): its lean .wasm and the JS
// a page loads with it (one bundled module: glue and producer.js inside).
// Its budget (issue 5): 30 KB gzipped, wasm + JS.
export const PRODUCER_BUDGET_GZIP = 30 * 1024;
// `entry`: `producer`, or `gateway-client` (the producer built to send
// only to an ingestion gateway: no signing, shard prediction or
// aggregation), whose .wasm and browser.js are laid out alike.
export function producerEntrySize(root = dir, entry = 'producer') {
  const wasm = sizes(readFileSync(join(root, entry, 'kinesis_edge_bg.wasm')));
  const js = sizes(readFileSync(join(root, entry, 'browser.js')));
  return { wasm, js, total: total(wasm, js) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = [];
  let all = Buffer.alloc(0);
  for (const f of files) {
    const bytes = readFileSync(join(dir, f));
    rows.push({ file: f, ...sizes(bytes) });
  }
  const js = Buffer.concat(files.slice(1).map((f) => readFileSync(join(dir, f))));
  const wasm = readFileSync(join(dir, files[0]));
  rows.push({ file: 'wasm + JS (each compressed)', ...total(sizes(wasm), sizes(js)) });
  console.log('package size (bytes):');
  for (const r of rows) {
    console.log(`  ${r.file.padEnd(28)} raw ${String(r.raw).padStart(7)}  gzip ${String(r.gzip).padStart(6)}  brotli ${String(r.brotli).padStart(6)}`);
  }

  // The shard engine's entry (`kinesis-edge/engine`): its own .wasm and JS.
  const engineFiles = ['engine/kinesis_edge_engine_bg.wasm', 'engine/kinesis_edge_engine.js', 'engine.js'];
  try {
    const engineWasm = readFileSync(join(dir, engineFiles[0]));
    const engineJs = Buffer.concat(engineFiles.slice(1).map((f) => readFileSync(join(dir, f))));
    const row = (name, s) => console.log(`  ${name.padEnd(36)} raw ${String(s.raw).padStart(7)}  gzip ${String(s.gzip).padStart(6)}  brotli ${String(s.brotli).padStart(6)}`);
    console.log('engine entry (kinesis-edge/engine):');
    row('kinesis_edge_engine_bg.wasm', sizes(engineWasm));
    row('engine JS', sizes(engineJs));
  } catch {
    // Built without the engine.
  }

  try {
    const p = producerEntrySize();
    const row = (name, s) => console.log(`  ${name.padEnd(36)} raw ${String(s.raw).padStart(7)}  gzip ${String(s.gzip).padStart(6)}  brotli ${String(s.brotli).padStart(6)}`);
    console.log('producer entry (kinesis-edge/producer):');
    row('kinesis_edge_bg.wasm', p.wasm);
    row('browser.js (glue, producer.js)', p.js);
    row('total', p.total);
    const over = p.total.gzip - PRODUCER_BUDGET_GZIP;
    console.log(`  budget ${PRODUCER_BUDGET_GZIP} B gzipped: ${over > 0 ? `OVER by ${over} B (not met yet)` : `met, ${-over} B to spare`}`);
    const g = producerEntrySize(dir, 'gateway-client');
    console.log('gateway client (kinesis-edge/gateway-client: the producer for a gateway only):');
    row('kinesis_edge_bg.wasm', g.wasm);
    row('browser.js (glue, producer.js)', g.js);
    row('total', g.total);
  } catch {
    // Built without the producer entries.
  }
}
