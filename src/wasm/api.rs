//! The main build's exports: signing, shard maps, aggregation, encoding.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use super::{coded_error, nul_fields};

use crate::aggregation::{self, UserRecord};
use crate::credentials::Credentials;
use crate::partition;
use crate::protocol;
use crate::record;
use crate::shard_map::{Shard, ShardMap, ShardMapError};
use crate::sigv4::{
    PathNormalization, Payload, PayloadChecksumHeader, PercentEncoding, SessionTokenPlacement,
    SignableRequest, SignatureLocation, Signer, SigningParams, SigningSettings,
};
use crate::time::Timestamp;

thread_local! {
    // One signer per wasm instance keeps derived keys between calls.
    static SIGNER: RefCell<Signer> = RefCell::new(Signer::new());
}

/// Milliseconds since the epoch of an ISO 8601 date-time (or SigV4's
/// `YYYYMMDDTHHMMSSZ`).
#[wasm_bindgen(js_name = "__parseTime")]
pub fn parse_time(text: &str) -> Result<f64, JsValue> {
    Timestamp::parse(text)
        .map(|t| t.as_millis() as f64)
        .map_err(|e| coded_error("InvalidSigningDate", &format!("signingDate: {e}")))
}

/// `flags` bits of [`sign`]: a tri-state is 0 for the service's default,
/// 1 for on, 2 for off.
const NORMALIZE_SHIFT: u32 = 0;
const DOUBLE_ENCODE_SHIFT: u32 = 2;
const PAYLOAD_HEADER_SHIFT: u32 = 4;
const APPEND_TOKEN: u32 = 1 << 6;
const BODY_IS_TEXT: u32 = 1 << 7;

fn tri_state(flags: u32, shift: u32) -> Option<bool> {
    match (flags >> shift) & 3 {
        1 => Some(true),
        2 => Some(false),
        _ => None,
    }
}

/// Signs a request. `js/api.js` has checked the types; the core checks the
/// values.
///
/// All strings come in one (one UTF-8 copy across the boundary instead of
/// eight): `method, url, region, service, accessKeyId, secretAccessKey,
/// sessionToken, payloadHash` (empty for none), then `header_count` pairs
/// of `name, value`, each field followed by NUL; whatever follows is the
/// body when `flags` has `BODY_IS_TEXT` (bit 7; it may contain NUL), else the
/// body is `body_bytes`. `expires_in` is 0 for header signing.
///
/// Returns `signature\0signedHeaders\0canonicalRequest\0stringToSign\0url`
/// followed by `\0name\0value` pairs (headers to set, or query parameters).
#[wasm_bindgen(js_name = "__sign")]
pub fn sign(
    input: &str,
    header_count: u32,
    body_bytes: &[u8],
    time_ms: f64,
    expires_in: u32,
    flags: u32,
) -> Result<String, JsValue> {
    let (
        [method, url, region, service, access_key_id, secret_access_key, session_token, payload_hash],
        mut rest,
    ) = nul_fields::<8>(input);
    let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(header_count as usize);
    for _ in 0..header_count {
        let ([name, value], tail) = nul_fields::<2>(rest);
        pairs.push((name, value));
        rest = tail;
    }
    let body: &[u8] = if flags & BODY_IS_TEXT != 0 { rest.as_bytes() } else { body_bytes };

    let credentials = Credentials::new(
        access_key_id,
        secret_access_key,
        (!session_token.is_empty()).then(|| session_token.to_owned()),
    )
    .map_err(|e| coded_error("InvalidCredentials", e.reason()))?;
    let time = Timestamp::from_millis_f64(time_ms).ok_or_else(|| {
        coded_error("InvalidSigningDate", "signingDate must be a valid date between years 0 and 9999")
    })?;
    let defaults = SigningSettings::for_service(service);
    let settings = SigningSettings {
        location: if expires_in == 0 {
            SignatureLocation::Headers
        } else {
            SignatureLocation::Query { expires_in }
        },
        path_normalization: match tri_state(flags, NORMALIZE_SHIFT) {
            Some(true) => PathNormalization::Enabled,
            Some(false) => PathNormalization::Disabled,
            None => defaults.path_normalization,
        },
        percent_encoding: match tri_state(flags, DOUBLE_ENCODE_SHIFT) {
            Some(true) => PercentEncoding::Double,
            Some(false) => PercentEncoding::Single,
            None => defaults.percent_encoding,
        },
        payload_checksum_header: match tri_state(flags, PAYLOAD_HEADER_SHIFT) {
            Some(true) => PayloadChecksumHeader::Sha256,
            Some(false) => PayloadChecksumHeader::Omit,
            None => defaults.payload_checksum_header,
        },
        session_token_placement: if flags & APPEND_TOKEN != 0 {
            SessionTokenPlacement::AppendedAfterSigning
        } else {
            SessionTokenPlacement::Signed
        },
    };
    let payload = if payload_hash.is_empty() { Payload::Bytes(body) } else { Payload::Hash(payload_hash) };
    let request = SignableRequest { method, url, headers: &pairs, payload };
    let params = SigningParams { credentials: &credentials, region, service, time, settings };
    let out = SIGNER
        .with(|signer| signer.borrow_mut().sign(&request, &params))
        .map_err(|e| coded_error(e.code(), e.message()))?;

    let url = out.url.as_deref().unwrap_or("");
    let mut packed = String::with_capacity(
        out.canonical_request.len()
            + out.string_to_sign.len()
            + url.len()
            + out.params.iter().map(|(n, v)| n.len() + v.len() + 2).sum::<usize>()
            + 100,
    );
    for field in
        [out.signature.as_str(), &out.signed_headers, &out.canonical_request, &out.string_to_sign, url]
    {
        packed.push_str(field);
        packed.push('\0');
    }
    for (name, value) in &out.params {
        packed.push_str(name);
        packed.push('\0');
        packed.push_str(value);
        packed.push('\0');
    }
    packed.pop();
    Ok(packed)
}

/// The hash key (decimal) of a partition key.
#[wasm_bindgen(js_name = "__hashKeyOf")]
pub fn hash_key_of(partition_key: &str) -> Result<String, JsValue> {
    check_partition_key(partition_key)?;
    Ok(partition::format_hash_key(partition::hash_key(partition_key)))
}

fn check_partition_key(partition_key: &str) -> Result<(), JsValue> {
    record::validate_partition_key(partition_key, record::Member::PutRecord)
        .map_err(|e| coded_error(e.code, &e.message))
}

fn explicit_hash_key(text: Option<String>) -> Result<Option<u128>, JsValue> {
    text.map(|t| partition::parse_explicit_hash_key(&t).map_err(|e| coded_error(e.code(), &e.to_string())))
        .transpose()
}

/// A stream's shards; `js/api.js` wraps it as `ShardMap`.
#[wasm_bindgen(js_name = "__ShardMap")]
pub struct WasmShardMap(ShardMap);

fn shard_map_error(e: ShardMapError) -> JsValue {
    coded_error("InvalidShardMap", &e.to_string())
}

#[wasm_bindgen(js_class = "__ShardMap")]
impl WasmShardMap {
    /// The shards CreateStream makes for `count` shards.
    pub fn uniform(count: u32) -> Result<WasmShardMap, JsValue> {
        ShardMap::uniform(count).map(WasmShardMap).map_err(shard_map_error)
    }

    /// From `id\0start\0end\0parent\0adjacentParent\0open` fields, one
    /// group of six per shard (hash keys in decimal, `open` `1` or `0`).
    pub fn packed(fields: &str) -> Result<WasmShardMap, JsValue> {
        let parts: Vec<&str> = if fields.is_empty() { Vec::new() } else { fields.split('\0').collect() };
        let key = |text: &str, what: &str| {
            partition::parse_explicit_hash_key(text).map_err(|_| {
                coded_error("InvalidShardMap", &format!("{what} must be a decimal hash key in [0, 2^128-1]"))
            })
        };
        let mut shards = Vec::with_capacity(parts.len() / 6);
        for s in parts.chunks(6) {
            let [id, start, end, parent, adjacent, open] = s else {
                return Err(coded_error("InvalidShardMap", "truncated shard list"));
            };
            shards.push(Shard {
                id: (*id).to_owned(),
                starting_hash_key: key(start, "HashKeyRange.StartingHashKey")?,
                ending_hash_key: key(end, "HashKeyRange.EndingHashKey")?,
                parent: (!parent.is_empty()).then(|| (*parent).to_owned()),
                adjacent_parent: (!adjacent.is_empty()).then(|| (*adjacent).to_owned()),
                open: *open == "1",
            });
        }
        ShardMap::new(shards).map(WasmShardMap).map_err(shard_map_error)
    }

    /// Every shard as the same six fields, NUL-separated.
    #[wasm_bindgen(js_name = "packedShards")]
    pub fn packed_shards(&self) -> String {
        let mut out = String::new();
        for s in self.0.shards() {
            for field in [
                s.id.as_str(),
                &partition::format_hash_key(s.starting_hash_key),
                &partition::format_hash_key(s.ending_hash_key),
                s.parent.as_deref().unwrap_or(""),
                s.adjacent_parent.as_deref().unwrap_or(""),
                if s.open { "1" } else { "0" },
            ] {
                out.push_str(field);
                out.push('\0');
            }
        }
        out.pop();
        out
    }

    /// The open shard a record goes to.
    #[wasm_bindgen(js_name = "shardFor")]
    pub fn shard_for(
        &self,
        partition_key: &str,
        explicit_hash_key_text: Option<String>,
    ) -> Result<String, JsValue> {
        let explicit = explicit_hash_key(explicit_hash_key_text)?;
        if explicit.is_none() {
            check_partition_key(partition_key)?;
        }
        Ok(self.0.shard_for(partition_key, explicit).id.clone())
    }

    /// A decimal ExplicitHashKey inside shard `id`, chosen by `pick`
    /// (a decimal number, e.g. random).
    #[wasm_bindgen(js_name = "explicitHashKeyIn")]
    pub fn explicit_hash_key_in(&self, id: &str, pick: &str) -> Result<String, JsValue> {
        let pick = explicit_hash_key(Some(pick.to_owned()))?.unwrap_or(0);
        self.0
            .explicit_hash_key_in(id, pick)
            .map(partition::format_hash_key)
            .ok_or_else(|| coded_error("ResourceNotFoundException", &format!("no shard {id} in this map")))
    }
}

/// Packs outputs as the JS side reads them: the data blobs back to back,
/// then a UTF-8 table `partitionKey\0explicitHashKey\0userRecords\0length`
/// per output (`\0`-joined), then the table's length as 4 bytes (LE).
fn pack_records<'a>(items: impl Iterator<Item = (&'a str, Option<&'a str>, usize, &'a [u8])>) -> Vec<u8> {
    let mut data = Vec::new();
    let mut table = String::new();
    for (key, hash, count, bytes) in items {
        data.extend_from_slice(bytes);
        if !table.is_empty() {
            table.push('\0');
        }
        for field in [key, hash.unwrap_or(""), &count.to_string(), &bytes.len().to_string()] {
            table.push_str(field);
            table.push('\0');
        }
        table.pop();
    }
    data.extend_from_slice(table.as_bytes());
    data.extend_from_slice(&(table.len() as u32).to_le_bytes());
    data
}

/// Reads `pk\0ehk\0…` and record lengths into user records over `data`.
fn user_records<'a>(keys: &'a str, data: &'a [u8], lengths: &[u32]) -> Result<Vec<UserRecord<'a>>, JsValue> {
    let mut fields = keys.split('\0');
    let mut offset = 0usize;
    let mut out = Vec::with_capacity(lengths.len());
    for &len in lengths {
        let (Some(partition_key), Some(hash)) = (fields.next(), fields.next()) else {
            return Err(coded_error("InvalidInput", "records and keys do not line up"));
        };
        let end = offset.checked_add(len as usize).filter(|&e| e <= data.len());
        let Some(end) = end else {
            return Err(coded_error("InvalidInput", "record lengths exceed the data"));
        };
        check_partition_key(partition_key)?;
        let explicit_hash_key = (!hash.is_empty()).then_some(hash);
        if let Some(h) = explicit_hash_key {
            partition::parse_explicit_hash_key(h).map_err(|e| coded_error(e.code(), &e.to_string()))?;
        }
        out.push(UserRecord { partition_key, explicit_hash_key, data: &data[offset..end] });
        offset = end;
    }
    // Exactly two fields a record (`"".split` gives one empty field for no
    // records): anything more means a key held a NUL.
    let extra = fields.next();
    if extra.is_some() && !(lengths.is_empty() && extra == Some("")) {
        return Err(coded_error("ValidationException", "partition keys must not contain NUL characters"));
    }
    Ok(out)
}

fn pack_aggregates(outputs: &[aggregation::OutputRecord]) -> Vec<u8> {
    pack_records(outputs.iter().map(|o| {
        (o.partition_key.as_str(), o.explicit_hash_key.as_deref(), o.user_records, o.data.as_slice())
    }))
}

/// Aggregates records without a shard map: only records with the same
/// hash key (which always land on the same shard) share an aggregate.
#[wasm_bindgen(js_name = "__aggregate")]
pub fn aggregate_records(
    keys: &str,
    data: &[u8],
    lengths: &[u32],
    max_bytes: u32,
) -> Result<Vec<u8>, JsValue> {
    let records = user_records(keys, data, lengths)?;
    Ok(pack_aggregates(&aggregation::aggregate(&records, max_bytes as usize, |h| h)))
}

#[wasm_bindgen(js_class = "__ShardMap")]
impl WasmShardMap {
    /// Aggregates records by the shard this map predicts for each.
    #[wasm_bindgen(js_name = "aggregate")]
    pub fn aggregate_records(
        &self,
        keys: &str,
        data: &[u8],
        lengths: &[u32],
        max_bytes: u32,
    ) -> Result<Vec<u8>, JsValue> {
        let records = user_records(keys, data, lengths)?;
        let map = &self.0;
        Ok(pack_aggregates(&aggregation::aggregate(&records, max_bytes as usize, |h| {
            map.shard_for_hash_key(h).starting_hash_key
        })))
    }
}

/// Deaggregates one Kinesis record without copying its data back: returns
/// nothing when it is not an aggregate (the record stands as it is), else
/// `count` (u32 LE), then per user record its partition key index,
/// explicit hash key index + 1 (0 for none), data offset and data length in
/// `data` (u32 LE each), then the number of partition keys (u32 LE), then
/// the key tables as `\0`-joined UTF-8: partition keys, then explicit hash
/// keys.
#[wasm_bindgen(js_name = "__deaggregate")]
pub fn deaggregate_record(data: &[u8]) -> Vec<u8> {
    let Some(view) = aggregation::view(data) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(8 + view.records.len() * 16 + 64);
    out.extend_from_slice(&(view.records.len() as u32).to_le_bytes());
    let base = data.as_ptr() as usize;
    for r in &view.records {
        // The user record's data is a slice of `data`.
        let offset = (r.data.as_ptr() as usize).wrapping_sub(base);
        for v in [r.partition_key, r.explicit_hash_key.map_or(0, |i| i + 1), offset, r.data.len()] {
            out.extend_from_slice(&(v as u32).to_le_bytes());
        }
    }
    out.extend_from_slice(&(view.partition_keys.len() as u32).to_le_bytes());
    for (i, k) in view.partition_keys.iter().chain(view.explicit_hash_keys.iter()).enumerate() {
        if i > 0 {
            out.push(0);
        }
        out.extend_from_slice(k.as_bytes());
    }
    out
}

/// A PutRecords body for `stream` (a name, or an ARN when `is_arn`), from
/// records packed as for `__aggregate`.
#[wasm_bindgen(js_name = "__encodePutRecords")]
pub fn encode_put_records(
    stream: &str,
    is_arn: bool,
    keys: &str,
    data: &[u8],
    lengths: &[u32],
) -> Result<Vec<u8>, JsValue> {
    let records = user_records(keys, data, lengths)?;
    let stream = if is_arn { protocol::Stream::Arn(stream) } else { protocol::Stream::Name(stream) };
    Ok(protocol::put_records(stream, &records).body)
}

/// A Firehose PutRecordBatch body, from record data and lengths.
#[wasm_bindgen(js_name = "__encodePutRecordBatch")]
pub fn encode_put_record_batch(
    delivery_stream_name: &str,
    data: &[u8],
    lengths: &[u32],
) -> Result<Vec<u8>, JsValue> {
    let mut offset = 0usize;
    let mut records = Vec::with_capacity(lengths.len());
    for &len in lengths {
        let end = offset
            .checked_add(len as usize)
            .filter(|&e| e <= data.len())
            .ok_or_else(|| coded_error("InvalidInput", "record lengths exceed the data"))?;
        records.push(&data[offset..end]);
        offset = end;
    }
    Ok(protocol::firehose_put_record_batch(delivery_stream_name, &records).body)
}
