// `kinesis-edge/gateway-client/deferred`: `kinesis-edge/gateway-client` without top-level await.
export { Producer } from './index.js';
export type { GatewayProducerOptions } from './index.js';
export type { Offer, PutResult, ProducerStats, KinesisEdgeError, RecordError } from '../index.js';
/**
 * Loads the gateway client's .wasm (`kinesis_edge_bg.wasm` beside this module, or at `url`).
 * Producers made before it resolves throw `NotInitialized`.
 */
export declare function init(url?: string | URL): Promise<void>;
