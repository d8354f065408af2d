// kinesis-edge/clickstream outside a page (a worker or Node has no DOM and
// may have no sessionStorage): custom events still go out as JSON lines,
// and bad input is refused with the package's errors. Clicks and page views
// in a page: tests/browser/clickstream.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clickstream } from '../../pkg/clickstream.js';
import { Producer } from '../../pkg/node.js';
import { ShardEngine } from '../../pkg/engine-node.js';
import { CREDENTIALS } from '../js/servers.mjs';

test('clickstream without a DOM: custom events as JSON lines; bad input refused with InvalidArgument', async () => {
  const engine = new ShardEngine();
  engine.createStream({ streamName: 's', shardCount: 1 });
  const producer = new Producer({ streamName: 's', region: 'us-east-1', credentials: CREDENTIALS, endpoint: 'http://engine.local/', fetch: engine.fetch, lingerMs: 5, lifecycle: false });
  assert.throws(() => clickstream({}), { name: 'KinesisEdgeError', code: 'InvalidArgument', message: /needs a Producer/ });
  const events = clickstream(producer);
  assert.match(events.sessionId, /^[0-9a-f-]{36}$/);
  for (const type of ['', 5, undefined]) {
    assert.throws(() => events.track(type), { code: 'InvalidArgument', message: /event type/ }, String(type));
  }
  const cycle = {};
  cycle.self = cycle;
  for (const props of [{ n: 1n }, cycle]) {
    assert.throws(() => events.track('bad', props), { code: 'InvalidArgument', message: /props must be JSON/ });
  }
  // The schema's props are an object (a number or a list once went out as such).
  for (const props of [5, 'x', [1], null]) {
    assert.throws(() => events.track('bad', props), { code: 'InvalidArgument', message: /props are an object/ }, String(props));
  }
  assert.throws(() => clickstream(producer, { onError: 'log', pageViews: false }), { code: 'InvalidArgument', message: /onError must be a function/ });
  assert.throws(() => clickstream(producer, { selector: 5, pageViews: false }), { code: 'InvalidArgument', message: /selector must be a CSS selector/ });
  assert.throws(() => clickstream(producer, { spa: 'yes', pageViews: false }), { code: 'InvalidArgument', message: /spa must be true or false/ });
  // Without history (Node, a worker), spa asks for nothing it cannot have.
  clickstream(producer, { spa: true, pageViews: false }).stop();
  const { eventId, result } = events.track('add_to_cart', { sku: 'A-1', price: 12.5 });
  await result;
  await producer.close();
  const [shard] = engine.listShards({ streamName: 's' });
  const it = engine.getShardIterator({ streamName: 's', shardId: shard.ShardId, type: 'TRIM_HORIZON' });
  const { deaggregate } = await import('../../pkg/node.js');
  const lines = engine.getRecords({ shardIterator: it }).records
    .flatMap((r) => deaggregate({ partitionKey: r.partitionKey, data: r.data }))
    .map((u) => [u.partitionKey, new TextDecoder().decode(u.data)]);
  // The page view (no document: an empty title) and the custom event; nothing of the refused ones.
  assert.deepEqual(lines.map(([k]) => k), [events.sessionId, events.sessionId]);
  const parsed = lines.map(([, line]) => (assert.ok(line.endsWith('\n')), JSON.parse(line)));
  assert.deepEqual(parsed.map((e) => e.type), ['page_view', 'add_to_cart']);
  assert.deepEqual(parsed[1].props, { sku: 'A-1', price: 12.5 });
  assert.equal(parsed[1].eventId, eventId);
});
