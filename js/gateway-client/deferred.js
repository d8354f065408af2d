// `kinesis-edge/gateway-client/deferred`: `kinesis-edge/gateway-client`
// for where a module may not wait at its top level (a module service
// worker, a bundle run as a classic script): `await init()` once (or
// init(url of kinesis_edge_bg.wasm)), then make producers (one made before
// it throws `NotInitialized`).
import { init, guarded } from './init.js';
import { GatewayProducer } from './producer.js';

export { init };
export const Producer = guarded(GatewayProducer);
