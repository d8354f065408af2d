// signRequest / presignUrl from the built package in headless Chromium:
// in a page and in a dedicated Web Worker. Each runs every v4 vector in
// both forms, the error checks, and signs a fixed set of Kinesis/Firehose
// requests that must match the signatures Node computes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../../pkg/node.js';
import { loadV4Vectors } from '../js/vectors.mjs';
import { kinesisRequests, routingSample } from '../js/vector-check.mjs';
import { launch, serve, resultOf } from './browser.mjs';

let browser, server, origin;
const expected = kinesisRequests().map((r) => api.signRequest(r).authorization);

before(async () => {
  ({ server, origin } = await serve({ '/vectors.json': ['application/json', JSON.stringify(loadV4Vectors())] }));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

for (const [where, path] of [['a page', '/test/browser/fixtures/page.html'], ['a dedicated Web Worker', '/test/browser/fixtures/worker.html']]) {
  test(`signs, routes and aggregates in headless Chromium, in ${where}`, async () => {
    const result = await resultOf(browser, origin, path);
    assert.deepEqual(result.failures, []);
    assert.equal(result.checked, 76);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.signatures, expected);
    assert.deepEqual(result.routing, routingSample(api));
  });
}
