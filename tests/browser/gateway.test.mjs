// A page sending through the gateway Worker, end to end in real runtimes:
// headless Chromium (kinesis-edge/gateway-client, no AWS credentials in the
// page) → the example gateway in workerd (its origin allowlist naming the
// page's origin: CORS preflights for real) → the engine's HTTP server with
// signature verification on. The browser side keeps its lifecycle flushing
// and its persistence in gateway mode: records put just before pagehide
// arrive through keepalive; records put while the gateway cannot be
// reached survive a reload and all arrive; and at pagehide, what does not
// fit in keepalive's 64 KiB stays in the store for the next visit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, settle } from './browser.mjs';
import { startEngine, startGateway, startProxy, gatewayTo, post, readUserRecords, CREDENTIALS } from '../js/servers.mjs';

const STREAM = 'through-gateway';
let browser, server, origin, engine, gateway, proxy, endpoint;

before(async () => {
  ({ server, origin } = await serve());
  browser = await launch();
  engine = await startEngine(['--no-throttling', '--verify-signatures', `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}`]);
  assert.equal((await post(engine.url, 'Kinesis_20131202.CreateStream', { StreamName: STREAM, ShardCount: 2 })).status, 200);
  gateway = await startGateway([gatewayTo(engine.url, STREAM, { ALLOWED_ORIGINS: origin })]);
  // The page reaches the gateway through a proxy that can cut the network.
  proxy = await startProxy(gateway.urls[0]);
  endpoint = `${proxy.url}/events`;
});

after(async () => {
  await browser?.close();
  server?.close();
  await proxy?.close();
  await gateway?.stop();
  await engine?.stop();
});

/** The events of `run` in the stream (as the gateway enriched them). */
async function arrived(run) {
  return (await readUserRecords(engine.url, STREAM)).map((text) => JSON.parse(text)).filter((e) => e.run === run);
}

// (A page of its own browser context, with its own IndexedDB; `visit` opens
// the fixture again in a page already open.)
async function open(run, extra = '') {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await visit(page, run, extra);
  return { page, errors };
}

async function visit(page, run, extra) {
  await page.goto(`${origin}/test/browser/fixtures/gateway-app-page.html?endpoint=${encodeURIComponent(endpoint)}&run=${run}${extra}`);
  await page.waitForFunction(() => window.__ready === true);
}

/** Asserts that events 0 to n - 1 of `run` all arrived, as put and enriched; returns how many arrived twice. */
function checkAll(got, n, run) {
  const seen = new Set(got.map((e) => e.n));
  const want = Array.from({ length: n }, (_, i) => i);
  assert.deepEqual(want.filter((i) => !seen.has(i)), [], `${run}: every event arrived (gateway log: ${gateway.log().slice(-1500)})`);
  for (const e of got) {
    assert.match(e.pad, /^x+$/, 'as put');
    assert.match(e.eventId, /^[0-9a-f-]{36}$/, 'given an eventId by the gateway');
    assert.ok(!Number.isNaN(Date.parse(e.receivedAt)), 'stamped by the gateway');
  }
  return got.length - seen.size;
}

test('through the gateway: events put just before pagehide arrive through keepalive', async () => {
  const run = 'hide';
  const { page, errors } = await open(run, '&linger=60000');
  assert.equal(await page.evaluate(() => window.__put(200)), 200, 'buffered, not sent: the linger is a minute');
  await page.goto('about:blank'); // pagehide
  const got = await settle(() => arrived(run), 200, 300);
  const duplicates = checkAll(got, 200, run);
  assert.equal(got.length, 200, `${got.length} arrived, ${duplicates} of them duplicates`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('through the gateway: 1,000 events put while it cannot be reached survive a reload (IndexedDB) and all arrive', async () => {
  const run = 'persisted';
  proxy.blocked = true;
  proxy.dropped = 0;
  const { page, errors } = await open(run, `&store=${run}`);
  await page.evaluate(() => window.__put(1000));
  await page.waitForFunction(() => window.__stats().store.stored === 1000, null, { timeout: 30_000 });
  await page.reload();
  await page.waitForFunction(() => window.__ready === true && window.__stats().store.restored === 1000, null, { timeout: 30_000 });
  assert.equal((await arrived(run)).length, 0, 'nothing got through while blocked');
  assert.ok(proxy.dropped > 0, 'the page tried (and its requests were dropped)');
  proxy.blocked = false;
  await page.waitForFunction(() => window.__stats().store.stored === 0, null, { timeout: 60_000 });
  const got = await settle(() => arrived(run), 1000, 300);
  const duplicates = checkAll(got, 1000, run);
  console.log(`persistence through the gateway: 1000 events put, page reloaded, ${got.length - duplicates} arrived, ${duplicates} duplicates`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('through the gateway: at pagehide, what fits in 64 KiB goes through keepalive; the rest stays in IndexedDB and goes on the next visit', async () => {
  const run = 'overflow';
  const first = await open(run, `&store=${run}&linger=60000&pad=200`);
  // 450 events of about 270 bytes: over 64 KiB, under a full request (500
  // events), so at a minute's linger none goes before the page does.
  await first.page.evaluate(() => window.__put(450));
  await first.page.waitForFunction(() => window.__stats().store.stored === 450, null, { timeout: 30_000 });
  assert.equal((await first.page.evaluate(() => window.__stats())).requests, 0, 'nothing sent yet');
  await first.page.goto('about:blank'); // pagehide
  const hidden = await settle(() => arrived(run), 1);
  assert.ok(hidden.length > 0 && hidden.length < 450, `${hidden.length} of 450 arrived through keepalive`);
  assert.deepEqual(hidden.map((e) => e.n).sort((a, b) => a - b), Array.from({ length: hidden.length }, (_, i) => i), 'the oldest first');
  // The next visit: the store holds what did not go, and (their answers
  // having come after the page was gone) most likely what did, and sends it.
  const { page, errors } = first;
  await visit(page, run, `&store=${run}`);
  await page.waitForFunction((min) => window.__stats().store.restored >= min, 450 - hidden.length, { timeout: 30_000 });
  await page.waitForFunction(() => window.__stats().store.stored === 0, null, { timeout: 60_000 });
  const { restored } = (await page.evaluate(() => window.__stats())).store;
  assert.ok(restored >= 450 - hidden.length && restored <= 450, `${restored} restored`);
  const got = await settle(() => arrived(run), 450, 300);
  const duplicates = checkAll(got, 450, run);
  console.log(`pagehide with a store, through the gateway: ${hidden.length} of 450 events through keepalive, ${restored} restored on the next visit; ${duplicates} duplicates`);
  assert.deepEqual(errors, []);
  await page.close();
});
