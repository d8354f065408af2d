// One gateway-mode scenario run alike in Node, a Chromium page and a
// dedicated worker, for `kinesis-edge/gateway-client` (and the main
// entry's `Producer` with `gateway: true`): 600 events to a gateway that
// answers as examples/cloudflare-worker does (`{"accepted": [index…],
// "rejected": [{index, code, message}…]}`), through a `fetch` double, so
// that no server is needed where the test runs. The double refuses events
// without a `sessionId` for good (InvalidEvent), refuses some others as
// throttled (retried), and answers the first request 503 (all of it
// retried). Every event accepted must have reached the "stream" exactly as
// put, none twice unless resent after an answer was lost (none is here).
export async function gatewayScenario(Producer) {
  const stream = [];
  let requests = 0;
  const throttledOnce = new Set();
  const gateway = async (url, init) => {
    requests++;
    if (url !== 'https://events.example/collect') return new Response('not here', { status: 404 });
    if (new Headers(init.headers).get('authorization') !== null) throw new Error('a gateway client signed a request');
    const body = JSON.parse(new TextDecoder().decode(init.body));
    if (requests === 1) {
      return new Response(JSON.stringify({ error: 'Unavailable', message: 'try again' }), { status: 503, headers: { 'content-type': 'application/json' } });
    }
    const accepted = [];
    const rejected = [];
    body.events.forEach((e, index) => {
      if (typeof e.sessionId !== 'string') rejected.push({ index, code: 'InvalidEvent', message: 'sessionId is required' });
      else if (e.n % 7 === 0 && !throttledOnce.has(e.n)) {
        throttledOnce.add(e.n);
        rejected.push({ index, code: 'ProvisionedThroughputExceededException', message: 'Rate exceeded for shard shardId-000000000000' });
      } else {
        accepted.push(index);
        stream.push(e);
      }
    });
    return new Response(JSON.stringify({ accepted, rejected }), { status: accepted.length > 0 ? 200 : 400, headers: { 'content-type': 'application/json' } });
  };
  const events = [];
  const producer = new Producer({
    gateway: true,
    endpoint: 'https://events.example/collect',
    fetch: gateway,
    lingerMs: 10,
    pauseWhenOffline: false,
    onEvent: (e) => events.push(e.type),
  });
  const put = [];
  for (let n = 0; n < 600; n++) put.push({ sessionId: `s-${n % 13}`, n, type: n % 2 ? 'click' : 'view' });
  const results = await Promise.all(put.map((e) => producer.put(JSON.stringify(e))));
  const refused = await producer.put(JSON.stringify({ n: -1 })).then(() => 'accepted', (e) => `${e.code}: ${e.message}`);
  let notJson;
  try {
    await producer.put('not json');
  } catch (e) {
    notJson = e.code;
  }
  await producer.close();
  const stats = producer.stats();
  const byN = new Map(stream.map((e) => [e.n, e]));
  return {
    acknowledged: results.length,
    attempts: Math.max(...results.map((r) => r.attempts)) > 1,
    shardIds: results.some((r) => r.shardId !== undefined),
    arrivedAsPut: put.every((e) => JSON.stringify(byN.get(e.n)) === JSON.stringify(e)),
    duplicates: stream.length - byN.size,
    refused,
    notJson,
    retriedEvents: events.includes('retried'),
    stats: { recordsAcknowledged: stats.recordsAcknowledged, recordsFailed: stats.recordsFailed, throttles: stats.throttles > 0 },
  };
}

/** What every runtime must report. */
export const GATEWAY_EXPECTED = {
  acknowledged: 600,
  attempts: true,
  shardIds: false,
  arrivedAsPut: true,
  duplicates: 0,
  refused: 'InvalidEvent: sessionId is required',
  notJson: 'InvalidEvent',
  retriedEvents: true,
  stats: { recordsAcknowledged: 600, recordsFailed: 1, throttles: true },
};
