use super::*;

fn rec<'a>(key: &'a str, data: &'a [u8]) -> UserRecord<'a> {
    UserRecord { partition_key: key, explicit_hash_key: None, data }
}

fn text(e: &Encoded) -> &str {
    core::str::from_utf8(&e.body).unwrap()
}

#[test]
fn put_records_body() {
    let e = put_records(
        Stream::Name("s"),
        &[rec("k\"1", b"hello"), UserRecord { partition_key: "é", explicit_hash_key: Some("42"), data: b"" }],
    );
    assert_eq!(e.target, "Kinesis_20131202.PutRecords");
    assert_eq!(
        text(&e),
        r#"{"Records":[{"Data":"aGVsbG8=","PartitionKey":"k\"1"},{"Data":"","ExplicitHashKey":"42","PartitionKey":"é"}],"StreamName":"s"}"#
    );
    let e = put_records(Stream::Arn("arn:aws:kinesis:us-east-1:1:stream/s"), &[rec("k", b"\xff")]);
    assert_eq!(
        text(&e),
        r#"{"Records":[{"Data":"/w==","PartitionKey":"k"}],"StreamARN":"arn:aws:kinesis:us-east-1:1:stream/s"}"#
    );
}

#[test]
fn other_bodies() {
    let r = UserRecord { partition_key: "k", explicit_hash_key: Some("1"), data: b"ab" };
    assert_eq!(
        text(&put_record(Stream::Name("s"), &r, Some("9"))),
        r#"{"Data":"YWI=","StreamName":"s","PartitionKey":"k","ExplicitHashKey":"1","SequenceNumberForOrdering":"9"}"#
    );
    assert_eq!(
        text(&list_shards(&ListShards { stream: Some(Stream::Name("s")), ..Default::default() })),
        r#"{"StreamName":"s"}"#
    );
    assert_eq!(
        text(&list_shards(&ListShards {
            stream: Some(Stream::Name("s")),
            next_token: Some("t"),
            max_results: Some(100),
            shard_filter: Some(ShardFilter::AtTimestamp(1_700_000_000.0)),
            ..Default::default()
        })),
        r#"{"NextToken":"t","MaxResults":100,"ShardFilter":{"Type":"AT_TIMESTAMP","Timestamp":1700000000}}"#
    );
    assert_eq!(
        text(&firehose_put_record_batch("d", &[&b"a\n"[..], b""])),
        r#"{"DeliveryStreamName":"d","Records":[{"Data":"YQo="},{"Data":""}]}"#
    );
    assert_eq!(
        text(&firehose_put_record("d", b"x")),
        r#"{"DeliveryStreamName":"d","Record":{"Data":"eA=="}}"#
    );
}

#[test]
fn decodes_partial_failures() {
    let body = br#"{"FailedRecordCount":1,"Records":[{"SequenceNumber":"49543463076548007577105092703039560359975228518395012098","ShardId":"shardId-000000000000"},{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard shardId-000000000001 in stream s under account 1."}],"EncryptionType":"NONE"}"#;
    let r = decode_put_records(body).unwrap();
    assert_eq!(r.failed, 1);
    assert!(matches!(&r.records[0], RecordResult::Ok { shard_id, .. } if shard_id == "shardId-000000000000"));
    assert!(
        matches!(&r.records[1], RecordResult::Failed { code, .. } if code == "ProvisionedThroughputExceededException")
    );
    // The count must agree with the entries.
    assert!(decode_put_records(
        br#"{"FailedRecordCount":0,"Records":[{"ErrorCode":"InternalFailure","ErrorMessage":"x"}]}"#
    )
    .is_err());
    let f = decode_put_record_batch(br#"{"FailedPutCount":1,"Encrypted":false,"RequestResponses":[{"RecordId":"abc"},{"ErrorCode":"ServiceUnavailableException","ErrorMessage":"Slow down."}]}"#).unwrap();
    assert_eq!(f.records.len(), 2);
    assert_eq!(
        decode_put_record(br#"{"SequenceNumber":"1","ShardId":"shardId-000000000000"}"#).unwrap().0,
        "1"
    );
}

#[test]
fn decodes_a_gateways_answer_every_event_once() {
    let ok = || RecordResult::Ok { sequence_number: String::new(), shard_id: String::new() };
    let refused =
        |code: &str, message: &str| RecordResult::Failed { code: code.into(), message: message.into() };
    let r = decode_gateway_answer(
        br#"{"accepted":[2,0],"rejected":[{"index":3,"code":"aws#InvalidEvent:x","message":"not JSON"},{"index":1}]}"#,
        4,
    )
    .unwrap();
    assert_eq!(r.records, [ok(), refused("Rejected", ""), ok(), refused("InvalidEvent", "not JSON")]);
    assert_eq!(r.failed, 2);
    assert_eq!(decode_gateway_answer(br#"{"accepted":[],"rejected":[]}"#, 0).unwrap().records, []);
    // An event answered twice: the refusal stands.
    let r = decode_gateway_answer(br#"{"accepted":[0],"rejected":[{"index":0,"code":"EventTooLarge"}]}"#, 1);
    assert_eq!(r.unwrap().records, [refused("EventTooLarge", "")]);
    for bad in [
        &br#"{"accepted":[0],"rejected":[]}"#[..], // event 1 unanswered
        br#"{"accepted":[0,0],"rejected":[]}"#,    // twice, and 1 unanswered
        br#"{"accepted":[0,2],"rejected":[]}"#,    // no event 2
        br#"{"accepted":[0,-1],"rejected":[]}"#,
        br#"{"accepted":[0,"1"],"rejected":[]}"#,
        br#"{"accepted":[0],"rejected":[{"code":"x"}]}"#,
        br#"{"accepted":[0,1]}"#,
        br#"{"rejected":[]}"#,
        br#"[0,1]"#,
        b"<html>",
    ] {
        assert!(decode_gateway_answer(bad, 2).is_err(), "{}", String::from_utf8_lossy(bad));
    }
}

#[test]
fn decodes_list_shards() {
    let body = br#"{"NextToken":"AAA","Shards":[{"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"340282366920938463463374607431768211455"},"SequenceNumberRange":{"StartingSequenceNumber":"1","EndingSequenceNumber":"2"}},{"ShardId":"shardId-000000000001","ParentShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"340282366920938463463374607431768211455"},"SequenceNumberRange":{"StartingSequenceNumber":"3"}}]}"#;
    let page = decode_list_shards(body).unwrap();
    assert_eq!(page.next_token.as_deref(), Some("AAA"));
    assert!(!page.shards[0].open && page.shards[1].open);
    assert_eq!(page.shards[1].parent.as_deref(), Some("shardId-000000000000"));
    assert!(decode_list_shards(
        br#"{"Shards":[{"ShardId":"x","HashKeyRange":{"StartingHashKey":"-1","EndingHashKey":"1"}}]}"#
    )
    .is_err());
}

#[test]
fn decodes_errors() {
    let e = decode_error(400, None, br#"{"__type":"com.amazonaws.kinesis.v20131202#ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.kinesis/","message":"Stream s under account 1 not found."}"#);
    assert_eq!(e.code, "ResourceNotFoundException");
    assert_eq!(e.message, "Stream s under account 1 not found.");
    assert!(!e.is_retryable());
    let e = decode_error(
        400,
        Some("ProvisionedThroughputExceededException:http://x"),
        br#"{"message":"Rate exceeded"}"#,
    );
    assert_eq!(e.code, "ProvisionedThroughputExceededException");
    assert!(e.is_retryable() && e.is_throttling());
    let e = decode_error(400, None, br#"{"__type":"KMSThrottlingException","Message":"slow"}"#);
    assert!(e.is_retryable());
    assert_eq!(e.message, "slow");
    let e = decode_error(502, None, b"<html>Bad Gateway</html>");
    assert_eq!(e.code, "InternalFailure");
    assert!(e.is_retryable());
    let e = decode_error(403, None, b"");
    assert_eq!((e.code.as_str(), e.message.as_str()), ("Http403", "HTTP 403"));
    assert!(!e.is_retryable());
    // What answered when AWS did not says so, on one line, cut short.
    let e = decode_error(403, None, b"<html>\r\n<h1>Forbidden</h1>\n</html>\n");
    assert_eq!(e.message, "HTTP 403: <html>  <h1>Forbidden</h1> </html>");
    let e = decode_error(502, None, "upstream connect error \u{e9}".repeat(20).as_bytes());
    assert_eq!(e.code, "InternalFailure");
    assert!(e.message.starts_with("HTTP 502: upstream connect error \u{e9}upstream"));
    assert!(e.message.len() <= "HTTP 502: ".len() + 160 && e.message.len() >= "HTTP 502: ".len() + 159);
    // AWS's own errors keep their message, or none.
    assert_eq!(decode_error(400, None, br#"{"__type":"RequestExpired"}"#).message, "");
    // 429 is throttling whatever the body says (a proxy's HTML, a gateway's
    // own code, nothing).
    for body in
        [&b""[..], b"<html>Too Many Requests</html>", br#"{"error":"RateLimited","message":"slow down"}"#]
    {
        let e = decode_error(429, None, body);
        assert!(e.is_throttling() && e.is_retryable(), "{e:?}");
    }
    assert_eq!(decode_error(429, None, b"").code, "Http429");
    let e = decode_error(400, None, br#"{"__type":"InvalidSignatureException","message":"Signature expired: 20150830T123600Z is now earlier than 20150830T124100Z (20150830T124600Z - 5 min.)"}"#);
    assert!(e.is_clock_skew() && !e.is_retryable());
    let e = decode_error(400, None, br#"{"__type":"InvalidSignatureException","message":"The request signature we calculated does not match"}"#);
    assert!(!e.is_clock_skew());
    assert!(decode_error(400, None, br#"{"__type":"RequestExpired"}"#).is_clock_skew());
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use base64::Engine as _;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn base64_equals_the_base64_crate(prefix in proptest::collection::vec(any::<u8>(), 0..4), data in proptest::collection::vec(any::<u8>(), 0..300)) {
            let want = base64::engine::general_purpose::STANDARD.encode(&data);
            let mut out = prefix.clone();
            write_base64(&mut out, &data);
            prop_assert_eq!(&out[..prefix.len()], &prefix[..]);
            prop_assert_eq!(&out[prefix.len()..], want.as_bytes());
            // Each build's loop (this one runs the other's only here).
            for build in 0..2 {
                let mut out = prefix.clone();
                let rest = if build == 0 { base64_blocks(&mut out, &data) } else { base64_pairs(&mut out, &data) };
                prop_assert_eq!(rest, &data[data.len() / 3 * 3..]);
                prop_assert_eq!(&out[..prefix.len()], &prefix[..]);
                prop_assert_eq!(&out[prefix.len()..], &want.as_bytes()[..data.len() / 3 * 4]);
            }
        }

        #[test]
        fn encoded_bodies_are_json_that_reads_back(records in proptest::collection::vec(("\\PC{1,20}", proptest::collection::vec(any::<u8>(), 0..100)), 1..20), name in "[a-zA-Z0-9_.-]{1,30}") {
            let input: Vec<UserRecord<'_>> = records.iter().map(|(k, d)| rec(k, d)).collect();
            let e = put_records(Stream::Name(&name), &input);
            let v = json::parse(&e.body).unwrap();
            prop_assert_eq!(v.get("StreamName").and_then(Value::as_str), Some(name.as_str()));
            let back = v.get("Records").and_then(Value::as_array).unwrap();
            for (r, b) in input.iter().zip(back) {
                prop_assert_eq!(b.get("PartitionKey").and_then(Value::as_str), Some(r.partition_key));
                let data = base64::engine::general_purpose::STANDARD.decode(b.get("Data").and_then(Value::as_str).unwrap()).unwrap();
                prop_assert_eq!(&data[..], r.data);
            }
        }

        #[test]
        fn the_producers_list_shards_page_is_list_shards(name in "\\PC{1,20}", token in proptest::option::of("\\PC{0,40}"), max in any::<u32>()) {
            let general = list_shards(&ListShards {
                stream: Some(Stream::Name(&name)),
                next_token: token.as_deref(),
                max_results: Some(max),
                ..ListShards::default()
            });
            let page = list_shards_page(&name, token.as_deref(), max);
            prop_assert_eq!(page.target, general.target);
            prop_assert_eq!(text(&page), text(&general));
        }

        #[test]
        fn decoding_never_panics(body in proptest::collection::vec(any::<u8>(), 0..400), status in 100u16..600) {
            let _ = decode_put_records(&body);
            let _ = decode_put_record_batch(&body);
            let _ = decode_list_shards(&body);
            let _ = decode_error(status, None, &body);
        }
    }

    #[test]
    fn epoch_seconds_print_as_js_prints_them() {
        for (v, text) in [
            (1_700_000_000.0, "1700000000"),
            (1_700_000_000.5, "1700000000.5"),
            (1_700_000_000.123, "1700000000.123"),
            (1_700_000_000.12, "1700000000.12"),
            (0.001, "0.001"),
            (-1.5, "-1.5"),
        ] {
            let mut out = Vec::new();
            write_number(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), text);
        }
    }
}
