// A Cloudflare Worker written in TypeScript against the package's
// declarations, compiled by tests/node/types.test.mjs as a Workers project
// is (`@cloudflare/workers-types`, no DOM and no Node types), never run. It
// uses the entries a Worker uses: the producer, signing, and the engine for
// local work. The `@ts-expect-error` lines are mistakes the declarations
// must catch.
import { signRequest, type Credentials, type PutResult, type RecordError } from 'kinesis-edge';
import { Producer } from 'kinesis-edge/producer';
import { Producer as GatewayClient } from 'kinesis-edge/gateway-client';
import { ShardEngine } from 'kinesis-edge/engine';

interface Env {
  STREAM_NAME: string;
  AWS_REGION: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  KINESIS_ENDPOINT?: string;
  UPSTREAM: Fetcher;
}

export default {
  async fetch(request, env, ctx): Promise<Response> {
    const credentials: Credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
    const producer = new Producer({
      streamName: env.STREAM_NAME,
      region: env.AWS_REGION,
      endpoint: env.KINESIS_ENDPOINT,
      credentials,
      // A service binding's fetch, as a Worker may send through one.
      fetch: (input, init) => env.UPSTREAM.fetch(input, init),
      onEvent: (e) => console.log(e.type),
    });
    const country = request.cf?.country ?? 'unknown';
    let result: PutResult | undefined;
    try {
      result = await producer.put(await request.text(), { partitionKey: request.headers.get('cf-connecting-ip') ?? country });
    } catch (e) {
      const err = e as RecordError;
      return Response.json({ code: err.code, attempts: err.attempts }, { status: 502 });
    } finally {
      ctx.waitUntil(producer.close());
    }
    // @ts-expect-error: data is bytes or text, not a stream
    producer.put(request.body);
    return Response.json(result);
  },

  async scheduled(_controller, env) {
    // Signing by hand, the headers passed to the Worker's own fetch.
    const body = '{}';
    const req = {
      method: 'POST',
      url: `https://kinesis.${env.AWS_REGION}.amazonaws.com/`,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListShards' },
      body,
      region: env.AWS_REGION,
      service: 'kinesis',
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    };
    const { headers } = signRequest(req);
    await fetch(req.url, { method: 'POST', headers: [...Object.entries(req.headers), ...headers], body });

    // The engine in the Worker, its fetch handed to a producer and to a
    // gateway client.
    const engine = new ShardEngine({ now: () => Date.now() });
    engine.createStream({ streamName: 's', shardCount: 2 });
    const local = new Producer({ streamName: 's', region: 'us-east-1', endpoint: 'http://engine.local/', fetch: engine.fetch, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    await local.put(new Uint8Array([1, 2, 3]), { partitionKey: 'k' });
    const gateway = new GatewayClient({ endpoint: 'https://events.example.com/events', fetch: engine.fetch });
    await Promise.all([local.close(), gateway.close()]);
    const answer: Response = await engine.fetch(new Request('http://engine.local/', { method: 'POST', body: '{}' }));
    console.log(answer.status);
  },
} satisfies ExportedHandler<Env>;
