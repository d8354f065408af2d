// The shard engine through its JS API and through @aws-sdk/client-kinesis
// (a request handler that routes to `engine.fetch`): the SDK creates a
// stream, puts 10,000 records and reads every one back from every shard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ShardEngine } from '../../pkg/engine-node.js';
import { ShardMap, hashKeyOf } from '../../pkg/node.js';

const require = createRequire(new URL('../package.json', import.meta.url));
const { KinesisClient, CreateStreamCommand, PutRecordsCommand, ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand, PutRecordCommand, SplitShardCommand } = require('@aws-sdk/client-kinesis');

/** A simulated clock: tests move it instead of waiting. */
function clock(start = Date.UTC(2026, 10, 26, 12)) {
  let now = start;
  return { now: () => now, advance: (ms) => { now += ms; } };
}

/** An AWS SDK request handler that answers from the engine, no network. */
function engineHandler(engine) {
  return {
    async handle(request) {
      const url = `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}${request.path}`;
      const res = await engine.fetch(url, { method: request.method, headers: request.headers, body: request.body });
      const headers = {};
      res.headers.forEach((v, k) => { headers[k] = v; });
      // The shape of @smithy's HttpResponse.
      return { response: { statusCode: res.status, headers, body: new Uint8Array(await res.arrayBuffer()) } };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() { return {}; },
  };
}

const sdk = (engine) => new KinesisClient({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:4567',
  credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' },
  requestHandler: engineHandler(engine),
  maxAttempts: 1,
});

test('@aws-sdk/client-kinesis puts 10,000 records and reads them all back', async () => {
  const time = clock();
  const engine = new ShardEngine({ now: time.now });
  const client = sdk(engine);
  await client.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 4 }));
  const sent = new Map();
  for (let batch = 0; batch < 20; batch++) {
    const Records = Array.from({ length: 500 }, (_, i) => {
      const n = batch * 500 + i;
      const data = new TextEncoder().encode(JSON.stringify({ n, page: `/p/${n % 37}` }));
      sent.set(n, data);
      return { Data: data, PartitionKey: `session-${n % 113}` };
    });
    const out = await client.send(new PutRecordsCommand({ StreamName: 'clicks', Records }));
    assert.equal(out.FailedRecordCount, 0);
    time.advance(1000); // 500 records/s spread over 4 shards: within the limits
  }
  const { Shards } = await client.send(new ListShardsCommand({ StreamName: 'clicks' }));
  assert.equal(Shards.length, 4);
  const map = ShardMap.fromListShards({ Shards });
  const received = new Map();
  for (const shard of Shards) {
    let { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: 'clicks', ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    for (;;) {
      time.advance(250); // 4 calls a second: under the 5/s read limit
      const page = await client.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
      for (const r of page.Records) {
        const { n } = JSON.parse(new TextDecoder().decode(r.Data));
        assert.equal(map.shardFor(r.PartitionKey), shard.ShardId, 'the record is on its partition key\'s shard');
        assert.ok(r.ApproximateArrivalTimestamp instanceof Date);
        received.set(n, r.Data);
      }
      if (page.Records.length === 0) break;
      ShardIterator = page.NextShardIterator;
    }
  }
  assert.equal(received.size, 10000);
  for (const [n, data] of sent) assert.deepEqual(received.get(n), data);

  // Split a shard, keep writing, and read on through its children.
  const parent = Shards[0];
  const middle = (BigInt(parent.HashKeyRange.StartingHashKey) + BigInt(parent.HashKeyRange.EndingHashKey)) / 2n;
  await client.send(new SplitShardCommand({ StreamName: 'clicks', ShardToSplit: parent.ShardId, NewStartingHashKey: middle.toString() }));
  const later = Array.from({ length: 500 }, (_, i) => ({ Data: new TextEncoder().encode(`later ${i}`), PartitionKey: `late-${i}` }));
  time.advance(1000);
  assert.equal((await client.send(new PutRecordsCommand({ StreamName: 'clicks', Records: later }))).FailedRecordCount, 0);
  let { ShardIterator: it } = await client.send(new GetShardIteratorCommand({ StreamName: 'clicks', ShardId: parent.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
  let children;
  for (;;) {
    time.advance(250);
    const page = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10000 }));
    if (page.NextShardIterator === undefined) {
      children = page.ChildShards;
      break;
    }
    it = page.NextShardIterator;
  }
  assert.equal(children.length, 2, 'the end of the split shard names its children');
  const all = (await client.send(new ListShardsCommand({ StreamName: 'clicks' }))).Shards;
  const liveMap = ShardMap.fromListShards({ Shards: all });
  let fromChildren = 0;
  for (const child of children) {
    assert.deepEqual(child.ParentShards, [parent.ShardId]);
    const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: 'clicks', ShardId: child.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    time.advance(250);
    const page = await client.send(new GetRecordsCommand({ ShardIterator }));
    for (const r of page.Records) assert.equal(liveMap.shardFor(r.PartitionKey), child.ShardId);
    fromChildren += page.Records.length;
  }
  const expectedInChildren = later.filter((r) => [children[0].ShardId, children[1].ShardId].includes(liveMap.shardFor(r.PartitionKey))).length;
  assert.equal(fromChildren, expectedInChildren);
  assert.ok(fromChildren > 0);
});

test('the engine throttles like Kinesis and says so in AWS\'s words', async () => {
  const time = clock();
  const engine = new ShardEngine({ now: time.now });
  engine.createStream({ streamName: 's', shardCount: 1 });
  const records = Array.from({ length: 500 }, (_, i) => ({ partitionKey: `k${i}`, data: 'x' }));
  const first = engine.putRecords({ streamName: 's', records });
  const second = engine.putRecords({ streamName: 's', records });
  const third = engine.putRecords({ streamName: 's', records });
  assert.equal(first.failedRecordCount + second.failedRecordCount, 0);
  assert.equal(third.failedRecordCount, 500);
  assert.equal(third.records[0].errorCode, 'ProvisionedThroughputExceededException');
  assert.equal(third.records[0].errorMessage, 'Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.');
  time.advance(1000);
  assert.equal(engine.putRecords({ streamName: 's', records: records.slice(0, 10) }).failedRecordCount, 0);
  // PutRecord fails as a whole, through the SDK, with the AWS code.
  for (let i = 0; i < 990; i++) engine.putRecords({ streamName: 's', records: [{ partitionKey: 'k', data: 'y' }] });
  const client = sdk(engine);
  await assert.rejects(client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: new Uint8Array([1]) })), { name: 'ProvisionedThroughputExceededException' });
  await assert.rejects(client.send(new PutRecordCommand({ StreamName: 'nope', PartitionKey: 'k', Data: new Uint8Array([1]) })), { name: 'ResourceNotFoundException', message: 'Stream nope under account 000000000000 not found.' });
});

test('ShardEngine JS API: iterators, shards and errors', () => {
  const time = clock();
  const engine = new ShardEngine({ now: time.now, throttling: false });
  engine.createStream({ streamName: 's', shardCount: 3 });
  const shards = engine.listShards({ streamName: 's' });
  assert.deepEqual(shards.map((s) => s.ShardId), ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002']);
  const out = engine.putRecords({ streamName: 's', records: [{ partitionKey: 'a', data: 'one' }, { partitionKey: 'a', data: 'two' }] });
  const shardId = out.records[0].shardId;
  assert.equal(shardId, ShardMap.uniform(3).shardFor('a'));
  assert.ok(BigInt(hashKeyOf('a')) >= BigInt(shards.find((s) => s.ShardId === shardId).HashKeyRange.StartingHashKey));
  const it = engine.getShardIterator({ streamName: 's', shardId, type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: out.records[0].sequenceNumber });
  const page = engine.getRecords({ shardIterator: it });
  assert.deepEqual(page.records.map((r) => new TextDecoder().decode(r.data)), ['two']);
  time.advance(300_001);
  assert.throws(() => engine.getRecords({ shardIterator: it }), { code: 'ExpiredIteratorException' });
  assert.throws(() => engine.createStream({ streamName: 's', shardCount: 1 }), { code: 'ResourceInUseException' });
  assert.throws(() => new ShardEngine({ writeRecordsPerSecond: 0 }), { code: 'InvalidArgumentException' });
});
