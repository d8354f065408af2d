// A TypeScript user's code against the package's declarations, compiled with
// `strict` by tests/node/types.test.mjs (never run). Each entry is used as
// the README shows it; the `@ts-expect-error` lines are mistakes the
// declarations must catch (an unused one fails the compile, so a
// declaration that went loose, e.g. to `any`, fails the test).
import {
  aggregate,
  CONTENT_TYPE,
  deaggregate,
  encodePutRecordBatch,
  encodePutRecords,
  FirehoseProducer,
  hashKeyOf,
  presignUrl,
  Producer,
  ShardMap,
  signRequest,
  signRequestAsync,
  type Credentials,
  type KinesisEdgeError,
  type Offer,
  type ProducerStats,
  type PutResult,
  type RecordError,
} from 'kinesis-edge';
import { ShardEngine, type ShardStats, type SubscribeToShardEvent } from 'kinesis-edge/engine';
import { Producer as LeanProducer, FirehoseProducer as LeanFirehoseProducer } from 'kinesis-edge/producer';
import { Producer as GatewayClient } from 'kinesis-edge/gateway-client';
import { indexedDbStore } from 'kinesis-edge/persistence';
import { clickstream, sessionId } from 'kinesis-edge/clickstream';

declare const credentials: Credentials;

export async function signing(): Promise<string> {
  const signed = signRequest({
    method: 'POST',
    url: 'https://kinesis.us-east-1.amazonaws.com/',
    headers: { 'content-type': CONTENT_TYPE, 'x-amz-target': 'Kinesis_20131202.PutRecords' },
    body: '{}',
    region: 'us-east-1',
    service: 'kinesis',
    credentials,
  });
  const headers: [string, string][] = signed.headers;
  const later = await signRequestAsync({ method: 'GET', url: 'https://example.com/', region: 'us-east-1', service: 'execute-api', credentials, signingDate: new Date() });
  const { url } = presignUrl({ method: 'GET', url: 'https://example.com/', region: 'us-east-1', service: 's3', credentials, expiresIn: 900 });
  // @ts-expect-error: expiresIn is required to presign
  presignUrl({ method: 'GET', url: 'https://example.com/', region: 'us-east-1', service: 's3', credentials });
  // @ts-expect-error: the session token goes 'signed' or 'appended'
  signRequest({ method: 'GET', url: 'https://example.com/', region: 'us-east-1', service: 's3', credentials, sessionTokenPlacement: 'header' });
  return headers[0][0] + later.signature + url;
}

export function keysAndShards(): string {
  const map = ShardMap.uniform(4);
  const shard: string = map.shardFor('session-42');
  map.shardFor('any', 12345n);
  map.explicitHashKeyIn('shardId-000000000001', 12345n);
  const open = map.shards.filter((s) => s.open).map((s) => s.parentShardId ?? s.shardId);
  const aggregates = aggregate([{ partitionKey: 'k', data: 'hello' }], { shardMap: map });
  const users = deaggregate({ partitionKey: aggregates[0].partitionKey, data: aggregates[0].data });
  const sub: number | undefined = users[0].subSequenceNumber;
  const { body, target } = encodePutRecords({ streamName: 's', records: [{ partitionKey: 'k', data: new Uint8Array(1) }] });
  encodePutRecordBatch({ deliveryStreamName: 'f', records: ['a', { data: 'b' }] });
  // @ts-expect-error: a ShardMap is made by uniform() or fromListShards()
  new ShardMap();
  return hashKeyOf(shard) + open.join() + String(sub) + body.length + target;
}

export async function producing(engine: ShardEngine): Promise<number> {
  const producer = new Producer({
    streamName: 'clicks',
    region: 'us-east-1',
    credentials: async () => ({ ...credentials, expiration: new Date() }),
    endpoint: 'http://127.0.0.1:4567/',
    fetch: engine.fetch,
    aggregation: true,
    lingerMs: 100,
    maxInFlight: 4,
    recordTtlMs: 30_000,
    maxBufferedBytes: 8 << 20,
    onFull: 'wait',
    ordered: true,
    rateLimitPercent: 80,
    onEvent: (e) => console.log(e.type),
    store: indexedDbStore({ name: 'clicks', onFull: 'dropOldest' }),
  });
  const result: PutResult = await producer.put('hello', { partitionKey: 'user-1', explicitHashKey: 1n });
  const results = await producer.putMany([{ data: new Uint8Array([1]), partitionKey: 'a' }, { data: 'two' }]);
  const offered = producer.offer('x');
  if (offered.accepted) await offered.result;
  else console.log(offered.error.code, offered.error.attempts);
  const again: Offer = producer.offer('z');
  const refused: string | undefined = again.error?.code;
  // @ts-expect-error: an accepted offer has no error
  if (again.accepted) again.error.code;
  try {
    await producer.put('y');
  } catch (e) {
    const err = e as RecordError;
    console.log(err.code, err.attempts, err.lastError?.code);
  }
  const stats: ProducerStats = producer.stats();
  await producer.flush();
  await producer.close();
  // @ts-expect-error: onFull is 'reject' or 'wait'
  new Producer({ streamName: 's', region: 'us-east-1', credentials, onFull: 'drop' });
  // @ts-expect-error: a stream, or a gateway with its endpoint
  new Producer({ region: 'us-east-1', credentials });
  // @ts-expect-error: data is bytes or text
  producer.put(42);

  const firehose = new FirehoseProducer({ deliveryStreamName: 'f', region: 'us-east-1', credentials, delimiter: '\n' });
  await firehose.put(JSON.stringify({ n: 1 }));
  // @ts-expect-error: Firehose takes no partition key
  firehose.put('x', { partitionKey: 'k' });

  const lean = new LeanProducer({ streamName: 's', region: 'us-east-1', credentials });
  const leanFirehose = new LeanFirehoseProducer({ deliveryStreamName: 'f', region: 'us-east-1', credentials });
  await Promise.all([lean.put('a'), leanFirehose.put('b')]);

  const gateway = new GatewayClient({ endpoint: 'https://events.example.com/events', lingerMs: 500 });
  await gateway.put(JSON.stringify({ sessionId: 's', type: 'click' }), { partitionKey: 's' });
  // @ts-expect-error: no AWS credentials through a gateway
  new GatewayClient({ endpoint: 'https://events.example.com/events', credentials });

  const clicks = clickstream(gateway, { selector: 'a, button' });
  clicks.track('signup', { plan: 'pro' });
  clicks.stop();
  return result.attempts + results.length + stats.latencyMs.p99 + sessionId().length;
}

export async function simulating(): Promise<number> {
  const engine = new ShardEngine({ updateDelayMs: 2_000, throttling: true, faults: { recordFailureRate: 0.2 }, now: () => Date.now() });
  engine.createStream({ streamName: 's', shardCount: 2 });
  const status: 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING' = engine.describeStreamSummary({ streamName: 's' }).streamStatus;
  const put = engine.putRecord({ streamName: 's', partitionKey: 'k', data: 'hello' });
  const iterator = engine.getShardIterator({ streamName: 's', shardId: put.shardId, type: 'AT_SEQUENCE_NUMBER', sequenceNumber: put.sequenceNumber });
  const { records, nextShardIterator } = engine.getRecords({ shardIterator: iterator, limit: 100 });
  const shards: ShardStats[] = engine.stats({ streamName: 's' }).shards;
  const consumer = engine.registerStreamConsumer({ streamArn: engine.describeStreamSummary({ streamName: 's' }).streamArn, consumerName: 'c' });
  const sub = engine.subscribeToShard(
    { consumerArn: consumer.consumerArn, shardId: put.shardId, startingPosition: { type: 'TRIM_HORIZON' } },
    (event: SubscribeToShardEvent) => console.log(event.records.length),
  );
  sub.cancel();
  await sub.done;
  engine.firehose.createDeliveryStream({ deliveryStreamName: 'f', bucket: 'b', bufferingHints: { intervalInSeconds: 0 } });
  const objects = engine.listObjects({ bucket: 'b' });
  // @ts-expect-error: not an iterator type
  engine.getShardIterator({ streamName: 's', shardId: put.shardId, type: 'OLDEST' });
  const response: Response = await engine.fetch('http://engine.local/', { method: 'POST' });
  return status.length + records.length + (nextShardIterator ? 1 : 0) + shards.length + objects.length + response.status;
}

export function errors(e: unknown): string {
  const err = e as KinesisEdgeError;
  return err.name === 'KinesisEdgeError' ? err.code : String(e);
}
