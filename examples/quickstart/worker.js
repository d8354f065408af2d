// worker.js: a module Web Worker that produces too. It says when it is
// ready: messages sent while its imports load (the .wasm) may be lost.
import { Producer } from 'kinesis-edge/producer';

let producer;
self.onmessage = async ({ data }) => {
  producer ??= new Producer({
    streamName: 'clicks',
    region: 'us-east-1',
    endpoint: data.endpoint,
    credentials: async () => ({ accessKeyId: 'local', secretAccessKey: 'local' }),
  });
  const result = await producer.put(JSON.stringify({ type: data.type, at: Date.now() }), { partitionKey: data.sessionId });
  self.postMessage(result);
};
self.postMessage({ ready: true });
