// `make bench`: the producer's client-side cost, in one Node process,
// interleaved with the peers. Every contender turns 500 records into an
// encoded, signed PutRecords request and hands it to a transport that
// answers at once with success (the same answer for all), so only the
// client is measured. Records/s = 500 × ops/s.
//   kinesis-edge Producer      put × 500, flush, all promises settled
//   kinesis-edge putMany       one putMany of 500, flush, settled
//   kinesis-edge aggregated    put × 500 with KPL aggregation on (the
//                              default; one shard, from ListShards)
//   kinesis-edge/producer      put × 500 through the producer's own lean
//                              .wasm (built for size)
//   @aws-sdk/client-kinesis    PutRecordsCommand (default Node config; with
//                              sha256: Sha256WebCrypto, the hashing its
//                              browser build uses — "the SDK's browser
//                              configuration" of issue 5; and with the
//                              pure-JS Sha256 of @aws-crypto/sha256-js)
//   JSON + aws4                a hand-rolled body (base64, JSON.stringify) signed by aws4
import { createRequire } from 'node:module';
import { Producer } from '../pkg/node.js';
import { Producer as LeanProducer } from '../pkg/producer/node.js';
import { compare, formatTable, putRecordsAnswer as answerFor, OK_HEADERS as okHeaders } from './harness.mjs';

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const { KinesisClient, PutRecordsCommand } = require('@aws-sdk/client-kinesis');
const { Sha256 } = require('@aws-crypto/sha256-js');
const { Sha256WebCrypto } = require('@smithy/core/checksum');
const aws4 = require('aws4');
const rounds = Number(process.env.ROUNDS ?? 5);

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const encoder = new TextEncoder();

/**
 * Entries in a PutRecords body: count `"PartitionKey"` members, with a
 * native search whether the body is a string (the SDK's) or bytes (ours),
 * so that the transport costs every contender alike.
 */
function entries(body) {
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let n = 0;
  for (let i = text.indexOf('"PartitionKey"'); i !== -1; i = text.indexOf('"PartitionKey"', i + 14)) n++;
  return n;
}

// ListShards (for aggregation's shard map): one shard over the whole range.
const oneShard = encoder.encode(JSON.stringify({ Shards: [{ ShardId: 'shardId-000000000000', HashKeyRange: { StartingHashKey: '0', EndingHashKey: '340282366920938463463374607431768211455' }, SequenceNumberRange: { StartingSequenceNumber: '4960' } }] }));
async function fakeFetch(_url, init) {
  if (new Headers(init.headers).get('x-amz-target') === 'Kinesis_20131202.ListShards') {
    return new Response(oneShard, { status: 200, headers: okHeaders });
  }
  return new Response(answerFor(entries(init.body)), { status: 200, headers: okHeaders });
}

function sdkHandler() {
  return {
    async handle(request) {
      return { response: { statusCode: 200, headers: okHeaders, body: answerFor(entries(request.body)) } };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() { return {}; },
  };
}

for (const size of [100, 1024]) {
  const payload = new Uint8Array(size).fill(97);
  const keys = Array.from({ length: 500 }, (_, i) => `session-${i}`);
  const makeProducer = (aggregation, P = Producer) => new P({
    streamName: 'bench', region: 'us-east-1', credentials, endpoint: 'https://kinesis.us-east-1.amazonaws.com/',
    fetch: fakeFetch, aggregation, rateLimitPercent: 0, lingerMs: 60000, maxInFlight: 64,
  });
  const plain = makeProducer(false);
  const sdk = new KinesisClient({ region: 'us-east-1', credentials, requestHandler: sdkHandler(), maxAttempts: 1 });
  const sdkWeb = new KinesisClient({ region: 'us-east-1', credentials, requestHandler: sdkHandler(), maxAttempts: 1, sha256: Sha256WebCrypto });
  const sdkJs = new KinesisClient({ region: 'us-east-1', credentials, requestHandler: sdkHandler(), maxAttempts: 1, sha256: Sha256 });
  const sdkRecords = keys.map((k) => ({ PartitionKey: k, Data: payload }));
  const producerOp = (p) => async () => {
    const all = keys.map((partitionKey) => p.put(payload, { partitionKey }));
    await p.flush();
    await Promise.all(all);
  };
  const batched = makeProducer(false);
  const aggregated = makeProducer(true);
  const lean = makeProducer(false, LeanProducer);
  const manyRecords = keys.map((partitionKey) => ({ data: payload, partitionKey }));
  const contenders = [
    ['kinesis-edge Producer', producerOp(plain)],
    ['kinesis-edge putMany', async () => {
      const done = batched.putMany(manyRecords);
      await batched.flush();
      await done;
    }],
    ['kinesis-edge aggregated', producerOp(aggregated)],
    ['kinesis-edge/producer', producerOp(lean)],
    ['@aws-sdk/client-kinesis (Node)', () => sdk.send(new PutRecordsCommand({ StreamName: 'bench', Records: sdkRecords }))],
    ['@aws-sdk/client-kinesis (WebCrypto)', () => sdkWeb.send(new PutRecordsCommand({ StreamName: 'bench', Records: sdkRecords }))],
    ['@aws-sdk/client-kinesis (sha256-js)', () => sdkJs.send(new PutRecordsCommand({ StreamName: 'bench', Records: sdkRecords }))],
    ['JSON + aws4', async () => {
      const body = JSON.stringify({ StreamName: 'bench', Records: keys.map((k) => ({ Data: Buffer.from(payload).toString('base64'), PartitionKey: k })) });
      const signed = aws4.sign({ host: 'kinesis.us-east-1.amazonaws.com', method: 'POST', path: '/', service: 'kinesis', region: 'us-east-1', headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Kinesis_20131202.PutRecords' }, body }, credentials);
      await fakeFetch('https://kinesis.us-east-1.amazonaws.com/', { body: signed.body, headers: signed.headers });
    }],
  ];
  const results = await compare(contenders, { rounds, sliceMs: 300 });
  const table = formatTable(`Producer, 500 × ${size} B records to a signed PutRecords request, Node ${process.version} (medians of ${rounds} interleaved rounds; ops = 500 records)`, results);
  console.log(table);
  const ours = Math.max(results[0].opsPerSec, results[1].opsPerSec) * 500;
  const sdkWebRate = results[5].opsPerSec * 500;
  console.log(`  kinesis-edge: ${Math.round(ours).toLocaleString('en-US')} records/s (${size === 100 ? `target ≥ 2,000,000: ${ours >= 2e6 ? 'met' : 'not met'}` : `target ≥ 2× the SDK's browser configuration (WebCrypto): ${(ours / sdkWebRate).toFixed(2)}×, ${ours >= 2 * sdkWebRate ? 'met' : 'not met'}`})\n`);
  for (const p of [plain, batched, aggregated, lean]) await p.close();
}
