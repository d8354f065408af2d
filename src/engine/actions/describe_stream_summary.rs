//! DescribeStreamSummary.

use super::super::validation::{check, Member, STREAM_NAME};
use super::super::{Engine, EngineError};
use super::Writer;
use crate::json::Value;
use crate::time::Timestamp;

pub(in crate::engine) const MEMBERS: &[Member] =
    &[Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true }];

pub(in crate::engine) fn run(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, MEMBERS)?;
    let name = super::text(body, "StreamName")?;
    let shards = engine.shards(name)?;
    let created = engine.created(name).map_or(0, |t| t.as_secs());
    let arn = engine.stream_arn(name);
    let mut inner = Writer::new();
    inner.string("StreamName", name);
    inner.string("StreamARN", &arn);
    inner.string("StreamStatus", engine.status(name, now).unwrap_or("ACTIVE"));
    super::stream_settings::write_stream_mode(&mut inner, engine.stream_mode(name).unwrap_or("PROVISIONED"));
    inner.number("RetentionPeriodHours", engine.retention_hours(name).unwrap_or(24));
    inner.number("StreamCreationTimestamp", created);
    super::stream_settings::write_enhanced_monitoring(&mut inner, &engine.shard_level_metrics(name)?);
    super::stream_settings::write_encryption(&mut inner, engine.encryption_key(name));
    inner.number("OpenShardCount", shards.iter().filter(|s| s.ending_sequence_number.is_none()).count());
    inner.number("ConsumerCount", engine.consumer_count(name, now));
    inner.number("MaxRecordSizeInKiB", engine.max_record_bytes(name).unwrap_or(0) / 1024);
    let mut w = Writer::new();
    w.key("StreamDescriptionSummary").extend_from_slice(&inner.finish());
    Ok(w.finish())
}
