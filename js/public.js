// The package's public API, listed once; each runtime's entry point
// initializes the wasm module its own way and re-exports this.
export {
  signRequest,
  presignUrl,
  signRequestAsync,
  hashKeyOf,
  ShardMap,
  aggregate,
  deaggregate,
  encodePutRecords,
  encodePutRecordBatch,
  CONTENT_TYPE,
} from './api.js';
export { Producer, FirehoseProducer } from './producer.js';
