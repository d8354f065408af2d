// `kinesis-edge/gateway-client` in Node >= 20: the gateway client's own
// lean .wasm, compiled on import.
import { readFileSync } from 'node:fs';
import { initSync } from './kinesis_edge.js';

initSync({ module: readFileSync(new URL('./kinesis_edge_bg.wasm', import.meta.url)) });

export { GatewayProducer as Producer } from './producer.js';
