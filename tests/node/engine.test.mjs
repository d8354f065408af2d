// The shard engine through its JS API and through @aws-sdk/client-kinesis
// (`engine.requestHandler`, no network): the SDK creates a
// stream, puts 10,000 records and reads every one back from every shard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ShardEngine } from '../../pkg/engine-node.js';
import { ShardMap, hashKeyOf } from '../../pkg/node.js';
import { putTenThousandAndReadThroughSplit } from '../js/sdk-scenario.mjs';

const require = createRequire(new URL('../package.json', import.meta.url));
const { KinesisClient, CreateStreamCommand, PutRecordCommand, DescribeStreamCommand, paginateListStreams, TagResourceCommand, ListTagsForResourceCommand, RegisterStreamConsumerCommand } = require('@aws-sdk/client-kinesis');

/** A simulated clock: tests move it instead of waiting. */
function clock(start = Date.UTC(2026, 10, 26, 12)) {
  let now = start;
  return { now: () => now, advance: (ms) => { now += ms; } };
}

const sdk = (engine) => new KinesisClient({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:4567',
  credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' },
  requestHandler: engine.requestHandler,
  maxAttempts: 1,
});

test('@aws-sdk/client-kinesis puts 10,000 records and reads them all back, then through a split', async () => {
  const time = clock();
  const engine = new ShardEngine({ now: time.now });
  await putTenThousandAndReadThroughSplit(sdk(engine), time);
});

test('the engine throttles like Kinesis and says so in AWS\'s words', async () => {
  const time = clock();
  const engine = new ShardEngine({ now: time.now });
  engine.createStream({ streamName: 's', shardCount: 1 });
  const records = Array.from({ length: 500 }, (_, i) => ({ partitionKey: `k${i}`, data: 'x' }));
  const first = engine.putRecords({ streamName: 's', records });
  const second = engine.putRecords({ streamName: 's', records });
  const third = engine.putRecords({ streamName: 's', records });
  assert.equal(first.failedRecordCount + second.failedRecordCount, 0);
  assert.equal(third.failedRecordCount, 500);
  assert.equal(third.records[0].errorCode, 'ProvisionedThroughputExceededException');
  assert.equal(third.records[0].errorMessage, 'Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.');
  time.advance(1000);
  assert.equal(engine.putRecords({ streamName: 's', records: records.slice(0, 10) }).failedRecordCount, 0);
  // PutRecord fails as a whole, through the SDK, with the AWS code.
  for (let i = 0; i < 990; i++) engine.putRecords({ streamName: 's', records: [{ partitionKey: 'k', data: 'y' }] });
  const client = sdk(engine);
  await assert.rejects(client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: new Uint8Array([1]) })), { name: 'ProvisionedThroughputExceededException' });
  await assert.rejects(client.send(new PutRecordCommand({ StreamName: 'nope', PartitionKey: 'k', Data: new Uint8Array([1]) })), { name: 'ResourceNotFoundException', message: 'Stream nope under account 000000000000 not found.' });
});

test('ShardEngine JS API: iterators, shards and errors', () => {
  const time = clock();
  const engine = new ShardEngine({ now: time.now, throttling: false });
  engine.createStream({ streamName: 's', shardCount: 3 });
  const shards = engine.listShards({ streamName: 's' });
  assert.deepEqual(shards.map((s) => s.ShardId), ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002']);
  const out = engine.putRecords({ streamName: 's', records: [{ partitionKey: 'a', data: 'one' }, { partitionKey: 'a', data: 'two' }] });
  const shardId = out.records[0].shardId;
  assert.equal(shardId, ShardMap.uniform(3).shardFor('a'));
  assert.ok(BigInt(hashKeyOf('a')) >= BigInt(shards.find((s) => s.ShardId === shardId).HashKeyRange.StartingHashKey));
  const it = engine.getShardIterator({ streamName: 's', shardId, type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: out.records[0].sequenceNumber });
  const page = engine.getRecords({ shardIterator: it });
  assert.deepEqual(page.records.map((r) => new TextDecoder().decode(r.data)), ['two']);
  time.advance(300_001);
  assert.throws(() => engine.getRecords({ shardIterator: it }), { code: 'ExpiredIteratorException' });
  assert.throws(() => engine.createStream({ streamName: 's', shardCount: 1 }), { code: 'ResourceInUseException' });
  assert.throws(() => new ShardEngine({ writeRecordsPerSecond: 0 }), { code: 'InvalidArgumentException' });
});

test('ShardEngine getRecords (records packed in binary) gives what GetRecords says in JSON, to the byte and the millisecond', () => {
  const time = clock(Date.UTC(2026, 10, 26, 12, 0, 0, 7));
  const engine = new ShardEngine({ now: time.now, throttling: false });
  engine.createStream({ streamName: 's', shardCount: 1 });
  const every = Uint8Array.from({ length: 256 }, (_, i) => i);
  const records = [
    // A leading U+FEFF is part of the key, not a byte order mark (first in
    // the page, where a decoder would take it for one).
    { partitionKey: '\uFEFFbom', data: 'bom' },
    { partitionKey: 'ascii', data: 'one' },
    { partitionKey: 'clé 😀 ключ', data: every },
    { partitionKey: 'k'.repeat(256), data: new Uint8Array(0) },
    { partitionKey: 'big', data: new Uint8Array(70_000).fill(7) },
  ];
  for (const [i, r] of records.entries()) {
    time.advance(i * 333);
    engine.putRecords({ streamName: 's', records: [r] });
  }
  const [shard] = engine.listShards({ streamName: 's' });
  // A closed shard ends with its children: split it, then read it to its end.
  const splitAt = time.now();
  engine.splitShard({ streamName: 's', shardToSplit: shard.ShardId, newStartingHashKey: 2n ** 127n });
  // ShardFilter: the open shards now; the shard open before the split.
  const ids = (shardFilter) => engine.listShards({ streamName: 's', shardFilter }).map((s) => s.ShardId.slice(-1));
  assert.deepEqual([ids(), ids({ type: 'AT_LATEST' }), ids({ type: 'AT_TIMESTAMP', timestamp: new Date(splitAt - 1) })], [['0', '1', '2'], ['1', '2'], ['0']]);
  assert.throws(() => ids({ type: 'AFTER_SHARD_ID' }), { code: 'InvalidArgumentException' });
  const it = engine.getShardIterator({ streamName: 's', shardId: shard.ShardId, type: 'TRIM_HORIZON' });
  const json = engine.call('GetRecords', { ShardIterator: it, Limit: 4 });
  const page = engine.getRecords({ shardIterator: it, limit: 4 });
  const fromJson = (r) => ({
    sequenceNumber: r.SequenceNumber,
    partitionKey: r.PartitionKey,
    data: [...Buffer.from(r.Data, 'base64')],
    at: Math.round(r.ApproximateArrivalTimestamp * 1000),
  });
  const fromPacked = (r) => ({ sequenceNumber: r.sequenceNumber, partitionKey: r.partitionKey, data: [...r.data], at: r.approximateArrivalTimestamp.getTime() });
  assert.deepEqual(page.records.map(fromPacked), json.Records.map(fromJson));
  assert.deepEqual(page.records.map((r) => r.partitionKey), records.slice(0, 4).map((r) => r.partitionKey));
  assert.equal(page.records[0].approximateArrivalTimestamp.getTime(), Date.UTC(2026, 10, 26, 12, 0, 0, 7));
  assert.equal(page.nextShardIterator, json.NextShardIterator);
  assert.equal(page.millisBehindLatest, json.MillisBehindLatest);
  assert.equal(page.childShards, undefined);
  // The rest, to the shard's end: its children come with the last page.
  const rest = engine.getRecords({ shardIterator: page.nextShardIterator });
  const restJson = engine.call('GetRecords', { ShardIterator: page.nextShardIterator });
  assert.deepEqual(rest.records.map(fromPacked), restJson.Records.map(fromJson));
  assert.equal(rest.records[0].data.length, 70_000);
  assert.equal(rest.nextShardIterator, undefined);
  assert.deepEqual(rest.childShards, restJson.ChildShards);
  assert.equal(rest.childShards.length, 2);
  // Errors and injected faults as through JSON.
  assert.throws(() => engine.getRecords({ shardIterator: 'not an iterator' }), { code: 'InvalidArgumentException' });
  assert.throws(() => engine.getRecords({ shardIterator: it, limit: 10_001 }), { code: 'ValidationException' });
  engine.setFaults({ streamName: 's', requestFailureRate: 1 });
  assert.throws(() => engine.getRecords({ shardIterator: it }), { code: 'InternalFailure' });
});

test('ShardEngine JS API: arguments of the wrong JS type get an AWS error code, as the service would answer them', () => {
  const engine = new ShardEngine({ throttling: false });
  engine.createStream({ streamName: 's', shardCount: 1 });
  // Missing arguments: the members are missing, in the service's words.
  assert.throws(() => engine.listShards(), { code: 'InvalidArgumentException', message: 'Either NextToken or StreamName should be provided.' });
  assert.throws(() => engine.createStream(), { code: 'ValidationException', message: /Value null at 'streamName'/ });
  // What JSON cannot carry (a BigInt), or the wrong shape for a member.
  assert.throws(() => engine.createStream({ streamName: 't', shardCount: 1n }), { code: 'SerializationException', message: /BigInt/ });
  assert.throws(() => engine.putRecords({ streamName: 's', records: 'not a list' }), { code: 'SerializationException' });
  assert.throws(() => engine.putRecords({ streamName: 's', records: [null] }), { code: 'InvalidArgumentException', message: /data must be/ });
  assert.throws(() => engine.firehose.putRecordBatch({ deliveryStreamName: 'd', records: 5 }), { code: 'SerializationException' });
  assert.throws(() => engine.getShardIterator({ streamName: 's', shardId: 'shardId-000000000000', type: 'AT_TIMESTAMP', timestamp: 5n }), { code: 'SerializationException' });
  assert.doesNotThrow(() => new ShardEngine(null).createStream({ streamName: 's', shardCount: 1 }), 'null options are none');
  assert.throws(() => new ShardEngine({ throttling: 1n }), { code: 'InvalidArgumentException', message: /throttling must be true or false/ });
  // Data in a transferred buffer reads as empty: refused, not stored empty.
  const buffer = new ArrayBuffer(4);
  const view = new Uint8Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  for (const data of [buffer, view]) {
    assert.throws(() => engine.putRecords({ streamName: 's', records: [{ partitionKey: 'k', data }] }), { code: 'InvalidArgumentException', message: /detached/ });
    assert.throws(() => engine.firehose.putRecord({ deliveryStreamName: 'd', data }), { code: 'InvalidArgumentException', message: /detached/ });
  }
  assert.equal(engine.putRecords({ streamName: 's', records: [{ partitionKey: 'k', data: 'still here' }] }).failedRecordCount, 0);
});

test('ShardEngine JS API: scaling, tags, stats, faults and a CREATING delay', () => {
  const time = clock();
  const engine = new ShardEngine({ now: time.now, throttling: false, createDelayMs: 1000, seed: 3 });
  engine.createStream({ streamName: 's', shardCount: 2, tags: { team: 'web' } });
  assert.equal(engine.describeStreamSummary({ streamName: 's' }).streamStatus, 'CREATING');
  assert.throws(() => engine.putRecord({ streamName: 's', partitionKey: 'a', data: 'x' }), { code: 'ResourceNotFoundException' });
  time.advance(1000);
  assert.equal(engine.describeStreamSummary({ streamName: 's' }).streamStatus, 'ACTIVE');
  const one = engine.putRecord({ streamName: 's', partitionKey: 'a', data: 'x' });
  assert.match(one.sequenceNumber, /^\d{56}$/);
  assert.deepEqual(engine.updateShardCount({ streamName: 's', targetShardCount: 4 }), { currentShardCount: 2, targetShardCount: 4 });
  const open = engine.listShards({ streamName: 's' }).filter((s) => !s.SequenceNumberRange.EndingSequenceNumber);
  assert.deepEqual(open.map((s) => s.HashKeyRange), ShardMap.uniform(4).shards.map((s) => ({ StartingHashKey: String(s.startingHashKey), EndingHashKey: String(s.endingHashKey) })));
  engine.addTagsToStream({ streamName: 's', tags: { env: 'test' } });
  engine.removeTagsFromStream({ streamName: 's', tagKeys: ['team'] });
  assert.deepEqual(engine.listTagsForStream({ streamName: 's' }), { env: 'test' });
  engine.setFaults({ streamName: 's', recordFailureRate: 0.5, recordFault: 'Throttling' });
  const records = Array.from({ length: 400 }, (_, i) => ({ partitionKey: `k${i}`, data: 'y' }));
  const out = engine.putRecords({ streamName: 's', records });
  assert.ok(out.failedRecordCount > 140 && out.failedRecordCount < 260, String(out.failedRecordCount));
  const { shards, totals } = engine.stats({ streamName: 's' });
  assert.equal(totals.injectedFailures, out.failedRecordCount);
  assert.equal(totals.recordsIn, 1 + 400 - out.failedRecordCount);
  assert.equal(shards.length, 6);
  assert.equal(shards.filter((s) => s.open).length, 4);
  assert.throws(() => engine.setFaults({ recordFailureRate: 2 }), { code: 'InvalidArgumentException' });
});

test('ShardEngine JS API: UPDATING and DELETING delays; a reshard shows in stats only once the update ends; consumers keep a stream from being deleted by mistake', () => {
  const time = clock();
  const engine = new ShardEngine({ now: time.now, throttling: false, updateDelayMs: 500, deleteDelayMs: 300 });
  engine.createStream({ streamName: 's', shardCount: 1 });
  engine.splitShard({ streamName: 's', shardToSplit: 'shardId-000000000000', newStartingHashKey: String(2n ** 127n) });
  assert.equal(engine.describeStreamSummary({ streamName: 's' }).streamStatus, 'UPDATING');
  assert.throws(() => engine.updateShardCount({ streamName: 's', targetShardCount: 2 }), { code: 'ResourceInUseException', message: /instead in state UPDATING/ });
  assert.equal(engine.putRecord({ streamName: 's', partitionKey: 'a', data: 'x' }).shardId, 'shardId-000000000000');
  assert.equal(engine.stats({ streamName: 's' }).shards.length, 1);
  time.advance(500);
  // Read-only calls see the update end too.
  assert.deepEqual(engine.stats({ streamName: 's' }).shards.map((s) => s.open), [false, true, true]);
  assert.equal(engine.describeStreamSummary({ streamName: 's' }).streamStatus, 'ACTIVE');
  const { consumerArn } = engine.registerStreamConsumer({ streamArn: engine.describeStreamSummary({ streamName: 's' }).streamArn, consumerName: 'app' });
  assert.match(consumerArn, /consumer\/app:/);
  assert.throws(() => engine.deleteStream({ streamName: 's' }), { code: 'ResourceInUseException', message: /Consumers exist in stream s/ });
  engine.deleteStream({ streamName: 's', enforceConsumerDeletion: true });
  assert.equal(engine.describeStreamSummary({ streamName: 's' }).streamStatus, 'DELETING');
  assert.deepEqual(engine.listStreams(), ['s']);
  assert.throws(() => engine.putRecord({ streamName: 's', partitionKey: 'a', data: 'x' }), { code: 'ResourceNotFoundException' });
  assert.throws(() => engine.createStream({ streamName: 's', shardCount: 1 }), { code: 'ResourceInUseException' });
  time.advance(300);
  assert.deepEqual(engine.listStreams(), []);
  engine.createStream({ streamName: 's', shardCount: 1 });
});

test('controlPlaneLimits: DescribeStream at 10 a second per account, refused as AWS refuses it; the AWS SDK retries it as throttling and gets through', async () => {
  const engine = new ShardEngine({ controlPlaneLimits: true });
  engine.createStream({ streamName: 's', shardCount: 1 });
  const answers = [];
  const handler = engine.requestHandler;
  const counting = { ...handler, async handle(request) { const out = await handler.handle(request); answers.push(out.response.statusCode); return out; } };
  const client = new KinesisClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4567', credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' }, requestHandler: counting, maxAttempts: 10 });
  const described = await Promise.all(Array.from({ length: 25 }, () => client.send(new DescribeStreamCommand({ StreamName: 's' }))));
  assert.ok(described.every((d) => d.StreamDescription.StreamStatus === 'ACTIVE'));
  const refused = answers.filter((s) => s === 400).length;
  assert.ok(refused >= 15, `${refused} of ${answers.length} answers refused`);
  // The eleventh call in one instant, as the SDK sees it without retries.
  const time = clock();
  const frozen = new ShardEngine({ controlPlaneLimits: true, now: time.now });
  frozen.createStream({ streamName: 's', shardCount: 1 });
  for (let i = 0; i < 10; i++) await sdk(frozen).send(new DescribeStreamCommand({ StreamName: 's' }));
  await assert.rejects(sdk(frozen).send(new DescribeStreamCommand({ StreamName: 's' })), { name: 'LimitExceededException', message: 'Rate exceeded for stream s under account 000000000000.' });
  time.advance(100);
  await sdk(frozen).send(new DescribeStreamCommand({ StreamName: 's' }));
  assert.throws(() => new ShardEngine({ controlPlaneLimits: 'yes' }), { code: 'InvalidArgumentException' });
  // Off by default.
  const free = new ShardEngine();
  free.createStream({ streamName: 's', shardCount: 1 });
  for (let i = 0; i < 50; i++) free.describeStreamSummary({ streamName: 's' });
});

test("ListStreams pages by NextToken, with StreamSummaries: the AWS SDK's paginator lists every stream", async () => {
  const engine = new ShardEngine();
  const all = Array.from({ length: 250 }, (_, i) => `s-${String(i).padStart(3, '0')}`);
  for (const streamName of all) engine.createStream({ streamName, shardCount: 1 });
  engine.createStream({ streamName: 'z-on-demand', streamMode: 'ON_DEMAND' });
  const names = [];
  const summaries = [];
  let pages = 0;
  for await (const page of paginateListStreams({ client: sdk(engine), pageSize: 100 }, {})) {
    pages++;
    names.push(...page.StreamNames);
    summaries.push(...page.StreamSummaries);
  }
  assert.equal(pages, 3);
  assert.deepEqual(names, [...all, 'z-on-demand']);
  assert.deepEqual(summaries.map((s) => s.StreamName), names);
  const [first] = summaries;
  assert.equal(first.StreamARN, 'arn:aws:kinesis:us-east-1:000000000000:stream/s-000');
  assert.equal(first.StreamStatus, 'ACTIVE');
  assert.deepEqual(first.StreamModeDetails, { StreamMode: 'PROVISIONED' });
  assert.ok(first.StreamCreationTimestamp instanceof Date);
  assert.deepEqual(summaries.at(-1).StreamModeDetails, { StreamMode: 'ON_DEMAND' });
  // The last page has no token; a token not from the engine is refused.
  const last = engine.call('ListStreams', { ExclusiveStartStreamName: 's-200' });
  assert.deepEqual([last.StreamNames.length, last.HasMoreStreams, last.NextToken], [50, false, undefined]);
  assert.throws(() => engine.call('ListStreams', { NextToken: 'nope' }), { code: 'InvalidArgumentException', message: 'Invalid NextToken.' });
});

test('TagResource, UntagResource and ListTagsForResource: streams and consumers tagged by ARN, through the AWS SDK and the JS API', async () => {
  const engine = new ShardEngine();
  engine.createStream({ streamName: 's', shardCount: 1, tags: { team: 'web' } });
  const client = sdk(engine);
  const streamArn = engine.describeStreamSummary({ streamName: 's' }).streamArn;
  await client.send(new TagResourceCommand({ ResourceARN: streamArn, Tags: { env: 'test' } }));
  const { Tags } = await client.send(new ListTagsForResourceCommand({ ResourceARN: streamArn }));
  assert.deepEqual(Tags, [{ Key: 'env', Value: 'test' }, { Key: 'team', Value: 'web' }]);
  assert.deepEqual(engine.listTagsForStream({ streamName: 's' }), { env: 'test', team: 'web' });
  const { Consumer } = await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'app', Tags: { owner: 'me' } }));
  engine.tagResource({ resourceArn: Consumer.ConsumerARN, tags: { tier: 'gold' } });
  engine.untagResource({ resourceArn: Consumer.ConsumerARN, tagKeys: ['owner'] });
  assert.deepEqual(engine.listTagsForResource({ resourceArn: Consumer.ConsumerARN }), { tier: 'gold' });
  await assert.rejects(client.send(new ListTagsForResourceCommand({ ResourceARN: `${streamArn}-nope` })), { name: 'ResourceNotFoundException' });
});

test('ShardEngine Firehose: buffering by size and interval into a bucket', () => {
  const time = clock();
  const engine = new ShardEngine({ now: time.now });
  engine.firehose.createDeliveryStream({ deliveryStreamName: 'f', bucket: 'b', prefix: 'logs/', bufferingHints: { sizeInMBs: 1, intervalInSeconds: 60 } });
  assert.deepEqual(engine.firehose.listDeliveryStreams(), ['f']);
  engine.firehose.putRecordBatch({ deliveryStreamName: 'f', records: [{ data: 'a\n' }, { data: new TextEncoder().encode('b\n') }] });
  engine.firehose.putRecord({ deliveryStreamName: 'f', data: 'c\n' });
  assert.equal(engine.listObjects({ bucket: 'b' }).length, 0);
  assert.equal(engine.firehose.stats({ deliveryStreamName: 'f' }).bufferedRecords, 3);
  time.advance(60_000);
  const [object] = engine.listObjects({ bucket: 'b' });
  assert.equal(object.records, 3);
  assert.equal(new TextDecoder().decode(engine.getObject({ bucket: 'b', key: object.key })), 'a\nb\nc\n');
  assert.ok(object.key.startsWith('logs/2026/11/26/12/f-1-2026-11-26-12-00-00-'));
  engine.firehose.putRecord({ deliveryStreamName: 'f', data: 'd\n' });
  engine.firehose.flush({ deliveryStreamName: 'f' });
  assert.equal(engine.listObjects({ bucket: 'b' }).length, 2);
  assert.deepEqual(engine.listBuckets(), ['b']);
  assert.throws(() => engine.firehose.putRecord({ deliveryStreamName: 'nope', data: 'x' }), { code: 'ResourceNotFoundException' });
});

test('engine.fetch verifies signatures and applies injected latency', async () => {
  const { signRequest } = await import('../../pkg/node.js');
  const engine = new ShardEngine({ verifySignatures: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' } });
  const url = 'http://127.0.0.1:4567/';
  const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.CreateStream' };
  const body = '{"StreamName":"s","ShardCount":1}';
  const signed = signRequest({ method: 'POST', url, headers, body, region: 'us-east-1', service: 'kinesis', credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' } });
  const ok = await engine.fetch(url, { method: 'POST', headers: [...Object.entries(headers), ...signed.headers], body });
  assert.equal(ok.status, 200);
  const unsigned = await engine.fetch(url, { method: 'POST', headers, body });
  assert.equal(unsigned.status, 400);
  assert.equal(unsigned.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
  const slow = new ShardEngine({ throttling: false });
  slow.createStream({ streamName: 's', shardCount: 1 });
  slow.setFaults({ latencyMs: 120 });
  const started = Date.now();
  await slow.fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.PutRecord' }, body: '{"StreamName":"s","PartitionKey":"a","Data":"AA=="}' });
  assert.ok(Date.now() - started >= 100, 'the answer waited for the injected latency');
});

test("engine.fetch speaks AWS's CBOR (the AWS SDK for Java's default): blobs as bytes, timestamps as tag 1 over epoch ms, answers and errors in kind, signatures over the CBOR body", async () => {
  // An independent CBOR codec plays the Java SDK (Jackson writes objects
  // as indefinite-length maps; the codec here writes definite ones: both
  // are read).
  const cbor = require('cbor');
  const { signRequest } = await import('../../pkg/node.js');
  const c = clock();
  const credentials = { accessKeyId: 'AKID', secretAccessKey: 'SECRET' };
  const engine = new ShardEngine({ now: c.now, throttling: false, verifySignatures: credentials });
  engine.createStream({ streamName: 's', shardCount: 1 });
  const url = 'http://127.0.0.1:4567/';
  // tag 1 left as it came (the codec would make a Date of seconds).
  const decode = (bytes) => cbor.decodeFirstSync(Buffer.from(bytes), { tags: { 1: (v) => ({ epochMs: v }) } });
  const call = async (action, body, type = 'application/x-amz-cbor-1.1') => {
    const headers = { 'content-type': type, 'x-amz-target': `Kinesis_20131202.${action}` };
    const signed = signRequest({ method: 'POST', url, headers, body, region: 'us-east-1', service: 'kinesis', credentials, signingDate: c.now() });
    const res = await engine.fetch(url, { method: 'POST', headers: [...Object.entries(headers), ...signed.headers], body });
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, type: res.headers.get('content-type'), errorType: res.headers.get('x-amzn-errortype'), bytes };
  };
  const data = Buffer.from([0, 1, 2, 0xff, 0xfe]);
  const indefinite = Buffer.concat([Buffer.from([0xbf]), ...['StreamName', 's', 'Data'].map((v) => cbor.encode(v)), cbor.encode(data), cbor.encode('PartitionKey'), cbor.encode('k'), Buffer.from([0xff])]);
  const put = await call('PutRecord', indefinite);
  assert.deepEqual([put.status, put.type, put.errorType], [200, 'application/x-amz-cbor-1.1', null]);
  assert.deepEqual(Object.keys(decode(put.bytes)), ['ShardId', 'SequenceNumber', 'EncryptionType']);
  c.advance(1000);
  const putMs = c.now() - 1000;
  // AT_TIMESTAMP as the Java SDK sends it: tag 1 over epoch milliseconds.
  const iterator = await call('GetShardIterator', cbor.encode({ StreamName: 's', ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new cbor.Tagged(1, putMs - 1) }));
  assert.equal(iterator.status, 200);
  const got = await call('GetRecords', cbor.encode({ ShardIterator: decode(iterator.bytes).ShardIterator }));
  const [record] = decode(got.bytes).Records;
  assert.deepEqual(record.Data, data, 'a byte string, not base64 text');
  assert.deepEqual(record.ApproximateArrivalTimestamp, { epochMs: putMs });
  assert.equal(record.PartitionKey, 'k');
  // After the record's arrival, AT_TIMESTAMP finds nothing: milliseconds
  // were read as milliseconds.
  const later = await call('GetShardIterator', cbor.encode({ StreamName: 's', ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new cbor.Tagged(1, putMs + 1) }));
  const none = await call('GetRecords', cbor.encode({ ShardIterator: decode(later.bytes).ShardIterator }));
  assert.deepEqual(decode(none.bytes).Records, []);
  const summary = decode((await call('DescribeStreamSummary', cbor.encode({ StreamName: 's' }))).bytes).StreamDescriptionSummary;
  assert.equal(typeof summary.StreamCreationTimestamp.epochMs, 'number');
  // Errors: in CBOR, with x-amzn-ErrorType.
  const missing = await call('DescribeStreamSummary', cbor.encode({ StreamName: 'nope' }));
  assert.deepEqual([missing.status, missing.type, missing.errorType], [400, 'application/x-amz-cbor-1.1', 'ResourceNotFoundException']);
  assert.equal(decode(missing.bytes).__type, 'ResourceNotFoundException');
  assert.match(decode(missing.bytes).message, /nope/);
  const malformed = await call('PutRecord', Buffer.from([0xbf, 0x61]));
  assert.deepEqual([malformed.status, malformed.errorType, decode(malformed.bytes).__type], [400, 'SerializationException', 'SerializationException']);
  // JSON 1.1 as before, with its own content type.
  const json = await call('DescribeStreamSummary', '{"StreamName":"s"}', 'application/x-amz-json-1.1');
  assert.deepEqual([json.status, json.type], [200, 'application/x-amz-json-1.1']);
  assert.equal(typeof JSON.parse(new TextDecoder().decode(json.bytes)).StreamDescriptionSummary.StreamCreationTimestamp, 'number');
});

test('engine.fetch with temporary credentials: the token is required, expires, and can be rotated; the AWS SDK reads the errors', async () => {
  const c = clock();
  const temporary = { accessKeyId: 'ASIATEMP', secretAccessKey: 'SECRET', sessionToken: 'token-1' };
  const engine = new ShardEngine({ now: c.now, verifySignatures: { ...temporary, expiration: new Date(c.now() + 60_000) } });
  const sdk = (credentials) => new KinesisClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4567', credentials, requestHandler: engine.requestHandler, maxAttempts: 1, systemClockOffset: c.now() - Date.now() });
  await sdk(temporary).send(new CreateStreamCommand({ StreamName: 's', ShardCount: 1 }));
  const put = (credentials) => sdk(credentials).send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: new Uint8Array([1]) }));
  await assert.rejects(put({ ...temporary, sessionToken: 'other' }), (e) => e.name === 'UnrecognizedClientException' && e.message === 'The security token included in the request is invalid.');
  await assert.rejects(put({ accessKeyId: 'ASIATEMP', secretAccessKey: 'SECRET' }), (e) => e.name === 'UnrecognizedClientException');
  c.advance(60_000);
  await assert.rejects(put(temporary), (e) => e.name === 'ExpiredTokenException' && e.message === 'The security token included in the request is expired' && e.$metadata.httpStatusCode === 400);
  engine.setVerifySignatures({ ...temporary, sessionToken: 'token-2' });
  const r = await put({ ...temporary, sessionToken: 'token-2' });
  assert.equal(r.ShardId, 'shardId-000000000000');
  engine.setVerifySignatures(null);
  await put({ accessKeyId: 'anything', secretAccessKey: 'goes' });
  assert.throws(() => engine.setVerifySignatures({ accessKeyId: 'A' }), (e) => e.code === 'InvalidArgumentException');
});

test('ShardEngine memory bounds: maxBytesPerShard keeps the newest records that fit', () => {
  const engine = new ShardEngine({ throttling: false, maxBytesPerShard: 1000 });
  engine.createStream({ streamName: 'small', shardCount: 1 });
  for (let i = 0; i < 100; i++) engine.putRecord({ streamName: 'small', partitionKey: 'k', data: `${String(i).padStart(3, '0')}${'x'.repeat(96)}` });
  const [shard] = engine.listShards({ streamName: 'small' });
  const it = engine.getShardIterator({ streamName: 'small', shardId: shard.ShardId, type: 'TRIM_HORIZON' });
  const got = engine.getRecords({ shardIterator: it }).records.map((r) => new TextDecoder().decode(r.data).slice(0, 3));
  assert.deepEqual(got, ['090', '091', '092', '093', '094', '095', '096', '097', '098', '099'], '10 records of 100 bytes (key included)');
  assert.equal(engine.stats({ streamName: 'small' }).totals.stored, 10);
  assert.throws(() => new ShardEngine({ maxBytesPerShard: 0 }), { code: 'InvalidArgumentException' });
});

test('ShardEngine JS API: a method given null or no object answers with a code, not a TypeError', () => {
  const engine = new ShardEngine({ throttling: false });
  const kinesis = ['createStream', 'updateMaxRecordSize', 'deleteStream', 'describeStreamSummary', 'putRecord', 'putRecords', 'listShards', 'getShardIterator', 'getRecords', 'splitShard', 'mergeShards', 'updateShardCount', 'addTagsToStream', 'removeTagsFromStream', 'listTagsForStream', 'tagResource', 'untagResource', 'listTagsForResource', 'setFaults', 'stats', 'listObjects', 'getObject'];
  const firehose = ['createDeliveryStream', 'deleteDeliveryStream', 'describeDeliveryStream', 'putRecord', 'putRecordBatch', 'flush', 'stats'];
  const calls = [...kinesis.map((m) => [engine, m]), ...firehose.map((m) => [engine.firehose, m])];
  for (const [api, method] of calls) {
    for (const arg of [null, undefined]) {
      // What the service would say of an empty request (a missing name),
      // or, for the few that need nothing, an answer.
      try {
        api[method](arg);
      } catch (e) {
        assert.equal(e.name, 'KinesisEdgeError', `${method}(${arg}): ${e}`);
        assert.match(e.code, /^[A-Za-z]+(Exception)?$/, `${method}(${arg})`);
      }
    }
    assert.throws(() => api[method]('s'), { name: 'KinesisEdgeError', code: 'InvalidArgumentException' }, method);
  }
  const answered = engine.handleHttp(null);
  assert.equal(typeof answered.status, 'number');
});

test('describeLimits, enhanced monitoring, encryption and the capacity mode are kept and reported', () => {
  const engine = new ShardEngine();
  engine.createStream({ streamName: 's', shardCount: 2 });
  assert.deepEqual(engine.describeLimits(), { shardLimit: 10000, openShardCount: 2, onDemandStreamCount: 0, onDemandStreamCountLimit: 50 });
  assert.deepEqual(engine.setEnhancedMonitoring({ streamName: 's', shardLevelMetrics: ['IncomingRecords', 'IncomingBytes'] }), { current: [], desired: ['IncomingBytes', 'IncomingRecords'] });
  assert.deepEqual(engine.setEnhancedMonitoring({ streamName: 's', shardLevelMetrics: ['IncomingBytes'], enable: false }).desired, ['IncomingRecords']);
  engine.setStreamEncryption({ streamName: 's', keyId: 'alias/aws/kinesis' });
  let d = engine.describeStreamSummary({ streamName: 's' });
  assert.deepEqual([d.shardLevelMetrics, d.encryptionType, d.keyId, d.consumerCount, d.streamMode], [['IncomingRecords'], 'KMS', 'alias/aws/kinesis', 0, 'PROVISIONED']);
  engine.createStream({ streamName: 'od', streamMode: 'ON_DEMAND' });
  assert.equal(engine.describeStreamSummary({ streamName: 'od' }).streamMode, 'ON_DEMAND');
  assert.equal(engine.describeLimits().onDemandStreamCount, 1);
  engine.setStreamEncryption({ streamName: 's', keyId: null });
  d = engine.describeStreamSummary({ streamName: 's' });
  assert.deepEqual([d.encryptionType, d.keyId], ['NONE', undefined]);
  assert.throws(() => engine.setStreamEncryption({ streamName: 's', keyId: 'nope' }), { code: 'InvalidArgumentException' });
});
