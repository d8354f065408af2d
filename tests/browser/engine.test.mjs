// The shard engine (`kinesis-edge/engine`, its browser entry) in headless
// Chromium, in a page and in a dedicated Web Worker: the same scenario as
// in Node, with equal results; and the AWS SDK's browser build answered by
// the engine in the tab (`engine.requestHandler`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ShardEngine } from '../../pkg/engine-node.js';
import { signRequest } from '../../pkg/node.js';
import { engineScenario } from '../js/engine-check.mjs';
import { launch, serve, resultOf } from './browser.mjs';

const require = createRequire(new URL('../package.json', import.meta.url));
const { buildSync } = require('esbuild');

// The AWS SDK's Kinesis client as a page ships it: its browser build,
// bundled by esbuild.
const SDK = buildSync({
  stdin: {
    contents: "export { KinesisClient, CreateStreamCommand, PutRecordsCommand, ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand, DescribeStreamSummaryCommand, RegisterStreamConsumerCommand, SubscribeToShardCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';",
    resolveDir: fileURLToPath(new URL('..', import.meta.url)),
  },
  bundle: true, format: 'esm', platform: 'browser', write: false,
}).outputFiles[0].text;

// In a page and in a worker: the SDK, signing with WebCrypto, puts 500
// records into an engine that verifies signatures, reads them back, and
// subscribes to a shard (the SDK reading the engine's event stream as it
// reads AWS's from fetch).
const SDK_SCENARIO = `
import * as sdk from '/sdk/client-kinesis.mjs';
import { ShardEngine } from '/pkg/engine-browser.js';

export async function scenario() {
  const credentials = { accessKeyId: 'AKIDPAGE', secretAccessKey: 'page-secret' };
  const engine = new ShardEngine({ verifySignatures: credentials });
  const client = new sdk.KinesisClient({ region: 'us-east-1', credentials, requestHandler: engine.requestHandler, maxAttempts: 1 });
  await client.send(new sdk.CreateStreamCommand({ StreamName: 'clicks', ShardCount: 2 }));
  const sent = Array.from({ length: 500 }, (_, i) => 'event ' + i);
  const put = await client.send(new sdk.PutRecordsCommand({ StreamName: 'clicks', Records: sent.map((d, i) => ({ Data: new TextEncoder().encode(d), PartitionKey: 'k' + (i % 23) })) }));
  const got = [];
  for (const shard of (await client.send(new sdk.ListShardsCommand({ StreamName: 'clicks' }))).Shards) {
    const { ShardIterator } = await client.send(new sdk.GetShardIteratorCommand({ StreamName: 'clicks', ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    got.push(...(await client.send(new sdk.GetRecordsCommand({ ShardIterator }))).Records.map((r) => new TextDecoder().decode(r.Data)));
  }
  const { StreamARN } = (await client.send(new sdk.DescribeStreamSummaryCommand({ StreamName: 'clicks' }))).StreamDescriptionSummary;
  const { Consumer } = await client.send(new sdk.RegisterStreamConsumerCommand({ StreamARN, ConsumerName: 'app' }));
  const sub = await client.send(new sdk.SubscribeToShardCommand({ ConsumerARN: Consumer.ConsumerARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'TRIM_HORIZON' } }));
  const pushed = [];
  const onShard0 = got.length - (await count(client, 'shardId-000000000001'));
  for await (const event of sub.EventStream) {
    pushed.push(...event.SubscribeToShardEvent.Records.map((r) => new TextDecoder().decode(r.Data)));
    if (pushed.length >= onShard0) break;
  }
  let refused = '';
  const wrong = new sdk.KinesisClient({ region: 'us-east-1', credentials: { ...credentials, secretAccessKey: 'wrong' }, requestHandler: engine.requestHandler, maxAttempts: 1 });
  try { await wrong.send(new sdk.ListStreamsCommand({})); } catch (e) { refused = e.name; }
  return { failed: put.FailedRecordCount, got: got.sort(), sent: sent.sort(), onShard0, pushed: pushed.length, refused, window: typeof window };
}

async function count(client, shardId) {
  const { ShardIterator } = await client.send(new sdk.GetShardIteratorCommand({ StreamName: 'clicks', ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
  return (await client.send(new sdk.GetRecordsCommand({ ShardIterator }))).Records.length;
}
`;

let browser, server, origin, expected;

before(async () => {
  const js = 'text/javascript';
  ({ server, origin } = await serve({
    '/sdk/client-kinesis.mjs': [js, SDK],
    '/sdk/scenario.mjs': [js, SDK_SCENARIO],
    '/sdk/worker.mjs': [js, "import { scenario } from '/sdk/scenario.mjs'; try { postMessage(await scenario()); } catch (e) { postMessage({ failure: String(e.stack ?? e) }); }"],
    '/sdk/page.html': ['text/html', `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module">
      import { scenario } from '/sdk/scenario.mjs';
      try { window.__result = await scenario(); } catch (e) { window.__result = { failure: String(e.stack ?? e) }; }
    </script>`],
    '/sdk/worker.html': ['text/html', `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module">
      const worker = new Worker('/sdk/worker.mjs', { type: 'module' });
      worker.onmessage = (e) => { window.__result = e.data; };
      worker.onerror = (e) => { window.__result = { failure: 'worker error: ' + e.message }; };
    </script>`],
  }));
  browser = await launch();
  expected = await engineScenario(ShardEngine, signRequest);
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('the scenario in Node is what the engine should do', () => {
  assert.ok(expected.throttled > 0);
  assert.equal(expected.signed, 200);
  assert.equal(expected.unsigned, 'MissingAuthenticationTokenException');
  assert.deepEqual(expected.perShard['shardId-000000000000'].children, ['shardId-000000000002', 'shardId-000000000003']);
  assert.equal(expected.objects.length, 1);
  assert.deepEqual(expected.scaled, { currentShardCount: 3, targetShardCount: 6 });
});

for (const [where, path] of [['a page', '/test/browser/fixtures/engine-page.html'], ['a dedicated Web Worker', '/test/browser/fixtures/engine-worker.html']]) {
  test(`the shard engine runs in headless Chromium, in ${where}, as in Node`, async () => {
    const result = await resultOf(browser, origin, path);
    assert.equal(result.failure, undefined, result.failure);
    assert.deepEqual(result.errors, []);
    if (result.window !== undefined) assert.equal(result.window, 'undefined');
    assert.deepEqual(result.scenario, expected);
  });
}

for (const [where, path] of [['a page', '/sdk/page.html'], ['a dedicated Web Worker', '/sdk/worker.html']]) {
  test(`@aws-sdk/client-kinesis's browser build answered by the engine in ${where} (engine.requestHandler): 500 records put and read back, a subscription's events, signatures verified`, async () => {
    const result = await resultOf(browser, origin, path);
    assert.equal(result.failure, undefined, result.failure);
    assert.deepEqual(result.errors, []);
    assert.equal(result.failed, 0);
    assert.equal(result.got.length, 500);
    assert.deepEqual(result.got, result.sent);
    assert.ok(result.onShard0 > 0 && result.onShard0 < 500, `${result.onShard0} records on shard 0`);
    assert.equal(result.pushed, result.onShard0);
    assert.equal(result.refused, 'InvalidSignatureException');
    assert.equal(result.window, where === 'a page' ? 'object' : 'undefined');
  });
}
