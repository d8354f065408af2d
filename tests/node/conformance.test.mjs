// Conformance: the same operations against kinesis-edge's HTTP server and
// against kinesalite (from npm, on 127.0.0.1), asserting identical
// observable results — status, error code and message, shard ids and hash
// key ranges, where each record lands, what reads return — wherever
// kinesalite agrees with AWS. Where it does not, the difference is listed
// in DIFFERENCES with its AWS source, and both sides are asserted as they
// are, so a change on either side shows up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startEngine, startKinesalite, post, CREDENTIALS } from '../js/servers.mjs';
import { signRequest } from '../../pkg/node.js';

const servers = {};

before(async () => {
  [servers.engine, servers.kinesalite, servers.verifying] = await Promise.all([
    startEngine(['--no-throttling']),
    startKinesalite(),
    startEngine(['--verify-signatures', `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}`]),
  ]);
});

after(async () => {
  for (const s of Object.values(servers)) await s.stop();
});

const CBOR = 'application/x-amz-cbor-1.1';
const cbor = createRequire(new URL('../package.json', import.meta.url))('cbor');

/** A Kinesis request in AWS's CBOR, signed; the answer decoded (tag 1 kept as `{ epochMs }`). */
async function cborCall(url, action, value) {
  const body = cbor.encode(value);
  const headers = { 'Content-Type': CBOR, 'X-Amz-Target': `Kinesis_20131202.${action}` };
  const signed = signRequest({ method: 'POST', url: `${url}/`, headers, body, region: 'us-east-1', service: 'kinesis', credentials: CREDENTIALS });
  const res = await fetch(`${url}/`, { method: 'POST', headers: { ...headers, ...Object.fromEntries(signed.headers) }, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), value: cbor.decodeFirstSync(bytes, { tags: { 1: (v) => ({ epochMs: v }) } }) };
}

const call = (server) => (action, body, options) => post(server.url, `Kinesis_20131202.${action}`, body, options);

const b64 = (text) => Buffer.from(text).toString('base64');
const unb64 = (text) => Buffer.from(text, 'base64').toString();

async function waitActive(k, name) {
  for (let i = 0; i < 200; i++) {
    const r = await k('DescribeStreamSummary', { StreamName: name });
    if (r.json?.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${name} never became ACTIVE`);
}

async function createActive(k, name, shards) {
  const r = await k('CreateStream', { StreamName: name, ShardCount: shards });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  await waitActive(k, name);
}

/** What an error looks like from outside. */
const err = (r) => ({ status: r.status, type: r.type, message: r.message });

async function readAll(k, stream, shardId, type = 'TRIM_HORIZON', extra = {}) {
  const it = await k('GetShardIterator', { StreamName: stream, ShardId: shardId, ShardIteratorType: type, ...extra });
  assert.equal(it.status, 200, JSON.stringify(it.json));
  const page = await k('GetRecords', { ShardIterator: it.json.ShardIterator });
  assert.equal(page.status, 200, JSON.stringify(page.json));
  return page.json;
}

const isSeq = (s) => typeof s === 'string' && /^(0|[1-9]\d{0,128})$/.test(s);

/** Operations run against both servers; their results must be equal. */
const CASES = {
  async 'create, describe and list shards'(k) {
    await createActive(k, 'conf-create', 3);
    const d = (await k('DescribeStreamSummary', { StreamName: 'conf-create' })).json.StreamDescriptionSummary;
    const shards = (await k('ListShards', { StreamName: 'conf-create' })).json.Shards;
    const full = (await k('DescribeStream', { StreamName: 'conf-create' })).json.StreamDescription;
    return {
      summary: {
        name: d.StreamName,
        arn: d.StreamARN,
        status: d.StreamStatus,
        retention: d.RetentionPeriodHours,
        open: d.OpenShardCount,
        encryption: d.EncryptionType,
        consumers: d.ConsumerCount,
        monitoring: d.EnhancedMonitoring,
        created: Math.abs(d.StreamCreationTimestamp - Date.now() / 1000) < 60,
      },
      shards: shards.map((s) => ({ id: s.ShardId, range: s.HashKeyRange, parent: s.ParentShardId, start: isSeq(s.SequenceNumberRange.StartingSequenceNumber), end: s.SequenceNumberRange.EndingSequenceNumber })),
      describe: { shards: full.Shards.map((s) => s.ShardId), more: full.HasMoreShards, status: full.StreamStatus, retention: full.RetentionPeriodHours },
    };
  },

  async 'records land on the shard AWS would pick'(k) {
    await createActive(k, 'conf-route', 4);
    const Records = Array.from({ length: 200 }, (_, i) => ({ PartitionKey: `user-${i}`, Data: b64(`event ${i}`) }));
    Records.push({ PartitionKey: 'x', ExplicitHashKey: '0', Data: b64('low') });
    Records.push({ PartitionKey: 'x', ExplicitHashKey: '340282366920938463463374607431768211455', Data: b64('high') });
    Records.push({ PartitionKey: 'é☃𝄞', Data: b64('unicode key') });
    const r = await k('PutRecords', { StreamName: 'conf-route', Records });
    const one = await k('PutRecord', { StreamName: 'conf-route', PartitionKey: 'single', Data: b64('one') });
    const byShard = {};
    r.json.Records.forEach((rec, i) => (byShard[rec.ShardId] ??= []).push([i, rec.SequenceNumber]));
    return {
      status: r.status,
      failed: r.json.FailedRecordCount,
      shards: r.json.Records.map((x) => x.ShardId),
      sequenceNumbers: r.json.Records.every((x) => isSeq(x.SequenceNumber)),
      increasing: Object.values(byShard).every((list) => list.every(([, seq], j) => j === 0 || BigInt(seq) > BigInt(list[j - 1][1]))),
      putRecord: { status: one.status, shard: one.json.ShardId, seq: isSeq(one.json.SequenceNumber) },
    };
  },

  async 'reads return what was written, in order, with every iterator type'(k) {
    await createActive(k, 'conf-read', 2);
    const Records = Array.from({ length: 60 }, (_, i) => ({ PartitionKey: `p${i % 7}`, Data: b64(`r${i}`) }));
    const put = await k('PutRecords', { StreamName: 'conf-read', Records });
    const shards = (await k('ListShards', { StreamName: 'conf-read' })).json.Shards.map((s) => s.ShardId);
    const out = {};
    for (const shard of shards) {
      const all = await readAll(k, 'conf-read', shard);
      const seqs = all.Records.map((r) => r.SequenceNumber);
      const at = await readAll(k, 'conf-read', shard, 'AT_SEQUENCE_NUMBER', { StartingSequenceNumber: seqs[2] });
      const afterSeq = await readAll(k, 'conf-read', shard, 'AFTER_SEQUENCE_NUMBER', { StartingSequenceNumber: seqs[2] });
      const latest = await readAll(k, 'conf-read', shard, 'LATEST');
      const fromPast = await readAll(k, 'conf-read', shard, 'AT_TIMESTAMP', { Timestamp: Date.now() / 1000 - 3600 });
      const future = await k('GetShardIterator', { StreamName: 'conf-read', ShardId: shard, ShardIteratorType: 'AT_TIMESTAMP', Timestamp: Date.now() / 1000 + 3600 });
      const limited = await (async () => {
        const it = await k('GetShardIterator', { StreamName: 'conf-read', ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' });
        const first = await k('GetRecords', { ShardIterator: it.json.ShardIterator, Limit: 5 });
        const second = await k('GetRecords', { ShardIterator: first.json.NextShardIterator, Limit: 5 });
        return [...first.json.Records, ...second.json.Records].map((r) => unb64(r.Data));
      })();
      const view = (page) => page.Records.map((r) => [r.PartitionKey, unb64(r.Data)]);
      out[shard] = {
        all: view(all),
        sameSequenceNumbersAsPut: seqs.every((s) => put.json.Records.some((p) => p.SequenceNumber === s)),
        arrival: all.Records.every((r) => Math.abs(r.ApproximateArrivalTimestamp - Date.now() / 1000) < 60),
        next: typeof all.NextShardIterator === 'string',
        behind: all.MillisBehindLatest,
        at: view(at).map(([, d]) => d),
        after: view(afterSeq).map(([, d]) => d),
        latest: view(latest),
        fromPast: view(fromPast).length,
        fromFuture: [future.status, future.type, future.message.replace(/\d{13}/g, 'MS')],
        limited,
      };
    }
    return out;
  },

  async 'validation errors carry AWS codes and messages'(k) {
    await createActive(k, 'conf-valid', 1);
    const bad = [
      ['CreateStream', { ShardCount: 1 }],
      ['CreateStream', { StreamName: 'a b', ShardCount: 1 }],
      ['CreateStream', { StreamName: 'x', ShardCount: 0 }],
      ['CreateStream', { StreamName: 'conf-valid', ShardCount: 1 }],
      ['CreateStream', { StreamName: 'x'.repeat(129), ShardCount: 1 }],
      ['PutRecords', { StreamName: 'conf-valid', Records: [] }],
      ['PutRecords', { StreamName: 'conf-valid', Records: Array.from({ length: 501 }, () => ({ PartitionKey: 'a', Data: 'AA==' })) }],
      ['PutRecords', { StreamName: 'conf-valid', Records: [{ Data: 'AA==' }] }],
      ['PutRecords', { StreamName: 'conf-valid', Records: [{ PartitionKey: 'a' }] }],
      ['PutRecords', { StreamName: 'conf-valid', Records: [{ PartitionKey: '', Data: 'AA==' }] }],
      ['PutRecords', { StreamName: 'conf-valid', Records: [{ PartitionKey: 'k'.repeat(257), Data: 'AA==' }] }],
      ['PutRecords', { StreamName: 'conf-valid', Records: [{ PartitionKey: 'a', Data: 'AA==', ExplicitHashKey: 'abc' }] }],
      ['PutRecords', { StreamName: 'conf-valid', Records: [{ PartitionKey: 'a', Data: 'AA==', ExplicitHashKey: '340282366920938463463374607431768211456' }] }],
      ['PutRecords', { StreamName: 'nope', Records: [{ PartitionKey: 'a', Data: 'AA==' }] }],
      ['PutRecord', { StreamName: 'conf-valid', PartitionKey: 'a' }],
      ['PutRecord', { StreamName: 'nope', PartitionKey: 'a', Data: 'AA==' }],
      ['PutRecord', { StreamName: 'conf-valid', PartitionKey: 'a', Data: 'AA==', SequenceNumberForOrdering: 'abc' }],
      ['GetShardIterator', { StreamName: 'conf-valid', ShardId: 'shardId-000000000000', ShardIteratorType: 'NOPE' }],
      ['GetShardIterator', { StreamName: 'conf-valid', ShardId: 'shardId-000000000000' }],
      ['GetShardIterator', { StreamName: 'nope', ShardId: 'shardId-000000000000', ShardIteratorType: 'LATEST' }],
      ['GetRecords', {}],
      ['GetRecords', { ShardIterator: 'x', Limit: 0 }],
      ['GetRecords', { ShardIterator: 'x', Limit: 10001 }],
      ['DescribeStreamSummary', { StreamName: 'nope' }],
      ['DeleteStream', { StreamName: 'nope' }],
      ['ListShards', { StreamName: 'nope' }],
      ['IncreaseStreamRetentionPeriod', { StreamName: 'conf-valid', RetentionPeriodHours: 23 }],
      ['DecreaseStreamRetentionPeriod', { StreamName: 'conf-valid', RetentionPeriodHours: 48 }],
      ['SplitShard', { StreamName: 'conf-valid', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '0' }],
      ['SplitShard', { StreamName: 'conf-valid', ShardToSplit: 'shardId-000000000009', NewStartingHashKey: '5' }],
      ['MergeShards', { StreamName: 'conf-valid', ShardToMerge: 'shardId-000000000000', AdjacentShardToMerge: 'shardId-000000000009' }],
    ];
    const out = [];
    // AWS prints Java's toString of a non-empty list: object hashes that no
    // emulator can reproduce (kinesalite prints a fixed one); the engine
    // prints no value there. Compared without it.
    const javaList = /Value '\[com\.amazonaws[^']*\]' at/g;
    for (const [action, body] of bad) {
      const e = err(await k(action, body));
      out.push([action, { ...e, message: e.message?.replace(javaList, 'Value at') }]);
    }
    return out;
  },

  async 'malformed requests'(k) {
    const raw = async (target, body) => err(await post(k.url, target, body));
    return {
      notJson: await raw('Kinesis_20131202.PutRecords', '{not json'),
      unknownAction: await raw('Kinesis_20131202.Nope', '{}'),
      unknownService: await raw('Nope_20131202.PutRecords', '{}'),
      wrongType: await raw('Kinesis_20131202.CreateStream', '{"StreamName":5,"ShardCount":1}'),
      notBase64: await raw('Kinesis_20131202.PutRecord', '{"StreamName":"conf-valid","PartitionKey":"a","Data":"!!"}'),
    };
  },

  async 'split and merge keep lineage'(k) {
    await createActive(k, 'conf-reshard', 2);
    await k('PutRecords', { StreamName: 'conf-reshard', Records: Array.from({ length: 20 }, (_, i) => ({ PartitionKey: `k${i}`, Data: b64(`before ${i}`) })) });
    const split = await k('SplitShard', { StreamName: 'conf-reshard', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: String(2n ** 126n) });
    await waitActive(k, 'conf-reshard');
    const merge = await k('MergeShards', { StreamName: 'conf-reshard', ShardToMerge: 'shardId-000000000003', AdjacentShardToMerge: 'shardId-000000000001' });
    await waitActive(k, 'conf-reshard');
    const shards = (await k('ListShards', { StreamName: 'conf-reshard' })).json.Shards;
    const puts = await k('PutRecords', { StreamName: 'conf-reshard', Records: Array.from({ length: 20 }, (_, i) => ({ PartitionKey: `k${i}`, Data: b64(`after ${i}`) })) });
    const parentRead = await readAll(k, 'conf-reshard', 'shardId-000000000000');
    return {
      split: split.status,
      merge: merge.status,
      shards: shards.map((s) => ({ id: s.ShardId, parent: s.ParentShardId, adjacent: s.AdjacentParentShardId, range: s.HashKeyRange, closed: isSeq(s.SequenceNumberRange.EndingSequenceNumber) })),
      after: puts.json.Records.map((r) => r.ShardId),
      parentStillReadable: parentRead.Records.map((r) => unb64(r.Data)),
    };
  },

  async 'tags'(k) {
    await createActive(k, 'conf-tags', 1);
    const add = await k('AddTagsToStream', { StreamName: 'conf-tags', Tags: { b: '2', a: '1', c: '' } });
    const list = await k('ListTagsForStream', { StreamName: 'conf-tags', Limit: 2 });
    const rest = await k('ListTagsForStream', { StreamName: 'conf-tags', ExclusiveStartTagKey: 'b' });
    const remove = await k('RemoveTagsFromStream', { StreamName: 'conf-tags', TagKeys: ['a', 'nope'] });
    const after = await k('ListTagsForStream', { StreamName: 'conf-tags' });
    const invalid = await k('AddTagsToStream', { StreamName: 'conf-tags', Tags: { 'a$': 'x' } });
    const percent = await k('AddTagsToStream', { StreamName: 'conf-tags', Tags: { '50%': 'x' } });
    // Codes only: the messages differ by one character (see DIFFERENCES).
    return { add: add.status, list: list.json, rest: rest.json, remove: remove.status, after: after.json, invalid: invalid.type, percent: percent.type };
  },

  async 'retention'(k) {
    await createActive(k, 'conf-retention', 1);
    const up = await k('IncreaseStreamRetentionPeriod', { StreamName: 'conf-retention', RetentionPeriodHours: 48 });
    const wrongWay = await k('IncreaseStreamRetentionPeriod', { StreamName: 'conf-retention', RetentionPeriodHours: 30 });
    const down = await k('DecreaseStreamRetentionPeriod', { StreamName: 'conf-retention', RetentionPeriodHours: 24 });
    const d = (await k('DescribeStreamSummary', { StreamName: 'conf-retention' })).json.StreamDescriptionSummary;
    return { up: up.status, wrongWay: err(wrongWay), down: down.status, hours: d.RetentionPeriodHours };
  },

  async 'list and delete streams'(k) {
    for (const name of ['conf-list-b', 'conf-list-a', 'conf-list-c']) await createActive(k, name, 1);
    const names = (await k('ListStreams', {})).json.StreamNames.filter((n) => n.startsWith('conf-list-'));
    const page = await k('ListStreams', { Limit: 1, ExclusiveStartStreamName: 'conf-list-a' });
    const del = await k('DeleteStream', { StreamName: 'conf-list-b' });
    let gone;
    for (let i = 0; i < 100; i++) {
      gone = await k('DescribeStreamSummary', { StreamName: 'conf-list-b' });
      if (gone.status !== 200) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return { names, page: { names: page.json.StreamNames, more: page.json.HasMoreStreams }, del: del.status, gone: err(gone) };
  },
};

test('conformance: requests AWS cannot route get the same answers (method, empty body, content type, plain JSON), with x-amz-id-2', async () => {
  const target = { 'X-Amz-Target': 'Kinesis_20131202.ListStreams' };
  const cases = [
    ['GET', {}, undefined],
    ['POST', { ...target, 'Content-Type': 'application/x-amz-json-1.1' }, ''],
    ['POST', { 'X-Amz-Target': 'Kinesis_20131202.Nope', 'Content-Type': 'application/x-amz-json-1.1' }, ''],
    ['POST', { ...target, 'Content-Type': 'text/plain' }, ''],
    ['POST', { ...target, 'Content-Type': 'text/plain' }, '{}'],
    ['POST', { 'Content-Type': 'text/plain' }, '{}'],
    ['POST', target, '{}'],
    ['POST', { ...target, 'Content-Type': 'application/x-amz-json-1.0' }, '{}'],
    ['POST', { ...target, 'Content-Type': 'application/json' }, '{}'],
    ['POST', { ...target, 'Content-Type': 'application/json' }, 'not json'],
    ['POST', { ...target, 'Content-Type': 'application/x-amz-json-1.1' }, 'not json'],
    ['POST', { 'X-Amz-Target': 'Kinesis_20131202', 'Content-Type': 'application/x-amz-json-1.1' }, '{}'],
  ];
  for (const [method, headers, body] of cases) {
    const answers = [];
    for (const server of ['engine', 'kinesalite']) {
      // Signed (kinesalite checks for a signature after routing): both answer before that.
      const res = await fetch(`${servers[server].url}/`, { method, headers: { Authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20261128/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0', 'X-Amz-Date': '20261128T000000Z', ...headers }, body });
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.match(res.headers.get('x-amz-id-2') ?? '', /^[A-Za-z0-9+/]{96}$/, `${server} sends x-amz-id-2`);
      answers.push({ status: res.status, type: res.headers.get('content-type'), body: res.headers.get('content-type') === CBOR ? cbor.decodeFirstSync(bytes) : bytes.toString() });
    }
    assert.deepEqual(answers[0], answers[1], `${method} ${JSON.stringify(headers)} ${JSON.stringify(body)}`);
  }
});

test('conformance: CORS as AWS answers it — a preflight, and the headers an answer exposes to a page', async () => {
  const pick = (res, names) => Object.fromEntries(names.map((n) => [n, res.headers.get(n)]));
  const answers = [];
  for (const server of ['engine', 'kinesalite']) {
    const preflight = await fetch(`${servers[server].url}/`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-amz-date,x-amz-target' },
    });
    const post = await fetch(`${servers[server].url}/`, { method: 'POST', headers: { Origin: 'https://shop.example', 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Kinesis_20131202.ListStreams' }, body: '{}' });
    await post.arrayBuffer();
    answers.push({
      preflight: { status: preflight.status, body: await preflight.text(), id2: preflight.headers.has('x-amz-id-2'), ...pick(preflight, ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age', 'access-control-expose-headers']) },
      post: pick(post, ['access-control-allow-origin', 'access-control-expose-headers', 'access-control-allow-methods']),
    });
  }
  assert.deepEqual(answers[0], answers[1]);
});

// CREATING, UPDATING and DELETING, with the same delay on both sides (a
// pair of servers of their own): what each phase lets through and refuses,
// and that a reshard takes effect only when the update ends.
test('conformance: a stream CREATING, UPDATING for a split and a merge, then DELETING, with the same delays', async () => {
  const DELAY_MS = 1000;
  const pair = await Promise.all([
    startEngine(['--no-throttling', '--create-delay-ms', `${DELAY_MS}`, '--update-delay-ms', `${DELAY_MS}`, '--delete-delay-ms', `${DELAY_MS}`]),
    startKinesalite({ delayMs: DELAY_MS }),
  ]);
  try {
    const run = async (k) => {
      const S = 'conf-phases';
      const seen = [];
      const note = (label, r) => seen.push([label, err(r)]);
      const describe = async () => (await k('DescribeStream', { StreamName: S })).json.StreamDescription;
      const put = () => k('PutRecord', { StreamName: S, PartitionKey: 'a', Data: 'AA==' });
      const split = { StreamName: S, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: String(2n ** 127n) };
      const started = Date.now();
      note('create', await k('CreateStream', { StreamName: S, ShardCount: 1 }));
      seen.push(['creating', (await describe()).StreamStatus]);
      note('put while creating', await put());
      note('split while creating', await k('SplitShard', split));
      await waitActive(k, S);
      note('split', await k('SplitShard', split));
      let d = await describe();
      seen.push(['updating', d.StreamStatus, d.Shards.map((x) => x.ShardId)]);
      note('split while updating', await k('SplitShard', split));
      seen.push(['put while updating', (await put()).json.ShardId]);
      // Where the two differ (asserted below, not in `seen`).
      const retentionWhileUpdating = err(await k('IncreaseStreamRetentionPeriod', { StreamName: S, RetentionPeriodHours: 48 }));
      await waitActive(k, S);
      d = await describe();
      seen.push(['split', d.Shards.map((x) => [x.ShardId, x.ParentShardId ?? null, x.HashKeyRange.StartingHashKey, x.HashKeyRange.EndingHashKey, 'EndingSequenceNumber' in x.SequenceNumberRange])]);
      note('merge', await k('MergeShards', { StreamName: S, ShardToMerge: 'shardId-000000000001', AdjacentShardToMerge: 'shardId-000000000002' }));
      d = await describe();
      seen.push(['merging', d.StreamStatus, d.Shards.length]);
      seen.push(['put while merging', (await put()).json.ShardId]);
      await waitActive(k, S);
      d = await describe();
      seen.push(['merged', d.Shards.map((x) => [x.ShardId, x.ParentShardId ?? null, x.AdjacentParentShardId ?? null])]);
      note('delete', await k('DeleteStream', { StreamName: S }));
      seen.push(['deleting', (await describe()).StreamStatus, (await k('ListStreams', {})).json.StreamNames]);
      note('put while deleting', await put());
      note('create while deleting', await k('CreateStream', { StreamName: S, ShardCount: 1 }));
      let gone;
      for (let i = 0; i < 300 && !gone; i++) {
        const r = await k('DescribeStream', { StreamName: S });
        if (r.status !== 200) gone = r;
        else await new Promise((resolve) => setTimeout(resolve, 10));
      }
      note('gone', gone);
      note('create again', await k('CreateStream', { StreamName: S, ShardCount: 1 }));
      return { seen, elapsed: Date.now() - started, retentionWhileUpdating };
    };
    const [engine, kinesalite] = await Promise.all(pair.map((server) => run(call(server))));
    assert.deepEqual(engine.seen, kinesalite.seen);
    // A retention change needs an ACTIVE stream (Kinesis API reference,
    // IncreaseStreamRetentionPeriod: ResourceInUseException, "the resource
    // must be in the ACTIVE state"; kinesis-mock checks it too); kinesalite
    // 3.3.3 does not check the status.
    assert.deepEqual(engine.retentionWhileUpdating, { status: 400, type: 'ResourceInUseException', message: 'Stream conf-phases under account 000000000000 not ACTIVE, instead in state UPDATING' });
    assert.equal(kinesalite.retentionWhileUpdating.status, 200);
    assert.deepEqual(engine.seen.find(([label]) => label === 'updating'), ['updating', 'UPDATING', ['shardId-000000000000']]);
    assert.deepEqual(engine.seen.find(([label]) => label === 'put while deleting')[1].type, 'ResourceNotFoundException');
    // Four phases of a second each were waited out.
    assert.ok(engine.elapsed >= 4 * DELAY_MS, `${engine.elapsed} ms`);
  } finally {
    await Promise.all(pair.map((server) => server.stop()));
  }
});

for (const [name, run] of Object.entries(CASES)) {
  test(`conformance: ${name}`, async () => {
    const results = {};
    for (const server of ['engine', 'kinesalite']) {
      const k = call(servers[server]);
      k.url = servers[server].url;
      results[server] = await run(k);
    }
    if (process.env.CONFORMANCE_DUMP) {
      const fs = await import('node:fs');
      const clip = (_, v) => (typeof v === 'string' && v.length > 300 ? `${v.slice(0, 300)}…` : v);
      fs.writeFileSync(`${process.env.CONFORMANCE_DUMP}/${name.replace(/\W+/g, '_')}.json`, JSON.stringify(results, clip, 1));
    }
    assert.deepEqual(results.engine, results.kinesalite);
  });
}

/**
 * Known differences: kinesalite is not AWS here. Each names the AWS source
 * and asserts both sides, so the list stays true.
 */
const DIFFERENCES = {
  'throttling: kinesalite never throttles; AWS fails records beyond 1,000 records/s per shard': {
    source: 'Kinesis API reference, PutRecords: "Each shard can support writes up to 1,000 records per second"; ProvisionedThroughputExceededException per record',
    // The engine with its limits on (the other one runs with --no-throttling).
    engineServer: 'verifying',
    async run(k, tag) {
      await createActive(k, `diff-throttle-${tag}`, 1);
      let failed = 0;
      for (let i = 0; i < 3; i++) {
        const r = await k('PutRecords', { StreamName: `diff-throttle-${tag}`, Records: Array.from({ length: 500 }, (_, j) => ({ PartitionKey: `k${j}`, Data: 'AA==' })) });
        failed += r.json.FailedRecordCount;
        if (r.json.FailedRecordCount) assert.equal(r.json.Records.find((x) => x.ErrorCode).ErrorCode, 'ProvisionedThroughputExceededException');
      }
      return failed;
    },
    engine: (failed) => assert.ok(failed >= 400, `engine throttled ${failed} of 1,500`),
    kinesalite: (failed) => assert.equal(failed, 0),
  },
  'record size: AWS counts the partition key in the 1 MiB record limit; kinesalite counts data only': {
    source: 'Kinesis API reference, PutRecords: "Each record ... can be as large as 1 MiB ... including partition keys"',
    async run(k, tag) {
      await createActive(k, `diff-size-${tag}`, 1);
      const data = Buffer.alloc(1024 * 1024 - 2).toString('base64');
      const r = await k('PutRecords', { StreamName: `diff-size-${tag}`, Records: [{ PartitionKey: 'abcdefgh', Data: data }] });
      return err(r);
    },
    engine: (r) => assert.deepEqual([r.status, r.type], [400, 'InvalidArgumentException']),
    kinesalite: (r) => assert.equal(r.status, 200),
  },
  'request size: AWS refuses PutRecords over 5 MiB (data and keys); kinesalite counts differently': {
    source: 'Kinesis API reference, PutRecords: "up to a limit of 5 MiB for the entire request, including partition keys"; message from REFERENCE.md',
    async run(k, tag) {
      await createActive(k, `diff-total-${tag}`, 1);
      // 5 records of 1 MiB − 10 bytes of data and a 10-character key: each
      // record is exactly 1 MiB, the request 5 MiB; one more byte of key is over.
      const data = Buffer.alloc(1024 * 1024 - 10).toString('base64');
      const Records = Array.from({ length: 5 }, (_, i) => ({ PartitionKey: `key-${i}`.padEnd(10, 'x'), Data: data }));
      const ok = await k('PutRecords', { StreamName: `diff-total-${tag}`, Records });
      Records.push({ PartitionKey: 'k', Data: 'AA==' });
      const over = await k('PutRecords', { StreamName: `diff-total-${tag}`, Records });
      return { ok: ok.status, over: err(over) };
    },
    engine: (r) => assert.deepEqual(r, { ok: 200, over: { status: 400, type: 'InvalidArgumentException', message: 'Records size exceeds 5 MB limit' } }),
    kinesalite: (r) => assert.equal(r.ok, 200),
  },
  'end of a closed shard: AWS returns ChildShards and no NextShardIterator; kinesalite 3.3 keeps returning iterators': {
    source: 'Kinesis API reference, GetRecords: ChildShards; NextShardIterator "If set to null, the shard has been closed"',
    async run(k, tag) {
      await createActive(k, `diff-end-${tag}`, 1);
      await k('PutRecord', { StreamName: `diff-end-${tag}`, PartitionKey: 'a', Data: 'AA==' });
      await k('SplitShard', { StreamName: `diff-end-${tag}`, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: String(2n ** 127n) });
      await waitActive(k, `diff-end-${tag}`);
      const page = await readAll(k, `diff-end-${tag}`, 'shardId-000000000000');
      return { records: page.Records.length, next: page.NextShardIterator !== undefined, children: page.ChildShards?.map((c) => c.ShardId) };
    },
    engine: (r) => assert.deepEqual(r, { records: 1, next: false, children: ['shardId-000000000001', 'shardId-000000000002'] }),
    kinesalite: (r) => assert.equal(r.records, 1),
  },
  'UpdateShardCount: AWS scales uniformly through splits and merges; kinesalite 3.3.3 from npm does not know the action': {
    source: 'Kinesis API reference, UpdateShardCount',
    async run(k, tag) {
      await createActive(k, `diff-scale-${tag}`, 2);
      const r = await k('UpdateShardCount', { StreamName: `diff-scale-${tag}`, TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' });
      return { status: r.status, type: r.type, json: r.json };
    },
    engine: (r) => assert.deepEqual([r.status, r.json.CurrentShardCount, r.json.TargetShardCount], [200, 2, 4]),
    kinesalite: (r) => assert.deepEqual([r.status, r.type], [400, 'UnknownOperationException']),
  },
  'SplitShard of a closed shard: AWS refuses it; kinesalite 3.3.3 splits it again': {
    source: 'Kinesis API reference, SplitShard: ResourceInUseException; message as kinesalite gives it for MergeShards',
    async run(k, tag) {
      await createActive(k, `diff-resplit-${tag}`, 1);
      await k('SplitShard', { StreamName: `diff-resplit-${tag}`, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '5' });
      await waitActive(k, `diff-resplit-${tag}`);
      return err(await k('SplitShard', { StreamName: `diff-resplit-${tag}`, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '7' }));
    },
    engine: (r) => assert.deepEqual(r, { status: 400, type: 'ResourceInUseException', message: 'Shard shardId-000000000000 in stream diff-resplit-engine under account 000000000000 has already been merged or split, and thus is not eligible for merging or splitting.' }),
    kinesalite: (r) => assert.equal(r.status, 200),
  },
  'CreateStream without ShardCount: AWS creates an on-demand stream (4 shards); kinesalite requires ShardCount': {
    source: 'Kinesis API reference, CreateStream: ShardCount "Required: No"; StreamModeDetails ON_DEMAND',
    async run(k, tag) {
      return err(await k('CreateStream', { StreamName: `diff-ondemand-${tag}` }));
    },
    engine: (r) => assert.equal(r.status, 200),
    kinesalite: (r) => assert.deepEqual([r.status, r.type], [400, 'ValidationException']),
  },
  'retention: AWS allows up to 8,760 hours; kinesalite 3.3.3 stops at 168 (the limit before 2020)': {
    source: 'Kinesis API reference, IncreaseStreamRetentionPeriod: "up to 8760 hours (365 days)"',
    async run(k, tag) {
      await createActive(k, `diff-retention-${tag}`, 1);
      return {
        year: err(await k('IncreaseStreamRetentionPeriod', { StreamName: `diff-retention-${tag}`, RetentionPeriodHours: 8760 })),
        over: err(await k('IncreaseStreamRetentionPeriod', { StreamName: `diff-retention-${tag}`, RetentionPeriodHours: 8761 })),
      };
    },
    engine: (r) => assert.deepEqual([r.year.status, r.over.message], [200, "1 validation error detected: Value '8761' at 'retentionPeriodHours' failed to satisfy constraint: Member must have value less than or equal to 8760"]),
    kinesalite: (r) => assert.equal(r.year.status, 400),
  },
  "tag messages: ':' is an allowed character; kinesalite 3.3.3's messages predate it": {
    source: "kinesalite's current source (actions/addTagsToStream.js) lists ':' in both messages, as AWS's do; the npm release does not",
    async run(k, tag) {
      await createActive(k, `diff-tagmsg-${tag}`, 1);
      return err(await k('AddTagsToStream', { StreamName: `diff-tagmsg-${tag}`, Tags: { 'a$': 'x' } })).message;
    },
    engine: (m) => assert.equal(m, 'Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @ :.'),
    kinesalite: (m) => assert.equal(m, 'Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.'),
  },
  "number patterns: AWS matches the whole value; kinesalite 3.3.3 tests '^' + pattern + '$', which anchors only the ends of 0|([1-9]\\d{0,n}), so '01' passes": {
    source: 'Kinesis API reference, PutRecord: ExplicitHashKey "Pattern: 0|([1-9]\\d{0,38})", SequenceNumberForOrdering "Pattern: 0|([1-9]\\d{0,128})"; kinesalite validations/index.js, validateFns.regex',
    async run(k, tag) {
      await createActive(k, `diff-pattern-${tag}`, 1);
      const put = (extra) => k('PutRecord', { StreamName: `diff-pattern-${tag}`, PartitionKey: 'a', Data: 'AA==', ...extra });
      return { hashKey: err(await put({ ExplicitHashKey: '01' })), ordering: err(await put({ SequenceNumberForOrdering: '01' })) };
    },
    engine: (r) =>
      assert.deepEqual(r, {
        hashKey: { status: 400, type: 'ValidationException', message: "1 validation error detected: Value '01' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})" },
        ordering: { status: 400, type: 'ValidationException', message: "1 validation error detected: Value '01' at 'sequenceNumberForOrdering' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})" },
      }),
    kinesalite: (r) => assert.deepEqual([r.hashKey.status, r.ordering.status], [200, 200]),
  },
  "CBOR (the AWS SDK for Java's default): AWS answers blobs as byte strings and timestamps as tag 1 over epoch ms; kinesalite 3.3.3 answers seconds, and a record put in CBOR comes back as a map": {
    source: "aws-sdk-java-v2: SdkCborGenerator writes timestamps as tag 1 over instant.toEpochMilli(); AwsCborProtocolFactory reads payload timestamps as UNIX_TIMESTAMP_MILLIS; blobs are CBOR byte strings",
    async run(k, tag) {
      await createActive(k, `diff-cbor-${tag}`, 1);
      const put = await cborCall(k.url, 'PutRecord', { StreamName: `diff-cbor-${tag}`, PartitionKey: 'a', Data: Buffer.from([0, 1, 0xff]) });
      const it = await cborCall(k.url, 'GetShardIterator', { StreamName: `diff-cbor-${tag}`, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' });
      const got = await cborCall(k.url, 'GetRecords', { ShardIterator: it.value.ShardIterator });
      const missing = await cborCall(k.url, 'DescribeStreamSummary', { StreamName: `diff-cbor-${tag}-nope` });
      const [r] = got.value.Records;
      return { put: [put.status, put.type, typeof put.value.SequenceNumber], missing: [missing.status, missing.type, missing.value.__type], data: r.Data, at: r.ApproximateArrivalTimestamp };
    },
    engine: (r) => {
      assert.deepEqual([r.put, r.missing], [[200, CBOR, 'string'], [400, CBOR, 'ResourceNotFoundException']]);
      assert.deepEqual(r.data, Buffer.from([0, 1, 0xff]));
      assert.ok(Number.isInteger(r.at.epochMs) && Math.abs(r.at.epochMs - Date.now()) < 60_000, JSON.stringify(r.at));
    },
    kinesalite: (r) => {
      assert.deepEqual([r.put, r.missing], [[200, CBOR, 'string'], [400, CBOR, 'ResourceNotFoundException']]);
      // The byte string put comes back as the map JSON makes of a Node Buffer.
      assert.deepEqual(r.data, { type: 'Buffer', data: [0, 1, 0xff] });
      assert.ok(typeof r.at === 'number' && Math.abs(r.at * 1000 - Date.now()) < 60_000, JSON.stringify(r.at));
    },
  },
  'ListShards ShardFilter (the KCL sends it): AWS filters; kinesalite 3.3.3 ignores it and lists every shard': {
    source: 'Kinesis API reference, ShardFilter: "AT_LATEST - the response includes only the currently open shards of the data stream"',
    async run(k, tag) {
      await createActive(k, `diff-filter-${tag}`, 1);
      await k('SplitShard', { StreamName: `diff-filter-${tag}`, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: String(2n ** 127n) });
      await waitActive(k, `diff-filter-${tag}`);
      const list = async (ShardFilter) => (await k('ListShards', { StreamName: `diff-filter-${tag}`, ShardFilter })).json.Shards.map((s) => s.ShardId);
      return { latest: await list({ Type: 'AT_LATEST' }), horizon: await list({ Type: 'AT_TRIM_HORIZON' }) };
    },
    engine: (r) => assert.deepEqual(r, { latest: ['shardId-000000000001', 'shardId-000000000002'], horizon: ['shardId-000000000000'] }),
    kinesalite: (r) => assert.deepEqual([r.latest.length, r.horizon.length], [3, 3]),
  },
  'StreamARN in place of StreamName: AWS takes either or both; kinesalite 3.3.3 (before StreamARN, 2022) requires StreamName': {
    source: 'Kinesis API reference, PutRecord and others: "When invoking this API, you must use either the StreamARN or the StreamName parameter, or both"',
    async run(k, tag) {
      await createActive(k, `diff-arn-${tag}`, 1);
      const arn = `arn:aws:kinesis:us-east-1:000000000000:stream/diff-arn-${tag}`;
      const put = await k('PutRecord', { StreamARN: arn, PartitionKey: 'a', Data: 'AA==' });
      const summary = await k('DescribeStreamSummary', { StreamARN: arn });
      return { put: err(put), summary: summary.json?.StreamDescriptionSummary?.StreamName ?? err(summary) };
    },
    engine: (r) => assert.deepEqual([r.put.status, r.summary], [200, 'diff-arn-engine']),
    kinesalite: (r) => assert.deepEqual([r.put.status, r.put.type, r.summary.type], [400, 'ValidationException', 'ValidationException']),
  },
  'enhanced fan-out: AWS registers stream consumers (RegisterStreamConsumer, ListStreamConsumers); kinesalite 3.3.3 has no such actions': {
    source: 'Kinesis API reference, RegisterStreamConsumer: "You can register up to 20 consumers per stream"; ConsumerARN pattern …stream/NAME/consumer/NAME:[0-9]+',
    async run(k, tag) {
      await createActive(k, `diff-efo-${tag}`, 1);
      const StreamARN = `arn:aws:kinesis:us-east-1:000000000000:stream/diff-efo-${tag}`;
      const registered = await k('RegisterStreamConsumer', { StreamARN, ConsumerName: 'app' });
      const listed = await k('ListStreamConsumers', { StreamARN });
      return { registered: registered.json?.Consumer ?? err(registered), listed: listed.json?.Consumers ?? err(listed) };
    },
    engine: (r) => {
      assert.match(r.registered.ConsumerARN, /^arn:aws:kinesis:us-east-1:000000000000:stream\/diff-efo-engine\/consumer\/app:\d+$/);
      assert.deepEqual(r.listed.map((c) => [c.ConsumerName, c.ConsumerARN]), [['app', r.registered.ConsumerARN]]);
    },
    kinesalite: (r) => assert.deepEqual([r.registered.status, r.registered.type, r.listed.type], [400, 'UnknownOperationException', 'UnknownOperationException']),
  },
  'ListStreams: AWS answers StreamSummaries and a NextToken (the AWS SDKs\' paginators and the CLI follow it); kinesalite 3.3.3 answers names only': {
    source: 'Kinesis API reference, ListStreams: NextToken, StreamSummaries; @aws-sdk/client-kinesis paginateListStreams and botocore\'s paginator (input and output token NextToken)',
    async run(k, tag) {
      await createActive(k, `diff-list-${tag}-a`, 1);
      await createActive(k, `diff-list-${tag}-b`, 1);
      const r = await k('ListStreams', { ExclusiveStartStreamName: `diff-list-${tag}`, Limit: 1 });
      return { names: r.json.StreamNames, more: r.json.HasMoreStreams, token: typeof r.json.NextToken, summary: r.json.StreamSummaries?.[0] };
    },
    engine: (r) => {
      assert.deepEqual([r.names, r.more, r.token], [['diff-list-engine-a'], true, 'string']);
      assert.deepEqual({ ...r.summary, StreamCreationTimestamp: typeof r.summary.StreamCreationTimestamp }, { StreamName: 'diff-list-engine-a', StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/diff-list-engine-a', StreamStatus: 'ACTIVE', StreamModeDetails: { StreamMode: 'PROVISIONED' }, StreamCreationTimestamp: 'number' });
    },
    kinesalite: (r) => assert.deepEqual(r, { names: ['diff-list-kinesalite-a'], more: true, token: 'undefined', summary: undefined }),
  },
  'ListTagsForStream Limit: AWS allows 1..50; kinesalite 1..10': {
    source: 'Kinesis API reference, ListTagsForStream: Limit "Minimum value of 1. Maximum value of 50."',
    async run(k, tag) {
      await createActive(k, `diff-tags-${tag}`, 1);
      return err(await k('ListTagsForStream', { StreamName: `diff-tags-${tag}`, Limit: 50 }));
    },
    engine: (r) => assert.equal(r.status, 200),
    kinesalite: (r) => assert.deepEqual([r.status, r.type], [400, 'ValidationException']),
  },
  'authentication: kinesalite requires an Authorization header but never checks it; the engine checks it only with --verify-signatures': {
    source: 'AWS General Reference, Signature Version 4: requests must be signed (kinesis-edge serves unsigned requests by default for offline tools)',
    async run(k) {
      return err(await k('ListStreams', {}, { sign: false }));
    },
    engine: (r) => assert.equal(r.status, 200),
    kinesalite: (r) => assert.deepEqual(r, { status: 400, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' }),
  },
};

for (const [name, d] of Object.entries(DIFFERENCES)) {
  test(`known difference: ${name}`, async () => {
    assert.ok(d.source, 'every difference cites its AWS source');
    for (const server of ['engine', 'kinesalite']) {
      const s = servers[server === 'engine' ? d.engineServer ?? 'engine' : server];
      const k = call(s);
      k.url = s.url;
      d[server](await d.run(k, server));
    }
  });
}

test('signature checks: the verifying engine answers as kinesalite does for missing and incomplete signatures, and rejects wrong ones', async () => {
  const engine = call(servers.verifying);
  const lite = call(servers.kinesalite);
  // Missing or incomplete: the same status, code and message.
  assert.deepEqual(err(await engine('ListStreams', {}, { sign: false })), err(await lite('ListStreams', {}, { sign: false })));
  assert.equal(err(await engine('ListStreams', {}, { sign: false })).type, 'MissingAuthenticationTokenException');
  const partial = { Authorization: 'AWS4-HMAC-SHA256 Credential=AKIDCONFORMANCE/20261126/us-east-1/kinesis/aws4_request' };
  const incomplete = err(await engine('ListStreams', {}, { sign: false, headers: partial }));
  assert.equal(incomplete.type, 'IncompleteSignatureException');
  assert.deepEqual(incomplete, err(await lite('ListStreams', {}, { sign: false, headers: partial })));
  // Signed right: accepted. Wrong secret, wrong key: refused.
  assert.equal((await engine('ListStreams', {})).status, 200);
  const wrong = err(await engine('ListStreams', {}, { credentials: { ...CREDENTIALS, secretAccessKey: 'nope' } }));
  assert.deepEqual([wrong.status, wrong.type], [400, 'InvalidSignatureException']);
  assert.match(wrong.message, /^The request signature we calculated does not match the signature you provided/);
  const unknown = err(await engine('ListStreams', {}, { credentials: { ...CREDENTIALS, accessKeyId: 'AKIDOTHER' } }));
  assert.deepEqual([unknown.type, unknown.message], ['UnrecognizedClientException', 'The security token included in the request is invalid.']);
});
