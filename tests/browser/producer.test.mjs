// The Producer in headless Chromium, in a page and in a dedicated Web
// Worker, against the in-tab engine through engine.fetch with faults: the
// same scenario as in Node, with equal results.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../../pkg/node.js';
import { ShardEngine } from '../../pkg/engine-node.js';
import { producerScenario } from '../js/producer-check.mjs';
import { GATEWAY_EXPECTED } from '../js/gateway-check.mjs';
import { launch, serve, resultOf } from './browser.mjs';

let browser, server, origin;

before(async () => {
  ({ server, origin } = await serve());
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

const expected = { acknowledged: 2000, missing: 0, retried: true, aggregated: true, allStoredOnce: true, firehose: 'delivered' };

test('the scenario in Node', async () => {
  // Node's entry hashes large bodies with node:crypto, not WebCrypto.
  assert.deepEqual(await producerScenario(api, ShardEngine), { ...expected, webCrypto: false });
});

for (const [where, path] of [
  ['a page', '/test/browser/fixtures/producer-page.html'],
  ['a dedicated Web Worker', '/test/browser/fixtures/producer-worker.html'],
  ['a page, from kinesis-edge/producer', '/test/browser/fixtures/producer-page.html?lean'],
  ['a dedicated Web Worker, from kinesis-edge/producer', '/test/browser/fixtures/producer-worker.html?lean'],
]) {
  test(`the Producer runs in headless Chromium, in ${where}`, async () => {
    const result = await resultOf(browser, origin, path);
    assert.equal(result.failure, undefined, result.failure);
    assert.deepEqual(result.errors, []);
    if (result.window !== undefined) assert.equal(result.window, 'undefined');
    // Large bodies hashed by WebCrypto, every signature checked.
    assert.deepEqual(result.scenario, { ...expected, webCrypto: true });
  });
}

// kinesis-edge/gateway-client (the producer built for a gateway only) in a
// page and a worker: the same gateway scenario as in Node
// (tests/node/gateway-client.test.mjs).
for (const [where, path] of [
  ['a page', '/test/browser/fixtures/gateway-page.html'],
  ['a dedicated Web Worker', '/test/browser/fixtures/gateway-worker.html'],
]) {
  test(`kinesis-edge/gateway-client sends through a gateway from ${where}`, async () => {
    const result = await resultOf(browser, origin, path);
    assert.equal(result.failure, undefined, result.failure);
    assert.deepEqual(result.errors, []);
    if (result.window !== undefined) assert.equal(result.window, 'undefined');
    assert.deepEqual(result.scenario, GATEWAY_EXPECTED);
  });
}
