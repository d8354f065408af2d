//! UpdateShardCount.

use super::super::validation::{check, Kind, Member, STREAM_NAME};
use super::super::{Engine, EngineError};
use super::Writer;
use crate::json::Value;
use crate::time::Timestamp;

pub(in crate::engine) const MEMBERS: &[Member] = &[
    Member {
        name: "ScalingType",
        path: "scalingType",
        kind: Kind::Enum(&["UNIFORM_SCALING"]),
        required: true,
    },
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true },
    Member {
        name: "TargetShardCount",
        path: "targetShardCount",
        kind: Kind::Int { min: 1, max: 100_000 },
        required: true,
    },
];

pub(in crate::engine) fn run(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, MEMBERS)?;
    let name = super::text(body, "StreamName")?;
    let target = body.get("TargetShardCount").and_then(Value::as_u64).unwrap_or(0);
    let outcome = engine.update_shard_count(name, u32::try_from(target).unwrap_or(u32::MAX), now)?;
    let mut w = Writer::new();
    w.string("StreamName", name);
    w.number("CurrentShardCount", outcome.current);
    w.number("TargetShardCount", outcome.target);
    w.string("StreamARN", &engine.stream_arn(name));
    Ok(w.finish())
}
