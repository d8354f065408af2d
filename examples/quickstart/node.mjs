// node.mjs: `npx kinesis-edge serve --create-stream clicks` runs a local
// Kinesis on http://127.0.0.1:4567/; then `node node.mjs`.
import { Producer } from 'kinesis-edge';

const producer = new Producer({
  streamName: 'clicks',
  region: 'us-east-1',
  endpoint: process.env.KINESIS_ENDPOINT ?? 'http://127.0.0.1:4567/', // leave out to send to AWS
  credentials: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
  },
});

const puts = [];
for (let i = 0; i < 100; i++) {
  puts.push(producer.put(JSON.stringify({ type: 'view', page: `/item/${i}` }), { partitionKey: `session-${i % 7}` }));
}
const results = await Promise.all(puts); // each: { shardId, sequenceNumber, subSequenceNumber?, attempts }
console.log(`${results.length} records stored, the first in ${results[0].shardId} as ${results[0].sequenceNumber}`);
await producer.close();
