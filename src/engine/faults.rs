//! Fault injection: what no other emulator offers, and what retry code
//! needs to be tested against. Seeded, so a failing test replays exactly.
//!
//! Per stream (or as the default of every stream): a share of PutRecords
//! records fails alone (`InternalFailure` or throttling, as AWS fails
//! them), a share of whole data-plane requests fails with HTTP 500
//! `InternalFailure`, and every answer can be delayed (the adapter waits;
//! the core only says how long).

use super::{error, Engine, EngineError};

/// How a record fails when a fault hits it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordFault {
    /// `InternalFailure`, "Internal Service Failure" (a 500 for PutRecord).
    InternalFailure,
    /// `ProvisionedThroughputExceededException`, as a shard over its limit.
    Throttling,
}

/// The faults of a stream.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Faults {
    /// Share (0..=1) of records of PutRecords that fail alone (PutRecord:
    /// the request fails).
    pub record_failure_rate: f64,
    /// How they fail.
    pub record_fault: RecordFault,
    /// Share (0..=1) of PutRecord, PutRecords, GetShardIterator and
    /// GetRecords requests that fail whole with HTTP 500 `InternalFailure`
    /// (nothing of a failed request is stored).
    pub request_failure_rate: f64,
    /// Milliseconds the adapter waits before answering any request of the
    /// stream.
    pub latency_ms: u32,
}

impl Default for Faults {
    fn default() -> Faults {
        Faults {
            record_failure_rate: 0.0,
            record_fault: RecordFault::InternalFailure,
            request_failure_rate: 0.0,
            latency_ms: 0,
        }
    }
}

impl Faults {
    /// Whether any fault is configured.
    pub fn any(&self) -> bool {
        self.record_failure_rate > 0.0 || self.request_failure_rate > 0.0 || self.latency_ms > 0
    }

    /// Rates must be shares; a rate outside 0..=1 (or NaN) is refused.
    pub(crate) fn valid(&self) -> bool {
        (0.0..=1.0).contains(&self.record_failure_rate) && (0.0..=1.0).contains(&self.request_failure_rate)
    }
}

pub(crate) use crate::rng::Rng;

impl Engine {
    /// Sets the faults of `stream`, or with `None` the default of every
    /// stream without its own.
    pub fn set_faults(&mut self, stream: Option<&str>, faults: Faults) -> Result<(), EngineError> {
        if !faults.valid() {
            return Err(error("InvalidArgumentException", "Fault rates must be between 0 and 1."));
        }
        match stream {
            None => self.config.faults = faults,
            Some(name) => self.stream_mut(name)?.faults = Some(faults),
        }
        Ok(())
    }

    /// The faults that apply to `stream` (its own, else the default).
    pub fn faults(&self, stream: &str) -> Faults {
        self.streams.get(stream).and_then(|s| s.faults).unwrap_or(self.config.faults)
    }

    /// Draws whether a whole request on `stream` fails.
    pub(super) fn request_fails(&mut self, stream: &str) -> bool {
        let rate = self.faults(stream).request_failure_rate;
        self.rng.chance(rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chance_follows_the_rate_and_the_seed() {
        let mut a = Rng::new(7);
        let hits = (0..100_000).filter(|_| a.chance(0.1)).count();
        assert!((9_000..11_000).contains(&hits), "{hits}");
        let mut b = Rng::new(7);
        let mut c = Rng::new(7);
        assert!((0..1000).all(|_| b.chance(0.5) == c.chance(0.5)));
        assert!(!(0..1000).any(|_| a.chance(0.0)));
        assert!((0..1000).all(|_| a.chance(1.0)));
    }

    fn t(ms: i64) -> crate::time::Timestamp {
        crate::time::Timestamp::from_millis(1_764_158_400_000 + ms).unwrap()
    }

    fn put_batches(e: &mut Engine, batches: usize) -> (usize, usize, Vec<u16>) {
        let keys: Vec<String> = (0..500).map(|i| format!("k{i}")).collect();
        let body = format!(
            r#"{{"StreamName":"s","Records":[{}]}}"#,
            keys.iter()
                .map(|k| format!(r#"{{"Data":"AA==","PartitionKey":"{k}"}}"#))
                .collect::<Vec<_>>()
                .join(",")
        );
        let (mut failed, mut total, mut statuses) = (0, 0, Vec::new());
        for i in 0..batches {
            let r = e.handle(t(i as i64), "Kinesis_20131202.PutRecords", body.as_bytes());
            statuses.push(r.status);
            if r.status == 200 {
                let out = crate::protocol::decode_put_records(&r.body).unwrap();
                failed += out.failed as usize;
                total += 500;
            }
        }
        (failed, total, statuses)
    }

    #[test]
    fn record_failures_follow_the_configured_rate_and_seed() {
        let config = super::super::EngineConfig { throttling: false, seed: 42, ..Default::default() };
        let mut e = Engine::new(config.clone());
        e.create_stream("s", 4, t(0)).unwrap();
        e.set_faults(Some("s"), Faults { record_failure_rate: 0.05, ..Faults::default() }).unwrap();
        let (failed, total, _) = put_batches(&mut e, 40);
        // 20,000 records at 5 %: mean 1,000, standard deviation about 31.
        assert!((850..1150).contains(&failed), "{failed} of {total}");
        let stats = e.stats("s").unwrap();
        assert_eq!(stats.iter().map(|(_, s)| s.injected_failures).sum::<u64>(), failed as u64);
        assert_eq!(stats.iter().map(|(_, s)| s.records_in).sum::<u64>(), (total - failed) as u64);
        // The same seed replays the same failures.
        let mut again = Engine::new(config);
        again.create_stream("s", 4, t(0)).unwrap();
        again.set_faults(Some("s"), Faults { record_failure_rate: 0.05, ..Faults::default() }).unwrap();
        assert_eq!(put_batches(&mut again, 40).0, failed);
    }

    #[test]
    fn throttling_faults_use_aws_message_and_request_faults_are_500s() {
        let mut e = Engine::new(super::super::EngineConfig { throttling: false, ..Default::default() });
        e.create_stream("s", 1, t(0)).unwrap();
        e.set_faults(
            None,
            Faults { record_failure_rate: 1.0, record_fault: RecordFault::Throttling, ..Faults::default() },
        )
        .unwrap();
        let r = e.handle(
            t(1),
            "Kinesis_20131202.PutRecords",
            br#"{"StreamName":"s","Records":[{"Data":"AA==","PartitionKey":"a"}]}"#,
        );
        let body = String::from_utf8(r.body).unwrap();
        assert!(body.contains(r#""ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.""#), "{body}");
        let r = e.handle(
            t(1),
            "Kinesis_20131202.PutRecord",
            br#"{"StreamName":"s","Data":"AA==","PartitionKey":"a"}"#,
        );
        assert_eq!(r.status, 400);
        e.set_faults(Some("s"), Faults { request_failure_rate: 0.1, latency_ms: 25, ..Faults::default() })
            .unwrap();
        let (_, _, statuses) = put_batches(&mut e, 1000);
        let errors = statuses.iter().filter(|s| **s == 500).count();
        // 1,000 requests at 10 %: mean 100, standard deviation about 9.5.
        assert!((65..135).contains(&errors), "{errors}");
        assert!(statuses.iter().all(|s| *s == 200 || *s == 500));
        let r = e.handle(t(1), "Kinesis_20131202.ListShards", br#"{"StreamName":"s"}"#);
        assert_eq!((r.status, r.delay_ms), (200, 0), "control plane: no faults");
        let r = e.handle(
            t(1),
            "Kinesis_20131202.PutRecord",
            br#"{"StreamName":"s","Data":"AA==","PartitionKey":"a"}"#,
        );
        assert_eq!(r.delay_ms, 25);
        assert!(e.set_faults(None, Faults { record_failure_rate: 1.5, ..Faults::default() }).is_err());
        assert!(e.set_faults(Some("nope"), Faults::default()).is_err());
    }
}
