// PutRecords and PutRecordBatch bodies, byte for byte against what
// @aws-sdk/client-kinesis and @aws-sdk/client-firehose send for the same
// input (captured after the SDK serializes, before anything is sent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { encodePutRecords, encodePutRecordBatch } from '../../pkg/node.js';
import { rng } from '../js/peers.mjs';

const require = createRequire(new URL('../package.json', import.meta.url));
const { KinesisClient, PutRecordsCommand } = require('@aws-sdk/client-kinesis');
const { FirehoseClient, PutRecordBatchCommand } = require('@aws-sdk/client-firehose');

const config = { region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' }, maxAttempts: 1 };

async function sdkBody(client, command) {
  let captured;
  client.middlewareStack.add(
    () => async (args) => {
      // The SDK hands over a Uint8Array (or, in older versions, a string).
      const body = args.request.body;
      captured = { body: typeof body === 'string' ? body : Buffer.from(body).toString('utf8'), target: args.request.headers['x-amz-target'], type: args.request.headers['content-type'] };
      throw Object.assign(new Error('captured'), { captured: true });
    },
    { step: 'finalizeRequest', name: 'capture', priority: 'low' },
  );
  await assert.rejects(client.send(command), (e) => e.captured === true);
  return captured;
}

function randomRecords(seed, count, size) {
  const random = rng(seed);
  const keyChars = ['a', 'Z', '9', '-', '"', '\\', '\n', '\u0001', '\u007f', 'é', '中', '😀', '\u2028', '/'];
  return Array.from({ length: count }, (_, i) => {
    let partitionKey = '';
    for (let j = 0, n = 1 + Math.floor(random() * 30); j < n; j++) partitionKey += keyChars[Math.floor(random() * keyChars.length)];
    const data = new Uint8Array(Math.floor(random() * size));
    for (let j = 0; j < data.length; j++) data[j] = Math.floor(random() * 256);
    const record = { partitionKey, data };
    if (i % 5 === 1) record.explicitHashKey = String(BigInt(Math.floor(random() * 2 ** 50)) ** 2n);
    return record;
  });
}

const sdkInput = (records) => records.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey, ...(r.explicitHashKey ? { ExplicitHashKey: r.explicitHashKey } : {}) }));

for (const [name, records] of [
  ['500 x 100 B', randomRecords(1, 500, 100)],
  ['500 x 1 KB', randomRecords(2, 500, 1024)],
  ['edge cases', [{ partitionKey: 'k', data: new Uint8Array() }, { partitionKey: '\u001fx\u007f', data: new Uint8Array([0]) }, { partitionKey: '"\\\t\b\f\u2028', data: new Uint8Array([255, 254]) }]],
]) {
  test(`PutRecords body is byte-identical to @aws-sdk/client-kinesis (${name})`, async () => {
    const sdk = await sdkBody(new KinesisClient(config), new PutRecordsCommand({ StreamName: 'clickstream', Records: sdkInput(records) }));
    const ours = encodePutRecords({ streamName: 'clickstream', records });
    assert.equal(ours.target, sdk.target);
    assert.equal(ours.contentType, sdk.type);
    assert.equal(Buffer.from(ours.body).toString('utf8'), sdk.body);
  });
}

test('PutRecords with a stream ARN is byte-identical too', async () => {
  const records = randomRecords(3, 20, 50);
  const arn = 'arn:aws:kinesis:us-east-1:123456789012:stream/clickstream';
  const sdk = await sdkBody(new KinesisClient(config), new PutRecordsCommand({ StreamARN: arn, Records: sdkInput(records) }));
  assert.equal(Buffer.from(encodePutRecords({ streamArn: arn, records }).body).toString('utf8'), sdk.body);
});

test('PutRecordBatch body is byte-identical to @aws-sdk/client-firehose', async () => {
  const records = randomRecords(4, 500, 300).map((r) => r.data);
  const sdk = await sdkBody(new FirehoseClient(config), new PutRecordBatchCommand({ DeliveryStreamName: 'events', Records: records.map((Data) => ({ Data })) }));
  const ours = encodePutRecordBatch({ deliveryStreamName: 'events', records });
  assert.equal(ours.target, sdk.target);
  assert.equal(Buffer.from(ours.body).toString('utf8'), sdk.body);
});
