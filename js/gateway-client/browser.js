// `kinesis-edge/gateway-client` in pages and Web Workers (and the default):
// the gateway client's own lean .wasm beside this module, instantiated
// with top-level await.
import init from './kinesis_edge.js';

await init({ module_or_path: new URL('./kinesis_edge_bg.wasm', import.meta.url) });

export { GatewayProducer as Producer } from './producer.js';
