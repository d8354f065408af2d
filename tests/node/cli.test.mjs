// `node pkg/cli.mjs serve`: the engine over HTTP/1.1 on 127.0.0.1, used by
// @aws-sdk/client-kinesis as an endpoint; CORS for pages; stays up under
// bad input; stops cleanly on SIGTERM (by its PID).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(new URL('../package.json', import.meta.url));
const { KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand, ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand } = require('@aws-sdk/client-kinesis');
const { NodeHttpHandler } = require('@smithy/node-http-handler');

const CLI = fileURLToPath(new URL('../../pkg/cli.mjs', import.meta.url));

function start(args) {
  const child = spawn(process.execPath, [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code, signal) => resolve({ code, signal }));
    process.kill(child.pid, 'SIGTERM');
  });
}

test('the AWS SDK uses the served engine as its endpoint', async () => {
  const { child, url } = await start(['--shards-per-stream', '3', '--max-record-bytes', '4194304']);
  try {
    const client = new KinesisClient({
      region: 'us-east-1',
      endpoint: url,
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' },
      requestHandler: new NodeHttpHandler(), // HTTP/1.1
      maxAttempts: 1,
    });
    await client.send(new CreateStreamCommand({ StreamName: 'served' }));
    const { Shards } = await client.send(new ListShardsCommand({ StreamName: 'served' }));
    assert.equal(Shards.length, 3, '--shards-per-stream');
    const { StreamDescriptionSummary } = await client.send(new DescribeStreamSummaryCommand({ StreamName: 'served' }));
    assert.equal(StreamDescriptionSummary.MaxRecordSizeInKiB, 4096, '--max-record-bytes');
    const Records = Array.from({ length: 300 }, (_, i) => ({ PartitionKey: `k${i}`, Data: new TextEncoder().encode(`event ${i}`) }));
    const put = await client.send(new PutRecordsCommand({ StreamName: 'served', Records }));
    assert.equal(put.FailedRecordCount, 0);
    const seen = new Set();
    for (const shard of Shards) {
      const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: 'served', ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
      const page = await client.send(new GetRecordsCommand({ ShardIterator }));
      for (const r of page.Records) seen.add(new TextDecoder().decode(r.Data));
    }
    assert.equal(seen.size, 300);

    // CORS preflight, for pages.
    const pre = await fetch(url, { method: 'OPTIONS', headers: { Origin: 'http://127.0.0.1:8080', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-amz-target' } });
    assert.equal(pre.status, 200);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.equal(pre.headers.get('access-control-allow-headers'), 'content-type,x-amz-target');
    // The answer itself exposes Date and the request id to the page.
    const exposed = await fetch(url, { method: 'POST', headers: { Origin: 'http://127.0.0.1:8080', 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Kinesis_20131202.ListStreams' }, body: '{}' });
    assert.match(exposed.headers.get('access-control-expose-headers'), /(^|,)Date(,|$)/);
    assert.match(exposed.headers.get('access-control-expose-headers'), /(^|,)x-amzn-RequestId(,|$)/);

    // Bad input gets AWS errors, and the server stays up.
    for (const [target, body] of [['Kinesis_20131202.PutRecords', '{not json'], ['Nope', '{}'], ['Kinesis_20131202.GetRecords', '{"ShardIterator":"x"}']]) {
      const res = await fetch(url, { method: 'POST', headers: { 'X-Amz-Target': target, 'Content-Type': 'application/x-amz-json-1.1' }, body });
      assert.equal(res.status, 400);
      assert.ok((await res.json()).__type);
      assert.ok(res.headers.get('x-amzn-errortype'));
    }
    const again = await client.send(new ListShardsCommand({ StreamName: 'served' }));
    assert.equal(again.Shards.length, 3);
  } finally {
    const { code } = await stop(child);
    assert.equal(code, 0, 'exits cleanly on SIGTERM');
  }
});

test('unknown or unsupported options are refused', async () => {
  for (const args of [['--bogus'], ['--fault-rate', '2'], ['--port', 'x'], ['--verify-signatures', 'nocolon'], ['--seed', '-1'], ['--max-record-bytes', '1048575'], ['--max-record-bytes', '10485761']]) {
    await assert.rejects(start(args), /exited with 2/);
  }
});

test('a body over 16 MiB is refused with 413 SerializationException, in the request\'s format (JSON 1.1 or CBOR), and the server stays up', async () => {
  const { child, url } = await start([]);
  try {
    const big = new Uint8Array(16 * 1024 * 1024 + 1);
    const cbor = require('cbor');
    let answered = 0;
    for (const type of ['application/x-amz-json-1.1', 'application/x-amz-cbor-1.1']) {
      const res = await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': type, 'x-amz-target': 'Kinesis_20131202.PutRecord' }, body: big }).catch((e) => e);
      // The server may close the connection as it answers: then the
      // answer is not always read, but the server must stay up.
      if (res instanceof Error) {
        console.error(`${type}: ${res.cause?.code ?? res.message}`);
        continue;
      }
      answered++;
      assert.deepEqual([res.status, res.headers.get('content-type'), res.headers.get('x-amzn-errortype')], [413, type, 'SerializationException']);
      const bytes = Buffer.from(await res.arrayBuffer());
      const body = type.includes('cbor') ? cbor.decodeFirstSync(bytes) : JSON.parse(bytes);
      assert.deepEqual(body, { __type: 'SerializationException', message: 'Request body too large' });
    }
    const after = await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListStreams' }, body: '{}' });
    assert.equal(after.status, 200, 'still answering');
    assert.ok(answered >= 1, 'at least one 413 was read');
  } finally {
    await stop(child);
  }
});
