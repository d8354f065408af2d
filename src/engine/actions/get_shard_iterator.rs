//! GetShardIterator.

use super::super::validation::{check, is_decimal, Kind, Member, SHARD_ID, STREAM_NAME};
use super::super::{Engine, EngineError, IteratorType};
use super::Writer;
use crate::json::Value;
use crate::time::Timestamp;

pub(in crate::engine) const MEMBERS: &[Member] = &[
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true },
    Member { name: "ShardId", path: "shardId", kind: SHARD_ID, required: true },
    Member {
        name: "ShardIteratorType",
        path: "shardIteratorType",
        // In the order AWS's message lists them (Java's set order, as
        // kinesalite recorded it).
        kind: Kind::Enum(&[
            "AFTER_SEQUENCE_NUMBER",
            "LATEST",
            "AT_TIMESTAMP",
            "AT_SEQUENCE_NUMBER",
            "TRIM_HORIZON",
        ]),
        required: true,
    },
    Member {
        name: "StartingSequenceNumber",
        path: "startingSequenceNumber",
        kind: Kind::Str { min: 1, max: 129, pattern: Some(("0|([1-9]\\d{0,128})", is_decimal)) },
        required: false,
    },
    Member { name: "Timestamp", path: "timestamp", kind: Kind::Timestamp, required: false },
];

pub(in crate::engine) fn run(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, MEMBERS)?;
    let kind = iterator_kind(
        super::text(body, "ShardIteratorType")?,
        body.get("StartingSequenceNumber").and_then(Value::as_str),
        body.get("Timestamp").and_then(Value::as_f64),
        now,
    )?;
    let it = engine.get_shard_iterator(
        super::text(body, "StreamName")?,
        super::text(body, "ShardId")?,
        kind,
        now,
    )?;
    let mut w = Writer::new();
    w.string("ShardIterator", &it);
    Ok(w.finish())
}

/// An iterator type (validated) with its sequence number or timestamp (in
/// seconds), as GetShardIterator and SubscribeToShard's StartingPosition
/// give them.
pub(in crate::engine) fn iterator_kind<'a>(
    kind: &str,
    seq: Option<&'a str>,
    timestamp: Option<f64>,
    now: Timestamp,
) -> Result<IteratorType<'a>, EngineError> {
    let invalid = |m: &str| EngineError { code: "InvalidArgumentException", message: m.to_owned() };
    Ok(match kind {
        "TRIM_HORIZON" => IteratorType::TrimHorizon,
        "LATEST" => IteratorType::Latest,
        "AT_SEQUENCE_NUMBER" => IteratorType::AtSequenceNumber(
            seq.ok_or_else(|| invalid("Must specify StartingSequenceNumber for AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER ShardIteratorType."))?,
        ),
        "AFTER_SEQUENCE_NUMBER" => IteratorType::AfterSequenceNumber(
            seq.ok_or_else(|| invalid("Must specify StartingSequenceNumber for AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER ShardIteratorType."))?,
        ),
        _ => {
            let secs = timestamp
                .ok_or_else(|| invalid("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP."))?;
            let at = Timestamp::from_millis_f64(secs * 1000.0)
                .ok_or_else(|| invalid("The timestampInMillis parameter is out of range."))?;
            if at > now {
                return Err(EngineError {
                    code: "InvalidArgumentException",
                    message: format!(
                        "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: {}, currentTimestampInMillis: {}",
                        at.as_millis(),
                        now.as_millis()
                    ),
                });
            }
            IteratorType::AtTimestamp(at)
        }
    })
}
