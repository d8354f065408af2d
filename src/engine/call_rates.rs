//! The control plane's call rates, when [`EngineConfig::control_plane_limits`]
//! is on: DescribeStream at most 10 times a second per account, and so on,
//! as token buckets holding one second of calls (the burst AWS allows is
//! not documented; a second's worth is the engine's choice).
//!
//! The rates are AWS's, from the API reference of each action ("This
//! operation has a limit of 10 transactions per second per account",
//! DescribeStream; the same text is in the AWS SDKs' documentation of each
//! command). Over the rate, AWS answers `LimitExceededException` with
//! "Rate exceeded for stream S under account A." (recorded in botocore's
//! pull request 821, which added DescribeStream to its retried errors),
//! or "Rate exceeded for account A." for a request that names no stream;
//! GetShardIterator, limited per shard, answers as a throttled read does
//! (`ProvisionedThroughputExceededException`, API reference).
//!
//! [`EngineConfig::control_plane_limits`]: super::EngineConfig::control_plane_limits

use super::throttle::Bucket;
use super::{error, Engine, EngineError};
use crate::json::Value;
use crate::time::Timestamp;

/// What a rate is counted over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    Account,
    Stream,
    /// A shard of a stream (GetShardIterator: "per account per open shard").
    Shard,
}

/// Each limited action, its calls per second, and over what.
const RATES: &[(&str, u32, Scope)] = &[
    ("AddTagsToStream", 5, Scope::Account),
    ("CreateStream", 5, Scope::Account),
    ("DeleteStream", 5, Scope::Account),
    ("DeregisterStreamConsumer", 5, Scope::Stream),
    ("DescribeLimits", 1, Scope::Account),
    ("DescribeStream", 10, Scope::Account),
    ("DescribeStreamConsumer", 20, Scope::Stream),
    ("DescribeStreamSummary", 20, Scope::Account),
    ("GetShardIterator", 5, Scope::Shard),
    ("ListShards", 1000, Scope::Stream),
    ("ListStreamConsumers", 5, Scope::Stream),
    ("ListStreams", 5, Scope::Account),
    ("ListTagsForStream", 5, Scope::Account),
    ("MergeShards", 5, Scope::Account),
    ("RegisterStreamConsumer", 5, Scope::Account),
    ("RemoveTagsFromStream", 5, Scope::Account),
    ("SplitShard", 5, Scope::Account),
];

/// Buckets kept before idle (full) ones are dropped: requests naming
/// ever new streams must not grow the engine without bound.
const MAX_BUCKETS: usize = 4096;

/// The control plane's buckets: by action (its index in [`RATES`]) and
/// what it is counted over. A list: control-plane calls are few, and a
/// map of its own would add more code to the engine's `.wasm` than it
/// saves time.
#[derive(Default)]
pub(super) struct CallRates {
    buckets: Vec<(usize, String, Bucket)>,
}

/// The stream a control-plane request names: `StreamName` (the engine has
/// put the one a `StreamARN` names there already), else the stream of its
/// `StreamARN` or `ConsumerARN` (the consumer actions).
fn stream_of<'a>(v: &'a Value<'_>) -> &'a str {
    let text = |name: &str| v.get(name).and_then(Value::as_str);
    if let Some(name) = text("StreamName") {
        return name;
    }
    let arn = text("StreamARN")
        .or_else(|| text("ConsumerARN").and_then(|a| a.split_once("/consumer/").map(|p| p.0)));
    arn.and_then(super::parse_stream_arn).map_or("", |(_, _, name)| name)
}

impl Engine {
    /// Counts a call of `action` at `now`; over its rate, AWS's error.
    pub(super) fn count_call(
        &mut self,
        action: &str,
        v: &Value<'_>,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        if !self.config.control_plane_limits {
            return Ok(());
        }
        let Some((index, &(_, per_second, scope))) = RATES.iter().enumerate().find(|(_, r)| r.0 == action)
        else {
            return Ok(());
        };
        let stream = stream_of(v);
        let shard = v.get("ShardId").and_then(Value::as_str).unwrap_or("");
        let key = match scope {
            Scope::Account => String::new(),
            Scope::Stream => stream.to_owned(),
            Scope::Shard => format!("{stream}/{shard}"),
        };
        let buckets = &mut self.call_rates.buckets;
        if buckets.len() >= MAX_BUCKETS {
            buckets.retain_mut(|(_, _, b)| !b.is_full(now));
        }
        let bucket = match buckets.iter().position(|(i, k, _)| *i == index && *k == key) {
            Some(at) => buckets.get_mut(at),
            None => {
                buckets.push((index, key, Bucket::new(per_second, now)));
                buckets.last_mut()
            }
        };
        if bucket.is_some_and(|(_, _, b)| b.try_take(1.0, now)) {
            return Ok(());
        }
        let account = &self.config.account_id;
        Err(match scope {
            Scope::Shard => error(
                "ProvisionedThroughputExceededException",
                format!("Rate exceeded for shard {shard} in stream {stream} under account {account}."),
            ),
            _ if stream.is_empty() => {
                error("LimitExceededException", format!("Rate exceeded for account {account}."))
            }
            _ => error(
                "LimitExceededException",
                format!("Rate exceeded for stream {stream} under account {account}."),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::EngineConfig;
    use super::*;

    fn t(ms: i64) -> Timestamp {
        Timestamp::from_millis(1_764_158_400_000 + ms).unwrap()
    }

    fn limited() -> Engine {
        let mut e = Engine::new(EngineConfig { control_plane_limits: true, ..EngineConfig::default() });
        e.create_stream("s", 2, t(0)).unwrap();
        e.create_stream("u", 1, t(0)).unwrap();
        e
    }

    /// How many of `n` calls at `now` are answered 200, and the first refusal.
    fn calls(e: &mut Engine, now: Timestamp, action: &str, body: &str, n: usize) -> (usize, Option<String>) {
        let mut ok = 0;
        let mut refused = None;
        for _ in 0..n {
            let r = e.handle(now, &format!("Kinesis_20131202.{action}"), body.as_bytes());
            if r.status == 200 {
                ok += 1;
            } else if refused.is_none() {
                refused = Some(String::from_utf8(r.body).unwrap());
            }
        }
        (ok, refused)
    }

    #[test]
    fn each_action_at_its_rate_then_aws_error() {
        let mut e = limited();
        let (ok, refused) = calls(&mut e, t(10), "DescribeStream", r#"{"StreamName":"s"}"#, 15);
        assert_eq!(ok, 10);
        assert_eq!(
            refused.unwrap(),
            r#"{"__type":"LimitExceededException","message":"Rate exceeded for stream s under account 000000000000."}"#
        );
        // Per account: another stream shares the budget; another action has its own.
        assert_eq!(calls(&mut e, t(10), "DescribeStream", r#"{"StreamName":"u"}"#, 1).0, 0);
        assert_eq!(calls(&mut e, t(10), "DescribeStreamSummary", r#"{"StreamName":"u"}"#, 25).0, 20);
        // A tenth of a second gives back one call.
        assert_eq!(calls(&mut e, t(110), "DescribeStream", r#"{"StreamName":"s"}"#, 5).0, 1);
        let (ok, refused) = calls(&mut e, t(10), "ListStreams", "{}", 6);
        assert_eq!(ok, 5);
        assert!(refused.unwrap().contains(r#""message":"Rate exceeded for account 000000000000.""#));
        // Per stream (named by its ARN too).
        let arn = r#"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s"}"#;
        assert_eq!(calls(&mut e, t(10), "ListShards", arn, 1_100).0, 1_000);
        assert_eq!(calls(&mut e, t(10), "ListShards", r#"{"StreamName":"u"}"#, 10).0, 10);
        // Per shard.
        let it =
            |shard: &str| format!(r#"{{"StreamName":"s","ShardId":"{shard}","ShardIteratorType":"LATEST"}}"#);
        let (ok, refused) = calls(&mut e, t(10), "GetShardIterator", &it("shardId-000000000000"), 7);
        assert_eq!(ok, 5);
        assert!(refused.unwrap().contains(
            r#""__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.""#
        ));
        assert_eq!(calls(&mut e, t(10), "GetShardIterator", &it("shardId-000000000001"), 5).0, 5);
        // The data plane is limited per shard as before, not here.
        let put = r#"{"StreamName":"s","PartitionKey":"a","Data":"AA=="}"#;
        assert_eq!(calls(&mut e, t(10), "PutRecord", put, 50).0, 50);
    }

    #[test]
    fn off_by_default() {
        let mut e = Engine::new(EngineConfig::default());
        e.create_stream("s", 1, t(0)).unwrap();
        assert_eq!(calls(&mut e, t(10), "DescribeStream", r#"{"StreamName":"s"}"#, 100).0, 100);
    }

    #[test]
    fn buckets_stay_bounded_whatever_the_names() {
        let mut e = limited();
        for i in 0..3 * MAX_BUCKETS {
            let body = format!(r#"{{"StreamName":"s{i}"}}"#);
            e.handle(t(i as i64 * 2), "Kinesis_20131202.ListShards", body.as_bytes());
        }
        assert!(e.call_rates.buckets.len() <= MAX_BUCKETS);
    }
}
