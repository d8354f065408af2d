// kinesis-edge/gateway-client: the producer built to send only to an
// ingestion gateway (the `gateway-only` feature), for pages with no AWS
// credentials. The same gateway scenario as the main entry's `Producer`
// with `gateway: true` (equal results), and what it refuses. Pages and
// workers: tests/browser/producer.test.mjs; the gateway Worker itself, in
// workerd: tests/workerd/gateway.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from '../../pkg/gateway-client/node.js';
import { Producer as MainProducer } from '../../pkg/node.js';
import { gatewayScenario, GATEWAY_EXPECTED } from '../js/gateway-check.mjs';

test('the gateway client delivers every event accepted, as put, and reports refusals per event', async () => {
  assert.deepEqual(await gatewayScenario(client.Producer), GATEWAY_EXPECTED);
});

test("the main entry's Producer in gateway mode does the same", async () => {
  assert.deepEqual(await gatewayScenario(MainProducer), GATEWAY_EXPECTED);
});

test('it exports a Producer only, and sends nowhere but to a gateway', () => {
  assert.deepEqual(Object.keys(client), ['Producer']);
  const fetch = async () => new Response('{}');
  assert.throws(() => new client.Producer({ gateway: false, endpoint: 'https://events.example/', fetch }), {
    code: 'InvalidArgument',
    message: /only to an ingestion gateway.*kinesis-edge\/producer/,
  });
  assert.throws(() => new client.Producer({ streamName: 'clicks', region: 'us-east-1', fetch }), {
    code: 'InvalidArgument',
    message: /gateway's endpoint/,
  });
  // `gateway: true` is taken, as the main entry takes it; a stream name
  // is not used.
  const p = new client.Producer({ gateway: true, streamName: 'ignored', endpoint: 'https://events.example/', fetch });
  return p.close();
});

test("the README's snippet: an endpoint alone is a gateway producer", async () => {
  const bodies = [];
  const fetch = async (url, init) => {
    bodies.push([url, new TextDecoder().decode(init.body)]);
    return new Response(JSON.stringify({ accepted: [0], rejected: [] }), { headers: { 'content-type': 'application/json' } });
  };
  const producer = new client.Producer({ endpoint: 'https://kinesis-edge-gateway.you.workers.dev/events', fetch });
  const result = await producer.put(JSON.stringify({ sessionId: 's-1', type: 'click', target: '#buy' }));
  await producer.close();
  assert.deepEqual(result, { attempts: 1 });
  assert.deepEqual(bodies, [['https://kinesis-edge-gateway.you.workers.dev/events', '{"events":[{"sessionId":"s-1","type":"click","target":"#buy"}]}']]);
});
