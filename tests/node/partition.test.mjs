// Hash keys and shard routing, checked against values computed here with
// Node's own MD5 and BigInt arithmetic (not with kinesis-edge's code).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { hashKeyOf, ShardMap } from '../../pkg/node.js';
import { rng } from '../js/peers.mjs';

const TWO_128 = 1n << 128n;
const md5Key = (key) => BigInt('0x' + createHash('md5').update(key, 'utf8').digest('hex'));

// CreateStream's even split: shard i starts at i * floor(2^128 / n).
const expectedShard = (hashKey, n) => {
  const width = TWO_128 / BigInt(n);
  const i = hashKey / width;
  return Number(i >= BigInt(n) ? BigInt(n - 1) : i);
};

function keys() {
  const random = rng(42);
  const out = ['a', 'k', '0', ' ', 'é', '中', '😀', 'a'.repeat(256), 'é'.repeat(256), '😀'.repeat(256), 'user-1234', 'session/42?x=1'];
  for (let i = 0; i < 2000; i++) {
    let s = '';
    const len = 1 + Math.floor(random() * 256);
    for (let j = 0; j < len; j++) {
      const r = random();
      s += r < 0.7 ? String.fromCharCode(33 + Math.floor(random() * 94)) : r < 0.9 ? String.fromCharCode(0xa1 + Math.floor(random() * 0x2000)) : String.fromCodePoint(0x1f300 + Math.floor(random() * 500));
    }
    out.push(s);
  }
  return out;
}

test('hashKeyOf is MD5 of the UTF-8 key, big-endian, in decimal', () => {
  for (const key of keys()) assert.equal(hashKeyOf(key), md5Key(key).toString(), key);
});

test('partition keys must be 1 to 256 characters (not bytes)', () => {
  assert.throws(() => hashKeyOf(''), { code: 'ValidationException' });
  assert.throws(() => hashKeyOf('a'.repeat(257)), { code: 'ValidationException', message: /less than or equal to 256/ });
  assert.doesNotThrow(() => hashKeyOf('😀'.repeat(256)));
});

test('ShardMap.uniform routes like an even CreateStream split, for many shard counts', () => {
  const all = keys();
  for (const n of [1, 2, 3, 4, 5, 7, 10, 16, 100, 500, 1000, 4096]) {
    const map = ShardMap.uniform(n);
    const shards = map.shards;
    assert.equal(shards.length, n);
    const width = TWO_128 / BigInt(n);
    shards.forEach((s, i) => {
      assert.equal(s.shardId, `shardId-${String(i).padStart(12, '0')}`);
      assert.equal(BigInt(s.startingHashKey), BigInt(i) * width);
      assert.equal(BigInt(s.endingHashKey), i === n - 1 ? TWO_128 - 1n : BigInt(i + 1) * width - 1n);
      // Keys on the boundaries, as explicit hash keys.
      for (const k of [BigInt(s.startingHashKey), BigInt(s.endingHashKey)]) {
        assert.equal(map.shardFor('ignored', k.toString()), s.shardId);
      }
    });
    for (const key of all.slice(0, 300)) {
      assert.equal(map.shardFor(key), shards[expectedShard(md5Key(key), n)].shardId, `${n} shards, key ${key}`);
    }
  }
});

test('ShardMap.fromListShards follows a resharded stream to its open children', () => {
  const half = 1n << 127n;
  const quarter = 1n << 126n;
  const shard = (id, start, end, extra = {}) => ({
    ShardId: `shardId-00000000000${id}`,
    HashKeyRange: { StartingHashKey: String(start), EndingHashKey: String(end) },
    SequenceNumberRange: { StartingSequenceNumber: '49590338271490256608559692538361571095921575989136588802', ...(extra.closed ? { EndingSequenceNumber: '49590338271490256608559692538361571095921575989136588899' } : {}) },
    ...(extra.parent ? { ParentShardId: `shardId-00000000000${extra.parent}` } : {}),
    ...(extra.adjacent ? { AdjacentParentShardId: `shardId-00000000000${extra.adjacent}` } : {}),
  });
  const response = {
    Shards: [
      shard(0, 0n, half - 1n, { closed: true }),
      shard(1, half, TWO_128 - 1n, { closed: true }),
      shard(2, 0n, quarter - 1n, { parent: 0 }),
      shard(3, quarter, half - 1n, { parent: 0, closed: true }),
      shard(4, quarter, TWO_128 - 1n, { parent: 3, adjacent: 1 }),
    ],
  };
  const map = ShardMap.fromListShards(response);
  assert.deepEqual(map.shards.filter((s) => s.open).map((s) => s.shardId), ['shardId-000000000002', 'shardId-000000000004']);
  assert.equal(map.shards[4].adjacentParentShardId, 'shardId-000000000001');
  for (const key of keys().slice(0, 500)) {
    const h = md5Key(key);
    assert.equal(map.shardFor(key), h < quarter ? 'shardId-000000000002' : 'shardId-000000000004');
  }
  assert.equal(ShardMap.fromListShards({ StreamDescription: response }).shards.length, 5);
  const inside = BigInt(map.explicitHashKeyIn('shardId-000000000004', 123n));
  assert.ok(inside >= quarter && inside <= TWO_128 - 1n);
  // Open shards must cover the hash key space exactly.
  assert.throws(() => ShardMap.fromListShards({ Shards: response.Shards.slice(0, 3) }), { code: 'InvalidShardMap' });
  assert.throws(() => ShardMap.fromListShards({}), { code: 'InvalidShardMap' });
});

test('explicit hash keys: AWS pattern and range', () => {
  const map = ShardMap.uniform(2);
  assert.equal(map.shardFor('x', '0'), 'shardId-000000000000');
  assert.equal(map.shardFor('x', (TWO_128 - 1n).toString()), 'shardId-000000000001');
  assert.throws(() => map.shardFor('x', TWO_128.toString()), { code: 'InvalidArgumentException' });
  assert.throws(() => map.shardFor('x', '01'), { code: 'ValidationException' });
  assert.throws(() => map.shardFor('x', '-1'), { code: 'ValidationException' });
  assert.throws(() => ShardMap.uniform(0), { code: 'InvalidArgumentException' });
});
