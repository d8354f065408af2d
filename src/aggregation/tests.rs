use super::*;
use crate::shard_map::ShardMap;
// The `md-5` crate, as an independent reference for the checksums.
use md5::{Digest, Md5};

fn rec<'a>(key: &'a str, data: &'a [u8]) -> UserRecord<'a> {
    UserRecord { partition_key: key, explicit_hash_key: None, data }
}

fn one_shard(_: u128) -> u128 {
    0
}

/// Every user record comes back, in order within each output.
fn assert_round_trip(input: &[UserRecord<'_>], outputs: &[OutputRecord]) {
    let mut seen = vec![false; input.len()];
    for out in outputs {
        let back = deaggregate(&out.partition_key, out.explicit_hash_key.as_deref(), &out.data);
        assert_eq!(back.len(), out.user_records);
        assert_eq!(out.indices.len(), out.user_records);
        for (b, &i) in back.iter().zip(&out.indices) {
            assert!(!seen[i], "record {i} twice");
            seen[i] = true;
            assert_eq!(b.partition_key, input[i].partition_key);
            assert_eq!(b.explicit_hash_key, input[i].explicit_hash_key);
            assert_eq!(b.data, input[i].data);
        }
        assert!(out.indices.windows(2).all(|w| w[0] < w[1]), "input order kept");
    }
    assert!(seen.iter().all(|&s| s), "every record is in an output");
}

#[test]
fn aggregates_and_reads_back() {
    let data: Vec<Vec<u8>> = (0..50).map(|i| vec![i as u8; i]).collect();
    let keys: Vec<String> = (0..50).map(|i| format!("key-{}", i % 7)).collect();
    let input: Vec<UserRecord<'_>> = keys.iter().zip(&data).map(|(k, d)| rec(k, d)).collect();
    let out = aggregate(&input, DEFAULT_MAX_AGGREGATE_BYTES, one_shard);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].user_records, 50);
    assert!(out[0].data.starts_with(&MAGIC));
    assert!(out[0].explicit_hash_key.is_some(), "several keys: routed by explicit hash key");
    assert_round_trip(&input, &out);
}

#[test]
fn empty_data_and_binary_and_unicode_keys() {
    let input = [rec("é中😀", b""), rec("k", &[0, 255, 0xF3, 0x89]), rec("é中😀", b"x")];
    let out = aggregate(&input, DEFAULT_MAX_AGGREGATE_BYTES, one_shard);
    assert_eq!(out.len(), 1);
    assert_round_trip(&input, &out);
    // The data field is written even when empty: tag 0x1A, length 0.
    assert!(out[0].data.windows(2).any(|w| w == [0x1A, 0x00]));
}

#[test]
fn a_lone_record_is_sent_as_it_is() {
    let input = [rec("k", b"hello")];
    let out = aggregate(&input, DEFAULT_MAX_AGGREGATE_BYTES, one_shard);
    assert_eq!(
        out,
        vec![OutputRecord {
            partition_key: "k".into(),
            explicit_hash_key: None,
            data: b"hello".to_vec(),
            user_records: 1,
            indices: vec![0],
        }]
    );
}

#[test]
fn the_size_cap_holds_and_big_records_go_alone() {
    let small = vec![7u8; 100];
    let big = vec![1u8; 5000];
    let mut input = Vec::new();
    for i in 0..200 {
        input.push(rec(if i % 2 == 0 { "a" } else { "b" }, if i == 57 { &big } else { &small }));
    }
    for cap in [300, 1000, 4096] {
        let out = aggregate(&input, cap, one_shard);
        for o in &out {
            if o.user_records > 1 {
                assert!(o.data.len() <= cap, "{} > {cap}", o.data.len());
            }
        }
        let alone = out.iter().find(|o| o.indices == [57]).expect("the big record");
        assert_eq!(alone.data, big);
        assert_round_trip(&input, &out);
    }
}

#[test]
fn groups_by_predicted_shard() {
    let map = ShardMap::uniform(4).unwrap();
    let keys: Vec<String> = (0..400).map(|i| format!("user-{i}")).collect();
    let input: Vec<UserRecord<'_>> = keys.iter().map(|k| rec(k, b"event")).collect();
    let out = aggregate(&input, DEFAULT_MAX_AGGREGATE_BYTES, |h| map.shard_for_hash_key(h).starting_hash_key);
    assert_eq!(out.len(), 4);
    for o in &out {
        let target =
            map.shard_for(&o.partition_key, o.explicit_hash_key.as_deref().map(|k| k.parse().unwrap()));
        for &i in &o.indices {
            assert_eq!(
                map.shard_for(input[i].partition_key, None).id,
                target.id,
                "user record on the aggregate's shard"
            );
        }
    }
    assert_round_trip(&input, &out);
}

#[test]
fn explicit_hash_keys_travel_in_their_table() {
    let input = [
        UserRecord { partition_key: "a", explicit_hash_key: Some("5"), data: b"1" },
        UserRecord { partition_key: "b", explicit_hash_key: Some("5"), data: b"2" },
        UserRecord { partition_key: "c", explicit_hash_key: None, data: b"3" },
        UserRecord { partition_key: "d", explicit_hash_key: Some("01"), data: b"4" }, // invalid: alone
    ];
    let out = aggregate(&input, DEFAULT_MAX_AGGREGATE_BYTES, one_shard);
    // [a, b] share the explicit hash key table; c has none and goes alone, as
    // does d, whose key is invalid.
    assert_eq!(out.len(), 3);
    assert_eq!(out[0].explicit_hash_key.as_deref(), Some("5"));
    assert_eq!(out[0].indices, [0, 1]);
    assert_round_trip(&input, &out);
}

#[test]
fn anything_else_passes_through() {
    let input = [rec("a", b"1"), rec("b", b"2")];
    let good = aggregate(&input, DEFAULT_MAX_AGGREGATE_BYTES, one_shard).remove(0).data;
    let plain = |d: &[u8]| {
        let back = deaggregate("pk", Some("9"), d);
        back.len() == 1 && back[0].data == d && back[0].sub_sequence_number.is_none()
    };
    assert!(plain(b""));
    assert!(plain(b"not an aggregate"));
    assert!(plain(&MAGIC));
    let mut bad_md5 = good.clone();
    *bad_md5.last_mut().unwrap() ^= 1;
    assert!(plain(&bad_md5));
    // A valid MD5 over a protobuf that does not parse, or an index out of range.
    let wrap = |protobuf: &[u8]| {
        let mut v = MAGIC.to_vec();
        v.extend_from_slice(protobuf);
        v.extend_from_slice(&Md5::digest(protobuf));
        v
    };
    assert!(plain(&wrap(&[0x0A, 0x05, b'a'])));
    assert!(plain(&wrap(&[0x0A, 0x01, b'a', 0x1A, 0x04, 0x08, 0x01, 0x1A, 0x00]))); // key index 1 of 1
    assert!(plain(&wrap(&[0x0A, 0x01, b'a', 0x1A, 0x02, 0x08, 0x00]))); // no data field
    assert!(plain(&wrap(&[0x0A, 0x01, 0xFF]))); // key not UTF-8
                                                // An aggregate with no records is well formed and yields nothing.
    assert!(deaggregate("pk", None, &wrap(&[])).is_empty());
    // Unknown fields are skipped.
    let unknown = wrap(&[0x0A, 0x01, b'a', 0x28, 0x05, 0x1A, 0x06, 0x08, 0x00, 0x1A, 0x00, 0x30, 0x01]);
    let back = deaggregate("pk", None, &unknown);
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].partition_key, "a");
    assert_eq!(back[0].sub_sequence_number, Some(0));
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn round_trip(records in proptest::collection::vec(("[a-z\u{e9}\u{4e2d}]{1,8}", proptest::collection::vec(any::<u8>(), 0..200), proptest::option::of(0u128..=u128::MAX)), 0..60), cap in 64usize..20_000, shards in 1u32..8) {
            let hash_keys: Vec<Option<String>> = records.iter().map(|(_, _, h)| h.map(|h| h.to_string())).collect();
            let input: Vec<UserRecord<'_>> = records.iter().zip(&hash_keys).map(|((k, d, _), h)| UserRecord { partition_key: k, explicit_hash_key: h.as_deref(), data: d }).collect();
            let map = ShardMap::uniform(shards).unwrap();
            let out = aggregate(&input, cap, |h| map.shard_for_hash_key(h).starting_hash_key);
            assert_round_trip(&input, &out);
            // The producer's path (hash keys known from push) gives the same.
            let hashes: Vec<Option<u128>> = records.iter().map(|(k, _, h)| Some(h.unwrap_or_else(|| crate::partition::hash_key(k)))).collect();
            prop_assert_eq!(&aggregate_hashed(&input, &hashes, cap, |h| map.shard_for_hash_key(h).starting_hash_key), &out);
            for o in &out {
                prop_assert!(o.user_records == 1 || o.data.len() <= cap.max(64));
            }
        }

        #[test]
        fn deaggregate_never_panics(data in proptest::collection::vec(any::<u8>(), 0..300), prefix in any::<bool>()) {
            let mut bytes = if prefix { MAGIC.to_vec() } else { Vec::new() };
            bytes.extend_from_slice(&data);
            let _ = deaggregate("pk", None, &bytes);
            // And with a correct MD5 over arbitrary protobuf bytes.
            let mut wrapped = MAGIC.to_vec();
            wrapped.extend_from_slice(&data);
            wrapped.extend_from_slice(&Md5::digest(&data));
            let back = deaggregate("pk", None, &wrapped);
            prop_assert!(back.len() <= data.len().max(1));
        }
    }
}
