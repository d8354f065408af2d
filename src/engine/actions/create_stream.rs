//! CreateStream.

use super::super::validation::{check, Kind, Member, STREAM_NAME};
use super::super::{Engine, EngineError};
use crate::json::Value;
use crate::time::Timestamp;

pub(in crate::engine) const MEMBERS: &[Member] = &[
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true },
    // Optional with on-demand streams; the engine treats absent as 4, as AWS's on-demand default.
    Member {
        name: "ShardCount",
        path: "shardCount",
        kind: Kind::Int { min: 1, max: 100_000 },
        required: false,
    },
];

pub(in crate::engine) fn run(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, MEMBERS)?;
    let name = super::text(body, "StreamName")?;
    let count = body.get("ShardCount").and_then(Value::as_u64).unwrap_or(4);
    engine.create_stream(name, u32::try_from(count).unwrap_or(u32::MAX), now)?;
    Ok(Vec::new())
}
