// `kinesis-edge/gateway-client`: a page's producer for an ingestion gateway
// (no AWS credentials), with its own lean .wasm. Gateway mode always:
// `gateway: true` may be given, `gateway: false` is refused.
import type { Producer as FullProducer, ProducerOptions } from '../index.js';
export type GatewayProducerOptions = Omit<ProducerOptions, 'region' | 'credentials' | 'aggregation' | 'ordered' | 'rateLimitPercent' | 'maxRecordBytes' | 'gateway'> & {
  /** The gateway's URL, e.g. https://events.example.com/events. */
  endpoint: string;
  gateway?: true;
};
export declare class Producer {
  constructor(options: GatewayProducerOptions);
  put: FullProducer['put'];
  putMany: FullProducer['putMany'];
  offer: FullProducer['offer'];
  flush: FullProducer['flush'];
  close: FullProducer['close'];
  stats: FullProducer['stats'];
}
export type { Offer, PutResult, ProducerStats, KinesisEdgeError, RecordError } from '../index.js';
