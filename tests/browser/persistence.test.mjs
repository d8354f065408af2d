// Persistence in headless Chromium (kinesis-edge/persistence, IndexedDB): a
// page puts 1,000 records while its requests to the stream are blocked,
// reloads, and once requests go through again all 1,000 reach the engine's
// HTTP server (read back and compared; duplicates counted: at least once).
// And a full store: 'reject' refuses with StoreFull, 'dropOldest' counts; a
// connection the browser closes refuses the records of that write
// (StoreUnavailable: no put() hangs) and the next write opens it again; a
// write that aborts leaves the store, and its counts, as they were. And
// tabs sharing a store: each sends its own records, and those of a tab
// that is gone are sent by one other tab (Web Locks), none twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve } from './browser.mjs';
import { startEngine, startProxy, post, readUserRecords } from '../js/servers.mjs';

let browser, server, origin, engine, proxy, proxyUrl;

before(async () => {
  ({ server, origin } = await serve());
  browser = await launch();
  engine = await startEngine(['--no-throttling']);
  // The page reaches the engine through a proxy that can cut the network.
  proxy = await startProxy(engine.url);
  proxyUrl = `${proxy.url}/`;
});

after(async () => {
  await browser?.close();
  server?.close();
  await proxy?.close();
  await engine?.stop();
});

const url = (stream, extra = '') => `${origin}/test/browser/fixtures/persist-page.html?endpoint=${encodeURIComponent(proxyUrl)}&stream=${stream}&store=${stream}${extra}`;

for (const where of ['a page', 'a dedicated Web Worker']) test(`1,000 records put while requests are blocked survive a reload and all arrive (${where})`, async () => {
  const worker = where !== 'a page';
  const stream = worker ? 'persisted-worker' : 'persisted';
  assert.equal((await post(engine.url, 'Kinesis_20131202.CreateStream', { StreamName: stream, ShardCount: 2 })).status, 200);
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  proxy.blocked = true;
  proxy.dropped = 0;
  await page.goto(url(stream, worker ? '&worker' : ''));
  await page.waitForFunction(() => window.__ready === true);
  await page.evaluate(() => window.__put(1000));
  await page.waitForFunction(() => window.__stats().store.stored === 1000, null, { timeout: 30_000 });
  await page.reload();
  await page.waitForFunction(() => window.__ready === true && window.__stats().store.restored === 1000, null, { timeout: 30_000 });
  if (!worker) assert.equal(await page.evaluate(() => window.__cursors), 1, 'the reloaded page read the store once');
  assert.equal((await readUserRecords(engine.url, stream)).length, 0, 'nothing got through while blocked');
  assert.ok(proxy.dropped > 0, 'the page tried (and its requests were dropped)');
  proxy.blocked = false;
  await page.waitForFunction(() => window.__stats().store.stored === 0, null, { timeout: 60_000 });
  const got = await readUserRecords(engine.url, stream);
  const unique = new Set(got);
  const want = Array.from({ length: 1000 }, (_, i) => `event ${String(i).padStart(5, '0')}`);
  assert.deepEqual(want.filter((w) => !unique.has(w)), [], 'every record arrived');
  console.log(`persistence (${where}): 1000 records put, page reloaded, ${unique.size} arrived, ${got.length - unique.size} duplicates`);
  if (worker) assert.equal(await page.evaluate(() => window.__workerWindow), 'undefined', 'no window in the worker');
  assert.deepEqual(errors, []);
  await page.close();
});

test('tabs sharing a store: a tab that opens leaves the records of tabs still open to them; those of a tab that is closed are sent by one of the others; none twice', { timeout: 120_000 }, async () => {
  const stream = 'tabs';
  assert.equal((await post(engine.url, 'Kinesis_20131202.CreateStream', { StreamName: stream, ShardCount: 1 })).status, 200);
  // Tabs of one browser profile (each browser.newPage() is a profile of its own).
  const profile = await browser.newContext();
  const tabs = [];
  const open = async () => {
    const page = await profile.newPage();
    tabs.push(page);
    await page.goto(url(stream));
    await page.waitForFunction(() => window.__ready === true);
    return page;
  };
  const kept = async (page) => (await page.evaluate(() => window.__stats())).store;
  const put = async (page, n, tag) => {
    const before = (await kept(page)).stored;
    await page.evaluate(([k, t]) => window.__put(k, t), [n, tag]);
    await page.waitForFunction((want) => window.__stats().store.stored >= want, before + n, { timeout: 30_000 });
  };
  const sent = (pages) => Promise.all(pages.map((page) => page.waitForFunction(() => window.__stats().store.stored === 0, null, { timeout: 60_000 })));
  try {
    // Two tabs open while the stream cannot be reached, then both send.
    proxy.blocked = true;
    const a = await open();
    await put(a, 200, 'a');
    const b = await open();
    await put(b, 100, 'b'); // (puts wait for what the store gives back when it loads)
    assert.equal((await kept(b)).restored, 0, "the tab that opens leaves the open tab's records to it");
    proxy.blocked = false;
    await sent([a, b]);
    // A tab closed with records kept, two tabs open: one of them sends them.
    proxy.blocked = true;
    const c = await open();
    await put(a, 150, 'a-closed');
    // (The others look every 3 s at which tabs hold their store's lock.)
    await new Promise((r) => setTimeout(r, 4000));
    await a.close();
    const taken = async () => (await kept(b)).restored + (await kept(c)).restored;
    for (let i = 0; i < 150 && (await taken()) < 150; i++) await new Promise((r) => setTimeout(r, 100));
    const [byB, byC] = [(await kept(b)).restored, (await kept(c)).restored];
    assert.equal(byB + byC, 150, `the closed tab's 150 records were taken once (b ${byB}, c ${byC})`);
    // A page that came and went between two looks of the others (so none
    // saw its lock held), leaving 60 records and its name in the owners
    // registry, as a store leaves them: written here as that page would
    // have, straight into IndexedDB. They are taken from the registry.
    await b.evaluate(async (name) => {
      const open = (db, store, options) => new Promise((resolve, reject) => {
        const r = indexedDB.open(db, 1);
        r.onupgradeneeded = () => r.result.createObjectStore(store, options);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const write = (db, store, f) => new Promise((resolve, reject) => {
        const tx = db.transaction(store, 'readwrite');
        f(tx.objectStore(store));
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      const records = await open(`kinesis-edge:${name}`, 'records', { autoIncrement: true });
      await write(records, 'records', (s) => {
        for (let i = 0; i < 60; i++) s.add({ data: new TextEncoder().encode(`came-and-went ${String(i).padStart(5, '0')}`), partitionKey: `k${i}`, owner: 'gone-between-looks' });
      });
      const owners = await open(`kinesis-edge-owners:${name}`, 'owners');
      await write(owners, 'owners', (s) => s.put(Date.now(), 'gone-between-looks'));
      records.close();
      owners.close();
    }, stream);
    const takenLater = async () => (await kept(b)).restored + (await kept(c)).restored - 150;
    for (let i = 0; i < 100 && (await takenLater()) < 60; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await takenLater(), 60, 'the records of a page that came and went were taken, once');
    proxy.blocked = false;
    await sent([b, c]);
    const got = await readUserRecords(engine.url, stream);
    const unique = new Set(got);
    const want = [['a', 200], ['b', 100], ['a-closed', 150], ['came-and-went', 60]].flatMap(([t, n]) => Array.from({ length: n }, (_, i) => `${t} ${String(i).padStart(5, '0')}`));
    assert.deepEqual(want.filter((w) => !unique.has(w)), [], 'every record arrived');
    assert.equal(unique.size, want.length);
    assert.equal(got.length - unique.size, 0, 'none twice');
    console.log(`persistence, tabs sharing a store: ${unique.size} records arrived, ${got.length - unique.size} duplicates; the closed tab's 150 taken by the other two (${byB} + ${byC}); the 60 of a page that came and went between looks taken from the owners registry`);
  } finally {
    proxy.blocked = false;
    await profile.close();
  }
});

test('a full store: reject refuses with StoreFull; dropOldest keeps the newest and counts', { timeout: 30_000 }, async () => {
  for (const [onFull, expectCodes, expectDropped] of [['reject', ['ok', 'ok', 'ok', 'StoreFull', 'StoreFull'], 0], ['dropOldest', ['ok', 'ok', 'ok', 'ok', 'ok'], 2]]) {
    const stream = `full-${onFull}`;
    assert.equal((await post(engine.url, 'Kinesis_20131202.CreateStream', { StreamName: stream, ShardCount: 1 })).status, 200);
    const page = await browser.newPage();
    await page.goto(url(stream, `&max=3&onFull=${onFull}`));
    await page.waitForFunction(() => window.__ready === true);
    const codes = await page.evaluate(() => window.__putAndWait(5));
    assert.deepEqual(codes, expectCodes, onFull);
    const stats = await page.evaluate(() => window.__stats());
    assert.equal(stats.store.dropped, expectDropped, onFull);
    await page.close();
  }
});

test('a database connection the browser closes: that write\'s puts reject with StoreUnavailable, and the next write opens it again', { timeout: 30_000 }, async () => {
  const stream = 'store-closed';
  assert.equal((await post(engine.url, 'Kinesis_20131202.CreateStream', { StreamName: stream, ShardCount: 1 })).status, 200);
  const page = await browser.newPage();
  await page.goto(url(stream));
  await page.waitForFunction(() => window.__ready === true);
  assert.deepEqual(await page.evaluate(() => window.__putAndWait(1)), ['ok']);
  // The browser closes the records' connection (site data cleared, storage
  // pressure): its next transaction throws InvalidStateError. (Not the
  // owners registry's, a database of its own.)
  const codes = await page.evaluate((name) => {
    const transaction = IDBDatabase.prototype.transaction;
    IDBDatabase.prototype.transaction = function (...args) {
      if (this.name === name) {
        IDBDatabase.prototype.transaction = transaction;
        this.close();
      }
      return transaction.apply(this, args);
    };
    return window.__putAndWait(2);
  }, `kinesis-edge:${stream}`);
  assert.deepEqual(codes, ['StoreUnavailable', 'StoreUnavailable']);
  assert.deepEqual(await page.evaluate(() => window.__putAndWait(2)), ['ok', 'ok']);
  await page.waitForFunction(() => window.__stats().store.stored === 0, null, { timeout: 10_000 });
  await page.close();
});

test('a write that fails rolls back in IndexedDB and in the counts: the oldest records it dropped are still kept, and still arrive', { timeout: 60_000 }, async () => {
  const stream = 'store-rollback';
  assert.equal((await post(engine.url, 'Kinesis_20131202.CreateStream', { StreamName: stream, ShardCount: 1 })).status, 200);
  const page = await browser.newPage();
  proxy.blocked = true;
  try {
    await page.goto(url(stream, '&max=3&onFull=dropOldest'));
    await page.waitForFunction(() => window.__ready === true);
    await page.evaluate(() => window.__put(3));
    await page.waitForFunction(() => window.__stats().store.stored === 3, null, { timeout: 10_000 });
    // A full store: the next two puts drop the two oldest records, in the
    // same transaction that adds them, and that transaction aborts (a full
    // disk, a quota): nothing of it may stay, in IndexedDB or in the counts.
    const codes = await page.evaluate(() => {
      const add = IDBObjectStore.prototype.add;
      IDBObjectStore.prototype.add = function (...args) {
        IDBObjectStore.prototype.add = add;
        const r = add.apply(this, args);
        this.transaction.abort();
        return r;
      };
      return window.__putAndWait(2);
    });
    assert.deepEqual(codes, ['StoreUnavailable', 'StoreUnavailable']);
    const { store } = await page.evaluate(() => window.__stats());
    assert.equal(store.stored, 3, 'the three records are still kept');
    assert.equal(store.dropped, 0, 'nothing was dropped');
    await page.reload();
    await page.waitForFunction(() => window.__ready === true && window.__stats().store.restored === 3, null, { timeout: 10_000 });
    proxy.blocked = false;
    await page.waitForFunction(() => window.__stats().store.stored === 0, null, { timeout: 30_000 });
    const got = new Set(await readUserRecords(engine.url, stream));
    for (const want of ['event 00000', 'event 00001', 'event 00002']) assert.ok(got.has(want), `${want} arrived`);
  } finally {
    proxy.blocked = false;
    await page.close();
  }
});
