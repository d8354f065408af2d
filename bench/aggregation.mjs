// `make bench`: KPL aggregation and PutRecords encoding, kinesis-edge
// against aws-kinesis-agg and @aws-sdk/client-kinesis, interleaved in one
// Node process (medians of interleaved rounds), printed as ratios.
import { createRequire } from 'node:module';
import { aggregate, deaggregate, encodePutRecords, ShardMap } from '../pkg/node.js';
import { compare, formatTable } from './harness.mjs';

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const agg = require('aws-kinesis-agg');
const { KinesisClient, PutRecordsCommand } = require('@aws-sdk/client-kinesis');
const rounds = Number(process.env.ROUNDS ?? 5);

function records(count, size, distinctKeys) {
  return Array.from({ length: count }, (_, i) => ({ partitionKey: `key-${i % distinctKeys}`, data: new Uint8Array(size).fill(i & 255) }));
}

function theirAggregate(input) {
  return new Promise((resolve, reject) => {
    const out = [];
    agg.aggregate(input, (encoded, cb) => { out.push(encoded); cb(); }, () => resolve(out), reject);
  });
}

// With checksums verified, as the KCL does (kinesis-edge always verifies).
function theirDeaggregateAll(aggregates) {
  let n = 0;
  for (const a of aggregates) {
    agg.deaggregateSync({ partitionKey: a.partitionKey, explicitPartitionKey: a.explicitHashKey, sequenceNumber: '1', data: a.base64 }, true, (err, recs) => {
      if (err) throw err;
      n += recs.length;
    });
  }
  return n;
}

console.log(`KPL aggregation, 100,000 records of 100 bytes, Node ${process.version} (medians of ${rounds} interleaved rounds; ops = the whole batch)\n`);
for (const distinct of [100, 100_000]) {
  const input = records(100_000, 100, distinct);
  const theirInput = input.map((r) => ({ partitionKey: r.partitionKey, data: Buffer.from(r.data) }));
  const map = ShardMap.uniform(4);
  // Aggregates each library made, to deaggregate with each.
  const ours = aggregate(input, { shardMap: map }).map((o) => ({ ...o, base64: Buffer.from(o.data).toString('base64') }));
  const theirs = (await theirAggregate(theirInput)).map((o) => ({ ...o, base64: o.data.toString('base64') }));
  const aggResults = await compare(
    [
      ['kinesis-edge aggregate', () => aggregate(input, { shardMap: map })],
      ['aws-kinesis-agg aggregate', () => theirAggregate(theirInput)],
    ],
    { rounds, sliceMs: 1500 },
  );
  console.log(formatTable(`aggregate, ${distinct} distinct keys (${ours.length} vs ${theirs.length} Kinesis records)`, aggResults));
  const deaggResults = await compare(
    [
      ['kinesis-edge deaggregate', () => { let n = 0; for (const o of ours) n += deaggregate(o).length; return n; }],
      ['aws-kinesis-agg deaggregateSync', () => theirDeaggregateAll(ours)],
    ],
    { rounds, sliceMs: 1500 },
  );
  console.log(formatTable(`deaggregate the same aggregates, ${distinct} distinct keys`, deaggResults));
  console.log();
}

console.log('PutRecords body encoding (500 records), kinesis-edge vs @aws-sdk/client-kinesis (PutRecordsCommand up to its serialized request; no signing, no network)\n');
const client = new KinesisClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' }, maxAttempts: 1 });
const STOP = new Error('serialized');
client.middlewareStack.add(() => async () => { throw STOP; }, { step: 'build', name: 'stopAfterSerialize', priority: 'high' });
for (const size of [100, 1024]) {
  const input = records(500, size, 500);
  const sdkRecords = input.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey }));
  const results = await compare(
    [
      ['kinesis-edge encodePutRecords', () => encodePutRecords({ streamName: 'clickstream', records: input })],
      ['@aws-sdk/client-kinesis', () => client.send(new PutRecordsCommand({ StreamName: 'clickstream', Records: sdkRecords })).catch((e) => { if (e !== STOP) throw e; })],
    ],
    { rounds, sliceMs: 500 },
  );
  console.log(formatTable(`500 x ${size} B`, results));
}
