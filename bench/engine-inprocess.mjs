// The engine in-process, in wasm under Node: put 1,000,000 records of
// 100 B (PutRecords of 500, JSON 1.1 bodies as the SDK sends them, through
// `engine.handle`), then get them all back (GetRecords of 10,000 per
// call). Targets: ≥ 1M records/s each. Peak memory is reported (RSS and
// the wasm heap). Throttling off: this measures the engine, not the limit.
//   node bench/engine-inprocess.mjs [records]
import { ShardEngine } from '../pkg/engine-node.js';

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const BATCH = 500;
const SHARDS = 4;

const engine = new ShardEngine({ throttling: false, maxRecordsPerShard: TOTAL });
engine.createStream({ streamName: 'bench', shardCount: SHARDS });
const data = Buffer.alloc(100, 97).toString('base64');
// Bodies are built before timing (a producer has them encoded already);
// 16 distinct batches reused, each with distinct partition keys.
const encoder = new TextEncoder();
const bodies = Array.from({ length: 16 }, (_, b) => encoder.encode(JSON.stringify({
  StreamName: 'bench',
  Records: Array.from({ length: BATCH }, (_, i) => ({ Data: data, PartitionKey: `pk-${b}-${i}` })),
})));

let peakRss = 0;
const sample = () => { peakRss = Math.max(peakRss, process.memoryUsage().rss); };

const t0 = performance.now();
for (let i = 0; i < TOTAL / BATCH; i++) {
  const out = engine.handle('Kinesis_20131202.PutRecords', bodies[i % bodies.length]);
  if (out.status !== 200) throw new Error(new TextDecoder().decode(out.body));
  if (i % 200 === 0) sample();
}
const putSeconds = (performance.now() - t0) / 1000;
sample();

const shards = engine.listShards({ streamName: 'bench' });
let read = 0;
const t1 = performance.now();
for (const shard of shards) {
  let it = engine.getShardIterator({ streamName: 'bench', shardId: shard.ShardId, type: 'TRIM_HORIZON' });
  for (;;) {
    const out = engine.handle('Kinesis_20131202.GetRecords', `{"ShardIterator":"${it}","Limit":10000}`);
    const page = JSON.parse(new TextDecoder().decode(out.body));
    read += page.Records.length;
    sample();
    if (page.Records.length === 0) break;
    it = page.NextShardIterator;
  }
}
const getSeconds = (performance.now() - t1) / 1000;
sample();

// The same drain through the JS API, whose records cross packed in binary
// (no JSON or base64 for them): what an in-process caller gets.
let readApi = 0;
const t2 = performance.now();
for (const shard of shards) {
  let it = engine.getShardIterator({ streamName: 'bench', shardId: shard.ShardId, type: 'TRIM_HORIZON' });
  for (;;) {
    const page = engine.getRecords({ shardIterator: it, limit: 10000 });
    readApi += page.records.length;
    sample();
    if (page.records.length === 0) break;
    it = page.nextShardIterator;
  }
}
const apiSeconds = (performance.now() - t2) / 1000;
const fmt = (x) => Math.round(x).toLocaleString('en-US');
const put = TOTAL / putSeconds;
const get = read / getSeconds;
console.log(`engine in-process (wasm, Node ${process.version}): ${fmt(TOTAL)} records of 100 B on ${SHARDS} shards, JSON 1.1 through engine.handle`);
console.log(`  put ${fmt(put)} records/s (${putSeconds.toFixed(2)} s; target ≥ 1,000,000: ${put >= 1e6 ? 'met' : 'not met'})`);
console.log(`  get ${fmt(get)} records/s (${getSeconds.toFixed(2)} s, read back ${fmt(read)}${read === TOTAL ? ', all' : ', MISMATCH'}; target ≥ 1,000,000: ${get >= 1e6 ? 'met' : 'not met'})`);
const api = readApi / apiSeconds;
console.log(`  get through engine.getRecords (records packed in binary) ${fmt(api)} records/s (${apiSeconds.toFixed(2)} s, read back ${fmt(readApi)}${readApi === TOTAL ? ', all' : ', MISMATCH'}; target ≥ 1,000,000: ${api >= 1e6 ? 'met' : 'not met'})`);
console.log(`  peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
if (read !== TOTAL || readApi !== TOTAL) process.exitCode = 1;
