// The AWS SDKs against `node pkg/cli.mjs serve` over HTTP/1.1 (and the JS
// SDK's default, HTTP/2) on 127.0.0.1:
// @aws-sdk/client-kinesis end to end (10,000 records, every shard read,
// a split read through its children), with signature verification on;
// @aws-sdk/client-firehose into the in-memory bucket; seeded fault
// injection seen through the SDK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { startEngine, CREDENTIALS } from '../js/servers.mjs';
import { putTenThousandAndReadThroughSplit } from '../js/sdk-scenario.mjs';

const require = createRequire(new URL('../package.json', import.meta.url));
const { KinesisClient, CreateStreamCommand, PutRecordsCommand, PutRecordCommand, ListStreamsCommand, DescribeStreamSummaryCommand, UpdateMaxRecordSizeCommand, GetShardIteratorCommand, GetRecordsCommand, RegisterStreamConsumerCommand, SubscribeToShardCommand } = require('@aws-sdk/client-kinesis');
const { FirehoseClient, CreateDeliveryStreamCommand, PutRecordBatchCommand, DescribeDeliveryStreamCommand } = require('@aws-sdk/client-firehose');
const { NodeHttpHandler } = require('@smithy/node-http-handler');

const kinesis = (url, credentials = CREDENTIALS, extra = {}) =>
  new KinesisClient({ region: 'us-east-1', endpoint: url, credentials, requestHandler: new NodeHttpHandler(), maxAttempts: 1, ...extra });

test('@aws-sdk/client-kinesis over HTTP: 10,000 records, every shard, a split and its children; signatures verified', async () => {
  const server = await startEngine(['--no-throttling', '--verify-signatures', `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}`]);
  try {
    await putTenThousandAndReadThroughSplit(kinesis(server.url), { advance() {} });
    // The same SDK with the wrong secret is refused with AWS's code.
    const wrong = kinesis(server.url, { ...CREDENTIALS, secretAccessKey: 'wrong' });
    await assert.rejects(wrong.send(new ListStreamsCommand({})), { name: 'InvalidSignatureException' });
  } finally {
    const { code } = await server.stop();
    assert.equal(code, 0);
  }
});

test('@aws-sdk/client-kinesis with its defaults, HTTP/2 (cleartext, on the same port): 10,000 records, a split, SubscribeToShard; signatures verified over :authority', { timeout: 120_000 }, async () => {
  const server = await startEngine(['--no-throttling', '--verify-signatures', `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}`]);
  try {
    // No requestHandler: the SDK's NodeHttp2Handler, which signs ':authority' instead of 'host'.
    const client = new KinesisClient({ region: 'us-east-1', endpoint: server.url, credentials: CREDENTIALS, maxAttempts: 1 });
    await putTenThousandAndReadThroughSplit(client, { advance() {} });
    await client.send(new CreateStreamCommand({ StreamName: 'h2-efo', ShardCount: 1 }));
    const { StreamARN } = (await client.send(new DescribeStreamSummaryCommand({ StreamName: 'h2-efo' }))).StreamDescriptionSummary;
    const { Consumer } = await client.send(new RegisterStreamConsumerCommand({ StreamARN, ConsumerName: 'h2' }));
    await client.send(new PutRecordCommand({ StreamName: 'h2-efo', PartitionKey: 'k', Data: Buffer.from('over h2') }));
    const out = await client.send(new SubscribeToShardCommand({ ConsumerARN: Consumer.ConsumerARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'TRIM_HORIZON' } }));
    for await (const event of out.EventStream) {
      assert.equal(Buffer.from(event.SubscribeToShardEvent.Records[0].Data).toString(), 'over h2');
      break;
    }
    const wrong = new KinesisClient({ region: 'us-east-1', endpoint: server.url, credentials: { ...CREDENTIALS, secretAccessKey: 'wrong' }, maxAttempts: 1 });
    await assert.rejects(wrong.send(new ListStreamsCommand({})), { name: 'InvalidSignatureException' });
    wrong.destroy();
    // The server stops cleanly with the client's HTTP/2 session still open.
  } finally {
    const { code } = await server.stop();
    assert.equal(code, 0);
  }
});

test('@aws-sdk/client-kinesis over HTTP: large records after UpdateMaxRecordSize (by ARN), MaxRecordSizeInKiB at CreateStream and in DescribeStreamSummary', async () => {
  const server = await startEngine([]);
  try {
    const client = kinesis(server.url);
    await client.send(new CreateStreamCommand({ StreamName: 'large', ShardCount: 1 }));
    await client.send(new CreateStreamCommand({ StreamName: 'raised', ShardCount: 1, MaxRecordSizeInKiB: 8192 }));
    const summary = async (StreamName) => (await client.send(new DescribeStreamSummaryCommand({ StreamName }))).StreamDescriptionSummary;
    assert.equal((await summary('raised')).MaxRecordSizeInKiB, 8192);
    const { StreamARN, MaxRecordSizeInKiB } = await summary('large');
    assert.equal(MaxRecordSizeInKiB, 1024);
    const data = new Uint8Array(3 * 1024 * 1024).map((_, i) => i & 255);
    await assert.rejects(client.send(new PutRecordCommand({ StreamName: 'large', PartitionKey: 'k', Data: data })), { name: 'ValidationException' });
    await client.send(new UpdateMaxRecordSizeCommand({ StreamARN, MaxRecordSizeInKiB: 10240 }));
    assert.equal((await summary('large')).MaxRecordSizeInKiB, 10240);
    const put = await client.send(new PutRecordCommand({ StreamName: 'large', PartitionKey: 'k', Data: data }));
    const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: 'large', ShardId: put.ShardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: put.SequenceNumber }));
    const { Records } = await client.send(new GetRecordsCommand({ ShardIterator }));
    assert.deepEqual(Records[0].Data, data);
    await assert.rejects(client.send(new UpdateMaxRecordSizeCommand({ StreamARN, MaxRecordSizeInKiB: 20000 })), { name: 'ValidationException' });
  } finally {
    await server.stop();
  }
});

test('seeded fault injection: failed records in the configured share, replayed by the same seed', async () => {
  const run = async () => {
    const server = await startEngine(['--no-throttling', '--fault-rate', '0.1', '--seed', '7']);
    try {
      const client = kinesis(server.url);
      await client.send(new CreateStreamCommand({ StreamName: 'faulty', ShardCount: 2 }));
      const codes = [];
      for (let b = 0; b < 10; b++) {
        const Records = Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `k${i}`, Data: new Uint8Array([b]) }));
        const out = await client.send(new PutRecordsCommand({ StreamName: 'faulty', Records }));
        codes.push(...out.Records.map((r) => r.ErrorCode ?? 'ok'));
      }
      const stats = await (await fetch(`${server.url}/_engine/streams/faulty/stats`)).json();
      return { codes, stats };
    } finally {
      await server.stop();
    }
  };
  const first = await run();
  const failed = first.codes.filter((c) => c !== 'ok');
  // 5,000 records at 10 %: mean 500, standard deviation about 21.
  assert.ok(failed.length > 400 && failed.length < 600, `${failed.length} of 5,000 failed`);
  assert.ok(failed.every((c) => c === 'InternalFailure'));
  assert.equal(first.stats.totals.injectedFailures, failed.length);
  assert.equal(first.stats.totals.recordsIn, 5000 - failed.length);
  const second = await run();
  assert.deepEqual(second.codes, first.codes, 'the same seed fails the same records');
});

test('@aws-sdk/client-firehose over HTTP delivers into the in-memory bucket', async () => {
  const server = await startEngine([]);
  try {
    const firehose = new FirehoseClient({ region: 'us-east-1', endpoint: server.url, credentials: CREDENTIALS, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
    await firehose.send(new CreateDeliveryStreamCommand({
      DeliveryStreamName: 'events',
      DeliveryStreamType: 'DirectPut',
      ExtendedS3DestinationConfiguration: {
        RoleARN: 'arn:aws:iam::000000000000:role/firehose',
        BucketARN: 'arn:aws:s3:::tutorial-bucket',
        Prefix: 'clicks/',
        BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
      },
    }));
    const d = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'events' }));
    assert.equal(d.DeliveryStreamDescription.DeliveryStreamStatus, 'ACTIVE');
    const lines = Array.from({ length: 300 }, (_, i) => `{"n":${i}}\n`);
    const out = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'events', Records: lines.map((l) => ({ Data: new TextEncoder().encode(l) })) }));
    assert.equal(out.FailedPutCount, 0);
    assert.equal(out.RequestResponses.length, 300);
    // Interval 0: delivered when the engine next looks at the time.
    const objects = await (await fetch(`${server.url}/_engine/buckets/tutorial-bucket`)).json();
    assert.equal(objects.length, 1);
    assert.match(objects[0].key, /^clicks\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/events-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f]{32}$/);
    const body = await (await fetch(`${server.url}/_engine/buckets/tutorial-bucket/${objects[0].key}`)).text();
    assert.equal(body, lines.join(''));
  } finally {
    await server.stop();
  }
});

// boto3, when this machine has it (a Python tool, not installed by `make
// test`: reported as skipped otherwise).
const hasBoto3 = spawnSync('python3', ['-c', 'import boto3'], { encoding: 'utf8' }).status === 0;

test('boto3 uses the served engine as its endpoint, SubscribeToShard included', { skip: hasBoto3 ? false : 'python3 with boto3 is not installed' }, async () => {
  const server = await startEngine([]);
  try {
    const script = `
import boto3, sys
k = boto3.client('kinesis', region_name='us-east-1', endpoint_url=sys.argv[1], aws_access_key_id='a', aws_secret_access_key='b')
k.create_stream(StreamName='py', ShardCount=2)
r = k.put_records(StreamName='py', Records=[{'Data': b'hello %d' % i, 'PartitionKey': 'k%d' % i} for i in range(10)])
n = 0
for s in k.list_shards(StreamName='py')['Shards']:
    it = k.get_shard_iterator(StreamName='py', ShardId=s['ShardId'], ShardIteratorType='TRIM_HORIZON')['ShardIterator']
    n += len(k.get_records(ShardIterator=it)['Records'])
try:
    k.put_records(StreamName='nope', Records=[{'Data': b'x', 'PartitionKey': 'k'}])
    missing = 'no error'
except k.exceptions.ResourceNotFoundException as e:
    missing = e.response['Error']['Message']
k.update_shard_count(StreamName='py', TargetShardCount=4, ScalingType='UNIFORM_SCALING')
open_shards = sum(1 for s in k.list_shards(StreamName='py')['Shards'] if 'EndingSequenceNumber' not in s['SequenceNumberRange'])
print(r['FailedRecordCount'], n, open_shards, missing)
# Enhanced fan-out: botocore's own event stream reader (CRCs checked) over HTTP/1.1.
k.create_stream(StreamName='efo', ShardCount=1)
arn = k.describe_stream_summary(StreamName='efo')['StreamDescriptionSummary']['StreamARN']
consumer = k.register_stream_consumer(StreamARN=arn, ConsumerName='py')['Consumer']
k.put_record(StreamName='efo', Data=b'pushed', PartitionKey='k')
events = k.subscribe_to_shard(ConsumerARN=consumer['ConsumerARN'], ShardId='shardId-000000000000', StartingPosition={'Type': 'TRIM_HORIZON'})['EventStream']
for event in events:
    print(event['SubscribeToShardEvent']['Records'][0]['Data'].decode())
    break
events.close()
`;
    const run = spawnSync('python3', ['-c', script, server.url], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), '0 10 4 Stream nope under account 000000000000 not found.\npushed');
  } finally {
    await server.stop();
  }
});
