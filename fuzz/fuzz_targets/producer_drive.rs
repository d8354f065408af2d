//! The producer driven by arbitrary bytes: pushes of any size and key,
//! polls, answers with any status, code (InternalFailure,
//! ExpiredTokenException with renewable credentials or not,
//! AccessDeniedException) and body (or a well-formed PutRecords
//! result of the request's length, to reach the success paths), transport
//! errors, time jumps, flush, close and resume, in any order; ListShards
//! answered with an even map of 1 to 4 shards (its size changing, as in a
//! reshard) and stored records landing on any of them, so that shard
//! prediction, map reloads and aggregates resent as landed on the wrong
//! shard are reached. It never
//! panics, its buffer counter always matches what it holds, no record gets
//! two outcomes, and once the answers stop coming every record settles.
#![no_main]

use std::collections::HashSet;

use kinesis_edge::json;
use kinesis_edge::producer::{Destination, HttpResponse, Producer, ProducerConfig, Request};
use kinesis_edge::time::Timestamp;
use libfuzzer_sys::fuzz_target;

/// A ListShards result: `n` open shards splitting the hash key range
/// evenly, as CreateStream makes them.
fn listing(n: u8) -> Vec<u8> {
    let n = u128::from(n.clamp(1, 4));
    let step = u128::MAX / n;
    let shards: Vec<String> = (0..n)
        .map(|i| {
            let end = if i == n - 1 { u128::MAX } else { step * (i + 1) - 1 };
            format!(
                "{{\"ShardId\":\"shardId-{i:012}\",\"HashKeyRange\":{{\"StartingHashKey\":\"{}\",\"EndingHashKey\":\"{end}\"}},\"SequenceNumberRange\":{{\"StartingSequenceNumber\":\"1\"}}}}",
                step * i
            )
        })
        .collect();
    format!("{{\"Shards\":[{}]}}", shards.join(",")).into_bytes()
}

/// A PutRecords / PutRecordBatch result, every entry stored (on shards
/// `landing` picks among `shards`), a gateway's "all accepted", or a
/// ListShards listing of `shards`.
fn all_stored(req: &Request, shards: u8, landing: u8) -> Vec<u8> {
    if req.target.ends_with("ListShards") {
        return listing(shards);
    }
    let count = json::parse(&req.body)
        .ok()
        .and_then(|v| ["Records", "events"].iter().find_map(|n| v.get(n).and_then(json::Value::as_array).map(<[_]>::len)))
        .unwrap_or(0);
    if req.target.is_empty() {
        let accepted: Vec<String> = (0..count).map(|i| i.to_string()).collect();
        return format!("{{\"accepted\":[{}],\"rejected\":[]}}", accepted.join(",")).into_bytes();
    }
    let all: Vec<String> = (0..count)
        .map(|i| {
            // Entry i lands on shard (landing + i) mod shards, or all on
            // shard 0 when landing is 0.
            let shard = if landing == 0 { 0 } else { (usize::from(landing) + i) % usize::from(shards.clamp(1, 4)) };
            format!("{{\"SequenceNumber\":\"1\",\"RecordId\":\"1\",\"ShardId\":\"shardId-{shard:012}\"}}")
        })
        .collect();
    let all = all.join(",");
    format!("{{\"FailedRecordCount\":0,\"FailedPutCount\":0,\"Records\":[{all}],\"RequestResponses\":[{all}]}}").into_bytes()
}

fuzz_target!(|data: &[u8]| {
    let [setup, script @ ..] = data else { return };
    let ttl = 2_000;
    let config = match setup % 3 {
        0 => ProducerConfig {
            aggregation: setup & 4 != 0,
            ordered: setup & 8 != 0,
            rate_limit_percent: if setup & 16 != 0 { 150 } else { 0 },
            record_ttl_ms: ttl,
            max_buffered_records: 64,
            refreshable_credentials: setup & 32 != 0,
            ..ProducerConfig::new(Destination::Kinesis("s".into()))
        },
        1 => ProducerConfig {
            record_ttl_ms: ttl,
            delimiter: b"\n".to_vec(),
            refreshable_credentials: setup & 32 != 0,
            ..ProducerConfig::new(Destination::Firehose("f".into()))
        },
        _ => ProducerConfig { record_ttl_ms: ttl, ..ProducerConfig::new(Destination::Gateway) },
    };
    let mut p = Producer::new(config);
    let mut now = Timestamp::from_millis(1_764_158_400_000).unwrap();
    let (mut pushed, mut settled) = (HashSet::new(), HashSet::new());
    let mut in_flight: Vec<Request> = Vec::new();
    // The stream's shard count, as ListShards answers it.
    let mut shards = 1u8;
    let mut bytes = script.iter().copied();
    let mut next = move || bytes.next();
    let check = |p: &mut Producer, pushed: &HashSet<u64>, settled: &mut HashSet<u64>| {
        for o in p.poll_outcomes() {
            assert!(pushed.contains(&o.id()), "an outcome for a record never pushed");
            assert!(settled.insert(o.id()), "a second outcome for one record");
        }
        p.poll_events();
        assert_eq!(p.stats().buffered_records as usize, pushed.len() - settled.len());
    };
    while let Some(op) = next() {
        match op % 8 {
            0 => {
                let size = usize::from(next().unwrap_or(0)) * 4;
                let key = format!("k{}", next().unwrap_or(0) % 16);
                let data = if setup % 3 == 2 { format!("{{\"n\":\"{}\"}}", "x".repeat(size)) } else { "x".repeat(size) };
                if let Ok(id) = p.push(now, data.as_bytes(), &key, None) {
                    assert!(pushed.insert(id), "an id given twice");
                }
            }
            1 => {
                while let Some(req) = p.poll_request(now) {
                    in_flight.push(req);
                }
            }
            2 | 3 if !in_flight.is_empty() => {
                let req = in_flight.swap_remove(usize::from(next().unwrap_or(0)) % in_flight.len());
                let status = [200, 400, 403, 500, 503][usize::from(next().unwrap_or(0)) % 5];
                let body: Vec<u8> = if op % 8 == 3 {
                    all_stored(&req, shards, next().unwrap_or(0))
                } else {
                    let n = usize::from(next().unwrap_or(0));
                    (0..n).map_while(|_| next()).collect()
                };
                let code = ["InternalFailure", "ExpiredTokenException", "AccessDeniedException"]
                    [usize::from(next().unwrap_or(0)) % 3];
                let error_type = (status != 200).then_some(code);
                p.handle_response(now, req.id, &HttpResponse { status, error_type, date: None, body: &body });
            }
            4 if !in_flight.is_empty() => {
                let req = in_flight.swap_remove(usize::from(next().unwrap_or(0)) % in_flight.len());
                p.handle_transport_error(now, req.id, "NetworkError", "lost");
            }
            5 => now = now.add_millis(i64::from(next().unwrap_or(0)) * 16),
            6 => match next().unwrap_or(0) % 5 {
                0 => p.flush(),
                1 => p.close(),
                2 => {
                    let since = now;
                    now = now.add_millis(500);
                    p.resume(since, now);
                }
                3 => shards = next().unwrap_or(0) % 4 + 1,
                _ => {
                    let max = usize::from(next().unwrap_or(0)) * 64;
                    if let Some(req) = p.poll_request_within(now, max) {
                        assert!(req.body.len() <= max, "a keepalive request over its limit");
                        in_flight.push(req);
                    }
                }
            },
            _ => {
                let _ = p.poll_timeout(now);
            }
        }
        check(&mut p, &pushed, &mut settled);
    }
    // No more answers: whatever is in flight is lost, and time runs on. Every
    // record settles by its time to live at the latest.
    for _ in 0..10_000 {
        for req in in_flight.drain(..) {
            p.handle_transport_error(now, req.id, "NetworkError", "lost");
        }
        while let Some(req) = p.poll_request(now) {
            in_flight.push(req);
        }
        check(&mut p, &pushed, &mut settled);
        if settled.len() == pushed.len() && in_flight.is_empty() {
            break;
        }
        now = p.poll_timeout(now).unwrap_or(now.add_millis(100)).max(now.add_millis(1));
    }
    assert_eq!(settled.len(), pushed.len(), "records never settled");
});
