//! DescribeLimits, Enable/DisableEnhancedMonitoring and
//! Start/StopStreamEncryption (see `settings.rs`).

use super::super::settings::{metrics_of, SHARD_LEVEL_METRICS};
use super::super::validation::{check, Kind, Member, STREAM_ARN, STREAM_NAME};
use super::super::{Engine, EngineError};
use super::Writer;
use crate::json::{write_string, Value};
use crate::time::Timestamp;

pub(in crate::engine) const MONITORING_MEMBERS: &[Member] = &[
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true },
    Member {
        name: "ShardLevelMetrics",
        path: "shardLevelMetrics",
        kind: Kind::List { min: 1, max: 7 },
        required: true,
    },
];

pub(in crate::engine) const ENCRYPTION_MEMBERS: &[Member] = &[
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true },
    Member {
        name: "EncryptionType",
        path: "encryptionType",
        kind: Kind::Enum(&["NONE", "KMS"]),
        required: true,
    },
    Member {
        name: "KeyId",
        path: "keyId",
        kind: Kind::Str { min: 1, max: 2048, pattern: None },
        required: true,
    },
];

/// `StreamModeDetails`, in CreateStream and UpdateStreamMode.
pub(in crate::engine) const MODE_MEMBERS: &[Member] = &[Member {
    name: "StreamMode",
    path: "streamModeDetails.streamMode",
    kind: Kind::Enum(&["PROVISIONED", "ON_DEMAND"]),
    required: true,
}];

pub(in crate::engine) const UPDATE_MODE_MEMBERS: &[Member] = &[
    Member { name: "StreamARN", path: "streamARN", kind: STREAM_ARN, required: true },
    Member {
        name: "StreamModeDetails",
        path: "streamModeDetails",
        kind: Kind::Map { min: 0, max: 1 },
        required: true,
    },
];

/// Whether a request's `StreamModeDetails` (checked) asks for on-demand;
/// `None` when it has none.
pub(in crate::engine) fn on_demand_of(body: &Value<'_>) -> Result<Option<bool>, EngineError> {
    let Some(details) = body.get("StreamModeDetails").filter(|d| !matches!(d, Value::Null)) else {
        return Ok(None);
    };
    check(details, MODE_MEMBERS)?;
    Ok(Some(super::text(details, "StreamMode")? == "ON_DEMAND"))
}

/// `"StreamModeDetails":{"StreamMode":…}` of DescribeStream and
/// DescribeStreamSummary.
pub(in crate::engine) fn write_stream_mode(w: &mut Writer, mode: &str) {
    let out = w.key("StreamModeDetails");
    out.extend_from_slice(b"{\"StreamMode\":");
    write_string(out, mode);
    out.push(b'}');
}

/// UpdateStreamMode: the stream (by ARN only, as the reference has it)
/// switches capacity mode.
pub(in crate::engine) fn update_mode(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, UPDATE_MODE_MEMBERS)?;
    let name = engine.stream_named_by_arn(super::text(body, "StreamARN")?)?;
    let on_demand = on_demand_of(body)?.unwrap_or(false);
    engine.set_stream_mode(&name, on_demand, now)?;
    Ok(Vec::new())
}

pub(in crate::engine) fn describe_limits(engine: &mut Engine) -> Result<Vec<u8>, EngineError> {
    let l = engine.describe_limits();
    let mut w = Writer::new();
    w.number("ShardLimit", l.shard_limit);
    w.number("OpenShardCount", l.open_shard_count);
    w.number("OnDemandStreamCount", l.on_demand_stream_count);
    w.number("OnDemandStreamCountLimit", l.on_demand_stream_count_limit);
    Ok(w.finish())
}

fn write_metrics(out: &mut Vec<u8>, metrics: &[&str]) {
    super::write_strings(out, metrics.iter().copied());
}

/// `"EnhancedMonitoring":[{"ShardLevelMetrics":[…]}]` of DescribeStream
/// and DescribeStreamSummary.
pub(in crate::engine) fn write_enhanced_monitoring(w: &mut Writer, metrics: &[&str]) {
    let out = w.key("EnhancedMonitoring");
    out.extend_from_slice(b"[{\"ShardLevelMetrics\":");
    write_metrics(out, metrics);
    out.extend_from_slice(b"}]");
}

/// `EncryptionType`, and `KeyId` when it is KMS.
pub(in crate::engine) fn write_encryption(w: &mut Writer, key: Option<&str>) {
    w.string("EncryptionType", if key.is_some() { "KMS" } else { "NONE" });
    if let Some(key) = key {
        w.string("KeyId", key);
    }
}

/// EnableEnhancedMonitoring (`enable`) or DisableEnhancedMonitoring.
pub(in crate::engine) fn monitoring(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
    enable: bool,
) -> Result<Vec<u8>, EngineError> {
    check(body, MONITORING_MEMBERS)?;
    let items = match body.get("ShardLevelMetrics") {
        Some(Value::Array(items)) => items,
        _ => {
            return Err(EngineError {
                code: "SerializationException",
                message: "ShardLevelMetrics is missing".into(),
            })
        }
    };
    let mut names = Vec::with_capacity(items.len());
    for item in items {
        names.push(item.as_str().ok_or_else(|| EngineError {
            code: "SerializationException",
            message: "Unexpected value type in payload".into(),
        })?);
    }
    let Some(metrics) = metrics_of(names.iter().copied()) else {
        // A constraint on the list's members, as AWS words those.
        return Err(EngineError {
            code: "ValidationException",
            message: format!(
                "1 validation error detected: Value '[{}]' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [{}, ALL]]",
                names.join(", "),
                SHARD_LEVEL_METRICS.join(", ")
            ),
        });
    };
    let name = super::text(body, "StreamName")?;
    let (current, desired) = engine.set_enhanced_monitoring(name, &metrics, enable, now)?;
    let mut w = Writer::new();
    w.string("StreamName", name);
    w.string("StreamARN", &engine.stream_arn(name));
    write_metrics(w.key("CurrentShardLevelMetrics"), &current);
    write_metrics(w.key("DesiredShardLevelMetrics"), &desired);
    Ok(w.finish())
}

/// StartStreamEncryption (`start`) or StopStreamEncryption: KMS is the
/// only type either takes.
pub(in crate::engine) fn encryption(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
    start: bool,
) -> Result<Vec<u8>, EngineError> {
    check(body, ENCRYPTION_MEMBERS)?;
    if super::text(body, "EncryptionType")? != "KMS" {
        // kinesis-mock's message (the reference gives none).
        return Err(EngineError {
            code: "InvalidArgumentException",
            message: "KMS is the only valid EncryptionType for this request".into(),
        });
    }
    let name = super::text(body, "StreamName")?;
    let key = super::text(body, "KeyId")?;
    engine.set_encryption(name, start.then_some(key), now)?;
    Ok(Vec::new())
}
