// KPL aggregation interop, both ways, with the npm package aws-kinesis-agg
// (awslabs' deaggregator used in Lambda): our aggregates deaggregate there
// to exactly the input records, and its aggregates deaggregate with ours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { aggregate, deaggregate, encodePutRecords, ShardMap, hashKeyOf } from '../../pkg/node.js';
import { rng } from '../js/peers.mjs';

const require = createRequire(new URL('../package.json', import.meta.url));
const agg = require('aws-kinesis-agg');

function theirDeaggregate(record) {
  let result;
  agg.deaggregateSync(
    {
      partitionKey: record.partitionKey,
      explicitPartitionKey: record.explicitHashKey,
      sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
      data: Buffer.from(record.data).toString('base64'),
    },
    true,
    (err, records) => {
      if (err) throw err;
      result = records;
    },
  );
  return result.map((r) => ({ partitionKey: r.partitionKey, explicitHashKey: r.explicitPartitionKey, data: new Uint8Array(Buffer.from(r.data, 'base64')) }));
}

function theirAggregate(records) {
  return new Promise((resolve, reject) => {
    const out = [];
    agg.aggregate(
      records.map((r) => ({ partitionKey: r.partitionKey, explicitHashKey: r.explicitHashKey, data: Buffer.from(r.data) })),
      (encoded, callback) => {
        out.push({ partitionKey: encoded.partitionKey, explicitHashKey: encoded.explicitHashKey, data: new Uint8Array(encoded.data) });
        callback();
      },
      () => resolve(out),
      (err) => reject(err),
    );
  });
}

function corpus(seed, count, distinctKeys) {
  const random = rng(seed);
  const records = [];
  const unicode = ['é', '中', '😀', 'ß', 'ñ'];
  for (let i = 0; i < count; i++) {
    const k = Math.floor(random() * distinctKeys);
    const partitionKey = `${unicode[k % unicode.length]}-key-${k}`;
    const len = i % 17 === 0 ? 0 : Math.floor(random() * 300);
    const data = new Uint8Array(len);
    for (let j = 0; j < len; j++) data[j] = Math.floor(random() * 256);
    const record = { partitionKey, data };
    if (i % 11 === 3) record.explicitHashKey = String(BigInt(Math.floor(random() * 2 ** 52)) * 75557863725914323419136n);
    records.push(record);
  }
  return records;
}

const strip = (r) => {
  const out = { partitionKey: r.partitionKey, data: Array.from(r.data) };
  if (r.explicitHashKey !== undefined) out.explicitHashKey = r.explicitHashKey;
  return out;
};

for (const [name, records, options] of [
  ['few keys, one shard map', corpus(1, 2000, 5), { shardMap: ShardMap.uniform(1) }],
  ['many distinct keys, 4 shards', corpus(2, 3000, 3000), { shardMap: ShardMap.uniform(4) }],
  ['no shard map', corpus(3, 1000, 3), {}],
  ['small cap', corpus(4, 500, 20), { shardMap: ShardMap.uniform(2), maxBytes: 1000 }],
]) {
  test(`aws-kinesis-agg reads our aggregates back exactly (${name})`, () => {
    const out = aggregate(records, options);
    assert.ok(out.some((o) => o.userRecords > 1), 'something was aggregated');
    const back = [];
    for (const o of out) {
      if (options.maxBytes && o.userRecords > 1) assert.ok(o.data.byteLength <= options.maxBytes);
      const theirs = theirDeaggregate(o);
      assert.equal(theirs.length, o.userRecords);
      back.push(...theirs);
      // The aggregate lands on the shard of every user record in it.
      if (options.shardMap && o.userRecords > 1) {
        const shard = options.shardMap.shardFor(o.partitionKey, o.explicitHashKey);
        for (const u of theirs) assert.equal(options.shardMap.shardFor(u.partitionKey, u.explicitHashKey), shard);
      }
    }
    // Same records; each shard's records keep their input order.
    const key = (r) => JSON.stringify(strip(r));
    assert.deepEqual(back.map(key).sort(), records.map(key).sort());
  });
}

test('we read aws-kinesis-agg aggregates back exactly', async () => {
  for (const records of [corpus(5, 500, 3), corpus(6, 800, 800)]) {
    const theirs = await theirAggregate(records);
    assert.ok(theirs.some((t) => t.data[0] === 0xf3 && t.data[1] === 0x89), 'they aggregated');
    const back = theirs.flatMap((t) => deaggregate(t));
    assert.deepEqual(back.map(strip), records.map(strip));
    assert.deepEqual(deaggregate(theirs[0]).map((u) => u.subSequenceNumber), deaggregate(theirs[0]).map((_, i) => i));
  }
});

test('a lone record and a non-aggregate pass through', () => {
  const lone = aggregate([{ partitionKey: 'k', data: new Uint8Array([1, 2, 3]) }]);
  assert.deepEqual(lone.map(strip), [{ partitionKey: 'k', data: [1, 2, 3] }]);
  assert.equal(lone[0].userRecords, 1);
  const plain = { partitionKey: 'p', explicitHashKey: '7', data: new Uint8Array([0xf3, 0x89, 0x9a, 0xc2, 1, 2]), sequenceNumber: '1' };
  assert.deepEqual(deaggregate(plain), [plain]);
  const tooBig = aggregate([{ partitionKey: 'a', data: new Uint8Array(5000) }, { partitionKey: 'a', data: new Uint8Array(10) }, { partitionKey: 'a', data: new Uint8Array(10) }], { maxBytes: 1000 });
  assert.deepEqual(tooBig.map((o) => o.userRecords), [1, 2]);
  assert.equal(tooBig[0].data.byteLength, 5000);
  assert.equal(hashKeyOf(tooBig[1].partitionKey), hashKeyOf('a'));
});

test('bad input is refused with codes', () => {
  // Data in a transferred buffer reads as empty: refused, not taken as empty.
  const buffer = new ArrayBuffer(4);
  const view = new Uint8Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  for (const data of [buffer, view]) {
    assert.throws(() => aggregate([{ partitionKey: 'a', data }]), { code: 'ValidationException', message: /detached/ });
    assert.throws(() => encodePutRecords({ streamName: 's', records: [{ partitionKey: 'a', data }] }), { code: 'ValidationException', message: /detached/ });
    assert.throws(() => deaggregate({ partitionKey: 'a', data }), { code: 'ValidationException', message: /detached/ });
  }
  assert.deepEqual(aggregate([{ partitionKey: 'a', data: new Uint8Array(0) }]).map((r) => r.data.length), [0]);
  assert.throws(() => aggregate([{ partitionKey: '', data: new Uint8Array() }]), { code: 'ValidationException' });
  assert.throws(() => aggregate([{ partitionKey: 'a', data: 5 }]), { code: 'ValidationException' });
  assert.throws(() => aggregate([{ partitionKey: 'a', data: new Uint8Array(), explicitHashKey: '01' }]), { code: 'ValidationException' });
  assert.throws(() => aggregate([], { maxBytes: 2 ** 21 }), { code: 'InvalidArgumentException' });
  assert.deepEqual(aggregate([]), []);
  for (const key of ['k\u0000', '\u0000', 'a\u0000b']) {
    assert.throws(() => aggregate([{ partitionKey: key, data: new Uint8Array(1) }, { partitionKey: 'z', data: new Uint8Array(1) }]), { code: 'ValidationException' }, JSON.stringify(key));
    assert.throws(() => aggregate([{ partitionKey: 'z', data: new Uint8Array(1) }, { partitionKey: key, data: new Uint8Array(1) }]), { code: 'ValidationException' }, JSON.stringify(key));
  }
});
