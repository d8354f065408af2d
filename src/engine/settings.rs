//! A stream's settings that change nothing of its data: enhanced
//! monitoring (EnableEnhancedMonitoring, DisableEnhancedMonitoring),
//! server-side encryption (StartStreamEncryption, StopStreamEncryption),
//! its capacity mode (CreateStream's StreamModeDetails, UpdateStreamMode:
//! kept and reported; an on-demand stream keeps the shards it has, the
//! engine does not scale it), and the account's limits (DescribeLimits). The engine keeps and reports
//! them, as DescribeStream and DescribeStreamSummary show them; it sends
//! no CloudWatch metrics, and records are stored as they are either way
//! (AWS encrypts at rest, invisibly to readers).

use super::{error, Engine, EngineError};
use crate::time::Timestamp;

/// The shard-level metrics, in the API reference's order (EnhancedMetrics).
pub const SHARD_LEVEL_METRICS: [&str; 7] = [
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
];

/// On-demand streams an account may have (the default quota, Kinesis
/// Data Streams quotas: "50 on-demand data streams per account"; the
/// engine has no on-demand mode, so it reports none in use).
pub const ON_DEMAND_STREAM_COUNT_LIMIT: u32 = 50;

/// DescribeLimits' answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most shards (the engine's limit is per stream:
    /// `max_shards_per_stream`).
    pub shard_limit: u32,
    /// Open shards of every stream.
    pub open_shard_count: u32,
    /// Streams in on-demand mode (none: the engine has no such mode).
    pub on_demand_stream_count: u32,
    /// [`ON_DEMAND_STREAM_COUNT_LIMIT`].
    pub on_demand_stream_count_limit: u32,
}

/// The metrics `names` stand for, in the reference's order (`ALL` is
/// every one); `None` when one is not a metric.
pub fn metrics_of<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<Vec<&'static str>> {
    let mut set = [false; 7];
    for n in names {
        if n == "ALL" {
            set = [true; 7];
        } else {
            set[SHARD_LEVEL_METRICS.iter().position(|m| *m == n)?] = true;
        }
    }
    Some(SHARD_LEVEL_METRICS.iter().zip(set).filter(|(_, on)| *on).map(|(m, _)| *m).collect())
}

impl Engine {
    /// DescribeLimits.
    pub fn describe_limits(&self) -> Limits {
        let open: usize = self.streams.values().map(|s| s.open.len()).sum();
        let on_demand = self.streams.values().filter(|s| s.on_demand).count();
        Limits {
            shard_limit: self.config.max_shards_per_stream,
            open_shard_count: u32::try_from(open).unwrap_or(u32::MAX),
            on_demand_stream_count: u32::try_from(on_demand).unwrap_or(u32::MAX),
            on_demand_stream_count_limit: ON_DEMAND_STREAM_COUNT_LIMIT,
        }
    }

    /// A stream's capacity mode: `ON_DEMAND` or `PROVISIONED`.
    pub fn stream_mode(&self, stream: &str) -> Option<&'static str> {
        self.described(stream).map(|s| if s.on_demand { "ON_DEMAND" } else { "PROVISIONED" })
    }

    /// UpdateStreamMode: the stream's capacity mode (`on_demand`), once
    /// it is `ACTIVE`, within the account's limit of on-demand streams.
    pub fn set_stream_mode(
        &mut self,
        stream: &str,
        on_demand: bool,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        self.updatable_stream_mut(stream, now)?;
        self.put_stream_mode(stream, on_demand)?;
        self.update(stream, super::Change::Status, now)
    }

    /// The capacity mode, at CreateStream or by UpdateStreamMode.
    pub(super) fn put_stream_mode(&mut self, stream: &str, on_demand: bool) -> Result<(), EngineError> {
        let others = self.streams.iter().filter(|(n, s)| s.on_demand && n.as_str() != stream).count();
        if on_demand && others >= ON_DEMAND_STREAM_COUNT_LIMIT as usize {
            // kinesis-mock's message (the reference gives none).
            return Err(error("LimitExceededException", "Limit for on-demand streams has been reached"));
        }
        self.stream_mut(stream)?.on_demand = on_demand;
        Ok(())
    }

    /// A stream's enhanced monitoring: its shard-level metrics, in the
    /// reference's order.
    pub fn shard_level_metrics(&self, stream: &str) -> Result<Vec<&'static str>, EngineError> {
        let s = self.described(stream).ok_or_else(|| self.not_found(stream))?;
        Ok(SHARD_LEVEL_METRICS.iter().zip(s.metrics).filter(|(_, on)| *on).map(|(m, _)| *m).collect())
    }

    /// EnableEnhancedMonitoring (`enable`) or DisableEnhancedMonitoring of
    /// `metrics`: the metrics before and after, as the actions answer them
    /// (`CurrentShardLevelMetrics`, `DesiredShardLevelMetrics`).
    pub fn set_enhanced_monitoring(
        &mut self,
        stream: &str,
        metrics: &[&str],
        enable: bool,
        now: Timestamp,
    ) -> Result<(Vec<&'static str>, Vec<&'static str>), EngineError> {
        let before = self.shard_level_metrics(stream)?;
        let s = self.updatable_stream_mut(stream, now)?;
        for m in metrics {
            if let Some(i) = SHARD_LEVEL_METRICS.iter().position(|x| x == m) {
                s.metrics[i] = enable;
            }
        }
        Ok((before, self.shard_level_metrics(stream)?))
    }

    /// A stream's server-side encryption: its KMS key, if on.
    pub fn encryption_key(&self, stream: &str) -> Option<&str> {
        self.described(stream).and_then(|s| s.kms_key.as_deref())
    }

    /// StartStreamEncryption (`Some(key)`) or StopStreamEncryption
    /// (`None`) with KMS, the one encryption type.
    pub fn set_encryption(
        &mut self,
        stream: &str,
        key: Option<&str>,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        if let Some(key) = key {
            check_key_id(key)?;
        }
        self.updatable_stream_mut(stream, now)?;
        // Encryption starts (or stops) once the stream is ACTIVE again
        // (API reference, StartStreamEncryption).
        self.update(stream, super::Change::Encryption(key.map(str::to_owned)), now)
    }
}

/// A KMS key as StartStreamEncryption takes it (API reference, KeyId): a
/// key or alias ARN, an alias name (`alias/…`, such as the AWS managed
/// `alias/aws/kinesis`) or a key id (a UUID). The engine has no KMS: any
/// key so written is taken. The messages are kinesis-mock's
/// (`CommonValidations.validateKeyId`); the reference gives none.
fn check_key_id(key: &str) -> Result<(), EngineError> {
    let uuid = |s: &str| {
        s.len() == 36
            && s.bytes().enumerate().all(|(i, b)| {
                if matches!(i, 8 | 13 | 18 | 23) {
                    b == b'-'
                } else {
                    b.is_ascii_hexdigit()
                }
            })
    };
    let ok = if let Some(rest) = key.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        match parts.as_slice() {
            [partition, "kms", _region, account, resource]
                if partition.starts_with("aws")
                    && account.len() == 12
                    && account.bytes().all(|b| b.is_ascii_digit()) =>
            {
                resource.strip_prefix("key/").is_some_and(uuid)
                    || resource.strip_prefix("alias/").is_some_and(|a| !a.is_empty())
            }
            _ => false,
        }
    } else {
        key.strip_prefix("alias/").is_some_and(|a| !a.is_empty()) || uuid(key)
    };
    if ok {
        Ok(())
    } else if key.starts_with("arn:") {
        Err(error("InvalidArgumentException", "Received KeyId ARN is not a properly formatted ARN"))
    } else {
        Err(error("InvalidArgumentException", "Received KeyId is not a properly formatted Alias or GUID"))
    }
}
