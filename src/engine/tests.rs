use super::*;

fn t(ms: i64) -> Timestamp {
    Timestamp::from_millis(1_764_158_400_000 + ms).unwrap()
}

fn rec<'a>(key: &'a str, data: &'a [u8]) -> UserRecord<'a> {
    UserRecord { partition_key: key, explicit_hash_key: None, data }
}

fn engine_with(shards: u32) -> Engine {
    let mut e = Engine::new(EngineConfig::default());
    e.create_stream("s", shards, t(0)).unwrap();
    e
}

/// The first byte of every record of shard 0, read from TRIM_HORIZON at `now`.
fn first_bytes(e: &mut Engine, now: Timestamp) -> Vec<u8> {
    let it = e.get_shard_iterator("s", "shardId-000000000000", IteratorType::TrimHorizon, now).unwrap();
    e.get_records(&it, None, now).unwrap().records.iter().map(|r| r.data[0]).collect()
}

fn stored(o: &PutOutcome) -> (String, String) {
    match o {
        PutOutcome::Stored(at) => (at.sequence_number(), at.shard_id()),
        PutOutcome::Failed { code, .. } => panic!("failed: {code}"),
    }
}

#[test]
fn put_then_read_back_from_every_shard() {
    let mut e = engine_with(3);
    let keys: Vec<String> = (0..300).map(|i| format!("k{i}")).collect();
    let input: Vec<UserRecord<'_>> = keys.iter().map(|k| rec(k, k.as_bytes())).collect();
    let out = e.put_records("s", &input, t(1)).unwrap();
    let map = crate::shard_map::ShardMap::uniform(3).unwrap();
    for (r, o) in input.iter().zip(&out) {
        let (seq, shard) = stored(o);
        assert_eq!(seq.len(), 56);
        assert_eq!(shard, map.shard_for(r.partition_key, None).id);
    }
    let mut read = 0;
    for shard in e.shards("s").unwrap().into_iter().map(|s| s.shard_id) {
        let it = e.get_shard_iterator("s", &shard, IteratorType::TrimHorizon, t(2)).unwrap();
        let page = e.get_records(&it, None, t(3)).unwrap();
        assert!(
            page.records.windows(2).all(|w| w[0].sequence_number < w[1].sequence_number),
            "strictly increasing"
        );
        for r in &page.records {
            assert_eq!(r.data, r.partition_key.as_bytes());
        }
        read += page.records.len();
        assert_eq!(page.millis_behind_latest, 0);
        // Reading on from the next iterator finds nothing new.
        let again = e.get_records(page.next_shard_iterator.as_deref().unwrap(), None, t(300)).unwrap();
        assert!(again.records.is_empty());
    }
    assert_eq!(read, 300);
}

#[test]
fn writes_over_the_shard_limit_fail_alone() {
    let mut e = engine_with(1);
    let data = [0u8; 10];
    let keys: Vec<String> = (0..500).map(|i| format!("k{i}")).collect();
    let batch: Vec<UserRecord<'_>> = keys.iter().map(|k| rec(k, &data)).collect();
    let mut stored_count = 0;
    let mut failed = 0;
    for _ in 0..3 {
        for o in e.put_records("s", &batch, t(10)).unwrap() {
            match o {
                PutOutcome::Stored(_) => stored_count += 1,
                PutOutcome::Failed { code, message } => {
                    assert_eq!(code, "ProvisionedThroughputExceededException");
                    assert_eq!(message, "Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.");
                    failed += 1;
                }
            }
        }
    }
    assert_eq!((stored_count, failed), (1000, 500), "1,000 records/s per shard");
    // A second later the shard takes writes again; PutRecord fails as a whole when throttled.
    assert!(e.put_record("s", &rec("k", b"x"), t(1010)).is_ok());
    let mut e = engine_with(1);
    let big = vec![0u8; 600 * 1024];
    assert!(e.put_record("s", &rec("k", &big), t(0)).is_ok());
    let err = e.put_record("s", &rec("k", &big), t(1)).unwrap_err();
    assert_eq!(err.code, "ProvisionedThroughputExceededException", "1 MiB/s per shard");
    // A stream with large records: a record over a second's allowance goes
    // from a full bucket and leaves it in debt, paid back at 1 MiB/s.
    let limits = crate::record::RecordLimits::new(10 << 20).unwrap();
    let mut e = Engine::new(EngineConfig { record_limits: limits, ..EngineConfig::default() });
    e.create_stream("s", 1, t(0)).unwrap();
    let large = vec![0u8; 3 << 20];
    assert!(e.put_record("s", &rec("k", &large), t(0)).is_ok());
    let throttled = |e: &mut Engine, at: i64| {
        e.put_record("s", &rec("k", b"x"), t(at))
            .is_err_and(|e| e.code == "ProvisionedThroughputExceededException")
    };
    // (The bucket held 1 MiB: 2 MiB of debt.)
    assert!(throttled(&mut e, 1));
    assert!(throttled(&mut e, 1_900), "still paying back the 3 MiB");
    assert!(!throttled(&mut e, 2_100));
    assert!(
        e.put_record("s", &rec("k", &large), t(2_500)).is_err(),
        "the next large record waits for a full bucket"
    );
    assert!(e.put_record("s", &rec("k", &large), t(3_100)).is_ok());
    // Without throttling, anything goes.
    let mut e = Engine::new(EngineConfig { throttling: false, ..EngineConfig::default() });
    e.create_stream("s", 1, t(0)).unwrap();
    for _ in 0..10 {
        assert!(e.put_records("s", &batch, t(0)).unwrap().iter().all(|o| matches!(o, PutOutcome::Stored(_))));
    }
}

#[test]
fn request_validation_matches_aws() {
    let mut e = engine_with(1);
    let err = e.put_records("nope", &[rec("k", b"")], t(0)).unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        ("ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
    );
    let big = vec![0u8; 1_048_577];
    let err = e.put_records("s", &[rec("k", b""), rec("k", &big)], t(0)).unwrap_err();
    assert_eq!(err.message, "1 validation error detected: Value at 'records.2.member.data' failed to satisfy constraint: Member must have length less than or equal to 1048576");
    let mb = vec![0u8; 1_048_000];
    let six: Vec<UserRecord<'_>> = (0..6).map(|_| rec("k", &mb)).collect();
    let err = e.put_records("s", &six, t(0)).unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        ("InvalidArgumentException", "Records size exceeds 5 MB limit")
    );
    assert_eq!(e.put_records("s", &[], t(0)).unwrap_err().code, "ValidationException");
    assert_eq!(e.create_stream("s", 1, t(0)).unwrap_err().code, "ResourceInUseException");
    assert_eq!(e.create_stream("bad name", 1, t(0)).unwrap_err().code, "ValidationException");
    assert_eq!(e.create_stream("huge", 10_001, t(0)).unwrap_err().code, "LimitExceededException");
}

#[test]
fn iterator_types_and_expiry() {
    // (Many reads in one second: read limits are tested on their own.)
    let mut e = Engine::new(EngineConfig { throttling: false, ..EngineConfig::default() });
    e.create_stream("s", 1, t(0)).unwrap();
    let shard = "shardId-000000000000";
    let first = e.put_record("s", &rec("a", b"1"), t(1000)).unwrap().0;
    let second = e.put_record("s", &rec("a", b"2"), t(2000)).unwrap().0;
    let latest = e.get_shard_iterator("s", shard, IteratorType::Latest, t(2500)).unwrap();
    let third = e.put_record("s", &rec("a", b"3"), t(3000)).unwrap().0;
    let data = |e: &mut Engine, kind, now| {
        let it = e.get_shard_iterator("s", shard, kind, now).unwrap();
        e.get_records(&it, None, now).unwrap().records.into_iter().map(|r| r.data).collect::<Vec<_>>()
    };
    assert_eq!(data(&mut e, IteratorType::TrimHorizon, t(4000)), [b"1", b"2", b"3"]);
    assert_eq!(data(&mut e, IteratorType::AtSequenceNumber(&second), t(4000)), [b"2", b"3"]);
    assert_eq!(data(&mut e, IteratorType::AfterSequenceNumber(&second), t(4000)), [b"3"]);
    assert_eq!(data(&mut e, IteratorType::AtTimestamp(t(1500)), t(4000)), [b"2", b"3"]);
    assert_eq!(data(&mut e, IteratorType::AtTimestamp(t(9000)), t(4000)), Vec::<Vec<u8>>::new());
    assert_eq!(e.get_records(&latest, None, t(4000)).unwrap().records[0].sequence_number, third);
    assert!(first < second && second < third);
    // Limit, MillisBehindLatest, and the next iterator.
    let it = e.get_shard_iterator("s", shard, IteratorType::TrimHorizon, t(5000)).unwrap();
    let page = e.get_records(&it, Some(1), t(5000)).unwrap();
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.millis_behind_latest, 4000);
    let rest = e.get_records(page.next_shard_iterator.as_deref().unwrap(), None, t(5300)).unwrap();
    assert_eq!(rest.records.len(), 2);
    // Iterators expire after five minutes.
    let err = e.get_records(&it, None, t(5000 + 300_001)).unwrap_err();
    assert_eq!(err.code, "ExpiredIteratorException");
    assert_eq!(e.get_records("garbage", None, t(0)).unwrap_err().code, "InvalidArgumentException");
    assert_eq!(e.get_records(&it, Some(0), t(5000)).unwrap_err().code, "ValidationException");
    assert_eq!(e.get_records(&it, Some(10_001), t(5000)).unwrap_err().code, "ValidationException");
    assert_eq!(
        e.get_shard_iterator("s", shard, IteratorType::AtSequenceNumber("12"), t(0)).unwrap_err().code,
        "InvalidArgumentException"
    );
}

#[test]
fn reads_are_limited_per_shard() {
    let mut e = engine_with(1);
    e.put_record("s", &rec("a", b"x"), t(0)).unwrap();
    let it = e.get_shard_iterator("s", "shardId-000000000000", IteratorType::TrimHorizon, t(0)).unwrap();
    let ok = (0..8).filter(|_| e.get_records(&it, None, t(10)).is_ok()).count();
    assert_eq!(ok, 5, "5 GetRecords calls per second per shard");
    assert!(e.get_records(&it, None, t(1010)).is_ok());
}

#[test]
fn retention_and_memory_bound() {
    let mut e =
        Engine::new(EngineConfig { max_records_per_shard: 10, throttling: false, ..EngineConfig::default() });
    e.create_stream("s", 1, t(0)).unwrap();
    for i in 0..25u8 {
        e.put_record("s", &rec("a", &[i]), t(i64::from(i))).unwrap();
    }
    assert_eq!(first_bytes(&mut e, t(100)), (15..25).collect::<Vec<u8>>(), "the oldest go first");
    // After 24 hours, everything is trimmed.
    let day = 24 * 3_600_000;
    assert!(first_bytes(&mut e, t(day + 100)).is_empty());
}

#[test]
fn memory_bound_in_bytes() {
    // 100 bytes a shard: records of 1 + 30 bytes, three fit.
    let mut e =
        Engine::new(EngineConfig { max_bytes_per_shard: 100, throttling: false, ..EngineConfig::default() });
    e.create_stream("s", 1, t(0)).unwrap();
    for i in 0..10u8 {
        e.put_record("s", &rec("k", &[i; 30]), t(i64::from(i))).unwrap();
    }
    assert_eq!(first_bytes(&mut e, t(100)), [7, 8, 9], "the oldest go first");
    // A record larger than the bound is kept alone.
    e.put_record("s", &rec("k", &[42; 200]), t(200)).unwrap();
    assert_eq!(first_bytes(&mut e, t(300)), [42]);
}

#[test]
fn sequence_numbers_grow_with_time_and_never_repeat() {
    let mut e = Engine::new(EngineConfig { throttling: false, ..EngineConfig::default() });
    e.create_stream("s", 2, t(0)).unwrap();
    let mut last = String::new();
    for i in 0..2000 {
        let (seq, shard) = e.put_record("s", &rec("same", b"x"), t(i / 100)).unwrap();
        assert!(seq > last);
        assert!(seq.starts_with("49") && seq.len() == 56);
        assert_eq!(&shard["shardId-".len()..], &seq[2..14], "the shard number is in the sequence number");
        last = seq;
    }
}

mod json_front {
    use super::*;
    use crate::json::{parse, Value};
    use crate::protocol::{self, ListShards, Stream};

    fn call(e: &mut Engine, action: &str, body: &str) -> Response {
        e.handle(t(100), &format!("Kinesis_20131202.{action}"), body.as_bytes())
    }

    #[test]
    fn create_put_list_and_read_over_json() {
        let mut e = Engine::new(EngineConfig::default());
        assert_eq!(call(&mut e, "CreateStream", r#"{"StreamName":"s","ShardCount":2}"#).status, 200);
        let records = [UserRecord { partition_key: "a", explicit_hash_key: None, data: b"hello" }];
        let req = protocol::put_records(Stream::Name("s"), &records);
        let resp = e.handle(t(100), req.target, &req.body);
        assert_eq!(resp.status, 200);
        let result = protocol::decode_put_records(&resp.body).unwrap();
        assert_eq!(result.failed, 0);
        let req =
            protocol::list_shards(&ListShards { stream: Some(Stream::Name("s")), ..Default::default() });
        let page = protocol::decode_list_shards(&e.handle(t(100), req.target, &req.body).body).unwrap();
        let map = crate::shard_map::ShardMap::new(page.shards).unwrap();
        let shard = map.shard_for("a", None).id.clone();
        let it = call(
            &mut e,
            "GetShardIterator",
            &format!(r#"{{"StreamName":"s","ShardId":"{shard}","ShardIteratorType":"TRIM_HORIZON"}}"#),
        );
        let it = parse(&it.body).unwrap();
        let it = it.get("ShardIterator").and_then(Value::as_str).unwrap().to_owned();
        let got = call(&mut e, "GetRecords", &format!(r#"{{"ShardIterator":"{it}"}}"#));
        assert_eq!(got.status, 200);
        let v = parse(&got.body).unwrap();
        let recs = v.get("Records").and_then(Value::as_array).unwrap();
        assert_eq!(recs[0].get("Data").and_then(Value::as_str), Some("aGVsbG8="));
        assert_eq!(recs[0].get("PartitionKey").and_then(Value::as_str), Some("a"));
        assert!(v.get("NextShardIterator").is_some());
        let summary = call(&mut e, "DescribeStreamSummary", r#"{"StreamName":"s"}"#).body;
        let summary = parse(&summary).unwrap();
        assert_eq!(
            summary
                .get("StreamDescriptionSummary")
                .and_then(|s| s.get("OpenShardCount"))
                .and_then(Value::as_u64),
            Some(2)
        );
        let names = call(&mut e, "ListStreams", "{}").body;
        let names = parse(&names).unwrap();
        assert_eq!(names.get("StreamNames").and_then(Value::as_array).map(<[_]>::len), Some(1));
    }

    #[test]
    fn max_record_size_is_set_at_creation_or_updated_by_arn_and_bounds_puts() {
        let mut e = Engine::new(EngineConfig::default());
        let kib = |e: &mut Engine, name: &str| {
            let body = call(e, "DescribeStreamSummary", &format!(r#"{{"StreamName":"{name}"}}"#)).body;
            parse(&body)
                .unwrap()
                .get("StreamDescriptionSummary")
                .and_then(|s| s.get("MaxRecordSizeInKiB"))
                .and_then(Value::as_u64)
        };
        let put = |e: &mut Engine, name: &str, bytes: usize| {
            let data = vec![1u8; bytes];
            let records = [UserRecord { partition_key: "k", explicit_hash_key: None, data: &data }];
            let req = protocol::put_records(Stream::Name(name), &records);
            let resp = e.handle(t(100), req.target, &req.body);
            (resp.status, String::from_utf8_lossy(&resp.body).into_owned())
        };
        assert_eq!(call(&mut e, "CreateStream", r#"{"StreamName":"s","ShardCount":1}"#).status, 200);
        assert_eq!(kib(&mut e, "s"), Some(1024));
        let (status, body) = put(&mut e, "s", 2 << 20);
        assert_eq!(status, 400);
        assert!(body.contains("less than or equal to 1048576"), "{body}");
        // By ARN only.
        let arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
        let ok = call(
            &mut e,
            "UpdateMaxRecordSize",
            &format!(r#"{{"StreamARN":"{arn}","MaxRecordSizeInKiB":4096}}"#),
        );
        assert_eq!((ok.status, ok.body.len()), (200, 0));
        assert_eq!(kib(&mut e, "s"), Some(4096));
        assert_eq!(put(&mut e, "s", 2 << 20).0, 200);
        let (status, body) = put(&mut e, "s", (4 << 20) + 1);
        assert_eq!(status, 400);
        assert!(body.contains("less than or equal to 4194304"), "{body}");
        for (body, code) in [
            (
                r#"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","MaxRecordSizeInKiB":1023}"#,
                "ValidationException",
            ),
            (
                r#"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","MaxRecordSizeInKiB":10241}"#,
                "ValidationException",
            ),
            (r#"{"StreamName":"s","MaxRecordSizeInKiB":2048}"#, "ValidationException"),
            (r#"{"StreamARN":"s","MaxRecordSizeInKiB":2048}"#, "ValidationException"),
            (
                r#"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/nope","MaxRecordSizeInKiB":2048}"#,
                "ResourceNotFoundException",
            ),
            (
                r#"{"StreamARN":"arn:aws:kinesis:eu-west-1:000000000000:stream/s","MaxRecordSizeInKiB":2048}"#,
                "ResourceNotFoundException",
            ),
        ] {
            let r = call(&mut e, "UpdateMaxRecordSize", body);
            assert_eq!(r.status, 400, "{body}");
            assert!(
                String::from_utf8_lossy(&r.body).contains(code),
                "{body}: {}",
                String::from_utf8_lossy(&r.body)
            );
        }
        assert_eq!(kib(&mut e, "s"), Some(4096));
        // At creation; out of range, no stream.
        assert_eq!(
            call(&mut e, "CreateStream", r#"{"StreamName":"big","ShardCount":1,"MaxRecordSizeInKiB":10240}"#)
                .status,
            200
        );
        assert_eq!(kib(&mut e, "big"), Some(10240));
        assert_eq!(
            call(&mut e, "CreateStream", r#"{"StreamName":"bad","ShardCount":1,"MaxRecordSizeInKiB":20000}"#)
                .status,
            400
        );
        assert_eq!(call(&mut e, "DescribeStreamSummary", r#"{"StreamName":"bad"}"#).status, 400);
        // Not while CREATING.
        let mut e = Engine::new(EngineConfig { create_delay_ms: 1_000, ..EngineConfig::default() });
        call(&mut e, "CreateStream", r#"{"StreamName":"s","ShardCount":1}"#);
        let r = call(
            &mut e,
            "UpdateMaxRecordSize",
            r#"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","MaxRecordSizeInKiB":2048}"#,
        );
        assert!(String::from_utf8_lossy(&r.body).contains("ResourceInUseException"));
    }

    #[test]
    fn list_shards_pages() {
        let mut e = Engine::new(EngineConfig::default());
        call(&mut e, "CreateStream", r#"{"StreamName":"s","ShardCount":5}"#);
        let mut seen = Vec::new();
        let mut body = r#"{"StreamName":"s","MaxResults":2}"#.to_owned();
        loop {
            let page = protocol::decode_list_shards(&call(&mut e, "ListShards", &body).body).unwrap();
            seen.extend(page.shards.into_iter().map(|s| s.id));
            match page.next_token {
                Some(t) => body = format!(r#"{{"NextToken":"{t}","MaxResults":2}}"#),
                None => break,
            }
        }
        assert_eq!(seen.len(), 5);
        let both = call(&mut e, "ListShards", r#"{"StreamName":"s","NextToken":"x"}"#);
        assert_eq!(protocol::decode_error(both.status, None, &both.body).code, "InvalidArgumentException");
    }

    #[test]
    fn errors_as_aws_sends_them() {
        let mut e = Engine::new(EngineConfig::default());
        let r = call(&mut e, "PutRecord", r#"{"StreamName":"nope","PartitionKey":"k","Data":"AA=="}"#);
        assert_eq!(r.status, 400);
        let err = protocol::decode_error(r.status, None, &r.body);
        assert_eq!(
            (err.code.as_str(), err.message.as_str()),
            ("ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
        );
        // SequenceNumberForOrdering is a sequence number, or refused.
        assert_eq!(call(&mut e, "CreateStream", r#"{"StreamName":"o","ShardCount":1}"#).status, 200);
        let put = |e: &mut Engine, seq: &str| {
            let body = format!(
                r#"{{"StreamName":"o","PartitionKey":"k","Data":"AA==","SequenceNumberForOrdering":"{seq}"}}"#
            );
            let r = call(e, "PutRecord", &body);
            (r.status, protocol::decode_error(r.status, None, &r.body).message)
        };
        let first = call(&mut e, "PutRecord", r#"{"StreamName":"o","PartitionKey":"k","Data":"AA=="}"#);
        let (seq, _) = protocol::decode_put_record(&first.body).unwrap();
        assert_eq!(put(&mut e, &seq).0, 200);
        assert_eq!(put(&mut e, "0").0, 200);
        assert_eq!(put(&mut e, &format!("1{}", "0".repeat(128))).0, 200);
        for bad in ["abc", "01", "-1", "", &format!("1{}", "0".repeat(129))] {
            assert_eq!(
                put(&mut e, bad),
                (400, format!("1 validation error detected: Value '{bad}' at 'sequenceNumberForOrdering' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{{0,128}})")),
                "{bad}"
            );
        }
        let r = call(&mut e, "CreateStream", r#"{"ShardCount":0}"#);
        assert_eq!(
            protocol::decode_error(r.status, None, &r.body).message,
            "2 validation errors detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null; Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1"
        );
        assert_eq!(
            protocol::decode_error(400, None, &call(&mut e, "Nope", "{}").body).code,
            "UnknownOperationException"
        );
        assert_eq!(
            protocol::decode_error(400, None, &call(&mut e, "PutRecords", "{").body).code,
            "SerializationException"
        );
        assert_eq!(
            protocol::decode_error(
                400,
                None,
                &call(
                    &mut e,
                    "PutRecords",
                    r#"{"StreamName":"s","Records":[{"Data":"%%","PartitionKey":"k"}]}"#
                )
                .body
            )
            .code,
            "SerializationException"
        );
        let r = call(&mut e, "PutRecords", r#"{"StreamName":"s","Records":[]}"#);
        assert!(protocol::decode_error(r.status, None, &r.body)
            .message
            .contains("Member must have length greater than or equal to 1"));
        assert_eq!(e.handle(t(0), "Firehose_20150804.PutRecord", b"{}").status, 400);
    }

    #[test]
    fn put_records_in_the_common_form_skips_the_json_tree() {
        use crate::engine::actions::put_records::scan;
        // What the producer sends (and the SDKs: the same members, strings
        // unescaped), with a key of non-ASCII text.
        let records = [rec("k", b"a"), UserRecord { explicit_hash_key: Some("1"), ..rec("é", b"") }];
        let body = protocol::put_records(Stream::Name("s"), &records).body;
        assert_eq!(scan(&body).map(|b| b.stream), Some("s"));
        let sdk = br#" {"Records": [{"Data":"YQ==","PartitionKey":"k"}], "StreamName":"s"} "#;
        assert_eq!(scan(sdk).map(|b| b.stream), Some("s"));
        // Anything else goes through the tree.
        for other in [
            &br#"{"StreamName":"s","Records":[{"Data":"YQ==","PartitionKey":"\u006b"}]}"#[..],
            b"{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"YQ==\",\"PartitionKey\":\"k\t\"}]}",
            br#"{"StreamName":"s","Records":[{"Data":"YQ==","PartitionKey":"k","PartitionKey":"k"}]}"#,
            br#"{"StreamName":"s","Records":[{"Data":"YQ==","PartitionKey":"k","X":"y"}]}"#,
            br#"{"StreamName":"s","Records":[{"Data":null,"PartitionKey":"k"}]}"#,
            br#"{"StreamName":"s","Records":[{"PartitionKey":"k"}]}"#,
            br#"{"StreamName":"s","Records":[]}"#,
            br#"{"StreamName":"s!","Records":[{"Data":"YQ==","PartitionKey":"k"}]}"#,
            br#"{"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s","Records":[{"Data":"YQ==","PartitionKey":"k"}]}"#,
            br#"{"StreamName":"s","Records":[{"Data":"YQ==","PartitionKey":"k"}]} {}"#,
            b"\xef\xbb\xbf{}",
            b"",
        ] {
            assert_eq!(scan(other), None, "{}", String::from_utf8_lossy(other));
        }
        let mut over = String::from(r#"{"StreamName":"s","Records":["#);
        over.push_str(&[r#"{"Data":"","PartitionKey":"k"}"#; 501].join(","));
        over.push_str("]}");
        assert_eq!(scan(over.as_bytes()), None);
        // And both answer alike (more in the property below).
        let (mut a, mut b) = (engine_with(2), engine_with(2));
        let scanned = a.handle(t(1), "Kinesis_20131202.PutRecords", &body);
        let parsed = b.handle_json(t(1), "Kinesis_20131202.PutRecords", &body, false);
        assert_eq!(scanned.status, 200);
        assert_eq!((scanned.status, scanned.body), (parsed.status, parsed.body));
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn never_panics(body in proptest::collection::vec(any::<u8>(), 0..300), action in 0usize..9) {
                let actions = ["CreateStream", "ListStreams", "DescribeStreamSummary", "ListShards", "PutRecord", "PutRecords", "GetShardIterator", "GetRecords", "X"];
                let mut e = Engine::new(EngineConfig::default());
                e.create_stream("s", 2, t(0)).unwrap();
                let r = e.handle(t(1), &format!("Kinesis_20131202.{}", actions[action]), &body);
                prop_assert!(r.status == 200 || r.status == 400);
            }

            /// PutRecords read by the scanner (its common form) and
            /// through the JSON tree answer alike, byte for byte, whatever
            /// the body: two engines, the same requests, one forced through
            /// the tree. Throttling, per-record and whole-request faults on,
            /// so that the same draws must be made in the same order.
            #[test]
            fn put_records_scanned_or_parsed_answer_alike(
                records in proptest::collection::vec(
                    ("[a-zé\\\\\"\u{1}]{0,5}", "[A-Za-z0-9+/=\\\\]{0,12}", proptest::option::of("[0-9a\\\\]{0,4}"), 0usize..24),
                    0..6,
                ),
                stream in "[s\\\\é ]{0,2}",
                shape in 0usize..12,
                space in proptest::option::of("[ \t\n\r]{1,2}"),
            ) {
                let make = || {
                    let mut e = Engine::new(EngineConfig::default());
                    e.create_stream("s", 3, t(0)).unwrap();
                    let faults = Faults { record_failure_rate: 0.3, request_failure_rate: 0.2, ..Faults::default() };
                    e.set_faults(None, faults).unwrap();
                    e
                };
                let (mut scanned, mut parsed) = (make(), make());
                let w = space.unwrap_or_default();
                let text = |s: &str| format!("\"{s}\"");
                let mut entries = Vec::new();
                for (key, data, ehk, variant) in &records {
                    // Members in the SDK's order, the producer's, reversed,
                    // repeated, null, of another type, missing or unknown.
                    let mut m = vec![format!("\"Data\":{w}{}", text(data)), format!("\"PartitionKey\":{}", text(key))];
                    if let Some(h) = ehk {
                        m.insert(1, format!("\"ExplicitHashKey\":{}", text(h)));
                    }
                    match variant {
                        0 => m.reverse(),
                        1 => m.push(format!("\"Data\":{}", text(data))),
                        2 => m[0] = "\"Data\":null".into(),
                        3 => m[0] = "\"Data\":7".into(),
                        4 => { m.remove(0); }
                        5 => { m.pop(); }
                        6 => m.push("\"Other\":\"x\"".into()),
                        7 => m = vec!["[]".into()],
                        8 => m.push("\"ExplicitHashKey\":null".into()),
                        _ => {}
                    }
                    entries.push(if *variant == 7 { "[]".to_owned() } else { format!("{{{w}{}{w}}}", m.join(&format!(",{w}"))) });
                }
                let list = format!("[{w}{}{w}]", entries.join(","));
                let name = text(if shape == 9 { "s" } else { &stream });
                let name = if shape < 8 { text("s") } else { name };
                let body = match shape {
                    0 => format!("{w}{{\"StreamName\":{name},{w}\"Records\":{list}}}{w}"),
                    1 => format!("{{\"Records\":{list},\"StreamName\":{name}}}"),
                    2 => format!("{{\"StreamName\":{name},\"Records\":{list},\"StreamName\":{name}}}"),
                    3 => format!("{{\"StreamName\":{name},\"Records\":{list}}}x"),
                    4 => format!("{{\"StreamName\":{name},\"Records\":{list},\"X\":1}}"),
                    5 => format!("{{\"StreamName\":null,\"Records\":{list}}}"),
                    6 => format!("{{\"Records\":{list}}}"),
                    7 => format!("{{\"StreamName\":{name},\"Records\":[{list}]}}"),
                    _ => format!("{{\"StreamName\":{name},\"Records\":{list}}}"),
                };
                for i in 0..3 {
                    let a = scanned.handle(t(1 + i), "Kinesis_20131202.PutRecords", body.as_bytes());
                    let b = parsed.handle_json(t(1 + i), "Kinesis_20131202.PutRecords", body.as_bytes(), false);
                    prop_assert_eq!(
                        (a.status, String::from_utf8_lossy(&a.body), a.delay_ms),
                        (b.status, String::from_utf8_lossy(&b.body), b.delay_ms),
                        "{}", body
                    );
                }
            }

            #[test]
            fn never_panics_on_json_shaped_input(stream in "[a-z]{0,3}", key in "\\PC{0,4}", data in "[A-Za-z0-9+/=]{0,12}", n in any::<i64>(), kind in "[A-Z_]{0,22}") {
                let mut e = Engine::new(EngineConfig::default());
                e.create_stream("s", 2, t(0)).unwrap();
                let bodies = [
                    format!(r#"{{"StreamName":"{stream}","ShardCount":{n}}}"#),
                    format!(r#"{{"StreamName":"{stream}","Records":[{{"Data":"{data}","PartitionKey":{key:?}}}]}}"#),
                    format!(r#"{{"StreamName":"{stream}","ShardId":"shardId-000000000000","ShardIteratorType":"{kind}","Timestamp":{n}}}"#),
                    format!(r#"{{"ShardIterator":"{data}","Limit":{n}}}"#),
                ];
                for (action, body) in ["CreateStream", "PutRecords", "GetShardIterator", "GetRecords"].iter().zip(bodies) {
                    let r = e.handle(t(1), &format!("Kinesis_20131202.{action}"), body.as_bytes());
                    prop_assert!(r.status == 200 || r.status == 400, "{} {}", action, String::from_utf8_lossy(&r.body));
                }
            }
        }
    }
}

#[test]
fn split_and_merge_keep_lineage_and_coverage() {
    let mut e = Engine::new(EngineConfig { throttling: false, ..EngineConfig::default() });
    e.create_stream("s", 1, t(0)).unwrap();
    let before = e.put_record("s", &rec("a", b"before"), t(1)).unwrap();
    let half = 1u128 << 127;
    e.split_shard("s", "shardId-000000000000", half, t(2)).unwrap();
    let shards = e.shards("s").unwrap();
    assert_eq!(shards.len(), 3);
    assert!(shards[0].ending_sequence_number.is_some(), "the parent is closed");
    assert_eq!(shards[1].parent_shard_id.as_deref(), Some("shardId-000000000000"));
    assert_eq!((shards[1].ending_hash_key, shards[2].starting_hash_key), (half - 1, half));
    // Writes go to the children; their sequence numbers sort after the parent's.
    let after = e.put_record("s", &rec("a", b"after"), t(3)).unwrap();
    assert_ne!(after.1, "shardId-000000000000");
    assert!(after.0 > before.0);
    // Reading the parent to its end: no next iterator, and its children.
    let it = e.get_shard_iterator("s", "shardId-000000000000", IteratorType::TrimHorizon, t(4)).unwrap();
    let page = e.get_records(&it, None, t(4)).unwrap();
    assert_eq!(page.records.len(), 1);
    assert!(page.next_shard_iterator.is_none());
    let children: Vec<&str> = page.child_shards.iter().map(|c| c.shard_id.as_str()).collect();
    assert_eq!(children, ["shardId-000000000001", "shardId-000000000002"]);
    // Merge the children back; the open shards still cover everything.
    e.merge_shards("s", "shardId-000000000001", "shardId-000000000002", t(5)).unwrap();
    let shards = e.shards("s").unwrap();
    let merged = shards.last().unwrap();
    assert_eq!((merged.starting_hash_key, merged.ending_hash_key), (0, u128::MAX));
    assert_eq!(merged.adjacent_parent_shard_id.as_deref(), Some("shardId-000000000002"));
    let open: Vec<crate::shard_map::Shard> = shards
        .iter()
        .map(|s| crate::shard_map::Shard {
            id: s.shard_id.clone(),
            starting_hash_key: s.starting_hash_key,
            ending_hash_key: s.ending_hash_key,
            parent: s.parent_shard_id.clone(),
            adjacent_parent: s.adjacent_parent_shard_id.clone(),
            open: s.ending_sequence_number.is_none(),
        })
        .collect();
    assert!(
        crate::shard_map::ShardMap::new(open).is_ok(),
        "open shards cover the hash key space exactly once"
    );
    // Errors: closed shards, bad keys, non-adjacent pairs.
    assert_eq!(
        e.split_shard("s", "shardId-000000000000", 5, t(6)).unwrap_err().code,
        "ResourceInUseException"
    );
    assert_eq!(
        e.split_shard("s", "shardId-000000000003", 0, t(6)).unwrap_err().code,
        "InvalidArgumentException"
    );
    assert_eq!(
        e.split_shard("s", "shardId-000000000009", 5, t(6)).unwrap_err().code,
        "ResourceNotFoundException"
    );
    let mut e = engine_with(3);
    assert_eq!(
        e.merge_shards("s", "shardId-000000000000", "shardId-000000000002", t(1)).unwrap_err().code,
        "InvalidArgumentException"
    );
}

#[test]
fn resharding_over_json() {
    use crate::json::{parse, Value};
    let mut e = Engine::new(EngineConfig { throttling: false, ..EngineConfig::default() });
    e.create_stream("s", 2, t(0)).unwrap();
    let r = e.handle(t(1), "Kinesis_20131202.MergeShards", br#"{"StreamName":"s","ShardToMerge":"shardId-000000000000","AdjacentShardToMerge":"shardId-000000000001"}"#);
    assert_eq!(r.status, 200);
    let r = e.handle(
        t(2),
        "Kinesis_20131202.SplitShard",
        br#"{"StreamName":"s","ShardToSplit":"shardId-000000000002","NewStartingHashKey":"100"}"#,
    );
    assert_eq!(r.status, 200);
    let list = e.handle(t(3), "Kinesis_20131202.ListShards", br#"{"StreamName":"s"}"#);
    let page = crate::protocol::decode_list_shards(&list.body).unwrap();
    assert_eq!(page.shards.len(), 5);
    assert_eq!(page.shards.iter().filter(|s| s.open).count(), 2);
    assert!(crate::shard_map::ShardMap::new(page.shards).is_ok());
    let it = e.get_shard_iterator("s", "shardId-000000000000", IteratorType::TrimHorizon, t(4)).unwrap();
    let body = format!(r#"{{"ShardIterator":"{it}"}}"#);
    let got = e.handle(t(4), "Kinesis_20131202.GetRecords", body.as_bytes()).body;
    let v = parse(&got).unwrap();
    assert!(v.get("NextShardIterator").is_none());
    let child = &v.get("ChildShards").and_then(Value::as_array).unwrap()[0];
    assert_eq!(child.get("ShardId").and_then(Value::as_str), Some("shardId-000000000002"));
    assert_eq!(child.get("ParentShards").and_then(Value::as_array).map(<[_]>::len), Some(2));
    let bad = e.handle(
        t(5),
        "Kinesis_20131202.SplitShard",
        br#"{"StreamName":"s","ShardToSplit":"shardId-000000000003","NewStartingHashKey":"01"}"#,
    );
    assert!(crate::protocol::decode_error(bad.status, None, &bad.body)
        .message
        .contains("regular expression pattern"));
}

#[test]
fn list_shards_filters() {
    // Shards 0 and 1 from t0; merged into 2 at 10 s; 2 split into 3 and 4
    // at 20 s.
    let mut e = Engine::new(EngineConfig { throttling: false, ..EngineConfig::default() });
    e.create_stream("s", 2, t(0)).unwrap();
    e.merge_shards("s", "shardId-000000000000", "shardId-000000000001", t(10_000)).unwrap();
    e.split_shard("s", "shardId-000000000002", 100, t(20_000)).unwrap();
    let list = |e: &mut Engine, now: Timestamp, extra: &str| -> Result<Vec<u64>, (String, String)> {
        let body = format!(r#"{{"StreamName":"s"{extra}}}"#);
        let r = e.handle(now, "Kinesis_20131202.ListShards", body.as_bytes());
        if r.status != 200 {
            let err = crate::protocol::decode_error(r.status, None, &r.body);
            return Err((err.code, err.message));
        }
        let page = crate::protocol::decode_list_shards(&r.body).unwrap();
        Ok(page.shards.iter().map(|s| s.id[8..].parse().unwrap()).collect())
    };
    let filter = |kind: &str, more: &str| format!(r#","ShardFilter":{{"Type":"{kind}"{more}}}"#);
    let secs = |ms: i64| format!(r#","Timestamp":{}"#, t(ms).as_millis() as f64 / 1000.0);
    let now = t(30_000);
    assert_eq!(list(&mut e, now, ""), Ok(vec![0, 1, 2, 3, 4]));
    assert_eq!(list(&mut e, now, &filter("FROM_TRIM_HORIZON", "")), Ok(vec![0, 1, 2, 3, 4]));
    assert_eq!(list(&mut e, now, &filter("AT_LATEST", "")), Ok(vec![3, 4]));
    assert_eq!(list(&mut e, now, &filter("AT_TRIM_HORIZON", "")), Ok(vec![0, 1]));
    assert_eq!(list(&mut e, now, &filter("AT_TIMESTAMP", &secs(15_000))), Ok(vec![2]));
    // Closed at 10 s, opened at 10 s: both open then.
    assert_eq!(list(&mut e, now, &filter("AT_TIMESTAMP", &secs(10_000))), Ok(vec![0, 1, 2]));
    // Before the trim horizon: the trim horizon.
    assert_eq!(list(&mut e, now, &filter("AT_TIMESTAMP", &secs(-100_000))), Ok(vec![0, 1]));
    assert_eq!(list(&mut e, now, &filter("FROM_TIMESTAMP", &secs(15_000))), Ok(vec![2, 3, 4]));
    assert_eq!(list(&mut e, now, &filter("FROM_TIMESTAMP", &secs(-100_000))), Ok(vec![0, 1, 2, 3, 4]));
    assert_eq!(
        list(&mut e, now, &filter("AFTER_SHARD_ID", r#","ShardId":"shardId-000000000002""#)),
        Ok(vec![3, 4])
    );
    // Pages go on with the filter they began with.
    let first = e.handle(
        now,
        "Kinesis_20131202.ListShards",
        format!(r#"{{"StreamName":"s","MaxResults":1{}}}"#, filter("AT_LATEST", "")).as_bytes(),
    );
    let page = crate::protocol::decode_list_shards(&first.body).unwrap();
    assert_eq!(page.shards[0].id, "shardId-000000000003");
    let token = page.next_token.unwrap();
    let next =
        e.handle(now, "Kinesis_20131202.ListShards", format!(r#"{{"NextToken":"{token}"}}"#).as_bytes());
    let page = crate::protocol::decode_list_shards(&next.body).unwrap();
    assert_eq!(
        (page.shards.len(), page.shards[0].id.as_str(), page.next_token),
        (1, "shardId-000000000004", None)
    );
    // What a filter needs, and what it may be.
    let (code, _) = list(&mut e, now, &filter("AFTER_SHARD_ID", "")).unwrap_err();
    assert_eq!(code, "InvalidArgumentException");
    let (code, _) = list(&mut e, now, &filter("AT_TIMESTAMP", "")).unwrap_err();
    assert_eq!(code, "InvalidArgumentException");
    assert_eq!(
        list(&mut e, now, &filter("SOON", "")),
        Err((
            "ValidationException".to_owned(),
            "1 validation error detected: Value 'SOON' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]".to_owned()
        ))
    );
    assert_eq!(list(&mut e, now, r#","ShardFilter":"AT_LATEST""#).unwrap_err().0, "SerializationException");
    // A day later (the default retention), shards closed before the trim
    // horizon (now 15 s) have expired: no filter lists them.
    let later = t(24 * 3_600_000 + 15_000);
    assert_eq!(list(&mut e, later, ""), Ok(vec![2, 3, 4]));
    assert_eq!(list(&mut e, later, &filter("AT_TRIM_HORIZON", "")), Ok(vec![2]));
    assert_eq!(list(&mut e, later, &filter("AT_TIMESTAMP", &secs(0))), Ok(vec![2]));
}

#[test]
fn streams_named_by_arn() {
    let mut e = Engine::new(EngineConfig { throttling: false, ..EngineConfig::default() });
    e.create_stream("s", 1, t(0)).unwrap();
    e.create_stream("other", 1, t(0)).unwrap();
    let arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
    let call = |e: &mut Engine, action: &str, body: String| {
        let r = e.handle(t(1), &format!("Kinesis_20131202.{action}"), body.as_bytes());
        let text = String::from_utf8(r.body).unwrap();
        (r.status, text)
    };
    for (action, rest) in [
        ("PutRecord", r#","Data":"AA==","PartitionKey":"k""#),
        ("PutRecords", r#","Records":[{"Data":"AA==","PartitionKey":"k"}]"#),
        ("DescribeStreamSummary", ""),
        ("DescribeStream", ""),
        ("ListShards", ""),
        ("GetShardIterator", r#","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON""#),
        ("AddTagsToStream", r#","Tags":{"a":"b"}"#),
        ("ListTagsForStream", ""),
    ] {
        let (status, body) = call(&mut e, action, format!(r#"{{"StreamARN":"{arn}"{rest}}}"#));
        assert_eq!(status, 200, "{action}: {body}");
        // With its StreamName too: the same.
        let (status, body) =
            call(&mut e, action, format!(r#"{{"StreamARN":"{arn}","StreamName":"s"{rest}}}"#));
        assert_eq!(status, 200, "{action}: {body}");
    }
    let (_, body) = call(&mut e, "DescribeStreamSummary", format!(r#"{{"StreamARN":"{arn}"}}"#));
    assert!(body.contains(r#""StreamName":"s""#), "{body}");
    let it = e.get_shard_iterator("s", "shardId-000000000000", IteratorType::TrimHorizon, t(2)).unwrap();
    assert_eq!(e.get_records(&it, None, t(2)).unwrap().records.len(), 4); // two puts, each twice
    let errors = [
        (format!(r#"{{"StreamARN":"{arn}","StreamName":"other"}}"#), "InvalidArgumentException"),
        (
            r#"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/nope"}"#.to_owned(),
            "ResourceNotFoundException",
        ),
        (
            r#"{"StreamARN":"arn:aws:kinesis:eu-west-1:000000000000:stream/s"}"#.to_owned(),
            "ResourceNotFoundException",
        ),
        (r#"{"StreamARN":"s"}"#.to_owned(), "ValidationException"),
        (r#"{"StreamARN":7}"#.to_owned(), "SerializationException"),
    ];
    for (body, code) in errors {
        let (status, text) = call(&mut e, "DescribeStreamSummary", body.clone());
        assert_eq!(
            (status, crate::protocol::decode_error(status, None, text.as_bytes()).code),
            (400, code.to_owned()),
            "{body}"
        );
    }
}

#[test]
fn stream_administration() {
    use crate::json::{parse, Value};
    let mut e = Engine::new(EngineConfig { throttling: false, ..EngineConfig::default() });
    e.create_stream("s", 2, t(0)).unwrap();
    // DescribeStream lists the shards.
    let d = e.handle(t(1), "Kinesis_20131202.DescribeStream", br#"{"StreamName":"s","Limit":1}"#).body;
    let d = parse(&d).unwrap();
    let desc = d.get("StreamDescription").unwrap();
    assert_eq!(desc.get("Shards").and_then(Value::as_array).map(<[_]>::len), Some(1));
    assert_eq!(desc.get("HasMoreShards"), Some(&Value::Bool(true)));
    assert_eq!(
        desc.get("StreamARN").and_then(Value::as_str),
        Some("arn:aws:kinesis:us-east-1:000000000000:stream/s")
    );
    // Retention: only up with Increase, only down with Decrease, 24..=8760 hours.
    assert_eq!(
        e.change_retention("s", 12, false, t(1)).unwrap_err().message,
        "Minimum allowed retention period is 24 hours. Requested retention period (12 hours) is too short."
    );
    assert!(e.change_retention("s", 12, true, t(1)).is_err());
    assert!(e.change_retention("s", 8761, true, t(1)).is_err());
    assert!(e
        .change_retention("s", 48, false, t(1))
        .unwrap_err()
        .message
        .contains("Use IncreaseRetentionPeriod API."));
    let r = e.handle(
        t(1),
        "Kinesis_20131202.IncreaseStreamRetentionPeriod",
        br#"{"StreamName":"s","RetentionPeriodHours":48}"#,
    );
    assert_eq!(r.status, 200);
    assert_eq!(e.retention_hours("s"), Some(48));
    assert!(e
        .change_retention("s", 24, true, t(1))
        .unwrap_err()
        .message
        .contains("Use DecreaseRetentionPeriod API."));
    // Records older than 24 hours survive a 48-hour retention.
    e.put_record("s", &rec("a", b"old"), t(2)).unwrap();
    let hours = |h: i64| h * 3_600_000;
    let shard = e.put_record("s", &rec("a", b"new"), t(hours(30))).unwrap().1;
    let it = e.get_shard_iterator("s", &shard, IteratorType::TrimHorizon, t(hours(30))).unwrap();
    assert_eq!(e.get_records(&it, None, t(hours(30))).unwrap().records.len(), 2);
    // DeleteStream.
    assert_eq!(e.handle(t(3), "Kinesis_20131202.DeleteStream", br#"{"StreamName":"s"}"#).status, 200);
    assert_eq!(e.delete_stream("s", false, t(4)).unwrap_err().code, "ResourceNotFoundException");
    assert!(e.shards("s").is_err());
}

#[test]
fn where_a_record_was_stored_is_written_as_its_strings() {
    for (shard_number, counter) in
        [(0, 0), (7, 1 << 40), (999_999_999_999, u64::MAX), (1_000_000_000_000, 5), (u64::MAX, 1)]
    {
        let at = StoredAt { shard_number, counter };
        let mut out = Vec::new();
        at.write_sequence_number(&mut out);
        assert_eq!(String::from_utf8(out).unwrap(), at.sequence_number());
        let mut out = Vec::new();
        at.write_shard_id(&mut out);
        assert_eq!(String::from_utf8(out).unwrap(), crate::shard_map::shard_id(shard_number));
    }
}

mod fan_out {
    use super::*;
    use crate::engine::consumers::{IDLE_EVENT_MS, SUBSCRIPTION_MS};
    use crate::engine::eventstream::read_messages;

    fn call(e: &mut Engine, now: Timestamp, action: &str, body: &str) -> (u16, serde_json::Value) {
        let r = e.handle(now, &format!("Kinesis_20131202.{action}"), body.as_bytes());
        let v =
            if r.body.is_empty() { serde_json::json!({}) } else { serde_json::from_slice(&r.body).unwrap() };
        (r.status, v)
    }

    const ARN: &str = "arn:aws:kinesis:us-east-1:000000000000:stream/s";

    fn register(e: &mut Engine, now: Timestamp, name: &str) -> String {
        let (status, v) = call(
            e,
            now,
            "RegisterStreamConsumer",
            &format!(r#"{{"StreamARN":"{ARN}","ConsumerName":"{name}"}}"#),
        );
        assert_eq!(status, 200, "{v}");
        v["Consumer"]["ConsumerARN"].as_str().unwrap().to_owned()
    }

    fn event(step: SubscriptionStep) -> serde_json::Value {
        match step {
            SubscriptionStep::Event(body) => serde_json::from_slice(&body).unwrap(),
            other => panic!("not an event: {other:?}"),
        }
    }

    #[test]
    fn consumers_register_describe_list_and_deregister() {
        let mut e = Engine::new(EngineConfig { create_delay_ms: 2000, ..EngineConfig::default() });
        e.create_stream("s", 1, t(0)).unwrap();
        let (status, v) = call(
            &mut e,
            t(5000),
            "RegisterStreamConsumer",
            &format!(r#"{{"StreamARN":"{ARN}","ConsumerName":"app"}}"#),
        );
        assert_eq!(status, 200);
        let c = &v["Consumer"];
        let arn = c["ConsumerARN"].as_str().unwrap().to_owned();
        assert_eq!(arn, format!("{ARN}/consumer/app:{}", t(5000).as_secs()));
        assert_eq!(c["ConsumerStatus"], "CREATING");
        assert_eq!(c["ConsumerCreationTimestamp"].as_f64().unwrap(), t(5000).as_millis() as f64 / 1000.0);
        // Described by ARN, or by stream and name; ACTIVE after the delay.
        let (_, d) =
            call(&mut e, t(7000), "DescribeStreamConsumer", &format!(r#"{{"ConsumerARN":"{arn}"}}"#));
        assert_eq!(d["ConsumerDescription"]["ConsumerStatus"], "ACTIVE");
        assert_eq!(d["ConsumerDescription"]["StreamARN"], ARN);
        let (_, d2) = call(
            &mut e,
            t(7000),
            "DescribeStreamConsumer",
            &format!(r#"{{"StreamARN":"{ARN}","ConsumerName":"app"}}"#),
        );
        assert_eq!(d, d2);
        // Errors.
        let (status, v) = call(
            &mut e,
            t(7000),
            "RegisterStreamConsumer",
            &format!(r#"{{"StreamARN":"{ARN}","ConsumerName":"app"}}"#),
        );
        assert_eq!((status, v["__type"].as_str().unwrap()), (400, "ResourceInUseException"));
        let (_, v) = call(&mut e, t(7000), "DescribeStreamConsumer", &format!(r#"{{"StreamARN":"{ARN}"}}"#));
        assert_eq!(v["__type"], "InvalidArgumentException");
        let (_, v) = call(
            &mut e,
            t(7000),
            "DescribeStreamConsumer",
            &format!(r#"{{"ConsumerARN":"{ARN}/consumer/app:1"}}"#),
        );
        assert_eq!(v["__type"], "ResourceNotFoundException");
        let (_, v) = call(&mut e, t(7000), "DescribeStreamConsumer", r#"{"ConsumerARN":"nope"}"#);
        assert_eq!(v["__type"], "ValidationException");
        let (_, v) = call(
            &mut e,
            t(7000),
            "RegisterStreamConsumer",
            r#"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/t","ConsumerName":"x"}"#,
        );
        assert_eq!(v["__type"], "ResourceNotFoundException");
        let (_, v) = call(
            &mut e,
            t(7000),
            "RegisterStreamConsumer",
            &format!(r#"{{"StreamARN":"{ARN}","ConsumerName":"a b"}}"#),
        );
        assert_eq!(v["__type"], "ValidationException");
        // At most 5 CREATING, 20 in all.
        for i in 0..4 {
            register(&mut e, t(8000), &format!("c{i}"));
        }
        register(&mut e, t(8000), "c4");
        let (_, v) = call(
            &mut e,
            t(8000),
            "RegisterStreamConsumer",
            &format!(r#"{{"StreamARN":"{ARN}","ConsumerName":"c5"}}"#),
        );
        assert_eq!(v["__type"], "LimitExceededException");
        for i in 5..19 {
            register(&mut e, t(20_000 + i * 3000), &format!("c{i}"));
        }
        let (_, v) = call(
            &mut e,
            t(100_000),
            "RegisterStreamConsumer",
            &format!(r#"{{"StreamARN":"{ARN}","ConsumerName":"c20"}}"#),
        );
        assert_eq!(v["__type"], "LimitExceededException", "{v}");
        // Listed in pages of MaxResults, in registration order.
        let mut names = Vec::new();
        let mut body = format!(r#"{{"StreamARN":"{ARN}","MaxResults":7}}"#);
        loop {
            let (status, v) = call(&mut e, t(100_000), "ListStreamConsumers", &body);
            assert_eq!(status, 200, "{v}");
            names.extend(
                v["Consumers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["ConsumerName"].as_str().unwrap().to_owned()),
            );
            let Some(token) = v["NextToken"].as_str() else { break };
            body = serde_json::json!({ "StreamARN": ARN, "NextToken": token, "MaxResults": 7 }).to_string();
        }
        assert_eq!(names.len(), 20);
        assert_eq!(names[0], "app");
        assert_eq!(names[19], "c18");
        // Deregistered: DELETING for the delay, then gone; registered again
        // under the same name, it has another ARN.
        let (status, _) =
            call(&mut e, t(100_000), "DeregisterStreamConsumer", &format!(r#"{{"ConsumerARN":"{arn}"}}"#));
        assert_eq!(status, 200);
        let (_, d) =
            call(&mut e, t(101_000), "DescribeStreamConsumer", &format!(r#"{{"ConsumerARN":"{arn}"}}"#));
        assert_eq!(d["ConsumerDescription"]["ConsumerStatus"], "DELETING");
        let (_, d) =
            call(&mut e, t(102_000), "DescribeStreamConsumer", &format!(r#"{{"ConsumerARN":"{arn}"}}"#));
        assert_eq!(d["__type"], "ResourceNotFoundException");
        let again = register(&mut e, t(102_000), "app");
        assert_ne!(again, arn);
        // Gone with their stream, which keeps them from going by mistake
        // (kinesis-mock's message).
        let err = e.delete_stream("s", false, t(102_500)).unwrap_err();
        assert_eq!(err.code, "ResourceInUseException");
        assert_eq!(
            err.message,
            "Consumers exist in stream s and enforceConsumerDeletion is either not set or is false"
        );
        let (status, _) =
            call(&mut e, t(102_600), "DeleteStream", r#"{"StreamName":"s","EnforceConsumerDeletion":"yes"}"#);
        assert_eq!(status, 400, "a Boolean member");
        let (status, _) =
            call(&mut e, t(102_600), "DeleteStream", r#"{"StreamName":"s","EnforceConsumerDeletion":true}"#);
        assert_eq!(status, 200);
        e.create_stream("s", 1, t(103_000)).unwrap();
        let (_, v) = call(&mut e, t(106_000), "ListStreamConsumers", &format!(r#"{{"StreamARN":"{ARN}"}}"#));
        assert_eq!(v["Consumers"], serde_json::json!([]));
    }

    #[test]
    fn a_subscription_pushes_records_as_they_arrive() {
        let mut e = engine_with(1);
        let arn = register(&mut e, t(0), "app");
        e.put_records("s", &[rec("a", b"1"), rec("b", b"2")], t(10)).unwrap();
        let id =
            e.subscribe_to_shard(&arn, "shardId-000000000000", IteratorType::TrimHorizon, t(20)).unwrap();
        let first = event(e.poll_subscription(id, t(20), false));
        let data: Vec<&str> =
            first["Records"].as_array().unwrap().iter().map(|r| r["Data"].as_str().unwrap()).collect();
        assert_eq!(data, ["MQ==", "Mg=="]);
        assert_eq!(first["ContinuationSequenceNumber"], first["Records"][1]["SequenceNumber"]);
        assert_eq!(first["MillisBehindLatest"], 0);
        assert!(first.get("ChildShards").is_none());
        // Nothing new: wait until an idle event is due.
        assert_eq!(e.poll_subscription(id, t(30), false), SubscriptionStep::Wait(t(20 + IDLE_EVENT_MS)));
        e.put_record("s", &rec("c", b"3"), t(40)).unwrap();
        let next = event(e.poll_subscription(id, t(50), false));
        assert_eq!(next["Records"].as_array().unwrap().len(), 1);
        assert_eq!(next["Records"][0]["Data"], "Mw==");
        // An event with no records when idle, where to continue from.
        let idle = event(e.poll_subscription(id, t(50 + IDLE_EVENT_MS), false));
        assert_eq!(idle["Records"], serde_json::json!([]));
        assert_eq!(idle["ContinuationSequenceNumber"], next["ContinuationSequenceNumber"]);
        // Subscribing again from the continuation point reads on from there.
        let cont = idle["ContinuationSequenceNumber"].as_str().unwrap().to_owned();
        e.put_record("s", &rec("d", b"4"), t(60 + IDLE_EVENT_MS)).unwrap();
        let later = t(60 + RESUBSCRIBE_MS_PLUS);
        let id2 = e
            .subscribe_to_shard(&arn, "shardId-000000000000", IteratorType::AfterSequenceNumber(&cont), later)
            .unwrap();
        let resumed = event(e.poll_subscription(id2, later, false));
        assert_eq!(resumed["Records"].as_array().unwrap().len(), 1);
        assert_eq!(resumed["Records"][0]["Data"], "NA==");
        // The first subscription was taken over.
        match e.poll_subscription(id, later, false) {
            SubscriptionStep::End(Some(err)) => assert_eq!(err.code, "ResourceInUseException"),
            other => panic!("{other:?}"),
        }
        // Five minutes on, the subscription ends.
        assert_eq!(
            e.poll_subscription(id2, later.add_millis(SUBSCRIPTION_MS), false),
            SubscriptionStep::End(None)
        );
        // And it is forgotten.
        assert!(matches!(
            e.poll_subscription(id2, later.add_millis(SUBSCRIPTION_MS), false),
            SubscriptionStep::End(Some(_))
        ));
    }

    const RESUBSCRIBE_MS_PLUS: i64 = crate::engine::consumers::RESUBSCRIBE_MS + IDLE_EVENT_MS + 1;

    #[test]
    fn subscribing_again_within_five_seconds_is_refused() {
        let mut e = engine_with(1);
        let arn = register(&mut e, t(0), "app");
        let id = e.subscribe_to_shard(&arn, "shardId-000000000000", IteratorType::Latest, t(0)).unwrap();
        let again = e.subscribe_to_shard(&arn, "shardId-000000000000", IteratorType::Latest, t(4999));
        assert_eq!(again.unwrap_err().code, "ResourceInUseException");
        // Even when the first one's reader went away.
        let mut closed = engine_with(1);
        let c = register(&mut closed, t(0), "app");
        let first =
            closed.subscribe_to_shard(&c, "shardId-000000000000", IteratorType::Latest, t(0)).unwrap();
        closed.end_subscription(first);
        let again = closed.subscribe_to_shard(&c, "shardId-000000000000", IteratorType::Latest, t(4999));
        assert_eq!(again.unwrap_err().code, "ResourceInUseException");
        assert!(closed.subscribe_to_shard(&c, "shardId-000000000000", IteratorType::Latest, t(5000)).is_ok());
        // Another shard, or another consumer, is another subscription.
        e.split_shard("s", "shardId-000000000000", 1u128 << 127, t(1)).unwrap();
        e.subscribe_to_shard(&arn, "shardId-000000000001", IteratorType::Latest, t(2)).unwrap();
        let other = register(&mut e, t(0), "other");
        e.subscribe_to_shard(&other, "shardId-000000000000", IteratorType::Latest, t(3)).unwrap();
        assert!(e.subscribe_to_shard(&arn, "shardId-000000000000", IteratorType::Latest, t(5000)).is_ok());
        assert!(matches!(e.poll_subscription(id, t(5000), false), SubscriptionStep::End(Some(_))));
        // Errors: unknown shard, a consumer not ACTIVE, bad ARN.
        let err =
            e.subscribe_to_shard(&arn, "shardId-000000000009", IteratorType::Latest, t(20_000)).unwrap_err();
        assert_eq!(err.code, "ResourceNotFoundException");
        let err = e
            .subscribe_to_shard("arn:nope", "shardId-000000000000", IteratorType::Latest, t(20_000))
            .unwrap_err();
        assert_eq!(err.code, "ResourceNotFoundException");
        let mut slow = Engine::new(EngineConfig { create_delay_ms: 1000, ..EngineConfig::default() });
        slow.create_stream("s", 1, t(0)).unwrap();
        let c = register(&mut slow, t(2000), "app");
        let err =
            slow.subscribe_to_shard(&c, "shardId-000000000000", IteratorType::Latest, t(2500)).unwrap_err();
        assert_eq!(err.code, "ResourceInUseException");
    }

    #[test]
    fn a_closed_shard_ends_with_its_children_and_deregistering_ends_subscriptions() {
        let mut e = engine_with(1);
        let arn = register(&mut e, t(0), "app");
        e.put_record("s", &rec("a", b"1"), t(1)).unwrap();
        let id = e.subscribe_to_shard(&arn, "shardId-000000000000", IteratorType::Latest, t(2)).unwrap();
        event(e.poll_subscription(id, t(2), false));
        e.put_record("s", &rec("b", b"2"), t(3)).unwrap();
        e.split_shard("s", "shardId-000000000000", 1u128 << 127, t(4)).unwrap();
        let last = event(e.poll_subscription(id, t(5), false));
        assert_eq!(last["Records"].as_array().unwrap().len(), 1, "{last}");
        let children: Vec<&str> =
            last["ChildShards"].as_array().unwrap().iter().map(|c| c["ShardId"].as_str().unwrap()).collect();
        assert_eq!(children, ["shardId-000000000001", "shardId-000000000002"]);
        assert_eq!(last["ChildShards"][0]["ParentShards"], serde_json::json!(["shardId-000000000000"]));
        assert_eq!(e.poll_subscription(id, t(6), false), SubscriptionStep::End(None));
        // Deregistering the consumer ends its subscriptions.
        let id =
            e.subscribe_to_shard(&arn, "shardId-000000000001", IteratorType::TrimHorizon, t(10)).unwrap();
        event(e.poll_subscription(id, t(10), false));
        e.deregister_stream_consumer(ConsumerRef::Arn(&arn), t(11)).unwrap();
        match e.poll_subscription(id, t(12), false) {
            SubscriptionStep::End(Some(err)) => assert_eq!(err.code, "ResourceNotFoundException"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_consumer_reads_at_most_its_shard_read_rate() {
        let mut e = engine_with(1);
        let arn = register(&mut e, t(0), "app");
        // 4 MiB in 1 KiB records, put over four seconds within the write limit.
        let data = vec![7u8; 1023];
        for second in 0..4 {
            let batch: Vec<UserRecord<'_>> = (0..1000).map(|_| rec("k", &data)).collect();
            for chunk in batch.chunks(500) {
                let out = e.put_records("s", chunk, t(second * 1000)).unwrap();
                assert!(out.iter().all(|o| matches!(o, PutOutcome::Stored(_))));
            }
        }
        let id =
            e.subscribe_to_shard(&arn, "shardId-000000000000", IteratorType::TrimHorizon, t(4000)).unwrap();
        let mut read = 0usize;
        let mut now = 4000;
        while read < 4000 && now < 10_000 {
            if let SubscriptionStep::Event(body) = e.poll_subscription(id, t(now), false) {
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                read += v["Records"].as_array().unwrap().len();
            }
            now += 100;
        }
        // 2 MiB at once, then 2 MiB a second: all 4 MiB took a second more.
        assert_eq!(read, 4000);
        assert!((4900..=5300).contains(&now), "read in {} ms", now - 4000);
    }

    #[test]
    fn a_backlog_goes_one_event_a_poll() {
        let mut e = Engine::new(EngineConfig { throttling: false, ..EngineConfig::default() });
        e.create_stream("s", 1, t(0)).unwrap();
        let arn = register(&mut e, t(0), "app");
        let data = [1u8; 10];
        for i in 0..50 {
            let batch: Vec<UserRecord<'_>> = (0..500).map(|_| rec("k", &data)).collect();
            e.put_records("s", &batch, t(i)).unwrap();
        }
        let id =
            e.subscribe_to_shard(&arn, "shardId-000000000000", IteratorType::TrimHorizon, t(100)).unwrap();
        let mut counts = Vec::new();
        loop {
            let out = e.poll_subscription_http(id, t(100));
            let messages = read_messages(&out.bytes).unwrap();
            assert!(messages.len() <= 1);
            if let Some((_, payload)) = messages.first() {
                let v: serde_json::Value = serde_json::from_slice(payload).unwrap();
                counts.push(v["Records"].as_array().unwrap().len());
            }
            if out.next != Some(t(100)) {
                break;
            }
        }
        assert_eq!(counts, [10_000, 10_000, 5_000], "GetRecords' 10,000 records an event at most");
    }

    #[test]
    fn over_http_as_an_event_stream() {
        let mut e = engine_with(1);
        let arn = register(&mut e, t(0), "app");
        e.put_record("s", &rec("a", b"hi"), t(1)).unwrap();
        let body = format!(
            r#"{{"ConsumerARN":"{arn}","ShardId":"shardId-000000000000","StartingPosition":{{"Type":"TRIM_HORIZON"}}}}"#
        );
        let headers = [
            ("X-Amz-Target", "Kinesis_20131202.SubscribeToShard"),
            ("Content-Type", "application/x-amz-json-1.1"),
        ];
        let a = e.answer_http(
            t(2),
            &HttpRequest { method: "POST", path: "/", headers: &headers, body: body.as_bytes() },
        );
        assert_eq!(a.response.status, 200);
        let id = a.subscription.expect("a subscription");
        let first = read_messages(&a.response.body).unwrap();
        assert_eq!(first.len(), 1);
        assert!(first[0].0.contains(&(":event-type".to_owned(), "initial-response".to_owned())));
        let out = e.poll_subscription_http(id, t(2));
        assert_eq!(out.next, Some(t(2)), "one event a poll: poll again at once");
        assert_eq!(
            e.poll_subscription_http(id, t(2)),
            HttpEvents { bytes: Vec::new(), next: Some(t(2 + IDLE_EVENT_MS)) }
        );
        let events = read_messages(&out.bytes).unwrap();
        assert_eq!(events.len(), 1);
        assert!(events[0].0.contains(&(":event-type".to_owned(), "SubscribeToShardEvent".to_owned())));
        let v: serde_json::Value = serde_json::from_slice(&events[0].1).unwrap();
        assert_eq!(v["Records"][0]["Data"], "aGk=");
        // Taken over: an exception message, and the end.
        let a2 = e.answer_http(
            t(6000),
            &HttpRequest { method: "POST", path: "/", headers: &headers, body: body.as_bytes() },
        );
        assert!(a2.subscription.is_some());
        let out = e.poll_subscription_http(id, t(6000));
        assert_eq!(out.next, None);
        let m = read_messages(&out.bytes).unwrap();
        assert!(m[0].0.contains(&(":exception-type".to_owned(), "ResourceInUseException".to_owned())));
        // A bad request is an ordinary error answer.
        let bad =
            r#"{"ConsumerARN":"x","ShardId":"shardId-000000000000","StartingPosition":{"Type":"NOPE"}}"#;
        let a3 = e.answer_http(
            t(7000),
            &HttpRequest { method: "POST", path: "/", headers: &headers, body: bad.as_bytes() },
        );
        assert_eq!(
            (a3.response.status, a3.subscription, a3.error_type.as_str()),
            (400, None, "ValidationException")
        );
        // A request in CBOR (the Java SDK's) gets its events in CBOR.
        let other = register(&mut e, t(7000), "java");
        let json = format!(
            r#"{{"ConsumerARN":"{other}","ShardId":"shardId-000000000000","StartingPosition":{{"Type":"TRIM_HORIZON"}}}}"#
        );
        let cbor_body = crate::engine::cbor::answer_from_json(json.as_bytes());
        let cbor_headers = [
            ("X-Amz-Target", "Kinesis_20131202.SubscribeToShard"),
            ("Content-Type", crate::engine::cbor::CONTENT_TYPE),
        ];
        let a = e.answer_http(
            t(7000),
            &HttpRequest { method: "POST", path: "/", headers: &cbor_headers, body: &cbor_body },
        );
        let id = a.subscription.expect("a subscription");
        let out = e.poll_subscription_http(id, t(7000));
        let (headers, payload) = &read_messages(&out.bytes).unwrap()[0];
        assert!(headers.contains(&(":content-type".to_owned(), crate::engine::cbor::CONTENT_TYPE.to_owned())));
        let v: serde_json::Value =
            serde_json::from_slice(&crate::engine::cbor::request_to_json(payload).unwrap()).unwrap();
        assert_eq!(v["Records"][0]["Data"], "aGk=");
        // Through handle (one answer, no stream), SubscribeToShard is refused.
        let r = e.handle(t(20_000), "Kinesis_20131202.SubscribeToShard", body.as_bytes());
        assert_eq!(r.status, 400);
        assert!(String::from_utf8_lossy(&r.body).contains("InvalidArgumentException"));
    }
}

#[test]
fn limits_monitoring_and_encryption() {
    fn call(e: &mut Engine, action: &str, body: &str) -> (u16, serde_json::Value) {
        let r = e.handle(t(10), &format!("Kinesis_20131202.{action}"), body.as_bytes());
        let v =
            if r.body.is_empty() { serde_json::json!({}) } else { serde_json::from_slice(&r.body).unwrap() };
        (r.status, v)
    }
    let mut e = engine_with(3);
    e.create_stream("t", 2, t(0)).unwrap();
    let (_, l) = call(&mut e, "DescribeLimits", "{}");
    assert_eq!(
        l,
        serde_json::json!({ "ShardLimit": 10000, "OpenShardCount": 5, "OnDemandStreamCount": 0, "OnDemandStreamCountLimit": 50 })
    );
    // Enhanced monitoring: ALL, then one off; both actions answer before and after.
    let (status, m) = call(
        &mut e,
        "EnableEnhancedMonitoring",
        r#"{"StreamName":"s","ShardLevelMetrics":["IncomingBytes"]}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(m["CurrentShardLevelMetrics"], serde_json::json!([]));
    assert_eq!(m["DesiredShardLevelMetrics"], serde_json::json!(["IncomingBytes"]));
    assert_eq!(m["StreamARN"], "arn:aws:kinesis:us-east-1:000000000000:stream/s");
    call(&mut e, "EnableEnhancedMonitoring", r#"{"StreamName":"s","ShardLevelMetrics":["ALL"]}"#);
    let (_, m) = call(
        &mut e,
        "DisableEnhancedMonitoring",
        r#"{"StreamName":"s","ShardLevelMetrics":["OutgoingBytes","IncomingBytes"]}"#,
    );
    assert_eq!(m["CurrentShardLevelMetrics"].as_array().unwrap().len(), 7);
    assert_eq!(
        m["DesiredShardLevelMetrics"],
        serde_json::json!([
            "IncomingRecords",
            "OutgoingRecords",
            "WriteProvisionedThroughputExceeded",
            "ReadProvisionedThroughputExceeded",
            "IteratorAgeMilliseconds"
        ])
    );
    let (_, d) = call(&mut e, "DescribeStreamSummary", r#"{"StreamName":"s"}"#);
    assert_eq!(
        d["StreamDescriptionSummary"]["EnhancedMonitoring"][0]["ShardLevelMetrics"],
        m["DesiredShardLevelMetrics"]
    );
    let (status, bad) =
        call(&mut e, "EnableEnhancedMonitoring", r#"{"StreamName":"s","ShardLevelMetrics":["Nope"]}"#);
    assert_eq!((status, bad["__type"].as_str().unwrap()), (400, "ValidationException"));
    assert!(bad["message"].as_str().unwrap().contains("Value '[Nope]' at 'shardLevelMetrics'"));
    let (_, bad) = call(&mut e, "EnableEnhancedMonitoring", r#"{"StreamName":"s","ShardLevelMetrics":[]}"#);
    assert_eq!(bad["__type"], "ValidationException");
    let (_, bad) =
        call(&mut e, "EnableEnhancedMonitoring", r#"{"StreamName":"nope","ShardLevelMetrics":["ALL"]}"#);
    assert_eq!(bad["__type"], "ResourceNotFoundException");
    // Encryption: KMS with a key, shown by both descriptions; then off.
    let key = "arn:aws:kms:us-east-1:000000000000:key/12345678-1234-1234-1234-123456789012";
    let (status, _) = call(
        &mut e,
        "StartStreamEncryption",
        &format!(r#"{{"StreamName":"s","EncryptionType":"KMS","KeyId":"{key}"}}"#),
    );
    assert_eq!(status, 200);
    let (_, d) = call(&mut e, "DescribeStream", r#"{"StreamName":"s"}"#);
    assert_eq!(
        (d["StreamDescription"]["EncryptionType"].as_str(), d["StreamDescription"]["KeyId"].as_str()),
        (Some("KMS"), Some(key))
    );
    let (_, d) = call(&mut e, "DescribeStreamSummary", r#"{"StreamName":"s"}"#);
    assert_eq!(d["StreamDescriptionSummary"]["KeyId"], key);
    // Puts say the stream encrypts.
    let (_, p) = call(&mut e, "PutRecord", r#"{"StreamName":"s","PartitionKey":"k","Data":"AA=="}"#);
    assert_eq!(p["EncryptionType"], "KMS");
    let (_, p) =
        call(&mut e, "PutRecords", r#"{"StreamName":"s","Records":[{"PartitionKey":"k","Data":"AA=="}]}"#);
    assert_eq!(p["EncryptionType"], "KMS");
    call(
        &mut e,
        "StopStreamEncryption",
        &format!(r#"{{"StreamName":"s","EncryptionType":"KMS","KeyId":"{key}"}}"#),
    );
    let (_, d) = call(&mut e, "DescribeStreamSummary", r#"{"StreamName":"s"}"#);
    assert_eq!(d["StreamDescriptionSummary"]["EncryptionType"], "NONE");
    assert!(d["StreamDescriptionSummary"].get("KeyId").is_none());
    for (body, code) in [
        (
            r#"{"StreamName":"s","EncryptionType":"NONE","KeyId":"alias/aws/kinesis"}"#,
            "InvalidArgumentException",
        ),
        (r#"{"StreamName":"s","EncryptionType":"KMS","KeyId":"not-a-key"}"#, "InvalidArgumentException"),
        (
            r#"{"StreamName":"s","EncryptionType":"KMS","KeyId":"arn:aws:kms:us-east-1:1:key/x"}"#,
            "InvalidArgumentException",
        ),
        (r#"{"StreamName":"s","EncryptionType":"AES","KeyId":"alias/aws/kinesis"}"#, "ValidationException"),
        (r#"{"StreamName":"s","EncryptionType":"KMS"}"#, "ValidationException"),
    ] {
        let (_, v) = call(&mut e, "StartStreamEncryption", body);
        assert_eq!(v["__type"], code, "{body}");
    }
    let (status, _) = call(
        &mut e,
        "StartStreamEncryption",
        r#"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/t","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(e.encryption_key("t"), Some("alias/aws/kinesis"));
    // ConsumerCount follows registered consumers.
    e.register_stream_consumer("arn:aws:kinesis:us-east-1:000000000000:stream/s", "c", t(10)).unwrap();
    let (_, d) = call(&mut e, "DescribeStreamSummary", r#"{"StreamName":"s"}"#);
    assert_eq!(d["StreamDescriptionSummary"]["ConsumerCount"], 1);
}

#[test]
fn capacity_mode_is_kept_and_reported() {
    fn call(e: &mut Engine, action: &str, body: &str) -> (u16, serde_json::Value) {
        let r = e.handle(t(10), &format!("Kinesis_20131202.{action}"), body.as_bytes());
        let v =
            if r.body.is_empty() { serde_json::json!({}) } else { serde_json::from_slice(&r.body).unwrap() };
        (r.status, v)
    }
    let mode = |e: &mut Engine, name: &str| {
        let (_, d) = call(e, "DescribeStreamSummary", &format!(r#"{{"StreamName":"{name}"}}"#));
        d["StreamDescriptionSummary"]["StreamModeDetails"]["StreamMode"].as_str().unwrap().to_owned()
    };
    let mut e = Engine::new(EngineConfig::default());
    call(&mut e, "CreateStream", r#"{"StreamName":"p","ShardCount":2}"#);
    call(&mut e, "CreateStream", r#"{"StreamName":"d"}"#);
    call(&mut e, "CreateStream", r#"{"StreamName":"o","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}"#);
    call(
        &mut e,
        "CreateStream",
        r#"{"StreamName":"q","ShardCount":1,"StreamModeDetails":{"StreamMode":"PROVISIONED"}}"#,
    );
    assert_eq!(
        [mode(&mut e, "p"), mode(&mut e, "d"), mode(&mut e, "o"), mode(&mut e, "q")],
        ["PROVISIONED", "ON_DEMAND", "ON_DEMAND", "PROVISIONED"]
    );
    let (_, d) = call(&mut e, "DescribeStream", r#"{"StreamName":"o"}"#);
    assert_eq!(d["StreamDescription"]["StreamModeDetails"]["StreamMode"], "ON_DEMAND");
    assert_eq!(e.describe_limits().on_demand_stream_count, 2);
    let (status, _) = call(
        &mut e,
        "UpdateStreamMode",
        r#"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/p","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(mode(&mut e, "p"), "ON_DEMAND");
    assert_eq!(e.describe_limits().on_demand_stream_count, 3);
    let (_, bad) =
        call(&mut e, "CreateStream", r#"{"StreamName":"x","StreamModeDetails":{"StreamMode":"FAST"}}"#);
    assert_eq!(bad["__type"], "ValidationException");
    assert!(e.stream_mode("x").is_none(), "not created");
    let (_, bad) = call(
        &mut e,
        "UpdateStreamMode",
        r#"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/nope","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}"#,
    );
    assert_eq!(bad["__type"], "ResourceNotFoundException");
    let (_, bad) = call(
        &mut e,
        "UpdateStreamMode",
        r#"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/p"}"#,
    );
    assert_eq!(bad["__type"], "ValidationException");
    // At most 50 on-demand streams in the account.
    for i in 0..47 {
        assert_eq!(call(&mut e, "CreateStream", &format!(r#"{{"StreamName":"od{i}"}}"#)).0, 200);
    }
    let (_, bad) = call(&mut e, "CreateStream", r#"{"StreamName":"one-too-many"}"#);
    assert_eq!(bad["__type"], "LimitExceededException");
    assert!(e.stream_mode("one-too-many").is_none(), "not created");
    assert_eq!(call(&mut e, "CreateStream", r#"{"StreamName":"provisioned","ShardCount":1}"#).0, 200);
}

/// `UPDATING` and `DELETING`, for the configured delays.
mod phases {
    use super::*;

    fn call(e: &mut Engine, now: Timestamp, action: &str, body: &str) -> (u16, serde_json::Value) {
        let r = e.handle(now, &format!("Kinesis_20131202.{action}"), body.as_bytes());
        let v =
            if r.body.is_empty() { serde_json::json!({}) } else { serde_json::from_slice(&r.body).unwrap() };
        (r.status, v)
    }

    fn slow() -> Engine {
        let mut e = Engine::new(EngineConfig {
            update_delay_ms: 500,
            delete_delay_ms: 300,
            ..EngineConfig::default()
        });
        e.create_stream("s", 1, t(0)).unwrap();
        e
    }

    fn status(e: &mut Engine, now: Timestamp) -> serde_json::Value {
        let (_, d) = call(e, now, "DescribeStreamSummary", r#"{"StreamName":"s"}"#);
        d["StreamDescriptionSummary"]["StreamStatus"].clone()
    }

    const HALF: &str = "170141183460469231731687303715884105728";

    #[test]
    fn a_reshard_takes_effect_when_the_update_ends() {
        let mut e = slow();
        let split = format!(
            r#"{{"StreamName":"s","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"{HALF}"}}"#
        );
        assert_eq!(call(&mut e, t(1_000), "SplitShard", &split).0, 200);
        assert_eq!(status(&mut e, t(1_100)), "UPDATING");
        // Meanwhile the old shard takes writes and reads, and nothing else
        // may change the stream (kinesalite's message).
        assert_eq!(e.shards("s").unwrap().len(), 1);
        let (_, before) = e.put_record("s", &rec("a", b"before"), t(1_200)).unwrap();
        assert_eq!(before, "shardId-000000000000");
        let (status_code, refused) = call(&mut e, t(1_300), "SplitShard", &split);
        assert_eq!(status_code, 400);
        assert_eq!(refused["__type"], "ResourceInUseException");
        assert_eq!(
            refused["message"],
            "Stream s under account 000000000000 not ACTIVE, instead in state UPDATING"
        );
        for (action, body) in [
            (
                "UpdateShardCount",
                r#"{"StreamName":"s","TargetShardCount":2,"ScalingType":"UNIFORM_SCALING"}"#,
            ),
            (
                "StartStreamEncryption",
                r#"{"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"}"#,
            ),
            ("IncreaseStreamRetentionPeriod", r#"{"StreamName":"s","RetentionPeriodHours":48}"#),
            ("DecreaseStreamRetentionPeriod", r#"{"StreamName":"s","RetentionPeriodHours":24}"#),
            ("DeleteStream", r#"{"StreamName":"s"}"#),
        ] {
            assert_eq!(
                call(&mut e, t(1_300), action, body).1["__type"],
                "ResourceInUseException",
                "{action}"
            );
        }
        // Done at 1,500 ms: the parent closed then, its record still there.
        assert_eq!(status(&mut e, t(1_500)), "ACTIVE");
        let shards = e.shards("s").unwrap();
        assert_eq!(shards.len(), 3);
        assert!(shards[0].ending_sequence_number.is_some());
        assert_eq!(shards[1].parent_shard_id.as_deref(), Some("shardId-000000000000"));
        assert_eq!(first_bytes(&mut e, t(1_600)), b"b");
        let (_, after) = e.put_record("s", &rec("a", b"after"), t(1_600)).unwrap();
        assert_ne!(after, "shardId-000000000000");
    }

    #[test]
    fn an_update_ends_at_its_time_whenever_the_engine_is_next_called() {
        let shards_seen_at = |ms: i64| {
            let mut e = slow();
            e.update_shard_count("s", 2, t(1_000)).unwrap();
            e.advance(t(ms));
            e.shards("s").unwrap()
        };
        let soon = shards_seen_at(1_500);
        assert_eq!(soon.iter().filter(|s| s.ending_sequence_number.is_none()).count(), 2);
        assert_eq!(soon, shards_seen_at(90_000));
        assert_eq!(shards_seen_at(1_499).len(), 1, "not before");
    }

    #[test]
    fn encryption_starts_when_the_stream_is_active_again() {
        let mut e = slow();
        let start = r#"{"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"}"#;
        assert_eq!(call(&mut e, t(1_000), "StartStreamEncryption", start).0, 200);
        let put = r#"{"StreamName":"s","PartitionKey":"a","Data":"AA=="}"#;
        let (_, during) = call(&mut e, t(1_100), "PutRecord", put);
        assert_ne!(during["EncryptionType"], "KMS");
        let (_, after) = call(&mut e, t(1_500), "PutRecord", put);
        assert_eq!(after["EncryptionType"], "KMS");
        // UpdateStreamMode: the mode at once, UPDATING for the delay.
        let mode = r#"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}"#;
        assert_eq!(call(&mut e, t(2_000), "UpdateStreamMode", mode).0, 200);
        assert_eq!(status(&mut e, t(2_000)), "UPDATING");
        assert_eq!(e.stream_mode("s"), Some("ON_DEMAND"));
        assert_eq!(status(&mut e, t(2_500)), "ACTIVE");
    }

    #[test]
    fn a_deleted_stream_is_deleting_then_gone() {
        let mut e = slow();
        e.put_record("s", &rec("a", b"x"), t(10)).unwrap();
        assert_eq!(call(&mut e, t(1_000), "DeleteStream", r#"{"StreamName":"s"}"#).0, 200);
        assert_eq!(status(&mut e, t(1_100)), "DELETING");
        let (_, d) = call(&mut e, t(1_100), "DescribeStream", r#"{"StreamName":"s"}"#);
        assert_eq!(d["StreamDescription"]["StreamStatus"], "DELETING");
        let (_, l) = call(&mut e, t(1_100), "ListStreams", "{}");
        assert_eq!(l["StreamNames"], serde_json::json!(["s"]));
        // Writes and reads are refused (as kinesalite refuses writes), the
        // name is taken, and it cannot be deleted again.
        let (_, put) =
            call(&mut e, t(1_100), "PutRecord", r#"{"StreamName":"s","PartitionKey":"a","Data":"AA=="}"#);
        assert_eq!(put["__type"], "ResourceNotFoundException");
        let it = r#"{"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}"#;
        assert_eq!(call(&mut e, t(1_100), "GetShardIterator", it).1["__type"], "ResourceNotFoundException");
        let (_, again) = call(&mut e, t(1_100), "CreateStream", r#"{"StreamName":"s","ShardCount":1}"#);
        assert_eq!(again["__type"], "ResourceInUseException");
        let (_, twice) = call(&mut e, t(1_100), "DeleteStream", r#"{"StreamName":"s"}"#);
        assert_eq!(
            twice["message"],
            "Stream s under account 000000000000 not ACTIVE, instead in state DELETING"
        );
        // Gone at 1,300 ms; the name is free again, the new stream empty.
        let (_, gone) = call(&mut e, t(1_300), "DescribeStream", r#"{"StreamName":"s"}"#);
        assert_eq!(gone["__type"], "ResourceNotFoundException");
        assert_eq!(call(&mut e, t(1_300), "CreateStream", r#"{"StreamName":"s","ShardCount":1}"#).0, 200);
        assert!(first_bytes(&mut e, t(1_400)).is_empty());
    }

    #[test]
    fn without_delays_everything_is_at_once() {
        let mut e = engine_with(1);
        e.update_shard_count("s", 2, t(1)).unwrap();
        assert_eq!(e.status("s", t(1)), Some("ACTIVE"));
        assert_eq!(e.shards("s").unwrap().len(), 3);
        e.delete_stream("s", false, t(2)).unwrap();
        assert_eq!(e.status("s", t(2)), None);
        e.create_stream("s", 1, t(2)).unwrap();
    }
}

/// Reshards of every kind in any order, puts between them, time passing
/// (with and without an UPDATING phase): the open shards always cover the
/// hash key range once, each record is stored where its answer said, on
/// the open shard owning its hash key, and a reader going through the
/// lineage (parents first) reads every record once and, per key, in the
/// order they were put: Kinesis's ordering across reshards.
#[cfg(not(target_arch = "wasm32"))]
mod reshard_properties {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Put { key: u8, n: u8 },
        Split { pick: u8, at: u8 },
        Merge { pick: u8 },
        Scale { target: u8 },
        Wait { ms: u16 },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u8..24, 1u8..6).prop_map(|(key, n)| Op::Put { key, n }),
            1 => (any::<u8>(), 1u8..255).prop_map(|(pick, at)| Op::Split { pick, at }),
            1 => any::<u8>().prop_map(|pick| Op::Merge { pick }),
            1 => (1u8..9).prop_map(|target| Op::Scale { target }),
            2 => (0u16..3_000).prop_map(|ms| Op::Wait { ms }),
        ]
    }

    /// Open shards sorted by starting hash key.
    fn open(e: &Engine) -> Vec<ShardInfo> {
        let mut open: Vec<ShardInfo> =
            e.shards("s").unwrap().into_iter().filter(|s| s.closed.is_none()).collect();
        open.sort_by_key(|s| s.starting_hash_key);
        open
    }

    /// Sequence numbers in order (all 56 digits here, but not assumed).
    fn seq_key(s: &str) -> (usize, &str) {
        (s.len(), s)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        #[test]
        fn reshards_keep_coverage_placement_and_per_key_order(
            shards in 1u32..5,
            delay in prop_oneof![Just(0u32), Just(1_000u32)],
            ops in proptest::collection::vec(op(), 1..40),
        ) {
            let mut e = Engine::new(EngineConfig { throttling: false, update_delay_ms: delay, ..EngineConfig::default() });
            e.create_stream("s", shards, t(0)).unwrap();
            let mut now = 1i64;
            // (key, counter) -> (shard, sequence number), as answered.
            let mut acked: Vec<((String, u32), (String, String))> = Vec::new();
            let mut counter = 0u32;
            for op in &ops {
                now += 1;
                let at = t(now);
                match *op {
                    Op::Put { key, n } => {
                        let key = format!("k{key}");
                        let data: Vec<Vec<u8>> = (0..n).map(|i| (counter + u32::from(i)).to_be_bytes().to_vec()).collect();
                        let records: Vec<UserRecord<'_>> = data.iter().map(|d| rec(&key, d)).collect();
                        let outcomes = e.put_records("s", &records, at).unwrap();
                        for o in outcomes {
                            let PutOutcome::Stored(stored) = o else { panic!("throttling is off") };
                            acked.push(((key.clone(), counter), (stored.shard_id(), stored.sequence_number())));
                            counter += 1;
                        }
                    }
                    Op::Split { pick, at: frac } => {
                        let open = open(&e);
                        let s = &open[usize::from(pick) % open.len()];
                        let width = s.ending_hash_key - s.starting_hash_key;
                        let key = s.starting_hash_key + width / 256 * u128::from(frac) + 1;
                        if let Err(err) = e.split_shard("s", &s.shard_id, key.min(s.ending_hash_key), at) {
                            prop_assert!(["ResourceInUseException", "InvalidArgumentException", "LimitExceededException"].contains(&err.code), "{err:?}");
                        }
                    }
                    Op::Merge { pick } => {
                        let open = open(&e);
                        if open.len() > 1 {
                            let i = usize::from(pick) % (open.len() - 1);
                            if let Err(err) = e.merge_shards("s", &open[i].shard_id, &open[i + 1].shard_id, at) {
                                prop_assert!(["ResourceInUseException", "LimitExceededException"].contains(&err.code), "{err:?}");
                            }
                        }
                    }
                    Op::Scale { target } => {
                        if let Err(err) = e.update_shard_count("s", u32::from(target), at) {
                            prop_assert!(["ResourceInUseException", "LimitExceededException", "InvalidArgumentException"].contains(&err.code), "{err:?}");
                        }
                    }
                    Op::Wait { ms } => now += i64::from(ms),
                }
                e.advance(t(now));
                // The open shards cover 0..=2^128-1, once.
                let open = open(&e);
                prop_assert_eq!(open[0].starting_hash_key, 0);
                prop_assert_eq!(open[open.len() - 1].ending_hash_key, u128::MAX);
                for w in open.windows(2) {
                    prop_assert_eq!(w[0].ending_hash_key + 1, w[1].starting_hash_key, "{:?}", open);
                }
            }
            // Read every shard to its end; parents before children is the
            // order of shard ids here (children are made after parents).
            now += 10_000;
            e.advance(t(now));
            let all = e.shards("s").unwrap();
            let mut read: Vec<((String, u32), (String, String))> = Vec::new();
            for shard in &all {
                let mut it = e.get_shard_iterator("s", &shard.shard_id, IteratorType::TrimHorizon, t(now)).unwrap();
                loop {
                    now += 1_000;
                    let page = e.get_records(&it, None, t(now)).unwrap();
                    for r in &page.records {
                        let c = u32::from_be_bytes(r.data.as_slice().try_into().unwrap());
                        // Stored on a shard whose range holds its hash key.
                        let h = crate::partition::hash_key(&r.partition_key);
                        prop_assert!(shard.starting_hash_key <= h && h <= shard.ending_hash_key);
                        read.push(((r.partition_key.clone(), c), (shard.shard_id.clone(), r.sequence_number.clone())));
                    }
                    match page.next_shard_iterator {
                        Some(next) if !page.records.is_empty() => it = next,
                        _ => break,
                    }
                }
            }
            // Each record once, where its answer said.
            let mut sorted_read = read.clone();
            sorted_read.sort();
            let mut sorted_acked = acked.clone();
            sorted_acked.sort();
            prop_assert_eq!(&sorted_read, &sorted_acked);
            // Per key, sequence numbers grow in put order, across shards.
            let mut last: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
            for ((key, _), (_, seq)) in &acked {
                if let Some(prev) = last.insert(key, seq) {
                    prop_assert!(seq_key(seq) > seq_key(prev), "key {}: {} after {}", key, seq, prev);
                }
            }
            // Closed shards' ranges are covered by children opened when
            // they closed, whose sequence numbers start above theirs.
            for shard in all.iter().filter(|s| s.closed.is_some()) {
                let end = shard.ending_sequence_number.as_deref().unwrap();
                for child in all.iter().filter(|c| c.parent_shard_id.as_deref() == Some(&shard.shard_id) || c.adjacent_parent_shard_id.as_deref() == Some(&shard.shard_id)) {
                    prop_assert!(seq_key(&child.starting_sequence_number) > seq_key(end), "{:?} -> {:?}", shard, child);
                }
            }
        }
    }
}
