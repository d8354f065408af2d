// ShardEngine: the in-process Kinesis (and Firehose) simulation, in JS.
// Requests and answers are the services' JSON 1.1 wire format, so anything
// that speaks Kinesis (a custom `fetch`, the AWS SDK through a request
// handler, the HTTP server in cli.mjs) can use it; the methods below are
// conveniences over it, taking and returning plain camelCase objects.
import { __ShardEngine } from './engine/kinesis_edge_engine.js';

const JSON_TYPE = 'application/x-amz-json-1.1';
// The AWS SDK for Java's default for Kinesis: answered in kind.
const CBOR_TYPE = 'application/x-amz-cbor-1.1';
// SubscribeToShard's answer: AWS's event stream encoding.
const EVENT_STREAM_TYPE = 'application/vnd.amazon.eventstream';
const KINESIS = 'Kinesis_20131202.';
const FIREHOSE = 'Firehose_20150804.';
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const latin1 = new TextDecoder('latin1');
// Keys are sliced by length from one decoded block: a leading U+FEFF is a
// key's character, not a byte order mark to drop.
const keyDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

function jsonOf(input) {
  try {
    return JSON.stringify(input);
  } catch (e) {
    fail('SerializationException', `the input cannot be written as JSON: ${e.message}`); // e.g. a BigInt
  }
}

// A JSON answer's result, or its AWS error thrown.
function jsonAnswer({ status, body }) {
  const result = body.byteLength ? JSON.parse(decoder.decode(body)) : {};
  if (status !== 200) fail(String(result.__type ?? 'InternalFailure'), String(result.message ?? ''));
  return result;
}

let requestCounter = 0;

// AWS's x-amz-id-2 response header: 72 random bytes in base64, as
// kinesalite recorded it.
function amzId2() {
  const bytes = new Uint8Array(72);
  globalThis.crypto?.getRandomValues?.(bytes);
  return btoa(String.fromCharCode(...bytes));
}

function errorOf(code, message) {
  const error = new Error(message || code);
  error.name = 'KinesisEdgeError';
  error.code = code;
  return error;
}

function fail(code, message) {
  throw errorOf(code, message);
}

// A method's argument object. None is {} (the service then says what is
// missing, as it would); anything but an object is refused here, with a
// code, where destructuring would throw a TypeError.
function argsOf(input) {
  if (input == null) return {};
  if (typeof input !== 'object') fail('InvalidArgumentException', `the argument must be an object, got ${typeof input}`);
  return input;
}

// The body, then a trailer: status (2 bytes) and delay in ms (4 bytes).
function unpack(out) {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const end = out.byteLength - 6;
  return { status: view.getUint16(end), delayMs: view.getUint32(end + 2), body: out.subarray(0, end) };
}

// The content types of HTTP answers, by the index pack_http gives them
// (src/wasm/engine.rs; '' for none: the XML and bare answers to requests
// AWS cannot route).
const CONTENT_TYPES = [JSON_TYPE, CBOR_TYPE, EVENT_STREAM_TYPE, 'application/json', ''];

// An HTTP answer (pack_http in src/wasm/engine.rs): as `unpack`, with its
// content type and AWS's error type ('' on success); for an event stream
// (SubscribeToShard), its subscription's id.
function unpackHttp(out) {
  const r = unpack(out);
  const end = r.body.byteLength - 2;
  const typeAt = end - r.body[end];
  r.contentType = CONTENT_TYPES[r.body[end + 1]] ?? JSON_TYPE;
  r.errorType = decoder.decode(r.body.subarray(typeAt, end));
  r.body = r.body.subarray(0, typeAt);
  if (r.contentType === EVENT_STREAM_TYPE) {
    const at = r.body.byteLength - 8;
    r.subscription = new DataView(r.body.buffer, r.body.byteOffset + at, 8).getFloat64(0, true);
    r.body = r.body.subarray(0, at);
  }
  return r;
}

// Records packed in binary (`Engine::handle_as`): a table of fixed fields,
// then sequence numbers, keys and data, each in one block; then the rest
// of the answer as JSON.
function unpackRecords(body) {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const records = new Array(view.getUint32(0, true));
  let at = 4 + records.length * 16;
  const seqs = latin1.decode(body.subarray(at, at + records.length * 56));
  at += records.length * 56;
  const keyBytes = view.getUint32(at, true);
  const keys = keyDecoder.decode(body.subarray(at + 4, at + 4 + keyBytes));
  at += 4 + keyBytes;
  for (let i = 0, row = 4, key = 0; i < records.length; i++, row += 16) {
    const keyEnd = key + view.getUint32(row, true);
    const dataEnd = at + view.getUint32(row + 4, true);
    records[i] = {
      sequenceNumber: seqs.slice(i * 56, i * 56 + 56),
      partitionKey: keys.slice(key, keyEnd),
      // A view: a page's records share one buffer, the answer's own
      // copy (not the module's memory), as `deaggregate` returns them.
      data: body.subarray(at, dataEnd),
      approximateArrivalTimestamp: new Date(view.getFloat64(row + 8, true)),
    };
    key = keyEnd;
    at = dataEnd;
  }
  return { records, rest: JSON.parse(decoder.decode(body.subarray(at))) };
}

// How often a subscription looks for new records at most (ms of real
// time): AWS pushes them as they arrive; an in-process or local engine
// checks this often.
const SUBSCRIPTION_POLL_MS = 50;

// The events of a SubscribeToShard answered over HTTP, after its
// initial-response message: a stream of event stream bytes, polled from
// the engine when its reader wants more (a reader that does not read
// holds the subscription where it is, as a slow consumer does), until the
// subscription ends or the reader cancels.
function subscriptionStream(inner, now, id, first) {
  let timer;
  let wake;
  let cancelled = false;
  return new ReadableStream({
    start(controller) {
      controller.enqueue(first);
    },
    async pull(controller) {
      while (!cancelled) {
        const out = inner.pollSubscriptionHttp(id, now());
        const end = out.byteLength - 8;
        const next = new DataView(out.buffer, out.byteOffset + end, 8).getFloat64(0, true);
        if (end > 0) controller.enqueue(out.slice(0, end));
        if (next < 0) {
          controller.close();
          return;
        }
        if (end > 0) return;
        await new Promise((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, Math.min(Math.max(next - now(), 0), SUBSCRIPTION_POLL_MS));
        });
      }
    },
    cancel() {
      cancelled = true;
      clearTimeout(timer);
      wake?.();
      inner.endSubscription(id);
    },
  });
}

function abortError(signal) {
  // As the SDK's own handlers reject an aborted request.
  const error = new Error(signal?.reason instanceof Error ? signal.reason.message : 'Request aborted');
  error.name = 'AbortError';
  return error;
}

// Waits out an injected latency, as the network would, unless the request
// is aborted first: then rejects with `aborted(signal)`.
function latency(ms, signal, aborted = abortError) {
  if (signal?.aborted) return Promise.reject(aborted(signal));
  if (!(ms > 0)) return;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener?.('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener?.('abort', onAbort, { once: true });
  });
}

// An SDK request's body as bytes: the SDK hands JSON as a string, CBOR and
// blobs as bytes; anything else a Response can read.
async function bytesOf(body) {
  if (body === undefined || body === null) return new Uint8Array();
  if (typeof body === 'string') return encoder.encode(body);
  if (body instanceof Uint8Array) return body;
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

// `@smithy/types`' HttpHandler over an engine: `handle(request, { abortSignal })`
// resolves to `{ response: { statusCode, headers, body } }`, the shape of
// `@smithy/protocol-http`'s HttpRequest and HttpResponse (taken and made as
// plain objects, so the SDK need not be imported here).
function sdkHandler(engine, answerHeaders) {
  return {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle(request, { abortSignal } = {}) {
      if (abortSignal?.aborted) throw abortError(abortSignal);
      const headers = Object.entries(request.headers ?? {});
      if (!headers.some(([name]) => name.toLowerCase() === 'host')) {
        headers.push(['host', request.port ? `${request.hostname}:${request.port}` : String(request.hostname ?? '')]);
      }
      const query = [];
      for (const [key, value] of Object.entries(request.query ?? {})) {
        for (const v of Array.isArray(value) ? value : [value]) {
          query.push(v === null || v === undefined ? encodeURIComponent(key) : `${encodeURIComponent(key)}=${encodeURIComponent(v)}`);
        }
      }
      const path = `${request.path || '/'}${query.length ? `?${query.join('&')}` : ''}`;
      const out = engine.handleHttp({ method: request.method, path, headers, body: await bytesOf(request.body) });
      try {
        await latency(out.delayMs, abortSignal);
      } catch (e) {
        if (out.body instanceof ReadableStream) out.body.cancel(); // ends the subscription
        throw e;
      }
      return { response: { statusCode: out.status, reason: undefined, headers: answerHeaders(out), body: out.body } };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
    destroy() {},
  };
}

function rate(name, value) {
  const v = value ?? 0;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail('InvalidArgumentException', `${name} must be a number from 0 to 1`);
  return v;
}

/** An in-process Kinesis Data Streams and Firehose simulation. */
export class ShardEngine {
  #inner;
  #sdkHandler = null;
  #now;

  /**
   * @param {object} [options]
   * @param {boolean} [options.throttling=true] enforce per-shard limits
   * @param {number} [options.writeRecordsPerSecond=1000]
   * @param {number} [options.writeBytesPerSecond=1048576]
   * @param {number} [options.readCallsPerSecond=5]
   * @param {number} [options.readBytesPerSecond=2097152]
   * @param {string} [options.accountId='000000000000']
   * @param {string} [options.region='us-east-1']
   * @param {number} [options.createDelayMs=0] how long new streams stay CREATING
   * @param {number} [options.updateDelayMs=0] how long a stream stays UPDATING after a reshard,
   *   UpdateShardCount, Start/StopStreamEncryption or UpdateStreamMode (the change is made when it ends)
   * @param {number} [options.deleteDelayMs=0] how long a deleted stream stays DELETING
   * @param {boolean} [options.controlPlaneLimits=false] enforce AWS's call rates of the control plane
   *   (DescribeStream 10 a second per account, ListShards 1,000 per stream, GetShardIterator 5 per shard, …):
   *   LimitExceededException beyond them
   * @param {number} [options.seed] seed of fault injection (same seed, same faults)
   * @param {number} [options.maxRecordsPerShard=1000000] memory bound per shard
   * @param {number} [options.maxBytesPerShard=1073741824] memory bound per shard, in bytes (data plus partition keys; the oldest records go first)
   * @param {number} [options.defaultShardCount=4] ShardCount of a CreateStream that gives none
   * @param {number} [options.maxRecordBytes=1048576] largest record of new streams, data plus partition
   *   key (up to 10485760, as a stream that raised it with UpdateMaxRecordSize)
   * @param {{accessKeyId: string, secretAccessKey: string, sessionToken?: string, expiration?: Date | number}} [options.verifySignatures]
   *   check SigV4 signatures of requests through `fetch` / `handleHttp` against these credentials
   *   (with a session token, requests must carry it, and after `expiration` they get
   *   ExpiredTokenException; see `setVerifySignatures`)
   * @param {object} [options.faults] default faults of every stream (see `setFaults`)
   * @param {() => number} [options.now=Date.now] the clock (ms), e.g. a simulated one
   */
  constructor(options) {
    options ??= {};
    const whole = (name, fallback, min = 1, max = 0xffffffff) => {
      const v = options[name] ?? fallback;
      if (!Number.isInteger(v) || v < min || v > max) fail('InvalidArgumentException', `${name} must be a whole number from ${min} to ${max}`);
      return v;
    };
    this.#now = options.now ?? Date.now;
    if (typeof this.#now !== 'function') fail('InvalidArgumentException', 'now must be a function returning milliseconds');
    const seed = options.seed ?? 0x6b696e65;
    if (!Number.isSafeInteger(seed) || seed < 0) fail('InvalidArgumentException', 'seed must be a non-negative safe integer');
    const throttling = options.throttling ?? true;
    if (typeof throttling !== 'boolean') fail('InvalidArgumentException', 'throttling must be true or false');
    const controlPlaneLimits = options.controlPlaneLimits ?? false;
    if (typeof controlPlaneLimits !== 'boolean') fail('InvalidArgumentException', 'controlPlaneLimits must be true or false');
    this.#inner = new __ShardEngine(
      throttling,
      whole('writeRecordsPerSecond', 1000),
      whole('writeBytesPerSecond', 1048576),
      whole('readCallsPerSecond', 5),
      whole('readBytesPerSecond', 2097152),
      String(options.accountId ?? '000000000000'),
      String(options.region ?? 'us-east-1'),
      whole('createDelayMs', 0, 0),
      seed,
      whole('maxRecordsPerShard', 1000000),
      whole('maxBytesPerShard', 1073741824),
      whole('defaultShardCount', 4),
      whole('maxRecordBytes', 1048576, 1048576, 10485760),
      whole('updateDelayMs', 0, 0),
      whole('deleteDelayMs', 0, 0),
      controlPlaneLimits,
    );
    if (options.verifySignatures !== undefined) this.setVerifySignatures(options.verifySignatures);
    if (options.faults) this.setFaults(options.faults);
    this.firehose = new FirehoseApi(this, this.#inner, this.#now);
  }

  /**
   * Answers one JSON 1.1 request: `target` is the X-Amz-Target header
   * value, `body` the JSON (string or bytes). Returns `{ status, body, delayMs }`
   * (`delayMs`: injected latency the caller should wait before answering).
   */
  handle(target, body) {
    const bytes = typeof body === 'string' ? encoder.encode(body) : body ?? new Uint8Array();
    return unpack(this.#inner.handle(this.#now(), String(target ?? ''), bytes));
  }

  /**
   * Answers one HTTP request `{ method, path, headers, body }` (headers as
   * `[name, value]` pairs or an object), verifying its signature when the
   * engine was built with `verifySignatures`. Returns `{ status, body,
   * delayMs, contentType, errorType }`: the body in AWS's CBOR when the
   * request was (`content-type: application/x-amz-cbor-1.1`, the AWS SDK
   * for Java's default), else JSON 1.1; `errorType` AWS's error code ('' on
   * success), for `x-amzn-ErrorType`. A SubscribeToShard that succeeds
   * answers `application/vnd.amazon.eventstream`, and its `body` is a
   * `ReadableStream` of AWS's event stream messages (`initial-response`,
   * then a SubscribeToShardEvent whenever records arrive or 5 s pass
   * without one) that closes when the subscription ends; cancel it to end
   * the subscription early.
   */
  handleHttp(args) {
    const { method = 'POST', path = '/', headers = [], body } = argsOf(args);
    const pairs = Array.isArray(headers) ? headers : Object.entries(headers);
    const packed = pairs.map(([n, v]) => `${n}\0${Array.isArray(v) ? v.join(',') : v}`).join('\0');
    const bytes = typeof body === 'string' ? encoder.encode(body) : body ?? new Uint8Array();
    const out = unpackHttp(this.#inner.handleHttp(this.#now(), String(method), String(path), packed, bytes));
    if (out.subscription !== undefined) {
      out.body = subscriptionStream(this.#inner, this.#now, out.subscription, out.body.slice());
      delete out.subscription;
    }
    return out;
  }

  /** A `fetch` that answers Kinesis and Firehose requests from this engine. */
  fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const headers = [...request.headers];
    if (!request.headers.has('host')) headers.push(['host', url.host]);
    const out = this.handleHttp({
      method: request.method,
      path: url.pathname + url.search,
      headers,
      body: new Uint8Array(await request.arrayBuffer()),
    });
    await latency(out.delayMs, request.signal, (signal) => signal.reason); // as fetch rejects
    const body = out.body instanceof ReadableStream || out.body.byteLength ? out.body : null;
    return new Response(body, { status: out.status, headers: this.#answerHeaders(out) });
  };

  // The headers AWS answers with (a request id, x-amz-id-2, the date, the
  // content type and the error type).
  #answerHeaders(out) {
    const headers = { 'x-amzn-requestid': `kinesis-edge-${++requestCounter}`, 'x-amz-id-2': amzId2(), date: new Date(this.#now()).toUTCString() };
    if (out.contentType) headers['content-type'] = out.contentType;
    if (out.errorType) headers['x-amzn-errortype'] = out.errorType;
    return headers;
  }

  /**
   * A request handler for the AWS SDK for JavaScript v3: a client made with
   * `requestHandler: engine.requestHandler` (`@aws-sdk/client-kinesis`,
   * `@aws-sdk/client-firehose`) has its requests answered by this engine,
   * wherever it runs (a page, a worker, workerd, Node), with no server.
   * SubscribeToShard's events come as the SDK reads them from AWS.
   */
  get requestHandler() {
    this.#sdkHandler ??= sdkHandler(this, (out) => this.#answerHeaders(out));
    return this.#sdkHandler;
  }

  /** Calls a Kinesis action with a plain object; resolves to its result or throws its AWS error. */
  call(action, input = {}) {
    return this.#call(KINESIS + action, input);
  }

  #call(target, input) {
    return jsonAnswer(this.handle(target, jsonOf(input)));
  }

  /** Calls a Firehose action with a plain object. */
  callFirehose(action, input = {}) {
    return this.#call(FIREHOSE + action, input);
  }

  /** CreateStream (`tags`: an object of tag keys to values; `streamMode`: 'PROVISIONED' or 'ON_DEMAND', the default without `shardCount`). */
  createStream(args) {
    const { streamName, shardCount, tags, maxRecordSizeInKiB, streamMode } = argsOf(args);
    this.call('CreateStream', { StreamName: streamName, ShardCount: shardCount, ...(tags ? { Tags: tags } : {}), MaxRecordSizeInKiB: maxRecordSizeInKiB, ...(streamMode ? { StreamModeDetails: { StreamMode: streamMode } } : {}) });
  }

  /** UpdateMaxRecordSize: the stream's record limit (1024 to 10240 KiB); the stream is named by its ARN, as AWS takes it. */
  updateMaxRecordSize(args) {
    const { streamArn, maxRecordSizeInKiB } = argsOf(args);
    this.call('UpdateMaxRecordSize', { StreamARN: streamArn, MaxRecordSizeInKiB: maxRecordSizeInKiB });
  }

  /**
   * DeleteStream (refused with ResourceInUseException while the stream has
   * consumers, unless `enforceConsumerDeletion`; `DELETING` for `deleteDelayMs`).
   */
  deleteStream(args) {
    const { streamName, enforceConsumerDeletion } = argsOf(args);
    this.call('DeleteStream', { StreamName: streamName, EnforceConsumerDeletion: enforceConsumerDeletion });
  }

  /** ListStreams: every stream name. */
  listStreams() {
    const names = [];
    let input = {};
    for (;;) {
      const out = this.call('ListStreams', input);
      names.push(...out.StreamNames);
      if (!out.HasMoreStreams || out.StreamNames.length === 0) return names;
      input = { ExclusiveStartStreamName: out.StreamNames[out.StreamNames.length - 1] };
    }
  }

  /** DescribeStreamSummary, camelCased. */
  describeStreamSummary(args) {
    const { streamName } = argsOf(args);
    const d = this.call('DescribeStreamSummary', { StreamName: streamName }).StreamDescriptionSummary;
    return {
      streamName: d.StreamName,
      streamArn: d.StreamARN,
      streamStatus: d.StreamStatus,
      retentionPeriodHours: d.RetentionPeriodHours,
      openShardCount: d.OpenShardCount,
      maxRecordSizeInKiB: d.MaxRecordSizeInKiB,
      streamCreationTimestamp: new Date(d.StreamCreationTimestamp * 1000),
      streamMode: d.StreamModeDetails.StreamMode,
      consumerCount: d.ConsumerCount,
      shardLevelMetrics: d.EnhancedMonitoring[0].ShardLevelMetrics,
      encryptionType: d.EncryptionType,
      ...(d.KeyId ? { keyId: d.KeyId } : {}),
    };
  }

  /** DescribeLimits: `{ shardLimit, openShardCount, onDemandStreamCount, onDemandStreamCountLimit }`. */
  describeLimits() {
    const l = this.call('DescribeLimits');
    return { shardLimit: l.ShardLimit, openShardCount: l.OpenShardCount, onDemandStreamCount: l.OnDemandStreamCount, onDemandStreamCountLimit: l.OnDemandStreamCountLimit };
  }

  /**
   * EnableEnhancedMonitoring (`enable`: true) or DisableEnhancedMonitoring
   * of `shardLevelMetrics` ('ALL' or metric names): `{ current, desired }`.
   * Kept and reported (DescribeStream, describeStreamSummary); the engine
   * sends no CloudWatch metrics.
   */
  setEnhancedMonitoring(args) {
    const { streamName, shardLevelMetrics, enable = true } = argsOf(args);
    const out = this.call(enable ? 'EnableEnhancedMonitoring' : 'DisableEnhancedMonitoring', { StreamName: streamName, ShardLevelMetrics: shardLevelMetrics });
    return { current: out.CurrentShardLevelMetrics, desired: out.DesiredShardLevelMetrics };
  }

  /**
   * StartStreamEncryption with a KMS `keyId` (a key or alias ARN, 'alias/…'
   * or a key id), or, with `keyId: null`, StopStreamEncryption. Kept and
   * reported; records are stored as they are (AWS encrypts at rest,
   * invisibly to readers).
   */
  setStreamEncryption(args) {
    const { streamName, keyId } = argsOf(args);
    if (keyId === null) {
      // StopStreamEncryption names the key in use (AWS requires KeyId).
      const current = this.describeStreamSummary({ streamName }).keyId;
      if (current !== undefined) this.call('StopStreamEncryption', { StreamName: streamName, EncryptionType: 'KMS', KeyId: current });
    } else this.call('StartStreamEncryption', { StreamName: streamName, EncryptionType: 'KMS', KeyId: keyId });
  }

  /** PutRecord: `{ sequenceNumber, shardId }`, or throws (e.g. throttled). */
  putRecord(args) {
    const { streamName, data, partitionKey, explicitHashKey } = argsOf(args);
    const out = this.call('PutRecord', { StreamName: streamName, ...recordInput({ data, partitionKey, explicitHashKey }) });
    return { sequenceNumber: out.SequenceNumber, shardId: out.ShardId };
  }

  /** PutRecords with `data` as bytes or strings; per-record results in order. */
  putRecords(args) {
    const { streamName, records } = argsOf(args);
    const out = this.call('PutRecords', { StreamName: streamName, Records: Array.isArray(records) ? records.map(recordInput) : records });
    return {
      failedRecordCount: out.FailedRecordCount,
      records: out.Records.map((r) => (r.ErrorCode ? { errorCode: r.ErrorCode, errorMessage: r.ErrorMessage } : { sequenceNumber: r.SequenceNumber, shardId: r.ShardId })),
    };
  }

  /**
   * ListShards: the shards of a stream, as the service describes them (all
   * pages); `shardFilter: { type, shardId?, timestamp? }` as ListShards'
   * ShardFilter (`timestamp` a Date or ms).
   */
  listShards(args) {
    const { streamName, shardFilter } = argsOf(args);
    const shards = [];
    let input = { StreamName: streamName };
    if (shardFilter != null) {
      const { type, shardId, timestamp } = argsOf(shardFilter);
      const ms = timestamp instanceof Date ? timestamp.getTime() : timestamp;
      input.ShardFilter = { Type: type, ShardId: shardId, Timestamp: typeof ms === 'number' ? ms / 1000 : ms };
    }
    for (;;) {
      const out = this.call('ListShards', input);
      shards.push(...out.Shards);
      if (!out.NextToken) return shards;
      input = { NextToken: out.NextToken };
    }
  }

  /** GetShardIterator. */
  getShardIterator(args) {
    const { streamName, shardId, type, sequenceNumber, timestamp } = argsOf(args);
    const input = { StreamName: streamName, ShardId: shardId, ShardIteratorType: type };
    if (sequenceNumber !== undefined) input.StartingSequenceNumber = sequenceNumber;
    if (timestamp !== undefined) {
      // Seconds, as the service takes it (anything else goes as it is, to be refused as JSON).
      const ms = timestamp instanceof Date ? timestamp.getTime() : timestamp;
      input.Timestamp = typeof ms === 'number' ? ms / 1000 : ms;
    }
    return this.call('GetShardIterator', input).ShardIterator;
  }

  /**
   * GetRecords: records with `data` as bytes; `childShards` at the end of a
   * closed shard. The records cross from wasm packed in binary (no JSON, no
   * base64; see `Engine::handle_as`), everything else as GetRecords' JSON.
   */
  getRecords(args) {
    const { shardIterator, limit } = argsOf(args);
    const input = limit === undefined ? { ShardIterator: shardIterator } : { ShardIterator: shardIterator, Limit: limit };
    const answer = unpack(this.#inner.getRecordsPacked(this.#now(), encoder.encode(jsonOf(input))));
    if (answer.status !== 200) jsonAnswer(answer); // throws its error
    const { records, rest: out } = unpackRecords(answer.body);
    return {
      records,
      nextShardIterator: out.NextShardIterator,
      millisBehindLatest: out.MillisBehindLatest,
      ...(out.ChildShards ? { childShards: out.ChildShards } : {}),
    };
  }

  /**
   * RegisterStreamConsumer: an enhanced fan-out consumer of the stream
   * `streamArn` names (`CREATING`, then `ACTIVE` after `createDelayMs`).
   */
  registerStreamConsumer(args) {
    const { streamArn, consumerName } = argsOf(args);
    return consumerOf(this.call('RegisterStreamConsumer', { StreamARN: streamArn, ConsumerName: consumerName }).Consumer);
  }

  /** DescribeStreamConsumer, by `consumerArn` or by `streamArn` and `consumerName`. */
  describeStreamConsumer(args) {
    const { consumerArn, streamArn, consumerName } = argsOf(args);
    return consumerOf(this.call('DescribeStreamConsumer', { ConsumerARN: consumerArn, StreamARN: streamArn, ConsumerName: consumerName }).ConsumerDescription);
  }

  /** ListStreamConsumers: every consumer of the stream (all pages), in the order they were registered. */
  listStreamConsumers(args) {
    const { streamArn } = argsOf(args);
    const consumers = [];
    let input = { StreamARN: streamArn };
    for (;;) {
      const out = this.call('ListStreamConsumers', input);
      consumers.push(...out.Consumers.map(consumerOf));
      if (!out.NextToken) return consumers;
      input = { StreamARN: streamArn, NextToken: out.NextToken };
    }
  }

  /** DeregisterStreamConsumer (`DELETING` for `createDelayMs`, then gone; its subscriptions end). */
  deregisterStreamConsumer(args) {
    const { consumerArn, streamArn, consumerName } = argsOf(args);
    this.call('DeregisterStreamConsumer', { ConsumerARN: consumerArn, StreamARN: streamArn, ConsumerName: consumerName });
  }

  /**
   * SubscribeToShard, in-process: `onEvent` gets each SubscribeToShardEvent
   * as `{ records, continuationSequenceNumber, millisBehindLatest,
   * childShards? }` (records as `getRecords` returns them), first at once,
   * then whenever records arrive (checked every 50 ms at most, within the
   * consumer's 2 MiB/s per shard) or 5 s pass without an event. Like AWS's,
   * the subscription lasts 5 minutes, and ends after the event carrying a
   * closed shard's `childShards`; subscribe again from
   * `continuationSequenceNumber` (`AFTER_SEQUENCE_NUMBER`) to go on.
   * `startingPosition`: `{ type, sequenceNumber?, timestamp? }` with
   * GetShardIterator's five types. Throws the request's AWS error at once.
   * Returns `{ done, cancel }`: `done` resolves when the subscription ends,
   * or rejects with the error that ended it (`ResourceInUseException`
   * when another subscription took over, or what `onEvent` threw; when it
   * returns a promise, the next event waits for it); `cancel()` ends it.
   */
  subscribeToShard(args, onEvent) {
    const { consumerArn, shardId, startingPosition } = argsOf(args);
    if (typeof onEvent !== 'function') fail('InvalidArgumentException', 'subscribeToShard needs an onEvent function');
    const { type, sequenceNumber, timestamp } = argsOf(startingPosition);
    const position = { Type: type };
    if (sequenceNumber !== undefined) position.SequenceNumber = sequenceNumber;
    if (timestamp !== undefined) {
      const ms = timestamp instanceof Date ? timestamp.getTime() : timestamp;
      position.Timestamp = typeof ms === 'number' ? ms / 1000 : ms;
    }
    const request = { ConsumerARN: consumerArn, ShardId: shardId, StartingPosition: position };
    // (A refused request throws its AWS error, coded, from the wasm.)
    const id = this.#inner.subscribe(this.#now(), encoder.encode(jsonOf(request)));
    const inner = this.#inner;
    const now = this.#now;
    let timer;
    let ended = false;
    let settle;
    const done = new Promise((resolve, reject) => {
      settle = (error) => {
        if (ended) return;
        ended = true;
        clearTimeout(timer);
        inner.endSubscription(id);
        if (error) reject(error);
        else resolve();
      };
    });
    const poll = async () => {
      if (ended) return;
      let out;
      try {
        out = inner.pollSubscription(id, now());
      } catch (e) {
        settle(e); // (a clock that gave no valid time)
        return;
      }
      const kind = out[out.byteLength - 1];
      const time = new DataView(out.buffer, out.byteOffset + out.byteLength - 9, 8).getFloat64(0, true);
      const body = out.subarray(0, out.byteLength - 9);
      if (kind === 0) {
        const { records, rest } = unpackRecords(body);
        const event = { records, continuationSequenceNumber: rest.ContinuationSequenceNumber, millisBehindLatest: rest.MillisBehindLatest };
        if (rest.ChildShards) event.childShards = rest.ChildShards;
        try {
          await onEvent(event);
        } catch (e) {
          settle(e);
          return;
        }
        if (!ended) timer = setTimeout(poll, 0);
      } else if (kind === 1) {
        timer = setTimeout(poll, Math.min(Math.max(time - now(), 0), SUBSCRIPTION_POLL_MS));
      } else if (kind === 2) {
        settle();
      } else {
        const text = decoder.decode(body);
        const nul = text.indexOf('\0');
        settle(errorOf(text.slice(0, nul), text.slice(nul + 1)));
      }
    };
    // A caller that never looks at `done` does not get an unhandled
    // rejection for it; one that awaits it still gets the error.
    done.catch(() => {});
    timer = setTimeout(poll, 0);
    return { done, cancel: () => settle() };
  }

  /** SplitShard at `newStartingHashKey` (a decimal string or a bigint). */
  splitShard(args) {
    const { streamName, shardToSplit, newStartingHashKey } = argsOf(args);
    this.call('SplitShard', { StreamName: streamName, ShardToSplit: shardToSplit, NewStartingHashKey: String(newStartingHashKey) });
  }

  /** MergeShards. */
  mergeShards(args) {
    const { streamName, shardToMerge, adjacentShardToMerge } = argsOf(args);
    this.call('MergeShards', { StreamName: streamName, ShardToMerge: shardToMerge, AdjacentShardToMerge: adjacentShardToMerge });
  }

  /** UpdateShardCount (uniform scaling, through the splits and merges AWS performs). */
  updateShardCount(args) {
    const { streamName, targetShardCount } = argsOf(args);
    const out = this.call('UpdateShardCount', { StreamName: streamName, TargetShardCount: targetShardCount, ScalingType: 'UNIFORM_SCALING' });
    return { currentShardCount: out.CurrentShardCount, targetShardCount: out.TargetShardCount };
  }

  /** AddTagsToStream (`tags`: an object). */
  addTagsToStream(args) {
    const { streamName, tags } = argsOf(args);
    this.call('AddTagsToStream', { StreamName: streamName, Tags: tags });
  }

  /** RemoveTagsFromStream. */
  removeTagsFromStream(args) {
    const { streamName, tagKeys } = argsOf(args);
    this.call('RemoveTagsFromStream', { StreamName: streamName, TagKeys: tagKeys });
  }

  /** TagResource: tags of a stream or a consumer, named by its ARN (`resourceArn`). */
  tagResource(args) {
    const { resourceArn, tags } = argsOf(args);
    this.call('TagResource', { ResourceARN: resourceArn, Tags: tags });
  }

  /** UntagResource. */
  untagResource(args) {
    const { resourceArn, tagKeys } = argsOf(args);
    this.call('UntagResource', { ResourceARN: resourceArn, TagKeys: tagKeys });
  }

  /** ListTagsForResource: every tag of a stream or a consumer, as an object. */
  listTagsForResource(args) {
    const { resourceArn } = argsOf(args);
    return Object.fromEntries(this.call('ListTagsForResource', { ResourceARN: resourceArn }).Tags.map((t) => [t.Key, t.Value ?? '']));
  }

  /** ListTagsForStream: every tag, as an object. */
  listTagsForStream(args) {
    const { streamName } = argsOf(args);
    const tags = {};
    let input = { StreamName: streamName };
    for (;;) {
      const out = this.call('ListTagsForStream', input);
      for (const t of out.Tags) tags[t.Key] = t.Value;
      if (!out.HasMoreTags) return tags;
      input = { StreamName: streamName, ExclusiveStartTagKey: out.Tags[out.Tags.length - 1].Key };
    }
  }

  /**
   * The credentials requests through `fetch` / `handleHttp` must be signed
   * with from now on (`null`: nothing is checked). Temporary credentials
   * carry a `sessionToken` that requests must send, and may `expiration`
   * (a Date or ms): from then on their requests get ExpiredTokenException,
   * as AWS answers an expired STS token. Call again to rotate them.
   */
  setVerifySignatures(credentials) {
    if (credentials === null) {
      this.#inner.setVerifySignatures(undefined, undefined, undefined, undefined);
      return;
    }
    const { accessKeyId, secretAccessKey, sessionToken, expiration } = credentials ?? {};
    if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string' || (sessionToken !== undefined && typeof sessionToken !== 'string')) {
      fail('InvalidArgumentException', 'verifySignatures must be { accessKeyId, secretAccessKey, sessionToken?, expiration? }');
    }
    const expires = expiration instanceof Date ? expiration.getTime() : expiration;
    if (expires !== undefined && !Number.isFinite(expires)) fail('InvalidArgumentException', 'expiration must be a Date or milliseconds since the epoch');
    this.#inner.setVerifySignatures(accessKeyId, secretAccessKey, sessionToken, expires);
  }

  /**
   * Fault injection, seeded: for `streamName` (or, without it, every stream
   * that has none of its own), a share of PutRecords records fails alone
   * (`recordFault`: 'InternalFailure' or 'Throttling'), a share of data-plane
   * requests fails whole with HTTP 500, and answers through `fetch` wait `latencyMs`.
   */
  setFaults(args) {
    const { streamName, recordFailureRate, recordFault = 'InternalFailure', requestFailureRate, latencyMs = 0 } = argsOf(args);
    if (recordFault !== 'InternalFailure' && recordFault !== 'Throttling') fail('InvalidArgumentException', "recordFault must be 'InternalFailure' or 'Throttling'");
    if (!Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 0xffffffff) fail('InvalidArgumentException', 'latencyMs must be a whole number of milliseconds');
    this.#inner.setFaults(streamName == null ? undefined : String(streamName), rate('recordFailureRate', recordFailureRate), recordFault === 'Throttling', rate('requestFailureRate', requestFailureRate), latencyMs);
  }

  /**
   * Statistics for charts: per shard (open and closed) records and bytes in
   * and out, throttles, injected failures and records held; and totals.
   */
  stats(args) {
    const { streamName } = argsOf(args);
    const shards = JSON.parse(this.#inner.stats(this.#now(), String(streamName ?? '')));
    const totals = {};
    for (const key of ['recordsIn', 'bytesIn', 'writeThrottles', 'injectedFailures', 'recordsOut', 'bytesOut', 'readThrottles', 'stored']) {
      totals[key] = shards.reduce((sum, s) => sum + s[key], 0);
    }
    return { shards, totals };
  }

  /** The buckets Firehose delivered to. */
  listBuckets() {
    return JSON.parse(this.#inner.bucketNames());
  }

  /** The objects of an in-memory bucket, oldest first: `{ key, size, records, lastModified }`. */
  listObjects(args) {
    const { bucket } = argsOf(args);
    this.#inner.firehoseTick(this.#now());
    return JSON.parse(this.#inner.listObjects(String(bucket))).map((o) => ({ ...o, lastModified: new Date(o.lastModified) }));
  }

  /** An object's bytes (`undefined` if there is none). */
  getObject(args) {
    const { bucket, key } = argsOf(args);
    this.#inner.firehoseTick(this.#now());
    return this.#inner.getObject(String(bucket), String(key));
  }

}

/** Firehose, Direct PUT to an in-memory S3 bucket. */
class FirehoseApi {
  #engine;
  #inner;
  #now;

  constructor(engine, inner, now) {
    this.#engine = engine;
    this.#inner = inner;
    this.#now = now;
  }

  /**
   * CreateDeliveryStream delivering to `bucket` (a name or `arn:aws:s3:::name`),
   * buffering up to `sizeInMBs` (1..128, default 5) or `intervalInSeconds`
   * (0..900, default 300).
   */
  createDeliveryStream(args) {
    const { deliveryStreamName, bucket, prefix = '', bufferingHints = {} } = argsOf(args);
    const BucketARN = String(bucket).startsWith('arn:') ? String(bucket) : `arn:aws:s3:::${bucket}`;
    const out = this.#engine.callFirehose('CreateDeliveryStream', {
      DeliveryStreamName: deliveryStreamName,
      DeliveryStreamType: 'DirectPut',
      ExtendedS3DestinationConfiguration: {
        RoleARN: 'arn:aws:iam::000000000000:role/firehose',
        BucketARN,
        Prefix: prefix,
        BufferingHints: { SizeInMBs: bufferingHints.sizeInMBs ?? 5, IntervalInSeconds: bufferingHints.intervalInSeconds ?? 300 },
      },
    });
    return { deliveryStreamArn: out.DeliveryStreamARN };
  }

  /** DeleteDeliveryStream (what is buffered is delivered first). */
  deleteDeliveryStream(args) {
    const { deliveryStreamName } = argsOf(args);
    this.#engine.callFirehose('DeleteDeliveryStream', { DeliveryStreamName: deliveryStreamName });
  }

  /** ListDeliveryStreams: every name. */
  listDeliveryStreams() {
    return this.#engine.callFirehose('ListDeliveryStreams', { Limit: 10000 }).DeliveryStreamNames;
  }

  /** DescribeDeliveryStream, as the service returns it. */
  describeDeliveryStream(args) {
    const { deliveryStreamName } = argsOf(args);
    return this.#engine.callFirehose('DescribeDeliveryStream', { DeliveryStreamName: deliveryStreamName }).DeliveryStreamDescription;
  }

  /** PutRecord: `{ recordId }`. */
  putRecord(args) {
    const { deliveryStreamName, data } = argsOf(args);
    const out = this.#engine.callFirehose('PutRecord', { DeliveryStreamName: deliveryStreamName, Record: { Data: base64(bytes(data)) } });
    return { recordId: out.RecordId };
  }

  /** PutRecordBatch: per-record results in order. */
  putRecordBatch(args) {
    const { deliveryStreamName, records } = argsOf(args);
    const out = this.#engine.callFirehose('PutRecordBatch', {
      DeliveryStreamName: deliveryStreamName,
      Records: Array.isArray(records) ? records.map((r) => ({ Data: base64(bytes(r?.data)) })) : records,
    });
    return {
      failedPutCount: out.FailedPutCount,
      records: out.RequestResponses.map((r) => (r.ErrorCode ? { errorCode: r.ErrorCode, errorMessage: r.ErrorMessage } : { recordId: r.RecordId })),
    };
  }

  /** Delivers what a delivery stream has buffered, now. */
  flush(args) {
    const { deliveryStreamName } = argsOf(args);
    this.#inner.flushDeliveryStream(String(deliveryStreamName), this.#now());
  }

  /** A delivery stream's buffer and deliveries. */
  stats(args) {
    const { deliveryStreamName } = argsOf(args);
    this.#inner.firehoseTick(this.#now());
    const out = this.#inner.deliveryStats(String(deliveryStreamName));
    if (out === undefined) fail('ResourceNotFoundException', `Firehose ${deliveryStreamName} not found.`);
    return JSON.parse(out);
  }
}

// A consumer as the methods return it.
function consumerOf(c) {
  return {
    consumerName: c.ConsumerName,
    consumerArn: c.ConsumerARN,
    consumerStatus: c.ConsumerStatus,
    consumerCreationTimestamp: new Date(c.ConsumerCreationTimestamp * 1000),
    ...(c.StreamARN ? { streamArn: c.StreamARN } : {}),
  };
}

function bytes(data) {
  if (typeof data === 'string') return encoder.encode(data);
  try {
    if (data instanceof Uint8Array && data.byteLength) return data;
    // A view of a transferred buffer reads as empty, and making a view of
    // it throws: refused, not stored as an empty record.
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
  } catch {
    fail('InvalidArgumentException', 'data is in a detached ArrayBuffer (transferred away)');
  }
  fail('InvalidArgumentException', 'data must be a string, a Uint8Array, an ArrayBuffer or a typed array');
}

// (A record that is not an object has no members: its data is refused.)
function recordInput(record) {
  const { data, partitionKey, explicitHashKey } = record ?? {};
  return {
    Data: base64(bytes(data)),
    PartitionKey: partitionKey,
    ...(explicitHashKey !== undefined ? { ExplicitHashKey: String(explicitHashKey) } : {}),
  };
}

function base64(b) {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
  return btoa(s);
}

