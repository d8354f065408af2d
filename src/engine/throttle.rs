//! Per-shard throughput limits as token buckets.
//!
//! A bucket holds up to one second of allowance and refills continuously,
//! so a shard accepts bursts up to its per-second limit and then its
//! steady rate, as Kinesis does (API reference, PutRecords: "Each shard can
//! support writes up to 1,000 records per second, up to a maximum data
//! write total of 1 MiB per second"). Time is an argument.

use crate::time::Timestamp;

/// A token bucket: `capacity` tokens, refilled at `capacity` per second.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Bucket {
    capacity: f64,
    tokens: f64,
    updated: Timestamp,
}

impl Bucket {
    /// A full bucket of `per_second` tokens.
    pub(crate) fn new(per_second: u32, now: Timestamp) -> Bucket {
        let capacity = f64::from(per_second);
        Bucket { capacity, tokens: capacity, updated: now }
    }

    fn refill(&mut self, now: Timestamp) {
        let elapsed_ms = now.as_millis().saturating_sub(self.updated.as_millis());
        if elapsed_ms > 0 {
            self.tokens = (self.tokens + self.capacity * elapsed_ms as f64 / 1000.0).min(self.capacity);
            self.updated = now;
        }
    }

    /// Takes `amount` tokens if there are that many; otherwise takes none.
    pub(crate) fn try_take(&mut self, amount: f64, now: Timestamp) -> bool {
        self.refill(now);
        if amount <= self.tokens {
            self.tokens -= amount;
            true
        } else {
            false
        }
    }

    /// Takes `amount` even if that leaves the bucket in debt (a read may
    /// return more than a second's allowance; later calls pay for it).
    pub(crate) fn take_debt(&mut self, amount: f64, now: Timestamp) {
        self.refill(now);
        self.tokens -= amount;
    }

    /// The tokens there now (negative in debt).
    pub(crate) fn available(&mut self, now: Timestamp) -> f64 {
        self.refill(now);
        self.tokens
    }

    /// Whether `amount` tokens are there (without taking them).
    pub(crate) fn has(&mut self, amount: f64, now: Timestamp) -> bool {
        self.refill(now);
        amount <= self.tokens
    }

    /// Whether it is full (nothing taken in the last second).
    pub(crate) fn is_full(&mut self, now: Timestamp) -> bool {
        self.refill(now);
        self.tokens >= self.capacity
    }

    /// Whether `amount` may be taken: there are that many tokens, or, for
    /// more than the bucket holds, it is full. A record over a second's
    /// allowance (a stream with large records, up to 10 MiB) then leaves
    /// the bucket in debt, which later writes wait out: "To accommodate
    /// large records, Kinesis Data streams bursts up to 10 MiBs, while
    /// averaging out to 1 MiB per second" ("Handle large records",
    /// <https://docs.aws.amazon.com/streams/latest/dev/large-records.html>).
    pub(crate) fn admits(&mut self, amount: f64, now: Timestamp) -> bool {
        self.refill(now);
        amount <= self.tokens || self.tokens >= self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_steady_rate() {
        let t0 = Timestamp::from_millis(1_000_000).unwrap();
        let mut b = Bucket::new(1000, t0);
        let taken = (0..1500).filter(|_| b.try_take(1.0, t0)).count();
        assert_eq!(taken, 1000);
        // 100 ms later, 100 more.
        let t1 = t0.add_millis(100);
        assert_eq!((0..500).filter(|_| b.try_take(1.0, t1)).count(), 100);
        // Never more than a second's worth, however long it rested.
        let t2 = t1.add_millis(60_000);
        assert_eq!((0..5000).filter(|_| b.try_take(1.0, t2)).count(), 1000);
        assert!(!b.has(1.0, t2));
        // Time going backwards takes nothing and refills nothing.
        assert!(!b.try_take(1.0, t0));
    }
}
