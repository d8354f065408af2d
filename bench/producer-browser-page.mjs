// Runs in headless Chromium: the producer's client-side cost in a page, as
// bench/producer.mjs measures it in Node (500 records to an encoded, signed
// PutRecords request; a transport that answers at once), interleaved with
// the AWS SDK's browser build.
import { Producer } from '/pkg/browser.js';
import { __setBodyHasher } from '/pkg/producer.js';
import { Producer as LeanProducer } from '/pkg/producer/browser.js';
import { KinesisClient, PutRecordsCommand } from '/bench/producer-peers.js';
import { compare, formatTable, putRecordsAnswer as answerFor, OK_HEADERS as okHeaders } from '/bench/harness.mjs';

const rounds = Number(new URLSearchParams(location.search).get('rounds') ?? 5);
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const fakeFetch = async () => new Response(answerFor(500), { status: 200, headers: okHeaders });
const sdkHandler = {
  async handle() {
    return { response: { statusCode: 200, headers: okHeaders, body: answerFor(500) } };
  },
  updateHttpClientConfig() {},
  httpHandlerConfigs() {
    return {};
  },
};

// The hasher the page uses by default (WebCrypto, as shipped), and none
// (every body hashed in wasm), switched per call.
const shipped = __setBodyHasher(null, Infinity);
const webCrypto = {
  use(on) {
    if (on) __setBodyHasher(...shipped);
    else __setBodyHasher(null, Infinity);
  },
};

const out = [`Producer in ${navigator.userAgent.match(/(Headless)?Chrome\/[\d.]+/)[0]}: 500 records to a signed PutRecords request (medians of ${rounds} interleaved rounds; ops = 500 records)`, ''];
for (const size of [100, 1024]) {
  const payload = new Uint8Array(size).fill(97);
  const keys = Array.from({ length: 500 }, (_, i) => `session-${i}`);
  const make = (P, aggregation) => new P({
    streamName: 'bench', region: 'us-east-1', credentials, endpoint: 'https://kinesis.us-east-1.amazonaws.com/',
    fetch: fakeFetch, aggregation, rateLimitPercent: 0, lingerMs: 60000, maxInFlight: 64, lifecycle: false,
  });
  const plain = make(Producer, false);
  const wasmOnly = make(Producer, false);
  const lean = make(LeanProducer, false);
  const op = (p, hashed) => async () => {
    webCrypto.use(hashed);
    const all = keys.map((partitionKey) => p.put(payload, { partitionKey }));
    await p.flush();
    await Promise.all(all);
  };
  const sdk = new KinesisClient({ region: 'us-east-1', credentials, requestHandler: sdkHandler, maxAttempts: 1 });
  const sdkRecords = keys.map((k) => ({ PartitionKey: k, Data: payload }));
  const results = await compare(
    [
      ['kinesis-edge Producer', op(plain, true)],
      ['kinesis-edge, wasm hashing only', op(wasmOnly, false)],
      ['kinesis-edge/producer', op(lean, true)],
      ['@aws-sdk/client-kinesis (browser)', () => sdk.send(new PutRecordsCommand({ StreamName: 'bench', Records: sdkRecords }))],
    ],
    { rounds, sliceMs: 300 },
  );
  webCrypto.use(true);
  out.push(formatTable(`${size} B records`, results));
  const ratio = results[0].opsPerSec / results[3].opsPerSec;
  out.push(`  kinesis-edge: ${Math.round(results[0].opsPerSec * 500).toLocaleString('en-US')} records/s, ${ratio.toFixed(2)}× the SDK's browser build`, '');
  for (const p of [plain, wasmOnly, lean]) await p.close();
}
window.__bench = out.join('\n');
