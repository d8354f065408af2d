// One producer scenario run alike in Node, a Chromium page, a dedicated
// worker and workerd: 2,000 records through `engine.fetch` with faults,
// then read back from the engine and compared; and 600 lines through a
// FirehoseProducer into the engine's bucket.
//
// The engine checks every signature, so a body hashed wrong (by WebCrypto,
// node:crypto or wasm) fails the run; `webCryptoHashes` says whether
// WebCrypto hashed the large bodies (it does where the runtime has it and
// no faster synchronous hash is installed: pages, workers, workerd).
export async function producerScenario({ Producer, FirehoseProducer, deaggregate }, ShardEngine) {
  const subtle = globalThis.crypto?.subtle;
  let webCryptoHashes = 0;
  const digest = subtle?.digest;
  const own = subtle !== undefined && Object.prototype.hasOwnProperty.call(subtle, 'digest');
  let watched = false;
  if (digest) {
    try {
      subtle.digest = function (algorithm, data) {
        if (algorithm === 'SHA-256' && data.byteLength >= 4096) webCryptoHashes++;
        return digest.call(this, algorithm, data);
      };
      watched = subtle.digest !== digest;
    } catch {
      // A runtime whose SubtleCrypto takes no own properties: not watched.
    }
  }
  try {
    return { ...(await scenario(Producer, deaggregate, ShardEngine)), firehose: await firehoseScenario(FirehoseProducer, ShardEngine), webCrypto: watched ? webCryptoHashes > 0 : null };
  } finally {
    if (watched && own) subtle.digest = digest;
    else if (watched) delete subtle.digest;
  }
}

async function scenario(Producer, deaggregate, ShardEngine) {
  const engine = new ShardEngine({ seed: 3, verifySignatures: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' } });
  engine.createStream({ streamName: 'clicks', shardCount: 3 });
  engine.setFaults({ streamName: 'clicks', recordFailureRate: 0.2, requestFailureRate: 0.05 });
  const producer = new Producer({
    streamName: 'clicks', region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' },
    endpoint: 'http://engine.local/', fetch: engine.fetch, lingerMs: 10,
  });
  const sent = Array.from({ length: 2000 }, (_, i) => [`session-${i % 41}`, `{"n":${i}}`]);
  const results = await Promise.all(sent.map(([partitionKey, data]) => producer.put(data, { partitionKey })));
  await producer.close();
  engine.setFaults({ streamName: 'clicks' });
  const got = [];
  for (const shard of engine.listShards({ streamName: 'clicks' })) {
    const it = engine.getShardIterator({ streamName: 'clicks', shardId: shard.ShardId, type: 'TRIM_HORIZON' });
    for (const r of engine.getRecords({ shardIterator: it }).records) {
      for (const u of deaggregate({ partitionKey: r.partitionKey, data: r.data })) got.push(`${u.partitionKey}\n${new TextDecoder().decode(u.data)}`);
    }
  }
  const want = new Set(sent.map(([k, d]) => `${k}\n${d}`));
  const missing = [...want].filter((w) => !got.includes(w)).length;
  const stats = producer.stats();
  return {
    acknowledged: results.length,
    missing,
    retried: stats.recordsRetried > 0,
    aggregated: results.some((r) => r.subSequenceNumber !== undefined),
    allStoredOnce: got.length >= want.size,
  };
}

// Firehose's requests signed for `firehose` and checked by the engine:
// every line delivered once, as sent ('delivered', or what went wrong).
async function firehoseScenario(FirehoseProducer, ShardEngine) {
  const engine = new ShardEngine({ verifySignatures: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' } });
  engine.firehose.createDeliveryStream({ deliveryStreamName: 'events', bucket: 'b', bufferingHints: { intervalInSeconds: 0 } });
  const producer = new FirehoseProducer({
    deliveryStreamName: 'events', region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' },
    endpoint: 'http://engine.local/', fetch: engine.fetch, delimiter: '\n', lingerMs: 10,
  });
  // Lines of up to 20 KB: requests of 4 KiB and more are hashed by the host.
  const sent = Array.from({ length: 600 }, (_, i) => `{"e":${i},"pad":"${'x'.repeat((i * 37) % 20000)}"}`);
  await Promise.all(sent.map((line) => producer.put(line)));
  await producer.close();
  const decoder = new TextDecoder();
  const got = engine.listObjects({ bucket: 'b' }).map((o) => decoder.decode(engine.getObject({ bucket: 'b', key: o.key }))).join('').split('\n');
  if (got.pop() !== '') return 'the last line has no delimiter';
  const want = [...sent].sort();
  got.sort();
  if (got.length !== want.length) return `${got.length} lines delivered of ${want.length}`;
  return got.every((line, i) => line === want[i]) ? 'delivered' : 'lines differ';
}
