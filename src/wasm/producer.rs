//! The producer's JS adapter: `js/producer.js` wraps it as `Producer` and
//! `FirehoseProducer`, and does the I/O (fetch, timers, credentials).
//!
//! Two calls cross: [`producer_io`], room in the adapter's buffer (one
//! for all producers: calls never overlap), where JS writes a call's
//! input, and [`producer_call`], one operation (numbers as arguments,
//! bytes and text from the buffer), whose answer is a number or bytes left
//! in the same buffer. [`producer_new`] makes a producer from its
//! configuration, read from the buffer the same way. Inputs are fields, each a
//! length (`u32`, little-endian; `u32::MAX`: none) and its bytes. Requests
//! go out as one packed byte string; outcomes, events, stats and errors as
//! NUL-separated fields (one `split` each in JS). A producer is a handle
//! (a number): no JS value is built here, and the JS makes the objects and
//! `Error`s, so the glue carries no class, externref, string or error
//! plumbing. Where each method had its own wrapper, of a class, the
//! producer's lean build is 2.7 KB of `.wasm` and 1.3 KB of JS smaller,
//! gzipped.

use crate::prelude::*;
use wasm_bindgen::prelude::*;

use crate::credentials::Credentials;
use crate::json::write_u64;
use crate::producer::{Destination, HttpResponse, Outcome, Producer, ProducerConfig};
use crate::protocol::CONTENT_TYPE;
use crate::record::RecordLimits;
use crate::sigv4::{sign_json_post, JsonPost, Payload, SigningKeyCache};
use crate::time::Timestamp;

/// [`WasmProducer::call`]'s operations (`js/producer.js` has the same
/// numbers). Inputs are listed as (numbers; fields); "→" is the answer,
/// "→ n bytes" an answer of `n` bytes left in the buffer.
mod op {
    /// (now; data, partitionKey, explicitHashKey or none) → the record's
    /// id (from 1), or 0 when refused, with the reason in [`ERROR`].
    pub(super) const PUSH: u32 = 1;
    /// (; ) → n bytes: why the last push was refused, `code\0message`.
    pub(super) const ERROR: u32 = 2;
    /// (size) → 1 when a record of `size` bytes fits now, else 0.
    pub(super) const HAS_ROOM: u32 = 3;
    /// (now) → n bytes: the next request, packed (see [`super::pack_request`]), or 0.
    pub(super) const POLL_REQUEST: u32 = 4;
    /// (now, maxBody) → as [`POLL_REQUEST`], a request of at most `maxBody`
    /// bytes of body, now, whatever the linger and the requests in
    /// flight (a page going away: `keepalive`).
    pub(super) const POLL_REQUEST_WITHIN: u32 = 5;
    /// (now, id, status; x-amzn-ErrorType or none, Date as ms since the
    /// epoch (an `f64`, little-endian; JS's `Date.parse` read the header)
    /// or none, body): an answer to request `id`.
    pub(super) const RESPONSE: u32 = 6;
    /// (now, id; code, message): request `id` failed in transit.
    pub(super) const TRANSPORT_ERROR: u32 = 7;
    /// (now) → when to call again (ms since the epoch), or NaN.
    pub(super) const POLL_TIMEOUT: u32 = 8;
    /// (; ) → n bytes: settled records (see [`super::WasmProducer::outcomes`]).
    pub(super) const POLL_OUTCOMES: u32 = 9;
    /// (; ) → n bytes: events (see [`super::WasmProducer::events`]).
    pub(super) const POLL_EVENTS: u32 = 10;
    /// (now; region, service, accessKeyId, secretAccessKey, sessionToken
    /// or none, target, body, body hash) → n bytes (see [`super::WasmProducer::sign`]).
    pub(super) const SIGN: u32 = 11;
    /// (now, since): sending was paused (offline, or the host held the
    /// timers back) from `since` until `now`: that time does not count
    /// toward records' time to live.
    pub(super) const RESUME: u32 = 12;
    /// (; ): sends everything now.
    pub(super) const FLUSH: u32 = 13;
    /// (; ): refuses new records; sends what is buffered.
    pub(super) const CLOSE: u32 = 14;
    /// (; ) → the id the next record will get.
    pub(super) const NEXT_ID: u32 = 15;
    /// (; ) → n bytes: counters (see [`super::WasmProducer::stats`]).
    pub(super) const STATS: u32 = 16;
}

/// The producer.
pub struct WasmProducer {
    producer: Producer,
    keys: SigningKeyCache,
    /// The endpoint's `Host` and path, as signed (checked once, here).
    host: String,
    path: String,
    /// Why the last refused push failed, as [`error_text`].
    error: String,
}

/// A call's input fields: each a length (`u32`, little-endian; `u32::MAX`:
/// none) and its bytes. What is missing or cut short reads as none.
struct Fields<'a>(&'a [u8]);

impl<'a> Fields<'a> {
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let (len, rest) = self.0.split_first_chunk::<4>()?;
        self.0 = rest;
        let (field, rest) = rest.split_at_checked(u32::from_le_bytes(*len) as usize)?;
        self.0 = rest;
        Some(field)
    }

    /// Text (JS writes it with a `TextEncoder`: always UTF-8).
    fn text(&mut self) -> Option<&'a str> {
        self.bytes().and_then(|b| core::str::from_utf8(b).ok())
    }

    fn str(&mut self) -> &'a str {
        self.text().unwrap_or("")
    }
}

/// The adapter's clock (`Date.now()`, always valid); an impossible time
/// reads as the epoch rather than failing every call.
fn at(now_ms: f64) -> Timestamp {
    Timestamp::from_millis_f64(now_ms).unwrap_or(Timestamp::EPOCH)
}

/// An error for JS: `code\0message` (it builds the `Error`: no JS values
/// cross from here, so the glue carries no error plumbing).
fn error_text(code: &str, message: &str) -> String {
    crate::cat(&[code, "\0", message])
}

/// A request for JS: body, target, target length (1 byte), id (4 bytes,
/// big-endian). A trailer, not a header: appended to the body in place
/// (the encoder leaves room), where a header meant copying the body again
/// (1.9 % of the time in a profile of 1 KB records).
fn pack_request(r: crate::producer::Request) -> Vec<u8> {
    let mut out = r.body;
    out.extend_from_slice(r.target.as_bytes());
    out.push(r.target.len() as u8);
    out.extend_from_slice(&(r.id as u32).to_be_bytes());
    out
}

/// `s` and a NUL after it; a NUL inside (only text from the service can
/// hold one) becomes U+FFFD, so fields stay apart.
fn write_field(out: &mut Vec<u8>, s: &str) {
    if !s.bytes().any(|b| b == 0) {
        out.extend_from_slice(s.as_bytes());
        out.push(0);
        return;
    }
    for (i, part) in s.as_bytes().split(|&b| b == 0).enumerate() {
        if i > 0 {
            out.extend_from_slice("\u{FFFD}".as_bytes());
        }
        out.extend_from_slice(part);
    }
    out.push(0);
}

/// The producers JS made, by handle (`None`: freed), and the buffer
/// calls' inputs and answers go through. A lock no call waits on (nothing
/// here calls back into JS): where wasm-bindgen's class had a borrow
/// check, and its messages, in every call.
static ADAPTER: spin::Mutex<Adapter> = spin::Mutex::new(Adapter { producers: Vec::new(), io: Vec::new() });

struct Adapter {
    producers: Vec<Option<WasmProducer>>,
    /// A call's input, then its answer (valid until the next call).
    io: Vec<u8>,
}

/// A producer made from the configuration in the buffer (fields: kind,
/// stream, host, path, delimiter, numbers: 11 `f64`s, little-endian):
/// its handle, or minus the length of `code\0message` left in the buffer
/// when refused. `kind`: `kinesis`, `firehose` or `gateway`; `host` and
/// `path`: the endpoint's, as a `URL` gives them (`host`, `pathname`); the
/// numbers: lingerMs, maxInFlight, recordTtlMs, maxBufferedBytes,
/// maxBufferedRecords, ordered, aggregation, rateLimitPercent, seed,
/// maxRecordBytes, refreshableCredentials (1: a provider).
#[wasm_bindgen(js_name = "__producerNew")]
pub fn producer_new() -> f64 {
    let mut adapter = ADAPTER.lock();
    let Adapter { producers, io } = &mut *adapter;
    let p = match WasmProducer::new(&mut Fields(io)) {
        Ok(p) => p,
        Err(e) => {
            let n = e.len() as f64;
            *io = e.into_bytes();
            return -n;
        }
    };
    match producers.iter().position(Option::is_none) {
        Some(i) => {
            producers[i] = Some(p);
            i as f64
        }
        None => {
            producers.push(Some(p));
            (producers.len() - 1) as f64
        }
    }
}

/// Frees producer `handle`.
#[wasm_bindgen(js_name = "__producerFree")]
pub fn producer_free(handle: u32) {
    if let Some(slot) = ADAPTER.lock().producers.get_mut(handle as usize) {
        *slot = None;
    }
}

/// Room for `len` bytes of input in the buffer: where to write them (its
/// address in the module's memory, valid until the next call). `0` gives
/// where the last answer is.
#[wasm_bindgen(js_name = "__producerIo")]
pub fn producer_io(len: u32) -> u32 {
    let io = &mut ADAPTER.lock().io;
    if io.len() < len as usize {
        io.resize(len as usize, 0);
    }
    io.as_mut_ptr() as usize as u32
}

/// Operation `op` (see the `op` module) on producer `handle` (NaN: no
/// such producer).
#[wasm_bindgen(js_name = "__producerCall")]
pub fn producer_call(handle: u32, op: u32, now: f64, a: f64, b: f64) -> f64 {
    let mut adapter = ADAPTER.lock();
    let Adapter { producers, io } = &mut *adapter;
    let n = producers
        .get_mut(handle as usize)
        .and_then(Option::as_mut)
        .map_or(f64::NAN, |p| p.call(io, op, now, a, b));
    #[cfg(feature = "std")]
    super::grow_ahead();
    n
}

impl WasmProducer {
    /// One operation (see [`op`]) on the input in the buffer: its answer,
    /// a number, or the length of the bytes it left in the buffer.
    fn call(&mut self, io: &mut Vec<u8>, op: u32, now: f64, a: f64, b: f64) -> f64 {
        let input = core::mem::take(io);
        let mut f = Fields(&input);
        let mut out = Vec::new();
        let now_at = at(now);
        let n = match op {
            op::PUSH => {
                let data = f.bytes().unwrap_or_default().to_vec();
                let key = f.str().to_owned();
                match self.producer.push_owned(now_at, data, key, f.text()) {
                    Ok(id) => id as f64,
                    Err(e) => {
                        self.error = error_text(e.code(), &e.message());
                        0.0
                    }
                }
            }
            op::ERROR => {
                out = self.error.as_bytes().to_vec();
                0.0
            }
            op::HAS_ROOM => f64::from(u8::from(self.producer.has_room(a.max(0.0) as usize))),
            op::POLL_REQUEST => {
                out = self.producer.poll_request(now_at).map(pack_request).unwrap_or_default();
                0.0
            }
            op::POLL_REQUEST_WITHIN => {
                out = self
                    .producer
                    .poll_request_within(now_at, a as usize)
                    .map(pack_request)
                    .unwrap_or_default();
                0.0
            }
            op::RESPONSE => {
                let error_type = f.text();
                let date = f.bytes().and_then(|b| b.try_into().ok()).map(f64::from_le_bytes);
                let date = date.and_then(Timestamp::from_millis_f64);
                let response =
                    HttpResponse { status: b as u16, error_type, date, body: f.bytes().unwrap_or_default() };
                self.producer.handle_response(now_at, a as u64, &response);
                0.0
            }
            op::TRANSPORT_ERROR => {
                let (code, message) = (f.str(), f.str());
                self.producer.handle_transport_error(now_at, a as u64, code, message);
                0.0
            }
            op::POLL_TIMEOUT => self.producer.poll_timeout(now_at).map_or(f64::NAN, |t| t.as_millis() as f64),
            op::POLL_OUTCOMES => {
                self.outcomes(&mut out);
                0.0
            }
            op::POLL_EVENTS => {
                self.events(&mut out);
                0.0
            }
            // Nothing to sign for a gateway.
            op::SIGN if !cfg!(feature = "gateway-only") => {
                out = self.sign(now, &mut f).unwrap_or_else(|e| crate::cat(&["\0", &e])).into_bytes();
                0.0
            }
            op::RESUME => {
                self.producer.resume(at(a), now_at);
                0.0
            }
            op::FLUSH => {
                self.producer.flush();
                0.0
            }
            op::CLOSE => {
                self.producer.close();
                0.0
            }
            op::NEXT_ID => self.producer.next_id() as f64,
            op::STATS => {
                self.stats(&mut out);
                0.0
            }
            _ => 0.0,
        };
        if out.is_empty() {
            *io = input;
            return n;
        }
        let len = out.len() as f64;
        *io = out;
        len
    }

    /// A producer from its configuration (see [`producer_new`]), or why
    /// not, as [`error_text`].
    fn new(f: &mut Fields<'_>) -> Result<WasmProducer, String> {
        let (kind, stream, host, path) = (f.str(), f.str(), f.str(), f.str());
        let delimiter = f.bytes().unwrap_or_default();
        let mut numbers = [0.0; 11];
        for (n, b) in numbers.iter_mut().zip(f.bytes().unwrap_or_default().chunks_exact(8)) {
            *n = f64::from_le_bytes(b.try_into().unwrap_or_default());
        }
        let [linger_ms, max_in_flight, record_ttl_ms, max_buffered_bytes, max_buffered_records, ordered, aggregation, rate_limit_percent, seed, max_record_bytes, refreshable] =
            numbers;
        let destination = match kind {
            // The gateway client's build (`gateway-only`) can send
            // nowhere else.
            "kinesis" | "firehose" if cfg!(feature = "gateway-only") => {
                return Err(error_text("InvalidArgument", "this build sends only to an ingestion gateway"));
            }
            "kinesis" => Destination::Kinesis(stream.to_owned()),
            "firehose" => Destination::Firehose(stream.to_owned()),
            _ => Destination::Gateway,
        };
        // What is signed must need no canonicalization (a gateway's requests
        // are not signed; the signer refuses any other endpoint too).
        if destination != Destination::Gateway && !crate::sigv4::is_plain_endpoint(host, path) {
            return Err(error_text("InvalidArgument", crate::sigv4::PLAIN_ENDPOINT));
        }
        let defaults = ProducerConfig::new(destination);
        let producer = Producer::new(ProducerConfig {
            linger_ms: linger_ms as u32,
            max_in_flight: (max_in_flight as usize).max(1),
            record_ttl_ms: record_ttl_ms as u32,
            max_buffered_bytes: max_buffered_bytes.clamp(1.0, 4_294_967_295.0) as usize,
            max_buffered_records: (max_buffered_records as usize).max(1),
            ordered: ordered != 0.0,
            aggregation: aggregation != 0.0 && defaults.aggregation,
            rate_limit_percent: if defaults.rate_limit_percent > 0 { rate_limit_percent as u32 } else { 0 },
            delimiter: delimiter.to_vec(),
            seed: if seed.is_finite() && seed >= 0.0 { seed as u64 } else { 0 },
            record_limits: RecordLimits::new(max_record_bytes as usize).unwrap_or_default(),
            refreshable_credentials: refreshable != 0.0,
            ..defaults
        });
        Ok(WasmProducer {
            producer,
            keys: SigningKeyCache::new(),
            host: host.to_owned(),
            path: path.to_owned(),
            error: String::new(),
        })
    }

    /// [`op::POLL_OUTCOMES`]: settled records, seven NUL-terminated fields
    /// each (one `split` in JS, no JSON): `id, 1, shardId, sequenceNumber,
    /// sub (empty: none), attempts, ""` when acknowledged; `id, 0 | 2,
    /// code, message, attempts, lastError code, lastError message` when
    /// given up on (2: with a last error). Empty when there are none.
    #[inline(never)]
    fn outcomes(&mut self, out: &mut Vec<u8>) {
        fn number(out: &mut Vec<u8>, n: u64) {
            write_u64(out, n);
            out.push(0);
        }
        // By reference (see Size in `crate::producer`'s docs).
        for o in &self.producer.poll_outcomes() {
            match *o {
                Outcome::Acknowledged {
                    id,
                    ref shard_id,
                    ref sequence_number,
                    sub_sequence_number,
                    attempts,
                } => {
                    number(out, id);
                    out.extend_from_slice(b"1\0");
                    write_field(out, shard_id);
                    write_field(out, sequence_number);
                    match sub_sequence_number {
                        Some(n) => number(out, u64::from(n)),
                        None => out.push(0),
                    }
                    number(out, u64::from(attempts));
                    out.push(0);
                }
                Outcome::Failed { id, ref code, ref message, attempts, ref last_error } => {
                    number(out, id);
                    out.extend_from_slice(if last_error.is_some() { b"2\0" } else { b"0\0" });
                    write_field(out, code);
                    write_field(out, message);
                    number(out, u64::from(attempts));
                    let (code, message) = last_error.as_ref().map_or(("", ""), |e| (&e.code, &e.message));
                    write_field(out, code);
                    write_field(out, message);
                }
            }
        }
    }

    /// [`op::POLL_EVENTS`]: events, six NUL-terminated fields each (empty
    /// when the event has no such member): `type, request, entries,
    /// records, openShards, code`. Empty when there are none.
    #[inline(never)]
    fn events(&mut self, out: &mut Vec<u8>) {
        use crate::producer::Event;
        for e in &self.producer.poll_events() {
            let (kind, request, entries, records, open_shards, code) = match e {
                Event::Sent { request, entries, records } => {
                    ("sent", Some(*request), Some(*entries), Some(*records), None, "")
                }
                Event::Acknowledged { request, records } => {
                    ("acknowledged", Some(*request), None, Some(*records), None, "")
                }
                Event::Retried { request, records, code } => {
                    ("retried", Some(*request), None, Some(*records), None, code.as_str())
                }
                Event::Failed { records, code } => {
                    ("failed", None, None, Some(*records), None, code.as_str())
                }
                Event::ShardMap { open_shards } => ("shardMap", None, None, None, Some(*open_shards), ""),
                Event::CredentialsExpired => ("credentialsExpired", None, None, None, None, ""),
                Event::NetworkDown { code } => ("networkDown", None, None, None, None, code.as_str()),
                Event::NetworkUp => ("networkUp", None, None, None, None, ""),
            };
            write_field(out, kind);
            for n in
                [request, entries.map(|n| n as u64), records.map(|n| n as u64), open_shards.map(|n| n as u64)]
            {
                if let Some(n) = n {
                    write_u64(out, n);
                }
                out.push(0);
            }
            write_field(out, code);
        }
    }

    /// [`op::SIGN`]: signs one of this producer's requests (a JSON 1.1
    /// `POST` of `body` with `target`) at `now_ms` plus the clock offset
    /// learned from the service, to the endpoint configured; `body_hash`
    /// is the body's hex SHA-256 when the host hashed it (empty: hashed
    /// here). Returns the headers to send, `name\0value` pairs joined by
    /// NUL, the content type and target included; or, when it cannot sign,
    /// an empty first field and then `code\0message`. Derived keys are
    /// kept between calls.
    #[inline(never)]
    fn sign(&mut self, now_ms: f64, f: &mut Fields<'_>) -> Result<String, String> {
        let (region, service, access_key_id, secret_access_key) = (f.str(), f.str(), f.str(), f.str());
        // An empty token is none.
        let session_token = f.text().filter(|t| !t.is_empty());
        let (target, body, body_hash) = (f.str(), f.bytes().unwrap_or_default(), f.str());
        let credentials =
            Credentials::new(access_key_id, secret_access_key, session_token.map(str::to_owned))
                .map_err(|e| error_text("InvalidCredentials", e.reason()))?;
        let time = at(now_ms + self.producer.clock_offset_ms() as f64);
        let post = JsonPost {
            host: &self.host,
            path: &self.path,
            content_type: CONTENT_TYPE,
            target,
            payload: if body_hash.is_empty() { Payload::Bytes(body) } else { Payload::Hash(body_hash) },
        };
        let signed = sign_json_post(&post, &credentials, region, service, time, &mut self.keys)
            .map_err(|e| error_text(e.code(), e.message()))?;
        let mut packed = crate::cat(&[
            "content-type\0",
            CONTENT_TYPE,
            "\0x-amz-target\0",
            target,
            "\0x-amz-date\0",
            &signed.amz_date,
            "\0authorization\0",
            &signed.authorization,
        ]);
        if let Some(token) = &signed.security_token {
            packed.push_str("\0x-amz-security-token\0");
            packed.push_str(token);
        }
        Ok(packed)
    }

    /// [`op::STATS`]: counters, NUL-separated: `recordsPut,
    /// recordsAcknowledged, recordsFailed, recordsExpired, recordsRetried,
    /// bytesAcknowledged, requests, throttles, transportErrors,
    /// clockCorrections, bufferedRecords, bufferedBytes`, latency `p50,
    /// p90, p99`, then `shardId, records` per shard.
    #[inline(never)]
    fn stats(&self, out: &mut Vec<u8>) {
        let (s, [p50, p90, p99, buffered_records, buffered_bytes]) = self.producer.stats_now();
        for &n in &[
            s.records_put,
            s.records_acknowledged,
            s.records_failed,
            s.records_expired,
            s.records_retried,
            s.bytes_acknowledged,
            s.requests,
            s.throttles,
            s.transport_errors,
            s.clock_corrections,
            buffered_records,
            buffered_bytes,
            p50,
            p90,
            p99,
        ] {
            write_u64(out, n);
            out.push(0);
        }
        for (shard, n) in &s.per_shard {
            write_field(out, shard);
            write_u64(out, *n);
            out.push(0);
        }
        out.pop();
    }
}
