//! The Kinesis and Firehose JSON 1.1 wire protocol: requests encoded in one
//! pass into one buffer (ready for the signer), responses and errors
//! decoded into types. Sources: the Kinesis Data Streams and Firehose API
//! references (request and response syntax, common errors), and the AWS
//! SDK for JavaScript v3 (member order of its serializer, error code
//! sanitizing, and which codes it retries).
//!
//! Members are written in the order of the service models, which is the
//! order `@aws-sdk/client-kinesis` and `@aws-sdk/client-firehose` write
//! them, and strings are escaped as `JSON.stringify` does: the bodies are
//! byte-identical to the SDK's (tested against it).

use crate::prelude::*;
use alloc::borrow::Cow;

use crate::aggregation::UserRecord;
use crate::json::{self, write_string, JsonError, Value};
use crate::partition::parse_explicit_hash_key;
use crate::shard_map::Shard;

/// `Content-Type` of every Kinesis and Firehose call.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// `X-Amz-Target` values.
pub mod target {
    /// Kinesis PutRecord.
    pub const PUT_RECORD: &str = "Kinesis_20131202.PutRecord";
    /// Kinesis PutRecords.
    pub const PUT_RECORDS: &str = "Kinesis_20131202.PutRecords";
    /// Kinesis ListShards.
    pub const LIST_SHARDS: &str = "Kinesis_20131202.ListShards";
    /// Firehose PutRecord.
    pub const FIREHOSE_PUT_RECORD: &str = "Firehose_20150804.PutRecord";
    /// Firehose PutRecordBatch.
    pub const FIREHOSE_PUT_RECORD_BATCH: &str = "Firehose_20150804.PutRecordBatch";
}

/// An encoded request: its target and its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    /// The `X-Amz-Target` header value.
    pub target: &'static str,
    /// The JSON body.
    pub body: Vec<u8>,
}

/// How a call names its stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream<'a> {
    /// `StreamName`.
    Name(&'a str),
    /// `StreamARN`.
    Arn(&'a str),
}

const BASE64_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn sextet(n: u32, shift: u32) -> u8 {
    BASE64_ALPHABET[((n >> shift) & 63) as usize]
}

/// Standard base64 with padding (RFC 4648 §4), appended to `out`. Written
/// out here rather than with the `base64` crate (which the engine still
/// uses to read): the crate's general-purpose engine was 3 KB of the
/// producer's `.wasm` for this one loop; property-tested equal to it.
///
/// One loop per build, each the faster in it. The speed-optimized build
/// encodes by pairs of characters (see [`base64_pairs`]); the
/// size-optimized build's block loop carries no table (see
/// [`base64_blocks`]).
fn write_base64(out: &mut Vec<u8>, data: &[u8]) {
    out.reserve(base64_len(data.len()));
    #[cfg(feature = "std")]
    let rest = base64_pairs(out, data);
    #[cfg(not(feature = "std"))]
    let rest = base64_blocks(out, data);
    match *rest {
        [a] => {
            let n = u32::from(a) << 16;
            out.extend_from_slice(&[sextet(n, 18), sextet(n, 12), b'=', b'=']);
        }
        [a, b] => {
            let n = u32::from(a) << 16 | u32::from(b) << 8;
            out.extend_from_slice(&[sextet(n, 18), sextet(n, 12), sextet(n, 6), b'=']);
        }
        _ => {}
    }
}

/// The two base64 characters of every 12-bit value, the first in the low
/// byte (8 KB), made on first use: as a `static` it was 5 KB gzipped of the
/// `.wasm` (pairs of characters compress badly), and made for each request
/// body it cost small records' requests more than it saved.
#[cfg(feature = "std")]
fn base64_pairs_table() -> &'static [u16; 4096] {
    static PAIRS: std::sync::OnceLock<[u16; 4096]> = std::sync::OnceLock::new();
    PAIRS.get_or_init(|| {
        let mut pairs = [0u16; 4096];
        for (i, pair) in (0u32..).zip(pairs.iter_mut()) {
            *pair = u16::from(sextet(i, 6)) | u16::from(sextet(i, 0)) << 8;
        }
        pairs
    })
}

/// Whole groups of 6 bytes, then of 3, encoded in place after `out`'s end
/// by pairs of characters from a table (four reads and one 8-byte store
/// per 6 bytes); returns the bytes left over. The speed-optimized build's
/// loop: 1.6× the speed of its former loop of a character at a time on
/// 1 KB records in Node (base64 went from 16 % to 10 % of a `put`'s time
/// in a profile).
#[cfg(feature = "std")]
fn base64_pairs<'d>(out: &mut Vec<u8>, data: &'d [u8]) -> &'d [u8] {
    let table = base64_pairs_table();
    let pair = |n: u64| u64::from(table[(n & 0xfff) as usize]);
    let start = out.len();
    let groups = data.chunks_exact(6);
    let rest = groups.remainder();
    out.resize(start + data.len() / 3 * 4, 0);
    let written = out.get_mut(start..).unwrap_or_default();
    let (sixes, threes) = written.split_at_mut(data.len() / 6 * 8);
    for (o, i) in sixes.chunks_exact_mut(8).zip(groups) {
        if let &[a, b, c, d, e, f] = i {
            let n = u64::from(a) << 40
                | u64::from(b) << 32
                | u64::from(c) << 24
                | u64::from(d) << 16
                | u64::from(e) << 8
                | u64::from(f);
            if let Ok(o) = <&mut [u8; 8]>::try_from(o) {
                *o =
                    (pair(n >> 36) | pair(n >> 24) << 16 | pair(n >> 12) << 32 | pair(n) << 48).to_le_bytes();
            }
        }
    }
    match (rest, threes) {
        ([a, b, c, tail @ ..], [q0, q1, q2, q3]) => {
            let n = u64::from(*a) << 16 | u64::from(*b) << 8 | u64::from(*c);
            [*q0, *q1, *q2, *q3] = ((pair(n >> 12) | pair(n) << 16) as u32).to_le_bytes();
            tail
        }
        _ => rest,
    }
}

/// The size-optimized build's loop: whole groups of 3 bytes, encoded a
/// block at a time into a small array and appended with one copy (no
/// capacity check per 4 characters, no call per chunk or per byte);
/// returns the bytes left over.
// The speed-optimized build only tests it, natively.
#[cfg_attr(feature = "std", allow(dead_code))]
fn base64_blocks<'d>(out: &mut Vec<u8>, data: &'d [u8]) -> &'d [u8] {
    let mut block = [0u8; 256];
    let (mut at, mut i) = (0, 0);
    while let Some(&[a, b, c]) = data.get(i..i + 3) {
        let n = u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c);
        if let Some([q0, q1, q2, q3]) = block.get_mut(at..at + 4) {
            *q0 = sextet(n, 18);
            *q1 = sextet(n, 12);
            *q2 = sextet(n, 6);
            *q3 = sextet(n, 0);
        }
        i += 3;
        at += 4;
        if at == block.len() {
            out.extend_from_slice(&block);
            at = 0;
        }
    }
    out.extend_from_slice(block.get(..at).unwrap_or_default());
    data.get(i..).unwrap_or_default()
}

fn write_member(out: &mut Vec<u8>, first: &mut bool, name: &str) {
    if !*first {
        out.push(b',');
    }
    *first = false;
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
}

fn write_stream_name(out: &mut Vec<u8>, first: &mut bool, stream: Stream<'_>) {
    if let Stream::Name(name) = stream {
        write_member(out, first, "StreamName");
        write_string(out, name);
    }
}

fn write_stream_arn(out: &mut Vec<u8>, first: &mut bool, stream: Stream<'_>) {
    if let Stream::Arn(arn) = stream {
        write_member(out, first, "StreamARN");
        write_string(out, arn);
    }
}

/// The base64 size of `n` bytes.
fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

/// PutRecords: `{"Records":[{"Data","ExplicitHashKey","PartitionKey"}…],"StreamName"|"StreamARN"}`.
pub fn put_records(stream: Stream<'_>, records: &[UserRecord<'_>]) -> Encoded {
    let size: usize = records
        .iter()
        .map(|r| {
            base64_len(r.data.len())
                + r.partition_key.len()
                + r.explicit_hash_key.map_or(0, |k| k.len() + 20)
                + 40
        })
        .sum();
    let name = match stream {
        Stream::Name(s) | Stream::Arn(s) => s.len(),
    };
    // Room for the stream's member and what an adapter appends.
    let mut out = Vec::with_capacity(size + name + 64);
    out.extend_from_slice(b"{\"Records\":[");
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"Data\":\"");
        write_base64(&mut out, r.data);
        out.push(b'"');
        if let Some(k) = r.explicit_hash_key {
            out.extend_from_slice(b",\"ExplicitHashKey\":");
            write_string(&mut out, k);
        }
        out.extend_from_slice(b",\"PartitionKey\":");
        write_string(&mut out, r.partition_key);
        out.push(b'}');
    }
    out.push(b']');
    let mut first = false;
    write_stream_name(&mut out, &mut first, stream);
    write_stream_arn(&mut out, &mut first, stream);
    out.push(b'}');
    Encoded { target: target::PUT_RECORDS, body: out }
}

/// PutRecord, with an optional `SequenceNumberForOrdering`.
pub fn put_record(
    stream: Stream<'_>,
    record: &UserRecord<'_>,
    sequence_number_for_ordering: Option<&str>,
) -> Encoded {
    let mut out = Vec::with_capacity(base64_len(record.data.len()) + record.partition_key.len() + 128);
    out.extend_from_slice(b"{\"Data\":\"");
    write_base64(&mut out, record.data);
    out.push(b'"');
    let mut first = false;
    write_stream_name(&mut out, &mut first, stream);
    write_member(&mut out, &mut first, "PartitionKey");
    write_string(&mut out, record.partition_key);
    if let Some(k) = record.explicit_hash_key {
        write_member(&mut out, &mut first, "ExplicitHashKey");
        write_string(&mut out, k);
    }
    if let Some(s) = sequence_number_for_ordering {
        write_member(&mut out, &mut first, "SequenceNumberForOrdering");
        write_string(&mut out, s);
    }
    write_stream_arn(&mut out, &mut first, stream);
    out.push(b'}');
    Encoded { target: target::PUT_RECORD, body: out }
}

/// ListShards' `ShardFilter`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ShardFilter<'a> {
    /// `AFTER_SHARD_ID` with the shard id.
    AfterShardId(&'a str),
    /// `AT_TRIM_HORIZON`.
    AtTrimHorizon,
    /// `FROM_TRIM_HORIZON`.
    FromTrimHorizon,
    /// `AT_LATEST` (the open shards).
    AtLatest,
    /// `AT_TIMESTAMP`, epoch seconds.
    AtTimestamp(f64),
    /// `FROM_TIMESTAMP`, epoch seconds.
    FromTimestamp(f64),
}

/// A ListShards call. With a `next_token`, the stream must not be named
/// (the API reference says so), and this encoder leaves it out.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ListShards<'a> {
    /// The stream (omitted when `next_token` is set).
    pub stream: Option<Stream<'a>>,
    /// Continue a listing.
    pub next_token: Option<&'a str>,
    /// List shards after this one.
    pub exclusive_start_shard_id: Option<&'a str>,
    /// Page size, 1..=10,000.
    pub max_results: Option<u32>,
    /// Which shards.
    pub shard_filter: Option<ShardFilter<'a>>,
}

pub(crate) fn write_number(out: &mut Vec<u8>, v: f64) {
    // Epoch seconds, to the millisecond (AWS keeps no finer time), written
    // as JS prints them: no fraction for whole seconds, no trailing zeros.
    // Formatted by hand: `f64`'s `Display` costs about 15 KB of wasm.
    if !v.is_finite() || v.abs() >= 9.0e12 {
        out.extend_from_slice(b"0");
        return;
    }
    let ms = crate::num::round(v * 1000.0) as i64;
    if ms < 0 {
        out.push(b'-');
    }
    let ms = ms.unsigned_abs();
    json::write_u64(out, ms / 1000);
    let frac = ms % 1000;
    if frac > 0 {
        // Three digits, zero-padded, trailing zeros dropped.
        let text = [b'0' + (frac / 100) as u8, b'0' + (frac / 10 % 10) as u8, b'0' + (frac % 10) as u8];
        let end = if frac % 100 == 0 {
            1
        } else if frac % 10 == 0 {
            2
        } else {
            3
        };
        out.push(b'.');
        out.extend_from_slice(&text[..end]);
    }
}

/// ListShards.
pub fn list_shards(call: &ListShards<'_>) -> Encoded {
    let mut out = Vec::with_capacity(128);
    out.push(b'{');
    let mut first = true;
    let stream = if call.next_token.is_some() { None } else { call.stream };
    if let Some(s) = stream {
        write_stream_name(&mut out, &mut first, s);
    }
    if let Some(t) = call.next_token {
        write_member(&mut out, &mut first, "NextToken");
        write_string(&mut out, t);
    }
    if let Some(id) = call.exclusive_start_shard_id {
        write_member(&mut out, &mut first, "ExclusiveStartShardId");
        write_string(&mut out, id);
    }
    if let Some(n) = call.max_results {
        write_member(&mut out, &mut first, "MaxResults");
        json::write_u64(&mut out, u64::from(n));
    }
    if let Some(filter) = call.shard_filter {
        write_member(&mut out, &mut first, "ShardFilter");
        let (kind, shard, time) = match filter {
            ShardFilter::AfterShardId(id) => ("AFTER_SHARD_ID", Some(id), None),
            ShardFilter::AtTrimHorizon => ("AT_TRIM_HORIZON", None, None),
            ShardFilter::FromTrimHorizon => ("FROM_TRIM_HORIZON", None, None),
            ShardFilter::AtLatest => ("AT_LATEST", None, None),
            ShardFilter::AtTimestamp(t) => ("AT_TIMESTAMP", None, Some(t)),
            ShardFilter::FromTimestamp(t) => ("FROM_TIMESTAMP", None, Some(t)),
        };
        out.extend_from_slice(b"{\"Type\":");
        write_string(&mut out, kind);
        if let Some(id) = shard {
            out.extend_from_slice(b",\"ShardId\":");
            write_string(&mut out, id);
        }
        if let Some(t) = time {
            out.extend_from_slice(b",\"Timestamp\":");
            write_number(&mut out, t);
        }
        out.push(b'}');
    }
    if let Some(s) = stream {
        write_stream_arn(&mut out, &mut first, s);
    }
    out.push(b'}');
    Encoded { target: target::LIST_SHARDS, body: out }
}

/// ListShards as the producer sends it, one page of a stream named by
/// name: the same body [`list_shards`] writes for it, without the code for
/// the members the producer never sends (0.5 KB of its `.wasm`).
pub fn list_shards_page(stream_name: &str, next_token: Option<&str>, max_results: u32) -> Encoded {
    let mut out = Vec::with_capacity(64);
    match next_token {
        Some(t) => {
            out.extend_from_slice(b"{\"NextToken\":");
            write_string(&mut out, t);
        }
        None => {
            out.extend_from_slice(b"{\"StreamName\":");
            write_string(&mut out, stream_name);
        }
    }
    out.extend_from_slice(b",\"MaxResults\":");
    json::write_u64(&mut out, u64::from(max_results));
    out.push(b'}');
    Encoded { target: target::LIST_SHARDS, body: out }
}

/// Firehose PutRecord: `{"DeliveryStreamName","Record":{"Data"}}`.
pub fn firehose_put_record(delivery_stream_name: &str, data: &[u8]) -> Encoded {
    let mut out = Vec::with_capacity(base64_len(data.len()) + delivery_stream_name.len() + 48);
    out.extend_from_slice(b"{\"DeliveryStreamName\":");
    write_string(&mut out, delivery_stream_name);
    out.extend_from_slice(b",\"Record\":{\"Data\":\"");
    write_base64(&mut out, data);
    out.extend_from_slice(b"\"}}");
    Encoded { target: target::FIREHOSE_PUT_RECORD, body: out }
}

/// Firehose PutRecordBatch: `{"DeliveryStreamName","Records":[{"Data"}…]}`.
pub fn firehose_put_record_batch(delivery_stream_name: &str, records: &[&[u8]]) -> Encoded {
    // Sized once (a request is up to 4 MiB: no copies as it grows): 12 for
    // a record's `{"Data":""},`, and room for what an adapter appends.
    let size: usize = records.iter().map(|d| base64_len(d.len()) + 12).sum();
    let mut out = Vec::with_capacity(size + delivery_stream_name.len() + 64);
    out.extend_from_slice(b"{\"DeliveryStreamName\":");
    write_string(&mut out, delivery_stream_name);
    out.extend_from_slice(b",\"Records\":[");
    for (i, data) in records.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"Data\":\"");
        write_base64(&mut out, data);
        out.extend_from_slice(b"\"}");
    }
    out.extend_from_slice(b"]}");
    Encoded { target: target::FIREHOSE_PUT_RECORD_BATCH, body: out }
}

// ---- responses --------------------------------------------------------------

/// What a response that is JSON lacks: a code, whose words
/// ([`Shape::as_str`]) are only in a build that shows them (the producer's
/// drops a response it cannot read, saying only that).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[allow(missing_docs)] // Each says itself in as_str.
pub enum Shape {
    NoResults,
    StoredWithoutShardId,
    ResultWithoutIdOrCode,
    FailedCountMismatch,
    NotGatewayAnswer,
    PutRecordWithoutIds,
    NoShards,
    ShardWithoutId,
    ShardWithoutRange,
    BadHashKey,
}

impl Shape {
    /// In words, e.g. "no Shards".
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::NoResults => "no per-record results",
            Shape::StoredWithoutShardId => "a stored record without ShardId",
            Shape::ResultWithoutIdOrCode => "a record result with neither an id nor an ErrorCode",
            Shape::FailedCountMismatch => "the failed count does not match the per-record results",
            Shape::NotGatewayAnswer => {
                "not a gateway answer: {accepted: [index], rejected: [{index, code, message}]}"
            }
            Shape::PutRecordWithoutIds => "PutRecord result without SequenceNumber and ShardId",
            Shape::NoShards => "no Shards",
            Shape::ShardWithoutId => "a shard without ShardId",
            Shape::ShardWithoutRange => "a shard without HashKeyRange",
            Shape::BadHashKey => "a hash key that is not a decimal in [0, 2^128-1]",
        }
    }
}

/// A response that is not what the operation returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Not JSON.
    Json(JsonError),
    /// JSON, but a member is missing or of the wrong type.
    Shape(Shape),
}

impl core::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DecodeError::Json(e) => write!(f, "response is not JSON: {e}"),
            DecodeError::Shape(what) => write!(f, "unexpected response: {}", what.as_str()),
        }
    }
}

impl core::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            DecodeError::Json(e) => Some(e),
            DecodeError::Shape(_) => None,
        }
    }
}

impl From<JsonError> for DecodeError {
    fn from(e: JsonError) -> DecodeError {
        DecodeError::Json(e)
    }
}

/// One record's outcome in a PutRecords (or Firehose PutRecordBatch) result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordResult {
    /// Stored: Kinesis's sequence number and shard (Firehose: record id in
    /// `sequence_number`, empty `shard_id`).
    Ok {
        /// `SequenceNumber` (Firehose: `RecordId`).
        sequence_number: String,
        /// `ShardId` (empty for Firehose).
        shard_id: String,
    },
    /// Refused: the caller must resend it (or give up on it).
    Failed {
        /// `ErrorCode`, e.g. `ProvisionedThroughputExceededException`.
        code: String,
        /// `ErrorMessage`.
        message: String,
    },
}

/// A decoded PutRecords or PutRecordBatch result, in request order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchResult {
    /// `FailedRecordCount` / `FailedPutCount`.
    pub failed: u64,
    /// Per record, in request order.
    pub records: Vec<RecordResult>,
}

fn text<'a>(v: &'a Value<'_>, name: &str) -> Option<&'a str> {
    v.get(name).and_then(Value::as_str)
}

fn batch(
    body: &[u8],
    count: &'static str,
    list: &'static str,
    id: &'static str,
    shard: bool,
) -> Result<BatchResult, DecodeError> {
    let v = json::parse(body)?;
    let failed = v.get(count).and_then(Value::as_u64).unwrap_or(0);
    let entries = v.get(list).and_then(Value::as_array).ok_or(DecodeError::Shape(Shape::NoResults))?;
    let mut records = Vec::with_capacity(entries.len());
    let mut actually_failed = 0u64;
    for e in entries {
        records.push(match (text(e, id), text(e, "ErrorCode")) {
            (_, Some(code)) => {
                actually_failed += 1;
                RecordResult::Failed {
                    code: code.to_owned(),
                    message: text(e, "ErrorMessage").unwrap_or("").to_owned(),
                }
            }
            (Some(seq), None) => RecordResult::Ok {
                sequence_number: seq.to_owned(),
                shard_id: if shard {
                    text(e, "ShardId").ok_or(DecodeError::Shape(Shape::StoredWithoutShardId))?.to_owned()
                } else {
                    String::new()
                },
            },
            (None, None) => return Err(DecodeError::Shape(Shape::ResultWithoutIdOrCode)),
        });
    }
    if actually_failed != failed {
        return Err(DecodeError::Shape(Shape::FailedCountMismatch));
    }
    Ok(BatchResult { failed, records })
}

/// The body of a batch of events for an ingestion gateway (the one in
/// `examples/cloudflare-worker`): `{"events":[…]}`, each event's JSON as
/// it is (the producer checked that each is a JSON object).
pub fn gateway_events(events: &[&[u8]]) -> Encoded {
    let size: usize = events.iter().map(|e| e.len() + 1).sum();
    let mut body = Vec::with_capacity(size + 64);
    body.extend_from_slice(b"{\"events\":[");
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(e);
    }
    body.extend_from_slice(b"]}");
    Encoded { target: "", body }
}

/// Decodes a gateway's answer to `count` events: `{"accepted": [index…],
/// "rejected": [{"index", "code", "message"}…]}`, every index once.
pub fn decode_gateway_answer(body: &[u8], count: usize) -> Result<BatchResult, DecodeError> {
    let v = json::parse(body)?;
    let index = |v: &Value<'_>| v.as_u64().and_then(|i| usize::try_from(i).ok()).filter(|i| *i < count);
    let shape = DecodeError::Shape(Shape::NotGatewayAnswer);
    // Per event: 0 unanswered, 1 accepted, 2 + k refused by the k-th
    // refusal (numbers, not a `Vec` of `Option`s of results: 0.05 KB less
    // of the producer's `.wasm`).
    let mut answers = vec![0u64; count];
    for a in v.get("accepted").and_then(Value::as_array).ok_or(shape.clone())? {
        let answer = index(a).and_then(|i| answers.get_mut(i)).ok_or(shape.clone())?;
        *answer = 1;
    }
    let refused = v.get("rejected").and_then(Value::as_array).ok_or(shape.clone())?;
    for (k, r) in (2..).zip(refused) {
        let answer = r.get("index").and_then(index).and_then(|i| answers.get_mut(i)).ok_or(shape.clone())?;
        *answer = k;
    }
    let mut records = Vec::with_capacity(count);
    let mut failed = 0;
    for &answer in &answers {
        let record = match answer {
            0 => return Err(shape),
            1 => RecordResult::Ok { sequence_number: String::new(), shard_id: String::new() },
            k => {
                let r = usize::try_from(k - 2).ok().and_then(|k| refused.get(k)).ok_or(shape.clone())?;
                failed += 1;
                RecordResult::Failed {
                    code: text(r, "code").map(sanitize_error_code).unwrap_or("Rejected").to_owned(),
                    message: text(r, "message").unwrap_or("").to_owned(),
                }
            }
        };
        records.push(record);
    }
    Ok(BatchResult { failed, records })
}

/// Decodes a PutRecords result (HTTP 200, even when records failed).
pub fn decode_put_records(body: &[u8]) -> Result<BatchResult, DecodeError> {
    batch(body, "FailedRecordCount", "Records", "SequenceNumber", true)
}

/// Decodes a Firehose PutRecordBatch result.
pub fn decode_put_record_batch(body: &[u8]) -> Result<BatchResult, DecodeError> {
    batch(body, "FailedPutCount", "RequestResponses", "RecordId", false)
}

/// A PutRecord result.
pub fn decode_put_record(body: &[u8]) -> Result<(String, String), DecodeError> {
    let v = json::parse(body)?;
    match (text(&v, "SequenceNumber"), text(&v, "ShardId")) {
        (Some(seq), Some(shard)) => Ok((seq.to_owned(), shard.to_owned())),
        _ => Err(DecodeError::Shape(Shape::PutRecordWithoutIds)),
    }
}

/// A page of ListShards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardPage {
    /// The shards of this page.
    pub shards: Vec<Shard>,
    /// Pass it back to get the next page.
    pub next_token: Option<String>,
}

/// Decodes a ListShards result.
pub fn decode_list_shards(body: &[u8]) -> Result<ShardPage, DecodeError> {
    let v = json::parse(body)?;
    let list = v.get("Shards").and_then(Value::as_array).ok_or(DecodeError::Shape(Shape::NoShards))?;
    let mut shards = Vec::with_capacity(list.len());
    for s in list {
        let id = text(s, "ShardId").ok_or(DecodeError::Shape(Shape::ShardWithoutId))?;
        let range = s.get("HashKeyRange").ok_or(DecodeError::Shape(Shape::ShardWithoutRange))?;
        let key = |name| {
            text(range, name)
                .and_then(|k| parse_explicit_hash_key(k).ok())
                .ok_or(DecodeError::Shape(Shape::BadHashKey))
        };
        shards.push(Shard {
            id: id.to_owned(),
            starting_hash_key: key("StartingHashKey")?,
            ending_hash_key: key("EndingHashKey")?,
            parent: text(s, "ParentShardId").map(str::to_owned),
            adjacent_parent: text(s, "AdjacentParentShardId").map(str::to_owned),
            open: s.get("SequenceNumberRange").and_then(|r| r.get("EndingSequenceNumber")).is_none(),
        });
    }
    Ok(ShardPage { shards, next_token: text(&v, "NextToken").map(str::to_owned) })
}

// ---- errors -----------------------------------------------------------------

/// Codes the AWS SDKs retry as throttling (`@smithy/service-error-classification`,
/// `THROTTLING_ERROR_CODES`, plus Kinesis's `KMSThrottlingException`).
const THROTTLING: &[&str] = &[
    "BandwidthLimitExceeded",
    "EC2ThrottledException",
    "KMSThrottlingException",
    "LimitExceededException",
    "PriorRequestNotComplete",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "ThrottledException",
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "TransactionInProgressException",
];

/// Transient codes (`TRANSIENT_ERROR_CODES`, plus Kinesis's
/// `InternalFailure` and Firehose's `ServiceUnavailableException`).
const TRANSIENT: &[&str] = &[
    "InternalFailure",
    "InternalServerError",
    "RequestTimeout",
    "RequestTimeoutException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "TimeoutError",
];

/// Clock-skew codes (`CLOCK_SKEW_ERROR_CODES`).
const CLOCK_SKEW: &[&str] = &[
    "AuthFailure",
    "InvalidSignatureException",
    "RequestExpired",
    "RequestInTheFuture",
    "RequestTimeTooSkewed",
    "SignatureDoesNotMatch",
];

/// An error the service returned for a whole request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceError {
    /// The AWS code, e.g. `ResourceNotFoundException`.
    pub code: String,
    /// The service's message.
    pub message: String,
    /// HTTP status.
    pub status: u16,
}

impl ServiceError {
    /// Whether resending the same request may succeed: throttling,
    /// transient failures, and 5xx.
    pub fn is_retryable(&self) -> bool {
        self.is_throttling()
            || TRANSIENT.contains(&self.code.as_str())
            || matches!(self.status, 500 | 502 | 503 | 504)
    }

    /// Whether the request was refused for its signing time (resign with a
    /// corrected clock). "Signature expired" messages come as
    /// `InvalidSignatureException`.
    pub fn is_clock_skew(&self) -> bool {
        CLOCK_SKEW.contains(&self.code.as_str())
            && (self.code != "InvalidSignatureException"
                || has(&self.message, "Signature expired")
                || has(&self.message, "not yet current"))
    }

    /// Whether this is throttling: a throttling code, or HTTP 429 whatever
    /// the code (as `@smithy/service-error-classification`'s
    /// `isThrottlingError` has it). Kinesis answers 400 with a code; a 429
    /// comes from what stands in front of it (a gateway, a proxy, a rate
    /// rule), often with no AWS code at all.
    pub fn is_throttling(&self) -> bool {
        self.status == 429 || THROTTLING.contains(&self.code.as_str())
    }

    /// Whether the session token expired: `ExpiredTokenException` (HTTP
    /// 400, "The security token included in the request is expired", as
    /// Kinesis answers it: awslabs/amazon-kinesis-producer issue #49,
    /// vectordotdev/vector issue #18491), or `ExpiredToken` as services on
    /// the query protocol name it. Sending again helps only with fresh
    /// credentials.
    pub fn is_expired_credentials(&self) -> bool {
        matches!(self.code.as_str(), "ExpiredTokenException" | "ExpiredToken")
    }
}

/// Whether `text` contains `needle` (a plain scan: core's two-way string
/// searcher is 3 KB of the producer's wasm, for two short messages).
fn has(text: &str, needle: &str) -> bool {
    text.as_bytes().windows(needle.len()).any(|w| w == needle.as_bytes())
}

impl core::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} (HTTP {}): {}", self.code, self.status, self.message)
    }
}

impl core::error::Error for ServiceError {}

/// `com.amazonaws.kinesis#ResourceNotFoundException:http://…` → the code:
/// the part after any `#`, before any `:` (as the AWS SDKs sanitize it).
pub fn sanitize_error_code(raw: &str) -> &str {
    // Byte scans (`:` and `#` are ASCII, so the ends are on character
    // boundaries): core's character searchers are 1 KB of the producer's
    // `.wasm`.
    let b = raw.as_bytes();
    let end = b.iter().position(|&c| c == b':').unwrap_or(b.len());
    let start = b.get(..end).unwrap_or_default().iter().rposition(|&c| c == b'#').map_or(0, |i| i + 1);
    raw.get(start..end).unwrap_or_default().trim_ascii()
}

/// Decodes an error response: the code from the `X-Amzn-Errortype` header
/// or the body's `__type` (or `code`), the message from `message` or
/// `Message`. A body that is not JSON (a proxy's HTML page) still gives a
/// typed error, named after the status.
pub fn decode_error(status: u16, error_type_header: Option<&str>, body: &[u8]) -> ServiceError {
    let parsed = json::parse(body).ok();
    let field = |name: &str| parsed.as_ref().and_then(|v| text(v, name));
    let raw = error_type_header
        .filter(|h| !h.trim_ascii().is_empty())
        .or_else(|| field("__type"))
        .or_else(|| field("code"))
        // An ingestion gateway's `{"error": …, "message": …}`.
        .or_else(|| field("error"));
    let code: Cow<'_, str> = match raw.map(sanitize_error_code).filter(|c| !c.is_empty()) {
        Some(c) => Cow::Borrowed(c),
        None if status >= 500 => Cow::Borrowed("InternalFailure"),
        None => Cow::Owned(crate::cat(&["Http", &json::u64_text(u64::from(status))])),
    };
    let message = match field("message").or_else(|| field("Message")) {
        Some(m) => m.to_owned(),
        None if parsed.is_none() => not_aws(status, body),
        None => String::new(),
    };
    ServiceError { code: code.into_owned(), message, status }
}

/// The message for an answer that is not AWS's (a proxy's, a gateway's
/// rate rule's): its status and the start of its text, on one line.
fn not_aws(status: u16, body: &[u8]) -> String {
    let mut out = crate::cat(&["HTTP ", &json::u64_text(u64::from(status))]).into_bytes();
    let text = core::str::from_utf8(body).unwrap_or_default().trim_ascii();
    let mut end = text.len().min(160);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if end > 0 {
        out.extend_from_slice(b": ");
        // Line breaks and other ASCII controls become spaces (UTF-8 stays
        // whole: only single-byte characters change).
        for &b in text.as_bytes().get(..end).unwrap_or_default() {
            out.push(if b < 0x20 || b == 0x7f { b' ' } else { b });
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests;
