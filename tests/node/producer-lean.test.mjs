// The producer tests again, against `kinesis-edge/producer`: the producer's
// own no_std .wasm, built for size (see producer.test.mjs).
process.env.KINESIS_EDGE_PRODUCER_ENTRY = '../../pkg/producer/node.js';
await import('./producer.test.mjs');
