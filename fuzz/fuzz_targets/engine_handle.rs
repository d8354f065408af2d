//! `Engine::handle` and `Engine::handle_http` on arbitrary request bodies
//! (and, for `handle_http`, arbitrary headers and paths) for every Kinesis
//! and Firehose action, with and without signature verification and fault
//! injection, in JSON and in CBOR: always an HTTP answer, never a panic;
//! a SubscribeToShard that opens a subscription is polled, and its event
//! stream reads back.
#![no_main]

use kinesis_edge::credentials::Credentials;
use kinesis_edge::engine::{Engine, EngineConfig, Faults, HttpRequest};
use kinesis_edge::time::Timestamp;
use libfuzzer_sys::fuzz_target;

const ACTIONS: &[&str] = &[
    "Kinesis_20131202.CreateStream",
    "Kinesis_20131202.ListStreams",
    "Kinesis_20131202.DescribeStreamSummary",
    "Kinesis_20131202.ListShards",
    "Kinesis_20131202.PutRecord",
    "Kinesis_20131202.PutRecords",
    "Kinesis_20131202.GetShardIterator",
    "Kinesis_20131202.GetRecords",
    "Kinesis_20131202.SplitShard",
    "Kinesis_20131202.MergeShards",
    "Kinesis_20131202.UpdateShardCount",
    "Kinesis_20131202.UpdateMaxRecordSize",
    "Kinesis_20131202.DeleteStream",
    "Kinesis_20131202.DescribeStream",
    "Kinesis_20131202.IncreaseStreamRetentionPeriod",
    "Kinesis_20131202.DecreaseStreamRetentionPeriod",
    "Kinesis_20131202.AddTagsToStream",
    "Kinesis_20131202.RemoveTagsFromStream",
    "Kinesis_20131202.ListTagsForStream",
    "Kinesis_20131202.RegisterStreamConsumer",
    "Kinesis_20131202.DescribeStreamConsumer",
    "Kinesis_20131202.ListStreamConsumers",
    "Kinesis_20131202.DeregisterStreamConsumer",
    "Kinesis_20131202.SubscribeToShard",
    "Kinesis_20131202.DescribeLimits",
    "Kinesis_20131202.EnableEnhancedMonitoring",
    "Kinesis_20131202.DisableEnhancedMonitoring",
    "Kinesis_20131202.StartStreamEncryption",
    "Kinesis_20131202.StopStreamEncryption",
    "Kinesis_20131202.UpdateStreamMode",
    "Kinesis_20131202.TagResource",
    "Kinesis_20131202.UntagResource",
    "Kinesis_20131202.ListTagsForResource",
    "Firehose_20150804.CreateDeliveryStream",
    "Firehose_20150804.DeleteDeliveryStream",
    "Firehose_20150804.DescribeDeliveryStream",
    "Firehose_20150804.ListDeliveryStreams",
    "Firehose_20150804.PutRecord",
    "Firehose_20150804.PutRecordBatch",
];

/// The answer's response; a subscription it opened polled over a few
/// seconds, its messages read back (then its `initial-response` is not a
/// CBOR or JSON body: an empty one stands for it).
fn poll(
    e: &mut Engine,
    a: kinesis_edge::engine::HttpAnswer,
    now: Timestamp,
) -> kinesis_edge::engine::Response {
    let Some(id) = a.subscription else { return a.response };
    assert!(kinesis_edge::engine::eventstream::read_messages(&a.response.body).is_some());
    for k in 0..4 {
        let out = e.poll_subscription_http(id, now.add_millis(k * 2500));
        assert!(kinesis_edge::engine::eventstream::read_messages(&out.bytes).is_some());
    }
    kinesis_edge::engine::Response { body: Vec::new(), ..a.response }
}

fuzz_target!(|data: &[u8]| {
    let [which, mode, rest @ ..] = data else { return };
    let now = Timestamp::from_millis(1_764_158_400_000).unwrap();
    let verify = (mode & 1 == 1).then(|| Credentials::new("AKID", "SECRET", None).unwrap());
    let mut e = Engine::new(EngineConfig {
        max_shards_per_stream: 64,
        verify_credentials: verify,
        create_delay_ms: u32::from(mode & 4) * 100,
        // UPDATING and DELETING that end at the second call below, which
        // then makes the change the first asked for.
        update_delay_ms: u32::from(mode & 32 != 0),
        delete_delay_ms: u32::from(mode & 32 != 0),
        control_plane_limits: mode & 64 != 0,
        ..EngineConfig::default()
    });
    let _ = e.create_stream("s", 3, now);
    // A consumer (its ARN ends `consumer/c:1764158400`) and records for a
    // subscription to read.
    let _ = e.register_stream_consumer("arn:aws:kinesis:us-east-1:000000000000:stream/s", "c", now);
    let record = kinesis_edge::aggregation::UserRecord { partition_key: "k", explicit_hash_key: None, data: b"d" };
    let _ = e.put_records("s", &[record, record], now);
    if mode & 2 == 2 {
        let faults = Faults { record_failure_rate: 0.3, request_failure_rate: 0.3, latency_ms: 5, ..Faults::default() };
        e.set_faults(None, faults).unwrap();
    }
    let target = ACTIONS[usize::from(*which) % ACTIONS.len()];
    let r = if mode & 16 == 16 {
        // The body in AWS's CBOR (the AWS SDK for Java's): an answer in
        // CBOR that reads back.
        let headers = [("Content-Type", kinesis_edge::engine::cbor::CONTENT_TYPE), ("X-Amz-Target", target)];
        let a = e.answer_http(now, &HttpRequest { method: "POST", path: "/", headers: &headers, body: rest });
        let r = poll(&mut e, a, now);
        assert!(r.body.is_empty() || kinesis_edge::engine::cbor::request_to_json(&r.body).is_some());
        r
    } else if mode & 8 == 8 {
        // Headers and path from the input: `name:value\n…\n\n` then the body.
        let text = String::from_utf8_lossy(rest);
        let (head, body) = text.split_once("\n\n").unwrap_or(("", &text));
        let mut headers: Vec<(&str, &str)> =
            head.lines().filter_map(|l| l.split_once(':')).collect();
        headers.push(("X-Amz-Target", target));
        let path = headers.iter().find(|(n, _)| *n == "path").map_or("/", |(_, v)| *v);
        let a = e.answer_http(now, &HttpRequest { method: "POST", path, headers: &headers, body: body.as_bytes() });
        poll(&mut e, a, now)
    } else {
        e.handle(now, target, rest)
    };
    // (403 and 404: what AWS answers a request it cannot route.)
    assert!(matches!(r.status, 200 | 400 | 403 | 404 | 500), "status {}", r.status);
    // A second call on the same engine (state after the first) must answer too.
    let again = e.handle(now.add_millis(1), target, rest);
    assert!(matches!(again.status, 200 | 400 | 500));
});
