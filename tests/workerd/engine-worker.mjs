// Runs inside workerd (`workerd test`): the shard engine through its
// `workerd` entry — streams, throttling, reads, a split, Firehose into the
// bucket, and signatures checked on `engine.fetch` with requests the
// main entry signs; and the AWS SDK's Kinesis client answered by the
// engine (`engine.requestHandler`), as a Worker's own tests would use it.
import { ShardEngine } from 'kinesis-edge-engine';
import * as sdk from 'client-kinesis.mjs';
import * as api from 'kinesis-edge';
import { producerScenario } from 'producer-check.mjs';

const { signRequest } = api;

export default {
  async test() {
    const failures = [];
    const check = (ok, what) => ok || failures.push(what);
    let now = Date.UTC(2026, 10, 26, 12);
    const engine = new ShardEngine({ now: () => now, verifySignatures: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' } });
    engine.createStream({ streamName: 's', shardCount: 2 });
    const records = Array.from({ length: 500 }, (_, i) => ({ partitionKey: `k${i}`, data: `event ${i}` }));
    check(engine.putRecords({ streamName: 's', records }).failedRecordCount === 0, 'first batch stored');
    // 2,500 records within one second on 2 shards: beyond 1,000/s per shard.
    let throttled = 0;
    for (let i = 0; i < 4; i++) throttled += engine.putRecords({ streamName: 's', records }).failedRecordCount;
    check(throttled > 0, 'writes beyond 1,000 records/s per shard throttled');
    now += 1000;
    let read = 0;
    for (const shard of engine.listShards({ streamName: 's' })) {
      const it = engine.getShardIterator({ streamName: 's', shardId: shard.ShardId, type: 'TRIM_HORIZON' });
      read += engine.getRecords({ shardIterator: it }).records.length;
    }
    check(read === 2500 - throttled, `read back ${read}`);
    engine.splitShard({ streamName: 's', shardToSplit: 'shardId-000000000000', newStartingHashKey: 2n ** 126n });
    check(engine.listShards({ streamName: 's' }).length === 4, 'split');
    engine.firehose.createDeliveryStream({ deliveryStreamName: 'f', bucket: 'b', bufferingHints: { intervalInSeconds: 0 } });
    engine.firehose.putRecord({ deliveryStreamName: 'f', data: 'line\n' });
    check(engine.listObjects({ bucket: 'b' }).length === 1, 'Firehose delivered');
    const url = 'https://kinesis.us-east-1.amazonaws.com/';
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListStreams' };
    const body = '{}';
    const signed = signRequest({ method: 'POST', url, headers, body, region: 'us-east-1', service: 'kinesis', credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' }, signingDate: new Date(now) });
    const ok = await engine.fetch(url, { method: 'POST', headers: [...Object.entries(headers), ...signed.headers], body });
    check(ok.status === 200, `signed request: ${ok.status} ${await ok.clone().text()}`);
    const bad = await engine.fetch(url, { method: 'POST', headers, body });
    check(bad.headers.get('x-amzn-errortype') === 'MissingAuthenticationTokenException', 'unsigned request refused');
    const produced = await producerScenario(api, ShardEngine);
    check(JSON.stringify(produced) === JSON.stringify({ acknowledged: 2000, missing: 0, retried: true, aggregated: true, allStoredOnce: true, firehose: 'delivered', webCrypto: true }), `producer: ${JSON.stringify(produced)}`);
    const sdkResult = await throughTheSdk();
    check(sdkResult.put === 500 && sdkResult.read === 500 && sdkResult.equal && sdkResult.refused === 'InvalidSignatureException', `AWS SDK: ${JSON.stringify(sdkResult)}`);
    if (failures.length) throw new Error(failures.join('\n'));
    console.log(`workerd producer: ${produced.acknowledged} records acknowledged, ${produced.missing} missing, large bodies hashed by WebCrypto: ${produced.webCrypto}`);
    console.log(`workerd engine: ${read} records read back, ${throttled} throttled, split, Firehose and signature checks pass`);
    console.log(`workerd AWS SDK through engine.requestHandler: ${sdkResult.put} records put, ${sdkResult.read} read back equal, a wrong secret refused (${sdkResult.refused})`);
  },
};

// The SDK signing with the Worker's real clock, against an engine that
// checks signatures.
async function throughTheSdk() {
  const credentials = { accessKeyId: 'AKIDWORKER', secretAccessKey: 'worker-secret' };
  const engine = new ShardEngine({ verifySignatures: credentials });
  const client = new sdk.KinesisClient({ region: 'us-east-1', credentials, requestHandler: engine.requestHandler, maxAttempts: 1 });
  await client.send(new sdk.CreateStreamCommand({ StreamName: 'w', ShardCount: 2 }));
  const sent = Array.from({ length: 500 }, (_, i) => `event ${i}`);
  const put = await client.send(new sdk.PutRecordsCommand({ StreamName: 'w', Records: sent.map((d, i) => ({ Data: new TextEncoder().encode(d), PartitionKey: `k${i}` })) }));
  const got = [];
  for (const shard of (await client.send(new sdk.ListShardsCommand({ StreamName: 'w' }))).Shards) {
    const { ShardIterator } = await client.send(new sdk.GetShardIteratorCommand({ StreamName: 'w', ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    got.push(...(await client.send(new sdk.GetRecordsCommand({ ShardIterator }))).Records.map((r) => new TextDecoder().decode(r.Data)));
  }
  let refused = '';
  const wrong = new sdk.KinesisClient({ region: 'us-east-1', credentials: { ...credentials, secretAccessKey: 'wrong' }, requestHandler: engine.requestHandler, maxAttempts: 1 });
  try {
    await wrong.send(new sdk.ListStreamsCommand({}));
  } catch (e) {
    refused = e.name;
  }
  return { put: put.Records.length - put.FailedRecordCount, read: got.length, equal: JSON.stringify(got.sort()) === JSON.stringify(sent.sort()), refused };
}
