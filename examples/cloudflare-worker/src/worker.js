// An ingestion gateway for Cloudflare Workers: browsers POST batches of
// events here, with no AWS credentials in the page; the Worker checks,
// enriches and forwards them to Kinesis Data Streams with kinesis-edge's
// producer (signing in wasm, credentials from the Worker's secrets).
//
//   POST /events   {"events": [{"sessionId": "…", …}, …]}
//   → 200 {"accepted": [0, 1, 3], "rejected": [{"index": 2, "code": "…", "message": "…"}]}
//
// It answers once every event is either accepted (buffered: the producer
// now owns it and delivers it, retrying throttling and failures within its
// time to live) or refused with a reason, then flushes with ctx.waitUntil.
// Delivery is at least once; each event carries an `eventId` (the
// client's, or one given here) so consumers can drop duplicates.
import { Producer } from 'kinesis-edge/producer';

const DEFAULTS = {
  MAX_BODY_BYTES: 1024 * 1024, // per POST
  MAX_EVENTS: 500, // per POST
  MAX_EVENT_BYTES: 32 * 1024, // per event, after enrichment
};
// Kinesis: a partition key is 1 to 256 Unicode characters.
const MAX_SESSION_ID = 256;

function setting(env, name) {
  const v = Number(env[name]);
  return Number.isInteger(v) && v > 0 ? v : DEFAULTS[name];
}

// One producer per request. Workers tie timers and I/O to the request that
// made them: a producer shared across requests would find its retry timer
// dropped when the request that armed it ends. A request's events (up to
// 500) make one PutRecords batch anyway; batching across requests belongs
// to a Durable Object or a Queue consumer, not to the isolate.
function producerFor(env) {
  return new Producer({
    streamName: env.STREAM_NAME,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined },
    endpoint: env.KINESIS_ENDPOINT || undefined, // a region's endpoint by default
    lingerMs: 50,
    recordTtlMs: 25_000, // within the 30 s a Worker may keep working after answering
  });
}

function allowedOrigin(request, env) {
  const origin = request.headers.get('origin');
  const allowed = (env.ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  return origin !== null && allowed.includes(origin) ? origin : null;
}

function cors(origin) {
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers': 'content-type',
    'access-control-max-age': '86400',
    vary: 'Origin',
  };
}

function answer(status, body, origin) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...(origin ? cors(origin) : { vary: 'Origin' }) },
  });
}

/** The body as text, or null when it is longer than `max` bytes. */
async function readBody(request, max) {
  const declared = Number(request.headers.get('content-length'));
  if (declared > max) return null;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** The record for one event, or a refusal. */
function check(event, request, maxEventBytes) {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    return { code: 'InvalidEvent', message: 'an event must be a JSON object' };
  }
  const { sessionId } = event;
  if (typeof sessionId !== 'string' || sessionId.length === 0 || [...sessionId].length > MAX_SESSION_ID) {
    return { code: 'InvalidEvent', message: `sessionId must be a string of 1 to ${MAX_SESSION_ID} characters` };
  }
  const eventId = typeof event.eventId === 'string' && event.eventId.length <= 64 ? event.eventId : crypto.randomUUID();
  const enriched = {
    ...event,
    eventId,
    receivedAt: new Date().toISOString(),
    country: request.cf?.country ?? null,
    colo: request.cf?.colo ?? null,
  };
  const data = new TextEncoder().encode(JSON.stringify(enriched));
  if (data.byteLength > maxEventBytes) {
    return { code: 'EventTooLarge', message: `an event may take at most ${maxEventBytes} bytes as JSON (this one: ${data.byteLength})` };
  }
  return { data, partitionKey: sessionId };
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname !== '/events') return answer(404, { error: 'NotFound', message: 'POST events to /events' }, null);
    const origin = allowedOrigin(request, env);
    if (request.method === 'OPTIONS') {
      return origin ? new Response(null, { status: 204, headers: cors(origin) }) : new Response(null, { status: 403, headers: { vary: 'Origin' } });
    }
    if (request.method !== 'POST') return answer(405, { error: 'MethodNotAllowed', message: 'POST only' }, origin);
    if (!origin) return answer(403, { error: 'OriginNotAllowed', message: 'this origin may not send events here' }, null);

    let p;
    try {
      p = producerFor(env);
    } catch (e) {
      // A deployment without its stream, region or keys: said in the logs,
      // and to the page as a 500 it can read (CORS), not a bare error page.
      console.error(`kinesis-edge gateway: misconfigured: ${e.message}`);
      return answer(500, { error: 'GatewayMisconfigured', message: 'this gateway cannot forward events: see its logs' }, origin);
    }

    const maxBody = setting(env, 'MAX_BODY_BYTES');
    const text = await readBody(request, maxBody);
    if (text === null) return answer(413, { error: 'BodyTooLarge', message: `a request may carry at most ${maxBody} bytes` }, origin);
    let events;
    try {
      events = JSON.parse(text).events;
    } catch {
      return answer(400, { error: 'MalformedBody', message: 'the body must be JSON: {"events": [...]}' }, origin);
    }
    if (!Array.isArray(events)) return answer(400, { error: 'MalformedBody', message: 'the body must be JSON: {"events": [...]}' }, origin);
    const maxEvents = setting(env, 'MAX_EVENTS');
    if (events.length > maxEvents) return answer(413, { error: 'TooManyEvents', message: `a request may carry at most ${maxEvents} events` }, origin);

    const maxEventBytes = setting(env, 'MAX_EVENT_BYTES');
    const accepted = [];
    const rejected = [];
    const deliveries = [];
    events.forEach((event, index) => {
      const record = check(event, request, maxEventBytes);
      if (record.code) return rejected.push({ index, ...record });
      const offer = p.offer(record.data, { partitionKey: record.partitionKey });
      if (!offer.accepted) return rejected.push({ index, code: offer.error.code, message: offer.error.message });
      accepted.push(index);
      deliveries.push(offer.result);
    });
    // After answering: send now, and report what could not be delivered.
    ctx.waitUntil(
      Promise.all([
        p.close(),
        Promise.allSettled(deliveries).then((results) => {
          const failed = results.filter((r) => r.status === 'rejected');
          if (failed.length > 0) console.error(`kinesis-edge gateway: ${failed.length} accepted events not delivered: ${failed[0].reason?.code}: ${failed[0].reason?.message}`);
        }),
      ]),
    );
    const status = accepted.length > 0 || events.length === 0 ? 200 : rejected.some((r) => r.code === 'BufferFull') ? 503 : 400;
    return answer(status, { accepted, rejected }, origin);
  },
};
