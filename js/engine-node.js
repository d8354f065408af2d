// `kinesis-edge/engine` in Node: the engine's wasm, ready on import.
import { readFileSync } from 'node:fs';
import { initSync } from './engine/kinesis_edge_engine.js';

initSync({ module: readFileSync(new URL('./engine/kinesis_edge_engine_bg.wasm', import.meta.url)) });

export { ShardEngine } from './engine.js';
