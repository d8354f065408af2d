// One engine scenario run alike in Node, a Chromium page and a dedicated
// worker (the results must be equal): a simulated clock, writes beyond the
// shard limit, reads back, a split read through its children, scaling,
// Firehose into the bucket, and a signature check on engine.fetch.
export async function engineScenario(ShardEngine, signRequest) {
  let now = Date.UTC(2026, 10, 26, 12);
  const engine = new ShardEngine({ now: () => now, seed: 11, verifySignatures: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' } });
  engine.createStream({ streamName: 's', shardCount: 2 });
  const records = Array.from({ length: 500 }, (_, i) => ({ partitionKey: `k${i}`, data: `event ${i}` }));
  let throttled = 0;
  for (let i = 0; i < 5; i++) throttled += engine.putRecords({ streamName: 's', records }).failedRecordCount;
  now += 1000;
  engine.splitShard({ streamName: 's', shardToSplit: 'shardId-000000000000', newStartingHashKey: 2n ** 126n });
  engine.putRecords({ streamName: 's', records: records.slice(0, 100) });
  now += 1000;
  const perShard = {};
  for (const shard of engine.listShards({ streamName: 's' })) {
    const it = engine.getShardIterator({ streamName: 's', shardId: shard.ShardId, type: 'TRIM_HORIZON' });
    const page = engine.getRecords({ shardIterator: it });
    perShard[shard.ShardId] = { records: page.records.length, children: page.childShards?.map((c) => c.ShardId) ?? null };
  }
  engine.setFaults({ streamName: 's', recordFailureRate: 0.2 });
  now += 1000;
  const faulted = engine.putRecords({ streamName: 's', records: records.slice(0, 200) }).failedRecordCount;
  const scaled = engine.updateShardCount({ streamName: 's', targetShardCount: 6 });
  engine.firehose.createDeliveryStream({ deliveryStreamName: 'f', bucket: 'b', bufferingHints: { intervalInSeconds: 0 } });
  engine.firehose.putRecordBatch({ deliveryStreamName: 'f', records: [{ data: 'a\n' }, { data: 'b\n' }] });
  const objects = engine.listObjects({ bucket: 'b' }).map((o) => ({ key: o.key, size: o.size }));
  const url = 'https://kinesis.us-east-1.amazonaws.com/';
  const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListStreams' };
  const signed = signRequest({ method: 'POST', url, headers, body: '{}', region: 'us-east-1', service: 'kinesis', credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' }, signingDate: new Date(now) });
  const ok = await engine.fetch(url, { method: 'POST', headers: [...Object.entries(headers), ...signed.headers], body: '{}' });
  const bad = await engine.fetch(url, { method: 'POST', headers, body: '{}' });
  const { totals } = engine.stats({ streamName: 's' });
  return { throttled, perShard, faulted, scaled, objects, signed: ok.status, unsigned: bad.headers.get('x-amzn-errortype'), totals };
}
