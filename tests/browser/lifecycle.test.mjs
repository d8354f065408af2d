// Page lifecycle in headless Chromium: records put just before the page
// goes away (pagehide, or hidden) reach the engine's HTTP server through
// fetch's keepalive, the oldest first within the 64 KiB that keepalive
// requests share, and so do those of a request the page's going away
// cancelled; offline → online resumes sending; a page's
// Content-Security-Policy with and without 'wasm-unsafe-eval'.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, serve, settle } from './browser.mjs';
import { startEngine, startProxy, post, readUserRecords } from '../js/servers.mjs';

let browser, server, origin, engine;

before(async () => {
  ({ server, origin } = await serve());
  browser = await launch();
  engine = await startEngine(['--no-throttling']);
});

after(async () => {
  await browser?.close();
  server?.close();
  await engine?.stop();
});

async function createStream(name) {
  assert.equal((await post(engine.url, 'Kinesis_20131202.CreateStream', { StreamName: name, ShardCount: 2 })).status, 200);
}

/** What arrived in stream `name` (sorted), once at least `min` records did and 300 ms pass with no more. */
const arrived = (name, min) => settle(async () => (await readUserRecords(engine.url, name)).sort(), min);

async function open(stream, extra = '', endpoint = `${engine.url}/`) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}/test/browser/fixtures/lifecycle-page.html?endpoint=${encodeURIComponent(endpoint)}&stream=${stream}${extra}`);
  await page.waitForFunction(() => window.__ready === true);
  // The shard map first (ListShards), as a page that has been open a while.
  await new Promise((r) => setTimeout(r, 300));
  return { page, errors };
}

for (const [aggregation, how] of [['on', 'navigates'], ['off', 'navigates'], ['on', 'closes']]) {
  test(`records put just before pagehide arrive through keepalive (aggregation ${aggregation}; the tab ${how})`, async () => {
    const stream = `hide-${aggregation}-${how}`;
    await createStream(stream);
    const { page, errors } = await open(stream, `&aggregation=${aggregation}`);
    assert.equal(await page.evaluate(() => window.__put(200)), 200, 'buffered, not sent: the linger is a minute');
    if (how === 'closes') await page.close({ runBeforeUnload: true }); // as a user closes it: pagehide
    else await page.goto('about:blank'); // pagehide
    const got = await arrived(stream, 200);
    assert.equal(got.length, 200, `${got.length} of 200 arrived`);
    assert.deepEqual(errors, []);
    if (how !== 'closes') await page.close();
  });
}

test('more than 64 KiB buffered: the oldest that fit go, in order; the rest stays', async () => {
  const stream = 'hide-big';
  await createStream(stream);
  const { page } = await open(stream, '&aggregation=off');
  // 400 records of ~300 bytes: over 64 KiB, under a full batch (a full
  // batch would go at once, whatever the linger).
  await page.evaluate(() => window.__put(400, 300));
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange'))); // visible: nothing happens
  await page.goto('about:blank');
  const got = await arrived(stream, 1);
  assert.ok(got.length > 0 && got.length < 400, `${got.length} arrived`);
  const indexes = got.map((t) => Number(t.split(' ')[1]));
  assert.deepEqual(indexes, Array.from({ length: got.length }, (_, i) => i), 'a prefix of what was put');
  const bytes = got.reduce((n, t) => n + t.length, 0);
  console.log(`keepalive: ${got.length} of 400 records (${bytes} bytes of data) within 64 KiB of request bodies`);
  await page.close();
});

test('a request in flight as the page goes away (its CORS preflight slow) is not lost: its records go again through keepalive', async () => {
  // The engine behind a proxy that answers the first preflight 800 ms late,
  // as a far region does: a page that navigates meanwhile cancels the
  // request before its POST is sent. No store: only the page can send the
  // records again.
  const stream = 'in-flight';
  await createStream(stream);
  // (Only the first: Chromium drops now and then a keepalive request
  // whose own preflight is slow once the page is gone.)
  let preflights = 0;
  const proxy = await startProxy(engine.url, { delayMs: (req) => (req.method === 'OPTIONS' && ++preflights === 1 ? 800 : 0) });
  const { methods } = proxy;
  try {
    // No shard map to wait for (no aggregation, no rate limiter): the
    // records go at once.
    const { page, errors } = await open(stream, '&linger=20&aggregation=off&rate=0', `${proxy.url}/`);
    await page.evaluate(() => window.__put(50));
    for (let i = 0; i < 100 && !methods.includes('OPTIONS'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(methods, ['OPTIONS'], 'the request waits for its preflight');
    await page.goto('about:blank');
    const got = await arrived(stream, 50);
    assert.equal(got.length, 50, `${got.length} of 50 arrived (the proxy saw ${methods.join(', ')})`);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await proxy.close();
  }
});

test('offline: nothing is sent; online: sending resumes, and time offline does not use up the TTL', async () => {
  const stream = 'offline';
  await createStream(stream);
  const page = await browser.newPage();
  const context = page.context();
  let requests = 0;
  page.on('request', (r) => { if (r.method() === 'POST') requests++; });
  await page.goto(`${origin}/test/browser/fixtures/lifecycle-page.html?endpoint=${encodeURIComponent(engine.url + '/')}&stream=${stream}&aggregation=off&linger=10&ttl=1000`);
  await page.waitForFunction(() => window.__ready === true);
  await context.setOffline(true);
  const before = requests;
  await page.evaluate(() => window.__put(50));
  // Offline twice the records' 1 s time to live: they still go once online.
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(requests, before, 'no request while offline');
  await context.setOffline(false);
  const got = await arrived(stream, 50);
  assert.equal(got.length, 50);
  assert.equal((await page.evaluate(() => window.__stats())).recordsExpired, 0);
  await page.close();
});

// A page with a Content-Security-Policy: the .wasm compiles only where
// script-src allows 'wasm-unsafe-eval', and the stream (or gateway) must be
// in connect-src, as the README's Security section says.
for (const allowed of [true, false]) {
  test(`a page whose CSP ${allowed ? 'allows' : 'does not allow'} 'wasm-unsafe-eval': ${allowed ? 'records arrive' : 'the import fails, saying why'}`, async () => {
    const stream = `csp-${allowed}`;
    await createStream(stream);
    // The lifecycle page, served with the policy.
    const csp = `default-src 'self'; img-src data:; script-src 'self' 'unsafe-inline'${allowed ? " 'wasm-unsafe-eval'" : ''}; connect-src 'self' ${engine.url}`;
    const html = readFileSync(new URL('fixtures/lifecycle-page.html', import.meta.url), 'utf8');
    const site = await serve({ '/csp.html': ['text/html', html, { 'content-security-policy': csp }] });
    const page = await browser.newPage();
    try {
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.goto(`${site.origin}/csp.html?endpoint=${encodeURIComponent(engine.url + '/')}&stream=${stream}&aggregation=off&linger=10`);
      if (allowed) {
        await page.waitForFunction(() => window.__ready === true);
        await page.evaluate(() => window.__put(5));
        assert.equal((await arrived(stream, 5)).length, 5, errors.join('\n'));
        assert.deepEqual(errors, []);
      } else {
        await new Promise((r) => setTimeout(r, 1000));
        assert.equal(await page.evaluate(() => window.__ready === true), false);
        assert.ok(errors.some((e) => /wasm-unsafe-eval|WebAssembly/i.test(e)), errors.join('\n'));
      }
    } finally {
      await page.close();
      site.server.close();
    }
  });
}
