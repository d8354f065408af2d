// The tutorial: one in-tab shard engine, the real producer and the package's
// public API, nothing else. Each step keeps the code it runs in its "The
// code" panel, written from the same values the page uses.
import { Producer, FirehoseProducer, ShardMap, hashKeyOf, deaggregate } from '/pkg/browser.js';
import { ShardEngine } from '/pkg/engine-browser.js';
import { clickstream, sessionId } from '/pkg/clickstream.js';
import { drawHashBar, drawLineage, drawCharts, position, shortId } from './draw.js';

const $ = (id) => document.getElementById(id);
const STREAM = 'tutorial';
const DELIVERY = 'tutorial-delivery';
const BUCKET = 'tutorial-bucket';
// Any URL does: requests go to the engine through its fetch, never to the network.
const ENDPOINT = 'http://engine.local/';
// The engine does not check signatures unless asked, but the producer signs
// every request as it would for AWS.
const CREDENTIALS = { accessKeyId: 'AKIDTUTORIAL', secretAccessKey: 'the-in-tab-engine-needs-no-secret' };
// A shard's write limits (REFERENCE.md: 1,000 records/s and 1 MiB/s).
const LIMIT_RECORDS = 1000;
const LIMIT_BYTES = 1024 * 1024;
const CHART_SECONDS = 30;
const SAMPLE_KEYS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];

// The engine's clock runs with the tab's, plus what "Skip" buttons add.
let skew = 0;
// A tab left producing at full speed keeps at most 16 MiB a shard (the
// oldest records go first).
// A reshard takes time, as on AWS (seconds to minutes there): the stream is
// UPDATING for this long, and the change is made when it ends.
const RESHARD_MS = 2000;
const engine = new ShardEngine({ now: () => Date.now() + skew, seed: 2026, maxBytesPerShard: 16 * 1024 * 1024, updateDelayMs: RESHARD_MS });
const engineNow = () => Date.now() + skew;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const fmt = (n) => Number(n).toLocaleString('en-US');
const errorText = (e) => `${e?.code ?? e?.name ?? 'Error'}: ${e?.message ?? e}`;

function showError(id, e) {
  const p = $(id);
  if (e === undefined) {
    p.hidden = true;
    p.textContent = '';
  } else {
    p.hidden = false;
    p.textContent = errorText(e);
  }
}

/** A table row of these cells (text or elements). */
function tableRow(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    td.append(c);
    tr.append(td);
  }
  return tr;
}

/** Orders shards by where their hash key range starts. */
const byStart = (a, b) => (BigInt(a.startingHashKey) < BigInt(b.startingHashKey) ? -1 : 1);

/** The stream's shards, open and closed, with their lineage (ShardMap's view of ListShards). */
const shardMap = () => ShardMap.fromListShards(engine.listShards({ streamName: STREAM }));
const openShards = () => shardMap().shards.filter((s) => s.open);

// Calls the engine, retrying what a consumer would retry (read throttling,
// injected 500s) a bounded number of times.
async function patiently(call) {
  for (let attempt = 1; ; attempt++) {
    try {
      return call();
    } catch (e) {
      const retryable = e.code === 'ProvisionedThroughputExceededException' || e.code === 'InternalFailure';
      if (!retryable || attempt >= 40) throw e;
      await sleep(Math.min(1000, 50 * attempt));
    }
  }
}

/**
 * Reads every shard from TRIM_HORIZON as the KCL does: a shard only once all
 * its parents are read to their end. Returns the shards in the order read,
 * each with its Kinesis records.
 */
async function readLineage() {
  const shards = shardMap().shards;
  const ids = new Set(shards.map((s) => s.shardId));
  const parentsOf = (s) => [s.parentShardId, s.adjacentParentShardId].filter((p) => p && ids.has(p));
  const done = new Set();
  const order = [];
  while (done.size < shards.length) {
    const ready = shards
      .filter((s) => !done.has(s.shardId) && parentsOf(s).every((p) => done.has(p)))
      .sort(byStart);
    for (const s of ready) {
      const records = [];
      let iterator = await patiently(() => engine.getShardIterator({ streamName: STREAM, shardId: s.shardId, type: 'TRIM_HORIZON' }));
      let children = [];
      while (iterator) {
        const out = await patiently(() => engine.getRecords({ shardIterator: iterator, limit: 10000 }));
        records.push(...out.records);
        children = out.childShards?.map((c) => c.ShardId) ?? children;
        iterator = out.nextShardIterator;
        if (out.records.length === 0 && out.millisBehindLatest === 0 && s.open) break;
      }
      done.add(s.shardId);
      order.push({ shard: s, records, children });
    }
  }
  return order;
}

/** User records of Kinesis records (aggregates opened). */
const userRecords = (records) =>
  records.flatMap((r) => deaggregate({ partitionKey: r.partitionKey, data: r.data, sequenceNumber: r.sequenceNumber }));

// ---- the producer ----------------------------------------------------------
const producerOptions = { aggregation: true, lingerMs: 100, rateLimitPercent: 100, recordTtlMs: 30000 };
let producer;
// Producers replaced by new options, still sending what they hold.
const retiring = new Set();
// The page's counts for the current producer: offers it refused, and
// records it failed for good, by code.
let counts = { refused: 0, failed: 0 };

function makeProducer() {
  const old = producer;
  producer = new Producer({
    streamName: STREAM,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    endpoint: ENDPOINT,
    fetch: engine.fetch,
    // The engine is in the tab: no page-hide flush, and offline is fine.
    lifecycle: false,
    pauseWhenOffline: false,
    // About a second of the heaviest load: past it, offer() refuses (BufferFull) and the page counts it.
    maxBufferedRecords: 5000,
    maxBufferedBytes: 8 * 1024 * 1024,
    ...producerOptions,
  });
  // Counted afresh with it, as its stats() are.
  counts = { refused: 0, failed: 0 };
  // The old one delivers what it holds, then stops.
  if (old) {
    retiring.add(old);
    old.close().catch(() => {}).finally(() => retiring.delete(old));
  }
}

/** Counts a record failed for good against the producer current when it was put. */
const failureCounter = () => {
  const c = counts;
  return () => {
    c.failed++;
  };
};

const producerCode = (extra = '') => `const producer = new Producer({
  streamName: '${STREAM}', region: 'us-east-1', credentials,
  endpoint: '${ENDPOINT}', fetch: engine.fetch, pauseWhenOffline: false,  // the in-tab engine: leave these out to send to AWS
  aggregation: ${producerOptions.aggregation}, lingerMs: ${producerOptions.lingerMs}, rateLimitPercent: ${producerOptions.rateLimitPercent},${extra}
});`;

// ---- 1. streams and shards -------------------------------------------------
let shardCount = 4;

function createStream(count) {
  if (engine.listStreams().includes(STREAM)) engine.deleteStream({ streamName: STREAM, enforceConsumerDeletion: true });
  engine.createStream({ streamName: STREAM, shardCount: count });
  shardCount = count;
  series.clear();
  lastTotals = null;
  previousMap = null;
  read.iterator = undefined;
  if (faultsOn()) applyFaults();
  makeProducer();
  renderAll();
}

function renderStep1() {
  const shards = openShards();
  drawHashBar($('bar-1'), shards);
  $('shards-table').tBodies[0].replaceChildren(...shards.map((s) => {
    const share = ((position(s.endingHashKey) - position(s.startingHashKey)) * 100 + 1e-4).toFixed(1);
    const tr = tableRow([s.shardId, s.startingHashKey, s.endingHashKey, `${share} %`]);
    tr.dataset.shard = s.shardId;
    return tr;
  }));
  $('code-1').textContent = `import { ShardEngine } from 'kinesis-edge/engine';
import { ShardMap } from 'kinesis-edge';

const engine = new ShardEngine();  // Kinesis, in this tab
engine.createStream({ streamName: '${STREAM}', shardCount: ${shardCount} });
const { shards } = ShardMap.fromListShards(engine.listShards({ streamName: '${STREAM}' }));
// → ${shards.length} open shards: ${shards.map((s) => `${s.shardId} [${s.startingHashKey.length > 12 ? `${s.startingHashKey.slice(0, 6)}…` : s.startingHashKey}, …]`).slice(0, 2).join(', ')}${shards.length > 2 ? ', …' : ''}`;
}

$('create-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const n = Number(e.target.elements.shards.value);
  try {
    if (!Number.isInteger(n) || n < 1 || n > 16) throw Object.assign(new Error('choose 1 to 16 shards for this tutorial'), { code: 'InvalidArgumentException' });
    createStream(n);
    showError('create-error');
  } catch (err) {
    showError('create-error', err);
  }
});

// ---- 2. partition keys -----------------------------------------------------
function renderStep2() {
  const key = $('pk').value;
  const explicit = $('ehk').value.trim();
  try {
    const md5 = BigInt(hashKeyOf(key)).toString(16).padStart(32, '0');
    const map = shardMap();
    const shardId = map.shardFor(key, explicit || undefined);
    const hashKey = explicit ? BigInt(explicit).toString() : hashKeyOf(key);
    $('pk-md5').textContent = explicit ? `${md5} (not used: ExplicitHashKey given)` : md5;
    $('pk-hash').textContent = hashKey;
    $('pk-position').textContent = `${(position(hashKey) * 100).toFixed(2)} % of the way through the space`;
    $('pk-shard').textContent = shardId;
    drawHashBar($('bar-2'), openShards(), { markers: [{ hashKey, label: key }], highlight: shardId });
    showError('pk-error');
  } catch (e) {
    $('pk-shard').textContent = '–';
    showError('pk-error', e);
  }
  $('code-2').textContent = `import { hashKeyOf, ShardMap } from 'kinesis-edge';

const shardMap = ShardMap.fromListShards(engine.listShards({ streamName: '${STREAM}' }));
hashKeyOf('${key}');  // MD5 as a 128-bit number: ${$('pk-hash').textContent}
shardMap.shardFor('${key}'${explicit ? `, '${explicit}'` : ''});  // → '${$('pk-shard').textContent}'
engine.putRecord({ streamName: '${STREAM}', partitionKey: '${key}',${explicit ? ` explicitHashKey: '${explicit}',` : ''} data: 'hello' });
// → { shardId: '${$('pk-put').textContent || '…'}', sequenceNumber: '…' }`;
}

// A record with this key, put for real: the service's answer names the shard.
const putOut = $('pk-put');
const putButton = $('pk-put-button');
putButton.addEventListener('click', () => {
  const explicit = $('ehk').value.trim();
  try {
    const out = engine.putRecord({ streamName: STREAM, partitionKey: $('pk').value, explicitHashKey: explicit || undefined, data: `hello from ${$('pk').value}` });
    putOut.textContent = out.shardId;
    showError('pk-error');
  } catch (e) {
    putOut.textContent = '';
    showError('pk-error', e);
  }
  renderStep2();
});
for (const id of ['pk', 'ehk']) $(id).addEventListener('input', () => { putOut.textContent = ''; renderStep2(); });

// ---- 3. produce -------------------------------------------------------------
const series = new Map();
let lastTotals = null;
let clicks = 0;
const SESSION_KEY = 'kinesis-edge-tutorial-session';
const tracked = { put: (data, options) => { clicks++; return producer.put(data, options); } };
const tracking = { selector: '#shop [data-track]', pageViews: false, sessionKey: SESSION_KEY, onError: () => counts.failed++ };
let tracker = clickstream(tracked, tracking);

$('new-visitor').addEventListener('click', () => {
  tracker.stop();
  try { sessionStorage.removeItem(SESSION_KEY); } catch { /* storage may be off */ }
  tracker = clickstream(tracked, tracking);
  renderStep3();
});

// The load generator: `rate` records/s in ticks of 100 ms, offered (never waiting).
let carry = 0;
let reading = 0;
setInterval(() => {
  const rate = Number($('rate').value);
  if (rate === 0 || !producer) return;
  carry += rate / 10;
  const size = Number($('size').value);
  const hot = $('keys').value === 'hot';
  for (; carry >= 1; carry--) {
    const device = hot ? 'device-hot' : `device-${Math.floor(Math.random() * 1000)}`;
    const body = `{"device":"${device}","reading":${++reading},"celsius":${(18 + Math.random() * 8).toFixed(2)}}`;
    const offer = producer.offer(body.padEnd(size, ' '), { partitionKey: device });
    if (offer.accepted) offer.result.catch(failureCounter());
    else counts.refused++;
  }
}, 100);

// Once a second: what each open shard took, from the engine's counters.
function sample() {
  if (!engine.listStreams().includes(STREAM)) return;
  const { shards } = engine.stats({ streamName: STREAM });
  const now = new Map(shards.map((s) => [s.shardId, s]));
  for (const s of shards) {
    if (!s.open) {
      series.delete(s.shardId);
      continue;
    }
    const before = lastTotals?.get(s.shardId);
    const point = before
      ? { records: s.recordsIn - before.recordsIn, bytes: s.bytesIn - before.bytesIn, throttles: s.writeThrottles - before.writeThrottles }
      : { records: 0, bytes: 0, throttles: 0 };
    const list = series.get(s.shardId) ?? [];
    list.push(point);
    if (list.length > CHART_SECONDS) list.shift();
    series.set(s.shardId, list);
  }
  lastTotals = now;
}

function renderStats() {
  if (!producer) return;
  const s = producer.stats();
  const draining = [...retiring].reduce((n, p) => n + p.stats().bufferedRecords, 0);
  const rows = [
    ['Records put', fmt(s.recordsPut)],
    ['Acknowledged', fmt(s.recordsAcknowledged)],
    ['Resent', fmt(s.recordsRetried)],
    ['Throttled by the stream', fmt(s.throttles)],
    ['Buffered', `${fmt(s.bufferedRecords)} (${(s.bufferedBytes / 1024).toFixed(0)} KiB)${draining ? `, and ${fmt(draining)} in producers closing after an option change` : ''}`],
    ['Refused (BufferFull)', fmt(counts.refused)],
    ['Failed or expired', fmt(counts.failed)],
    ['Requests', fmt(s.requests)],
    ['Latency p50 / p99', `${s.latencyMs.p50} / ${s.latencyMs.p99} ms`],
  ];
  for (const id of ['producer-stats', 'fault-stats']) {
    $(id).replaceChildren(...rows.flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      return [dt, dd];
    }));
  }
  const dl = $('producer-stats');
  dl.dataset.acknowledged = s.recordsAcknowledged;
  dl.dataset.retried = s.recordsRetried;
  dl.dataset.throttles = s.throttles;
  dl.dataset.buffered = s.bufferedRecords + draining;
  dl.dataset.draining = retiring.size;
}

function renderStep3() {
  drawCharts($('charts'), series, { limitRecords: LIMIT_RECORDS, limitBytes: LIMIT_BYTES, window: CHART_SECONDS });
  renderStats();
  $('session').textContent = tracker.sessionId;
  $('clicks').textContent = fmt(clicks);
  $('rate-out').textContent = fmt($('rate').value);
  $('linger-out').textContent = $('linger').value;
  $('limit-out').textContent = $('limit').value;
  const rate = Number($('rate').value);
  $('code-3').textContent = `import { Producer } from 'kinesis-edge';
import { clickstream } from 'kinesis-edge/clickstream';

${producerCode()}
// Clicks on the shop's buttons, as JSON lines keyed by the session id:
clickstream(producer, { selector: '#shop [data-track]', pageViews: false });
// Telemetry: ${fmt(rate)} records/s of ${$('size').selectedOptions[0].text}, keyed by device.
const { accepted } = producer.offer(JSON.stringify(reading), { partitionKey: deviceId });`;
}

for (const id of ['rate', 'size', 'keys']) $(id).addEventListener('input', renderStep3);
// Aggregation is switched in steps 3 and 6; both boxes show the one option.
for (const id of ['aggregation', 'f-aggregation']) {
  $(id).addEventListener('change', (e) => {
    producerOptions.aggregation = e.target.checked;
    $('aggregation').checked = $('f-aggregation').checked = e.target.checked;
    makeProducer();
    renderStep3();
    renderStep6();
  });
}
for (const [id, option, value] of [
  ['linger', 'lingerMs', (el) => Number(el.value)],
  ['limit', 'rateLimitPercent', (el) => Number(el.value)],
]) {
  $(id).addEventListener('change', (e) => {
    producerOptions[option] = value(e.target);
    makeProducer();
    renderStep3();
  });
  $(id).addEventListener('input', renderStep3);
}

// ---- 4. consume -------------------------------------------------------------
const read = { iterator: undefined, issuedAt: 0, shardId: '', count: 0, type: '' };

function renderStep4() {
  const select = $('read-shard');
  const shards = shardMap().shards;
  // Rebuilt only when the shards change: this runs every second, and a
  // rebuilt list would close the menu a reader has open.
  const listed = shards.map((s) => `${s.shardId}${s.open ? '' : ' (closed)'}`).join('\n');
  if (select.dataset.listed !== listed) {
    const chosen = select.value;
    select.replaceChildren(...shards.map((s) => new Option(`${s.shardId}${s.open ? '' : ' (closed)'}`, s.shardId)));
    if (shards.some((s) => s.shardId === chosen)) select.value = chosen;
    select.dataset.listed = listed;
  }
  const type = $('read-type').value;
  $('read-seq').disabled = !type.includes('SEQUENCE');
  $('read-ago').disabled = type !== 'AT_TIMESTAMP';
  $('get-records').disabled = !read.iterator;
  if (read.iterator) {
    const age = engineNow() - read.issuedAt;
    const left = 300_000 - age;
    $('read-iterator').textContent = `${read.type} on ${read.shardId}, issued ${Math.round(age / 1000)} s ago, ` +
      (left > 0 ? `expires in ${Math.floor(left / 60000)}:${String(Math.floor((left % 60000) / 1000)).padStart(2, '0')}` : 'expired');
  }
  const args = type.includes('SEQUENCE') ? `, sequenceNumber: '${$('read-seq').value || '…'}'`
    : type === 'AT_TIMESTAMP' ? `, timestamp: new Date(Date.now() - ${Number($('read-ago').value) * 1000})` : '';
  $('code-4').textContent = `import { deaggregate } from 'kinesis-edge';

let iterator = engine.getShardIterator({ streamName: '${STREAM}', shardId: '${select.value}', type: '${type}'${args} });
const { records, nextShardIterator, millisBehindLatest, childShards } =
  engine.getRecords({ shardIterator: iterator, limit: ${$('read-limit').value} });
for (const record of records) {
  for (const user of deaggregate(record)) {  // aggregated records hold many user records
    console.log(user.sequenceNumber, user.subSequenceNumber, user.partitionKey, new TextDecoder().decode(user.data));
  }
}
iterator = nextShardIterator;  // none once a closed shard is read to its end: go on with childShards`;
}

function getIterator(shardId, type) {
  const input = { streamName: STREAM, shardId, type };
  if (type.includes('SEQUENCE')) input.sequenceNumber = $('read-seq').value.trim();
  if (type === 'AT_TIMESTAMP') input.timestamp = new Date(engineNow() - Number($('read-ago').value) * 1000);
  try {
    read.iterator = engine.getShardIterator(input);
    Object.assign(read, { issuedAt: engineNow(), shardId, type, count: 0 });
    $('records-table').tBodies[0].replaceChildren();
    $('read-children').hidden = true;
    $('read-count').textContent = '0';
    $('read-behind').textContent = '–';
    showError('read-error');
  } catch (e) {
    showError('read-error', e);
  }
  renderStep4();
}

$('iterator-form').addEventListener('submit', (e) => {
  e.preventDefault();
  getIterator($('read-shard').value, $('read-type').value);
});
for (const id of ['read-type', 'read-shard', 'read-seq', 'read-ago', 'read-limit']) $(id).addEventListener('input', renderStep4);

$('get-records').addEventListener('click', () => {
  try {
    const out = engine.getRecords({ shardIterator: read.iterator, limit: Number($('read-limit').value) });
    showError('read-error');
    const rows = [];
    for (const r of out.records) {
      for (const u of deaggregate({ partitionKey: r.partitionKey, data: r.data, sequenceNumber: r.sequenceNumber })) {
        const seq = document.createElement('button');
        seq.type = 'button';
        seq.className = 'link';
        seq.title = 'Read from here (AT_SEQUENCE_NUMBER)';
        seq.textContent = r.sequenceNumber;
        seq.addEventListener('click', () => {
          $('read-seq').value = r.sequenceNumber;
          $('read-type').value = 'AT_SEQUENCE_NUMBER';
          renderStep4();
        });
        rows.push(tableRow([seq, u.subSequenceNumber ?? '', u.partitionKey, r.approximateArrivalTimestamp.toISOString().slice(11, 23), decoder.decode(u.data).trimEnd().slice(0, 120)]));
        read.count++;
      }
    }
    const body = $('records-table').tBodies[0];
    body.append(...rows);
    while (body.rows.length > 300) body.deleteRow(0);
    $('read-count').textContent = fmt(read.count);
    $('read-behind').textContent = `${fmt(out.millisBehindLatest)} ms`;
    read.iterator = out.nextShardIterator;
    read.issuedAt = engineNow();
    const kids = $('read-children');
    if (!out.nextShardIterator) {
      kids.hidden = false;
      kids.replaceChildren(`${read.shardId} is closed and read to its end. Its children take over:`);
      for (const c of out.childShards ?? []) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = `Read ${c.ShardId}`;
        b.dataset.child = c.ShardId;
        b.addEventListener('click', () => {
          $('read-shard').value = c.ShardId;
          getIterator(c.ShardId, 'TRIM_HORIZON');
        });
        kids.append(' ', b);
      }
    }
  } catch (e) {
    showError('read-error', e);
  }
  renderStep4();
});

$('skip-time').addEventListener('click', () => {
  skew += 300_001;
  renderAll();
});

// Enhanced fan-out: one registered consumer, one subscription at a time.
const CONSUMER = 'tutorial-dashboard';
const efo = { consumerArn: '', sub: null, shardId: '', events: 0, count: 0, puts: 0, putAt: 0 };

/** The tutorial's consumer, registered on first use (and again if the stream was made anew). */
function efoConsumer() {
  const { streamArn } = engine.describeStreamSummary({ streamName: STREAM });
  const listed = engine.listStreamConsumers({ streamArn }).find((c) => c.consumerName === CONSUMER);
  efo.consumerArn = (listed ?? engine.registerStreamConsumer({ streamArn, consumerName: CONSUMER })).consumerArn;
  return efo.consumerArn;
}

function renderEfo(state) {
  if (state !== undefined) $('efo-state').textContent = state;
  $('efo-consumer').textContent = efo.consumerArn || 'none yet';
  $('efo-events').textContent = fmt(efo.events);
  $('efo-count').textContent = fmt(efo.count);
  $('efo-put').disabled = !efo.sub;
  $('efo-stop').disabled = !efo.sub;
  $('code-4-efo').textContent = `const { streamArn } = engine.describeStreamSummary({ streamName: '${STREAM}' });
const { consumerArn } = engine.registerStreamConsumer({ streamArn, consumerName: '${CONSUMER}' });
const subscription = engine.subscribeToShard(
  { consumerArn, shardId: '${efo.shardId || $('read-shard').value}', startingPosition: { type: 'LATEST' } },
  ({ records, continuationSequenceNumber, millisBehindLatest, childShards }) => {
    for (const record of records) console.log(record.sequenceNumber, new TextDecoder().decode(record.data));
  },
);
await subscription.done;  // after 5 minutes (or the shard's last event once it is closed):
// subscribe again with { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: continuationSequenceNumber }
// Over HTTP the same subscription is AWS's event stream: SubscribeToShardCommand in @aws-sdk/client-kinesis.`;
}

$('efo-subscribe').addEventListener('click', () => {
  const shardId = $('read-shard').value;
  try {
    const consumerArn = efoConsumer();
    const sub = engine.subscribeToShard({ consumerArn, shardId, startingPosition: { type: 'LATEST' } }, (e) => {
      if (efo.sub !== sub) return;
      efo.events++;
      const rows = [];
      for (const r of e.records) {
        for (const u of deaggregate({ partitionKey: r.partitionKey, data: r.data, sequenceNumber: r.sequenceNumber })) {
          rows.push(tableRow([r.sequenceNumber, u.partitionKey, decoder.decode(u.data).trimEnd().slice(0, 120)]));
          efo.count++;
        }
      }
      const body = $('efo-table').tBodies[0];
      body.append(...rows);
      while (body.rows.length > 100) body.deleteRow(0);
      if (rows.length && efo.putAt) {
        $('efo-latency').textContent = `${fmt(Math.max(0, Date.now() - efo.putAt))} ms after the last PutRecord`;
        efo.putAt = 0;
      }
      $('efo-continuation').textContent = e.continuationSequenceNumber;
      renderEfo(e.childShards ? `${shardId} is closed: its last event names its children, ${e.childShards.map((c) => c.ShardId).join(' and ')}` : undefined);
    });
    efo.sub?.cancel();
    Object.assign(efo, { sub, shardId, events: 0, count: 0 });
    $('efo-table').tBodies[0].replaceChildren();
    $('efo-latency').textContent = '–';
    showError('efo-error');
    renderEfo(`subscribed to ${shardId} from LATEST, for 5 minutes`);
    sub.done.then(
      () => { if (efo.sub === sub) { efo.sub = null; renderEfo(`ended (5 minutes passed, or ${shardId} closed): subscribe again to go on`); } },
      (e) => { if (efo.sub === sub) { efo.sub = null; renderEfo(`ended: ${errorText(e)}`); } },
    );
  } catch (e) {
    showError('efo-error', e);
  }
});

$('efo-put').addEventListener('click', () => {
  // An ExplicitHashKey inside the shard's range sends the record there.
  const shard = shardMap().shards.find((s) => s.shardId === efo.shardId);
  try {
    efo.putAt = Date.now();
    engine.putRecord({
      streamName: STREAM,
      partitionKey: 'fan-out',
      explicitHashKey: String(shard?.startingHashKey ?? 0),
      data: JSON.stringify({ pushed: ++efo.puts, at: new Date(engineNow()).toISOString() }),
    });
    showError('efo-error');
  } catch (e) {
    showError('efo-error', e);
  }
});

$('efo-stop').addEventListener('click', () => {
  const sub = efo.sub;
  efo.sub = null;
  sub?.cancel();
  renderEfo('stopped (a new subscription to the same shard waits 5 seconds)');
});
renderEfo();

// ---- 5. reshard -------------------------------------------------------------
let previousMap = null;

function renderStep5() {
  const all = shardMap();
  const open = all.shards.filter((s) => s.open).sort(byStart);
  drawHashBar($('bar-5'), open);
  drawLineage($('lineage'), all.shards);
  const split = $('split-shard');
  const keepSplit = split.value;
  split.replaceChildren(...open.map((s) => new Option(shortId(s.shardId), s.shardId)));
  if (open.some((s) => s.shardId === keepSplit)) split.value = keepSplit;
  const merge = $('merge-pair');
  const keepMerge = merge.value;
  const pairs = [];
  for (let i = 0; i + 1 < open.length; i++) {
    if (BigInt(open[i].endingHashKey) + 1n === BigInt(open[i + 1].startingHashKey)) pairs.push([open[i].shardId, open[i + 1].shardId]);
  }
  merge.replaceChildren(...pairs.map(([a, b]) => new Option(`${shortId(a)} + ${shortId(b)}`, `${a} ${b}`)));
  if (pairs.some(([a, b]) => `${a} ${b}` === keepMerge)) merge.value = keepMerge;
  $('merge').disabled = pairs.length === 0;
  const keys = [...new Set([$('pk').value || 'user-42', ...SAMPLE_KEYS])];
  $('keys-table').tBodies[0].replaceChildren(...keys.map((k) => {
    let now = '–';
    let before = '–';
    try {
      now = all.shardFor(k);
      before = previousMap ? previousMap.shardFor(k) : now;
    } catch { /* an empty key: nowhere */ }
    const tr = tableRow([k, shortId(before), shortId(now)]);
    if (before !== now) tr.className = 'moved';
    return tr;
  }));
  const mid = split.value ? midpoint(open.find((s) => s.shardId === split.value)) : '…';
  const [a, b] = merge.value ? merge.value.split(' ') : ['…', '…'];
  const state = streamState();
  $('reshard-state').textContent = state === 'UPDATING'
    ? `The stream is UPDATING: the change is made when the update ends (${RESHARD_MS / 1000} s here). Until then its shards stay as they are and take writes and reads; another reshard is refused.`
    : `The stream is ${state}${state === 'ACTIVE' ? ': ready to reshard' : ''}.`;
  $('reshard-state').dataset.state = state;
  $('code-5').textContent = `engine.splitShard({ streamName: '${STREAM}', shardToSplit: '${split.value}', newStartingHashKey: '${mid}' });
// The stream is UPDATING until the reshard is made: wait for ACTIVE before the next one.
engine.describeStreamSummary({ streamName: '${STREAM}' }).streamStatus;
engine.mergeShards({ streamName: '${STREAM}', shardToMerge: '${a}', adjacentShardToMerge: '${b}' });
// The producer notices records landing on unexpected shards and fetches the new map (ListShards).
// Readers finish a parent (GetRecords returns childShards, no next iterator) before its children.`;
}

const midpoint = (s) => ((BigInt(s.startingHashKey) + BigInt(s.endingHashKey) + 1n) / 2n).toString();

function reshard(action) {
  const before = shardMap();
  try {
    action();
    previousMap = before;
    showError('reshard-error');
    // Seen as soon as the update ends (the clock's tick would, within a
    // second): renderStatus draws everything again then.
    setTimeout(renderStatus, RESHARD_MS + 50);
  } catch (e) {
    showError('reshard-error', e);
  }
  renderAll();
}

$('split').addEventListener('click', () => reshard(() => {
  const s = openShards().find((x) => x.shardId === $('split-shard').value);
  engine.splitShard({ streamName: STREAM, shardToSplit: s.shardId, newStartingHashKey: midpoint(s) });
}));
$('merge').addEventListener('click', () => reshard(() => {
  const [a, b] = $('merge-pair').value.split(' ');
  engine.mergeShards({ streamName: STREAM, shardToMerge: a, adjacentShardToMerge: b });
}));
for (const id of ['split-shard', 'merge-pair']) $(id).addEventListener('input', renderStep5);

$('read-through').addEventListener('click', async () => {
  const out = $('read-through-out');
  out.replaceChildren();
  $('read-through').disabled = true;
  try {
    const order = await readLineage();
    for (const { shard, records, children } of order) {
      const li = document.createElement('li');
      li.dataset.shard = shard.shardId;
      li.dataset.records = records.length;
      li.textContent = `${shortId(shard.shardId)}${shard.open ? '' : ' (closed)'}: ${fmt(records.length)} records` +
        (children.length ? `, then its children ${children.map(shortId).join(' and ')}` : '');
      out.append(li);
    }
    const total = order.reduce((n, o) => n + o.records.length, 0);
    out.dataset.total = total;
    out.dataset.stored = engine.stats({ streamName: STREAM }).totals.stored;
    const li = document.createElement('li');
    li.className = 'total';
    li.textContent = `${fmt(total)} records read from ${order.length} shards; the stream holds ${fmt(out.dataset.stored)}.`;
    out.append(li);
  } catch (e) {
    out.textContent = errorText(e);
  }
  $('read-through').disabled = false;
});

// ---- 6. faults --------------------------------------------------------------
const faultsOn = () => $('f-on').checked;
const faultValues = () => ({
  recordFailureRate: Number($('f-record').value) / 100,
  requestFailureRate: Number($('f-request').value) / 100,
  latencyMs: Number($('f-latency').value),
});

function applyFaults() {
  engine.setFaults(faultsOn() ? { streamName: STREAM, ...faultValues() } : { streamName: STREAM });
}

const run = { id: 0, acked: [], failed: new Map(), sent: 0, busy: false };

function renderStep6() {
  for (const id of ['f-record', 'f-request', 'f-latency', 'f-ttl']) $(`${id}-out`).textContent = $(id).value;
  $('f-sent').textContent = fmt(run.sent);
  $('f-acked').textContent = fmt(run.acked.length);
  const failedTotal = [...run.failed.values()].reduce((a, b) => a + b, 0);
  $('f-failed').textContent = failedTotal ? `${fmt(failedTotal)} (${[...run.failed].map(([c, n]) => `${c} ${n}`).join(', ')})` : '0';
  if (producer) $('f-retried').textContent = fmt(producer.stats().recordsRetried);
  const f = faultValues();
  $('code-6').textContent = `engine.setFaults(${faultsOn() ? `{ streamName: '${STREAM}', recordFailureRate: ${f.recordFailureRate}, requestFailureRate: ${f.requestFailureRate}, latencyMs: ${f.latencyMs} }` : `{ streamName: '${STREAM}' }  // none`});
${producerCode(` recordTtlMs: ${producerOptions.recordTtlMs},`)}
const results = await Promise.allSettled(records.map((r) => producer.put(r, { partitionKey: r.key })));
// A rejected put says why: e.code === 'RecordExpired', e.attempts, e.lastError.
// Then read every shard back and look for each acknowledged record.`;
}

$('f-on').addEventListener('change', () => { applyFaults(); renderStep6(); });
for (const id of ['f-record', 'f-request', 'f-latency']) {
  $(id).addEventListener('input', () => { if (faultsOn()) applyFaults(); renderStep6(); });
}
$('f-ttl').addEventListener('input', renderStep6);
$('f-ttl').addEventListener('change', () => {
  producerOptions.recordTtlMs = Number($('f-ttl').value) * 1000;
  makeProducer();
  renderStep6();
});

$('send-1000').addEventListener('click', async () => {
  if (run.busy) return;
  Object.assign(run, { id: run.id + 1, acked: [], failed: new Map(), sent: 0, busy: true });
  $('send-1000').disabled = true;
  $('check-stream').disabled = true;
  for (const id of ['f-found', 'f-lost', 'f-dups']) $(id).textContent = '–';
  const records = Array.from({ length: 1000 }, (_, i) => ({ key: `order-${i % 50}`, data: `{"run":${run.id},"order":${i}}` }));
  run.sent = records.length;
  const settled = await Promise.allSettled(records.map((r) => producer.put(r.data, { partitionKey: r.key })));
  const examples = [];
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') run.acked.push(records[i].data);
    else {
      run.failed.set(s.reason.code, (run.failed.get(s.reason.code) ?? 0) + 1);
      if (examples.length < 2) examples.push(`${s.reason.code} after ${s.reason.attempts ?? '?'} attempts (last: ${s.reason.lastError?.code ?? s.reason.message})`);
    }
  });
  $('f-errors').textContent = examples.length ? `For example: ${examples.join('; ')}.` : 'Every record was acknowledged.';
  run.busy = false;
  $('send-1000').disabled = false;
  $('check-stream').disabled = false;
  renderStep6();
});

$('check-stream').addEventListener('click', async () => {
  $('check-stream').disabled = true;
  try {
    const seen = new Map();
    for (const { records } of await readLineage()) {
      for (const u of userRecords(records)) {
        const text = decoder.decode(u.data);
        seen.set(text, (seen.get(text) ?? 0) + 1);
      }
    }
    const found = run.acked.filter((d) => seen.has(d)).length;
    const dups = run.acked.reduce((n, d) => n + Math.max(0, (seen.get(d) ?? 0) - 1), 0);
    $('f-found').textContent = fmt(found);
    $('f-lost').textContent = fmt(run.acked.length - found);
    $('f-dups').textContent = `${fmt(dups)}${dups ? ' (at least once: a lost answer means a resend)' : ''}`;
  } catch (e) {
    $('f-found').textContent = errorText(e);
  }
  $('check-stream').disabled = false;
});

// ---- 7. Firehose ------------------------------------------------------------
let firehose;
let hints = { sizeInMBs: 1, intervalInSeconds: 60 };
let bufferSince = null;
let events = 0;

$('firehose-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = e.target.elements;
  try {
    hints = { sizeInMBs: Number(f.size.value), intervalInSeconds: Number(f.interval.value) };
    if (engine.firehose.listDeliveryStreams().includes(DELIVERY)) engine.firehose.deleteDeliveryStream({ deliveryStreamName: DELIVERY });
    engine.firehose.createDeliveryStream({ deliveryStreamName: DELIVERY, bucket: BUCKET, prefix: 'events/', bufferingHints: hints });
    firehose?.close().catch(() => {});
    firehose = new FirehoseProducer({
      deliveryStreamName: DELIVERY, region: 'us-east-1', credentials: CREDENTIALS,
      endpoint: ENDPOINT, fetch: engine.fetch, delimiter: '\n', lingerMs: 50, lifecycle: false, pauseWhenOffline: false,
    });
    bufferSince = null;
    $('fh-send').disabled = $('fh-send-many').disabled = $('fh-skip').disabled = false;
    $('fh-status').textContent = `${DELIVERY} is ACTIVE: it delivers to ${BUCKET}, after ${hints.sizeInMBs} MiB or ${hints.intervalInSeconds} s.`;
    showError('fh-error');
  } catch (err) {
    showError('fh-error', err);
  }
  renderStep7();
});

async function sendEvents(count) {
  $('fh-send').disabled = $('fh-send-many').disabled = true;
  const batch = Array.from({ length: count }, () => ({
    data: JSON.stringify({ event: ++events, type: ['view', 'click', 'buy'][events % 3], at: new Date(engineNow()).toISOString() }),
  }));
  try {
    await firehose.putMany(batch);
    showError('fh-error');
  } catch (e) {
    showError('fh-error', e);
  }
  $('fh-send').disabled = $('fh-send-many').disabled = false;
  renderStep7();
}
$('fh-send').addEventListener('click', () => sendEvents(100));
$('fh-send-many').addEventListener('click', () => sendEvents(20_000));

$('fh-skip').addEventListener('click', () => {
  skew += 60_000;
  renderAll();
});

function renderStep7() {
  const objects = engine.listBuckets().includes(BUCKET) ? engine.listObjects({ bucket: BUCKET }) : [];
  if (firehose && engine.firehose.listDeliveryStreams().includes(DELIVERY)) {
    const s = engine.firehose.stats({ deliveryStreamName: DELIVERY });
    if (s.bufferedRecords > 0 && bufferSince === null) bufferSince = engineNow();
    if (s.bufferedRecords === 0) bufferSince = null;
    $('fh-buffered').textContent = `${fmt(s.bufferedRecords)} records, ${fmt(s.bufferedBytes)} bytes of ${fmt(s.sizeInBytes)}`;
    $('fh-buffered').dataset.records = s.bufferedRecords;
    $('fh-delivered').textContent = `${fmt(s.deliveredRecords)} records in ${fmt(s.deliveredObjects)} object${s.deliveredObjects === 1 ? '' : 's'}`;
    $('fh-delivered').dataset.records = s.deliveredRecords;
    $('fh-next').textContent = bufferSince === null ? 'nothing buffered'
      : `in about ${Math.max(0, Math.ceil((bufferSince + s.intervalInSeconds * 1000 - engineNow()) / 1000))} s, or when ${fmt(s.sizeInBytes)} bytes are buffered`;
  }
  const list = $('fh-objects');
  if (list.children.length !== objects.length) {
    list.replaceChildren(...objects.map((o) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'link';
      b.textContent = `${o.key} (${fmt(o.records)} records, ${fmt(o.size)} B)`;
      b.addEventListener('click', () => {
        const text = decoder.decode(engine.getObject({ bucket: BUCKET, key: o.key }));
        $('fh-object').textContent = text;
        $('fh-object').dataset.lines = text.split('\n').filter(Boolean).length;
      });
      li.append(b);
      return li;
    }));
  }
  $('code-7').textContent = `import { FirehoseProducer } from 'kinesis-edge';

engine.firehose.createDeliveryStream({ deliveryStreamName: '${DELIVERY}', bucket: '${BUCKET}', prefix: 'events/',
  bufferingHints: { sizeInMBs: ${hints.sizeInMBs}, intervalInSeconds: ${hints.intervalInSeconds} } });
const firehose = new FirehoseProducer({ deliveryStreamName: '${DELIVERY}', region: 'us-east-1', credentials,
  endpoint: '${ENDPOINT}', fetch: engine.fetch, pauseWhenOffline: false, delimiter: '\\n' });
await firehose.putMany(events.map((e) => ({ data: JSON.stringify(e) })));
engine.listObjects({ bucket: '${BUCKET}' });  // then engine.getObject({ bucket, key })`;
}

// ---- the page ---------------------------------------------------------------
// CREATING, ACTIVE, UPDATING or DELETING ('' when there is no stream).
function streamState() {
  return engine.listStreams().includes(STREAM) ? engine.describeStreamSummary({ streamName: STREAM }).streamStatus : '';
}

let shownState = '';
function renderStatus() {
  const state = streamState();
  if (!state) return;
  $('status-state').textContent = state;
  // An update ended: the shards changed.
  if (shownState === 'UPDATING' && state === 'ACTIVE') queueMicrotask(renderAll);
  shownState = state;
  $('status-stream').textContent = STREAM;
  $('status-shards').textContent = openShards().length;
  $('status-records').textContent = fmt(engine.stats({ streamName: STREAM }).totals.stored);
  $('status-clock').textContent = `+${Math.round(skew / 1000)} s`;
}

function renderAll() {
  renderStatus();
  renderStep1();
  renderStep2();
  renderStep3();
  renderStep4();
  renderStep5();
  renderStep6();
  renderStep7();
}

// Guided: one step at a time (the URL's #step-N); sandbox: all at once.
const sections = [...document.querySelectorAll('section.step')];
let current = 1;

function show(step) {
  current = Math.min(sections.length, Math.max(1, step));
  const sandbox = $('sandbox').checked;
  document.body.classList.toggle('sandbox', sandbox);
  for (const s of sections) s.hidden = !sandbox && Number(s.dataset.step) !== current;
  for (const b of document.querySelectorAll('[data-goto]')) {
    if (Number(b.dataset.goto) === current && !sandbox) b.setAttribute('aria-current', 'step');
    else b.removeAttribute('aria-current');
  }
  $('prev').disabled = current === 1;
  $('next').disabled = current === sections.length;
  $('where').textContent = sandbox ? 'Sandbox' : `Step ${current} of ${sections.length}`;
  document.body.dataset.step = sandbox ? 'sandbox' : current;
  renderAll();  // pictures are drawn to the size they are shown at
}

for (const b of document.querySelectorAll('[data-goto]')) {
  b.addEventListener('click', () => {
    $('sandbox').checked = false;
    history.replaceState(null, '', `#step-${b.dataset.goto}`);
    show(Number(b.dataset.goto));
    $(`h${current}`).focus();
  });
}
$('prev').addEventListener('click', () => { history.replaceState(null, '', `#step-${current - 1}`); show(current - 1); });
$('next').addEventListener('click', () => { history.replaceState(null, '', `#step-${current + 1}`); show(current + 1); });
$('sandbox').addEventListener('change', () => show(current));
let resizing;
addEventListener('resize', () => {
  clearTimeout(resizing);
  resizing = setTimeout(renderAll, 100);
});

createStream(4);
$('session').textContent = sessionId(SESSION_KEY);
const fromHash = /^#step-(\d)$/.exec(location.hash);
if (location.hash === '#sandbox') $('sandbox').checked = true;
show(fromHash ? Number(fromHash[1]) : 1);

setInterval(() => {
  sample();
  renderStatus();
  renderStep3();
  renderStep4();
  renderStep6();
  renderStep7();
}, 1000);
document.body.dataset.ready = 'true';
