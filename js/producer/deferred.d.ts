// `kinesis-edge/producer/deferred`: `kinesis-edge/producer` without top-level await.
export { Producer, FirehoseProducer } from '../index.js';
export type { ProducerOptions, Offer, PutResult, ProducerStats, Credentials, KinesisEdgeError, RecordError } from '../index.js';
/**
 * Loads the producer's .wasm (`kinesis_edge_bg.wasm` beside this module, or at `url`: a bundle
 * run as a classic script must say where). Producers made before it resolves throw `NotInitialized`.
 */
export declare function init(url?: string | URL): Promise<void>;
