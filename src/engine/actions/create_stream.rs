//! CreateStream.

use super::super::validation::{check, Kind, Member, MAX_RECORD_SIZE_KIB, STREAM_NAME};
use super::super::{Engine, EngineError};
use crate::json::Value;
use crate::time::Timestamp;

pub(in crate::engine) const MEMBERS: &[Member] = &[
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true },
    // Optional with on-demand streams; absent means `EngineConfig::default_shard_count` (4, AWS's on-demand start).
    Member {
        name: "ShardCount",
        path: "shardCount",
        kind: Kind::Int { min: 1, max: 100_000 },
        required: false,
    },
    Member { name: "Tags", path: "tags", kind: Kind::Map { min: 0, max: 50 }, required: false },
    Member {
        name: "MaxRecordSizeInKiB",
        path: "maxRecordSizeInKiB",
        kind: MAX_RECORD_SIZE_KIB,
        required: false,
    },
    Member {
        name: "StreamModeDetails",
        path: "streamModeDetails",
        kind: Kind::Map { min: 0, max: 1 },
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
    let count = body
        .get("ShardCount")
        .and_then(Value::as_u64)
        .unwrap_or(u64::from(engine.config.default_shard_count));
    let tags = super::tags::tag_map(body)?;
    // On-demand when asked, or when no ShardCount is given (AWS then
    // creates an on-demand stream, with 4 shards).
    let on_demand = super::stream_settings::on_demand_of(body)?.unwrap_or(body.get("ShardCount").is_none());
    engine.create_stream(name, u32::try_from(count).unwrap_or(u32::MAX), now)?;
    let kib = body.get("MaxRecordSizeInKiB").and_then(Value::as_u64);
    let sized = kib.map_or(Ok(()), |k| engine.set_max_record_kib(name, u32::try_from(k).unwrap_or(u32::MAX)));
    let moded = sized.and_then(|()| if on_demand { engine.put_stream_mode(name, true) } else { Ok(()) });
    if let Err(e) = moded.and_then(|()| engine.add_tags(name, &tags)) {
        // A stream is created with its tags and record limit or not at all.
        engine.remove_stream(name);
        return Err(e);
    }
    Ok(Vec::new())
}
