// Enhanced fan-out in the engine: consumers (Register, Describe, List,
// Deregister) and SubscribeToShard, in-process (`subscribeToShard`'s
// callback), through `engine.fetch`, and with @aws-sdk/client-kinesis's
// own SubscribeToShardCommand over HTTP/1.1 against `node pkg/cli.mjs
// serve` (AWS's event stream encoding, read by the SDK's codec), with
// signatures verified.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ShardEngine } from '../../pkg/engine-node.js';
import { startEngine, CREDENTIALS } from '../js/servers.mjs';

const require = createRequire(new URL('../package.json', import.meta.url));
const {
  KinesisClient, CreateStreamCommand, PutRecordsCommand, DescribeStreamSummaryCommand, RegisterStreamConsumerCommand,
  DescribeStreamConsumerCommand, ListStreamConsumersCommand, DeregisterStreamConsumerCommand, SubscribeToShardCommand,
  SplitShardCommand,
} = require('@aws-sdk/client-kinesis');
const { NodeHttpHandler } = require('@smithy/node-http-handler');
const { EventStreamCodec } = require('@smithy/core/event-streams');
const { toUtf8, fromUtf8 } = require('@smithy/util-utf8');

const text = (bytes) => new TextDecoder().decode(bytes);

test('in-process: consumers, and a subscription that pushes records as they arrive, ends after the children of a closed shard, and refuses what AWS refuses', { timeout: 60_000 }, async () => {
  const engine = new ShardEngine();
  engine.createStream({ streamName: 's', shardCount: 1 });
  const { streamArn } = engine.describeStreamSummary({ streamName: 's' });
  const consumer = engine.registerStreamConsumer({ streamArn, consumerName: 'app' });
  assert.equal(consumer.consumerStatus, 'ACTIVE'); // createDelayMs 0
  assert.match(consumer.consumerArn, /^arn:aws:kinesis:us-east-1:000000000000:stream\/s\/consumer\/app:\d+$/);
  assert.deepEqual(engine.listStreamConsumers({ streamArn }).map((c) => c.consumerName), ['app']);
  assert.equal(engine.describeStreamConsumer({ streamArn, consumerName: 'app' }).consumerArn, consumer.consumerArn);
  assert.throws(() => engine.registerStreamConsumer({ streamArn, consumerName: 'app' }), { code: 'ResourceInUseException' });

  engine.putRecords({ streamName: 's', records: [{ data: 'a', partitionKey: 'k' }, { data: 'b', partitionKey: 'k' }] });
  const events = [];
  let arrived;
  const sub = engine.subscribeToShard(
    { consumerArn: consumer.consumerArn, shardId: 'shardId-000000000000', startingPosition: { type: 'TRIM_HORIZON' } },
    (e) => {
      events.push(e);
      if (e.records.some((r) => text(r.data) === 'c')) arrived();
    },
  );
  const gotC = new Promise((resolve) => (arrived = resolve));
  await new Promise((resolve) => setTimeout(resolve, 20));
  engine.putRecord({ streamName: 's', data: 'c', partitionKey: 'k' });
  const before = Date.now();
  await gotC;
  assert.ok(Date.now() - before < 1000, 'pushed within a second');
  assert.deepEqual(events.flatMap((e) => e.records.map((r) => text(r.data))), ['a', 'b', 'c']);
  const last = events.at(-1);
  assert.equal(last.continuationSequenceNumber, last.records.at(-1).sequenceNumber);
  assert.equal(events[0].records[0].partitionKey, 'k');
  // Another subscription within 5 s is refused; the callback's shard closes.
  assert.throws(
    () => engine.subscribeToShard({ consumerArn: consumer.consumerArn, shardId: 'shardId-000000000000', startingPosition: { type: 'LATEST' } }, () => {}),
    { code: 'ResourceInUseException' },
  );
  engine.putRecord({ streamName: 's', data: 'd', partitionKey: 'k' });
  engine.splitShard({ streamName: 's', shardToSplit: 'shardId-000000000000', newStartingHashKey: 2n ** 127n });
  await sub.done; // ends after the closed shard's last event
  const end = events.at(-1);
  assert.deepEqual(end.records.map((r) => text(r.data)), ['d']);
  assert.deepEqual(end.childShards.map((c) => c.ShardId), ['shardId-000000000001', 'shardId-000000000002']);

  // A callback that throws ends its subscription with that error; cancel() ends one.
  const boom = engine.subscribeToShard(
    { consumerArn: consumer.consumerArn, shardId: 'shardId-000000000001', startingPosition: { type: 'TRIM_HORIZON' } },
    () => { throw new Error('boom'); },
  );
  await assert.rejects(boom.done, /boom/);
  const other = engine.registerStreamConsumer({ streamArn, consumerName: 'other' });
  const cancelled = engine.subscribeToShard({ consumerArn: other.consumerArn, shardId: 'shardId-000000000002', startingPosition: { type: 'LATEST' } }, () => {});
  cancelled.cancel();
  await cancelled.done;
  // Bad requests throw their AWS error at once.
  assert.throws(() => engine.subscribeToShard({ consumerArn: other.consumerArn, shardId: 'shardId-000000000002', startingPosition: { type: 'NOPE' } }, () => {}), { code: 'ValidationException' });
  assert.throws(() => engine.subscribeToShard({ consumerArn: `${streamArn}/consumer/ghost:1`, shardId: 'shardId-000000000002', startingPosition: { type: 'LATEST' } }, () => {}), { code: 'ResourceNotFoundException' });
  // Deregistered, a consumer's subscription ends with ResourceNotFoundException.
  const watching = engine.subscribeToShard({ consumerArn: other.consumerArn, shardId: 'shardId-000000000001', startingPosition: { type: 'LATEST' } }, () => {});
  await new Promise((resolve) => setTimeout(resolve, 10));
  engine.deregisterStreamConsumer({ consumerArn: other.consumerArn });
  await assert.rejects(watching.done, { code: 'ResourceNotFoundException' });
  assert.deepEqual(engine.listStreamConsumers({ streamArn }).map((c) => c.consumerName), ['app']);
});

test('engine.fetch: SubscribeToShard answers an event stream that AWS\'s codec reads', { timeout: 60_000 }, async () => {
  let skew = 0;
  const engine = new ShardEngine({ now: () => Date.now() + skew });
  engine.createStream({ streamName: 's', shardCount: 1 });
  const { streamArn } = engine.describeStreamSummary({ streamName: 's' });
  const { consumerArn } = engine.registerStreamConsumer({ streamArn, consumerName: 'app' });
  engine.putRecord({ streamName: 's', data: 'hello', partitionKey: 'k' });
  const res = await engine.fetch('http://engine.local/', {
    method: 'POST',
    headers: { 'X-Amz-Target': 'Kinesis_20131202.SubscribeToShard', 'Content-Type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({ ConsumerARN: consumerArn, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'TRIM_HORIZON' } }),
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/vnd.amazon.eventstream');
  // Nothing is read from the shard before the reader asks for it (a slow
  // reader holds its subscription back instead of piling events up).
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(engine.stats({ streamName: 's' }).totals.recordsOut, 0);
  const reader = res.body.getReader();
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const messages = [];
  let buffered = new Uint8Array();
  while (messages.length < 2) {
    const { value } = await reader.read();
    buffered = new Uint8Array([...buffered, ...value]);
    while (buffered.byteLength >= 4) {
      const total = new DataView(buffered.buffer, buffered.byteOffset).getUint32(0);
      if (buffered.byteLength < total) break;
      messages.push(codec.decode(buffered.subarray(0, total))); // checks both CRCs
      buffered = buffered.subarray(total);
    }
  }
  await reader.cancel();
  assert.equal(engine.stats({ streamName: 's' }).totals.recordsOut, 1);
  assert.equal(messages[0].headers[':event-type'].value, 'initial-response');
  assert.equal(messages[1].headers[':event-type'].value, 'SubscribeToShardEvent');
  const event = JSON.parse(text(messages[1].body));
  assert.equal(Buffer.from(event.Records[0].Data, 'base64').toString(), 'hello');
  // The reader went away; as AWS, another subscription within 5 s of the
  // last successful call is refused all the same, and taken 5 s after.
  const position = { consumerArn, shardId: 'shardId-000000000000', startingPosition: { type: 'LATEST' } };
  assert.throws(() => engine.subscribeToShard(position, () => {}), { code: 'ResourceInUseException' });
  skew += 5000;
  const again = engine.subscribeToShard(position, () => {});
  again.cancel();
  await again.done;
});

test('@aws-sdk/client-kinesis over HTTP/1.1: consumers and SubscribeToShardCommand with its event stream, signatures verified', { timeout: 60_000 }, async () => {
  const server = await startEngine(['--no-throttling', '--verify-signatures', `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}`]);
  try {
    const client = new KinesisClient({ region: 'us-east-1', endpoint: server.url, credentials: CREDENTIALS, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
    await client.send(new CreateStreamCommand({ StreamName: 'efo', ShardCount: 1 }));
    const { StreamARN } = (await client.send(new DescribeStreamSummaryCommand({ StreamName: 'efo' }))).StreamDescriptionSummary;
    const { Consumer } = await client.send(new RegisterStreamConsumerCommand({ StreamARN, ConsumerName: 'sdk-app' }));
    assert.ok(Consumer.ConsumerCreationTimestamp instanceof Date);
    const described = (await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer.ConsumerARN }))).ConsumerDescription;
    assert.equal(described.ConsumerStatus, 'ACTIVE');
    assert.equal(described.StreamARN, StreamARN);
    const listed = await client.send(new ListStreamConsumersCommand({ StreamARN }));
    assert.deepEqual(listed.Consumers.map((c) => c.ConsumerName), ['sdk-app']);

    const sent = Array.from({ length: 300 }, (_, i) => `record ${i}`);
    await client.send(new PutRecordsCommand({ StreamName: 'efo', Records: sent.slice(0, 200).map((d, i) => ({ Data: Buffer.from(d), PartitionKey: `k${i}` })) }));
    const out = await client.send(new SubscribeToShardCommand({ ConsumerARN: Consumer.ConsumerARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'TRIM_HORIZON' } }));
    const received = [];
    let continuation;
    let putMore = true;
    for await (const event of out.EventStream) {
      const e = event.SubscribeToShardEvent;
      assert.ok(e, `an event: ${Object.keys(event)}`);
      received.push(...e.Records.map((r) => Buffer.from(r.Data).toString()));
      continuation = e.ContinuationSequenceNumber;
      if (putMore) {
        // Records put while subscribed are pushed on the same stream.
        putMore = false;
        await client.send(new PutRecordsCommand({ StreamName: 'efo', Records: sent.slice(200).map((d, i) => ({ Data: Buffer.from(d), PartitionKey: `k${i}` })) }));
      }
      if (received.length >= sent.length) break; // leaving the loop closes the connection
    }
    assert.deepEqual(received, sent);
    assert.match(continuation, /^\d{56}$/);
    // A new subscription within 5 s of the last successful one is refused, as AWS refuses it.
    await assert.rejects(
      client.send(new SubscribeToShardCommand({ ConsumerARN: Consumer.ConsumerARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: continuation } })),
      { name: 'ResourceInUseException' },
    );
    // With another consumer, from the continuation point: the closed shard's last event has its children.
    const { Consumer: second } = await client.send(new RegisterStreamConsumerCommand({ StreamARN, ConsumerName: 'second' }));
    await client.send(new SplitShardCommand({ StreamName: 'efo', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (2n ** 127n).toString() }));
    const tail = await client.send(new SubscribeToShardCommand({ ConsumerARN: second.ConsumerARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: continuation } }));
    const events = [];
    for await (const event of tail.EventStream) events.push(event.SubscribeToShardEvent);
    assert.equal(events.at(-1).ChildShards.length, 2, 'the stream ends after the children');
    assert.deepEqual(events.flatMap((e) => e.Records), []);
    await client.send(new DeregisterStreamConsumerCommand({ ConsumerARN: second.ConsumerARN }));
    await assert.rejects(client.send(new DescribeStreamConsumerCommand({ ConsumerARN: second.ConsumerARN })), { name: 'ResourceNotFoundException' });
  } finally {
    const { code } = await server.stop();
    assert.equal(code, 0);
  }
});
