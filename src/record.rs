//! A validated Kinesis record, and the errors AWS gives for invalid ones.
//!
//! The messages are AWS's (as the API returns them, and as kinesalite
//! reproduces them), with the member path of the call: `data` for
//! PutRecord, `records.N.member.data` (N from 1) for PutRecords. The shard
//! engine answers with them; the producer refuses records with them before
//! sending anything.

use crate::prelude::*;

use crate::json::u64_text;
use core::fmt;

use crate::limits::{
    DEFAULT_MAX_RECORD_BYTES, MAX_RECORD_BYTES_CEILING, PARTITION_KEY_MAX_CHARS, PARTITION_KEY_MIN_CHARS,
};
use crate::partition::{hash_key, parse_explicit_hash_key, ExplicitHashKeyError};

/// The record size limit of a stream: 1 MiB by default, up to 10 MiB for
/// streams that raised it (UpdateMaxRecordSize).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordLimits {
    max_record_bytes: usize,
}

impl Default for RecordLimits {
    fn default() -> RecordLimits {
        RecordLimits { max_record_bytes: DEFAULT_MAX_RECORD_BYTES }
    }
}

impl RecordLimits {
    /// A stream whose records may be up to `max_record_bytes` (data plus
    /// partition key), between 1 MiB and 10 MiB.
    pub fn new(max_record_bytes: usize) -> Option<RecordLimits> {
        (DEFAULT_MAX_RECORD_BYTES..=MAX_RECORD_BYTES_CEILING)
            .contains(&max_record_bytes)
            .then_some(RecordLimits { max_record_bytes })
    }

    /// The limit, in bytes.
    pub fn max_record_bytes(&self) -> usize {
        self.max_record_bytes
    }
}

/// Which member of the request a record came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member {
    /// PutRecord's own members.
    PutRecord,
    /// The record at this index (from 0) of PutRecords' `Records`.
    PutRecords(usize),
}

impl Member {
    fn path(self, field: &str) -> String {
        match self {
            Member::PutRecord => field.to_owned(),
            Member::PutRecords(i) => crate::cat(&["records.", &u64_text(i as u64 + 1), ".member.", field]),
        }
    }
}

/// Why a record was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError {
    /// The AWS error code: `ValidationException` or
    /// `InvalidArgumentException`.
    pub code: &'static str,
    /// The field: `data`, `partitionKey` or `explicitHashKey`.
    pub field: &'static str,
    /// The limit that was broken (bytes or characters; 0 for a pattern).
    pub limit: usize,
    /// The offending size (bytes or characters; 0 for a pattern).
    pub size: usize,
    /// AWS's message.
    pub message: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl core::error::Error for RecordError {}

/// A record that the service will accept as far as its own shape goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    partition_key: String,
    explicit_hash_key: Option<u128>,
    data: Vec<u8>,
}

/// Checks a partition key's length: 1 to 256 Unicode characters.
pub fn validate_partition_key(partition_key: &str, member: Member) -> Result<(), RecordError> {
    // Characters (Unicode scalar values): the bytes that do not continue
    // a UTF-8 sequence (core's counter is 0.9 KB of the producer's wasm).
    let chars = partition_key.bytes().filter(|&b| (b as i8) >= -0x40).count();
    if (PARTITION_KEY_MIN_CHARS..=PARTITION_KEY_MAX_CHARS).contains(&chars) {
        return Ok(());
    }
    let (relation, limit) = if chars < PARTITION_KEY_MIN_CHARS {
        ("greater than or equal to", PARTITION_KEY_MIN_CHARS)
    } else {
        ("less than or equal to", PARTITION_KEY_MAX_CHARS)
    };
    Err(RecordError {
        code: "ValidationException",
        field: "partitionKey",
        limit,
        size: chars,
        // AWS quotes string members' values (as kinesalite records it).
        message: crate::cat(&[
            "1 validation error detected: Value '",
            partition_key,
            "' at '",
            &member.path("partitionKey"),
            "' failed to satisfy constraint: Member must have length ",
            relation,
            " ",
            &u64_text(limit as u64),
        ]),
    })
}

/// Checks a record's members; see [`Record::new`].
pub fn validate(
    partition_key: &str,
    explicit_hash_key: Option<&str>,
    data_len: usize,
    limits: &RecordLimits,
    member: Member,
) -> Result<Option<u128>, RecordError> {
    let max = limits.max_record_bytes;
    if data_len > max {
        return Err(RecordError {
            code: "ValidationException",
            field: "data",
            limit: max,
            size: data_len,
            message: crate::cat(&[
                "1 validation error detected: Value at '",
                &member.path("data"),
                "' failed to satisfy constraint: Member must have length less than or equal to ",
                &u64_text(max as u64),
            ]),
        });
    }
    validate_partition_key(partition_key, member)?;
    let hash = match explicit_hash_key {
        None => None,
        Some(text) => Some(parse_explicit_hash_key(text).map_err(|e| match e {
            ExplicitHashKeyError::Pattern => RecordError {
                code: "ValidationException",
                field: "explicitHashKey",
                limit: 0,
                size: 0,
                message: crate::cat(&[
                    "1 validation error detected: Value '",
                    text,
                    "' at '",
                    &member.path("explicitHashKey"),
                    "' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})",
                ]),
            },
            ExplicitHashKeyError::Range => RecordError {
                code: "InvalidArgumentException",
                field: "explicitHashKey",
                limit: 0,
                size: 0,
                message: crate::cat(&[
                    "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ",
                    text,
                ]),
            },
        })?),
    };
    // The limit counts the partition key too (API reference, PutRecords:
    // "The record size limit applies to the total size of the partition
    // key and data blob"). AWS's text for this case is not published; this
    // one says what was exceeded.
    let total = data_len + partition_key.len();
    if total > max {
        return Err(RecordError {
            code: "InvalidArgumentException",
            field: "data",
            limit: max,
            size: total,
            message: crate::cat(&[
                "Record size of ",
                &u64_text(total as u64),
                " bytes (data plus partition key) exceeds the maximum record size of ",
                &u64_text(max as u64),
                " bytes",
            ]),
        });
    }
    Ok(hash)
}

impl Record {
    /// A record, checked as the service checks it: data at most the record
    /// limit, partition key 1 to 256 characters, explicit hash key matching
    /// `0|([1-9]\d{0,38})` and at most 2^128 − 1, and data plus partition
    /// key at most the record limit.
    pub fn new(
        partition_key: impl Into<String>,
        explicit_hash_key: Option<&str>,
        data: impl Into<Vec<u8>>,
        limits: &RecordLimits,
    ) -> Result<Record, RecordError> {
        let partition_key = partition_key.into();
        let data = data.into();
        let explicit_hash_key =
            validate(&partition_key, explicit_hash_key, data.len(), limits, Member::PutRecord)?;
        Ok(Record { partition_key, explicit_hash_key, data })
    }

    /// The partition key.
    pub fn partition_key(&self) -> &str {
        &self.partition_key
    }

    /// The explicit hash key, if given.
    pub fn explicit_hash_key(&self) -> Option<u128> {
        self.explicit_hash_key
    }

    /// The data.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The hash key that picks its shard.
    pub fn hash_key(&self) -> u128 {
        self.explicit_hash_key.unwrap_or_else(|| hash_key(&self.partition_key))
    }

    /// What counts against the record and request limits: data plus
    /// partition key bytes (before base64).
    pub fn size(&self) -> usize {
        self.data.len() + self.partition_key.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_keys_are_counted_in_characters() {
        // One to four UTF-8 bytes a character: 256 pass, 257 do not.
        for c in ['a', 'ü', '€', '😀'] {
            let key: String = core::iter::repeat_n(c, 256).collect();
            assert!(validate_partition_key(&key, Member::PutRecord).is_ok(), "{c}");
            let key: String = core::iter::repeat_n(c, 257).collect();
            assert!(validate_partition_key(&key, Member::PutRecord).is_err(), "{c}");
        }
        assert!(validate_partition_key("", Member::PutRecord).is_err());
    }

    #[test]
    fn aws_messages() {
        let limits = RecordLimits::default();
        let e = validate("k", None, 1_048_577, &limits, Member::PutRecords(0)).unwrap_err();
        assert_eq!(e.code, "ValidationException");
        assert_eq!(
            e.message,
            "1 validation error detected: Value at 'records.1.member.data' failed to satisfy constraint: Member must have length less than or equal to 1048576"
        );
        assert_eq!((e.field, e.limit, e.size), ("data", 1_048_576, 1_048_577));
        let e = validate("", None, 1, &limits, Member::PutRecord).unwrap_err();
        assert_eq!(
            e.message,
            "1 validation error detected: Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
        let e = validate(&"x".repeat(257), None, 1, &limits, Member::PutRecords(4)).unwrap_err();
        assert!(e.message.contains("'records.5.member.partitionKey'"));
        assert_eq!(e.size, 257);
        let e = validate("k", Some("01"), 1, &limits, Member::PutRecord).unwrap_err();
        assert_eq!(
            e.message,
            "1 validation error detected: Value '01' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})"
        );
        let e = validate("k", Some("340282366920938463463374607431768211456"), 1, &limits, Member::PutRecord)
            .unwrap_err();
        assert_eq!(e.code, "InvalidArgumentException");
        assert!(e
            .message
            .starts_with("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]."));
    }

    #[test]
    fn partition_key_lengths_count_characters() {
        let check = |k: &str| validate_partition_key(k, Member::PutRecord);
        assert!(check("").unwrap_err().message.ends_with("greater than or equal to 1"));
        assert!(check("k").is_ok());
        assert!(check(&"é".repeat(256)).is_ok()); // 512 bytes, 256 characters
        assert!(check(&"😀".repeat(256)).is_ok());
        assert!(check(&"a".repeat(257)).unwrap_err().message.ends_with("less than or equal to 256"));
    }

    #[test]
    fn the_limit_counts_the_key() {
        let limits = RecordLimits::default();
        assert!(Record::new("k", None, vec![0; 1_048_575], &limits).is_ok());
        let e = Record::new("kk", None, vec![0; 1_048_575], &limits).unwrap_err();
        assert_eq!((e.code, e.size), ("InvalidArgumentException", 1_048_577));
        let big = RecordLimits::new(10 * 1024 * 1024).unwrap();
        assert!(Record::new("k", None, vec![0; 5 * 1024 * 1024], &big).is_ok());
        assert!(RecordLimits::new(11 * 1024 * 1024).is_none());
        assert!(RecordLimits::new(1000).is_none());
        let r = Record::new("é", Some("7"), b"ab".to_vec(), &limits).unwrap();
        assert_eq!((r.size(), r.hash_key()), (4, 7));
    }
}
