// Entry point for Node >= 20: the wasm module is compiled synchronously on
// import, so the API is ready at once (no init call).
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { initSync } from './kinesis_edge.js';
import { __setHostHasher } from './api.js';

initSync({ module: readFileSync(new URL('./kinesis_edge_bg.wasm', import.meta.url)) });

// node:crypto's SHA-256 is native (OpenSSL, SHA-NI where the CPU has it):
// for large bodies it beats SHA-256 in wasm; below this size the extra JS
// calls cost as much as they save (measured side by side: native wins
// from about 512 bytes on; see the README's performance section).
__setHostHasher((body) => createHash('sha256').update(body).digest('hex'), 512);

export { signRequest, presignUrl, signRequestAsync } from './api.js';
