// The deferred entries (kinesis-edge/deferred, kinesis-edge/producer/deferred,
// kinesis-edge/gateway-client/deferred and kinesis-edge/engine/deferred: no
// top-level await, `await init()`) where the others cannot go: a module
// service worker, and a bundle run as a classic script. Records put there
// reach the engine's HTTP server (signatures verified), read back and
// compared; and a service worker hosting the engine answers a page's
// producer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { launch, serve, resultOf } from './browser.mjs';
import { startEngine, post, readUserRecords } from '../js/servers.mjs';

const require = createRequire(new URL('../package.json', import.meta.url));
const { buildSync } = require('esbuild');

let browser, server, origin, engine;

// The classic script: the fixture bundled as an iife.
const classic = buildSync({
  entryPoints: [fileURLToPath(new URL('./fixtures/deferred-classic.mjs', import.meta.url))],
  bundle: true,
  format: 'iife',
  target: 'es2022',
  write: false,
  logLevel: 'silent',
}).outputFiles[0].text;

before(async () => {
  ({ server, origin } = await serve({
    '/classic.js': ['text/javascript', classic],
    '/classic.html': ['text/html', '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script src="/classic.js"></script>'],
  }));
  browser = await launch();
  engine = await startEngine(['--verify-signatures', 'AKIDCONFORMANCE:conformance-secret']);
});

after(async () => {
  await browser?.close();
  server?.close();
  await engine?.stop();
});

const want = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix} ${String(i).padStart(4, '0')}`);

test('kinesis-edge/producer/deferred in a module service worker (where kinesis-edge/producer cannot be imported): records put there arrive', async () => {
  const stream = 'from-service-worker';
  assert.equal((await post(engine.url, 'Kinesis_20131202.CreateStream', { StreamName: stream, ShardCount: 2 })).status, 200);
  const { errors, ...result } = await resultOf(browser, origin, `/test/browser/fixtures/deferred-sw.html?endpoint=${encodeURIComponent(`${engine.url}/`)}&stream=${stream}&n=300`);
  assert.equal(result.failure, undefined, result.failure);
  // Kept in IndexedDB until acknowledged: nothing left once flushed.
  assert.deepEqual(result, { before: ['NotInitialized', 'NotInitialized', 'NotInitialized', 'NotInitialized'], signed: '200 2 shards, 2 in a uniform map', acknowledged: 300, stored: 0, restored: 0, window: 'undefined', document: 'undefined' });
  assert.deepEqual((await readUserRecords(engine.url, stream)).sort(), want('sw', 300));
  assert.deepEqual(errors, []);
});

test('kinesis-edge/producer/deferred bundled as a classic script (esbuild iife): init(url of the .wasm), then records arrive; init() alone says it needs the URL, and a .wasm that is not there fails with InitFailed', async () => {
  const stream = 'from-classic-script';
  assert.equal((await post(engine.url, 'Kinesis_20131202.CreateStream', { StreamName: stream, ShardCount: 1 })).status, 200);
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}/classic.html`);
  const out = await page.evaluate(
    (args) => window.__run(args),
    { endpoint: `${engine.url}/`, stream, n: 200, wasm: `${origin}/pkg/producer/kinesis_edge_bg.wasm` },
  );
  assert.match(out.missing, /^InitFailed: loading the \.wasm failed: .*HTTP 404/);
  assert.deepEqual({ ...out, missing: undefined }, { withoutUrl: 'InvalidArgument', missing: undefined, acknowledged: 200 });
  assert.deepEqual((await readUserRecords(engine.url, stream)).sort(), want('classic', 200));
  assert.deepEqual(errors, []);
  await page.close();
});

test('kinesis-edge/engine/deferred in a module service worker: the page\'s producer sends to it as to Kinesis (an offline stream, signatures checked), and reads back what it put', async () => {
  // (Not resultOf: the page's unsigned request is answered 400 on purpose,
  // which the console reports; page errors are what must not happen.)
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}/test/browser/fixtures/engine-sw.html`);
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 });
  const result = await page.evaluate(() => window.__result);
  assert.equal(result.failure, undefined, result.failure);
  assert.deepEqual(result, { before: 'NotInitialized', acknowledged: 300, got: want('offline', 300), unsigned: 'MissingAuthenticationTokenException' });
  assert.deepEqual(errors, []);
  await page.close();
});
