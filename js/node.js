// Entry point for Node >= 20: the wasm module is compiled synchronously on
// import, so the API is ready at once (no init call).
import { readFileSync } from 'node:fs';
import * as crypto from 'node:crypto';
import { initSync } from './kinesis_edge.js';
import { __setHostHasher } from './api.js';
import { __setBodyHasher } from './producer.js';

initSync({ module: readFileSync(new URL('./kinesis_edge_bg.wasm', import.meta.url)) });

// node:crypto's SHA-256 is native (OpenSSL, SHA-NI where the CPU has it):
// for large bodies it beats SHA-256 in wasm; below this size the extra JS
// calls cost as much as they save (measured side by side: native wins
// from about 512 bytes on; see the README's performance section).
// crypto.hash (Node >= 20.12) is a one-shot call, cheaper than a Hash object.
const sha256Hex = crypto.hash
  ? (body) => crypto.hash('sha256', body, 'hex')
  : (body) => crypto.createHash('sha256').update(body).digest('hex');
__setHostHasher(sha256Hex, 512);
__setBodyHasher(sha256Hex, 512);

export * from './public.js';
