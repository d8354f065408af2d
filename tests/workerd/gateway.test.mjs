// The Cloudflare Workers gateway (examples/cloudflare-worker) end to end in
// workerd: a client POSTs events → the Worker (workerd serve on 127.0.0.1,
// its outbound traffic allowed to loopback only) → the engine's HTTP server
// with signature verification on → the records read back equal the
// accepted events, enriched. Bad origins, oversized bodies, malformed and
// invalid events, and a throttled stream each get the right answer, and
// nothing accepted is lost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine, startGateway, gatewayTo, post, CREDENTIALS } from '../js/servers.mjs';

const ORIGIN = 'https://shop.example';
const STREAM = 'events';

let engine, gateway, url, misconfiguredUrls;

before(async () => {
  // A throttled stream: 30 % of records refused as over the shard's
  // throughput (seeded), on top of the real per-shard limits.
  engine = await startEngine(['--verify-signatures', `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}`, '--throttle-fault-rate', '0.3', '--seed', '7']);
  const created = await post(engine.url, 'Kinesis_20131202.CreateStream', { StreamName: STREAM, ShardCount: 1 });
  assert.equal(created.status, 200);
  for (;;) {
    const d = await post(engine.url, 'Kinesis_20131202.DescribeStreamSummary', { StreamName: STREAM });
    if (d.json.StreamDescriptionSummary.StreamStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  // A gateway; one deployed without its stream or keys; and one whose key
  // id was pasted with its line break.
  gateway = await startGateway([
    gatewayTo(engine.url, STREAM, { ALLOWED_ORIGINS: `${ORIGIN}, https://other.example`, MAX_BODY_BYTES: 65536 }),
    { ALLOWED_ORIGINS: ORIGIN },
    gatewayTo(engine.url, STREAM, { ALLOWED_ORIGINS: ORIGIN, AWS_ACCESS_KEY_ID: `${CREDENTIALS.accessKeyId}\n` }),
  ]);
  [url, ...misconfiguredUrls] = gateway.urls;
});

after(async () => {
  if (gateway) await gateway.stop();
  if (engine) await engine.stop();
});

function send(body, { origin = ORIGIN, method = 'POST' } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (origin) headers.origin = origin;
  return fetch(`${url}/events`, { method, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** A call to the engine, retried while it throttles (5 reads/s a shard). */
async function call(target, body) {
  for (;;) {
    const r = await post(engine.url, `Kinesis_20131202.${target}`, body);
    if (r.status === 200) return r.json;
    if (r.type !== 'ProvisionedThroughputExceededException' && r.type !== 'LimitExceededException') throw new Error(`${target}: ${r.status} ${r.type} ${r.message}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Every record of the stream. */
async function readStream() {
  const out = [];
  const json = await call('ListShards', { StreamName: STREAM });
  for (const shard of json.Shards) {
    const it = await call('GetShardIterator', { StreamName: STREAM, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' });
    let iterator = it.ShardIterator;
    for (;;) {
      const page = await call('GetRecords', { ShardIterator: iterator, Limit: 10000 });
      for (const r of page.Records) out.push({ key: r.PartitionKey, data: Buffer.from(r.Data, 'base64') });
      if (page.Records.length === 0 || !page.NextShardIterator) break;
      iterator = page.NextShardIterator;
    }
  }
  return out;
}

/** User records (deaggregated) as parsed events. */
async function eventsInStream() {
  const { deaggregate } = await import('../../pkg/node.js');
  const events = [];
  for (const r of await readStream()) {
    for (const u of deaggregate({ partitionKey: r.key, data: new Uint8Array(r.data) })) events.push({ key: u.partitionKey, event: JSON.parse(new TextDecoder().decode(u.data)) });
  }
  return events;
}

test('CORS: a preflight from an allowed origin gets the headers; any other origin is refused and forwards nothing', async () => {
  const ok = await fetch(`${url}/events`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST' } });
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('access-control-allow-origin'), ORIGIN);
  assert.match(ok.headers.get('access-control-allow-methods'), /POST/);
  const bad = await fetch(`${url}/events`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
  assert.equal(bad.status, 403);
  const post = await send({ events: [{ sessionId: 's', n: -1 }] }, { origin: 'https://evil.example' });
  assert.equal(post.status, 403);
  assert.equal((await post.json()).error, 'OriginNotAllowed');
  const none = await send({ events: [{ sessionId: 's', n: -1 }] }, { origin: null });
  assert.equal(none.status, 403);
});

test('bodies: too large → 413, malformed → 400, too many events → 413, wrong method or path → 405/404', async () => {
  const big = await send({ events: [{ sessionId: 's', pad: 'x'.repeat(70_000) }] });
  assert.equal(big.status, 413);
  assert.equal((await big.json()).error, 'BodyTooLarge');
  assert.equal(big.headers.get('access-control-allow-origin'), ORIGIN, 'errors carry CORS headers, so the page can read them');
  const malformed = await send('{"events": [');
  assert.equal(malformed.status, 400);
  assert.equal((await malformed.json()).error, 'MalformedBody');
  const notArray = await send({ events: 'no' });
  assert.equal(notArray.status, 400);
  const many = await send({ events: Array.from({ length: 501 }, (_, i) => ({ sessionId: 's', i })) });
  assert.equal(many.status, 413);
  assert.equal((await many.json()).error, 'TooManyEvents');
  assert.equal((await fetch(`${url}/events`, { method: 'GET', headers: { origin: ORIGIN } })).status, 405);
  assert.equal((await fetch(`${url}/elsewhere`, { method: 'POST', headers: { origin: ORIGIN }, body: '{}' })).status, 404);
});

test('events: each accepted or refused with a reason; 3,000 events to one shard (throttled) all arrive, enriched, none lost', async () => {
  // A mixed batch: valid, not an object, no sessionId, too large, a key over 256 characters.
  const mixed = [
    { sessionId: 'a', eventId: 'mixed-0', type: 'click' },
    'not an object',
    { type: 'no session' },
    { sessionId: 'b', eventId: 'mixed-3', pad: 'x'.repeat(40_000) },
    { sessionId: 'k'.repeat(257), eventId: 'mixed-4' },
    { sessionId: 'c', eventId: 'mixed-5', type: 'view' },
  ];
  const res = await send({ events: mixed });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(body.accepted, [0, 5]);
  assert.deepEqual(body.rejected.map((r) => [r.index, r.code]), [[1, 'InvalidEvent'], [2, 'InvalidEvent'], [3, 'EventTooLarge'], [4, 'InvalidEvent']]);
  assert.ok(body.rejected.every((r) => typeof r.message === 'string' && r.message.length > 0));

  // 3,000 events in 6 POSTs at once, all on one throttling shard: every
  // accepted event must still arrive.
  const sent = [];
  const answers = await Promise.all(Array.from({ length: 6 }, (_, b) => {
    const events = Array.from({ length: 500 }, (_, i) => ({ sessionId: `session-${(b * 500 + i) % 37}`, eventId: `bulk-${b * 500 + i}`, page: '/cart' }));
    sent.push(...events);
    return send({ events }).then((r) => r.json());
  }));
  for (const a of answers) {
    assert.equal(a.accepted.length, 500);
    assert.deepEqual(a.rejected, []);
  }
  const want = new Map([...sent, mixed[0], mixed[5]].map((e) => [e.eventId, e]));
  let got = [];
  for (let i = 0; i < 300; i++) {
    got = await eventsInStream();
    if (new Set(got.map((g) => g.event.eventId)).size >= want.size) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const ids = new Set(got.map((g) => g.event.eventId));
  const missing = [...want.keys()].filter((id) => !ids.has(id));
  assert.deepEqual(missing, [], `accepted events missing from the stream (gateway log: ${gateway.log().slice(-2000)})`);
  const duplicates = got.length - ids.size;
  console.log(`gateway: ${want.size} accepted events read back, ${duplicates} duplicates (at-least-once), from ${(await readStream()).length} Kinesis records`);
  for (const { key, event } of got) {
    const original = want.get(event.eventId);
    assert.ok(original, `an event nobody sent: ${event.eventId}`);
    assert.equal(key, original.sessionId, 'partitioned by session id');
    for (const [k, v] of Object.entries(original)) assert.deepEqual(event[k], v);
    assert.ok(!Number.isNaN(Date.parse(event.receivedAt)), 'enriched with receivedAt');
    assert.ok('country' in event && 'colo' in event, 'enriched with country and colo (null outside Cloudflare)');
  }
  const stats = await fetch(`${engine.url}/_engine/streams/${STREAM}/stats`).then((r) => r.json());
  const throttled = stats.shards.reduce((n, s) => n + s.writeThrottles + s.injectedFailures, 0);
  console.log(`gateway: the stream throttled ${throttled} records; all retried by the producer`);
  assert.ok(throttled > 0, JSON.stringify(stats));
});

test('a gateway deployed without its stream or keys, or with a key it cannot sign with, answers 500 GatewayMisconfigured, readable by the page (CORS)', async () => {
  // The second once accepted the events (200) and lost them all when their
  // time to live ran out, unsent.
  for (const misconfigured of misconfiguredUrls) {
    const res = await fetch(`${misconfigured}/events`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify({ events: [{ sessionId: 's' }] }) });
    assert.equal(res.status, 500, misconfigured);
    assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
    assert.equal((await res.json()).error, 'GatewayMisconfigured');
  }
  // The deployment's logs say what is wrong.
  for (let i = 0; !/misconfigured: credentials\.accessKeyId must not contain/.test(gateway.log()); i++) {
    assert.ok(i < 100, gateway.log());
    await new Promise((r) => setTimeout(r, 20));
  }
});

for (const entry of ['producer', 'gateway-client']) test(`a producer in gateway mode (kinesis-edge/${entry}): buffered, batched and retried to the gateway, no AWS credentials; refusals reported per event`, async () => {
  const { Producer } = await import(`../../pkg/${entry}/node.js`);
  // A page sends its Origin; Node's fetch is told to.
  const pageFetch = (u, init) => fetch(u, { ...init, headers: [...init.headers, ['origin', ORIGIN]] });
  const producer = new Producer({ gateway: true, endpoint: `${url}/events`, fetch: pageFetch, lingerMs: 20 });
  const events = Array.from({ length: 1000 }, (_, i) => ({ sessionId: `s-${i % 17}`, eventId: `${entry}-${i}`, type: 'view' }));
  const results = await Promise.all(events.map((e) => producer.put(JSON.stringify(e))));
  assert.ok(results.every((r) => r.attempts >= 1 && r.shardId === undefined));
  await assert.rejects(producer.put(JSON.stringify({ eventId: 'no-session' })), { code: 'InvalidEvent', message: /sessionId/ });
  await assert.rejects(producer.put('not json'), { code: 'InvalidEvent' });
  await producer.close();
  const stats = producer.stats();
  assert.equal(stats.recordsAcknowledged, 1000);
  let got = [];
  for (let i = 0; i < 300; i++) {
    got = (await eventsInStream()).filter((g) => g.event.eventId.startsWith(`${entry}-`));
    if (new Set(got.map((g) => g.event.eventId)).size >= 1000) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const ids = new Set(got.map((g) => g.event.eventId));
  assert.equal(ids.size, 1000, `${ids.size} of 1000 arrived`);
  console.log(`gateway mode (kinesis-edge/${entry}): 1000 events from a producer through the gateway, ${stats.requests} requests, ${got.length - ids.size} duplicates`);
});

test('a producer in gateway mode against a gateway that takes smaller requests (MAX_BODY_BYTES 64 KiB): its 413 halves the requests, nothing is lost', async () => {
  const { Producer } = await import('../../pkg/producer/node.js');
  const pageFetch = (u, init) => fetch(u, { ...init, headers: [...init.headers, ['origin', ORIGIN]] });
  const events = [];
  const producer = new Producer({ gateway: true, endpoint: `${url}/events`, fetch: pageFetch, lingerMs: 20, onEvent: (e) => events.push(e) });
  // 500 events of ~330 bytes: a 165 KB request, over the gateway's 64 KiB.
  const sent = Array.from({ length: 500 }, (_, i) => ({ sessionId: `s-${i % 5}`, eventId: `big-${i}`, pad: 'x'.repeat(300) }));
  const results = await Promise.all(sent.map((e) => producer.put(JSON.stringify(e))));
  assert.equal(results.length, 500);
  await producer.close();
  assert.ok(events.some((e) => e.type === 'retried' && e.code === 'BodyTooLarge'), JSON.stringify(events.slice(0, 5)));
  let got = [];
  for (let i = 0; i < 300; i++) {
    got = (await eventsInStream()).filter((g) => g.event.eventId.startsWith('big-'));
    if (new Set(got.map((g) => g.event.eventId)).size >= 500) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(new Set(got.map((g) => g.event.eventId)).size, 500);
  console.log(`gateway mode, 64 KiB gateway: 500 events in ${producer.stats().requests} requests after ${events.filter((e) => e.type === 'retried').length} 413s`);
});
