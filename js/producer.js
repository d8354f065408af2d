// Producer and FirehoseProducer: the I/O around the wasm state machine
// (src/producer): the global `fetch` (or one passed in), timers, credentials.
// No `window`: the same code runs in a page, a worker, Node and workerd.
// The same file serves the main entry and `kinesis-edge/producer` (its own
// lean .wasm): each directory's `./kinesis_edge.js` loads its own module
// (the main entry's is wasm-bindgen's glue; the producer entry's, only a
// loader: js/producer/kinesis_edge.js).
import { initSync } from './kinesis_edge.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);
// What all keepalive requests in flight may carry (Fetch standard: 64 KiB
// for the whole page, not per producer), and what this page's producers
// have in flight.
const KEEPALIVE_BUDGET = 65536;
let keepaliveBytes = 0;
// A host's native SHA-256 for large bodies: hex of a body (or a promise of
// it; '' to hash it in wasm after all), or null to hash every body in wasm.
// node:crypto in Node (installed by the Node entries); elsewhere WebCrypto
// where the runtime has it (pages in secure contexts, workers, workerd):
// from 4 KiB on its round trip costs less than SHA-256 in wasm (measured
// in headless Chromium for signRequestAsync; see js/api.js).
const subtle = globalThis.crypto?.subtle;
let hashBody =
  typeof subtle?.digest === 'function'
    ? (body) =>
        subtle.digest('SHA-256', body).then((d) => {
          let hex = '';
          for (const b of new Uint8Array(d)) hex += (b < 16 ? '0' : '') + b.toString(16);
          return hex;
        }, () => '')
    : null;
let hashFrom = 4096;

/** @internal Installed by the Node entry points; returns the previous [hasher, threshold]. */
export function __setBodyHasher(hasher, threshold) {
  const previous = [hashBody, hashFrom];
  hashBody = hasher;
  hashFrom = threshold;
  return previous;
}
// stats() and onEvent members, in the order the core writes them.
const STAT_NAMES = ['recordsPut', 'recordsAcknowledged', 'recordsFailed', 'recordsExpired', 'recordsRetried', 'bytesAcknowledged', 'requests', 'throttles', 'transportErrors', 'clockCorrections', 'bufferedRecords', 'bufferedBytes'];
// The producer's clock: the wall clock, except that a step back (a clock
// set back by NTP or by hand) is not followed: time goes on from where it
// was by the monotonic clock, so batches and retries are not held back
// for as long as the step. Steps forward (and a machine's sleep, which the
// monotonic clock may not count) are followed, as a late timer is. A
// signature made at a wrong time is corrected by the service's clock.
const perf = globalThis.performance;
let lastClock = Date.now();
let lastMono = perf?.now?.() ?? 0;
function clock() {
  const mono = perf?.now?.() ?? 0;
  lastClock = Math.max(Date.now(), lastClock + mono - lastMono);
  lastMono = mono;
  return lastClock;
}

// Lateness of a timer beyond which the host held the producer back (hidden
// pages' timers run at most once a second; longer is throttling, a frozen
// page or sleep).
const LATE_TIMER_MS = 1000;
const EVENT_MEMBERS = ['request', 'entries', 'records', 'openShards', 'code'];
// Temporary credentials are refreshed from five minutes before they expire,
// in the background while they are used, and waited for from one minute
// before (the Java SDK v2's StsCredentialsProvider: DEFAULT_PREFETCH_TIME
// 5 minutes, DEFAULT_STALE_TIME 1 minute). Background refreshes start at
// most once per RETRY_REFRESH_MS, so a failing provider is not asked at
// every request. Credentials already stale as they arrive (by this
// device's clock: a clock hours ahead makes fresh ones look expired; or a
// provider handing out what it holds) are used for RETRY_REFRESH_MS before
// the provider is asked again: the service says when they have expired.
const REFRESH_BEFORE_MS = 5 * 60 * 1000;
const STALE_BEFORE_MS = 60 * 1000;
const RETRY_REFRESH_MS = 10 * 1000;

// The core (src/wasm/producer.rs), through the module's exports (no glue):
// `call(op, now, a, b)` runs one operation on the input written first into
// the adapter's buffer (`io`, one for all producers), as fields: each a
// length (u32, little-endian; 2 ** 32 - 1: none) and its bytes. Its answer
// is a number, or bytes it left in the same buffer (read before the next
// call). The operations, as there:
const PUSH = 1, ERROR = 2, HAS_ROOM = 3, POLL_REQUEST = 4, POLL_REQUEST_WITHIN = 5, RESPONSE = 6,
  TRANSPORT_ERROR = 7, POLL_TIMEOUT = 8, POLL_OUTCOMES = 9, POLL_EVENTS = 10, SIGN = 11, RESUME = 12, FLUSH = 13,
  CLOSE = 14, NEXT_ID = 15, STATS = 16;
// The module's exports: the entry point instantiated it before a producer
// is made, and initSync() gives them.
let wasm = null;
// Its memory, as bytes: a new view once it grew (which empties the old).
let heap = EMPTY;
function memory() {
  if (heap.byteLength === 0) heap = new Uint8Array(wasm.memory.buffer);
  return heap;
}

// A core made from its configuration (fields), freed when its producer is
// collected; a configuration the core refuses throws.
const cores = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry((core) => wasm.__producerFree(core)) : null;
function newCore(owner, ...fields) {
  wasm ??= initSync();
  write(fields);
  const core = wasm.__producerNew();
  if (core < 0) throw coreError(text(-core));
  cores?.register(owner, core, owner);
  return core;
}

// Where the buffer is, with room for `size` bytes.
function io(size) {
  return wasm.__producerIo(size) >>> 0;
}

// `op` on `core` with `fields` (Uint8Array, string, or null / undefined:
// none) as its input.
function call(core, op, now = 0, a = 0, b = 0, ...fields) {
  if (fields.length > 0) write(fields);
  return wasm.__producerCall(core, op, now, a, b);
}

// Writes a call's input.
function write(fields) {
  let size = 0;
  for (const f of fields) size += 4 + (f == null ? 0 : typeof f === 'string' ? 3 * f.length : f.length);
  let at = io(size);
  const h = memory();
  for (const f of fields) {
    let n = -1;
    if (typeof f === 'string') {
      // ASCII (partition keys, mostly) is copied here: cheaper than a
      // TextEncoder call on a short string. The rest is encoded.
      const start = at + 4;
      for (n = 0; n < f.length; n++) {
        const c = f.charCodeAt(n);
        if (c > 127) break;
        h[start + n] = c;
      }
      if (n < f.length) n += encoder.encodeInto(f.slice(n), h.subarray(start + n)).written;
    } else if (f != null) {
      h.set(f, at + 4);
      n = f.length;
    }
    h[at] = n;
    h[at + 1] = n >> 8;
    h[at + 2] = n >> 16;
    h[at + 3] = n >> 24;
    at += 4 + Math.max(n, 0);
  }
}

// The answer `call` left: `n` bytes (a view, valid until the next call).
function answer(n) {
  const at = io(0);
  return memory().subarray(at, at + n);
}

// An answer as text ('' when there is none).
function text(n) {
  return n ? decoder.decode(answer(n)) : '';
}

function error(code, message, extra = {}) {
  const e = new Error(message || code);
  e.name = 'KinesisEdgeError';
  e.code = code;
  Object.assign(e, extra);
  return e;
}

function fail(code, message) {
  throw error(code, message);
}

// The core's reasons come as `code\0message`.
function coreError(text) {
  const [code, message] = text.split('\0');
  return error(code, message);
}

// A BufferFull that room would cure: not a record larger than the whole
// buffer (the core's PushError::LargerThanBuffer, which says so).
const full = (e) => e.code === 'BufferFull' && !e.message.endsWith('never fit');

function bytesOf(data, what = 'data') {
  if (typeof data === 'string') return encoder.encode(data);
  return __viewOf(data, 'InvalidArgument', what) ?? fail('InvalidArgument', `${what} must be a string, a Uint8Array, an ArrayBuffer or a typed array`);
}

/**
 * @internal A Uint8Array over `data` (an ArrayBuffer or a view of one), or
 * undefined. A view of a transferred buffer reads as empty, and making a
 * view of it throws: refused with `code`, not taken as empty.
 */
export function __viewOf(data, code, what) {
  try {
    if (data instanceof Uint8Array && data.byteLength) return data;
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
  } catch {
    fail(code, `${what} is in a detached ArrayBuffer (transferred away)`);
  }
}

// Options, when given, are an object: `null` and `undefined` are none.
// Checked here, not left to a property read's TypeError, so the caller gets
// an InvalidArgument.
function optionsOf(options) {
  if (options == null) return {};
  if (typeof options !== 'object') fail('InvalidArgument', 'options must be an object');
  return options;
}

function randomPartitionKey() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  if (c && typeof c.getRandomValues === 'function') {
    return Array.from(c.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  }
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function whole(options, name, fallback, min, max) {
  const v = options[name] ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) fail('InvalidArgument', `${name} must be a whole number from ${min} to ${max}`);
  return v;
}

// A yes-or-no option: a boolean, not anything truthy ('false' would be).
function flag(options, name, fallback) {
  const v = options[name] ?? fallback;
  if (typeof v !== 'boolean') fail('InvalidArgument', `${name} must be true or false`);
  return v;
}

function endpointFor(service, region) {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://${service}.${region}.${suffix}/`;
}

/**
 * `promise`, or an `AbortError` after `ms` (`onTimeout` runs then); what
 * `promise` does later is not waited for.
 */
function within(promise, ms, onTimeout) {
  let timer;
  promise.catch(() => {});
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(Object.assign(new Error(`no answer within ${ms} ms`), { name: 'AbortError' }));
    }, ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Settles one record: a `put`'s promise, or a slot of a `putMany`. */
function settleSlot(w, ok, value) {
  const b = w.batch;
  if (!b) return ok ? w.resolve(value) : w.reject(value);
  if (!ok) {
    if (!b.failed) {
      b.failed = true;
      b.reject(value);
    }
    return;
  }
  b.results[w.index] = value;
  if (--b.left === 0 && !b.failed) b.resolve(b.results);
}

/**
 * What signs a Kinesis or Firehose producer's requests: its credentials,
 * static or from a provider (refreshed in the background from five minutes
 * before they expire, waited for from one minute before, and asked for
 * again once the service says they expired), a large body
 * hashed by the host, and SigV4 in the core. Passed to the base class only
 * by the producers that sign, so that a bundle without them (the gateway
 * client's) leaves it out.
 */
function newSigner(credentials, timeoutMs) {
  let cached = null;
  let refreshing = null;
  // No background refresh starts before this time.
  let retryAt = 0;
  // The service's clock minus this device's, as the core last signed
  // (x-amz-date: this device's time corrected by what the service said of
  // its clock): an expiration is the service's time, and on a device whose
  // clock is hours off, fresh credentials would look stale, or stale ones
  // fresh, by this device's.
  let offset = 0;
  const now = async () => {
    if (typeof credentials !== 'function') return credentials;
    const local = Date.now();
    const t = local + offset;
    // Fresh (or with no expiration: kept until the service says they expired).
    if (cached && (local < cached.until || !(cached.expiration - REFRESH_BEFORE_MS <= t))) return cached.credentials;
    // Close to expiring but not stale: used while a refresh runs, so that
    // no request waits on the provider, nor stops while it fails.
    if (cached?.expiration - STALE_BEFORE_MS > t) {
      if (local >= retryAt) {
        retryAt = local + RETRY_REFRESH_MS;
        refresh().catch(() => {});
      }
      return cached.credentials;
    }
    return refresh();
  };
  const refresh = () =>
    (refreshing ??= (async () => {
      try {
        let got;
        try {
          // A provider that never answers is asked again next time.
          got = await within(Promise.resolve().then(() => credentials()), timeoutMs);
        } catch (e) {
          throw error('CredentialsProviderError', `the credentials provider failed: ${e?.message ?? e}`);
        }
        if (typeof got?.accessKeyId !== 'string' || typeof got?.secretAccessKey !== 'string') {
          throw error('InvalidCredentials', 'the credentials provider returned no accessKeyId / secretAccessKey');
        }
        // A Date, epoch milliseconds or an ISO string (as STS's JSON has
        // it); one that is no time is none (the service says when they expire).
        const at = got.expiration == null ? NaN : new Date(got.expiration).getTime();
        const expiration = Number.isNaN(at) ? undefined : at;
        const local = Date.now();
        cached = {
          credentials: { accessKeyId: got.accessKeyId, secretAccessKey: got.secretAccessKey, sessionToken: got.sessionToken },
          expiration,
          // (by this device's clock, as retryAt)
          until: expiration - STALE_BEFORE_MS <= local + offset ? local + RETRY_REFRESH_MS : 0,
        };
        return cached.credentials;
      } finally {
        refreshing = null;
      }
    })());
  // The headers (name, value pairs) for `target` with `body` (or its hash)
  // signed with `c`; throws what the core refuses.
  const sign = (core, region, service, c, target, body, hash) => {
    const packed = text(
      call(core, SIGN, clock(), 0, 0, region, service, c.accessKeyId, c.secretAccessKey, `${c.sessionToken ?? ''}`, target, body, hash),
    ).split('\0');
    if (packed[0] === '') throw error(packed[1], packed[2]);
    // x-amz-date, YYYYMMDDTHHMMSSZ, read as YYYY-MM-DDTHH:MM:SSZ: whole
    // seconds, so the difference is taken in whole seconds, towards zero
    // (none learned, none here).
    offset = Math.trunc((Date.parse(packed[5].replace(/(....)(..)(..)T(..)(..)/, '$1-$2-$3T$4:$5:')) - Date.now()) / 1e3) * 1e3;
    const headers = [];
    for (let i = 0; i < packed.length; i += 2) headers.push([packed[i], packed[i + 1]]);
    return headers;
  };
  return {
    /** The service refused the credentials as expired: the provider is asked again. */
    expired() {
      cached = null;
    },
    /**
     * Static credentials the core cannot sign with (an empty key, a key
     * with white space) are refused when the producer is made: they would
     * never become good, and its records would wait out their time to live.
     */
    check(core, region, service) {
      if (typeof credentials !== 'function') sign(core, region, service, credentials, 'x', EMPTY, '');
    },
    /** The headers to send a request for `target` with `body`. */
    async headers(core, region, service, target, body, keepalive) {
      const c = await now();
      // A keepalive request goes out now (the page is going away: no
      // waiting on another thread's hash).
      const hash = hashBody && !keepalive && body.length >= hashFrom ? await hashBody(body) : '';
      // A body hashed here does not cross into wasm again.
      return sign(core, region, service, c, target, hash ? EMPTY : body, hash);
    },
  };
}

class BaseProducer {
  #core;
  #service;
  #region;
  #endpoint;
  #fetch;
  // Kinesis and Firehose: what signs their requests (a gateway's are not signed).
  #signer = null;
  #onEvent;
  #onFull;
  #requestTimeoutMs;
  #pending = new Map();
  #waiting = [];
  #flushes = [];
  #timer = null;
  #timerAt = Infinity;
  // Time told to the core as held (RESUME) runs up to here: each stretch
  // is told once, whoever notices it (a late timer, a late request, online).
  #heldTo = 0;
  #closed = false;
  // Offline (navigator.onLine): nothing is sent, no timer runs, until online.
  #offline = false;
  #listeners = [];
  // Persistence (options.store, e.g. kinesis-edge/persistence): accepted
  // records are kept there until acknowledged, and sent again after a
  // reload. Puts go through the store in order.
  #store = null;
  #ready = Promise.resolve();
  #accepting = Promise.resolve();
  #restored = 0;

  // `signerFor(credentials, timeoutMs)`: from the producers that sign, so
  // that the gateway client's bundle leaves signing out.
  constructor(kind, name, options, signerFor) {
    const gateway = kind === 'gateway';
    if (!gateway && (typeof name !== 'string' || name === '')) fail('InvalidArgument', `${kind === 'kinesis' ? 'streamName' : 'deliveryStreamName'} is required`);
    if (!gateway && (typeof options.region !== 'string' || !/^[a-z0-9-]+$/.test(options.region))) fail('InvalidArgument', 'region must be a region name, e.g. "us-east-1"');
    if (gateway && typeof options.endpoint !== 'string') fail('InvalidArgument', "gateway mode needs the gateway's endpoint, e.g. https://events.example.com/events");
    this.#service = kind;
    this.#region = options.region;
    this.#endpoint = options.endpoint ?? endpointFor(this.#service, this.#region);
    let url;
    try {
      url = new URL(this.#endpoint);
    } catch {
      fail('InvalidArgument', `endpoint must be an absolute URL, got ${this.#endpoint}`);
    }
    // The core checks the host and path it signs; what only a URL has
    // (scheme, query, user info) is checked here.
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.username) {
      fail('InvalidArgument', `endpoint must be http(s)://host[:port]/path with no query or user info, got ${this.#endpoint}`);
    }
    this.#fetch = options.fetch ?? globalThis.fetch?.bind(globalThis);
    if (typeof this.#fetch !== 'function') fail('InvalidArgument', 'fetch must be a function (this runtime has no global fetch)');
    const c = options.credentials;
    if (!gateway && typeof c !== 'function' && (typeof c?.accessKeyId !== 'string' || typeof c?.secretAccessKey !== 'string')) {
      fail('InvalidArgument', 'credentials must be { accessKeyId, secretAccessKey, sessionToken? } or an async function returning them');
    }
    this.#onEvent = options.onEvent ?? null;
    if (this.#onEvent !== null && typeof this.#onEvent !== 'function') fail('InvalidArgument', 'onEvent must be a function');
    this.#onFull = options.onFull ?? 'reject';
    const lifecycle = flag(options, 'lifecycle', true);
    const pauseWhenOffline = flag(options, 'pauseWhenOffline', true);
    if (options.store !== undefined) {
      const st = options.store;
      if (typeof st?.load !== 'function' || typeof st.add !== 'function' || typeof st.remove !== 'function') {
        fail('InvalidArgument', 'store must have load(), add() and remove() (e.g. indexedDbStore from kinesis-edge/persistence)');
      }
      this.#store = st;
    }
    if (this.#onFull !== 'reject' && this.#onFull !== 'wait') fail('InvalidArgument', "onFull must be 'reject' or 'wait'");
    const ttl = whole(options, 'recordTtlMs', 30000, 1, 86400000);
    // A request that hangs is given up on in time for its records to go
    // again within their time to live: a third of it, from 1 s to 30 s
    // (the KPL's defaults: RequestTimeout 6000 and RecordTtl 30000 ms,
    // awslabs/amazon-kinesis-producer, default_config.properties).
    this.#requestTimeoutMs = whole(options, 'requestTimeoutMs', Math.min(30000, Math.max(1000, Math.floor(ttl / 3))), 1, 600000);
    if (!gateway) this.#signer = signerFor(c, this.#requestTimeoutMs);
    const delimiter = options.delimiter == null ? EMPTY : bytesOf(options.delimiter, 'delimiter');
    const numbers = new Float64Array([
      whole(options, 'lingerMs', 100, 0, 600000),
      whole(options, 'maxInFlight', 4, 1, 1000),
      ttl,
      whole(options, 'maxBufferedBytes', 64 * 1024 * 1024, 1, 4294967295),
      whole(options, 'maxBufferedRecords', 1000000, 1, 4294967295),
      flag(options, 'ordered', false),
      flag(options, 'aggregation', true),
      whole(options, 'rateLimitPercent', 150, 0, 10000),
      Math.floor(Math.random() * 2 ** 52),
      // A stream's records: 1 MiB, or up to 10 MiB once raised (UpdateMaxRecordSize).
      whole(options, 'maxRecordBytes', 1048576, 1048576, 10485760),
      // A provider can give fresh credentials when the service says they
      // expired (ExpiredTokenException): records are then resent, not failed.
      typeof c === 'function',
    ]);
    this.#core = newCore(this, kind, name, url.host, url.pathname, delimiter, new Uint8Array(numbers.buffer));
    this.#signer?.check(this.#core, this.#region, kind);
    // Last: a constructor that throws leaves no listener behind.
    this.#watchPage(lifecycle, pauseWhenOffline);
    if (this.#store) this.#ready = this.#restore();
  }

  // Records a previous page (or run) accepted and the stream did not
  // acknowledge: sent first, in their order. Their outcomes have no promise
  // to settle; stats().store.restored counts them, onEvent reports batches.
  // A store may hand more later (another tab's, once that tab is gone):
  // not to a closed producer, which leaves them in the store.
  async #restore() {
    let records = [];
    try {
      records = await this.#store.load((later) => !this.#closed && this.#take(later));
    } catch {
      return; // No store this time (private browsing, quota): new puts still go through it.
    }
    this.#take(records);
  }

  #take(records) {
    const now = clock();
    // (A custom store's load() may give back something that is no list.)
    for (const r of Array.isArray(records) ? records : []) {
      if (r === null || typeof r !== 'object') continue;
      let id;
      try {
        // What a store gives back is checked like a put: it may be a custom
        // store's, or written by another version.
        const { key, ehk } = this.#routing(r);
        id = this.#add(now, bytesOf(r.data), key, ehk);
      } catch (e) {
        if (e.code === 'BufferFull') break; // kept: sent by a page after this one
        this.#store.remove([r.key]);
        continue;
      }
      this.#pending.set(id, { storeKey: r.key, resolve() {}, reject() {} });
      this.#restored++;
    }
    this.#schedule(clock());
    return true;
  }

  /**
   * Buffers a record; resolves when the service has stored it, rejects with
   * its AWS code (or `RecordExpired`, `BufferFull`, `Closed`).
   */
  put(data, options) {
    let bytes, key, ehk;
    try {
      bytes = bytesOf(data);
      ({ key, ehk } = this.#routing(options));
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#accept(bytes, key, ehk);
  }

  // A checked record: buffered (through the store first, when there is
  // one); the promise settles with its outcome.
  #accept(bytes, key, ehk) {
    if (!this.#store) {
      let w;
      const p = new Promise((resolve, reject) => {
        w = { bytes, key, ehk, resolve, reject };
      });
      try {
        this.#push(w);
      } catch (e) {
        w.reject(e);
      }
      return p;
    }
    if (this.#closed) return Promise.reject(error('Closed', 'the producer is closed: it accepts no more records'));
    // Written to the store first (all puts of a tick in one transaction),
    // then buffered, in put order: from a copy, since the caller may reuse
    // its buffer once put() returns.
    bytes = new Uint8Array(bytes);
    return new Promise((resolve, reject) => {
      const w = { bytes, key, ehk, resolve, reject };
      // (A custom store's add() may answer at once, or throw.)
      const added = new Promise((r) => r(this.#store.add({ data: bytes, partitionKey: key, explicitHashKey: ehk })));
      added.catch(() => {}); // handled below, in order
      this.#accepting = Promise.all([this.#accepting, this.#ready])
        .then(() => added)
        .then(
          (storeKey) => {
            w.storeKey = storeKey;
            this.#push(w);
          },
          (e) => reject(e),
        );
    });
  }

  // A record's partition key (random when none is given; none for
  // Firehose and a gateway) and explicit hash key (a string, or a number
  // or BigInt written in decimal), checked before they reach the .wasm.
  #routing(options) {
    const { partitionKey, explicitHashKey } = optionsOf(options);
    if (partitionKey != null && typeof partitionKey !== 'string') fail('InvalidArgument', `partitionKey must be a string, got ${typeof partitionKey}`);
    return {
      key: this.#service === 'kinesis' ? partitionKey ?? randomPartitionKey() : '',
      ehk: explicitHashKey == null ? undefined : String(explicitHashKey),
    };
  }

  /**
   * `put` without waiting for room: says at once whether the record was
   * accepted (buffered, and then owned by the producer: it is delivered or
   * its `result` rejects with the reason) or refused, and why (`BufferFull`,
   * `Closed`, or the AWS validation code). A gateway answers its client
   * with this before the records reach the stream.
   */
  offer(data, options) {
    if (this.#store) return { accepted: false, error: error('InvalidArgument', 'offer() answers at once; with a store, acceptance waits for the write: use put()') };
    let bytes, key, ehk;
    try {
      bytes = bytesOf(data);
      ({ key, ehk } = this.#routing(options));
    } catch (e) {
      return { accepted: false, error: e };
    }
    if (this.#closed) return { accepted: false, error: error('Closed', 'the producer is closed: it accepts no more records') };
    let id;
    try {
      // Not ahead of puts waiting for room (onFull 'wait'): they came first.
      if (this.#waiting.length > 0) fail('BufferFull', 'puts made before this one are waiting for room');
      id = this.#add(clock(), bytes, key, ehk);
    } catch (e) {
      return { accepted: false, error: e };
    }
    const result = new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.#schedule(clock());
    return { accepted: true, result };
  }

  /**
   * Many records at once (one promise): resolves to
   * their results in order, or rejects with the first record's error (as
   * `Promise.all` over `put` would).
   */
  putMany(records) {
    if (!Array.isArray(records)) return Promise.reject(error('InvalidArgument', 'records must be an array'));
    if (this.#closed) return Promise.reject(error('Closed', 'the producer is closed: it accepts no more records'));
    const n = records.length;
    const items = new Array(n);
    try {
      for (let i = 0; i < n; i++) {
        const r = records[i];
        if (r === null || typeof r !== 'object') fail('InvalidArgument', `records[${i}] must be an object with data`);
        items[i] = { bytes: bytesOf(r.data), ...this.#routing(r) };
      }
    } catch (e) {
      return Promise.reject(e);
    }
    if (n === 0) return Promise.resolve([]);
    if (this.#waiting.length > 0 || this.#store) return Promise.all(items.map((i) => this.#accept(i.bytes, i.key, i.ehk)));
    return new Promise((resolve, reject) => {
      const batch = { results: new Array(n), left: n, resolve, reject, failed: false };
      const now = clock();
      // After a BufferFull (or Closed), the rest get the same answer: room
      // freed later must not let later records overtake earlier ones.
      let stop = null;
      for (let i = 0; i < n; i++) {
        const { bytes, key, ehk } = items[i];
        const slot = { batch, index: i };
        let e = stop;
        if (!e) {
          try {
            this.#pending.set(this.#add(now, bytes, key, ehk), slot);
            continue;
          } catch (err) {
            e = err;
            // (Not after one that can never fit: the next ones may.)
            if (err.code === 'Closed' || (full(err) && this.#pending.size > 0)) stop = err;
          }
        }
        if (this.#waits(e)) this.#wait({ bytes, key, ehk, ...slot });
        else settleSlot(slot, false, e);
      }
      this.#schedule(clock());
    });
  }

  /**
   * Sends everything buffered now; resolves when all of it is settled (and,
   * with a store, out of it: a service worker may be stopped then).
   */
  flush() {
    if (this.#store) return this.#accepting.then(() => this.#flushNow()).then(() => this.#store.settled?.());
    return this.#flushNow();
  }

  #flushNow() {
    const upTo = call(this.#core, NEXT_ID);
    call(this.#core, FLUSH);
    // It covers the puts waiting for room too, up to the last (`last`).
    const done = new Promise((resolve) => this.#flushes.push({ upTo, resolve, last: this.#waiting.at(-1) }));
    this.#checkFlushes();
    this.#pump();
    return done;
  }

  /** Flushes and refuses new records. */
  async close() {
    this.#closed = true;
    for (const [target, type, listener] of this.#listeners.splice(0)) target.removeEventListener(type, listener);
    await this.#accepting;
    // Puts made before close() that wait for room go in first, as it frees
    // (a flush covers them).
    if (this.#waiting.length > 0) await this.#flushNow();
    call(this.#core, CLOSE);
    await this.flush(); // (and the store's writes)
    clearTimeout(this.#timer);
  }

  /** Counters: records put / acknowledged / failed / retried / expired, bytes, requests, throttles, per shard, latency. */
  stats() {
    // Fields in the core's order (see stats in src/wasm/producer.rs).
    const f = text(call(this.#core, STATS)).split('\0').map((v, i) => (i < 15 || i % 2 === 0 ? +v : v));
    const stats = {};
    STAT_NAMES.forEach((name, i) => (stats[name] = f[i]));
    stats.latencyMs = { p50: f[12], p90: f[13], p99: f[14] };
    stats.perShard = {};
    for (let i = 15; i + 1 < f.length; i += 2) stats.perShard[f[i]] = f[i + 1];
    if (this.#store) stats.store = { ...this.#store.stats?.(), restored: this.#restored };
    return stats;
  }

  // A record that will not be buffered: out of the store too.
  #refuse(w, e) {
    if (w.storeKey !== undefined) this.#store.remove([w.storeKey]);
    settleSlot(w, false, e);
  }

  #push(w) {
    // (A stored record was accepted before any close().)
    if (this.#closed && w.storeKey === undefined) return w.reject(error('Closed', 'the producer is closed: it accepts no more records'));
    if (this.#waiting.length > 0 && this.#onFull === 'wait') return this.#wait(w);
    const now = clock();
    let id;
    try {
      id = this.#add(now, w.bytes, w.key, w.ehk);
    } catch (e) {
      if (this.#waits(e)) return this.#wait(w);
      return this.#refuse(w, e);
    }
    this.#pending.set(id, w);
    this.#schedule(now);
  }

  // Whether a record refused with `e` waits for room: a full buffer, with
  // onFull 'wait'. One larger than maxBufferedBytes never fits: refused at
  // once.
  #waits(e) {
    return full(e) && this.#onFull === 'wait' && this.#pending.size > 0;
  }

  // A record waits for room as a copy: the caller may reuse its buffer once
  // put() returns.
  #wait(w) {
    w.bytes = new Uint8Array(w.bytes);
    this.#waiting.push(w);
  }

  // The core's push: the record's id, or throws why it was refused.
  #add(now, bytes, key, ehk) {
    const id = call(this.#core, PUSH, now, 0, 0, bytes, key, ehk);
    if (id === 0) throw coreError(text(call(this.#core, ERROR)));
    return id;
  }

  // Sending was paused, or the host did not run the producer, from `since`
  // until `now`: that time does not count toward records' time to live.
  #held(now, since) {
    since = Math.max(since, this.#heldTo);
    if (now <= since) return;
    call(this.#core, RESUME, now, since);
    this.#heldTo = now;
  }

  #schedule(at) {
    if (at > this.#timerAt + LATE_TIMER_MS) {
      // The armed timer is long overdue: the host dropped it (workerd drops
      // the timers of a request that ended) or holds it back. Armed again;
      // the time it was held does not count toward records' time to live.
      this.#held(at, this.#timerAt);
      this.#timerAt = Infinity;
    }
    // Coalesce: one pump per tick, however many puts.
    if (at >= this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timerAt = Infinity;
      this.#timer = null;
      // A timer that fires late (a background tab's throttled timers, a
      // frozen page, a machine asleep): the time it was held back does not
      // count toward records' time to live, as time offline does not —
      // records must not expire unsent because the host did not run us.
      const now = clock();
      if (now - at > LATE_TIMER_MS) this.#held(now, at);
      this.#pump();
    }, Math.max(0, at - clock()));
  }

  // In a page: when it is hidden or goes away, what is buffered goes out at
  // once with fetch's keepalive, so it survives the page (pages, workers:
  // online / offline). Listeners go at close().
  #watchPage(lifecycle, pauseWhenOffline) {
    const g = globalThis;
    if (typeof g.addEventListener !== 'function') return;
    const listen = (target, type, listener) => {
      target.addEventListener(type, listener);
      this.#listeners.push([target, type, listener]);
    };
    if (lifecycle && typeof g.document?.addEventListener === 'function') {
      listen(g, 'pagehide', () => this.#sendKeepalive());
      listen(g.document, 'visibilitychange', () => {
        if (g.document.visibilityState === 'hidden') this.#sendKeepalive();
      });
    }
    if (pauseWhenOffline && typeof g.navigator?.onLine === 'boolean') {
      // Time offline does not count toward a record's time to live.
      let since = clock();
      this.#offline = !g.navigator.onLine;
      listen(g, 'offline', () => {
        if (!this.#offline) since = clock();
        this.#offline = true;
      });
      listen(g, 'online', () => {
        if (this.#offline) this.#held(clock(), since);
        this.#offline = false;
        this.#pump();
      });
    }
  }

  /**
   * Sends what is buffered now, oldest first, in requests whose bodies fit
   * what is left of the keepalive budget; the rest stays buffered.
   */
  #sendKeepalive() {
    if (this.#offline) return;
    const now = clock();
    for (;;) {
      const room = KEEPALIVE_BUDGET - keepaliveBytes;
      if (room <= 0) break;
      const n = call(this.#core, POLL_REQUEST_WITHIN, now, room);
      if (!n) break;
      const packed = answer(n).slice();
      const size = packed.length - 5 - packed[packed.length - 5];
      keepaliveBytes += size;
      this.#send(packed, true).finally(() => {
        keepaliveBytes -= size;
      });
    }
  }

  #pump() {
    const now = clock();
    if (this.#offline) {
      // No busy loop while offline: `online` pumps again.
      this.#settle();
      clearTimeout(this.#timer);
      this.#timer = null;
      this.#timerAt = Infinity;
      return;
    }
    // (Again when settling let in puts a flush covers: they go now.)
    do {
      for (;;) {
        const n = call(this.#core, POLL_REQUEST, now);
        if (!n) break;
        this.#send(answer(n).slice());
      }
    } while (this.#settle());
    // The core's answer is the one deadline that matters now: a timer armed
    // for an older one goes (an idle producer holds no timer, so it never
    // keeps a Node process alive).
    const next = call(this.#core, POLL_TIMEOUT, now);
    if (next !== this.#timerAt) {
      clearTimeout(this.#timer);
      this.#timer = null;
      this.#timerAt = Infinity;
      if (!Number.isNaN(next)) this.#schedule(next);
    }
  }

  async #send(packed, keepalive = false) {
    // Packed by the core: body, target, target length, id (4 bytes, big-endian).
    const n = packed.length - 5;
    const id = new DataView(packed.buffer, packed.byteOffset + n + 1, 4).getUint32(0);
    const bodyLength = n - packed[n];
    const target = decoder.decode(packed.subarray(bodyLength, n));
    const body = packed.subarray(0, bodyLength);
    const controller = typeof AbortController === 'function' ? new AbortController() : null;
    const exchange = async () => {
      const headers = this.#signer
        ? await this.#signer.headers(this.#core, this.#region, this.#service, target, body, keepalive)
        : [['content-type', 'application/json']]; // nothing to sign: the gateway holds the credentials
      const init = { method: 'POST', headers, body, signal: controller?.signal };
      if (keepalive) init.keepalive = true;
      const res = await this.#fetch(this.#endpoint, init);
      // Status 0 is the Fetch standard's network error (`Response.error()`,
      // as a wrapper or a service worker may answer): sent again, as when
      // fetch rejects; not a service's answer.
      if (!res.status) throw new TypeError(`fetch answered a network error (status 0, type ${res.type})`);
      return [res, new Uint8Array(await res.arrayBuffer())];
    };
    const sent = clock();
    try {
      // The timeout ends the wait itself, not only the fetch: a fetch that
      // does not heed its signal (a user's) must not hold a request for ever.
      const [res, reply] = await within(exchange(), this.#requestTimeoutMs, () => controller?.abort());
      // The Date header as a time (for a clock correction): NaN when
      // missing or not a date.
      const date = Date.parse(res.headers.get('date'));
      call(this.#core, RESPONSE, clock(), id, res.status, res.headers.get('x-amzn-errortype'), Number.isNaN(date) ? null : new Uint8Array(new Float64Array([date]).buffer), reply);
    } catch (e) {
      // Nothing was sent when the credentials could not be had: the
      // records' last error says why.
      const code = e?.name === 'AbortError' ? 'TimeoutError' : e?.code === 'InvalidCredentials' || e?.code === 'CredentialsProviderError' ? e.code : 'NetworkError';
      call(this.#core, TRANSPORT_ERROR, clock(), id, 0, code, String(e?.message ?? e));
    }
    // A request takes at most its timeout: beyond that (and a timer's
    // lateness), the host held the producer (a machine asleep, a frozen
    // page) with no timer of its own armed to notice. Its records, in
    // flight or back in the buffer, expire only at the next poll.
    const now = clock();
    if (now - sent > this.#requestTimeoutMs + LATE_TIMER_MS) this.#held(now, sent + this.#requestTimeoutMs);
    this.#pump();
  }

  #settle() {
    const outcomes = text(call(this.#core, POLL_OUTCOMES));
    if (outcomes) {
      // Seven fields an outcome (see pollOutcomes in src/wasm/producer.rs).
      const f = outcomes.split('\0');
      const gateway = this.#service === 'gateway';
      for (let i = 0; i + 7 <= f.length; i += 7) {
        const id = +f[i];
        const w = this.#pending.get(id);
        if (!w) continue;
        this.#pending.delete(id);
        if (w.storeKey !== undefined) this.#store.remove([w.storeKey]);
        if (f[i + 1] === '1') {
          const result = gateway ? { attempts: +f[i + 5] } : { shardId: f[i + 2], sequenceNumber: f[i + 3], attempts: +f[i + 5] };
          if (f[i + 4] !== '') result.subSequenceNumber = +f[i + 4];
          settleSlot(w, true, result);
        } else {
          const lastError = f[i + 1] === '2' ? { code: f[i + 5], message: f[i + 6] } : undefined;
          settleSlot(w, false, error(f[i + 2], f[i + 3], { attempts: +f[i + 4], lastError }));
        }
      }
    }
    // Drained whether or not anyone listens: the core keeps events until
    // polled. Six fields an event (see pollEvents in src/wasm/producer.rs).
    const events = text(call(this.#core, POLL_EVENTS));
    if (events) {
      const f = events.split('\0');
      for (let i = 0; i + 6 <= f.length; i += 6) {
        // The service said the credentials expired: the provider is asked
        // again before the next signature.
        if (f[i] === 'credentialsExpired') this.#signer?.expired();
        if (!this.#onEvent) continue;
        const e = { type: f[i] };
        EVENT_MEMBERS.forEach((name, j) => {
          if (f[i + j + 1] !== '') e[name] = name === 'code' ? f[i + j + 1] : +f[i + j + 1];
        });
        try {
          this.#onEvent(e);
        } catch {
          // A callback's error must not stop the producer.
        }
      }
    }
    const covered = this.#admit();
    this.#checkFlushes();
    return covered;
  }

  // Room again: waiting puts go in, in order. One larger than
  // maxBufferedBytes never fits: it is refused in its turn (HAS_ROOM says
  // its wait is over), and the next one tried. One a flush covers goes at
  // once, and the flush settles with it.
  #admit() {
    let covered = false;
    while (this.#waiting.length > 0) {
      const w = this.#waiting[0];
      if (this.#pending.size > 0 && !call(this.#core, HAS_ROOM, 0, w.bytes.byteLength + w.key.length)) break;
      this.#waiting.shift();
      let id = 0;
      try {
        id = this.#add(clock(), w.bytes, w.key, w.ehk);
        this.#pending.set(id, w);
      } catch (e) {
        if (full(e) && this.#pending.size > 0) {
          this.#waiting.unshift(w);
          break;
        }
        this.#refuse(w, e);
      }
      for (const f of this.#flushes) {
        if (f.last === undefined) continue;
        covered = true;
        if (id) f.upTo = Math.max(f.upTo, id + 1);
        if (f.last === w) f.last = undefined;
      }
    }
    if (covered) call(this.#core, FLUSH);
    return covered;
  }

  #checkFlushes() {
    if (this.#flushes.length === 0) return;
    let oldest = Infinity;
    for (const id of this.#pending.keys()) {
      oldest = Math.min(oldest, id);
      break; // Map keeps insertion order: the first key is the oldest.
    }
    this.#flushes = this.#flushes.filter((f) => {
      if (oldest >= f.upTo && f.last === undefined) {
        f.resolve();
        return false;
      }
      return true;
    });
  }
}

/**
 * Sends records to a Kinesis data stream; with `gateway: true`, sends JSON
 * events to an ingestion gateway at `endpoint` (no AWS credentials in the
 * page) with the same buffering, persistence and retries.
 */
export class Producer extends BaseProducer {
  constructor(options) {
    options = optionsOf(options);
    if (options.gateway === true) super('gateway', '', { ...options, aggregation: false, rateLimitPercent: 0, ordered: false });
    else super('kinesis', options.streamName, options, newSigner);
  }
}

/**
 * `kinesis-edge/gateway-client`'s `Producer`: gateway mode only, from a
 * `.wasm` built without signing, shard prediction, aggregation or the
 * Kinesis and Firehose wire formats (`gateway-only`), for pages that send
 * through an ingestion gateway with no AWS credentials.
 */
export class GatewayProducer extends BaseProducer {
  constructor(options) {
    options = optionsOf(options);
    if (options.gateway === false) fail('InvalidArgument', 'kinesis-edge/gateway-client sends only to an ingestion gateway: for Kinesis or Firehose, import kinesis-edge/producer');
    super('gateway', '', { ...options, aggregation: false, rateLimitPercent: 0, ordered: false });
  }
}

/** Sends records to a Firehose delivery stream. */
export class FirehoseProducer extends BaseProducer {
  constructor(options) {
    options = optionsOf(options);
    super('firehose', options.deliveryStreamName, { ...options, aggregation: false, rateLimitPercent: 0, ordered: false }, newSigner);
  }
}
