// The public JS API. It checks and normalizes what callers pass (objects,
// Dates, header maps, bodies), calls the wasm core with flat arguments, and
// shapes what comes back. Every error it throws is an Error with a `code`.
import { __sign, __parseTime, __hashKeyOf, __ShardMap, __aggregate, __deaggregate, __encodePutRecords, __encodePutRecordBatch } from './kinesis_edge.js';
import { __viewOf } from './producer.js';

const MAX_EXPIRES_IN = 604800; // 7 days, SigV4's limit for presigned URLs

/** Throws an Error with a `code` property. */
function fail(code, message) {
  const error = new Error(message);
  error.name = 'KinesisEdgeError';
  error.code = code;
  throw error;
}

// A large body is hashed by a host hasher when one is installed (node:crypto
// in Node, SubtleCrypto in signRequestAsync) because native SHA-256 beats
// SHA-256 compiled to wasm there; small bodies stay in wasm, where skipping
// the extra JS calls wins. See the README's performance section.
let hostHasher = null;
let hostHashThreshold = Infinity;

/** @internal Installed by the Node entry point. */
export function __setHostHasher(hasher, threshold) {
  hostHasher = hasher;
  hostHashThreshold = threshold;
}

// Appends `name\0value\0` for each header to `parts`; returns the count.
function headerFields(headers, parts) {
  let count = 0;
  const add = (name, value) => {
    if (typeof name !== 'string') fail('InvalidHeader', 'header names must be strings');
    if (typeof value === 'number') value = String(value);
    if (typeof value !== 'string') fail('InvalidHeader', `header ${name}: value must be a string`);
    if (name.indexOf('\0') !== -1 || value.indexOf('\0') !== -1) {
      fail('InvalidHeader', `header ${JSON.stringify(name)} contains a NUL character`);
    }
    parts.push(name, value);
    count++;
  };
  if (headers == null) return 0;
  if (Array.isArray(headers)) {
    for (const pair of headers) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        fail('InvalidHeader', 'headers as an array must hold [name, value] pairs');
      }
      add(pair[0], pair[1]);
    }
  } else if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    headers.forEach((value, name) => add(name, value));
  } else if (typeof headers === 'object') {
    for (const name in headers) {
      if (Object.prototype.hasOwnProperty.call(headers, name)) add(name, headers[name]);
    }
  } else {
    fail('InvalidHeader', 'headers must be [name, value] pairs, a Headers object or a plain object');
  }
  return count;
}

function signingTime(date) {
  let ms;
  if (date === undefined) ms = Date.now();
  else if (date instanceof Date) ms = date.getTime();
  else if (typeof date === 'number') ms = date;
  else if (typeof date === 'string') ms = __parseTime(date);
  else fail('InvalidSigningDate', 'signingDate must be a Date, milliseconds since the epoch, or an ISO 8601 string');
  if (!Number.isFinite(ms)) fail('InvalidSigningDate', 'signingDate is not a valid date');
  return ms;
}

// Tri-state options as the wasm side reads them: 0 = the service's
// default, 1 = on, 2 = off.
function tri(input, name) {
  const value = input[name];
  if (value === undefined) return 0;
  if (typeof value !== 'boolean') fail('InvalidOption', `${name} must be true or false`);
  return value ? 1 : 2;
}
const APPEND_TOKEN = 1 << 6;
const BODY_IS_TEXT = 1 << 7;
const EMPTY = new Uint8Array(0);

function bodyBytes(body) {
  if (body === undefined || body === null) return undefined;
  return __viewOf(body, 'InvalidBody', 'body') ?? fail('InvalidBody', 'body must be a string, a Uint8Array, an ArrayBuffer or a typed array view');
}


function sign(input, expiresIn, payloadHash) {
  if (input === null || typeof input !== 'object') fail('InvalidInput', 'expected an object describing the request');
  const { method, url, region, service, credentials } = input;
  if (typeof method !== 'string') fail('InvalidMethod', 'method must be a string such as "POST"');
  if (typeof url !== 'string') fail('InvalidUrl', 'url must be an absolute URL string (as sent: already percent-encoded)');
  if (typeof region !== 'string') fail('InvalidScope', 'region must be a string such as "us-east-1"');
  if (typeof service !== 'string') fail('InvalidScope', 'service must be a string such as "kinesis"');
  if (credentials === null || typeof credentials !== 'object') {
    fail('InvalidCredentials', 'credentials must be { accessKeyId, secretAccessKey, sessionToken? }');
  }
  const { accessKeyId, secretAccessKey, sessionToken } = credentials;
  if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string') {
    fail('InvalidCredentials', 'credentials.accessKeyId and credentials.secretAccessKey must be strings');
  }
  if (sessionToken !== undefined && sessionToken !== null && typeof sessionToken !== 'string') {
    fail('InvalidCredentials', 'credentials.sessionToken must be a string when given');
  }
  const placement = input.sessionTokenPlacement;
  if (placement !== undefined && placement !== 'signed' && placement !== 'appended') {
    fail('InvalidOption', "sessionTokenPlacement must be 'signed' or 'appended'");
  }
  if (payloadHash === undefined) payloadHash = input.payloadHash;
  if (payloadHash !== undefined && typeof payloadHash !== 'string') {
    fail('InvalidPayloadHash', 'payloadHash must be a string (hex SHA-256 or UNSIGNED-PAYLOAD)');
  }
  const token = sessionToken ?? '';
  if (payloadHash === '') fail('InvalidPayloadHash', 'payloadHash must not be empty');
  const hash = payloadHash ?? '';
  const fixed = [method, url, region, service, accessKeyId, secretAccessKey, token, hash];
  for (let i = 0; i < 8; i++) {
    if (fixed[i].indexOf('\0') !== -1) {
      fail('InvalidInput', 'method, url, region, service, credentials and payloadHash must not contain NUL characters');
    }
  }
  const headerCount = headerFields(input.headers, fixed);
  let flags = tri(input, 'normalizePath') | (tri(input, 'doubleEncodePath') << 2) | (tri(input, 'signPayloadHeader') << 4);
  if (placement === 'appended') flags |= APPEND_TOKEN;
  const body = input.body;
  let bytes = EMPTY;
  let text;
  if (typeof body === 'string') text = body;
  else if (body != null) bytes = bodyBytes(body);
  // With a payload hash the body is not needed: do not copy it into wasm.
  if (payloadHash !== undefined) {
    text = undefined;
    bytes = EMPTY;
  } else if (hostHasher !== null && expiresIn === 0) {
    const size = text !== undefined ? text.length : bytes.byteLength;
    // A caller's x-amz-content-sha256 header outranks the body's hash.
    if (size >= hostHashThreshold && !fixed.some((f, i) => i >= 8 && i % 2 === 0 && f.toLowerCase() === 'x-amz-content-sha256')) {
      fixed[7] = hostHasher(text !== undefined ? text : bytes);
      text = undefined;
      bytes = EMPTY;
    }
  }
  fixed.push(text === undefined ? '' : text);
  if (text !== undefined) flags |= BODY_IS_TEXT;
  const packed = __sign(fixed.join('\0'), headerCount, bytes, signingTime(input.signingDate), expiresIn, flags);
  return packed.split('\0');
}

/**
 * Signs a request with AWS Signature Version 4 (Authorization header).
 * Returns the headers to set, in order, and every intermediate stage.
 */
export function signRequest(input) {
  return signedHeadersResult(sign(input, 0));
}

function signedHeadersResult(f) {
  const headers = [];
  let authorization = '';
  for (let i = 5; i + 1 < f.length; i += 2) {
    headers.push([f[i], f[i + 1]]);
    if (f[i] === 'Authorization') authorization = f[i + 1];
  }
  return {
    headers,
    authorization,
    signature: f[0],
    signedHeaders: f[1],
    canonicalRequest: f[2],
    stringToSign: f[3],
  };
}

/**
 * Presigns a URL (SigV4 query parameters), valid for `expiresIn` seconds
 * (1 to 604800).
 */
export function presignUrl(input) {
  const expiresIn = input === null || typeof input !== 'object' ? undefined : input.expiresIn;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_IN) {
    fail('InvalidExpiresIn', `expiresIn must be a whole number of seconds from 1 to ${MAX_EXPIRES_IN} (7 days)`);
  }
  const f = sign(input, expiresIn);
  return {
    url: f[4],
    signature: f[0],
    signedHeaders: f[1],
    canonicalRequest: f[2],
    stringToSign: f[3],
  };
}

// Below this size SHA-256 in wasm is faster than SubtleCrypto's round trip
// to its worker thread; from it on SubtleCrypto's native hash wins
// (headless Chromium 156, side by side: 1 KiB 38 µs in wasm vs 65 µs,
// 4 KiB 42 vs 46, 8 KiB 68 vs 49, 64 KiB 452 vs 90).
const SUBTLE_THRESHOLD = 4 * 1024;

/**
 * Like signRequest, but hashes a large body with SubtleCrypto (native
 * SHA-256) where available. Resolves to the same result.
 */
export async function signRequestAsync(input) {
  // Where a synchronous native hasher is installed (Node), it is faster
  // than SubtleCrypto's round trip.
  const subtle = hostHasher === null && globalThis.crypto && globalThis.crypto.subtle;
  if (subtle && input && typeof input === 'object' && input.payloadHash === undefined && input.body != null) {
    const body = typeof input.body === 'string' ? input.body : bodyBytes(input.body);
    const size = typeof body === 'string' ? body.length : body.byteLength;
    if (size >= SUBTLE_THRESHOLD) {
      const data = typeof body === 'string' ? new TextEncoder().encode(body) : body;
      const digest = new Uint8Array(await subtle.digest('SHA-256', data));
      let hex = '';
      for (let i = 0; i < digest.length; i++) hex += (digest[i] < 16 ? '0' : '') + digest[i].toString(16);
      return signedHeadersResult(sign(input, 0, hex));
    }
  }
  return signRequest(input);
}

/**
 * The hash key of a partition key: MD5 of its UTF-8 bytes as an unsigned
 * big-endian 128-bit integer, in decimal (how Kinesis picks the shard).
 */
export function hashKeyOf(partitionKey) {
  if (typeof partitionKey !== 'string') fail('ValidationException', 'partitionKey must be a string');
  return __hashKeyOf(partitionKey);
}

function optionalHashKey(explicitHashKey) {
  if (explicitHashKey === undefined || explicitHashKey === null) return undefined;
  if (typeof explicitHashKey === 'bigint' && explicitHashKey >= 0n) return explicitHashKey.toString();
  if (typeof explicitHashKey !== 'string') fail('ValidationException', 'explicitHashKey must be a decimal string');
  return explicitHashKey;
}

/** A stream's shards: which one a record lands on, and their lineage. */
export class ShardMap {
  #inner;

  constructor(inner) {
    if (!(inner instanceof __ShardMap)) fail('InvalidInput', 'use ShardMap.uniform(n) or ShardMap.fromListShards(response)');
    this.#inner = inner;
  }

  /** @internal */
  _inner() {
    return this.#inner;
  }

  /** The shards CreateStream makes for `shardCount` shards (even split). */
  static uniform(shardCount) {
    if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > 0xffffffff) {
      fail('InvalidArgumentException', 'shardCount must be a whole number of at least 1');
    }
    return new ShardMap(__ShardMap.uniform(shardCount));
  }

  /**
   * From a ListShards response (or DescribeStream's StreamDescription, or a
   * plain array of shards), as the AWS SDK or the JSON API returns it.
   */
  static fromListShards(response) {
    const shards = Array.isArray(response) ? response : response?.Shards ?? response?.StreamDescription?.Shards;
    if (!Array.isArray(shards)) fail('InvalidShardMap', 'expected a ListShards response with a Shards array');
    const fields = [];
    for (const shard of shards) {
      const range = shard?.HashKeyRange;
      if (typeof shard?.ShardId !== 'string' || typeof range?.StartingHashKey !== 'string' || typeof range?.EndingHashKey !== 'string') {
        fail('InvalidShardMap', 'each shard needs ShardId and HashKeyRange { StartingHashKey, EndingHashKey } strings');
      }
      for (const f of [shard.ShardId, shard.ParentShardId ?? '', shard.AdjacentParentShardId ?? '']) {
        if (typeof f !== 'string' || f.indexOf('\0') !== -1) fail('InvalidShardMap', 'shard ids must be strings without NUL');
      }
      const open = shard.SequenceNumberRange?.EndingSequenceNumber == null;
      fields.push(shard.ShardId, range.StartingHashKey, range.EndingHashKey, shard.ParentShardId ?? '', shard.AdjacentParentShardId ?? '', open ? '1' : '0');
    }
    return new ShardMap(__ShardMap.packed(fields.join('\0')));
  }

  /** Every shard, open and closed: id, hash key range (decimal), lineage. */
  get shards() {
    const f = this.#inner.packedShards().split('\0');
    const out = [];
    for (let i = 0; i + 5 < f.length; i += 6) {
      const shard = { shardId: f[i], startingHashKey: f[i + 1], endingHashKey: f[i + 2], open: f[i + 5] === '1' };
      if (f[i + 3]) shard.parentShardId = f[i + 3];
      if (f[i + 4]) shard.adjacentParentShardId = f[i + 4];
      out.push(shard);
    }
    return out;
  }

  /** The id of the open shard a record with this key (or explicit hash key) goes to. */
  shardFor(partitionKey, explicitHashKey) {
    if (typeof partitionKey !== 'string') fail('ValidationException', 'partitionKey must be a string');
    return this.#inner.shardFor(partitionKey, optionalHashKey(explicitHashKey));
  }

  /**
   * An ExplicitHashKey (decimal) inside shard `shardId`: `pick` (a decimal
   * string or BigInt, e.g. random) chooses where in its range.
   */
  explicitHashKeyIn(shardId, pick = '0') {
    return this.#inner.explicitHashKeyIn(String(shardId), optionalHashKey(pick) ?? '0');
  }
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function dataBytes(data, what) {
  if (typeof data === 'string') return utf8.encode(data);
  return __viewOf(data, 'ValidationException', what) ?? fail('ValidationException', `${what} must be a Uint8Array (or a string)`);
}

// Reads what the wasm side packs: the blobs back to back, then a table of
// `partitionKey\0explicitHashKey\0count\0length` per record, then its size.
function unpackRecords(packed) {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const tableLength = view.getUint32(packed.byteLength - 4, true);
  const tableStart = packed.byteLength - 4 - tableLength;
  if (tableLength === 0) return [];
  const f = fromUtf8.decode(packed.subarray(tableStart, packed.byteLength - 4)).split('\0');
  const out = [];
  let offset = 0;
  for (let i = 0; i + 3 < f.length; i += 4) {
    const length = Number(f[i + 3]);
    out.push({ partitionKey: f[i], explicitHashKey: f[i + 1] || undefined, count: Number(f[i + 2]), data: packed.subarray(offset, offset + length) });
    offset += length;
  }
  return out;
}

// Packs user records for the wasm side: keys as `pk\0ehk\0…`, data back
// to back, and each record's data length.
function packUserRecords(records) {
  // Built by `+=`, not pushed and joined: V8 appends to a rope, and
  // `join` of 200,000 short strings took a tenth of `aggregate`'s time.
  let keys = '';
  const blobs = new Array(records.length);
  const lengths = new Uint32Array(records.length);
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r === null || typeof r !== 'object') fail('ValidationException', `records[${i}] must be an object`);
    // (A NUL inside a key is caught on the wasm side: the fields no longer
    // line up.)
    if (typeof r.partitionKey !== 'string') fail('ValidationException', `records[${i}].partitionKey must be a string`);
    const ehk = r.explicitHashKey === undefined ? '' : optionalHashKey(r.explicitHashKey) ?? '';
    const d = r.data;
    // (An empty view may be of a transferred buffer: dataBytes checks.)
    const bytes = d instanceof Uint8Array && d.byteLength !== 0 ? d : dataBytes(d, `records[${i}].data`);
    keys += `${r.partitionKey}\0${ehk}\0`;
    blobs[i] = bytes;
    lengths[i] = bytes.byteLength;
    total += bytes.byteLength;
  }
  const data = new Uint8Array(total);
  for (let i = 0, offset = 0; i < blobs.length; i++) {
    data.set(blobs[i], offset);
    offset += blobs[i].byteLength;
  }
  return { joined: keys.slice(0, -1), data, lengths };
}

const DEFAULT_AGGREGATE_BYTES = 51200; // the KPL's AggregationMaxSize
const MAX_AGGREGATE_BYTES = 1048576;

/**
 * KPL-aggregates user records into Kinesis records of at most `maxBytes`
 * (default 51,200, at most 1 MiB). With `shardMap`, records are grouped by
 * the shard they are predicted to land on and each aggregate is addressed
 * to it; without one, only records with the same hash key are grouped. A
 * lone record, or one too large for `maxBytes`, is returned as it was.
 */
export function aggregate(records, options = {}) {
  if (!Array.isArray(records)) fail('ValidationException', 'records must be an array');
  const maxBytes = options.maxBytes ?? DEFAULT_AGGREGATE_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < 64 || maxBytes > MAX_AGGREGATE_BYTES) {
    fail('InvalidArgumentException', `maxBytes must be a whole number from 64 to ${MAX_AGGREGATE_BYTES}`);
  }
  const shardMap = options.shardMap;
  if (shardMap !== undefined && !(shardMap instanceof ShardMap)) fail('InvalidArgumentException', 'shardMap must be a ShardMap');
  const { joined, data, lengths } = packUserRecords(records);
  const packed = shardMap ? shardMap._inner().aggregate(joined, data, lengths, maxBytes) : __aggregate(joined, data, lengths, maxBytes);
  return unpackRecords(packed).map((o) => {
    const out = { partitionKey: o.partitionKey, data: o.data, userRecords: o.count };
    if (o.explicitHashKey !== undefined) out.explicitHashKey = o.explicitHashKey;
    return out;
  });
}

/**
 * Reads a Kinesis record as the KCL does: an aggregate gives its user
 * records (with their sub-sequence numbers); anything else (no magic, a bad
 * MD5, a protobuf that does not parse) comes back as the one record it is.
 * User records' `data` are views of `record.data` (no copy).
 */
export function deaggregate(record) {
  if (record === null || typeof record !== 'object') fail('ValidationException', 'record must be an object');
  const data = dataBytes(record.data, 'record.data');
  const packed = __deaggregate(data);
  const sequenceNumber = record.sequenceNumber;
  if (packed.byteLength === 0) {
    const out = { partitionKey: record.partitionKey, data };
    if (record.explicitHashKey !== undefined) out.explicitHashKey = record.explicitHashKey;
    if (sequenceNumber !== undefined) out.sequenceNumber = sequenceNumber;
    return [out];
  }
  // Numbers first (see __deaggregate), then the key tables; user records'
  // data are views of the caller's bytes, not copies.
  const words = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const count = words.getUint32(0, true);
  const tableAt = 4 + count * 16;
  const keyCount = words.getUint32(tableAt, true);
  const table = fromUtf8.decode(packed.subarray(tableAt + 4)).split('\0');
  const out = new Array(count);
  for (let i = 0, at = 4; i < count; i++, at += 16) {
    const offset = words.getUint32(at + 8, true);
    const user = { partitionKey: table[words.getUint32(at, true)], data: data.subarray(offset, offset + words.getUint32(at + 12, true)), subSequenceNumber: i };
    const hash = words.getUint32(at + 4, true);
    if (hash !== 0) user.explicitHashKey = table[keyCount + hash - 1];
    if (sequenceNumber !== undefined) user.sequenceNumber = sequenceNumber;
    out[i] = user;
  }
  return out;
}

export const CONTENT_TYPE = 'application/x-amz-json-1.1';

/**
 * Encodes a Kinesis PutRecords request body (JSON 1.1, data in base64),
 * byte-identical to what @aws-sdk/client-kinesis sends. Returns the target,
 * content type and body, ready for signRequest.
 */
export function encodePutRecords({ streamName, streamArn, records } = {}) {
  if (!Array.isArray(records)) fail('ValidationException', 'records must be an array');
  const stream = streamArn ?? streamName;
  if (typeof stream !== 'string') fail('ValidationException', 'streamName (or streamArn) must be a string');
  const { joined, data, lengths } = packUserRecords(records);
  return { target: 'Kinesis_20131202.PutRecords', contentType: CONTENT_TYPE, body: __encodePutRecords(stream, streamArn !== undefined, joined, data, lengths) };
}

/** Encodes a Firehose PutRecordBatch request body. */
export function encodePutRecordBatch({ deliveryStreamName, records } = {}) {
  if (!Array.isArray(records)) fail('ValidationException', 'records must be an array');
  if (typeof deliveryStreamName !== 'string') fail('ValidationException', 'deliveryStreamName must be a string');
  const blobs = records.map((r, i) => dataBytes(r?.data ?? r, `records[${i}].data`));
  const lengths = Uint32Array.from(blobs, (b) => b.byteLength);
  const data = new Uint8Array(lengths.reduce((a, b) => a + b, 0));
  for (let i = 0, offset = 0; i < blobs.length; offset += blobs[i].byteLength, i++) data.set(blobs[i], offset);
  return { target: 'Firehose_20150804.PutRecordBatch', contentType: CONTENT_TYPE, body: __encodePutRecordBatch(deliveryStreamName, data, lengths) };
}
