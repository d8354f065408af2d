// A device whose clock is hours ahead of the service's, with temporary
// credentials: once the producer has learned the service's clock (from a
// clock-skew answer), it judges their expiration by that clock. Time moves
// here by replacing Date.now, which a producer's clock then keeps to (it
// does not follow a step back): so in a file of its own, a process that
// no other test shares; both entries, each with its own clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Producer as Main } from '../../pkg/node.js';
import { Producer as Lean } from '../../pkg/producer/node.js';
import { ShardEngine } from '../../pkg/engine-node.js';
import { CREDENTIALS } from '../js/servers.mjs';

for (const [entry, Producer] of [['kinesis-edge', Main], ['kinesis-edge/producer', Lean]]) {
  test(`${entry}: on a device whose clock is hours ahead, credentials are judged by the service's clock once the producer has learned it: the provider is not asked again every 10 s`, async () => {
    const realNow = Date.now;
    const ahead = 2 * 60 * 60_000;
    let shift = 0; // time passing, for this device and the service alike
    // The service's clock is two hours behind this device's; it checks
    // signatures (so the first request is refused as signed in the future).
    const engine = new ShardEngine({ throttling: false, now: () => realNow() + shift - ahead, verifySignatures: CREDENTIALS });
    engine.createStream({ streamName: 's', shardCount: 1 });
    let asked = 0;
    const provider = async () => {
      asked++;
      return { ...CREDENTIALS, expiration: new Date(realNow() + shift - ahead + 60 * 60_000) }; // an hour, by the service's clock
    };
    Date.now = () => realNow() + shift;
    try {
      const producer = new Producer({ streamName: 's', region: 'us-east-1', endpoint: 'http://engine.local/', credentials: provider, fetch: engine.fetch, aggregation: false, rateLimitPercent: 0, lingerMs: 0 });
      assert.equal((await producer.put('first', { partitionKey: 'k' })).attempts, 2, "refused once for the clock, then signed by the service's");
      assert.equal(producer.stats().clockCorrections, 1);
      // Beyond the 10 s that credentials stale by this device's clock are used for.
      for (const step of [15_000, 30_000, 60_000]) {
        shift += step;
        assert.equal((await producer.put(`after ${shift}`, { partitionKey: 'k' })).attempts, 1);
      }
      assert.equal(asked, 1, `the provider was asked ${asked} times`);
      // Five minutes before they expire by the service's clock, it is asked again.
      shift += 56 * 60_000;
      assert.equal((await producer.put('near expiry', { partitionKey: 'k' })).attempts, 1);
      await new Promise((r) => setTimeout(r, 50)); // (asked in the background)
      assert.equal(asked, 2, 'asked again near the expiration');
      await producer.close();
    } finally {
      Date.now = realNow;
    }
  });
}
