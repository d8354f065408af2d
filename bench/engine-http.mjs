// The engine over HTTP against kinesalite, same client and workload for
// both, in one run: @aws-sdk/client-kinesis with a keep-alive HTTP/1.1
// handler, a 4-shard stream, PutRecords of 500 × 100 B with 4 calls in
// flight for BENCH_SECONDS (default 10), then a drain with GetRecords.
// Reports records/s put and get, p50/p99 call latency, and that every
// record written was read back. Throttling is off for the comparison
// (kinesalite has none), then on for a run that shows the engine holding
// each shard to 1,000 records/s.
//   node bench/engine-http.mjs
import http from 'node:http';
import { createRequire } from 'node:module';
import { startEngine, startKinesalite, CREDENTIALS } from '../tests/js/servers.mjs';

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const { KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand, ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand } = require('@aws-sdk/client-kinesis');
const { NodeHttpHandler } = require('@smithy/node-http-handler');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const IN_FLIGHT = 4;
const SHARDS = 4;

function client(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT * 2 });
  return new KinesisClient({ region: 'us-east-1', endpoint: url, credentials: CREDENTIALS, maxAttempts: 1, requestHandler: new NodeHttpHandler({ httpAgent: agent }) });
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

async function workload(url, stream, seconds) {
  const c = client(url);
  await c.send(new CreateStreamCommand({ StreamName: stream, ShardCount: SHARDS }));
  for (;;) {
    const d = await c.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    if (d.StreamDescriptionSummary.StreamStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const payload = new Uint8Array(100).fill(97);
  let n = 0;
  const putLatency = [];
  let accepted = 0;
  let throttled = 0;
  const deadline = performance.now() + seconds * 1000;
  const t0 = performance.now();
  const worker = async () => {
    while (performance.now() < deadline) {
      const Records = Array.from({ length: 500 }, () => ({ PartitionKey: `pk-${n++}`, Data: payload }));
      const s = performance.now();
      const out = await c.send(new PutRecordsCommand({ StreamName: stream, Records }));
      putLatency.push(performance.now() - s);
      accepted += 500 - out.FailedRecordCount;
      throttled += out.FailedRecordCount;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const putSeconds = (performance.now() - t0) / 1000;

  // Drain: every shard from TRIM_HORIZON, one reader per shard.
  const { Shards } = await c.send(new ListShardsCommand({ StreamName: stream }));
  const getLatency = [];
  let read = 0;
  const g0 = performance.now();
  await Promise.all(Shards.map(async (shard) => {
    let { ShardIterator } = await c.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    for (;;) {
      const s = performance.now();
      let page;
      try {
        page = await c.send(new GetRecordsCommand({ ShardIterator, Limit: 10000 }));
      } catch (err) {
        if (err.name !== 'ProvisionedThroughputExceededException') throw err;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      getLatency.push(performance.now() - s);
      read += page.Records.length;
      if (page.Records.length === 0) break;
      ShardIterator = page.NextShardIterator;
    }
  }));
  const getSeconds = (performance.now() - g0) / 1000;
  return {
    putPerSec: accepted / putSeconds,
    getPerSec: read / getSeconds,
    putP50: pct(putLatency, 50),
    putP99: pct(putLatency, 99),
    getP50: pct(getLatency, 50),
    getP99: pct(getLatency, 99),
    accepted,
    throttled,
    read,
    putSeconds,
  };
}

const fmt = (x) => Math.round(x).toLocaleString('en-US');
const ms = (x) => `${x.toFixed(1)} ms`;

console.log(`engine over HTTP vs kinesalite: @aws-sdk/client-kinesis, keep-alive HTTP/1.1, ${SHARDS} shards, PutRecords 500 × 100 B, ${IN_FLIGHT} in flight, ${SECONDS} s, then GetRecords drain`);
const engine = await startEngine(['--no-throttling']);
const lite = await startKinesalite();
const results = {};
try {
  // Alternate the servers so drift on a shared machine hits both.
  results.engine = await workload(engine.url, 'bench-a', SECONDS);
  results.kinesalite = await workload(lite.url, 'bench-a', SECONDS);
} finally {
  await engine.stop();
  await lite.stop();
}
for (const [name, r] of Object.entries(results)) {
  console.log(`  ${name.padEnd(11)} put ${fmt(r.putPerSec).padStart(8)} rec/s (p50 ${ms(r.putP50)}, p99 ${ms(r.putP99)})   get ${fmt(r.getPerSec).padStart(9)} rec/s (p50 ${ms(r.getP50)}, p99 ${ms(r.getP99)})   written ${fmt(r.accepted)}, read back ${fmt(r.read)}${r.read === r.accepted ? ' (all)' : ' (MISMATCH)'}`);
}
const put = results.engine.putPerSec / results.kinesalite.putPerSec;
const get = results.engine.getPerSec / results.kinesalite.getPerSec;
console.log(`  ratio engine/kinesalite: put ${put.toFixed(2)}×, get ${get.toFixed(2)}× (target ≥ 10× each: put ${put >= 10 ? 'met' : 'not met'}, get ${get >= 10 ? 'met' : 'not met'})`);
if (results.engine.read !== results.engine.accepted || results.kinesalite.read !== results.kinesalite.accepted) process.exitCode = 1;

// Throttling on: the engine holds each shard to 1,000 records/s.
const limited = await startEngine([]);
try {
  const seconds = Math.min(SECONDS, 5);
  const r = await workload(limited.url, 'bench-limited', seconds);
  const perShard = r.accepted / r.putSeconds / SHARDS;
  console.log(`  throttling on (${seconds} s): accepted ${fmt(r.accepted)} records = ${fmt(perShard)} records/s per shard (limit 1,000 + a 1 s burst), ${fmt(r.throttled)} refused with ProvisionedThroughputExceededException; read back ${fmt(r.read)}`);
} finally {
  await limited.stop();
}
