// `engine.requestHandler`: the AWS SDK for JavaScript v3's clients answered
// by an in-process engine, with no server and no network (what a test suite
// in a page, Vitest or workerd can use where no kinesalite can be started):
// Kinesis with signatures verified, SubscribeToShard's event stream as the
// SDK reads it from AWS, Firehose into the engine's bucket, and an aborted
// request rejected as the SDK's own handlers reject it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ShardEngine } from '../../pkg/engine-node.js';

const require = createRequire(new URL('../package.json', import.meta.url));
const {
  KinesisClient, CreateStreamCommand, PutRecordsCommand, ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand,
  DescribeStreamSummaryCommand, RegisterStreamConsumerCommand, SubscribeToShardCommand, ListStreamsCommand,
} = require('@aws-sdk/client-kinesis');
const { FirehoseClient, CreateDeliveryStreamCommand, PutRecordBatchCommand } = require('@aws-sdk/client-firehose');

const CREDENTIALS = { accessKeyId: 'AKIDHANDLER', secretAccessKey: 'handler-secret' };
const text = (bytes) => new TextDecoder().decode(bytes);

test('@aws-sdk/client-kinesis with requestHandler: engine.requestHandler puts 500 records and reads them back; signatures verified; no endpoint given', async () => {
  const engine = new ShardEngine({ verifySignatures: CREDENTIALS });
  assert.equal(engine.requestHandler, engine.requestHandler, 'one handler per engine');
  // The region's own endpoint, as production code has it: nothing leaves the process.
  const client = new KinesisClient({ region: 'us-east-1', credentials: CREDENTIALS, requestHandler: engine.requestHandler, maxAttempts: 1 });
  await client.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 4 }));
  const sent = Array.from({ length: 500 }, (_, i) => `{"event":${i}}`);
  const put = await client.send(new PutRecordsCommand({ StreamName: 'clicks', Records: sent.map((d, i) => ({ Data: new TextEncoder().encode(d), PartitionKey: `session-${i % 37}` })) }));
  assert.equal(put.FailedRecordCount, 0);
  assert.equal(put.Records.length, 500);
  const { Shards } = await client.send(new ListShardsCommand({ StreamName: 'clicks' }));
  assert.equal(Shards.length, 4);
  const got = [];
  for (const shard of Shards) {
    const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: 'clicks', ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const { Records } = await client.send(new GetRecordsCommand({ ShardIterator }));
    got.push(...Records.map((r) => text(r.Data)));
    assert.ok(Records.every((r) => r.ApproximateArrivalTimestamp instanceof Date));
  }
  assert.deepEqual(got.sort(), [...sent].sort());
  // A wrong secret is refused as AWS refuses it, through the SDK's own error classes.
  const wrong = new KinesisClient({ region: 'us-east-1', credentials: { ...CREDENTIALS, secretAccessKey: 'wrong' }, requestHandler: engine.requestHandler, maxAttempts: 1 });
  await assert.rejects(wrong.send(new ListStreamsCommand({})), (e) => e.name === 'InvalidSignatureException' && e.$metadata.httpStatusCode === 400 && /signature we calculated does not match/.test(e.message));
  // An AWS error comes back typed, with its request id.
  await assert.rejects(client.send(new DescribeStreamSummaryCommand({ StreamName: 'missing' })), (e) => e.name === 'ResourceNotFoundException' && /^kinesis-edge-\d+$/.test(e.$metadata.requestId));
});

test('SubscribeToShardCommand through engine.requestHandler: the SDK reads the event stream as it reads AWS\'s, records put meanwhile pushed as they arrive', { timeout: 30_000 }, async () => {
  const engine = new ShardEngine();
  const client = new KinesisClient({ region: 'us-east-1', credentials: CREDENTIALS, requestHandler: engine.requestHandler, maxAttempts: 1 });
  await client.send(new CreateStreamCommand({ StreamName: 'efo', ShardCount: 1 }));
  const { StreamARN } = (await client.send(new DescribeStreamSummaryCommand({ StreamName: 'efo' }))).StreamDescriptionSummary;
  const { Consumer } = await client.send(new RegisterStreamConsumerCommand({ StreamARN, ConsumerName: 'app' }));
  const sent = Array.from({ length: 300 }, (_, i) => `record ${i}`);
  await client.send(new PutRecordsCommand({ StreamName: 'efo', Records: sent.slice(0, 200).map((d, i) => ({ Data: new TextEncoder().encode(d), PartitionKey: `k${i}` })) }));
  const out = await client.send(new SubscribeToShardCommand({ ConsumerARN: Consumer.ConsumerARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'TRIM_HORIZON' } }));
  const received = [];
  let putMore = true;
  for await (const event of out.EventStream) {
    const e = event.SubscribeToShardEvent;
    assert.ok(e, `an event: ${Object.keys(event)}`);
    received.push(...e.Records.map((r) => text(r.Data)));
    assert.match(e.ContinuationSequenceNumber, /^\d+$/);
    if (received.length >= 200 && putMore) {
      putMore = false; // records put while subscribed are pushed as they arrive
      await client.send(new PutRecordsCommand({ StreamName: 'efo', Records: sent.slice(200).map((d, i) => ({ Data: new TextEncoder().encode(d), PartitionKey: `k${i}` })) }));
    }
    if (received.length >= 300) break;
  }
  assert.deepEqual(received, sent);
  // AWS's five-second rule holds through the handler too.
  await assert.rejects(
    client.send(new SubscribeToShardCommand({ ConsumerARN: Consumer.ConsumerARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' } })),
    (e) => e.name === 'ResourceInUseException',
  );
});

test('@aws-sdk/client-firehose through engine.requestHandler delivers into the engine\'s bucket', async () => {
  const engine = new ShardEngine();
  const firehose = new FirehoseClient({ region: 'us-east-1', credentials: CREDENTIALS, requestHandler: engine.requestHandler, maxAttempts: 1 });
  await firehose.send(new CreateDeliveryStreamCommand({
    DeliveryStreamName: 'events',
    DeliveryStreamType: 'DirectPut',
    ExtendedS3DestinationConfiguration: {
      RoleARN: 'arn:aws:iam::000000000000:role/firehose',
      BucketARN: 'arn:aws:s3:::bucket',
      BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
    },
  }));
  const lines = Array.from({ length: 300 }, (_, i) => `{"n":${i}}\n`);
  const out = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'events', Records: lines.map((l) => ({ Data: new TextEncoder().encode(l) })) }));
  assert.equal(out.FailedPutCount, 0);
  engine.firehose.flush({ deliveryStreamName: 'events' });
  const objects = engine.listObjects({ bucket: 'bucket' });
  assert.equal(objects.length, 1);
  assert.equal(text(engine.getObject({ bucket: 'bucket', key: objects[0].key })), lines.join(''));
});

test('an aborted request through engine.requestHandler rejects as the SDK\'s handlers reject it, and its latency is not waited out', async () => {
  const engine = new ShardEngine({ faults: { latencyMs: 10_000 } });
  engine.createStream({ streamName: 's', shardCount: 1 });
  const client = new KinesisClient({ region: 'us-east-1', credentials: CREDENTIALS, requestHandler: engine.requestHandler, maxAttempts: 1 });
  const started = performance.now();
  await assert.rejects(
    client.send(new PutRecordsCommand({ StreamName: 's', Records: [{ Data: new Uint8Array([1]), PartitionKey: 'k' }] }), { abortSignal: AbortSignal.timeout(200) }),
    (e) => e.name === 'AbortError',
  );
  assert.ok(performance.now() - started < 5_000, 'the injected 10 s latency was not waited out');
  const already = new AbortController();
  already.abort();
  await assert.rejects(client.send(new ListStreamsCommand({}), { abortSignal: already.signal }), (e) => e.name === 'AbortError');
  // engine.fetch too, rejecting with the signal's reason as fetch does.
  const body = JSON.stringify({ StreamName: 's', Records: [{ Data: 'AQ==', PartitionKey: 'k' }] });
  const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.PutRecords' };
  const t0 = performance.now();
  await assert.rejects(engine.fetch('http://engine.local/', { method: 'POST', headers, body, signal: AbortSignal.timeout(200) }), (e) => e.name === 'TimeoutError');
  assert.ok(performance.now() - t0 < 5_000);
  // The latency applies to data-plane answers; without the abort it is waited.
  engine.setFaults({ streamName: 's', latencyMs: 300 });
  const t = performance.now();
  const ok = await client.send(new PutRecordsCommand({ StreamName: 's', Records: [{ Data: new Uint8Array([1]), PartitionKey: 'k' }] }));
  assert.equal(ok.FailedRecordCount, 0);
  assert.ok(performance.now() - t >= 250, 'the latency is waited out');
});
