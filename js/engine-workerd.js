// `kinesis-edge/engine` in Cloudflare Workers / workerd: the runtime
// compiles the .wasm import at deploy time; initSync instantiates it.
import wasmModule from './engine/kinesis_edge_engine_bg.wasm';
import { initSync } from './engine/kinesis_edge_engine.js';

initSync({ module: wasmModule });

export { ShardEngine } from './engine.js';
