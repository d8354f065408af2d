// The shard engine (`kinesis-edge/engine`, its browser entry) in headless
// Chromium, in a page and in a dedicated Web Worker: the same scenario as
// in Node, with equal results.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ShardEngine } from '../../pkg/engine-node.js';
import { signRequest } from '../../pkg/node.js';
import { engineScenario } from '../js/engine-check.mjs';
import { launch, serve, resultOf } from './browser.mjs';

let browser, server, origin, expected;

before(async () => {
  ({ server, origin } = await serve());
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
