//! PutRecords: HTTP 200 with a per-record outcome, even when some failed.

use super::super::validation::{blob_into, check, problems_to_error, Kind, Member, STREAM_NAME};
use super::super::{Engine, EngineError, PutOutcome};
use super::Writer;
use crate::aggregation::UserRecord;
use crate::json::{write_string, Value};
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
    // Decode every entry first: shape errors fail the whole request.
    // Every record's data is decoded into one buffer (one allocation, not
    // one per record); each entry keeps its range.
    let mut decoded: Vec<(&str, Option<&str>, core::ops::Range<usize>)> = Vec::with_capacity(entries.len());
    let mut all_data = Vec::new();
    let mut problems = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let serialization = || EngineError {
            code: "SerializationException",
            message: format!("Unexpected value at records.{}", i + 1),
        };
        if !matches!(e, Value::Object(_)) {
            return Err(serialization());
        }
        let start = all_data.len();
        match e.get("Data") {
            Some(Value::String(s)) => blob_into(s, &mut all_data)?,
            Some(Value::Null) | None => {
                problems.push(format!("Value null at 'records.{}.member.data' failed to satisfy constraint: Member must not be null", i + 1));
            }
            Some(_) => return Err(serialization()),
        }
        let data = start..all_data.len();
        if data.len() > MAX_RECORD_BYTES_CEILING {
            problems.push(format!(
                "Value at 'records.{}.member.data' failed to satisfy constraint: Member must have length less than or equal to {}",
                i + 1,
                engine.config.record_limits.max_record_bytes()
            ));
        }
        let key = match e.get("PartitionKey") {
            Some(Value::String(s)) => s.as_ref(),
            Some(Value::Null) | None => {
                problems.push(format!("Value null at 'records.{}.member.partitionKey' failed to satisfy constraint: Member must not be null", i + 1));
                ""
            }
            Some(_) => return Err(serialization()),
        };
        let hash = match e.get("ExplicitHashKey") {
            Some(Value::String(s)) => Some(s.as_ref()),
            Some(Value::Null) | None => None,
            Some(_) => return Err(serialization()),
        };
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
    write_string(w.key("EncryptionType"), "NONE");
    Ok(w.finish())
}
