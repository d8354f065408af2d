//! `Engine::handle` on arbitrary request bodies for every action: always an
//! HTTP answer (200 or 400), never a panic.
#![no_main]

use kinesis_edge::engine::{Engine, EngineConfig};
use kinesis_edge::time::Timestamp;
use libfuzzer_sys::fuzz_target;

const ACTIONS: &[&str] = &[
    "CreateStream",
    "ListStreams",
    "DescribeStreamSummary",
    "ListShards",
    "PutRecord",
    "PutRecords",
    "GetShardIterator",
    "GetRecords",
    "SplitShard",
    "MergeShards",
    "DeleteStream",
    "DescribeStream",
    "IncreaseStreamRetentionPeriod",
    "DecreaseStreamRetentionPeriod",
];

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else { return };
    let now = Timestamp::from_millis(1_764_158_400_000).unwrap();
    let mut e = Engine::new(EngineConfig { max_shards_per_stream: 64, ..EngineConfig::default() });
    let _ = e.create_stream("s", 3, now);
    let target = format!("Kinesis_20131202.{}", ACTIONS[usize::from(which) % ACTIONS.len()]);
    let r = e.handle(now, &target, body);
    assert!(r.status == 200 || r.status == 400);
});
