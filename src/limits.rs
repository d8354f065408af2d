//! Service limits, in one place: the producer and the shard engine share
//! these constants, so what one refuses the other refuses too.
//!
//! Each constant cites where the number comes from. "API reference" is the
//! Amazon Kinesis Data Streams API Reference (or Amazon Data Firehose API
//! Reference) page of the operation named; "quotas" is the Kinesis Data
//! Streams Developer Guide, "Quotas and limits".

/// Records in one PutRecords request (API reference, PutRecords: "Each
/// PutRecords request can support up to 500 records"; `Records` has
/// "Array Members: Minimum number of 1 item. Maximum number of 500 items").
pub const PUT_RECORDS_MAX_RECORDS: usize = 500;

/// Bytes in one PutRecords request, counting data and partition keys
/// before base64 (API reference, PutRecords: "up to a limit of 5 MiB for the
/// entire request, including partition keys").
pub const PUT_RECORDS_MAX_BYTES: usize = 5 * 1024 * 1024;

/// The default maximum size of one record, data plus partition key (API
/// reference, PutRecord / PutRecords: "Each record in the request can be as
/// large as 1 MiB"; `Data`: "Maximum length of 1048576").
pub const DEFAULT_MAX_RECORD_BYTES: usize = 1024 * 1024;

/// The highest maximum record size a stream can be given with
/// UpdateMaxRecordSize (quotas: "up to 10 MiB"). The record limit is a
/// setting between [`DEFAULT_MAX_RECORD_BYTES`] and this.
pub const MAX_RECORD_BYTES_CEILING: usize = 10 * 1024 * 1024;

/// Partition key length, in Unicode characters (API reference,
/// PutRecordsRequestEntry `PartitionKey`: "Minimum length of 1. Maximum
/// length of 256"; Smithy's `@length` counts a string's Unicode code
/// points).
pub const PARTITION_KEY_MIN_CHARS: usize = 1;
/// See [`PARTITION_KEY_MIN_CHARS`].
pub const PARTITION_KEY_MAX_CHARS: usize = 256;

/// Digits of an ExplicitHashKey: the pattern is `0|([1-9]\d{0,38})` (API
/// reference, PutRecordsRequestEntry `ExplicitHashKey`), and its value must
/// be at most 2^128 − 1.
pub const EXPLICIT_HASH_KEY_MAX_DIGITS: usize = 39;

/// Records in one Firehose PutRecordBatch request (Firehose API reference,
/// PutRecordBatch: "up to 500 records per call").
pub const FIREHOSE_BATCH_MAX_RECORDS: usize = 500;

/// Bytes of one Firehose record before base64 (Firehose API reference,
/// PutRecordBatch: "Each record in the request can be as large as 1,000
/// KB (before base64 encoding)"; `Data`: "Maximum length of 1024000").
pub const FIREHOSE_MAX_RECORD_BYTES: usize = 1_024_000;

/// Bytes in one Firehose PutRecordBatch request (Firehose API reference,
/// PutRecordBatch: "up to a limit of 4 MB for the entire request").
pub const FIREHOSE_BATCH_MAX_BYTES: usize = 4 * 1024 * 1024;

/// Records one GetRecords call returns at most (API reference, GetRecords:
/// "Each data record can be up to 1 MiB in size, and each shard can read up
/// to 2 MiB per second ... GetRecords can return up to 10 MiB of data" and
/// `Limit`: "Maximum value of 10000").
pub const GET_RECORDS_MAX_RECORDS: usize = 10_000;

/// Bytes one GetRecords call returns at most (API reference, GetRecords).
pub const GET_RECORDS_MAX_BYTES: usize = 10 * 1024 * 1024;

/// Per-shard write throughput, records per second (API reference,
/// PutRecords: "Each shard can support writes up to 1,000 records per
/// second").
pub const SHARD_WRITE_RECORDS_PER_SEC: u32 = 1_000;

/// Per-shard write throughput, bytes per second (API reference, PutRecords:
/// "up to a maximum data write total of 1 MiB per second").
pub const SHARD_WRITE_BYTES_PER_SEC: u32 = 1024 * 1024;

/// Per-shard GetRecords calls per second (API reference, GetRecords: "Each
/// shard can support up to five read transactions per second").
pub const SHARD_READ_CALLS_PER_SEC: u32 = 5;

/// Per-shard read throughput, bytes per second (API reference, GetRecords:
/// "each shard can read up to 2 MiB per second").
pub const SHARD_READ_BYTES_PER_SEC: u32 = 2 * 1024 * 1024;

/// Default retention, hours (API reference, IncreaseStreamRetentionPeriod:
/// "default value of 24 hours").
pub const DEFAULT_RETENTION_HOURS: u32 = 24;

/// Maximum retention, hours (API reference, IncreaseStreamRetentionPeriod:
/// "up to 8760 hours (365 days)").
pub const MAX_RETENTION_HOURS: u32 = 8_760;

/// How long a shard iterator stays valid, milliseconds (API reference,
/// GetShardIterator: "A shard iterator expires 5 minutes after it is
/// returned to the requester").
pub const SHARD_ITERATOR_TTL_MS: i64 = 5 * 60 * 1000;
