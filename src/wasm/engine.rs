//! The shard engine's JS adapter (`--features engine`, built as its own
//! `.wasm` so that the producer's stays small). `js/engine.js` wraps it as
//! `ShardEngine`; answers cross the boundary as bytes and JSON text, so
//! the adapter needs no serde.

use wasm_bindgen::prelude::*;

use crate::credentials::Credentials;
use crate::engine::{
    Engine, EngineConfig, Faults, HttpAnswer, HttpRequest, RecordFault, Response, SubscriptionStep,
};
use crate::json::write_string;
use crate::record::RecordLimits;
use crate::time::Timestamp;

use super::coded_error;

/// The engine.
#[wasm_bindgen(js_name = "__ShardEngine")]
pub struct WasmEngine(Engine);

fn at(now_ms: f64) -> Result<Timestamp, JsValue> {
    Timestamp::from_millis_f64(now_ms)
        .ok_or_else(|| coded_error("InvalidArgumentException", "the engine's clock gave an invalid time"))
}

/// The body, then the status (2 bytes, big-endian) and the delay in ms (4
/// bytes): a trailer, so that the body (1.4 MB for a GetRecords of 10,000
/// records of 100 B) is not copied to make room in front of it.
fn pack(r: Response) -> Vec<u8> {
    super::grow_ahead();
    let mut out = r.body;
    out.extend_from_slice(&r.status.to_be_bytes());
    out.extend_from_slice(&r.delay_ms.to_be_bytes());
    out
}

/// The content types an HTTP answer can have, by the index [`pack_http`]
/// gives them (none: the XML and bare answers to requests AWS cannot route).
const CONTENT_TYPES: [&str; 5] = [
    crate::engine::JSON_CONTENT_TYPE,
    crate::engine::cbor::CONTENT_TYPE,
    crate::engine::EVENT_STREAM_CONTENT_TYPE,
    "application/json",
    "",
];

/// An HTTP answer as [`pack`] has it, with, before the status, its error
/// type (AWS's code, for `x-amzn-ErrorType`; empty on success), the type's
/// length (1 byte) and its content type (1 byte: an index in
/// [`CONTENT_TYPES`]); for an event stream, the subscription's id (an
/// `f64`) is just before the error type.
fn pack_http(a: HttpAnswer) -> Vec<u8> {
    let HttpAnswer { mut response, error_type, subscription, content_type, .. } = a;
    let error_type = error_type.get(..error_type.len().min(255)).unwrap_or("");
    if let Some(id) = subscription {
        response.body.extend_from_slice(&(id as f64).to_le_bytes());
    }
    response.body.extend_from_slice(error_type.as_bytes());
    let format = CONTENT_TYPES.iter().position(|t| *t == content_type).unwrap_or(0) as u8;
    response.body.extend_from_slice(&[error_type.len() as u8, format]);
    pack(response)
}

/// A subscription id from JS (ids are whole numbers below 2^53).
fn subscription_id(id: f64) -> u64 {
    if id.is_finite() && id >= 0.0 {
        id as u64
    } else {
        0
    }
}

fn engine_error(e: crate::engine::EngineError) -> JsValue {
    coded_error(e.code, &e.message)
}

#[wasm_bindgen(js_class = "__ShardEngine")]
impl WasmEngine {
    /// An engine with these limits (per shard and second) and settings.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        throttling: bool,
        write_records_per_sec: u32,
        write_bytes_per_sec: u32,
        read_calls_per_sec: u32,
        read_bytes_per_sec: u32,
        account_id: &str,
        region: &str,
        create_delay_ms: u32,
        seed: f64,
        max_records_per_shard: u32,
        max_bytes_per_shard: f64,
        default_shard_count: u32,
        max_record_bytes: u32,
        update_delay_ms: u32,
        delete_delay_ms: u32,
        control_plane_limits: bool,
    ) -> Result<WasmEngine, JsValue> {
        Ok(WasmEngine(Engine::new(EngineConfig {
            throttling,
            write_records_per_sec,
            write_bytes_per_sec,
            read_calls_per_sec,
            read_bytes_per_sec,
            account_id: account_id.to_owned(),
            region: region.to_owned(),
            create_delay_ms,
            update_delay_ms,
            delete_delay_ms,
            control_plane_limits,
            seed: if seed.is_finite() && seed >= 0.0 { seed as u64 } else { 0 },
            max_records_per_shard: max_records_per_shard.max(1) as usize,
            max_bytes_per_shard: if max_bytes_per_shard >= 1.0 { max_bytes_per_shard as u64 } else { 1 },
            default_shard_count: default_shard_count.max(1),
            record_limits: RecordLimits::new(max_record_bytes as usize).ok_or_else(|| {
                coded_error("InvalidArgumentException", "maxRecordBytes must be from 1048576 to 10485760")
            })?,
            ..EngineConfig::default()
        })))
    }

    /// Answers one JSON 1.1 request at time `now_ms` (see [`pack`]).
    pub fn handle(&mut self, now_ms: f64, target: &str, body: &[u8]) -> Result<Vec<u8>, JsValue> {
        Ok(pack(self.0.handle(at(now_ms)?, target, body)))
    }

    /// GetRecords with its records packed in binary (see
    /// `Engine::handle_as`), packed as [`pack`] does.
    #[wasm_bindgen(js_name = "getRecordsPacked")]
    pub fn get_records_packed(&mut self, now_ms: f64, body: &[u8]) -> Result<Vec<u8>, JsValue> {
        Ok(pack(self.0.handle_as(at(now_ms)?, "Kinesis_20131202.GetRecords", body, true)))
    }

    /// Answers one HTTP request, checking its signature when configured:
    /// `headers` is `name\0value\0name\0value…`; the answer packed by
    /// [`pack_http`] (in CBOR when the request was).
    #[wasm_bindgen(js_name = "handleHttp")]
    pub fn handle_http(
        &mut self,
        now_ms: f64,
        method: &str,
        path: &str,
        headers: &str,
        body: &[u8],
    ) -> Result<Vec<u8>, JsValue> {
        let mut parts = headers.split('\0');
        let mut pairs = Vec::new();
        while let (Some(n), Some(v)) = (parts.next(), parts.next()) {
            pairs.push((n, v));
        }
        let req = HttpRequest { method, path, headers: &pairs, body };
        Ok(pack_http(self.0.answer_http(at(now_ms)?, &req)))
    }

    /// SubscribeToShard (its JSON request): the subscription's id, whose
    /// events [`WasmEngine::poll_subscription`] gives.
    pub fn subscribe(&mut self, now_ms: f64, body: &[u8]) -> Result<f64, JsValue> {
        Ok(self.0.subscribe_json(at(now_ms)?, body).map_err(engine_error)? as f64)
    }

    /// What a subscription has to send now: a SubscribeToShardEvent with
    /// its records packed (as `getRecordsPacked` packs them), then an
    /// `f64` and a kind byte: 0, an event; 1, nothing before the time the
    /// `f64` gives (ms); 2, the end; 3, the end by an error, the body
    /// `code\0message`.
    #[wasm_bindgen(js_name = "pollSubscription")]
    pub fn poll_subscription(&mut self, id: f64, now_ms: f64) -> Result<Vec<u8>, JsValue> {
        let step = self.0.poll_subscription(subscription_id(id), at(now_ms)?, true);
        let (mut out, time, kind) = match step {
            SubscriptionStep::Event(body) => (body, 0.0, 0),
            SubscriptionStep::Wait(t) => (Vec::new(), t.as_millis() as f64, 1),
            SubscriptionStep::End(None) => (Vec::new(), 0.0, 2),
            SubscriptionStep::End(Some(e)) => (format!("{}\0{}", e.code, e.message).into_bytes(), 0.0, 3),
        };
        out.extend_from_slice(&time.to_le_bytes());
        out.push(kind);
        Ok(out)
    }

    /// What a subscription answered over HTTP (`handleHttp`) has to send
    /// now: event stream messages, then when to poll again (ms, an `f64`;
    /// -1: the answer is complete).
    #[wasm_bindgen(js_name = "pollSubscriptionHttp")]
    pub fn poll_subscription_http(&mut self, id: f64, now_ms: f64) -> Result<Vec<u8>, JsValue> {
        let events = self.0.poll_subscription_http(subscription_id(id), at(now_ms)?);
        let mut out = events.bytes;
        out.extend_from_slice(&events.next.map_or(-1.0, |t| t.as_millis() as f64).to_le_bytes());
        Ok(out)
    }

    /// Ends a subscription whose reader went away.
    #[wasm_bindgen(js_name = "endSubscription")]
    pub fn end_subscription(&mut self, id: f64) {
        self.0.end_subscription(subscription_id(id));
    }

    /// The credentials requests through `handleHttp` must be signed with
    /// (none: nothing is checked), with the session token of temporary
    /// credentials and when it expires (ms since the epoch; none: never).
    #[wasm_bindgen(js_name = "setVerifySignatures")]
    pub fn set_verify_signatures(
        &mut self,
        access_key_id: Option<String>,
        secret_access_key: Option<String>,
        session_token: Option<String>,
        expires_ms: Option<f64>,
    ) -> Result<(), JsValue> {
        let credentials = match (access_key_id, secret_access_key) {
            (Some(id), Some(secret)) => Some(
                Credentials::new(id, secret, session_token.filter(|t| !t.is_empty()))
                    .map_err(|e| coded_error("InvalidCredentials", e.reason()))?,
            ),
            _ => None,
        };
        let expires = expires_ms.map(at).transpose()?;
        self.0.set_verify_credentials(credentials, expires);
        Ok(())
    }

    /// Sets the faults of a stream (or, without one, of every stream).
    #[wasm_bindgen(js_name = "setFaults")]
    pub fn set_faults(
        &mut self,
        stream: Option<String>,
        record_failure_rate: f64,
        throttle: bool,
        request_failure_rate: f64,
        latency_ms: u32,
    ) -> Result<(), JsValue> {
        let faults = Faults {
            record_failure_rate,
            record_fault: if throttle { RecordFault::Throttling } else { RecordFault::InternalFailure },
            request_failure_rate,
            latency_ms,
        };
        self.0.set_faults(stream.as_deref(), faults).map_err(engine_error)
    }

    /// Per-shard statistics of a stream at `now_ms`, as JSON.
    pub fn stats(&mut self, now_ms: f64, stream: &str) -> Result<String, JsValue> {
        self.0.advance(at(now_ms)?);
        let shards = self.0.stats(stream).map_err(engine_error)?;
        let mut out = Vec::with_capacity(shards.len() * 256);
        out.push(b'[');
        for (i, (info, s)) in shards.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"shardId\":");
            write_string(&mut out, &info.shard_id);
            let optional = |out: &mut Vec<u8>, name: &str, v: &Option<String>| {
                out.extend_from_slice(format!(",\"{name}\":").as_bytes());
                match v {
                    Some(v) => write_string(out, v),
                    None => out.extend_from_slice(b"null"),
                }
            };
            optional(&mut out, "parentShardId", &info.parent_shard_id);
            optional(&mut out, "adjacentParentShardId", &info.adjacent_parent_shard_id);
            out.extend_from_slice(
                format!(
                    ",\"open\":{},\"startingHashKey\":\"{}\",\"endingHashKey\":\"{}\",\"recordsIn\":{},\"bytesIn\":{},\"writeThrottles\":{},\"injectedFailures\":{},\"recordsOut\":{},\"bytesOut\":{},\"readThrottles\":{},\"stored\":{}}}",
                    info.ending_sequence_number.is_none(),
                    info.starting_hash_key,
                    info.ending_hash_key,
                    s.records_in,
                    s.bytes_in,
                    s.write_throttles,
                    s.injected_failures,
                    s.records_out,
                    s.bytes_out,
                    s.read_throttles,
                    s.stored
                )
                .as_bytes(),
            );
        }
        out.push(b']');
        Ok(String::from_utf8(out).unwrap_or_default())
    }

    /// Delivers every Firehose buffer whose interval has passed.
    #[wasm_bindgen(js_name = "firehoseTick")]
    pub fn firehose_tick(&mut self, now_ms: f64) -> Result<(), JsValue> {
        self.0.firehose_tick(at(now_ms)?);
        Ok(())
    }

    /// Delivers a delivery stream's buffer now.
    #[wasm_bindgen(js_name = "flushDeliveryStream")]
    pub fn flush_delivery_stream(&mut self, name: &str, now_ms: f64) -> Result<(), JsValue> {
        self.0.flush_delivery_stream(name, at(now_ms)?).map_err(engine_error)
    }

    /// The bucket names, as a JSON array.
    #[wasm_bindgen(js_name = "bucketNames")]
    pub fn bucket_names(&self) -> String {
        let mut out = vec![b'['];
        for (i, name) in self.0.bucket_names().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_string(&mut out, name);
        }
        out.push(b']');
        String::from_utf8(out).unwrap_or_default()
    }

    /// The objects of a bucket (without their bytes), as JSON.
    #[wasm_bindgen(js_name = "listObjects")]
    pub fn list_objects(&self, bucket: &str) -> String {
        let mut out = vec![b'['];
        for (i, o) in self.0.objects(bucket).iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"key\":");
            write_string(&mut out, &o.key);
            out.extend_from_slice(
                format!(
                    ",\"size\":{},\"records\":{},\"lastModified\":{}}}",
                    o.data.len(),
                    o.records,
                    o.last_modified.as_millis()
                )
                .as_bytes(),
            );
        }
        out.push(b']');
        String::from_utf8(out).unwrap_or_default()
    }

    /// An object's bytes, or `undefined`.
    #[wasm_bindgen(js_name = "getObject")]
    pub fn get_object(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        self.0.objects(bucket).iter().find(|o| o.key == key).map(|o| o.data.clone())
    }

    /// A delivery stream's buffer and deliveries, as JSON (or `undefined`).
    #[wasm_bindgen(js_name = "deliveryStats")]
    pub fn delivery_stats(&self, name: &str) -> Option<String> {
        self.0.delivery_stats(name).map(|d| {
            format!(
                "{{\"bufferedBytes\":{},\"bufferedRecords\":{},\"deliveredObjects\":{},\"deliveredRecords\":{},\"sizeInBytes\":{},\"intervalInSeconds\":{}}}",
                d.buffered_bytes, d.buffered_records, d.delivered_objects, d.delivered_records, d.size_bytes, d.interval_secs
            )
        })
    }
}
