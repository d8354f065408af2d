//! PutRecord.

use super::super::validation::{blob, check, is_decimal, Kind, Member, STREAM_NAME};
use super::super::{Engine, EngineError};
use super::Writer;
use crate::aggregation::UserRecord;
use crate::json::Value;
use crate::limits::MAX_RECORD_BYTES_CEILING;
use crate::time::Timestamp;

pub(in crate::engine) const MEMBERS: &[Member] = &[
    Member { name: "Data", path: "data", kind: Kind::Blob { max: MAX_RECORD_BYTES_CEILING }, required: true },
    Member {
        name: "PartitionKey",
        path: "partitionKey",
        kind: Kind::Str { min: 1, max: 256, pattern: None },
        required: true,
    },
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true },
    // A sequence number (API reference, PutRecord: `0|([1-9]\d{0,128})`,
    // as kinesalite checks it, validations/putRecord.js). Sequence numbers
    // here only grow, per shard, so the guarantee it asks for holds.
    Member {
        name: "SequenceNumberForOrdering",
        path: "sequenceNumberForOrdering",
        kind: Kind::Str {
            min: 0,
            max: usize::MAX,
            pattern: Some(("0|([1-9]\\d{0,128})", |s| is_decimal(s) && s.len() <= 129)),
        },
        required: false,
    },
];

pub(in crate::engine) fn run(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, MEMBERS)?;
    let stream = super::text(body, "StreamName")?;
    let data = blob(super::text(body, "Data")?)?;
    let record = UserRecord {
        partition_key: super::text(body, "PartitionKey")?,
        explicit_hash_key: body.get("ExplicitHashKey").and_then(Value::as_str),
        data: &data,
    };
    let (seq, shard) = engine.put_record(stream, &record, now)?;
    let mut w = Writer::new();
    w.string("ShardId", &shard);
    w.string("SequenceNumber", &seq);
    w.string("EncryptionType", if engine.encryption_key(stream).is_some() { "KMS" } else { "NONE" });
    Ok(w.finish())
}
