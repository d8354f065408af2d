// cloudflare.js: a Cloudflare Worker that puts one record per request.
// (For pages sending events, see ../cloudflare-worker: a full gateway.)
import { Producer } from 'kinesis-edge/producer';

export default {
  async fetch(request, env, ctx) {
    const producer = new Producer({
      streamName: 'clicks',
      region: env.AWS_REGION,
      endpoint: env.KINESIS_ENDPOINT || undefined, // leave unset to send to AWS
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    });
    const result = await producer.put(await request.text(), { partitionKey: request.headers.get('cf-connecting-ip') ?? 'anonymous' });
    ctx.waitUntil(producer.close());
    return Response.json(result);
  },
};
