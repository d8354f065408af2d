// The producer entry's size. Its budget (issue 5) is 30 KB gzipped, wasm +
// JS, and it is NOT met yet (41.0 KB; the README's Size section says what
// stands in the way). Until it is, this guards against growth: the ceiling
// is the size measured when the entry was built, plus 3 %. Lower it as the
// entry shrinks; never raise it to make a change pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { producerEntrySize, PRODUCER_BUDGET_GZIP } from '../../tools/size.mjs';

const CEILING_GZIP = 42_148; // 40,921 measured + 3 %

test('the producer entry does not grow (and reports its distance to the 30 KB budget)', () => {
  const pkg = new URL('../../pkg/', import.meta.url).pathname;
  const { total, wasm, js } = producerEntrySize(pkg);
  const status = total.gzip <= PRODUCER_BUDGET_GZIP ? 'budget met' : `budget ${PRODUCER_BUDGET_GZIP} B not met: over by ${total.gzip - PRODUCER_BUDGET_GZIP} B`;
  console.log(`producer entry: ${total.gzip} B gzipped (wasm ${wasm.gzip}, JS ${js.gzip}); ${status}`);
  assert.ok(total.gzip <= CEILING_GZIP, `the producer entry grew to ${total.gzip} B gzipped (ceiling ${CEILING_GZIP})`);
});

// kinesis-edge/gateway-client: the producer built to send only to an
// ingestion gateway (no signing, shard prediction, aggregation, or Kinesis
// and Firehose wire formats). It is within the 30 KB budget; this keeps it
// from growing (the same rule: measured plus 3 %, lowered as it shrinks,
// never raised), and checks by name what it leaves out.
const GATEWAY_CLIENT_CEILING_GZIP = 25_339; // 24,601 measured + 3 %

test('the gateway client is within the 30 KB budget and carries no signer, shard map or Kinesis wire format', () => {
  const pkg = new URL('../../pkg/', import.meta.url).pathname;
  const { total, wasm, js } = producerEntrySize(pkg, 'gateway-client');
  console.log(`gateway client: ${total.gzip} B gzipped (wasm ${wasm.gzip}, JS ${js.gzip}); budget ${PRODUCER_BUDGET_GZIP} B`);
  assert.ok(total.gzip <= PRODUCER_BUDGET_GZIP, `the gateway client is ${total.gzip} B gzipped, over the ${PRODUCER_BUDGET_GZIP} B budget`);
  assert.ok(total.gzip <= GATEWAY_CLIENT_CEILING_GZIP, `the gateway client grew to ${total.gzip} B gzipped (ceiling ${GATEWAY_CLIENT_CEILING_GZIP})`);
  const full = readFileSync(new URL('../../pkg/producer/kinesis_edge_bg.wasm', import.meta.url));
  const lean = readFileSync(new URL('../../pkg/gateway-client/kinesis_edge_bg.wasm', import.meta.url));
  // SigV4's algorithm and scope, the Kinesis and Firehose targets, and
  // ListShards' result: in the producer's .wasm, not in this one.
  for (const word of ['AWS4-HMAC-SHA256', 'aws4_request', 'Kinesis_20131202', 'Firehose_20150804', 'HashKeyRange']) {
    assert.ok(full.includes(word), `${word} is not in the producer's .wasm: the check would prove nothing`);
    assert.ok(!lean.includes(word), `${word} is in the gateway client's .wasm`);
  }
});

test('the producer .wasm exports the producer and nothing of the main build or the engine', async () => {
  const bytes = readFileSync(new URL('../../pkg/producer/kinesis_edge_bg.wasm', import.meta.url));
  const names = WebAssembly.Module.exports(await WebAssembly.compile(bytes)).map((e) => e.name);
  assert.ok(names.some((n) => n.startsWith('__producer')), names.join(', '));
  assert.deepEqual(names.filter((n) => /sign$|shardmap|aggregate|engine/i.test(n) && !n.startsWith('__producer')), []);
});

for (const entry of ['producer', 'gateway-client']) test(`the ${entry} .wasm imports nothing (its loader, js/producer/kinesis_edge.js, provides nothing) and exports what producer.js calls, no more`, async () => {
  const bytes = readFileSync(new URL(`../../pkg/${entry}/kinesis_edge_bg.wasm`, import.meta.url));
  const module = await WebAssembly.compile(bytes);
  assert.deepEqual(WebAssembly.Module.imports(module), []);
  const names = WebAssembly.Module.exports(module).map((e) => e.name).sort();
  assert.deepEqual(names, ['__producerCall', '__producerFree', '__producerIo', '__producerNew', 'memory']);
});

// Issue 6: persistence and the clickstream helpers cost a page nothing
// unless it imports them. The entries' bundles (what a page loads) import
// no other module and hold none of their code: the words below are in
// those modules (checked, so the test cannot pass by looking for nothing).
for (const entry of ['producer', 'gateway-client']) test(`the ${entry} bundle holds neither persistence nor the clickstream helpers`, () => {
  const read = (p) => readFileSync(new URL(`../../pkg/${p}`, import.meta.url), 'utf8');
  const bundle = read(`${entry}/browser.js`);
  // (Static or dynamic imports; not `import.meta`, nor the word in a message.)
  const imports = bundle.match(/\bimport\s*(\(|\{|\*|["']|[\w$]+\s+from\b)/);
  assert.equal(imports, null, `a page loads the entry as one module: ${imports?.[0]}`);
  for (const [module, word] of [['persistence.js', 'indexedDB'], ['clickstream.js', 'sessionStorage']]) {
    assert.ok(read(module).includes(word), `${word} is not in ${module}: the check would prove nothing`);
    assert.ok(!bundle.includes(word), `${word} (${module}) is in the ${entry} bundle`);
  }
});
