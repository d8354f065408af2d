//! GetRecords.

use super::super::validation::{check, Kind, Member};
use super::super::{Engine, EngineError};
use super::Writer;
use crate::json::Value;
use crate::time::Timestamp;

pub(in crate::engine) const MEMBERS: &[Member] = &[
    Member {
        name: "ShardIterator",
        path: "shardIterator",
        kind: Kind::Str { min: 1, max: 512, pattern: None },
        required: true,
    },
    Member { name: "Limit", path: "limit", kind: Kind::Int { min: 1, max: 10_000 }, required: false },
];

pub(in crate::engine) fn run(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    use base64::Engine as _;
    check(body, MEMBERS)?;
    let limit = body.get("Limit").and_then(Value::as_u64).map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    let page = engine.get_records(super::text(body, "ShardIterator")?, limit, now)?;
    let mut w = Writer::new();
    let out = w.key("Records");
    out.push(b'[');
    for (i, r) in page.records.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let mut rec = Writer::new();
        rec.string("SequenceNumber", &r.sequence_number);
        // Epoch seconds with milliseconds, as AWS sends it.
        rec.number("ApproximateArrivalTimestamp", r.arrival.as_millis() as f64 / 1000.0);
        rec.string("Data", &base64::engine::general_purpose::STANDARD.encode(&r.data));
        rec.string("PartitionKey", &r.partition_key);
        out.extend_from_slice(&rec.finish());
    }
    out.push(b']');
    if let Some(next) = &page.next_shard_iterator {
        w.string("NextShardIterator", next);
    }
    w.number("MillisBehindLatest", page.millis_behind_latest);
    if page.next_shard_iterator.is_none() {
        let out = w.key("ChildShards");
        out.push(b'[');
        for (i, child) in page.child_shards.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // ChildShard: ShardId, ParentShards, HashKeyRange.
            let mut c = Writer::new();
            c.string("ShardId", &child.shard_id);
            let parents = c.key("ParentShards");
            parents.push(b'[');
            for (j, p) in
                child.parent_shard_id.iter().chain(child.adjacent_parent_shard_id.iter()).enumerate()
            {
                if j > 0 {
                    parents.push(b',');
                }
                crate::json::write_string(parents, p);
            }
            parents.push(b']');
            c.key("HashKeyRange").extend_from_slice(&super::hash_key_range_json(child));
            out.extend_from_slice(&c.finish());
        }
        out.push(b']');
    }
    Ok(w.finish())
}
