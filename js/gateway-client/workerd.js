// `kinesis-edge/gateway-client` in Cloudflare Workers / workerd: the
// runtime compiles the .wasm import at deploy time; initSync instantiates it.
import wasmModule from './kinesis_edge_bg.wasm';
import { initSync } from './kinesis_edge.js';

initSync({ module: wasmModule });

export { GatewayProducer as Producer } from './producer.js';
