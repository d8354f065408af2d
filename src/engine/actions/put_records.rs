//! PutRecords: HTTP 200 with a per-record outcome, even when some failed.

use super::super::validation::{blob_into, check, problems_to_error, Kind, Member, STREAM_NAME};
use super::super::{Engine, EngineError, PutOutcome};
use super::Writer;
use crate::aggregation::UserRecord;
use crate::json::{write_string, Plain, Value};
use crate::limits::{MAX_RECORD_BYTES_CEILING, PUT_RECORDS_MAX_RECORDS};
use crate::time::Timestamp;

pub(in crate::engine) const MEMBERS: &[Member] = &[
    Member {
        name: "Records",
        path: "records",
        kind: Kind::List { min: 1, max: PUT_RECORDS_MAX_RECORDS },
        required: true,
    },
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true },
];

pub(in crate::engine) fn run(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, MEMBERS)?;
    let stream = super::text(body, "StreamName")?;
    let entries = body.get("Records").and_then(Value::as_array).unwrap_or(&[]);
    let mut fields = Vec::with_capacity(entries.len());
    for e in entries {
        // A string, none for null or absent, or another type (`Err`).
        let text = |name| match e.get(name) {
            Some(Value::String(s)) => Ok(Some(s.as_ref())),
            Some(Value::Null) | None => Ok(None),
            Some(_) => Err(()),
        };
        fields.push(matches!(e, Value::Object(_)).then(|| Fields {
            data: text("Data"),
            key: text("PartitionKey"),
            hash: text("ExplicitHashKey"),
        }));
    }
    store(engine, stream, &fields, now)
}

/// One entry of `Records` as read (`None` when it is not an object): each
/// member's string, none when it is null or absent, or `Err` for another
/// JSON type. [`store`] turns them into errors in AWS's order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::engine) struct Fields<'a> {
    data: Result<Option<&'a str>, ()>,
    key: Result<Option<&'a str>, ()>,
    hash: Result<Option<&'a str>, ()>,
}

/// A PutRecords body as producers and the SDKs send it, read without
/// building a JSON tree: an object with `StreamName` and `Records`, each
/// record an object with `Data`, `PartitionKey` and optionally
/// `ExplicitHashKey`, every value a string with nothing escaped, each
/// member once. Building and dropping that tree was about a fifth of
/// storing a record in the engine.
#[derive(Debug, PartialEq)]
pub(in crate::engine) struct Scanned<'a> {
    pub(in crate::engine) stream: &'a str,
    records: Vec<Option<Fields<'a>>>,
}

/// `body` read as [`Scanned`], or `None` for anything else — other
/// members, types or escapes, a repeated member, a missing `Data` or
/// `PartitionKey`, no records or more than 500, a stream name that is not
/// one — which [`run`] answers (with the same outcome, or the error AWS
/// gives).
pub(in crate::engine) fn scan(body: &[u8]) -> Option<Scanned<'_>> {
    let mut c = Plain::new(body)?;
    let (mut stream, mut records) = (None, None);
    c.eat(b'{')?;
    loop {
        let name = c.string()?;
        c.eat(b':')?;
        match name {
            "StreamName" if stream.is_none() => stream = Some(c.string()?),
            "Records" if records.is_none() => records = Some(scan_records(&mut c)?),
            _ => return None,
        }
        if c.eat(b',').is_none() {
            c.eat(b'}')?;
            break;
        }
    }
    let (stream, records) = (stream?, records?);
    let Kind::Str { min, max, pattern: Some((_, ok)) } = STREAM_NAME else { return None };
    // The name is ASCII when it matches: its length in bytes is in characters.
    let valid = ok(stream) && (min..=max).contains(&stream.len());
    (c.at_end() && valid && (1..=PUT_RECORDS_MAX_RECORDS).contains(&records.len()))
        .then_some(Scanned { stream, records })
}

fn scan_records<'a>(c: &mut Plain<'a>) -> Option<Vec<Option<Fields<'a>>>> {
    let mut records = Vec::new();
    c.eat(b'[')?;
    if c.eat(b']').is_some() {
        return Some(records);
    }
    loop {
        let (mut data, mut key, mut hash) = (None, None, None);
        c.eat(b'{')?;
        loop {
            let name = c.string()?;
            c.eat(b':')?;
            let slot = match name {
                "Data" => &mut data,
                "PartitionKey" => &mut key,
                "ExplicitHashKey" => &mut hash,
                _ => return None,
            };
            if slot.replace(c.string()?).is_some() {
                return None;
            }
            if c.eat(b',').is_none() {
                c.eat(b'}')?;
                break;
            }
        }
        data?;
        key?;
        records.push(Some(Fields { data: Ok(data), key: Ok(key), hash: Ok(hash) }));
        if c.eat(b',').is_none() {
            c.eat(b']')?;
            return Some(records);
        }
    }
}

/// PutRecords from a body [`scan`] read.
pub(in crate::engine) fn run_scanned(
    engine: &mut Engine,
    body: &Scanned<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    store(engine, body.stream, &body.records, now)
}

/// Decodes every entry first (shape errors fail the whole request), then
/// stores the records and writes the answer. Every record's data is
/// decoded into one buffer (one allocation, not one per record); each
/// entry keeps its range.
fn store(
    engine: &mut Engine,
    stream: &str,
    entries: &[Option<Fields<'_>>],
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    let mut decoded: Vec<(&str, Option<&str>, core::ops::Range<usize>)> = Vec::with_capacity(entries.len());
    // At most three bytes for four characters (the strings are in the
    // body, so this is bounded by its length).
    let decoded_size = entries.iter().filter_map(|e| e.as_ref()?.data.ok()?).map(|d| d.len() / 4 * 3).sum();
    let mut all_data = Vec::with_capacity(decoded_size);
    let mut problems = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let serialization = || EngineError {
            code: "SerializationException",
            message: format!("Unexpected value at records.{}", i + 1),
        };
        let Some(e) = e else { return Err(serialization()) };
        let start = all_data.len();
        match e.data {
            Ok(Some(s)) => blob_into(s, &mut all_data)?,
            Ok(None) => {
                problems.push(format!("Value null at 'records.{}.member.data' failed to satisfy constraint: Member must not be null", i + 1));
            }
            Err(()) => return Err(serialization()),
        }
        let data = start..all_data.len();
        if data.len() > MAX_RECORD_BYTES_CEILING {
            problems.push(format!(
                "Value at 'records.{}.member.data' failed to satisfy constraint: Member must have length less than or equal to {}",
                i + 1,
                engine.config.record_limits.max_record_bytes()
            ));
        }
        let key = match e.key {
            Ok(Some(s)) => s,
            Ok(None) => {
                problems.push(format!("Value null at 'records.{}.member.partitionKey' failed to satisfy constraint: Member must not be null", i + 1));
                ""
            }
            Err(()) => return Err(serialization()),
        };
        let hash = e.hash.map_err(|()| serialization())?;
        decoded.push((key, hash, data));
    }
    problems_to_error(problems)?;
    let records: Vec<UserRecord<'_>> = decoded
        .iter()
        .map(|(k, h, d)| UserRecord {
            partition_key: k,
            explicit_hash_key: *h,
            data: all_data.get(d.clone()).unwrap_or_default(),
        })
        .collect();
    let outcomes = engine.put_records(stream, &records, now)?;
    let failed = outcomes.iter().filter(|o| matches!(o, PutOutcome::Failed { .. })).count();
    let mut w = Writer::new();
    w.number("FailedRecordCount", failed);
    let out = w.key("Records");
    out.reserve(outcomes.len() * 112);
    out.push(b'[');
    for (i, o) in outcomes.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match o {
            PutOutcome::Stored(at) => {
                // Digits and `shardId-`: nothing to escape.
                out.extend_from_slice(b"{\"SequenceNumber\":\"");
                at.write_sequence_number(out);
                out.extend_from_slice(b"\",\"ShardId\":\"");
                at.write_shard_id(out);
                out.push(b'"');
            }
            PutOutcome::Failed { code, message } => {
                out.extend_from_slice(b"{\"ErrorCode\":");
                write_string(out, code);
                out.extend_from_slice(b",\"ErrorMessage\":");
                write_string(out, message);
            }
        }
        out.push(b'}');
    }
    out.push(b']');
    // KMS once StartStreamEncryption turned it on (API reference,
    // PutRecords: EncryptionType "NONE | KMS").
    write_string(
        w.key("EncryptionType"),
        if engine.encryption_key(stream).is_some() { "KMS" } else { "NONE" },
    );
    Ok(w.finish())
}
