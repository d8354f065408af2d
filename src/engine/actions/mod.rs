//! One module per action: its members (validation as data) and its code.
//! Each answers a JSON 1.1 body or an [`EngineError`].

pub(super) mod consumers;
pub(super) mod create_stream;
pub(super) mod describe_stream_summary;
pub(super) mod get_records;
pub(super) mod get_shard_iterator;
pub(super) mod list_shards;
pub(super) mod list_streams;
pub(super) mod put_record;
pub(super) mod put_records;
pub(super) mod reshard;
pub(super) mod stream_admin;
pub(super) mod stream_settings;
pub(super) mod tags;
pub(super) mod update_max_record_size;
pub(super) mod update_shard_count;

use crate::json::{write_string, Value};
use crate::time::Timestamp;

use super::{Engine, EngineError};

/// The Kinesis actions the engine answers.
pub(super) const KINESIS: &[&str] = &[
    "AddTagsToStream",
    "CreateStream",
    "DecreaseStreamRetentionPeriod",
    "DeleteStream",
    "DeregisterStreamConsumer",
    "DescribeLimits",
    "DescribeStream",
    "DescribeStreamConsumer",
    "DescribeStreamSummary",
    "DisableEnhancedMonitoring",
    "EnableEnhancedMonitoring",
    "GetRecords",
    "GetShardIterator",
    "IncreaseStreamRetentionPeriod",
    "ListShards",
    "ListStreamConsumers",
    "ListStreams",
    "ListTagsForResource",
    "ListTagsForStream",
    "MergeShards",
    "PutRecord",
    "PutRecords",
    "RegisterStreamConsumer",
    "RemoveTagsFromStream",
    "SplitShard",
    "StartStreamEncryption",
    "StopStreamEncryption",
    "SubscribeToShard",
    "TagResource",
    "UntagResource",
    "UpdateMaxRecordSize",
    "UpdateShardCount",
    "UpdateStreamMode",
];

/// Runs one Kinesis action (one of [`KINESIS`]).
pub(super) fn run(
    engine: &mut Engine,
    action: &str,
    v: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    match action {
        "AddTagsToStream" => tags::add(engine, v),
        "CreateStream" => create_stream::run(engine, v, now),
        "DecreaseStreamRetentionPeriod" => stream_admin::retention(engine, v, false, now),
        "DeleteStream" => stream_admin::delete(engine, v, now),
        "DeregisterStreamConsumer" => consumers::deregister(engine, v, now),
        "DescribeLimits" => stream_settings::describe_limits(engine),
        "DescribeStreamConsumer" => consumers::describe(engine, v, now),
        "DescribeStream" => stream_admin::describe(engine, v, now),
        "DescribeStreamSummary" => describe_stream_summary::run(engine, v, now),
        "DisableEnhancedMonitoring" => stream_settings::monitoring(engine, v, now, false),
        "EnableEnhancedMonitoring" => stream_settings::monitoring(engine, v, now, true),
        "GetRecords" => get_records::run(engine, v, now),
        "GetShardIterator" => get_shard_iterator::run(engine, v, now),
        "IncreaseStreamRetentionPeriod" => stream_admin::retention(engine, v, true, now),
        "ListShards" => list_shards::run(engine, v, now),
        "ListStreamConsumers" => consumers::list(engine, v, now),
        "ListStreams" => list_streams::run(engine, v, now),
        "ListTagsForStream" => tags::list(engine, v),
        "ListTagsForResource" => tags::list_resource(engine, v, now),
        "TagResource" => tags::tag_resource(engine, v, now),
        "UntagResource" => tags::untag_resource(engine, v, now),
        "MergeShards" => reshard::merge(engine, v, now),
        "PutRecord" => put_record::run(engine, v, now),
        "PutRecords" => put_records::run(engine, v, now),
        "RegisterStreamConsumer" => consumers::register(engine, v, now),
        "RemoveTagsFromStream" => tags::remove(engine, v),
        "SplitShard" => reshard::split(engine, v, now),
        "StartStreamEncryption" => stream_settings::encryption(engine, v, now, true),
        "StopStreamEncryption" => stream_settings::encryption(engine, v, now, false),
        "SubscribeToShard" => {
            let id = consumers::subscribe(engine, v, now)?;
            engine.opened_subscription(id)
        }
        "UpdateMaxRecordSize" => update_max_record_size::run(engine, v, now),
        "UpdateShardCount" => update_shard_count::run(engine, v, now),
        "UpdateStreamMode" => stream_settings::update_mode(engine, v, now),
        _ => Err(EngineError { code: "UnknownOperationException", message: String::new() }),
    }
}

/// Starts a JSON object in `out`; members are added with [`member`].
pub(super) struct Writer {
    pub(super) out: Vec<u8>,
    pub(super) first: bool,
}

impl Writer {
    pub(super) fn new() -> Writer {
        Writer { out: vec![b'{'], first: true }
    }

    pub(super) fn key(&mut self, name: &str) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        write_string(&mut self.out, name);
        self.out.push(b':');
        &mut self.out
    }

    pub(super) fn string(&mut self, name: &str, value: &str) {
        write_string(self.key(name), value);
    }

    pub(super) fn number(&mut self, name: &str, value: impl core::fmt::Display) {
        let text = value.to_string();
        self.key(name).extend_from_slice(text.as_bytes());
    }

    pub(super) fn finish(mut self) -> Vec<u8> {
        self.out.push(b'}');
        self.out
    }
}

/// A JSON array of these strings (metric names, stream names, parents).
pub(super) fn write_strings<'a>(out: &mut Vec<u8>, items: impl IntoIterator<Item = &'a str>) {
    write_list(out, items, write_string);
}

/// A JSON list: `[`, each item as `write` writes it, `,` between, `]`.
pub(super) fn write_list<T>(
    out: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    mut write: impl FnMut(&mut Vec<u8>, T),
) {
    out.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item);
    }
    out.push(b']');
}

/// A required string member (present after validation).
pub(super) fn text<'a>(body: &'a Value<'_>, name: &str) -> Result<&'a str, EngineError> {
    body.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| EngineError { code: "SerializationException", message: format!("{name} is missing") })
}

/// `{"StartingHashKey","EndingHashKey"}` of a shard.
pub(super) fn hash_key_range_json(s: &super::ShardInfo) -> Vec<u8> {
    let mut range = Writer::new();
    range.string("StartingHashKey", &s.starting_hash_key.to_string());
    range.string("EndingHashKey", &s.ending_hash_key.to_string());
    range.finish()
}

/// A shard as ListShards (and GetRecords' `ChildShards`) writes it.
pub(super) fn shard_json(s: &super::ShardInfo) -> Vec<u8> {
    let mut w = Writer::new();
    w.string("ShardId", &s.shard_id);
    if let Some(p) = &s.parent_shard_id {
        w.string("ParentShardId", p);
    }
    if let Some(p) = &s.adjacent_parent_shard_id {
        w.string("AdjacentParentShardId", p);
    }
    w.key("HashKeyRange").extend_from_slice(&hash_key_range_json(s));
    let mut seq = Writer::new();
    seq.string("StartingSequenceNumber", &s.starting_sequence_number);
    if let Some(end) = &s.ending_sequence_number {
        seq.string("EndingSequenceNumber", end);
    }
    w.key("SequenceNumberRange").extend_from_slice(&seq.finish());
    w.finish()
}
