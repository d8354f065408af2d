//! The producer's per-shard rate limiter: token buckets at a share of the
//! shard's write limits (1,000 records/s, 1 MiB/s), so that a busy producer
//! holds itself back instead of being throttled by the stream; the share
//! drops when the service throttles the shard anyway (another producer may
//! be writing to it) and climbs back while it does not.
//!
//! The KPL's `RateLimit` is the model (150 % of the shard limits by default:
//! a little above, so the service's own bucket, not ours, decides at the
//! edge).

use crate::keymap::KeyMap;

use crate::time::Timestamp;

/// Records and bytes a shard accepts per second (AWS's write limits).
const RECORDS_PER_SEC: f64 = 1_000.0;
const BYTES_PER_SEC: f64 = 1_048_576.0;
/// The lowest share of the configured rate adaptation goes down to.
const MIN_FACTOR: f64 = 0.05;
/// Multiplicative decrease on throttling, additive increase per second.
const DECREASE: f64 = 0.5;
const INCREASE_PER_SEC: f64 = 0.1;

#[derive(Clone, Debug)]
struct ShardBucket {
    records: f64,
    bytes: f64,
    updated: Timestamp,
    /// Share of the configured rate in force (adaptive), 0.05..=1.
    factor: f64,
}

/// Token buckets per predicted shard (keyed by the shard's starting hash
/// key, which stays meaningful across shard map refreshes).
#[derive(Clone, Debug)]
pub(crate) struct Limiter {
    /// Share of the shard limits, e.g. 1.5 for 150 %; 0 turns it off.
    share: f64,
    shards: KeyMap<ShardBucket>,
}

impl Limiter {
    pub(crate) fn new(percent: u32) -> Limiter {
        Limiter { share: f64::from(percent) / 100.0, shards: KeyMap::default() }
    }

    pub(crate) fn enabled(&self) -> bool {
        self.share > 0.0
    }

    fn bucket(&mut self, shard: u128, now: Timestamp) -> &mut ShardBucket {
        let share = self.share;
        let b = self.shards.get_or_insert_with(shard, || ShardBucket {
            records: RECORDS_PER_SEC * share,
            bytes: BYTES_PER_SEC * share,
            updated: now,
            factor: 1.0,
        });
        let elapsed = (now.as_millis() - b.updated.as_millis()).max(0) as f64 / 1000.0;
        if elapsed > 0.0 {
            b.factor = (b.factor + INCREASE_PER_SEC * elapsed).min(1.0);
            let rate = share * b.factor;
            b.records = (b.records + RECORDS_PER_SEC * rate * elapsed).min(RECORDS_PER_SEC * rate);
            b.bytes = (b.bytes + BYTES_PER_SEC * rate * elapsed).min(BYTES_PER_SEC * rate);
            b.updated = now;
        }
        b
    }

    /// The records and bytes `shard` may take now (infinite when off).
    pub(crate) fn available(&mut self, shard: u128, now: Timestamp) -> (f64, f64) {
        if !self.enabled() {
            return (f64::INFINITY, f64::INFINITY);
        }
        let b = self.bucket(shard, now);
        (b.records, b.bytes)
    }

    /// Takes what was sent (may leave a debt that later refills pay).
    pub(crate) fn take(&mut self, shard: u128, records: f64, bytes: f64, now: Timestamp) {
        if self.enabled() {
            let b = self.bucket(shard, now);
            b.records -= records;
            b.bytes -= bytes;
        }
    }

    /// The service throttled `shard`: slow down.
    pub(crate) fn throttled(&mut self, shard: u128, now: Timestamp) {
        if self.enabled() {
            let share = self.share;
            let b = self.bucket(shard, now);
            b.factor = (b.factor * DECREASE).max(MIN_FACTOR);
            let rate = share * b.factor;
            b.records = b.records.min(RECORDS_PER_SEC * rate);
            b.bytes = b.bytes.min(BYTES_PER_SEC * rate);
        }
    }

    /// When `shard` will next have a record's worth of tokens (`now` if it
    /// has them).
    pub(crate) fn ready_at(&mut self, shard: u128, now: Timestamp) -> Timestamp {
        if !self.enabled() {
            return now;
        }
        let share = self.share;
        let b = self.bucket(shard, now);
        let rate = share * b.factor;
        let need_records = (1.0 - b.records).max(0.0) / (RECORDS_PER_SEC * rate);
        let need_bytes = (1.0 - b.bytes).max(0.0) / (BYTES_PER_SEC * rate);
        let wait = need_records.max(need_bytes);
        now.add_millis(crate::num::ceil(wait * 1000.0) as i64)
    }

    /// The adaptive share of a shard (1 = the configured rate).
    #[cfg(test)]
    pub(crate) fn factor(&self, shard: u128) -> f64 {
        self.shards.get(shard).map_or(1.0, |b| b.factor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: i64) -> Timestamp {
        Timestamp::from_millis(1_764_158_400_000 + ms).unwrap()
    }

    #[test]
    fn holds_a_shard_to_its_share_and_adapts() {
        let mut l = Limiter::new(100);
        let mut sent = 0;
        for ms in 0..2000 {
            while l.available(7, t(ms)).0 >= 1.0 {
                l.take(7, 1.0, 10.0, t(ms));
                sent += 1;
            }
        }
        // 1,000 at once, then 1,000/s for about 2 s.
        assert!((2900..=3100).contains(&sent), "{sent}");
        while l.available(7, t(2000)).0 >= 1.0 {
            l.take(7, 1.0, 10.0, t(2000));
        }
        l.throttled(7, t(2000));
        assert!((l.factor(7) - 0.5).abs() < 1e-9);
        let ready = l.ready_at(7, t(2000));
        assert!(ready > t(2000) && ready <= t(2003), "{ready:?}");
        // Climbs back while not throttled.
        l.available(7, t(7000));
        assert!((l.factor(7) - 1.0).abs() < 1e-9);
        let mut off = Limiter::new(0);
        assert_eq!(off.available(1, t(0)).0, f64::INFINITY);
    }
}
