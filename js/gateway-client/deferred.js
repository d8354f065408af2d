// `kinesis-edge/gateway-client/deferred`: `kinesis-edge/gateway-client`
// for where a module may not wait at its top level (a module service
// worker, a bundle run as a classic script): `await init()` once (or
// init(url of kinesis_edge_bg.wasm)), then make producers (one made before
// it throws `NotInitialized`).
import load from './kinesis_edge.js';
import { deferred } from './init.js';
import { GatewayProducer } from './producer.js';

const { init, guarded } = deferred(load, './kinesis_edge_bg.wasm', import.meta.url);

export { init };
export const Producer = guarded(GatewayProducer);
