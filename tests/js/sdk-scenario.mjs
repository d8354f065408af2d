// The end-to-end scenario the issue names, shared by the in-process test
// (engine.test.mjs) and the HTTP one (sdk-http.test.mjs): with
// @aws-sdk/client-kinesis, create a 4-shard stream, put 10,000 records,
// read every one back from every shard, split a shard, keep writing, and
// read on through the children.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ShardMap } from '../../pkg/node.js';

const require = createRequire(new URL('../package.json', import.meta.url));
const { CreateStreamCommand, PutRecordsCommand, ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand, SplitShardCommand } = require('@aws-sdk/client-kinesis');

/**
 * @param client a KinesisClient
 * @param time `{ advance(ms) }`: a simulated clock, or a no-op against a
 *   real server running without throttling
 */
export async function putTenThousandAndReadThroughSplit(client, time, STREAM = 'clicks') {
  await client.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 4 }));
  const sent = new Map();
  for (let batch = 0; batch < 20; batch++) {
    const Records = Array.from({ length: 500 }, (_, i) => {
      const n = batch * 500 + i;
      const data = new TextEncoder().encode(JSON.stringify({ n, page: `/p/${n % 37}` }));
      sent.set(n, data);
      return { Data: data, PartitionKey: `session-${n % 113}` };
    });
    const out = await client.send(new PutRecordsCommand({ StreamName: STREAM, Records }));
    assert.equal(out.FailedRecordCount, 0);
    time.advance(1000); // 500 records/s spread over 4 shards: within the limits
  }
  const { Shards } = await client.send(new ListShardsCommand({ StreamName: STREAM }));
  assert.equal(Shards.length, 4);
  const map = ShardMap.fromListShards({ Shards });
  const received = new Map();
  for (const shard of Shards) {
    let { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
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
  await client.send(new SplitShardCommand({ StreamName: STREAM, ShardToSplit: parent.ShardId, NewStartingHashKey: middle.toString() }));
  const later = Array.from({ length: 500 }, (_, i) => ({ Data: new TextEncoder().encode(`later ${i}`), PartitionKey: `late-${i}` }));
  time.advance(1000);
  assert.equal((await client.send(new PutRecordsCommand({ StreamName: STREAM, Records: later }))).FailedRecordCount, 0);
  let { ShardIterator: it } = await client.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: parent.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
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
  const all = (await client.send(new ListShardsCommand({ StreamName: STREAM }))).Shards;
  const liveMap = ShardMap.fromListShards({ Shards: all });
  let fromChildren = 0;
  for (const child of children) {
    assert.deepEqual(child.ParentShards, [parent.ShardId]);
    const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: child.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    time.advance(250);
    const page = await client.send(new GetRecordsCommand({ ShardIterator }));
    for (const r of page.Records) assert.equal(liveMap.shardFor(r.PartitionKey), child.ShardId);
    fromChildren += page.Records.length;
  }
  const expectedInChildren = later.filter((r) => [children[0].ShardId, children[1].ShardId].includes(liveMap.shardFor(r.PartitionKey))).length;
  assert.equal(fromChildren, expectedInChildren);
  assert.ok(fromChildren > 0);
}
