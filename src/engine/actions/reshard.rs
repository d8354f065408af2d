//! SplitShard and MergeShards.

use super::super::validation::{check, is_decimal, Kind, Member, SHARD_ID, STREAM_NAME};
use super::super::{Engine, EngineError};
use crate::json::Value;
use crate::partition::parse_explicit_hash_key;
use crate::time::Timestamp;

const HASH_KEY: Kind = Kind::Str { min: 1, max: 39, pattern: Some(("0|([1-9]\\d{0,38})", is_decimal)) };

pub(in crate::engine) const SPLIT_MEMBERS: &[Member] = &[
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true },
    Member { name: "ShardToSplit", path: "shardToSplit", kind: SHARD_ID, required: true },
    Member { name: "NewStartingHashKey", path: "newStartingHashKey", kind: HASH_KEY, required: true },
];

pub(in crate::engine) const MERGE_MEMBERS: &[Member] = &[
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true },
    Member { name: "ShardToMerge", path: "shardToMerge", kind: SHARD_ID, required: true },
    Member { name: "AdjacentShardToMerge", path: "adjacentShardToMerge", kind: SHARD_ID, required: true },
];

pub(in crate::engine) fn split(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, SPLIT_MEMBERS)?;
    let key = parse_explicit_hash_key(super::text(body, "NewStartingHashKey")?).map_err(|_| EngineError {
        code: "InvalidArgumentException",
        message: "NewStartingHashKey must be in the range: [0, 2^128-1].".to_owned(),
    })?;
    engine.split_shard(super::text(body, "StreamName")?, super::text(body, "ShardToSplit")?, key, now)?;
    Ok(Vec::new())
}

pub(in crate::engine) fn merge(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, MERGE_MEMBERS)?;
    engine.merge_shards(
        super::text(body, "StreamName")?,
        super::text(body, "ShardToMerge")?,
        super::text(body, "AdjacentShardToMerge")?,
        now,
    )?;
    Ok(Vec::new())
}
