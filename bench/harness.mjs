// A small side-by-side benchmark harness that runs anywhere (Node, a page):
// (aws4 and kinesis-edge's signRequest are synchronous and are called so;
// the others return Promises and are awaited one at a time.)
// every round runs each contender for about `slice` ms, rounds interleave
// the contenders so drift on a noisy machine hits all of them alike, each
// round starts one contender further on (whoever runs after another pays
// for its garbage; no contender always goes first), and the result is
// each contender's median ops/s over the rounds.

const now = () => performance.now();

// Runs `fn` n times; a synchronous contender is called as its users call
// it (no await), an asynchronous one is awaited.
async function runBatch(fn, sync, n) {
  if (sync) {
    for (let i = 0; i < n; i++) fn();
  } else {
    for (let i = 0; i < n; i++) await fn();
  }
}

async function timeSlice(fn, sync, sliceMs) {
  // Calibrate the batch so that timer reads are a small part of the slice.
  let batch = 1;
  for (;;) {
    const t0 = now();
    await runBatch(fn, sync, batch);
    const dt = now() - t0;
    if (dt >= sliceMs / 10 || batch >= 1 << 20) return { batch, perOp: dt / batch };
    batch *= 2;
  }
}

export async function compare(contenders, { rounds = 7, sliceMs = 150 } = {}) {
  const samples = new Map(contenders.map(([name]) => [name, []]));
  const batches = new Map();
  const sync = new Map();
  for (const [name, fn] of contenders) {
    const first = fn(); // warm up (JIT, key caches)
    sync.set(name, !(first && typeof first.then === 'function'));
    await first;
    const { perOp } = await timeSlice(fn, sync.get(name), sliceMs);
    batches.set(name, Math.max(1, Math.round(sliceMs / Math.max(perOp, 1e-6))));
  }
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const [name, fn] = contenders[(r + k) % contenders.length];
      const n = batches.get(name);
      const t0 = now();
      await runBatch(fn, sync.get(name), n);
      samples.get(name).push((n * 1000) / (now() - t0));
    }
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  return contenders.map(([name]) => ({ name, opsPerSec: median(samples.get(name)), rounds }));
}

/** The request every signer signs: a Kinesis PutRecords call. */
export const fixture = {
  credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  region: 'us-east-1',
  host: 'kinesis.us-east-1.amazonaws.com',
  headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Kinesis_20131202.PutRecords' },
  date: new Date(Date.UTC(2026, 10, 26, 12)),
  amzDate: '20261126T120000Z',
};

/** A Kinesis PutRecords body of about `bytes` bytes. */
export function putRecordsBody(bytes) {
  const records = [];
  let size = 40;
  let i = 0;
  while (size < bytes) {
    const data = btoa(String(i).padStart(8, '0').repeat(Math.min(125, Math.ceil((bytes - size) / 11))));
    records.push({ Data: data, PartitionKey: `user-${i}` });
    size += data.length + 40;
    i++;
  }
  return JSON.stringify({ StreamName: 'clickstream', Records: records }).slice(0, Math.max(bytes, 60));
}

/** Headers of the service's answers in the producer benchmarks. */
export const OK_HEADERS = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'bench' };

const answers = new Map();
/** The service's answer to a PutRecords of `n` entries, all stored (built once per n). */
export function putRecordsAnswer(n) {
  let a = answers.get(n);
  if (!a) {
    const records = Array.from({ length: n }, (_, i) => ({ SequenceNumber: `4960${String(i).padStart(52, '0')}`, ShardId: 'shardId-000000000000' }));
    a = new TextEncoder().encode(JSON.stringify({ FailedRecordCount: 0, Records: records }));
    answers.set(n, a);
  }
  return a;
}

/**
 * A table of ops/s; each peer's row gives how many times faster each of
 * kinesis-edge's entries (names starting with "kinesis-edge") is.
 */
export function formatTable(title, results) {
  const ours = results.filter((r) => r.name.startsWith('kinesis-edge'));
  const lines = [title];
  for (const r of results) {
    const ratios = ours.includes(r)
      ? ''
      : '   ' + ours.map((o) => `${o.name.replace('kinesis-edge', 'ours').trim() || 'ours'} ${(o.opsPerSec / r.opsPerSec).toFixed(2)}x`).join(', ');
    lines.push(`  ${r.name.padEnd(34)} ${r.opsPerSec.toFixed(0).padStart(9)} ops/s${ratios}`);
  }
  return lines.join('\n');
}
