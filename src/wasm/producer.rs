//! The producer's JS adapter: `js/producer.js` wraps it as `Producer` and
//! `FirehoseProducer`, and does the I/O (fetch, timers, credentials). Flat
//! arguments in; requests out as one packed byte string; outcomes, events,
//! stats and errors as NUL-separated fields (one `split` each, not one
//! crossing per field). No JS value is built here: the JS makes the
//! objects and `Error`s, so the glue carries no externref or error
//! plumbing.

use crate::prelude::*;
use wasm_bindgen::prelude::*;

use crate::credentials::Credentials;
use crate::json::write_u64;
use crate::producer::{Destination, HttpResponse, Outcome, Producer, ProducerConfig};
use crate::protocol::CONTENT_TYPE;
use crate::record::RecordLimits;
use crate::sigv4::{sign_json_post, JsonPost, Payload, SigningKeyCache};
use crate::time::Timestamp;

use super::nul_fields;

/// The producer.
#[wasm_bindgen(js_name = "__Producer")]
pub struct WasmProducer {
    producer: Producer,
    keys: SigningKeyCache,
    /// The endpoint's `Host` and path, as signed (checked once, here).
    host: String,
    path: String,
    /// Why the configuration or the last refused push failed, as
    /// [`error_text`] ("" when nothing did).
    error: String,
    /// Whether the endpoint is one the signer takes as it is.
    signable: bool,
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

#[wasm_bindgen(js_class = "__Producer")]
impl WasmProducer {
    /// `kind`: `kinesis`, `firehose` or `gateway`; `host` and `path`: the
    /// endpoint's, as a `URL` gives them (`host`, `pathname`). A
    /// configuration this refuses leaves [`WasmProducer::error`] set
    /// (JS checks it at once) and the producer signing nothing.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        kind: &str,
        stream: &str,
        host: &str,
        path: &str,
        linger_ms: u32,
        max_in_flight: u32,
        record_ttl_ms: u32,
        max_buffered_bytes: f64,
        max_buffered_records: u32,
        ordered: bool,
        aggregation: bool,
        rate_limit_percent: u32,
        delimiter: &[u8],
        seed: f64,
        max_record_bytes: u32,
        refreshable_credentials: bool,
    ) -> WasmProducer {
        let destination = match kind {
            "kinesis" => Destination::Kinesis(stream.to_owned()),
            "firehose" => Destination::Firehose(stream.to_owned()),
            _ => Destination::Gateway,
        };
        // What is signed must need no canonicalization (a gateway's requests
        // are not signed).
        let signable = crate::sigv4::is_plain_endpoint(host, path);
        let mut error = String::new();
        if destination != Destination::Gateway && !signable {
            error = error_text(
                "InvalidArgument",
                "endpoint must be http(s)://host[:port] with a plain path (letters, digits, '-', '.', '_', '~' segments)",
            );
        }
        let defaults = ProducerConfig::new(destination);
        WasmProducer {
            host: host.to_owned(),
            path: path.to_owned(),
            error,
            signable,
            keys: SigningKeyCache::new(),
            producer: Producer::new(ProducerConfig {
                linger_ms,
                max_in_flight: max_in_flight.max(1) as usize,
                record_ttl_ms,
                max_buffered_bytes: max_buffered_bytes.clamp(1.0, 4_294_967_295.0) as usize,
                max_buffered_records: max_buffered_records.max(1) as usize,
                ordered,
                aggregation: aggregation && defaults.aggregation,
                rate_limit_percent: if defaults.rate_limit_percent > 0 { rate_limit_percent } else { 0 },
                delimiter: delimiter.to_vec(),
                seed: if seed.is_finite() && seed >= 0.0 { seed as u64 } else { 0 },
                record_limits: RecordLimits::new(max_record_bytes as usize).unwrap_or_default(),
                refreshable_credentials,
                ..defaults
            }),
        }
    }

    /// Why the constructor refused its configuration, or why the last
    /// [`WasmProducer::push`] refused its record: `code\0message`, or "".
    pub fn error(&self) -> String {
        self.error.clone()
    }

    /// Accepts a record: its id (from 1), or 0 when refused, with the
    /// reason (`BufferFull`, `Closed`, or the AWS validation code) in
    /// [`WasmProducer::error`].
    pub fn push(
        &mut self,
        now_ms: f64,
        data: Vec<u8>,
        partition_key: String,
        explicit_hash_key: Option<String>,
    ) -> f64 {
        // Taken over as JS copied them in: no second copy.
        match self.producer.push_owned(at(now_ms), data, partition_key, explicit_hash_key.as_deref()) {
            Ok(id) => id as f64,
            Err(e) => {
                self.error = error_text(e.code(), &e.message());
                0.0
            }
        }
    }

    /// Whether a record of `size` bytes fits now.
    #[wasm_bindgen(js_name = "hasRoom")]
    pub fn has_room(&self, size: f64) -> bool {
        self.producer.has_room(size.max(0.0) as usize)
    }

    /// The next request, packed: body, target, target length (1 byte), id
    /// (4 bytes, big-endian); or `undefined`.
    #[wasm_bindgen(js_name = "pollRequest")]
    pub fn poll_request(&mut self, now_ms: f64) -> Option<Vec<u8>> {
        self.producer.poll_request(at(now_ms)).map(pack_request)
    }

    /// A request of at most `max_body` bytes of body, now, whatever the
    /// linger and the requests in flight (a page going away: `keepalive`),
    /// packed as [`WasmProducer::poll_request`]'s; or `undefined`.
    #[wasm_bindgen(js_name = "pollRequestWithin")]
    pub fn poll_request_within(&mut self, now_ms: f64, max_body: u32) -> Option<Vec<u8>> {
        self.producer.poll_request_within(at(now_ms), max_body as usize).map(pack_request)
    }

    /// An answer to request `id`.
    #[wasm_bindgen(js_name = "handleResponse")]
    pub fn handle_response(
        &mut self,
        now_ms: f64,
        id: u32,
        status: u16,
        error_type: Option<String>,
        date: Option<String>,
        body: &[u8],
    ) {
        let response =
            HttpResponse { status, error_type: error_type.as_deref(), date: date.as_deref(), body };
        self.producer.handle_response(at(now_ms), u64::from(id), &response);
    }

    /// Request `id` failed in transit.
    #[wasm_bindgen(js_name = "handleTransportError")]
    pub fn handle_transport_error(&mut self, now_ms: f64, id: u32, code: &str, message: &str) {
        self.producer.handle_transport_error(at(now_ms), u64::from(id), code, message);
    }

    /// When to poll again (ms since the epoch), or NaN.
    #[wasm_bindgen(js_name = "pollTimeout")]
    pub fn poll_timeout(&mut self, now_ms: f64) -> f64 {
        self.producer.poll_timeout(at(now_ms)).map_or(f64::NAN, |t| t.as_millis() as f64)
    }

    /// Settled records, seven NUL-terminated fields each (one `split` in
    /// JS, no JSON): `id, 1, shardId, sequenceNumber, sub (empty: none),
    /// attempts, ""` when acknowledged; `id, 0 | 2, code, message,
    /// attempts, lastError code, lastError message` when given up on (2:
    /// with a last error). Empty when there are none.
    #[wasm_bindgen(js_name = "pollOutcomes")]
    pub fn poll_outcomes(&mut self) -> String {
        fn number(out: &mut Vec<u8>, n: u64) {
            write_u64(out, n);
            out.push(0);
        }
        let mut out = Vec::new();
        while let Some(o) = self.producer.poll_outcome() {
            match o {
                Outcome::Acknowledged { id, shard_id, sequence_number, sub_sequence_number, attempts } => {
                    number(&mut out, id);
                    out.extend_from_slice(b"1\0");
                    write_field(&mut out, &shard_id);
                    write_field(&mut out, &sequence_number);
                    match sub_sequence_number {
                        Some(n) => number(&mut out, u64::from(n)),
                        None => out.push(0),
                    }
                    number(&mut out, u64::from(attempts));
                    out.push(0);
                }
                Outcome::Failed { id, code, message, attempts, last_error } => {
                    number(&mut out, id);
                    out.extend_from_slice(if last_error.is_some() { b"2\0" } else { b"0\0" });
                    write_field(&mut out, &code);
                    write_field(&mut out, &message);
                    number(&mut out, u64::from(attempts));
                    let (code, message) = last_error.as_ref().map_or(("", ""), |e| (&e.code, &e.message));
                    write_field(&mut out, code);
                    write_field(&mut out, message);
                }
            }
        }
        String::from_utf8(out).unwrap_or_default()
    }

    /// Events, six NUL-terminated fields each (empty when the event has
    /// no such member): `type, request, entries, records, openShards,
    /// code`. Empty when there are none.
    #[wasm_bindgen(js_name = "pollEvents")]
    pub fn poll_events(&mut self) -> String {
        use crate::producer::Event;
        let mut out = Vec::new();
        while let Some(e) = self.producer.poll_event() {
            let (kind, request, entries, records, open_shards, code) = match &e {
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
            write_field(&mut out, kind);
            for n in
                [request, entries.map(|n| n as u64), records.map(|n| n as u64), open_shards.map(|n| n as u64)]
            {
                if let Some(n) = n {
                    write_u64(&mut out, n);
                }
                out.push(0);
            }
            write_field(&mut out, code);
        }
        String::from_utf8(out).unwrap_or_default()
    }

    /// Signs one of this producer's requests (a JSON 1.1 `POST` of `body`
    /// with `target`) at `now_ms` plus the clock offset learned from the
    /// service, to the endpoint given at construction: `fields` is
    /// `region, service, accessKeyId, secretAccessKey, sessionToken` (empty
    /// for none), separated by NUL; `body_hash` the
    /// body's hex SHA-256 when the host hashed it (empty: hashed here).
    /// Returns the headers to send, `name\0value` pairs joined by NUL, the
    /// content type and target included; or, when it cannot sign, an empty
    /// first field and then `code\0message`. Derived keys are kept between
    /// calls.
    pub fn sign(&mut self, now_ms: f64, fields: &str, target: &str, body: &[u8], body_hash: &str) -> String {
        self.sign_packed(now_ms, fields, target, body, body_hash).unwrap_or_else(|e| crate::cat(&["\0", &e]))
    }
}

impl WasmProducer {
    fn sign_packed(
        &mut self,
        now_ms: f64,
        fields: &str,
        target: &str,
        body: &[u8],
        body_hash: &str,
    ) -> Result<String, String> {
        if !self.signable {
            return Err(error_text("InvalidArgument", "this endpoint cannot be signed"));
        }
        let ([region, service, access_key_id, secret_access_key, session_token], _) = nul_fields::<5>(fields);
        let credentials = Credentials::new(
            access_key_id,
            secret_access_key,
            (!session_token.is_empty()).then(|| session_token.to_owned()),
        )
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
        let mut packed = String::with_capacity(600);
        for (name, value) in [
            ("content-type", CONTENT_TYPE),
            ("x-amz-target", target),
            ("x-amz-date", signed.amz_date.as_str()),
            ("authorization", signed.authorization.as_str()),
        ] {
            if !packed.is_empty() {
                packed.push('\0');
            }
            packed.push_str(name);
            packed.push('\0');
            packed.push_str(value);
        }
        if let Some(token) = &signed.security_token {
            packed.push_str("\0x-amz-security-token\0");
            packed.push_str(token);
        }
        Ok(packed)
    }
}

#[wasm_bindgen(js_class = "__Producer")]
impl WasmProducer {
    /// Sending was paused (offline) from `since_ms` until `now_ms`: that
    /// time does not count toward records' time to live.
    pub fn resume(&mut self, since_ms: f64, now_ms: f64) {
        self.producer.resume(at(since_ms), at(now_ms));
    }

    /// Sends everything now.
    pub fn flush(&mut self) {
        self.producer.flush();
    }

    /// Refuses new records; sends what is buffered.
    pub fn close(&mut self) {
        self.producer.close();
    }

    /// The id the next record will get.
    #[wasm_bindgen(js_name = "nextId")]
    pub fn next_id(&self) -> f64 {
        self.producer.next_id() as f64
    }

    /// Counters, NUL-separated: `recordsPut, recordsAcknowledged,
    /// recordsFailed, recordsExpired, recordsRetried, bytesAcknowledged,
    /// requests, throttles, transportErrors, clockCorrections,
    /// bufferedRecords, bufferedBytes`, latency `p50, p90, p99`, then
    /// `shardId, records` per shard.
    pub fn stats(&self) -> String {
        let s = self.producer.stats();
        let mut out = Vec::with_capacity(256);
        for n in [
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
            s.buffered_records,
            s.buffered_bytes,
            s.latency_p50_ms,
            s.latency_p90_ms,
            s.latency_p99_ms,
        ] {
            write_u64(&mut out, n);
            out.push(0);
        }
        for (shard, n) in &s.per_shard {
            write_field(&mut out, shard);
            write_u64(&mut out, *n);
            out.push(0);
        }
        out.pop();
        String::from_utf8(out).unwrap_or_default()
    }
}
