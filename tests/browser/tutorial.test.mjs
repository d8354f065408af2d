// The tutorial `make demo` serves (www/), walked step by step in headless
// Chromium by clicking and typing as a reader would: every step's numbers
// and pictures must change as the step says, with no console error and no
// request leaving the page's origin. A screenshot per step goes to
// tests/artifacts/ (not committed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hashKeyOf } from '../../pkg/node.js';
import { launch, serve } from './browser.mjs';

const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));
let browser, server, origin, page;
let hot; // the shard step 3 overloads
const errors = [];
const foreign = [];
const transfers = [];

before(async () => {
  ({ server, origin } = await serve());
  browser = await launch();
  mkdirSync(artifacts, { recursive: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) foreign.push(r.url()); });
  page.on('requestfinished', async (r) => {
    const sizes = await r.sizes();
    const response = await r.response();
    transfers.push({ url: r.url(), bytes: sizes.responseBodySize, encoding: (await response?.headerValue('content-encoding')) ?? '-' });
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

const text = (selector) => page.textContent(selector);
const num = async (selector) => Number((await text(selector)).replace(/[^\d.-]/g, ''));
const shot = (name) => page.screenshot({ path: `${artifacts}tutorial-${name}.png`, fullPage: true });
const visible = () => page.$$eval('section.step', (all) => all.filter((s) => !s.hidden).map((s) => s.dataset.step));
/** Sets a range or number input by keyboard, as a reader would. */
async function slide(selector, key, times = 1) {
  await page.focus(selector);
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
}
async function until(what, check, timeout = 60_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

test('the tutorial loads from its own origin, small, in one step at a time', async () => {
  await page.goto(origin + '/');
  await page.waitForSelector('body[data-ready="true"]');
  assert.deepEqual(await visible(), ['1']);
  assert.match(await text('#status-shards'), /^4$/);
  // What crosses the wire, compressed as tools/serve.mjs (make demo) sends it.
  const bytes = transfers.reduce((n, t) => n + t.bytes, 0);
  const report = `tutorial transfer: ${transfers.length} files, ${bytes} B`;
  console.log(report);
  writeFileSync(`${artifacts}tutorial-transfer.txt`, `${report}\n${transfers.map((t) => `${t.bytes}\t${t.encoding}\t${t.url.slice(origin.length)}`).join('\n')}\n`);
  assert.ok(transfers.some((t) => t.url.endsWith('.wasm') && t.encoding !== '-'), 'wasm is sent compressed');
  // Keyboard: Tab reaches the step buttons and Enter opens a step.
  await page.focus('[data-goto="2"]');
  await page.keyboard.press('Enter');
  assert.deepEqual(await visible(), ['2']);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'h2');
  await page.click('#prev');
  assert.deepEqual(await visible(), ['1']);
  // Once loaded it needs no network: every step below runs offline.
  await page.context().setOffline(true);
});

test('1. creating a stream splits the hash key space evenly', async () => {
  await page.fill('input[name=shards]', '3');
  await page.click('#create-form button[type=submit]');
  assert.equal(await page.$$eval('#bar-1 g[data-shard]', (g) => g.length), 3);
  const rows = await page.$$eval('#shards-table tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.equal(rows.length, 3);
  assert.equal(rows[0][1], '0');
  assert.equal(rows[2][2], (2n ** 128n - 1n).toString());
  for (const r of rows) assert.equal(r[3], '33.3 %');
  for (let i = 0; i + 1 < rows.length; i++) assert.equal(BigInt(rows[i][2]) + 1n, BigInt(rows[i + 1][1]));
  assert.equal(await text('#status-shards'), '3');
  assert.match(await text('#code-1'), /createStream\(\{ streamName: 'tutorial', shardCount: 3 \}\)/);
  // Out of range: a typed error, the stream is untouched.
  await page.fill('input[name=shards]', '0');
  await page.click('#create-form button[type=submit]');
  assert.match(await text('#create-error'), /^InvalidArgumentException: /);
  assert.equal(await text('#status-shards'), '3');
  await page.fill('input[name=shards]', '3');
  await shot('1-streams');
});

test('2. a key lands on the shard the hash bar shows, and the service agrees', async () => {
  await page.click('[data-goto="2"]');
  for (const key of ['user-42', 'checkout', 'ünïcødé ключ']) {
    await page.fill('#pk', key);
    assert.equal(await text('#pk-hash'), hashKeyOf(key));
    const shard = await text('#pk-shard');
    // The highlighted shard on the bar is the one named, and the marker sits inside its range.
    const [hl] = await page.$$eval('#bar-2 g.hl', (g) => g.map((x) => x.dataset.shard));
    assert.equal(hl, shard);
    const row = await page.$eval(`#shards-table tr[data-shard="${shard}"]`, (tr) => [...tr.cells].map((c) => c.textContent));
    const hash = BigInt(hashKeyOf(key));
    assert.ok(BigInt(row[1]) <= hash && hash <= BigInt(row[2]), `${key}: ${hash} not in ${shard}`);
    const at = Number(await page.getAttribute('#bar-2 g.marker', 'data-position'));
    assert.ok(Math.abs(at - Number((hash * 1_000_000n) / 2n ** 128n) / 1e6) < 1e-5);
    await page.click('#pk-put-button');
    assert.equal(await text('#pk-put'), shard, 'PutRecord went where the bar says');
  }
  // An ExplicitHashKey names the hash key: 0 is the first shard's.
  await page.fill('#ehk', '0');
  assert.equal(await text('#pk-shard'), 'shardId-000000000000');
  assert.match(await text('#pk-md5'), /not used/);
  await page.fill('#ehk', (2n ** 128n).toString());
  assert.match(await text('#pk-error'), /^\w+: /);
  await page.fill('#ehk', '');
  await page.fill('#pk', '');
  assert.match(await text('#pk-error'), /^ValidationException: /);
  await page.fill('#pk', 'user-42');
  await shot('2-partition-keys');
});

test('3. produce: clicks and load flow through the producer; past the limit the stream throttles', async () => {
  await page.click('[data-goto="3"]');
  for (const b of await page.$$('#shop [data-track]')) await b.click();
  await until('6 click events', async () => (await num('#clicks')) === 6);
  await until('the clicks acknowledged', async () => Number(await page.getAttribute('#producer-stats', 'data-acknowledged')) >= 6);
  // One hot key, no aggregation, no rate limiter, 5,000 records/s: one shard, far past 1,000 records/s.
  await page.uncheck('#aggregation');
  await page.selectOption('#keys', 'hot');
  await page.selectOption('#size', '100');
  await slide('#limit', 'Home');
  assert.equal(await text('#limit-out'), '0');
  await slide('#rate', 'End');
  assert.equal(await text('#rate-out'), '5,000');
  hot = await until('a throttled shard', () => page.$$eval('#charts figure', (f) => f.find((x) => Number(x.dataset.throttled) > 0)?.dataset.shard));
  await until('the producer resending throttled records', async () => Number(await page.getAttribute('#producer-stats', 'data-retried')) > 0);
  assert.ok(Number(await page.getAttribute('#producer-stats', 'data-throttles')) > 0);
  const perSecond = async () => page.$eval(`#charts figure[data-shard="${hot}"]`, (f) => [Number(f.dataset.records), Number(f.dataset.throttles)]);
  const seconds = async (n) => {
    const out = [];
    for (let i = 0; i < n; i++) {
      await new Promise((ok) => setTimeout(ok, 1000));
      out.push(await perSecond());
    }
    return out;
  };
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const off = await seconds(5);
  await shot('3-produce-throttled');
  // The rate limiter back on at 100 %: the producer holds the shard near its limit instead of being throttled.
  await slide('#limit', 'End');
  await slide('#limit', 'ArrowLeft', 10);
  assert.equal(await text('#limit-out'), '100');
  // (once the producer replaced by the option change has sent what it held, without a limiter)
  await until('the old producer closed', async () => (await page.getAttribute('#producer-stats', 'data-draining')) === '0');
  await new Promise((ok) => setTimeout(ok, 1500));
  const on = await seconds(5);
  const offThrottles = median(off.map(([, t]) => t));
  const onThrottles = median(on.map(([, t]) => t));
  console.log(`hot shard without the rate limiter: ${JSON.stringify(off)}; with it at 100 %: ${JSON.stringify(on)} ([records/s, throttled/s])`);
  assert.ok(offThrottles > 1000, `without a limiter, the stream throttles the producer (${offThrottles}/s)`);
  assert.ok(onThrottles * 10 < offThrottles, `with the limiter, throttling falls tenfold at least (${offThrottles}/s → ${onThrottles}/s)`);
  assert.ok(median(on.map(([r]) => r)) >= 500, 'and the shard still takes records near its limit');
  await slide('#rate', 'Home');
  assert.match(await text('#code-3'), /aggregation: false, lingerMs: 100, rateLimitPercent: 100/);
  await page.check('#aggregation');
});

test('4. consume: iterators of every type, deaggregated records, expiry', async () => {
  await page.click('[data-goto="4"]');
  await page.selectOption('#read-shard', hot);
  await page.selectOption('#read-type', 'TRIM_HORIZON');
  await page.click('#iterator-form button[type=submit]');
  await page.fill('#read-limit', '10');
  await page.click('#get-records');
  // Ten Kinesis records: more rows when some are aggregates (one row per user record).
  const rowCount = await page.$$eval('#records-table tbody tr', (r) => r.length);
  assert.ok(rowCount >= 10, `${rowCount} rows`);
  assert.equal(await num('#read-count'), rowCount);
  assert.match(await text('#read-behind'), /ms$/);
  const first = await page.$$eval('#records-table tbody tr', (r) => r.map((tr) => [...tr.cells].map((c) => c.textContent)));
  // Sequence numbers grow.
  for (let i = 0; i + 1 < first.length; i++) assert.ok(BigInt(first[i][0]) <= BigInt(first[i + 1][0]));
  // The records are the ones produced: telemetry readings (or clicks, or step 2's records) as sent.
  for (const [, , key, , data] of first) assert.match(`${key} ${data}`, /^(device-\S+ \{"device":"device-|\S+ \{"v":1,|[\s\S]+ hello from )/);
  // AT_SEQUENCE_NUMBER from a clicked row starts there.
  await page.click('#records-table tbody tr:nth-child(5) button.link');
  assert.equal(await page.inputValue('#read-type'), 'AT_SEQUENCE_NUMBER');
  await page.click('#iterator-form button[type=submit]');
  await page.click('#get-records');
  assert.equal(await text('#records-table tbody tr:first-child td:first-child'), first[4][0]);
  // LATEST: nothing until something new arrives (once the producer has sent all it holds).
  await until('the producer drained', async () => (await page.getAttribute('#producer-stats', 'data-buffered')) === '0');
  await page.selectOption('#read-type', 'LATEST');
  await page.click('#iterator-form button[type=submit]');
  await page.click('#get-records');
  assert.equal(await num('#read-count'), 0);
  assert.match(await text('#read-behind'), /^0 ms$/);
  // AT_TIMESTAMP an hour back reads from the oldest.
  await page.selectOption('#read-type', 'AT_TIMESTAMP');
  await page.fill('#read-ago', '3600');
  await page.click('#iterator-form button[type=submit]');
  await page.click('#get-records');
  assert.equal(await text('#records-table tbody tr:first-child td:first-child'), first[0][0]);
  await shot('4-consume');
  // A bad sequence number gets the service's error.
  await page.selectOption('#read-type', 'AT_SEQUENCE_NUMBER');
  await page.fill('#read-seq', 'not-a-number');
  await page.click('#iterator-form button[type=submit]');
  assert.match(await text('#read-error'), /^(ValidationException|InvalidArgumentException): /);
  // An iterator expires after 5 minutes.
  await page.selectOption('#read-type', 'TRIM_HORIZON');
  await page.click('#iterator-form button[type=submit]');
  assert.match(await text('#read-iterator'), /expires in 4:5\d|expires in 5:00/);
  await page.click('#skip-time');
  assert.match(await text('#read-iterator'), /expired/);
  await page.click('#get-records');
  assert.match(await text('#read-error'), /^ExpiredIteratorException: /);
  assert.match(await text('#status-clock'), /^\+300 s$/);
});

test('4. consume with enhanced fan-out: a subscription is pushed what is put to its shard; subscribing again within 5 s is refused', async () => {
  await page.click('[data-goto="4"]');
  await page.selectOption('#read-shard', hot);
  await page.click('#efo-subscribe');
  assert.match(await text('#efo-state'), new RegExp(`^subscribed to ${hot} from LATEST`));
  assert.match(await text('#efo-consumer'), /^arn:aws:kinesis:us-east-1:000000000000:stream\/tutorial\/consumer\/tutorial-dashboard:\d+$/);
  // The first event comes at once, with no records yet (LATEST) but a continuation point.
  await until('the first event', async () => (await num('#efo-events')) >= 1, 10_000);
  assert.match(await text('#efo-continuation'), /^\d{56}$/);
  const pushed = () => page.$$eval('#efo-table tbody tr', (r) => r.map((tr) => [...tr.cells].map((c) => c.textContent)).filter(([, key]) => key === 'fan-out'));
  for (let i = 0; i < 3; i++) await page.click('#efo-put');
  const rows = await until('three records pushed', async () => ((await pushed()).length === 3 ? pushed() : null), 10_000);
  assert.deepEqual(rows.map(([, , data]) => JSON.parse(data).pushed), [1, 2, 3]);
  for (let i = 0; i + 1 < rows.length; i++) assert.ok(BigInt(rows[i][0]) < BigInt(rows[i + 1][0]), 'in sequence order');
  assert.match(await text('#efo-latency'), /^\d[\d,]* ms after the last PutRecord$/);
  assert.ok((await num('#efo-latency')) < 2000, 'pushed within two seconds of the put');
  // The continuation point follows the last record pushed (or a later idle event's, equal).
  assert.equal(await text('#efo-continuation'), rows[2][0]);
  await shot('4-fan-out');
  // Stop, then subscribe again at once: AWS's 5-second rule.
  await page.click('#efo-stop');
  await page.click('#efo-subscribe');
  assert.match(await text('#efo-error'), /^ResourceInUseException: /);
});

test('5. reshard: split and merge redraw the bar and the lineage, keys move, reading goes through children', async () => {
  await page.click('[data-goto="5"]');
  const keysBefore = await page.$$eval('#keys-table tbody tr', (r) => r.map((tr) => tr.cells[2].textContent));
  await page.selectOption('#split-shard', 'shardId-000000000001');
  const shardsBefore = await text('#status-shards');
  await page.click('#split');
  // The stream is UPDATING for two seconds: nothing changed yet, and another
  // reshard is refused, as AWS refuses it.
  assert.equal(await text('#status-state'), 'UPDATING');
  assert.equal(await page.$eval('#reshard-state', (p) => p.dataset.state), 'UPDATING');
  assert.equal(await text('#status-shards'), shardsBefore);
  await page.click('#merge');
  assert.match(await text('#reshard-error'), /^ResourceInUseException: Stream tutorial under account \d+ not ACTIVE, instead in state UPDATING/);
  // Then the split is made, and the page draws it without being touched.
  await page.waitForFunction(() => document.getElementById('status-state').textContent === 'ACTIVE', null, { timeout: 5000 });
  await page.waitForFunction(() => document.getElementById('reshard-state').dataset.state === 'ACTIVE', null, { timeout: 5000 });
  assert.equal(await text('#status-shards'), '4');
  assert.equal(await page.$$eval('#bar-5 g[data-shard]', (g) => g.length), 4);
  const lineage = await page.$$eval('#lineage g[data-shard]', (g) => g.map((x) => [x.dataset.shard, x.dataset.open, x.dataset.depth]));
  assert.deepEqual(lineage.filter(([, open]) => open === 'false'), [['shardId-000000000001', 'false', '0']]);
  assert.deepEqual(lineage.filter(([, , d]) => d === '1').map(([id]) => id).sort(), ['shardId-000000000003', 'shardId-000000000004']);
  // Every key that was on the split shard moved to one of its children; no other key moved.
  const rows = await page.$$eval('#keys-table tbody tr', (r) => r.map((tr) => [tr.className, ...[...tr.cells].map((c) => c.textContent)]));
  rows.forEach(([cls, , was, now], i) => {
    assert.equal(was, keysBefore[i]);
    assert.equal(cls === 'moved', was === 'shard 1');
    if (was === 'shard 1') assert.ok(now === 'shard 3' || now === 'shard 4');
  });
  // Merge the two children back.
  await page.selectOption('#merge-pair', 'shardId-000000000003 shardId-000000000004');
  await page.click('#merge');
  assert.equal(await text('#reshard-error'), '');
  await page.waitForFunction(() => document.getElementById('status-state').textContent === 'ACTIVE', null, { timeout: 5000 });
  await page.waitForFunction(() => document.getElementById('reshard-state').dataset.state === 'ACTIVE', null, { timeout: 5000 });
  assert.equal(await text('#status-shards'), '3');
  const after = await page.$$eval('#lineage g[data-shard]', (g) => g.map((x) => [x.dataset.shard, x.dataset.open, x.dataset.depth]));
  assert.deepEqual(after.find(([id]) => id === 'shardId-000000000005'), ['shardId-000000000005', 'true', '2']);
  // Only adjacent open shards are offered for merging.
  assert.equal(await page.$$eval('#merge-pair option', (o) => o.length), 2);
  // Reading the lineage: every parent before its children, every stored record read.
  await page.click('#read-through');
  await page.waitForSelector('#read-through-out li.total');
  const order = await page.$$eval('#read-through-out li[data-shard]', (l) => l.map((x) => x.dataset.shard));
  assert.ok(order.indexOf('shardId-000000000001') < order.indexOf('shardId-000000000003'));
  assert.ok(order.indexOf('shardId-000000000003') < order.indexOf('shardId-000000000005'));
  assert.ok(order.indexOf('shardId-000000000004') < order.indexOf('shardId-000000000005'));
  const out = await page.$eval('#read-through-out', (o) => [o.dataset.total, o.dataset.stored]);
  assert.equal(out[0], out[1]);
  assert.ok(Number(out[0]) > 0);
  await shot('5-reshard');
  // Step 4 follows a closed shard into its children.
  await page.click('[data-goto="4"]');
  await page.selectOption('#read-shard', 'shardId-000000000001');
  await page.selectOption('#read-type', 'TRIM_HORIZON');
  await page.click('#iterator-form button[type=submit]');
  await page.fill('#read-limit', '10000');
  await until('the end of the closed shard', async () => {
    await page.click('#get-records');
    return page.isVisible('#read-children button');
  });
  const kids = await page.$$eval('#read-children button', (b) => b.map((x) => x.dataset.child));
  assert.deepEqual(kids.sort(), ['shardId-000000000003', 'shardId-000000000004']);
  await page.click('#read-children button[data-child="shardId-000000000003"]');
  assert.match(await text('#read-iterator'), /TRIM_HORIZON on shardId-000000000003/);
});

test('6. faults: records fail, requests fail, answers lag; nothing acknowledged is lost', async () => {
  await page.click('[data-goto="6"]');
  await page.check('#f-on');
  // Without aggregation, a thousand records are a thousand Kinesis records: about 200 fail at 20 %.
  await page.uncheck('#f-aggregation');
  assert.equal(await page.isChecked('#aggregation'), false);
  assert.match(await text('#code-6'), /recordFailureRate: 0\.2, requestFailureRate: 0\.05, latencyMs: 50/);
  await page.click('#send-1000');
  await page.waitForSelector('#check-stream:not([disabled])', { timeout: 120_000 });
  const acked = await num('#f-acked');
  assert.equal(acked, 1000, `with a 30 s TTL every record gets through (${await text('#f-failed')}; ${await text('#f-errors')})`);
  await until('failed records resent', async () => (await num('#f-retried')) > 0);
  await page.click('#check-stream');
  await until('the check', async () => (await text('#f-lost')) !== '–');
  assert.equal(await num('#f-found'), 1000);
  assert.equal(await text('#f-lost'), '0');
  assert.match(await text('#fault-stats'), /Resent[\d,]+/);
  await shot('6-faults');
  // Most records failing and a 1 s TTL: some expire, and say so; every acknowledged one is still there.
  await slide('#f-record', 'End');
  assert.equal(await text('#f-record-out'), '90');
  await slide('#f-ttl', 'Home');
  assert.equal(await text('#f-ttl-out'), '1');
  await page.click('#send-1000');
  await page.waitForSelector('#check-stream:not([disabled])', { timeout: 120_000 });
  assert.match(await text('#f-failed'), /RecordExpired \d+/);
  assert.match(await text('#f-errors'), /RecordExpired after \d+ attempts/);
  const some = await num('#f-acked');
  await page.click('#check-stream');
  await until('the check', async () => (await text('#f-lost')) !== '–');
  assert.equal(await num('#f-found'), some);
  assert.equal(await text('#f-lost'), '0');
  await page.uncheck('#f-on');
  await slide('#f-ttl', 'End');
});

test('7. Firehose buffers, then delivers objects into the bucket', async () => {
  await page.click('[data-goto="7"]');
  await page.fill('#firehose-form input[name=interval]', '60');
  await page.click('#firehose-form button[type=submit]');
  assert.match(await text('#fh-status'), /ACTIVE/);
  await page.click('#fh-send');
  await page.click('#fh-send');
  await until('200 records buffered', async () => (await page.getAttribute('#fh-buffered', 'data-records')) === '200');
  assert.equal(await page.$$eval('#fh-objects li', (l) => l.length), 0);
  assert.match(await text('#fh-next'), /in about \d+ s/);
  await page.click('#fh-skip');
  await until('an object delivered', async () => (await page.$$('#fh-objects li')).length === 1);
  await page.click('#fh-objects li button');
  assert.equal(await page.getAttribute('#fh-object', 'data-lines'), '200');
  const lines = (await text('#fh-object')).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.event), Array.from({ length: 200 }, (_, i) => i + 1));
  await shot('7-firehose');
  // Past the buffer's size, Firehose delivers without waiting for the interval.
  await page.fill('#firehose-form input[name=interval]', '900');
  await page.click('#firehose-form button[type=submit]');
  const clock = await text('#status-clock');
  await page.click('#fh-send-many');
  await page.waitForSelector('#fh-send-many:not([disabled])', { timeout: 60_000 });
  const [delivered, buffered] = await until('a delivery by size', async () => {
    const d = Number(await page.getAttribute('#fh-delivered', 'data-records'));
    const b = Number(await page.getAttribute('#fh-buffered', 'data-records'));
    return d + b === 20_000 && [d, b];
  });
  // About 62 bytes an event: one 1 MiB object holds some 17,000; the rest waits.
  assert.ok(delivered > 10_000 && buffered > 0, `${delivered} delivered, ${buffered} buffered`);
  assert.equal(await text('#status-clock'), clock, 'no time skipped');
  // A buffer size outside the service's range: its error.
  await page.fill('#firehose-form input[name=size]', '500');
  await page.click('#firehose-form button[type=submit]');
  assert.match(await text('#fh-error'), /^\w+: .*sizeInMBs/);
});

test('sandbox: every step at once; phone-sized screens do not scroll sideways; no console errors, no foreign requests', async () => {
  await page.check('#sandbox');
  assert.deepEqual(await visible(), ['1', '2', '3', '4', '5', '6', '7']);
  await shot('sandbox');
  await page.setViewportSize({ width: 390, height: 844 });
  for (const step of ['1', '3', '5']) {
    await page.uncheck('#sandbox');
    await page.click(`[data-goto="${step}"]`);
    const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scroll <= width, `step ${step} is ${scroll} px wide on a ${width} px screen`);
  }
  await shot('phone');
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
});
