// How the speed-optimized builds grow their memory: geometrically, not
// 64 KiB at a time (src/wasm/mod.rs, `grow_ahead`). Each `memory.grow`
// costs about a quarter of a millisecond in V8 whatever it adds, and std's
// allocator grows by 64 KiB: an engine storing a million records grew its
// memory some 2,000 times, which halved its put rate. These count the
// calls after which the memory had grown; 64 KiB at a time, each of them
// would (about 100 KB is stored per call).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ShardEngine } from '../../pkg/engine-node.js';
import { initSync as engineWasm } from '../../pkg/engine/kinesis_edge_engine.js';
import { Producer } from '../../pkg/node.js';
import { initSync as mainWasm } from '../../pkg/kinesis_edge.js';

// The instances are made on import; `initSync` hands back their exports.
const engineMemory = engineWasm({ module: readFileSync(new URL('../../pkg/engine/kinesis_edge_engine_bg.wasm', import.meta.url)) }).memory;
const mainMemory = mainWasm({ module: readFileSync(new URL('../../pkg/kinesis_edge_bg.wasm', import.meta.url)) }).memory;

test('the engine grows its memory in a few large steps while it stores records', () => {
  const engine = new ShardEngine({ throttling: false, maxRecordsPerShard: 1_000_000 });
  engine.createStream({ streamName: 'grow', shardCount: 4 });
  const data = Buffer.alloc(100, 97).toString('base64');
  const calls = 200;
  let grown = 0;
  let size = engineMemory.buffer.byteLength;
  const before = size;
  for (let c = 0; c < calls; c++) {
    const body = JSON.stringify({ StreamName: 'grow', Records: Array.from({ length: 500 }, (_, i) => ({ Data: data, PartitionKey: `k${c}-${i}` })) });
    const out = engine.handle('Kinesis_20131202.PutRecords', body);
    assert.equal(out.status, 200);
    if (engineMemory.buffer.byteLength !== size) {
      grown++;
      size = engineMemory.buffer.byteLength;
    }
  }
  const stored = (size - before) / 2 ** 20;
  console.log(`engine: 100,000 records stored in ${calls} calls; the memory grew after ${grown} of them (${stored.toFixed(1)} MiB)`);
  assert.ok(stored > 10, `the memory grew by ${stored} MiB only: the test stores too little to tell`);
  assert.ok(grown <= 20, `the memory grew after ${grown} of ${calls} calls`);
});

test("the main build's producer grows its memory in a few large steps while it holds records", async () => {
  const engine = new ShardEngine({ throttling: false });
  engine.createStream({ streamName: 'held', shardCount: 4 });
  // Offline until the gate opens: every record stays held meanwhile.
  let open;
  const gate = new Promise((resolve) => { open = resolve; });
  const producer = new Producer({
    streamName: 'held', region: 'us-east-1', endpoint: 'http://engine.local/', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    aggregation: false, rateLimitPercent: 0, lifecycle: false, maxBufferedBytes: 1 << 30, maxBufferedRecords: 1_000_000,
    fetch: async (url, init) => { await gate; return engine.fetch(url, init); },
  });
  const data = new Uint8Array(1024).fill(97);
  const puts = 20_000;
  const settled = [];
  let grown = 0;
  let size = mainMemory.buffer.byteLength;
  const before = size;
  for (let i = 0; i < puts; i++) {
    settled.push(producer.put(data, { partitionKey: `k${i}` }));
    if (mainMemory.buffer.byteLength !== size) {
      grown++;
      size = mainMemory.buffer.byteLength;
    }
  }
  const held = (size - before) / 2 ** 20;
  console.log(`producer: ${puts} records of 1 KiB held; the memory grew after ${grown} puts (${held.toFixed(1)} MiB)`);
  assert.equal(producer.stats().bufferedRecords, puts);
  open();
  await producer.close();
  assert.equal((await Promise.all(settled)).length, puts);
  assert.ok(held > 10, `the memory grew by ${held} MiB only: the test holds too little to tell`);
  assert.ok(grown <= 20, `the memory grew after ${grown} of ${puts} puts`);
});
