// `kinesis-edge/producer` in Node >= 20: the producer's own lean .wasm,
// compiled on import. Large bodies are hashed by node:crypto (native), as
// in the main entry.
import { readFileSync } from 'node:fs';
import * as crypto from 'node:crypto';
import { initSync } from './kinesis_edge.js';
import { __setBodyHasher } from './producer.js';

initSync({ module: readFileSync(new URL('./kinesis_edge_bg.wasm', import.meta.url)) });

__setBodyHasher(
  crypto.hash ? (body) => crypto.hash('sha256', body, 'hex') : (body) => crypto.createHash('sha256').update(body).digest('hex'),
  512,
);

export { Producer, FirehoseProducer } from './producer.js';
