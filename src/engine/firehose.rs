//! Amazon Data Firehose, Direct PUT to an S3 destination, delivering into
//! an in-memory bucket (what a tutorial shows as "S3").
//!
//! Facts (Firehose API reference and developer guide):
//! - `X-Amz-Target: Firehose_20150804.<Action>`, JSON 1.1 like Kinesis.
//! - PutRecordBatch: 1..=500 records, each at most 1,000 KiB (1,024,000
//!   bytes) of data, at most 4 MiB per request ("Records size exceeds 4 MB
//!   limit", as reported in osquery/osquery#3568). Failed records come back
//!   with `ServiceUnavailableException` "Slow down." (boto/boto3#2804).
//! - Buffering hints: `SizeInMBs` 1..=128 (default 5), `IntervalInSeconds`
//!   0..=900 (default 300): a buffer is delivered when either is reached.
//! - Object keys: the prefix, then the UTC time `YYYY/MM/dd/HH/`, then
//!   `DeliveryStreamName-DeliveryStreamVersion-YYYY-MM-dd-HH-MM-SS-RandomString`.
//!   Records are concatenated as sent: Firehose adds no delimiter.
//!
//! Interval delivery happens when the engine next sees the time: on any
//! Firehose request and on [`Engine::firehose_tick`] (the JS adapter calls
//! it before listing the bucket), so no timer is needed.

use std::collections::BTreeMap;

use super::actions::Writer;
use super::validation::{blob, check, problems_to_error, Kind, Member};
use super::{error, Engine, EngineError};
use crate::json::Value;
use crate::limits::{FIREHOSE_BATCH_MAX_BYTES, FIREHOSE_BATCH_MAX_RECORDS, FIREHOSE_MAX_RECORD_BYTES};
use crate::time::Timestamp;

/// The Firehose actions the engine answers.
pub(super) const ACTIONS: &[&str] = &[
    "CreateDeliveryStream",
    "DeleteDeliveryStream",
    "DescribeDeliveryStream",
    "ListDeliveryStreams",
    "PutRecord",
    "PutRecordBatch",
];

const MIB: usize = 1024 * 1024;

/// Most bytes the in-memory bucket keeps (oldest objects go first, and
/// are counted in [`Firehose::evicted_objects`]).
pub const MAX_BUCKET_BYTES: usize = 256 * MIB;

/// An object in the in-memory bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredObject {
    /// Its key.
    pub key: String,
    /// Its bytes.
    pub data: Vec<u8>,
    /// When it was delivered.
    pub last_modified: Timestamp,
    /// How many records it holds.
    pub records: u32,
}

struct DeliveryStream {
    created: Timestamp,
    bucket: String,
    bucket_arn: String,
    role_arn: String,
    prefix: String,
    size_bytes: usize,
    interval_secs: u32,
    buffer: Vec<u8>,
    buffered_records: u32,
    /// When the first record of the current buffer arrived.
    buffer_started: Option<Timestamp>,
    delivered_objects: u64,
    delivered_records: u64,
}

/// The delivery streams and the buckets they deliver to.
#[derive(Default)]
pub struct Firehose {
    streams: BTreeMap<String, DeliveryStream>,
    buckets: BTreeMap<String, Vec<StoredObject>>,
    bucket_bytes: usize,
    /// Objects dropped to keep the buckets within [`MAX_BUCKET_BYTES`].
    pub evicted_objects: u64,
}

/// A delivery stream's buffer and deliveries (for a tutorial's picture).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryStats {
    /// Bytes waiting in the buffer.
    pub buffered_bytes: u64,
    /// Records waiting in the buffer.
    pub buffered_records: u32,
    /// Objects delivered so far.
    pub delivered_objects: u64,
    /// Records delivered so far.
    pub delivered_records: u64,
    /// The buffering hints: bytes and seconds.
    pub size_bytes: u64,
    /// Seconds.
    pub interval_secs: u32,
}

const NAME: Kind = Kind::Str {
    min: 1,
    max: 64,
    pattern: Some(("[a-zA-Z0-9_.-]+", |s| {
        s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    })),
};

const CREATE_MEMBERS: &[Member] = &[
    Member { name: "DeliveryStreamName", path: "deliveryStreamName", kind: NAME, required: true },
    Member {
        name: "DeliveryStreamType",
        path: "deliveryStreamType",
        kind: Kind::Enum(&["DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource"]),
        required: false,
    },
];
const NAME_MEMBERS: &[Member] =
    &[Member { name: "DeliveryStreamName", path: "deliveryStreamName", kind: NAME, required: true }];
const LIST_MEMBERS: &[Member] = &[
    Member { name: "Limit", path: "limit", kind: Kind::Int { min: 1, max: 10_000 }, required: false },
    Member {
        name: "ExclusiveStartDeliveryStreamName",
        path: "exclusiveStartDeliveryStreamName",
        kind: NAME,
        required: false,
    },
];
const PUT_MEMBERS: &[Member] =
    &[Member { name: "DeliveryStreamName", path: "deliveryStreamName", kind: NAME, required: true }];
const BATCH_MEMBERS: &[Member] = &[
    Member { name: "DeliveryStreamName", path: "deliveryStreamName", kind: NAME, required: true },
    Member {
        name: "Records",
        path: "records",
        kind: Kind::List { min: 1, max: FIREHOSE_BATCH_MAX_RECORDS },
        required: true,
    },
];

fn not_found(name: &str, account: &str) -> EngineError {
    error("ResourceNotFoundException", format!("Firehose {name} under account {account} not found."))
}

fn text<'a>(body: &'a Value<'_>, name: &str) -> Result<&'a str, EngineError> {
    super::actions::text(body, name)
}

/// `YYYY/MM/dd/HH/` and `YYYY-MM-dd-HH-MM-SS` of an instant.
fn key_times(t: Timestamp) -> (String, String) {
    let c = t.civil();
    (
        format!("{:04}/{:02}/{:02}/{:02}/", c.year, c.month, c.day, c.hour),
        format!("{:04}-{:02}-{:02}-{:02}-{:02}-{:02}", c.year, c.month, c.day, c.hour, c.minute, c.second),
    )
}

impl Engine {
    fn firehose_arn(&self, name: &str) -> String {
        format!("arn:aws:firehose:{}:{}:deliverystream/{name}", self.config.region, self.config.account_id)
    }

    /// A random-looking, seeded id (record ids and object names).
    fn random_hex(&mut self, words: usize) -> String {
        (0..words).map(|_| format!("{:016x}", self.rng.next_u64())).collect()
    }

    /// CreateDeliveryStream (Direct PUT to S3): `bucket_arn` is
    /// `arn:aws:s3:::bucket`.
    #[allow(clippy::too_many_arguments)]
    pub fn create_delivery_stream(
        &mut self,
        name: &str,
        bucket_arn: &str,
        role_arn: &str,
        prefix: &str,
        size_mb: u32,
        interval_secs: u32,
        now: Timestamp,
    ) -> Result<String, EngineError> {
        let account = self.config.account_id.clone();
        let bucket = bucket_arn
            .strip_prefix("arn:")
            .and_then(|r| r.split_once(":s3:::"))
            .map(|(_, b)| b)
            .filter(|b| !b.is_empty() && !b.contains('/'))
            .ok_or_else(|| {
                error(
                    "InvalidArgumentException",
                    format!("BucketARN {bucket_arn} is not a valid S3 bucket ARN (arn:aws:s3:::bucket)."),
                )
            })?;
        if self.firehose.streams.contains_key(name) {
            return Err(error(
                "ResourceInUseException",
                format!("Firehose {name} under account {account} already exists."),
            ));
        }
        self.firehose.streams.insert(
            name.to_owned(),
            DeliveryStream {
                created: now,
                bucket: bucket.to_owned(),
                bucket_arn: bucket_arn.to_owned(),
                role_arn: role_arn.to_owned(),
                prefix: prefix.to_owned(),
                size_bytes: size_mb as usize * MIB,
                interval_secs,
                buffer: Vec::new(),
                buffered_records: 0,
                buffer_started: None,
                delivered_objects: 0,
                delivered_records: 0,
            },
        );
        self.firehose.buckets.entry(bucket.to_owned()).or_default();
        Ok(self.firehose_arn(name))
    }

    /// DeleteDeliveryStream: what is buffered is delivered first.
    pub fn delete_delivery_stream(&mut self, name: &str, now: Timestamp) -> Result<(), EngineError> {
        self.flush_delivery_stream(name, now)?;
        self.firehose.streams.remove(name);
        Ok(())
    }

    /// Delivers what `name` has buffered now, whatever the hints.
    pub fn flush_delivery_stream(&mut self, name: &str, now: Timestamp) -> Result<(), EngineError> {
        if !self.firehose.streams.contains_key(name) {
            return Err(not_found(name, &self.config.account_id));
        }
        self.deliver(name, now);
        Ok(())
    }

    /// Delivers every buffer whose interval has passed.
    pub fn firehose_tick(&mut self, now: Timestamp) {
        let due: Vec<String> = self
            .firehose
            .streams
            .iter()
            .filter(|(_, d)| {
                d.buffer_started
                    .is_some_and(|t| now.as_millis() - t.as_millis() >= i64::from(d.interval_secs) * 1000)
            })
            .map(|(n, _)| n.clone())
            .collect();
        for name in due {
            self.deliver(&name, now);
        }
    }

    fn deliver(&mut self, name: &str, now: Timestamp) {
        let suffix = self.random_hex(2);
        let f = &mut self.firehose;
        let Some(d) = f.streams.get_mut(name) else { return };
        let Some(started) = d.buffer_started.take() else { return };
        let (hour_prefix, stamp) = key_times(started);
        let object = StoredObject {
            key: format!("{}{hour_prefix}{name}-1-{stamp}-{suffix}", d.prefix),
            data: core::mem::take(&mut d.buffer),
            last_modified: now,
            records: core::mem::take(&mut d.buffered_records),
        };
        d.delivered_objects += 1;
        d.delivered_records += u64::from(object.records);
        f.bucket_bytes += object.data.len();
        let bucket = f.buckets.entry(d.bucket.clone()).or_default();
        bucket.push(object);
        // Keep memory bounded: the oldest objects of the largest bucket go.
        while f.bucket_bytes > MAX_BUCKET_BYTES {
            let Some(largest) =
                f.buckets.values_mut().max_by_key(|b| b.iter().map(|o| o.data.len()).sum::<usize>())
            else {
                break;
            };
            if largest.is_empty() {
                break;
            }
            let gone = largest.remove(0);
            f.bucket_bytes -= gone.data.len();
            f.evicted_objects += 1;
        }
    }

    /// Buffers records on `name`: per record its id, or `Err` when an
    /// injected fault refused it.
    fn firehose_put(
        &mut self,
        name: &str,
        records: &[Vec<u8>],
        now: Timestamp,
    ) -> Result<Vec<Result<String, ()>>, EngineError> {
        if !self.firehose.streams.contains_key(name) {
            return Err(not_found(name, &self.config.account_id));
        }
        let rate = self.config.faults.record_failure_rate;
        let mut out = Vec::with_capacity(records.len());
        for data in records {
            if self.rng.chance(rate) {
                out.push(Err(()));
                continue;
            }
            let id = self.random_hex(4);
            let full = {
                let Some(d) = self.firehose.streams.get_mut(name) else { break };
                d.buffer_started.get_or_insert(now);
                d.buffer.extend_from_slice(data);
                d.buffered_records += 1;
                d.buffer.len() >= d.size_bytes
            };
            if full {
                self.deliver(name, now);
            }
            out.push(Ok(id));
        }
        Ok(out)
    }

    /// The names of the buckets.
    pub fn bucket_names(&self) -> impl Iterator<Item = &str> {
        self.firehose.buckets.keys().map(String::as_str)
    }

    /// The objects of a bucket, oldest first (none for an unknown bucket).
    pub fn objects(&self, bucket: &str) -> &[StoredObject] {
        self.firehose.buckets.get(bucket).map_or(&[], Vec::as_slice)
    }

    /// The names of the delivery streams.
    pub fn delivery_stream_names(&self) -> impl Iterator<Item = &str> {
        self.firehose.streams.keys().map(String::as_str)
    }

    /// A delivery stream's buffer and deliveries.
    pub fn delivery_stats(&self, name: &str) -> Option<DeliveryStats> {
        self.firehose.streams.get(name).map(|d| DeliveryStats {
            buffered_bytes: d.buffer.len() as u64,
            buffered_records: d.buffered_records,
            delivered_objects: d.delivered_objects,
            delivered_records: d.delivered_records,
            size_bytes: d.size_bytes as u64,
            interval_secs: d.interval_secs,
        })
    }
}

/// The record blobs of a request: `Record.Data` or `Records[i].Data`.
fn record_data(entry: &Value<'_>, path: &str, problems: &mut Vec<String>) -> Result<Vec<u8>, EngineError> {
    let data = match entry.get("Data") {
        Some(Value::String(s)) => blob(s)?,
        Some(Value::Null) | None => {
            problems.push(format!(
                "Value null at '{path}.data' failed to satisfy constraint: Member must not be null"
            ));
            return Ok(Vec::new());
        }
        Some(_) => {
            return Err(error("SerializationException", format!("Unexpected value at {path}")));
        }
    };
    if data.len() > FIREHOSE_MAX_RECORD_BYTES {
        problems.push(format!(
            "Value at '{path}.data' failed to satisfy constraint: Member must have length less than or equal to {FIREHOSE_MAX_RECORD_BYTES}"
        ));
    }
    Ok(data)
}

/// Runs one Firehose action.
pub(super) fn run(
    engine: &mut Engine,
    action: &str,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    match action {
        "CreateDeliveryStream" => {
            check(body, CREATE_MEMBERS)?;
            let name = text(body, "DeliveryStreamName")?;
            let dest = body
                .get("ExtendedS3DestinationConfiguration")
                .or_else(|| body.get("S3DestinationConfiguration"))
                .ok_or_else(|| {
                    error(
                        "InvalidArgumentException",
                        "The engine's Firehose delivers to S3 only: ExtendedS3DestinationConfiguration or S3DestinationConfiguration is required.",
                    )
                })?;
            let field = |n: &str| dest.get(n).and_then(Value::as_str).unwrap_or("");
            let hints = dest.get("BufferingHints");
            let hint = |n: &str| hints.and_then(|h| h.get(n)).and_then(Value::as_u64);
            let size = hint("SizeInMBs").unwrap_or(5);
            let interval = hint("IntervalInSeconds").unwrap_or(300);
            let mut problems = Vec::new();
            if !(1..=128).contains(&size) {
                problems.push(format!("Value '{size}' at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value {}", if size < 1 { "greater than or equal to 1" } else { "less than or equal to 128" }));
            }
            if interval > 900 {
                problems.push(format!("Value '{interval}' at 'extendedS3DestinationConfiguration.bufferingHints.intervalInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900"));
            }
            if field("BucketARN").is_empty() {
                problems.push("Value null at 'extendedS3DestinationConfiguration.bucketARN' failed to satisfy constraint: Member must not be null".to_owned());
            }
            problems_to_error(problems)?;
            let arn = engine.create_delivery_stream(
                name,
                field("BucketARN"),
                field("RoleARN"),
                field("Prefix"),
                size as u32,
                interval as u32,
                now,
            )?;
            let mut w = Writer::new();
            w.string("DeliveryStreamARN", &arn);
            Ok(w.finish())
        }
        "DeleteDeliveryStream" => {
            check(body, NAME_MEMBERS)?;
            engine.delete_delivery_stream(text(body, "DeliveryStreamName")?, now)?;
            Ok(b"{}".to_vec())
        }
        "DescribeDeliveryStream" => {
            check(body, NAME_MEMBERS)?;
            let name = text(body, "DeliveryStreamName")?;
            let arn = engine.firehose_arn(name);
            let d = engine
                .firehose
                .streams
                .get(name)
                .ok_or_else(|| not_found(name, &engine.config.account_id))?;
            let mut hints = Writer::new();
            hints.number("SizeInMBs", d.size_bytes / MIB);
            hints.number("IntervalInSeconds", d.interval_secs);
            let hints = hints.finish();
            let mut s3 = Writer::new();
            s3.string("RoleARN", &d.role_arn);
            s3.string("BucketARN", &d.bucket_arn);
            s3.string("Prefix", &d.prefix);
            s3.key("BufferingHints").extend_from_slice(&hints);
            s3.string("CompressionFormat", "UNCOMPRESSED");
            s3.key("EncryptionConfiguration").extend_from_slice(b"{\"NoEncryptionConfig\":\"NoEncryption\"}");
            let s3 = s3.finish();
            let mut dest = Writer::new();
            dest.string("DestinationId", "destinationId-000000000001");
            dest.key("S3DestinationDescription").extend_from_slice(&s3);
            dest.key("ExtendedS3DestinationDescription").extend_from_slice(&s3);
            let mut desc = Writer::new();
            desc.string("DeliveryStreamName", name);
            desc.string("DeliveryStreamARN", &arn);
            desc.string("DeliveryStreamStatus", "ACTIVE");
            desc.string("DeliveryStreamType", "DirectPut");
            desc.string("VersionId", "1");
            desc.number("CreateTimestamp", d.created.as_secs());
            let list = desc.key("Destinations");
            list.push(b'[');
            list.extend_from_slice(&dest.finish());
            list.push(b']');
            desc.key("HasMoreDestinations").extend_from_slice(b"false");
            let mut w = Writer::new();
            w.key("DeliveryStreamDescription").extend_from_slice(&desc.finish());
            Ok(w.finish())
        }
        "ListDeliveryStreams" => {
            check(body, LIST_MEMBERS)?;
            let limit = body.get("Limit").and_then(Value::as_u64).unwrap_or(10) as usize;
            let after = body.get("ExclusiveStartDeliveryStreamName").and_then(Value::as_str);
            let names: Vec<&str> =
                engine.delivery_stream_names().filter(|n| after.is_none_or(|a| *n > a)).collect();
            let mut w = Writer::new();
            let out = w.key("DeliveryStreamNames");
            out.push(b'[');
            for (i, n) in names.iter().take(limit).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                crate::json::write_string(out, n);
            }
            out.push(b']');
            w.key("HasMoreDeliveryStreams").extend_from_slice(if names.len() > limit {
                b"true"
            } else {
                b"false"
            });
            Ok(w.finish())
        }
        "PutRecord" => {
            check(body, PUT_MEMBERS)?;
            let name = text(body, "DeliveryStreamName")?;
            let mut problems = Vec::new();
            let data = match body.get("Record") {
                Some(r @ Value::Object(_)) => record_data(r, "record", &mut problems)?,
                Some(Value::Null) | None => {
                    problems.push(
                        "Value null at 'record' failed to satisfy constraint: Member must not be null"
                            .to_owned(),
                    );
                    Vec::new()
                }
                Some(_) => return Err(error("SerializationException", "Unexpected value at record")),
            };
            problems_to_error(problems)?;
            match engine.firehose_put(name, &[data], now)?.pop() {
                Some(Ok(id)) => {
                    let mut w = Writer::new();
                    w.string("RecordId", &id);
                    w.key("Encrypted").extend_from_slice(b"false");
                    Ok(w.finish())
                }
                _ => Err(error("ServiceUnavailableException", "Slow down.")),
            }
        }
        "PutRecordBatch" => {
            check(body, BATCH_MEMBERS)?;
            let name = text(body, "DeliveryStreamName")?;
            let entries = body.get("Records").and_then(Value::as_array).unwrap_or(&[]);
            let mut problems = Vec::new();
            let mut records = Vec::with_capacity(entries.len());
            for (i, e) in entries.iter().enumerate() {
                if !matches!(e, Value::Object(_)) {
                    return Err(error(
                        "SerializationException",
                        format!("Unexpected value at records.{}", i + 1),
                    ));
                }
                records.push(record_data(e, &format!("records.{}.member", i + 1), &mut problems)?);
            }
            problems_to_error(problems)?;
            if records.iter().map(Vec::len).sum::<usize>() > FIREHOSE_BATCH_MAX_BYTES {
                return Err(error("InvalidArgumentException", "Records size exceeds 4 MB limit"));
            }
            let outcomes = engine.firehose_put(name, &records, now)?;
            let mut w = Writer::new();
            w.number("FailedPutCount", outcomes.iter().filter(|o| o.is_err()).count());
            w.key("Encrypted").extend_from_slice(b"false");
            let out = w.key("RequestResponses");
            out.push(b'[');
            for (i, o) in outcomes.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let mut r = Writer::new();
                match o {
                    Ok(id) => r.string("RecordId", id),
                    Err(()) => {
                        r.string("ErrorCode", "ServiceUnavailableException");
                        r.string("ErrorMessage", "Slow down.");
                    }
                }
                out.extend_from_slice(&r.finish());
            }
            out.push(b']');
            Ok(w.finish())
        }
        _ => Err(error("UnknownOperationException", "")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::EngineConfig;
    use super::*;

    fn t(ms: i64) -> Timestamp {
        Timestamp::from_millis(1_764_158_400_000 + ms).unwrap()
    }

    fn call(e: &mut Engine, now: i64, action: &str, body: &str) -> (u16, String) {
        let r = e.handle(t(now), &format!("Firehose_20150804.{action}"), body.as_bytes());
        (r.status, String::from_utf8(r.body).unwrap())
    }

    fn create(e: &mut Engine, name: &str, size_mb: u32, interval: u32) {
        let body = format!(
            r#"{{"DeliveryStreamName":"{name}","DeliveryStreamType":"DirectPut","ExtendedS3DestinationConfiguration":{{"RoleARN":"arn:aws:iam::000000000000:role/f","BucketARN":"arn:aws:s3:::bucket","Prefix":"events/","BufferingHints":{{"SizeInMBs":{size_mb},"IntervalInSeconds":{interval}}}}}}}"#
        );
        let (status, out) = call(e, 0, "CreateDeliveryStream", &body);
        assert_eq!(status, 200, "{out}");
        assert_eq!(
            out,
            format!(
                r#"{{"DeliveryStreamARN":"arn:aws:firehose:us-east-1:000000000000:deliverystream/{name}"}}"#
            )
        );
    }

    #[test]
    fn delivers_by_interval_and_by_size() {
        let mut e = Engine::new(EngineConfig::default());
        create(&mut e, "f", 1, 60);
        // "a\n" and "b\n" as a batch, then one record: buffered, no object yet.
        let (status, out) = call(
            &mut e,
            1000,
            "PutRecordBatch",
            r#"{"DeliveryStreamName":"f","Records":[{"Data":"YQo="},{"Data":"Ygo="}]}"#,
        );
        assert_eq!(status, 200);
        assert!(
            out.starts_with(r#"{"FailedPutCount":0,"Encrypted":false,"RequestResponses":[{"RecordId":""#),
            "{out}"
        );
        let (status, out) =
            call(&mut e, 2000, "PutRecord", r#"{"DeliveryStreamName":"f","Record":{"Data":"Ywo="}}"#);
        assert_eq!(status, 200, "{out}");
        assert!(e.objects("bucket").is_empty());
        e.firehose_tick(t(60_999));
        assert!(e.objects("bucket").is_empty());
        e.firehose_tick(t(61_000));
        let objects = e.objects("bucket");
        assert_eq!(objects.len(), 1);
        assert_eq!(objects[0].data, b"a\nb\nc\n");
        assert_eq!(objects[0].records, 3);
        assert!(
            objects[0].key.starts_with("events/2025/11/26/12/f-1-2025-11-26-12-00-01-"),
            "{}",
            objects[0].key
        );
        // Size: 1 MiB fills the buffer at once.
        let big = "QUFB".repeat(100_000); // 300,000 bytes
        let batch = format!(
            r#"{{"DeliveryStreamName":"f","Records":[{}]}}"#,
            vec![format!(r#"{{"Data":"{big}"}}"#); 4].join(",")
        );
        assert_eq!(call(&mut e, 70_000, "PutRecordBatch", &batch).0, 200);
        assert_eq!(e.objects("bucket").len(), 2);
        assert_eq!(e.objects("bucket")[1].data.len(), 1_200_000);
        let stats = e.delivery_stats("f").unwrap();
        assert_eq!((stats.delivered_objects, stats.delivered_records, stats.buffered_bytes), (2, 7, 0));
    }

    #[test]
    fn describe_list_delete() {
        let mut e = Engine::new(EngineConfig::default());
        create(&mut e, "b", 5, 300);
        create(&mut e, "a", 5, 300);
        assert_eq!(
            call(&mut e, 1, "ListDeliveryStreams", r#"{"Limit":1}"#).1,
            r#"{"DeliveryStreamNames":["a"],"HasMoreDeliveryStreams":true}"#
        );
        let (_, d) = call(&mut e, 1, "DescribeDeliveryStream", r#"{"DeliveryStreamName":"a"}"#);
        assert!(d.contains(r#""DeliveryStreamStatus":"ACTIVE""#), "{d}");
        assert!(d.contains(r#""BufferingHints":{"SizeInMBs":5,"IntervalInSeconds":300}"#), "{d}");
        call(&mut e, 2, "PutRecord", r#"{"DeliveryStreamName":"a","Record":{"Data":"eA=="}}"#);
        assert_eq!(
            call(&mut e, 3, "DeleteDeliveryStream", r#"{"DeliveryStreamName":"a"}"#),
            (200, "{}".to_owned())
        );
        assert_eq!(e.objects("bucket").len(), 1, "delivered before deletion");
        let (status, body) = call(&mut e, 4, "DescribeDeliveryStream", r#"{"DeliveryStreamName":"a"}"#);
        assert_eq!(status, 400);
        assert_eq!(
            body,
            r#"{"__type":"ResourceNotFoundException","message":"Firehose a under account 000000000000 not found."}"#
        );
    }

    #[test]
    fn limits() {
        let mut e = Engine::new(EngineConfig::default());
        create(&mut e, "f", 128, 900);
        let (_, body) = call(&mut e, 1, "PutRecordBatch", r#"{"DeliveryStreamName":"f","Records":[]}"#);
        assert!(body.contains("Member must have length greater than or equal to 1"), "{body}");
        let too_big = "A".repeat((FIREHOSE_MAX_RECORD_BYTES + 3) / 3 * 4);
        let (_, body) = call(
            &mut e,
            1,
            "PutRecord",
            &format!(r#"{{"DeliveryStreamName":"f","Record":{{"Data":"{too_big}"}}}}"#),
        );
        assert!(body.contains("1 validation error detected: Value at 'record.data' failed to satisfy constraint: Member must have length less than or equal to 1024000"), "{body}");
        let chunk = "A".repeat(1_000_000 / 3 * 4);
        let batch = format!(
            r#"{{"DeliveryStreamName":"f","Records":[{}]}}"#,
            vec![format!(r#"{{"Data":"{chunk}"}}"#); 5].join(",")
        );
        assert_eq!(
            call(&mut e, 1, "PutRecordBatch", &batch).1,
            r#"{"__type":"InvalidArgumentException","message":"Records size exceeds 4 MB limit"}"#
        );
        let (_, body) =
            call(&mut e, 1, "PutRecord", r#"{"DeliveryStreamName":"nope","Record":{"Data":"eA=="}}"#);
        assert!(body.contains("ResourceNotFoundException"));
        let (_, body) = call(
            &mut e,
            1,
            "CreateDeliveryStream",
            r#"{"DeliveryStreamName":"g","ExtendedS3DestinationConfiguration":{"BucketARN":"arn:aws:s3:::b","BufferingHints":{"SizeInMBs":0,"IntervalInSeconds":901}}}"#,
        );
        assert!(
            body.starts_with(r#"{"__type":"ValidationException","message":"2 validation errors detected"#),
            "{body}"
        );
        let (_, body) = call(
            &mut e,
            1,
            "CreateDeliveryStream",
            r#"{"DeliveryStreamName":"f","S3DestinationConfiguration":{"BucketARN":"arn:aws:s3:::b"}}"#,
        );
        assert!(body.contains("ResourceInUseException"), "{body}");
    }
}
