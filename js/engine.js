// ShardEngine: the in-process Kinesis simulation, in JS. Requests and
// answers are the service's JSON 1.1 wire format, so anything that speaks
// Kinesis (a custom `fetch`, the AWS SDK through a request handler, the HTTP
// server in cli.mjs) can use it; the methods below are conveniences over it.
import { __ShardEngine } from './engine/kinesis_edge_engine.js';

const JSON_TYPE = 'application/x-amz-json-1.1';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

let requestCounter = 0;

function fail(code, message) {
  const error = new Error(message);
  error.name = 'KinesisEdgeError';
  error.code = code;
  throw error;
}

/** An in-process Kinesis Data Streams simulation. */
export class ShardEngine {
  #inner;
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
   * @param {() => number} [options.now=Date.now] the clock (ms), e.g. a simulated one
   */
  constructor(options = {}) {
    const limit = (name, fallback) => {
      const v = options[name] ?? fallback;
      if (!Number.isInteger(v) || v < 1 || v > 0xffffffff) fail('InvalidArgumentException', `${name} must be a positive whole number`);
      return v;
    };
    this.#now = options.now ?? Date.now;
    if (typeof this.#now !== 'function') fail('InvalidArgumentException', 'now must be a function returning milliseconds');
    this.#inner = new __ShardEngine(
      options.throttling ?? true,
      limit('writeRecordsPerSecond', 1000),
      limit('writeBytesPerSecond', 1048576),
      limit('readCallsPerSecond', 5),
      limit('readBytesPerSecond', 2097152),
      String(options.accountId ?? '000000000000'),
      String(options.region ?? 'us-east-1'),
    );
  }

  /**
   * Answers one JSON 1.1 request: `target` is the X-Amz-Target header
   * value, `body` the JSON (string or bytes). Returns `{ status, body }`.
   */
  handle(target, body) {
    const bytes = typeof body === 'string' ? encoder.encode(body) : body ?? new Uint8Array();
    const out = this.#inner.handle(this.#now(), String(target ?? ''), bytes);
    return { status: (out[0] << 8) | out[1], body: out.subarray(2) };
  }

  /** A `fetch` that answers Kinesis requests from this engine. */
  fetch = async (input, init) => {
    const request = new Request(input, init);
    const { status, body } = this.handle(request.headers.get('x-amz-target'), new Uint8Array(await request.arrayBuffer()));
    return new Response(body.byteLength ? body : null, {
      status,
      headers: {
        'content-type': JSON_TYPE,
        'x-amzn-requestid': `kinesis-edge-${++requestCounter}`,
        date: new Date(this.#now()).toUTCString(),
      },
    });
  };

  /** Calls an action with a plain object; resolves to its result or throws its AWS error. */
  call(action, input = {}) {
    const { status, body } = this.handle(`Kinesis_20131202.${action}`, JSON.stringify(input));
    const result = body.byteLength ? JSON.parse(decoder.decode(body)) : {};
    if (status !== 200) fail(String(result.__type ?? 'InternalFailure'), String(result.message ?? ''));
    return result;
  }

  /** CreateStream. */
  createStream({ streamName, shardCount }) {
    this.call('CreateStream', { StreamName: streamName, ShardCount: shardCount });
  }

  /** PutRecords with `data` as bytes or strings; per-record results in order. */
  putRecords({ streamName, records }) {
    const Records = records.map((r) => ({
      Data: base64(typeof r.data === 'string' ? encoder.encode(r.data) : r.data),
      PartitionKey: r.partitionKey,
      ...(r.explicitHashKey !== undefined ? { ExplicitHashKey: String(r.explicitHashKey) } : {}),
    }));
    const out = this.call('PutRecords', { StreamName: streamName, Records });
    return {
      failedRecordCount: out.FailedRecordCount,
      records: out.Records.map((r) => (r.ErrorCode ? { errorCode: r.ErrorCode, errorMessage: r.ErrorMessage } : { sequenceNumber: r.SequenceNumber, shardId: r.ShardId })),
    };
  }

  /** ListShards: all shards of a stream. */
  listShards({ streamName }) {
    const shards = [];
    let input = { StreamName: streamName };
    for (;;) {
      const out = this.call('ListShards', input);
      shards.push(...out.Shards);
      if (!out.NextToken) return shards;
      input = { NextToken: out.NextToken };
    }
  }

  /** GetShardIterator. */
  getShardIterator({ streamName, shardId, type, sequenceNumber, timestamp }) {
    const input = { StreamName: streamName, ShardId: shardId, ShardIteratorType: type };
    if (sequenceNumber !== undefined) input.StartingSequenceNumber = sequenceNumber;
    if (timestamp !== undefined) input.Timestamp = (timestamp instanceof Date ? timestamp.getTime() : timestamp) / 1000;
    return this.call('GetShardIterator', input).ShardIterator;
  }

  /** GetRecords: records with `data` as bytes. */
  getRecords({ shardIterator, limit }) {
    const out = this.call('GetRecords', limit === undefined ? { ShardIterator: shardIterator } : { ShardIterator: shardIterator, Limit: limit });
    return {
      records: out.Records.map((r) => ({
        sequenceNumber: r.SequenceNumber,
        partitionKey: r.PartitionKey,
        data: unbase64(r.Data),
        approximateArrivalTimestamp: new Date(r.ApproximateArrivalTimestamp * 1000),
      })),
      nextShardIterator: out.NextShardIterator,
      millisBehindLatest: out.MillisBehindLatest,
    };
  }
}

function base64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function unbase64(text) {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
