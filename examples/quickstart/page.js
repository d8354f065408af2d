// page.js: bundled with esbuild or Vite (they ship the .wasm beside it).
// `npx kinesis-edge serve --create-stream clicks` runs a local Kinesis.
// Imported with import(): the click listener is there from the start, and
// a click made while the .wasm loads waits for it instead of being lost.
const endpoint = new URLSearchParams(location.search).get('endpoint') ?? 'http://127.0.0.1:4567/';
const producer = import('kinesis-edge/producer').then(({ Producer }) => new Producer({
  streamName: 'clicks',
  region: 'us-east-1',
  endpoint, // leave out to send to AWS
  // In production: temporary credentials for a role that may only put to
  // this stream (e.g. from Cognito Identity), or a gateway. Never long-term keys.
  credentials: async () => ({ accessKeyId: 'local', secretAccessKey: 'local' }),
}));
const sessionId = crypto.randomUUID();
const status = document.getElementById('status');

document.querySelector('#buy').addEventListener('click', async () => {
  const event = JSON.stringify({ type: 'click', target: 'buy', at: Date.now() });
  const { shardId, sequenceNumber } = await (await producer).put(event, { partitionKey: sessionId });
  status.textContent = `stored in ${shardId} as ${sequenceNumber}`;
});

// The same producer in a Web Worker: no window needed.
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onmessage = (e) => {
  if (e.data.ready) worker.postMessage({ endpoint, sessionId, type: 'view' });
  else status.dataset.worker = e.data.shardId;
};
