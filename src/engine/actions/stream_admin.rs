//! DeleteStream, DescribeStream, Increase/DecreaseStreamRetentionPeriod.

use super::super::validation::{check, Kind, Member, SHARD_ID, STREAM_NAME};
use super::super::{Engine, EngineError};
use super::Writer;
use crate::json::Value;
use crate::limits::MAX_RETENTION_HOURS;

pub(in crate::engine) const DELETE_MEMBERS: &[Member] = &[
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true },
    Member {
        name: "EnforceConsumerDeletion",
        path: "enforceConsumerDeletion",
        kind: Kind::Bool,
        required: false,
    },
];

pub(in crate::engine) const DESCRIBE_MEMBERS: &[Member] = &[
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true },
    Member { name: "Limit", path: "limit", kind: Kind::Int { min: 1, max: 10_000 }, required: false },
    Member { name: "ExclusiveStartShardId", path: "exclusiveStartShardId", kind: SHARD_ID, required: false },
];

pub(in crate::engine) const RETENTION_MEMBERS: &[Member] = &[
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true },
    Member {
        name: "RetentionPeriodHours",
        path: "retentionPeriodHours",
        kind: Kind::Int { min: 1, max: MAX_RETENTION_HOURS as i64 },
        required: true,
    },
];

pub(in crate::engine) fn delete(
    engine: &mut Engine,
    body: &Value<'_>,
    now: crate::time::Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, DELETE_MEMBERS)?;
    let enforce = matches!(body.get("EnforceConsumerDeletion"), Some(Value::Bool(true)));
    engine.delete_stream(super::text(body, "StreamName")?, enforce, now)?;
    Ok(Vec::new())
}

pub(in crate::engine) fn retention(
    engine: &mut Engine,
    body: &Value<'_>,
    increase: bool,
    now: crate::time::Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, RETENTION_MEMBERS)?;
    let hours = body.get("RetentionPeriodHours").and_then(Value::as_u64).unwrap_or(0);
    engine.change_retention(
        super::text(body, "StreamName")?,
        u32::try_from(hours).unwrap_or(u32::MAX),
        increase,
        now,
    )?;
    Ok(Vec::new())
}

pub(in crate::engine) fn describe(
    engine: &mut Engine,
    body: &Value<'_>,
    now: crate::time::Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, DESCRIBE_MEMBERS)?;
    let name = super::text(body, "StreamName")?;
    let limit = body.get("Limit").and_then(Value::as_u64).unwrap_or(100) as usize;
    let after = body.get("ExclusiveStartShardId").and_then(Value::as_str);
    let shards = engine.shards(name)?;
    let rest: Vec<_> = shards.iter().filter(|s| after.is_none_or(|a| s.shard_id.as_str() > a)).collect();
    let mut d = Writer::new();
    d.string("StreamName", name);
    d.string("StreamARN", &engine.stream_arn(name));
    d.string("StreamStatus", engine.status(name, now).unwrap_or("ACTIVE"));
    super::stream_settings::write_stream_mode(&mut d, engine.stream_mode(name).unwrap_or("PROVISIONED"));
    super::write_list(d.key("Shards"), rest.iter().take(limit), |out, shard| {
        out.extend_from_slice(&super::shard_json(shard));
    });
    d.key("HasMoreShards").extend_from_slice(if rest.len() > limit { b"true" } else { b"false" });
    d.number("RetentionPeriodHours", engine.retention_hours(name).unwrap_or(24));
    d.number("StreamCreationTimestamp", engine.created(name).map_or(0, |t| t.as_secs()));
    super::stream_settings::write_enhanced_monitoring(&mut d, &engine.shard_level_metrics(name)?);
    super::stream_settings::write_encryption(&mut d, engine.encryption_key(name));
    let mut w = Writer::new();
    w.key("StreamDescription").extend_from_slice(&d.finish());
    Ok(w.finish())
}
