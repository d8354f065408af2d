// kinesis-edge/clickstream in headless Chromium: page views, clicks on
// tracked elements (and only those), custom events, as JSON lines through
// the producer into the in-tab engine, partitioned by a session id that a
// reload keeps (sessionStorage).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve } from './browser.mjs';

let browser, server, origin;

before(async () => {
  ({ server, origin } = await serve());
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('page views, clicks and custom events arrive as JSON lines, one session per tab', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}/test/browser/fixtures/clickstream-page.html`);
  await page.waitForFunction(() => window.__ready === true);
  await page.click('#buy');
  await page.click('#inner');
  await page.click('#untracked');
  const customId = await page.evaluate(() => window.__custom());
  const { out, session } = await page.evaluate(() => window.__read());
  assert.match(session, /^[0-9a-f-]{36}$/);
  const events = out.map(({ key, line }) => {
    assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'), 'one JSON line');
    assert.equal(key, session, 'partitioned by the session id');
    return JSON.parse(line);
  });
  const byType = (t) => events.filter((e) => e.type === t);
  assert.equal(events.length, 4, JSON.stringify(events));
  assert.equal(byType('page_view').length, 1);
  assert.equal(byType('page_view')[0].title, 'Shop');
  assert.deepEqual(byType('click').map((e) => e.target).sort((a, b) => a.tag.localeCompare(b.tag)), [
    { tag: 'a', id: null, text: 'nav-home', selector: '[data-track]' },
    { tag: 'button', id: 'buy', text: 'Buy now', selector: '[data-track]' },
  ]);
  const [custom] = byType('add_to_cart');
  assert.equal(custom.eventId, customId);
  assert.deepEqual(custom.props, { sku: 'A-1', price: 12.5 });
  for (const e of events) {
    assert.equal(e.v, 1);
    assert.equal(e.sessionId, session);
    assert.match(e.eventId, /^[0-9a-f-]{36}$/);
    assert.ok(Math.abs(Date.parse(e.timestamp) - Date.now()) < 60_000, e.timestamp);
    assert.equal(e.path, '/test/browser/fixtures/clickstream-page.html');
  }
  assert.equal(new Set(events.map((e) => e.eventId)).size, 4, 'ids are unique');
  // A reload keeps the session.
  await page.reload();
  await page.waitForFunction(() => window.__ready === true);
  const again = await page.evaluate(() => window.__read());
  assert.equal(again.session, session);
  assert.equal(JSON.parse(again.out[0].line).sessionId, session);
  // A selector the page cannot parse is refused at once; it
  // once threw in the page's click handler at every click.
  const refused = await page.evaluate(() => window.__badSelector('button >'));
  assert.deepEqual(refused, { name: 'KinesisEdgeError', code: 'InvalidArgument', message: 'selector must be a CSS selector, got button >' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('single-page apps (spa: true): a page view for each navigation that changes the page (pushState, replaceState, back, a hash route), with the title the app sets; none for an anchor or the same page, none once stopped', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}/test/browser/fixtures/clickstream-page.html?spa`);
  await page.waitForFunction(() => window.__ready === true);
  await page.evaluate(async () => {
    const tick = () => new Promise((r) => setTimeout(r, 30));
    const back = () => new Promise((r) => {
      addEventListener('popstate', r, { once: true });
      history.back();
    });
    history.pushState({}, '', '/shop/a');
    document.title = 'A'; // as a router does once it has rendered the new page
    await tick();
    history.pushState({}, '', '/shop/a'); // the same page
    await tick();
    history.pushState({}, '', '/shop/b');
    history.replaceState({}, '', '/shop/b?tab=2'); // at once: one page view
    document.title = 'B';
    await tick();
    location.hash = '#top'; // an anchor
    await tick();
    await back(); // to /shop/b?tab=2: the same page
    await tick();
    await back(); // to /shop/a
    await tick();
    location.hash = '#/route'; // a hash router's route
    await tick();
    window.__stop();
    history.pushState({}, '', '/shop/c');
    await tick();
  });
  const { out } = await page.evaluate(() => window.__read());
  const views = out.map(({ line }) => JSON.parse(line)).filter((e) => e.type === 'page_view');
  views.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  assert.deepEqual(
    views.map((e) => [new URL(e.url).pathname + new URL(e.url).search + new URL(e.url).hash, e.title]),
    [
      ['/test/browser/fixtures/clickstream-page.html?spa', 'Shop'],
      ['/shop/a', 'A'],
      ['/shop/b?tab=2', 'B'],
      ['/shop/a', 'B'],
      ['/shop/a#/route', 'B'],
    ],
  );
  assert.deepEqual(errors, []);
  await page.close();
});
