// `kinesis-edge/producer`: the producer alone, with its own lean .wasm.
export { Producer, FirehoseProducer } from '../index.js';
export type { ProducerOptions, Offer, PutResult, ProducerStats, Credentials, KinesisEdgeError, RecordError } from '../index.js';
