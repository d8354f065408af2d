//! Native throughput of `Engine::handle` for PutRecords and GetRecords
//! (a profiling aid; `make bench` measures the wasm build).
//!   cargo run --release --example engine_throughput

// A measuring tool, not library code: it may unwrap and read the clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]
use kinesis_edge::engine::{Engine, EngineConfig};
use kinesis_edge::time::Timestamp;
use std::time::Instant;

fn main() {
    let total = 200_000;
    let mut e = Engine::new(EngineConfig { throttling: false, ..EngineConfig::default() });
    let now = Timestamp::from_millis(1_764_158_400_000).unwrap();
    e.create_stream("bench", 4, now).unwrap();
    let data = "YWFh".repeat(33) + "YQ==";
    let body = format!(
        r#"{{"StreamName":"bench","Records":[{}]}}"#,
        (0..500)
            .map(|i| format!(r#"{{"Data":"{data}","PartitionKey":"pk-{i}"}}"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    let t = Instant::now();
    for _ in 0..total / 500 {
        assert_eq!(e.handle(now, "Kinesis_20131202.PutRecords", body.as_bytes()).status, 200);
    }
    let put = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let read = read_all(&mut e, now, |e, it| {
        let r = e.handle(
            now,
            "Kinesis_20131202.GetRecords",
            format!(r#"{{"ShardIterator":"{it}","Limit":10000}}"#).as_bytes(),
        );
        let v = kinesis_edge::json::parse(&r.body).unwrap();
        let n = v.get("Records").and_then(|r| r.as_array()).map_or(0, |a| a.len());
        (n, v.get("NextShardIterator").and_then(|s| s.as_str()).map(str::to_owned))
    });
    let get = t.elapsed().as_secs_f64();
    println!("JSON: put {:.0}/s get {:.0}/s read {read}", total as f64 / put, read as f64 / get);

    // The core without JSON: typed records in, stored records out.
    let mut e = Engine::new(EngineConfig { throttling: false, ..EngineConfig::default() });
    e.create_stream("bench", 4, now).unwrap();
    let keys: Vec<String> = (0..500).map(|i| format!("pk-{i}")).collect();
    let payload = [97u8; 100];
    let records: Vec<kinesis_edge::aggregation::UserRecord<'_>> = keys
        .iter()
        .map(|k| kinesis_edge::aggregation::UserRecord {
            partition_key: k,
            explicit_hash_key: None,
            data: &payload,
        })
        .collect();
    let t = Instant::now();
    for _ in 0..total / 500 {
        e.put_records("bench", &records, now).unwrap();
    }
    let put = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let read = read_all(&mut e, now, |e, it| {
        let page = e.get_records(it, Some(10_000), now).unwrap();
        (page.records.len(), page.next_shard_iterator)
    });
    let get = t.elapsed().as_secs_f64();
    println!("core: put {:.0}/s get {:.0}/s read {read}", total as f64 / put, read as f64 / get);
}

/// Reads every shard of `bench` from its start; `page` reads one page from
/// an iterator and gives its record count and the next iterator.
fn read_all(
    e: &mut Engine,
    now: Timestamp,
    mut page: impl FnMut(&mut Engine, &str) -> (usize, Option<String>),
) -> usize {
    let mut read = 0;
    for shard in e.shards("bench").unwrap() {
        let mut it = e
            .get_shard_iterator(
                "bench",
                &shard.shard_id,
                kinesis_edge::engine::IteratorType::TrimHorizon,
                now,
            )
            .unwrap();
        loop {
            let (n, next) = page(e, &it);
            read += n;
            match next {
                Some(next) if n > 0 => it = next,
                _ => break,
            }
        }
    }
    read
}
