// `kinesis-edge/engine` in pages and workers: fetched beside this module.
import init from './engine/kinesis_edge_engine.js';

await init({ module_or_path: new URL('./engine/kinesis_edge_engine_bg.wasm', import.meta.url) });

export { ShardEngine } from './engine.js';
