// The JS Producer (wasm core + fetch, timers, credentials) against the
// shard engine: in-process through `engine.fetch` with faults, and over
// real HTTP against the engine's server and kinesalite, records read back
// (deaggregated) equal to what was put.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { deaggregate, hashKeyOf } from '../../pkg/node.js';
// The same tests run against the main entry and, from producer-lean.test.mjs,
// against `kinesis-edge/producer` (its own lean .wasm).
const { Producer, FirehoseProducer } = await import(process.env.KINESIS_EDGE_PRODUCER_ENTRY ?? '../../pkg/node.js');
import { ShardEngine } from '../../pkg/engine-node.js';
import { startEngine, startKinesalite, CREDENTIALS } from '../js/servers.mjs';

const require = createRequire(new URL('../package.json', import.meta.url));
const { KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand } = require('@aws-sdk/client-kinesis');
const { NodeHttpHandler } = require('@smithy/node-http-handler');

/**
 * Every user record of a stream, deaggregated, read with the engine's API,
 * shards in id order (parents first). With `kcl`, as the KCL reads: an
 * aggregate holding a record outside its shard's hash key range is dropped.
 */
function readAll(engine, streamName, { kcl = false } = {}) {
  const out = [];
  for (const shard of engine.listShards({ streamName })) {
    const [lo, hi] = [BigInt(shard.HashKeyRange.StartingHashKey), BigInt(shard.HashKeyRange.EndingHashKey)];
    const inRange = (u) => { const h = BigInt(hashKeyOf(u.partitionKey)); return lo <= h && h <= hi; };
    let it = engine.getShardIterator({ streamName, shardId: shard.ShardId, type: 'TRIM_HORIZON' });
    for (;;) {
      const page = engine.getRecords({ shardIterator: it });
      for (const r of page.records) {
        const users = deaggregate({ partitionKey: r.partitionKey, data: r.data });
        if (kcl && users.some((u) => u.subSequenceNumber !== undefined) && !users.every(inRange)) continue;
        for (const u of users) out.push([u.partitionKey, new TextDecoder().decode(u.data)]);
      }
      if (page.records.length === 0 || !page.nextShardIterator) break;
      it = page.nextShardIterator;
    }
  }
  return out;
}

/** An engine with stream `s` of one shard, not throttling. */
function oneShard() {
  const engine = new ShardEngine({ throttling: false });
  engine.createStream({ streamName: 's', shardCount: 1 });
  return engine;
}

// A producer's options for stream `s` through `engine.fetch` (give `fetch`).
const TO_ENGINE = { streamName: 's', region: 'us-east-1', credentials: CREDENTIALS, endpoint: 'http://engine.local/' };

test('partition keys beyond ASCII cross intact, and land on the shard the service picks', async () => {
  const engine = new ShardEngine({ throttling: false });
  engine.createStream({ streamName: 's', shardCount: 4 });
  const producer = new Producer({ ...TO_ENGINE, fetch: engine.fetch, aggregation: false });
  // ASCII then not (the copy switches to a TextEncoder midway), a surrogate
  // pair, and 256 characters of two bytes each.
  const keys = ['session-é', 'ключ', 'a😀b', 'x'.repeat(100) + '漢字', 'é'.repeat(256)];
  const results = await Promise.all(keys.map((partitionKey, i) => producer.put(`r${i}`, { partitionKey })));
  await producer.close();
  assert.deepEqual(readAll(engine, 's').sort(), keys.map((k, i) => [k, `r${i}`]).sort());
  for (const [i, key] of keys.entries()) {
    const shard = engine.listShards({ streamName: 's' }).find((s) => s.ShardId === results[i].shardId);
    const h = BigInt(hashKeyOf(key));
    assert.ok(BigInt(shard.HashKeyRange.StartingHashKey) <= h && h <= BigInt(shard.HashKeyRange.EndingHashKey), key);
  }
});

test('Producer through engine.fetch: faults, retries, everything stored', async () => {
  const engine = new ShardEngine({ throttling: true });
  engine.createStream({ streamName: 'clicks', shardCount: 4 });
  engine.setFaults({ streamName: 'clicks', recordFailureRate: 0.2, requestFailureRate: 0.05 });
  const events = [];
  const producer = new Producer({ streamName: 'clicks', region: 'us-east-1', credentials: CREDENTIALS, endpoint: 'http://engine.local/', fetch: engine.fetch, lingerMs: 20, onEvent: (e) => events.push(e) });
  const sent = Array.from({ length: 5000 }, (_, i) => [`session-${i % 37}`, JSON.stringify({ n: i, page: `/p/${i % 11}` })]);
  const results = await Promise.all(sent.map(([partitionKey, data]) => producer.put(data, { partitionKey })));
  assert.equal(results.length, 5000);
  assert.ok(results.every((r) => /^shardId-\d{12}$/.test(r.shardId) && /^\d{56}$/.test(r.sequenceNumber) && r.attempts >= 1));
  assert.ok(results.some((r) => r.subSequenceNumber !== undefined), 'aggregated');
  assert.ok(results.some((r) => r.attempts > 1), 'some needed retries');
  engine.setFaults({ streamName: 'clicks' }); // read back without faults
  const stored = readAll(engine, 'clicks');
  const want = new Set(sent.map(([k, d]) => `${k}\n${d}`));
  const got = new Set(stored.map(([k, d]) => `${k}\n${d}`));
  for (const w of want) assert.ok(got.has(w), `missing ${w}`);
  const stats = producer.stats();
  assert.equal(stats.recordsAcknowledged, 5000);
  assert.ok(stats.recordsRetried > 0);
  const types = events.map((e) => e.type);
  assert.ok(types.includes('sent') && types.includes('retried') && types.includes('shardMap'), types.join());
  // Each event carries its members, numbers as numbers.
  const members = { sent: ['request', 'entries', 'records'], acknowledged: ['request', 'records'], retried: ['request', 'records', 'code'], failed: ['records', 'code'], shardMap: ['openShards'] };
  for (const e of events) {
    assert.deepEqual(Object.keys(e).sort(), ['type', ...members[e.type]].sort(), JSON.stringify(e));
    for (const m of members[e.type]) assert.equal(typeof e[m], m === 'code' ? 'string' : 'number', JSON.stringify(e));
  }
  assert.deepEqual(events.find((e) => e.type === 'shardMap'), { type: 'shardMap', openShards: 4 });
  assert.equal(events.filter((e) => e.type === 'acknowledged').reduce((n, e) => n + e.records, 0), 5000);
  assert.equal(Object.values(stats.perShard).reduce((a, b) => a + b, 0), 5000);
  assert.ok(Object.keys(stats.perShard).every((s) => /^shardId-\d{12}$/.test(s)), JSON.stringify(stats.perShard));
  assert.ok(stats.latencyMs.p50 <= stats.latencyMs.p90 && stats.latencyMs.p90 <= stats.latencyMs.p99, JSON.stringify(stats.latencyMs));
  assert.equal(stats.bufferedRecords, 0);
  await producer.close();
  await assert.rejects(producer.put('late'), { code: 'Closed' });
});

test('Producer: what the service says reaches the caller as it said it (quotes, line breaks; a NUL shows as U+FFFD)', async () => {
  // Outcomes cross from wasm as NUL-separated fields: a NUL in the
  // service's text must not shift them (it shows as U+FFFD).
  const message = 'bad "thing"\u0000 at\nline 2\\ 1\u00001\u0000';
  const fetch = async () => new Response(JSON.stringify({ __type: 'ValidationException', message }), { status: 400, headers: { 'x-amzn-errortype': 'ValidationException' } });
  const producer = new Producer({ ...TO_ENGINE, fetch, aggregation: false, rateLimitPercent: 0, lingerMs: 0 });
  const [a, b] = await Promise.all(['x', 'y'].map((d) => producer.put(d, { partitionKey: 'k' }).catch((e) => e)));
  for (const e of [a, b]) {
    assert.equal(e.code, 'ValidationException');
    assert.equal(e.message, 'bad "thing"\ufffd at\nline 2\\ 1\ufffd1\ufffd');
    assert.equal(e.attempts, 1);
  }
  // A result and an expired record's last error, through the same fields.
  const engine = new ShardEngine();
  engine.createStream({ streamName: 's', shardCount: 1 });
  engine.setFaults({ streamName: 's', recordFailureRate: 1 });
  const doomed = new Producer({ ...TO_ENGINE, fetch: engine.fetch, lingerMs: 0, recordTtlMs: 200, aggregation: false });
  const err = await doomed.put('x', { partitionKey: 'k' }).catch((e) => e);
  assert.equal(err.code, 'RecordExpired');
  assert.deepEqual(Object.keys(err.lastError).sort(), ['code', 'message']);
  assert.equal(err.lastError.code, 'InternalFailure');
  assert.ok(err.lastError.message.length > 0);
  engine.setFaults({ streamName: 's' });
  const ok = await doomed.put('y', { partitionKey: 'k' });
  assert.deepEqual(Object.keys(ok).sort(), ['attempts', 'sequenceNumber', 'shardId']);
  assert.equal(ok.shardId, 'shardId-000000000000');
  assert.match(ok.sequenceNumber, /^\d{56}$/);
  assert.equal(ok.attempts, 1);
  await Promise.all([producer.close(), doomed.close()]);
});

test('Producer: non-retryable errors reject with the AWS code; TTL expiry with RecordExpired; BufferFull', async () => {
  const engine = new ShardEngine();
  engine.createStream({ streamName: 's', shardCount: 1 });
  const base = { region: 'us-east-1', credentials: CREDENTIALS, endpoint: 'http://engine.local/', fetch: engine.fetch, lingerMs: 5 };
  const missing = new Producer({ ...base, streamName: 'nope', aggregation: false, rateLimitPercent: 0 });
  await assert.rejects(missing.put('x', { partitionKey: 'k' }), { code: 'ResourceNotFoundException', message: 'Stream nope under account 000000000000 not found.', attempts: 1 });
  engine.setFaults({ streamName: 's', recordFailureRate: 1 });
  const doomed = new Producer({ ...base, streamName: 's', recordTtlMs: 300 });
  const err = await doomed.put('x', { partitionKey: 'k' }).catch((e) => e);
  assert.equal(err.code, 'RecordExpired');
  assert.ok(err.attempts >= 1);
  assert.equal(err.lastError.code, 'InternalFailure');
  const small = new Producer({ ...base, streamName: 's', maxBufferedRecords: 1, lingerMs: 10000 });
  const first = small.put('a', { partitionKey: 'k' });
  await assert.rejects(small.put('b', { partitionKey: 'k' }), { code: 'BufferFull' });
  engine.setFaults({ streamName: 's' });
  await small.flush();
  await first;
  const waiting = new Producer({ ...base, streamName: 's', maxBufferedRecords: 2, onFull: 'wait' });
  const all = await Promise.all(Array.from({ length: 20 }, (_, i) => waiting.put(`w${i}`, { partitionKey: `k${i}` })));
  assert.equal(all.length, 20, 'onFull: wait lets every put through as room frees up');
  await assert.rejects(waiting.put('', { partitionKey: '' }), { code: 'ValidationException' });
});

test('Producer: records up to a stream\'s raised limit (maxRecordBytes, UpdateMaxRecordSize) arrive whole; 1 MiB by default', async () => {
  const engine = new ShardEngine();
  engine.createStream({ streamName: 'large', shardCount: 2 });
  const base = { streamName: 'large', region: 'us-east-1', credentials: CREDENTIALS, endpoint: 'http://engine.local/', fetch: engine.fetch, lingerMs: 5 };
  const big = new Uint8Array(2 * 1024 * 1024 + 7).map((_, i) => (i * 31 + 7) & 255);
  // By default, the stream's default: refused before anything is sent, with AWS's message.
  const plain = new Producer(base);
  await assert.rejects(plain.put(big, { partitionKey: 'k' }), { code: 'ValidationException', message: /less than or equal to 1048576/ });
  assert.equal(plain.stats().requests, 0);
  await plain.close();
  // The stream raised to 10 MiB (UpdateMaxRecordSize, by ARN).
  const { streamArn } = engine.describeStreamSummary({ streamName: 'large' });
  engine.updateMaxRecordSize({ streamArn, maxRecordSizeInKiB: 10240 });
  assert.equal(engine.describeStreamSummary({ streamName: 'large' }).maxRecordSizeInKiB, 10240);
  const producer = new Producer({ ...base, maxRecordBytes: 10 * 1024 * 1024 });
  // (Both keys land on shard 1: the small record waits out the debt the
  // large one left on the shard's 1 MiB/s, as the service makes it.)
  const [a, b] = await Promise.all([producer.put(big, { partitionKey: 'big' }), producer.put('small', { partitionKey: 'small' })]);
  assert.equal(a.attempts, 1);
  assert.equal(b.shardId, a.shardId);
  const it = engine.getShardIterator({ streamName: 'large', shardId: a.shardId, type: 'AT_SEQUENCE_NUMBER', sequenceNumber: a.sequenceNumber });
  const [stored] = engine.getRecords({ shardIterator: it }).records;
  assert.equal(stored.partitionKey, 'big');
  assert.deepEqual(stored.data, big);
  // Data plus partition key over the raised limit: AWS's answer.
  await assert.rejects(producer.put(new Uint8Array(10 * 1024 * 1024), { partitionKey: 'k' }), { code: 'InvalidArgumentException', message: /exceeds the maximum record size of 10485760 bytes/ });
  await producer.close();
  for (const maxRecordBytes of [1048575, 10485761, 2.5, '2097152']) {
    assert.throws(() => new Producer({ ...base, maxRecordBytes }), { code: 'InvalidArgument', message: /maxRecordBytes must be a whole number from 1048576 to 10485760/ });
    assert.throws(() => new ShardEngine({ maxRecordBytes }), { code: 'InvalidArgumentException', message: /maxRecordBytes must be a whole number from 1048576 to 10485760/ });
  }
  // New streams of an engine created with a raised default.
  const raised = new ShardEngine({ maxRecordBytes: 4 * 1024 * 1024 });
  raised.createStream({ streamName: 's' });
  raised.createStream({ streamName: 't', maxRecordSizeInKiB: 1024 });
  assert.equal(raised.describeStreamSummary({ streamName: 's' }).maxRecordSizeInKiB, 4096);
  assert.equal(raised.describeStreamSummary({ streamName: 't' }).maxRecordSizeInKiB, 1024);
});

test('Producer: clock skew corrected from the service, credentials from a provider refreshed before expiry', async () => {
  let offset = -20 * 60 * 1000; // the local clock is 20 minutes slow
  const engine = new ShardEngine({ verifySignatures: CREDENTIALS, now: () => Date.now() - offset });
  engine.createStream({ streamName: 's', shardCount: 1 });
  let calls = 0;
  const provider = async () => {
    calls++;
    return { ...CREDENTIALS, expiration: new Date(Date.now() + 4 * 60 * 1000) }; // inside the refresh window
  };
  const producer = new Producer({ streamName: 's', region: 'us-east-1', credentials: provider, endpoint: 'http://engine.local/', fetch: engine.fetch, lingerMs: 5 });
  // The first request (ListShards, or the put) is refused for its time; the
  // producer learns the offset and everything after is signed right.
  const r = await producer.put('hello', { partitionKey: 'k' });
  assert.ok(r.attempts >= 1);
  assert.equal(producer.stats().clockCorrections, 1);
  await producer.put('again', { partitionKey: 'k' });
  assert.ok(calls >= 2, 'credentials close to expiry are fetched again');
  offset = 0;

  // An expiration as an ISO string (as STS's JSON has it) is a time too:
  // credentials an hour from expiring are asked for once, not per request.
  const plain = oneShard();
  for (const expiration of [new Date(Date.now() + 3_600_000).toISOString(), Date.now() + 3_600_000, 'soon']) {
    let asked = 0;
    const later = new Producer({ streamName: 's', region: 'us-east-1', credentials: async () => { asked++; return { ...CREDENTIALS, expiration }; }, endpoint: 'http://engine.local/', fetch: plain.fetch, lingerMs: 0 });
    for (let i = 0; i < 3; i++) await later.put(`r${i}`, { partitionKey: 'k' });
    assert.equal(asked, 1, `expiration ${expiration}: asked ${asked} times`);
    await later.close();
  }
});

test('Producer: credentials close to expiring are used while the provider is asked again in the background; a provider slow or failing then delays and stops nothing until they are stale', async () => {
  const engine = oneShard();
  const t0 = Date.now();
  // Credentials that expire in 63 s: inside the five-minute refresh window
  // from the start, stale (a minute before they expire) after 3 s.
  const expiration = new Date(t0 + 63_000);
  let asked = 0;
  let failing = false;
  let slowMs = 0;
  const provider = async () => {
    asked++;
    await new Promise((r) => setTimeout(r, slowMs));
    if (failing) throw new Error('Cognito is down');
    return { ...CREDENTIALS, expiration };
  };
  const producer = new Producer({ ...TO_ENGINE, credentials: provider, fetch: engine.fetch, aggregation: false, rateLimitPercent: 0, lingerMs: 0, recordTtlMs: 2_000 });
  await producer.put('first', { partitionKey: 'k' }); // none held yet: waited for
  assert.equal(asked, 1);
  // The provider now takes 500 ms and then fails: the held credentials go
  // meanwhile, and it is not asked again at every request (a background
  // refresh starts at most every 10 s).
  slowMs = 500;
  failing = true;
  const started = Date.now();
  for (let i = 0; i < 5; i++) assert.equal((await producer.put(`r${i}`, { partitionKey: 'k' })).attempts, 1);
  assert.ok(Date.now() - started < 400, `the puts waited ${Date.now() - started} ms for the provider`);
  await new Promise((r) => setTimeout(r, 520));
  assert.equal((await producer.put('after the failure', { partitionKey: 'k' })).attempts, 1);
  assert.equal(asked, 2, `asked ${asked} times`);
  assert.ok(Date.now() < t0 + 3_000, 'the checks above ran before the credentials went stale');
  // Stale: the provider is waited for, and its failure holds the records
  // back (their error when their time to live runs out).
  while (Date.now() < t0 + 3_100) await new Promise((r) => setTimeout(r, 50));
  await assert.rejects(producer.put('late', { partitionKey: 'k' }), (e) => e.code === 'RecordExpired' && e.lastError?.code === 'CredentialsProviderError');
  assert.ok(asked > 2);
  await producer.close();
});

test('Producer: credentials that look expired as they arrive (a device clock hours ahead) are used, and the provider is not asked at every request', async () => {
  const engine = oneShard();
  // Fresh for an hour by the provider's clock; by this device's, two hours
  // ahead, they expired an hour ago.
  let asked = 0;
  const provider = async () => {
    asked++;
    return { ...CREDENTIALS, expiration: new Date(Date.now() - 60 * 60_000) };
  };
  const producer = new Producer({ ...TO_ENGINE, credentials: provider, fetch: engine.fetch, aggregation: false, rateLimitPercent: 0, lingerMs: 0 });
  const started = Date.now();
  for (let i = 0; i < 6; i++) assert.equal((await producer.put(`r${i}`, { partitionKey: 'k' })).attempts, 1);
  assert.ok(Date.now() - started < 5_000, 'within the 10 s they are used for');
  assert.equal(producer.stats().requests, 6);
  assert.equal(asked, 1, `the provider was asked ${asked} times for 6 requests`);
  await producer.close();
});

test("Producer: clock skew corrected from the answer's Date header (a message without a time)", async () => {
  // The engine behind a proxy that refuses the first request as expired,
  // saying the time only in its Date header, 20 minutes ahead.
  const engine = oneShard();
  const ahead = 20 * 60 * 1000;
  const signedAt = [];
  let refused = false;
  const fetch = async (url, init) => {
    const amzDate = new Headers(init.headers).get('x-amz-date');
    signedAt.push(Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15)));
    if (!refused) {
      refused = true;
      const body = JSON.stringify({ __type: 'InvalidSignatureException', message: 'Signature expired' });
      return new Response(body, { status: 400, headers: { 'content-type': 'application/x-amz-json-1.1', date: new Date(Date.now() + ahead).toUTCString() } });
    }
    return engine.fetch(url, init);
  };
  const producer = new Producer({ ...TO_ENGINE, fetch, aggregation: false, rateLimitPercent: 0, lingerMs: 0 });
  const r = await producer.put('hello', { partitionKey: 'k' });
  assert.equal(r.attempts, 2);
  assert.equal(producer.stats().clockCorrections, 1);
  const skew = signedAt[1] - signedAt[0];
  assert.ok(Math.abs(skew - ahead) < 5_000, `signed ${skew} ms later the second time`);
  await producer.close();
});

test('Producer: an ExpiredTokenException makes a provider be asked again and the records resent; static credentials fail with the code', async () => {
  // The engine checks signatures and the session token: the first one has
  // expired (a provider that gave no expiration, or a token ended early).
  const engine = new ShardEngine({ throttling: false, verifySignatures: { ...CREDENTIALS, sessionToken: 'first', expiration: new Date(Date.now() - 1000) } });
  engine.createStream({ streamName: 's', shardCount: 2 });
  const fetch = engine.fetch;
  let calls = 0;
  const provider = async () => {
    if (++calls === 1) return { ...CREDENTIALS, sessionToken: 'first' }; // no expiration
    // Asked again: new temporary credentials, which the service knows.
    engine.setVerifySignatures({ ...CREDENTIALS, sessionToken: 'second' });
    return { ...CREDENTIALS, sessionToken: 'second' };
  };
  const events = [];
  const producer = new Producer({ streamName: 's', region: 'us-east-1', credentials: provider, endpoint: 'http://engine.local/', fetch, lingerMs: 5, onEvent: (e) => events.push(e) });
  const results = await producer.putMany(Array.from({ length: 20 }, (_, i) => ({ data: `r${i}`, partitionKey: `k${i}` })));
  assert.equal(results.length, 20);
  assert.equal(calls, 2, 'asked again once, after the service said the token expired');
  assert.ok(events.some((e) => e.type === 'credentialsExpired'), JSON.stringify(events));
  assert.deepEqual(readAll(engine, 's').map(([, d]) => d).sort(), Array.from({ length: 20 }, (_, i) => `r${i}`).sort());
  await producer.close();

  // Static credentials: nothing to renew; the records fail with the code.
  engine.setVerifySignatures({ ...CREDENTIALS, sessionToken: 'first', expiration: new Date(Date.now() - 1000) });
  const fixed = new Producer({ streamName: 's', region: 'us-east-1', credentials: { ...CREDENTIALS, sessionToken: 'first' }, endpoint: 'http://engine.local/', fetch, lingerMs: 5, aggregation: false, rateLimitPercent: 0 });
  await assert.rejects(fixed.put('x', { partitionKey: 'k' }), (e) => e.code === 'ExpiredTokenException' && e.attempts === 1);
  await fixed.close();
});

test('Producer: an AWS SDK for JavaScript v3 credential provider is taken as it is (fromEnv: temporary credentials with an expiration and the SDK\'s own $source field)', async () => {
  const { fromEnv } = require('@aws-sdk/credential-provider-env');
  const env = { AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: process.env.AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION: process.env.AWS_CREDENTIAL_EXPIRATION };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'ASIAENVPROVIDER', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_SESSION_TOKEN: 'env-token', AWS_CREDENTIAL_EXPIRATION: new Date(Date.now() + 3_600_000).toISOString() });
  try {
    const engine = new ShardEngine({ throttling: false, verifySignatures: { accessKeyId: 'ASIAENVPROVIDER', secretAccessKey: 'env-secret', sessionToken: 'env-token' } });
    engine.createStream({ streamName: 's', shardCount: 1 });
    const provider = fromEnv();
    assert.ok((await provider()).expiration instanceof Date);
    let asked = 0;
    const producer = new Producer({ streamName: 's', region: 'us-east-1', credentials: () => (asked++, provider()), endpoint: 'http://engine.local/', fetch: engine.fetch, lingerMs: 5 });
    const results = await producer.putMany(Array.from({ length: 50 }, (_, i) => ({ data: `e${i}`, partitionKey: `k${i}` })));
    assert.equal(results.length, 50);
    assert.equal(asked, 1, 'asked once: the credentials are good for an hour');
    assert.deepEqual(readAll(engine, 's').map(([, d]) => d).sort(), Array.from({ length: 50 }, (_, i) => `e${i}`).sort());
    await producer.close();
  } finally {
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
});

test('Producer: a credentials provider that fails, or answers no keys, is retried with backoff; records that expire say why', async () => {
  const engine = oneShard();
  const cases = [
    [async () => { throw new Error('Identity pool not found'); }, 'CredentialsProviderError', /the credentials provider failed: Identity pool not found/],
    [async () => ({ accessKeyId: 5 }), 'InvalidCredentials', /no accessKeyId/],
  ];
  for (const [credentials, code, message] of cases) {
    let calls = 0;
    const provider = () => { calls++; return credentials(); };
    // With the default shard prediction, the first request is a ListShards:
    // the records never go out before they expire.
    const producer = new Producer({ streamName: 's', region: 'us-east-1', credentials: provider, endpoint: 'http://engine.local/', fetch: engine.fetch, lingerMs: 5, recordTtlMs: 1500, lifecycle: false });
    await assert.rejects(producer.put('x', { partitionKey: 'k' }), (e) => {
      assert.equal(e.code, 'RecordExpired');
      assert.equal(e.lastError?.code, code, JSON.stringify(e.lastError));
      assert.match(e.lastError.message, message);
      return true;
    });
    assert.ok(calls >= 2 && calls < 15, `provider asked ${calls} times in 1.5 s`);
    await producer.close();
  }
  assert.equal(readAll(engine, 's').length, 0);
});

test('Producer: a request that never gets an answer (a fetch that ignores its signal, a provider that never answers) is given up on after requestTimeoutMs and the records go again', async () => {
  const engine = oneShard();
  // The first request hangs for good, whatever its abort signal says.
  let calls = 0;
  const fetch = (url, init) => (++calls === 1 ? new Promise(() => {}) : engine.fetch(url, init));
  const options = { streamName: 's', region: 'us-east-1', endpoint: 'http://engine.local/', aggregation: false, rateLimitPercent: 0, lingerMs: 0, lifecycle: false };
  const producer = new Producer({ ...options, credentials: CREDENTIALS, fetch, requestTimeoutMs: 300 });
  const r = await producer.put('x', { partitionKey: 'k' });
  assert.equal(r.attempts, 2);
  assert.equal(calls, 2);
  assert.deepEqual(readAll(engine, 's'), [['k', 'x']]);
  await producer.close();

  // The default timeout is a third of the records' time to live (from 1 s
  // to 30 s): with a 3 s TTL, a hung request is given up on after 1 s, in
  // time for a second attempt.
  calls = 0;
  const quick = new Producer({ ...options, credentials: CREDENTIALS, fetch, recordTtlMs: 3000 });
  const started = Date.now();
  const q = await quick.put('y', { partitionKey: 'k' });
  assert.equal(q.attempts, 2);
  assert.ok(Date.now() - started >= 900, `${Date.now() - started} ms`);
  await quick.close();

  // A provider that never answers the first time is asked again.
  let asked = 0;
  const provider = () => (++asked === 1 ? new Promise(() => {}) : Promise.resolve(CREDENTIALS));
  const waiting = new Producer({ ...options, credentials: provider, fetch: engine.fetch, requestTimeoutMs: 300 });
  const w = await waiting.put('z', { partitionKey: 'k' });
  assert.equal(w.attempts, 2); // the try that waited on the provider counts
  assert.equal(asked, 2);
  assert.deepEqual(readAll(engine, 's').map(([, d]) => d), ['x', 'y', 'z']);
  await waiting.close();
});

/**
 * Runs `body(page, listeners)` in a page, as far as the producer can tell:
 * pagehide, online and offline on the global scope (`page`),
 * visibilitychange on a document in `visibilityState`, navigator.onLine
 * true. `listeners.count` is how many the producers attached and did not
 * remove.
 */
async function inSimulatedPage(visibilityState, body) {
  const page = new EventTarget();
  const document = Object.assign(new EventTarget(), { visibilityState });
  const listeners = { count: 0 };
  const counted = (target) => ({
    addEventListener: (...a) => (listeners.count++, EventTarget.prototype.addEventListener.apply(target, a)),
    removeEventListener: (...a) => (listeners.count--, EventTarget.prototype.removeEventListener.apply(target, a)),
  });
  Object.assign(document, counted(document));
  const saved = ['addEventListener', 'removeEventListener', 'document', 'navigator'].map((k) => [k, Object.getOwnPropertyDescriptor(globalThis, k)]);
  Object.assign(globalThis, counted(page), { document });
  Object.defineProperty(globalThis, 'navigator', { value: { onLine: true }, configurable: true });
  try {
    return await body(page, listeners);
  } finally {
    for (const [k, d] of saved) {
      if (d) Object.defineProperty(globalThis, k, d);
      else delete globalThis[k];
    }
  }
}

test('Producer: a constructor that throws leaves no page listener behind', () =>
  inSimulatedPage('visible', async (_page, listeners) => {
    const engine = oneShard();
    // Refused in JS after the page options were read, and by the core.
    assert.throws(() => new Producer({ ...TO_ENGINE, fetch: engine.fetch, onFull: 'drop' }), { code: 'InvalidArgument' });
    assert.throws(() => new Producer({ ...TO_ENGINE, fetch: engine.fetch, endpoint: 'http://engine.local/a%20b/' }), { code: 'InvalidArgument', message: /with a plain path/ });
    assert.equal(listeners.count, 0);
    const fine = new Producer({ ...TO_ENGINE, fetch: engine.fetch });
    assert.ok(listeners.count > 0, 'a producer that was made listens');
    await fine.close();
    assert.equal(listeners.count, 0);
  }));

test('Producer: the producers of one page share the 64 KiB that its keepalive requests in flight may carry', () =>
  inSimulatedPage('hidden', async (page) => {
    const engine = oneShard();
    // Keepalive requests are held in flight until the page is gone.
    let inFlight = 0;
    let most = 0;
    const held = [];
    const fetch = (url, init) => {
      if (!init.keepalive) return engine.fetch(url, init);
      inFlight += init.body.length;
      most = Math.max(most, inFlight);
      return new Promise((resolve) => held.push(() => {
        inFlight -= init.body.length;
        resolve(engine.fetch(url, init));
      }));
    };
    const options = { ...TO_ENGINE, fetch, aggregation: false, rateLimitPercent: 0, lingerMs: 60_000 };
    const producers = [new Producer(options), new Producer(options)];
    const puts = producers.flatMap((p, n) => Array.from({ length: 300 }, (_, i) => p.put(`${n}:${i}:${'x'.repeat(300)}`, { partitionKey: `k${i}` })));
    page.dispatchEvent(new Event('pagehide'));
    await new Promise((r) => setTimeout(r, 100)); // signed and handed to fetch
    assert.ok(held.length > 0, 'keepalive requests went out');
    assert.ok(most <= 65536, `${most} bytes of keepalive bodies in flight at once`);
    for (const answer of held.splice(0)) answer();
    await Promise.all(producers.map((p) => p.close()));
    assert.equal((await Promise.all(puts)).length, 600);
    assert.equal(readAll(engine, 's').length, 600);
  }));

test('Producer: time its timer was held back (a throttled background tab, a frozen page, a machine asleep) does not use up records\' time to live', async () => {
  const engine = oneShard();
  const realSetTimeout = globalThis.setTimeout;
  const realNow = Date.now;
  let skew = 0;
  let held = 0;
  // The host runs the producer's next timer a minute late.
  Date.now = () => realNow() + skew;
  globalThis.setTimeout = (fn, ms, ...args) =>
    realSetTimeout(() => {
      if (held > 0) {
        held--;
        skew += 60_000;
      }
      fn(...args);
    }, ms);
  try {
    const producer = new Producer({ ...TO_ENGINE, fetch: engine.fetch, recordTtlMs: 30_000, aggregation: false, rateLimitPercent: 0 });
    held = 1;
    const r = await producer.put('late', { partitionKey: 'k' });
    assert.equal(r.attempts, 1);
    assert.ok(skew >= 60_000, 'the timer was held back');
    assert.deepEqual(readAll(engine, 's'), [['k', 'late']]);
    assert.equal(producer.stats().recordsExpired, 0);
    await producer.close();
  } finally {
    globalThis.setTimeout = realSetTimeout;
    Date.now = realNow;
  }
});

test('Producer: time the host was held (a machine asleep, a frozen page) while a request was out does not use up its records\' time to live', async () => {
  const engine = oneShard();
  const realNow = Date.now;
  let skew = 0;
  Date.now = () => realNow() + skew;
  // The first request goes out, the machine sleeps for a minute (no timer
  // of the producer's is armed: only the request's own timeout), and on
  // waking the request fails: its record is sent again, not expired.
  let calls = 0;
  const fetch = async (url, init) => {
    if (++calls === 1) {
      skew += 60_000;
      throw new TypeError('fetch failed');
    }
    return engine.fetch(url, init);
  };
  try {
    const producer = new Producer({ ...TO_ENGINE, fetch, recordTtlMs: 30_000, aggregation: false, rateLimitPercent: 0, lingerMs: 0 });
    const r = await producer.put('slept', { partitionKey: 'k' });
    assert.equal(r.attempts, 2);
    assert.deepEqual(readAll(engine, 's'), [['k', 'slept']]);
    assert.equal(producer.stats().recordsExpired, 0);
    // A record put after waking has its own time to live, whole.
    await producer.put('after', { partitionKey: 'k' });
    await producer.close();
  } finally {
    Date.now = realNow;
  }
});

test('Producer: a timer the host dropped (workerd drops those of a request that ended) is armed again by the next put, and nothing stalls', async () => {
  const engine = oneShard();
  const realSetTimeout = globalThis.setTimeout;
  let drop = 0;
  globalThis.setTimeout = (fn, ms, ...args) => {
    if (drop > 0) {
      drop--;
      return realSetTimeout(() => {}, ms); // armed, never runs the producer
    }
    return realSetTimeout(fn, ms, ...args);
  };
  try {
    const producer = new Producer({ ...TO_ENGINE, fetch: engine.fetch, aggregation: false, rateLimitPercent: 0, lingerMs: 0 });
    // The first request's put arms a timer, and the request ends.
    drop = 1;
    const first = producer.put('first', { partitionKey: 'k' });
    await new Promise((r) => realSetTimeout(r, 1200));
    assert.equal(readAll(engine, 's').length, 0, 'the dropped timer sent nothing');
    // The next request's put finds the timer long overdue and arms another.
    const second = producer.put('second', { partitionKey: 'k' });
    const results = await Promise.all([first, second]);
    assert.deepEqual(results.map((r) => r.attempts), [1, 1]);
    assert.deepEqual(readAll(engine, 's').map(([, d]) => d), ['first', 'second']);
    await producer.close();
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
});

test('Producer: a wall clock set back an hour (NTP, by hand) does not hold batches or retries back for an hour', async () => {
  const engine = oneShard();
  const realNow = Date.now;
  let back = 0;
  Date.now = () => realNow() - back;
  // The first answer is a 500: the record waits out a backoff, and the
  // clock is set back meanwhile.
  let calls = 0;
  const fetch = async (url, init) => {
    if (++calls === 1) {
      setTimeout(() => { back = 3_600_000; }, 0); // once the answer is handled
      return new Response('{"__type":"InternalFailure"}', { status: 500 });
    }
    return engine.fetch(url, init);
  };
  try {
    const producer = new Producer({ ...TO_ENGINE, fetch, aggregation: false, rateLimitPercent: 0, lingerMs: 50 });
    const started = realNow();
    const r = await producer.put('x', { partitionKey: 'k' });
    assert.equal(r.attempts, 2);
    assert.ok(realNow() - started < 5_000, `${realNow() - started} ms`);
    // Records put after the step go after their linger, not an hour later.
    const again = realNow();
    await producer.put('y', { partitionKey: 'k' });
    assert.ok(realNow() - again < 2_000, `${realNow() - again} ms`);
    assert.deepEqual(readAll(engine, 's').map(([, d]) => d), ['x', 'y']);
    await producer.close();
  } finally {
    Date.now = realNow;
  }
});

test('Producer: requests in a row that get no answer pause all sending (one at a time tests the network, with backoff); an answer resumes it', async (t) => {
  const engine = oneShard();
  // The network is down (no answer at all), though nothing said offline.
  let down = true;
  let calls = 0;
  const fetch = async (url, init) => {
    calls++;
    if (down) throw new TypeError('fetch failed');
    return engine.fetch(url, init);
  };
  const events = [];
  const producer = new Producer({ ...TO_ENGINE, fetch, lingerMs: 10, aggregation: false, rateLimitPercent: 0, recordTtlMs: 60_000, onEvent: (e) => events.push(e) });
  // A clickstream keeps putting for 1.5 s meanwhile.
  const puts = [];
  const started = Date.now();
  while (Date.now() - started < 1500) {
    puts.push(producer.put(`r${puts.length}`, { partitionKey: `k${puts.length % 7}` }));
    await new Promise((r) => setTimeout(r, 20));
  }
  // Without the pause, 183 and 193 requests (new records and retries);
  // with it, three, then a test after 0.5 to 1 s, then another after 1 to 2 s.
  t.diagnostic(`${calls} requests while the network was down, for ${puts.length} puts`);
  assert.ok(calls <= 6, `${calls} requests while the network was down (${puts.length} puts)`);
  assert.ok(events.some((e) => e.type === 'networkDown' && e.code === 'NetworkError'), JSON.stringify(events));
  down = false;
  const results = await Promise.all(puts);
  assert.equal(results.length, puts.length);
  assert.ok(events.some((e) => e.type === 'networkUp'), JSON.stringify(events.slice(-5)));
  assert.deepEqual(readAll(engine, 's').map(([, d]) => d).sort(), puts.map((_, i) => `r${i}`).sort());
  await producer.close();
});

test('Producer: a fetch that answers a network error (Response.error(), status 0) is a network error: the records go again', async () => {
  const engine = oneShard();
  let errors = 0;
  // A wrapper (or a service worker) that answers its failures with
  // Response.error() instead of rejecting; ListShards goes through.
  const fetch = async (url, init) => {
    if (new Headers(init.headers).get('x-amz-target').endsWith('PutRecords') && errors++ < 2) return Response.error();
    return engine.fetch(url, init);
  };
  const events = [];
  const producer = new Producer({ ...TO_ENGINE, fetch, lingerMs: 5, lifecycle: false, onEvent: (e) => events.push(e) });
  const result = await producer.put('r', { partitionKey: 'k' });
  assert.equal(result.attempts, 3);
  assert.deepEqual(events.filter((e) => e.type === 'retried').map((e) => e.code), ['NetworkError', 'NetworkError']);
  await producer.close();
  assert.deepEqual(readAll(engine, 's').map(([, d]) => d), ['r']);
});

test('Producer ordered: per-key order holds under faults', async () => {
  const engine = new ShardEngine({ throttling: false });
  engine.createStream({ streamName: 's', shardCount: 2 });
  engine.setFaults({ streamName: 's', recordFailureRate: 0.3, requestFailureRate: 0.1 });
  const producer = new Producer({ ...TO_ENGINE, fetch: engine.fetch, ordered: true, lingerMs: 2, recordTtlMs: 120000 });
  const results = await Promise.all(Array.from({ length: 600 }, (_, i) => producer.put(String(i), { partitionKey: `k${i % 5}` }).then((r) => [i, r])));
  const last = new Map();
  for (const [i, r] of results) {
    const key = `k${i % 5}`;
    const pos = [BigInt(r.sequenceNumber), r.subSequenceNumber ?? 0];
    const prev = last.get(key);
    if (prev) assert.ok(pos[0] > prev[0] || (pos[0] === prev[0] && pos[1] > prev[1]), `order of ${key} at ${i}`);
    last.set(key, pos);
  }
});

test('Producer ordered: per-key order holds across a reshard, under faults, as the KCL reads', async () => {
  // 1 -> 2 shards while records are in flight (answers take 20 ms, 30 % of
  // records fail); the stream is UPDATING for 300 ms. Records of 1 KB, so
  // that a shard's aggregate is full. Read back as the KCL
  // reads (parents first; an aggregate holding a record outside its shard's
  // range is dropped) and without duplicates, each key's records come in put order.
  const engine = new ShardEngine({ throttling: false, updateDelayMs: 300 });
  engine.createStream({ streamName: 's', shardCount: 1 });
  engine.setFaults({ streamName: 's', recordFailureRate: 0.3, latencyMs: 20 });
  const producer = new Producer({ ...TO_ENGINE, fetch: engine.fetch, ordered: true, lingerMs: 5, recordTtlMs: 120000, lifecycle: false });
  const puts = [];
  for (let i = 0; i < 1500; i++) {
    puts.push(producer.put(String(i).padStart(6, '0').padEnd(1000, '.'), { partitionKey: `k${i % 40}` }));
    if (i === 500) engine.updateShardCount({ streamName: 's', targetShardCount: 2 });
    if (i % 100 === 99) await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.all(puts);
  await producer.close();
  await new Promise((r) => setTimeout(r, 350)); // the update has ended
  const seen = new Map(); // key -> last record index, first copies only
  const first = new Set();
  for (const [key, data] of readAll(engine, 's', { kcl: true })) {
    const i = Number(data.slice(0, 6));
    if (first.has(i)) continue;
    first.add(i);
    const prev = seen.get(key) ?? -1;
    assert.ok(i > prev, `${key}: record ${i} read after ${prev}`);
    seen.set(key, i);
  }
  assert.equal(first.size, 1500, 'every record read');
  assert.equal(engine.listShards({ streamName: 's' }).length, 3, 'resharded');
});

for (const [name, start] of [['the engine\'s HTTP server', () => startEngine([])], ['kinesalite', () => startKinesalite()]]) {
  test(`Producer over real HTTP against ${name}: read back with @aws-sdk/client-kinesis, deaggregated, equal`, async () => {
    const server = await start();
    try {
      const sdk = new KinesisClient({ region: 'us-east-1', endpoint: server.url, credentials: CREDENTIALS, requestHandler: new NodeHttpHandler(), maxAttempts: 3 });
      await sdk.send(new CreateStreamCommand({ StreamName: 'http', ShardCount: 3 }));
      for (;;) {
        const d = await sdk.send(new DescribeStreamSummaryCommand({ StreamName: 'http' }));
        if (d.StreamDescriptionSummary.StreamStatus === 'ACTIVE') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const producer = new Producer({ streamName: 'http', region: 'us-east-1', credentials: CREDENTIALS, endpoint: server.url, lingerMs: 20 });
      const sent = Array.from({ length: 2000 }, (_, i) => [`user-${i % 53}`, `event ${i}`]);
      await Promise.all(sent.map(([partitionKey, data]) => producer.put(data, { partitionKey })));
      await producer.close();
      const got = [];
      const { Shards } = await sdk.send(new ListShardsCommand({ StreamName: 'http' }));
      for (const shard of Shards) {
        const { ShardIterator } = await sdk.send(new GetShardIteratorCommand({ StreamName: 'http', ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
        const page = await sdk.send(new GetRecordsCommand({ ShardIterator, Limit: 10000 }));
        for (const r of page.Records) {
          for (const u of deaggregate({ partitionKey: r.PartitionKey, data: r.Data })) got.push([u.partitionKey, new TextDecoder().decode(u.data)]);
        }
      }
      assert.deepEqual(got.map((x) => x.join('\n')).sort(), sent.map((x) => x.join('\n')).sort());
    } finally {
      await server.stop();
    }
  });
}

test('FirehoseProducer delivers newline-delimited records into the engine\'s bucket', async () => {
  const engine = new ShardEngine();
  engine.firehose.createDeliveryStream({ deliveryStreamName: 'events', bucket: 'b', bufferingHints: { intervalInSeconds: 0 } });
  const producer = new FirehoseProducer({ deliveryStreamName: 'events', region: 'us-east-1', credentials: CREDENTIALS, endpoint: 'http://engine.local/', fetch: engine.fetch, delimiter: '\n', lingerMs: 5 });
  const results = await Promise.all(Array.from({ length: 1200 }, (_, i) => producer.put(JSON.stringify({ n: i }))));
  assert.ok(results.every((r) => r.sequenceNumber.length > 0));
  await producer.close();
  const text = engine.listObjects({ bucket: 'b' }).map((o) => new TextDecoder().decode(engine.getObject({ bucket: 'b', key: o.key }))).join('');
  const lines = text.split('\n').filter(Boolean);
  assert.equal(lines.length, 1200);
  assert.deepEqual(lines.map((l) => JSON.parse(l).n).sort((a, b) => a - b), Array.from({ length: 1200 }, (_, i) => i));
});

test('Producer.putMany: results in order; refusals reject; after a BufferFull the rest wait (onFull wait) or are refused', async () => {
  const engine = new ShardEngine({ throttling: false });
  engine.createStream({ streamName: 's', shardCount: 2 });
  engine.setFaults({ streamName: 's', recordFailureRate: 0.2 });
  const base = { ...TO_ENGINE, fetch: engine.fetch, lingerMs: 5 };
  const producer = new Producer(base);
  const records = Array.from({ length: 3000 }, (_, i) => ({ data: `r${i}`, partitionKey: `k${i % 17}` }));
  const results = await producer.putMany(records);
  assert.equal(results.length, 3000);
  assert.ok(results.every((r) => /^\d{56}$/.test(r.sequenceNumber)));
  engine.setFaults({ streamName: 's' });
  const stored = readAll(engine, 's').map(([k, d]) => `${k}\n${d}`);
  for (const r of records) assert.ok(stored.includes(`${r.partitionKey}\n${r.data}`));
  await assert.rejects(producer.putMany([{ data: 'ok', partitionKey: 'a' }, { data: 'x', partitionKey: '' }]), { code: 'ValidationException' });
  const small = new Producer({ ...base, maxBufferedRecords: 10 });
  await assert.rejects(small.putMany(Array.from({ length: 20 }, (_, i) => ({ data: `${i}`, partitionKey: 'k' }))), { code: 'BufferFull' });
  const waiting = new Producer({ ...base, maxBufferedRecords: 10, onFull: 'wait' });
  const all = await waiting.putMany(Array.from({ length: 100 }, (_, i) => ({ data: `w${i}`, partitionKey: `k${i}` })));
  assert.equal(all.length, 100);
  assert.ok(all.every((r) => r && r.shardId));
});

test('Producer: options and keys of the wrong type are refused with InvalidArgument before they reach the .wasm, and the producer goes on', async () => {
  const engine = new ShardEngine();
  engine.createStream({ streamName: 's', shardCount: 2 });
  const base = { ...TO_ENGINE, fetch: engine.fetch, lingerMs: 5 };
  assert.throws(() => new Producer(null), { code: 'InvalidArgument', message: /streamName is required/ });
  assert.throws(() => new Producer('s'), { code: 'InvalidArgument', message: /options must be an object/ });
  assert.throws(() => new FirehoseProducer(null), { code: 'InvalidArgument', message: /deliveryStreamName is required/ });
  // A delimiter is text or bytes, named as such when it is not; null is none.
  const firehose = { deliveryStreamName: 'd', region: 'us-east-1', credentials: CREDENTIALS, lifecycle: false };
  for (const delimiter of [5, {}, true]) {
    assert.throws(() => new FirehoseProducer({ ...firehose, delimiter }), { code: 'InvalidArgument', message: /^delimiter must be a string/ }, String(delimiter));
  }
  await new FirehoseProducer({ ...firehose, delimiter: null }).close();
  // Yes-or-no options are booleans: 'false' is truthy, and a string once
  // turned aggregation off (NaN as the .wasm's bool) without a word.
  for (const name of ['aggregation', 'ordered', 'lifecycle', 'pauseWhenOffline']) {
    for (const value of ['yes', 'false', 1, 1n]) {
      assert.throws(() => new Producer({ ...base, [name]: value }), { code: 'InvalidArgument', message: new RegExp(`${name} must be true or false`) }, `${name}: ${value}`);
    }
  }
  const producer = new Producer(base);
  // A number as a partition key once reached the .wasm's string argument
  // and trapped there (out-of-bounds memory access) in the main entry.
  for (const partitionKey of [5, 5n, {}, ['k'], true]) {
    await assert.rejects(producer.put('x', { partitionKey }), { code: 'InvalidArgument', message: /partitionKey must be a string/ });
    const offered = producer.offer('x', { partitionKey });
    assert.deepEqual([offered.accepted, offered.error.code], [false, 'InvalidArgument']);
  }
  await assert.rejects(producer.put('x', 'k'), { code: 'InvalidArgument', message: /options must be an object/ });
  await assert.rejects(producer.putMany([{ data: 'a', partitionKey: 'k' }, null]), { code: 'InvalidArgument', message: /records\[1\] must be an object/ });
  await assert.rejects(producer.putMany([{ data: 'a', partitionKey: 7 }]), { code: 'InvalidArgument' });
  assert.deepEqual(await producer.putMany([]), []);
  // null and undefined are "none given"; an explicit hash key may be a BigInt.
  const results = [
    await producer.put('n', null),
    await producer.put('u', { partitionKey: null, explicitHashKey: null }),
    await producer.put('b', { partitionKey: 'k', explicitHashKey: 2n ** 127n }),
  ];
  assert.ok(results.every((r) => /^\d{56}$/.test(r.sequenceNumber)));
  assert.equal(results[2].shardId, 'shardId-000000000001');
  await producer.close();
  const stats = producer.stats();
  assert.deepEqual([stats.recordsPut, stats.recordsAcknowledged], [3, 3]);
  assert.deepEqual(readAll(engine, 's').map(([, d]) => d).sort(), ['b', 'n', 'u']);
});

test('Producer: records a store gives back are checked like puts: what is not a record is removed, not sent to the .wasm', async () => {
  const engine = new ShardEngine();
  engine.createStream({ streamName: 's', shardCount: 1 });
  // A custom store holding what another version, or a bug, may have left.
  const kept = new Map([
    [1, { data: new TextEncoder().encode('one'), partitionKey: 'k' }],
    [2, { data: new Uint8Array([1]), partitionKey: 5 }],
    [3, { data: 'not bytes?', partitionKey: 'k' }],
    [4, { data: 42, partitionKey: 'k' }],
    [5, { data: new TextEncoder().encode('five'), partitionKey: 'k', explicitHashKey: '7' }],
  ]);
  let next = 6;
  const store = {
    async load() { return [...kept].map(([key, v]) => ({ key, ...v })).concat([null]); },
    async add(record) { kept.set(next, record); return next++; },
    remove(keys) { for (const k of keys) kept.delete(k); },
  };
  const producer = new Producer({ ...TO_ENGINE, fetch: engine.fetch, lingerMs: 5, lifecycle: false, store });
  await producer.put('six', { partitionKey: 'k' });
  await producer.flush();
  await producer.close();
  // Strings are records' data as put() takes them; a number is not.
  assert.deepEqual(readAll(engine, 's').map(([, d]) => d).sort(), ['five', 'not bytes?', 'one', 'six']);
  assert.deepEqual([...kept.keys()], [], 'the one that could not be sent was removed, the others once acknowledged');
});

test('Producer: a custom store that answers at once, throws, or loads something that is no list: puts go on, or reject with what the store threw', { timeout: 30000 }, async () => {
  const engine = new ShardEngine();
  engine.createStream({ streamName: 's', shardCount: 1 });
  let next = 1;
  const stores = {
    'load() gives back no list': [{ load: async () => ({ records: [] }), add: async () => next++, remove() {} }, 'ok'],
    'load() gives back nothing': [{ load: () => undefined, add: async () => next++, remove() {} }, 'ok'],
    'add() answers at once': [{ load: async () => [], add: () => next++, remove() {} }, 'ok'],
    'add() throws': [{ load: async () => [], add: () => { throw Object.assign(new Error('disk full'), { code: 'DiskFull' }); }, remove() {} }, 'DiskFull'],
  };
  for (const [what, [store, want]] of Object.entries(stores)) {
    const producer = new Producer({ ...TO_ENGINE, fetch: engine.fetch, lingerMs: 0, lifecycle: false, store });
    const got = await producer.put('x', { partitionKey: 'k' }).then(() => 'ok', (e) => e.code);
    assert.equal(got, want, what);
    // And the next put too: nothing is stuck.
    assert.equal(await producer.put('y', { partitionKey: 'k' }).then(() => 'ok', (e) => e.code), want, `${what}, again`);
    await producer.close();
  }
});

// (A timeout: the failure this guards against is a put that never settles.)
test('Producer onFull wait: flush() and close() cover the puts made before them; a record larger than the whole buffer is refused, not waited on forever', { timeout: 30000 }, async () => {
  const engine = oneShard();
  const base = { ...TO_ENGINE, fetch: engine.fetch, lingerMs: 5, lifecycle: false, onFull: 'wait' };
  // A loop that puts without awaiting, then closes: every put was made
  // before close(), so every one is delivered.
  const closing = new Producer({ ...base, maxBufferedRecords: 2 });
  const before = Array.from({ length: 6 }, (_, i) => closing.put(`c${i}`, { partitionKey: 'k' }));
  const closed = closing.close();
  await assert.rejects(closing.put('late', { partitionKey: 'k' }), { code: 'Closed' });
  await closed;
  assert.deepEqual((await Promise.all(before)).map((r) => r.attempts), [1, 1, 1, 1, 1, 1]);
  // flush() covers the puts waiting for room: they go at once (not after
  // the linger), and it resolves once they are settled too.
  const lingering = new Producer({ ...base, maxBufferedRecords: 1, lingerMs: 600000 });
  const settled = [];
  const waited = ['f1', 'f2', 'f3'].map((d) => lingering.put(d, { partitionKey: 'k' }).then(() => settled.push(d)));
  await lingering.flush();
  assert.deepEqual(settled, ['f1', 'f2', 'f3']);
  await Promise.all(waited);
  await lingering.close();
  // Larger alone than maxBufferedBytes: refused at once, whether or not
  // something is buffered, and whether or not puts wait ahead of it (then
  // in its turn, holding back none behind it); the puts behind it go on.
  const small = new Producer({ ...base, maxBufferedBytes: 100 });
  const huge = 'h'.repeat(200);
  await assert.rejects(small.put(huge, { partitionKey: 'k' }), { code: 'BufferFull', message: /never fit/ });
  let xSettled = false;
  const x = small.put('x'.repeat(60), { partitionKey: 'k' }).finally(() => (xSettled = true));
  const tooLarge = small.put(huge, { partitionKey: 'k' }).catch((e) => e);
  assert.equal((await tooLarge).code, 'BufferFull');
  assert.equal(xSettled, false, 'refused at once, not once the buffer was empty');
  const queued = [small.put('w'.repeat(60), { partitionKey: 'k' }), small.put(huge, { partitionKey: 'k' }), small.put('y'.repeat(30), { partitionKey: 'k' })];
  const [w, again, y] = await Promise.allSettled(queued);
  assert.deepEqual([w.status, again.reason?.message, y.status], ['fulfilled', (await tooLarge).message, 'fulfilled']);
  assert.equal((await x).attempts, 1);
  const many = await small.putMany([{ data: huge, partitionKey: 'k' }]).catch((e) => e);
  assert.equal(many.code, 'BufferFull');
  assert.deepEqual((await small.putMany([{ data: 'a', partitionKey: 'k' }, { data: 'b', partitionKey: 'k' }])).length, 2);
  await small.close();
  assert.deepEqual(readAll(engine, 's').map(([, d]) => d[0]).sort(), ['a', 'b', 'c', 'c', 'c', 'c', 'c', 'c', 'f', 'f', 'f', 'w', 'x', 'y']);
  // With onFull 'reject', putMany rejects with a never-fitting record's
  // error, and the records after it go in (as Promise.all over put() would
  // have them): it is not a full buffer, which stops the rest.
  const rejecting = new Producer({ ...base, onFull: 'reject', maxBufferedBytes: 100 });
  const buffered = rejecting.put('z'.repeat(10), { partitionKey: 'k' });
  const rejected = await rejecting.putMany(['m', huge, 'n'].map((data) => ({ data, partitionKey: 'k' }))).catch((e) => e);
  assert.deepEqual([rejected.code, /never fit/.test(rejected.message)], ['BufferFull', true]);
  const full = await rejecting.putMany(['p', 'q'.repeat(90), 'r'].map((data) => ({ data, partitionKey: 'k' }))).catch((e) => e);
  assert.deepEqual([full.code, /never fit/.test(full.message)], ['BufferFull', false]);
  await buffered;
  await rejecting.close();
  assert.deepEqual(readAll(engine, 's').map(([, d]) => d[0]).sort(), ['a', 'b', 'c', 'c', 'c', 'c', 'c', 'c', 'f', 'f', 'f', 'm', 'n', 'p', 'w', 'x', 'y', 'z']);
  // offer() answers at once, and does not overtake puts waiting for room
  // (that would break a key's order), even when it would fit.
  const ordered = new Producer({ ...base, streamName: 'o', maxBufferedBytes: 100, ordered: true, lingerMs: 50 });
  engine.createStream({ streamName: 'o', shardCount: 1 });
  const first = ordered.put('1'.repeat(60), { partitionKey: 'k' });
  const second = ordered.put('2'.repeat(60), { partitionKey: 'k' });
  const third = ordered.offer('3', { partitionKey: 'k' });
  assert.deepEqual([third.accepted, third.error?.code], [false, 'BufferFull']);
  await Promise.all([first, second]);
  assert.equal(ordered.offer('3', { partitionKey: 'k' }).accepted, true);
  await ordered.close();
  assert.deepEqual(readAll(engine, 'o').map(([, d]) => d[0]), ['1', '2', '3']);
});

test('Producer: a record is its bytes at put(), even when it waits for room or for its store', async () => {
  const engine = oneShard();
  // Callers reuse buffers: one scratch array, rewritten after each put.
  const scratch = new Uint8Array(3);
  const putFrom = (p, text) => {
    scratch.set(new TextEncoder().encode(text));
    const done = p.put(scratch, { partitionKey: 'k' });
    scratch.fill(0x3f); // '???'
    return done;
  };
  // Waiting for room (onFull: 'wait'), one put at a time and with putMany.
  const waiting = new Producer({ ...TO_ENGINE, fetch: engine.fetch, maxBufferedRecords: 1, onFull: 'wait', lingerMs: 5, lifecycle: false });
  const puts = [putFrom(waiting, 'aaa'), putFrom(waiting, 'bbb'), putFrom(waiting, 'ccc')];
  scratch.set(new TextEncoder().encode('ddd'));
  const many = waiting.putMany([{ data: scratch, partitionKey: 'k' }]);
  scratch.fill(0x3f);
  await Promise.all([...puts, many]);
  await waiting.close();
  // Through a store whose writes complete later.
  const kept = new Map();
  let next = 1;
  const store = {
    async load() { return []; },
    async add(record) { await new Promise((r) => setTimeout(r, 5)); kept.set(next, { ...record, data: new Uint8Array(record.data) }); return next++; },
    remove(keys) { for (const k of keys) kept.delete(k); },
  };
  const stored = new Producer({ ...TO_ENGINE, fetch: engine.fetch, lingerMs: 5, lifecycle: false, store });
  await Promise.all([putFrom(stored, 'eee'), putFrom(stored, 'fff')]);
  await stored.close();
  assert.deepEqual(readAll(engine, 's').map(([, d]) => d).sort(), ['aaa', 'bbb', 'ccc', 'ddd', 'eee', 'fff']);
});

test('Producer: data in a detached (transferred) buffer is refused with InvalidArgument, not sent empty', async () => {
  const producer = new Producer({ ...TO_ENGINE, fetch: oneShard().fetch, lifecycle: false });
  // Views made before the transfer, and the buffer itself.
  const transferred = (View) => {
    const buffer = new ArrayBuffer(4);
    const view = View === ArrayBuffer ? buffer : new View(buffer);
    structuredClone(buffer, { transfer: [buffer] });
    return view;
  };
  for (const data of [transferred(ArrayBuffer), transferred(Uint8Array), transferred(DataView), transferred(Uint16Array)]) {
    await assert.rejects(producer.put(data, { partitionKey: 'k' }), { code: 'InvalidArgument', message: /detached/ });
    assert.deepEqual([producer.offer(data, { partitionKey: 'k' }).error?.code], ['InvalidArgument']);
  }
  // An empty record is still a record.
  assert.equal((await producer.put(new Uint8Array(0), { partitionKey: 'k' })).attempts, 1);
  await producer.close();
});

test('Producer.offer answers at once: accepted (then delivered) or refused with the reason', async () => {
  const engine = new ShardEngine();
  engine.createStream({ streamName: 's', shardCount: 1 });
  const producer = new Producer({ ...TO_ENGINE, fetch: engine.fetch, maxBufferedRecords: 2, lingerMs: 5 });
  const a = producer.offer('a', { partitionKey: 'k' });
  const b = producer.offer('b', { partitionKey: 'k' });
  const full = producer.offer('c', { partitionKey: 'k' });
  const invalid = producer.offer('d', { partitionKey: '' });
  assert.equal(a.accepted && b.accepted, true);
  assert.deepEqual([full.accepted, full.error.code], [false, 'BufferFull']);
  assert.deepEqual([invalid.accepted, invalid.error.code], [false, 'ValidationException']);
  const results = await Promise.all([a.result, b.result]);
  assert.ok(results.every((r) => r.sequenceNumber.length > 0));
  await producer.close();
  const closed = producer.offer('e', { partitionKey: 'k' });
  assert.deepEqual([closed.accepted, closed.error.code], [false, 'Closed']);
});

test('endpoints the signer cannot take are refused at construction, with InvalidArgument', () => {
  const base = { streamName: 's', region: 'us-east-1', credentials: CREDENTIALS };
  // (A URL resolves dot segments itself: http://h/a/../b is http://h/b.)
  for (const endpoint of ['http://h/a//b', 'http://h/a%20b', 'http://h/?x=1', 'ftp://h/', 'http://u:p@h/']) {
    assert.throws(() => new Producer({ ...base, endpoint }), { code: 'InvalidArgument' }, endpoint);
  }
  assert.doesNotThrow(() => new Producer({ ...base, endpoint: 'http://127.0.0.1:4567/prefix/v1/', lifecycle: false }).close());
});

test('static credentials the signer cannot take are refused at construction, with InvalidCredentials; a bad onEvent or fetch with InvalidArgument', async () => {
  const base = { streamName: 's', region: 'us-east-1', endpoint: 'http://engine.local/', lifecycle: false };
  // Each once made a producer whose records waited out their time to live
  // (30 s) unsent, reported only as the network being down.
  for (const [credentials, reason] of [
    [{ accessKeyId: '', secretAccessKey: 'x' }, /accessKeyId is missing or empty/],
    [{ accessKeyId: 'AKID\n', secretAccessKey: 'x' }, /accessKeyId must not contain/],
    [{ accessKeyId: 'AK/ID', secretAccessKey: 'x' }, /accessKeyId must not contain/],
    [{ accessKeyId: 'AKID', secretAccessKey: '' }, /secretAccessKey is missing or empty/],
    [{ ...CREDENTIALS, sessionToken: 'a\r\nb' }, /sessionToken must not contain/],
  ]) {
    assert.throws(() => new Producer({ ...base, credentials }), { code: 'InvalidCredentials', message: reason }, JSON.stringify(credentials));
    assert.throws(() => new FirehoseProducer({ ...base, deliveryStreamName: 'd', credentials }), { code: 'InvalidCredentials', message: reason });
  }
  // An empty session token is none; a provider is asked only when a request goes.
  const engine = new ShardEngine();
  engine.createStream({ streamName: 's', shardCount: 1 });
  for (const credentials of [{ ...CREDENTIALS, sessionToken: '' }, async () => CREDENTIALS]) {
    const producer = new Producer({ ...base, credentials, fetch: engine.fetch, lingerMs: 0 });
    assert.equal((await producer.put('x', { partitionKey: 'k' })).attempts, 1);
    await producer.close();
  }
  assert.throws(() => new Producer({ ...base, credentials: CREDENTIALS, onEvent: 'log' }), { code: 'InvalidArgument', message: /onEvent must be a function/ });
  assert.throws(() => new Producer({ ...base, credentials: CREDENTIALS, fetch: {} }), { code: 'InvalidArgument', message: /fetch must be a function/ });
  assert.throws(() => new Producer({ ...base, credentials: CREDENTIALS, region: 'us east 1' }), { code: 'InvalidArgument', message: /region must be a region name/ });
});
