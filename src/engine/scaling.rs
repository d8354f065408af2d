//! UpdateShardCount (`UNIFORM_SCALING`), performed as AWS performs it: a
//! sequence of SplitShard and MergeShards calls that ends with open shards
//! evenly covering the hash key space, every step recorded in the lineage
//! (AWS API reference, UpdateShardCount: "updates the shard count … This
//! operation may result in the creation of additional shards to perform
//! splits and merges, and temporary shards").

use super::{error, Engine, EngineError};
use crate::shard_map::uniform_ranges;
use crate::time::Timestamp;

/// What UpdateShardCount reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScalingOutcome {
    /// Open shards before.
    pub current: u32,
    /// Open shards after.
    pub target: u32,
}

/// UpdateShardCount calls a stream may have in a rolling 24 hours (API
/// reference, UpdateShardCount: "Scale more than ten times per rolling
/// 24-hour period per stream" is refused).
pub(crate) const SCALINGS_PER_DAY: usize = 10;
const DAY_MS: i64 = 24 * 3_600_000;

impl Engine {
    /// UpdateShardCount: between half and double the open shards (AWS's
    /// limits, messages as kinesalite gives AWS's).
    pub fn update_shard_count(
        &mut self,
        stream: &str,
        target: u32,
        now: Timestamp,
    ) -> Result<ScalingOutcome, EngineError> {
        let max = self.config.max_shards_per_stream;
        let s = self.updatable_stream_mut(stream, now)?;
        let current = s.open.len() as u32;
        if target == 0 {
            return Err(error(
                "ValidationException",
                "1 validation error detected: Value '0' at 'targetShardCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
            ));
        }
        let limit = |m: String| error("LimitExceededException", m);
        let counts = format!("Current open shard count: {current}, Target shard count: {target}");
        if target > max {
            return Err(limit(format!(
                "Target shard count or number of open shards cannot be greater than {max}. {counts}"
            )));
        }
        if u64::from(target) > 2 * u64::from(current) {
            return Err(limit(format!(
                "UpdateShardCount cannot scale up over double your current open shard count. {counts}"
            )));
        }
        if u64::from(target) * 2 < u64::from(current) {
            return Err(limit(format!(
                "UpdateShardCount cannot scale down below half your current open shard count. {counts}"
            )));
        }
        // At most ten scalings per rolling 24 hours per stream (API
        // reference, UpdateShardCount; kinesis-mock's message, the
        // reference gives none).
        let day_ago = now.add_millis(-DAY_MS);
        s.scalings.retain(|t| *t > day_ago);
        if s.scalings.len() >= SCALINGS_PER_DAY {
            return Err(limit(format!(
                "Cannot run UpdateShardCount more than {SCALINGS_PER_DAY} times in a 24 hour period"
            )));
        }
        s.scalings.push(now);
        self.update(stream, super::Change::Scale { target }, now)?;
        Ok(ScalingOutcome { current, target })
    }

    /// The scaling [`Engine::update_shard_count`] checked, made at `now`.
    pub(super) fn scale_now(&mut self, stream: &str, target: u32, now: Timestamp) -> Result<(), EngineError> {
        let ranges: Vec<(u128, u128)> = uniform_ranges(target).collect();
        // 1. Split every open shard at each target boundary inside it.
        for &(boundary, _) in ranges.iter().skip(1) {
            let s = self.stream_mut(stream)?;
            let owner = s.open_shard_for(boundary).map(|i| &s.shards[i]);
            if let Some(id) = owner.filter(|sh| sh.starting_hash_key < boundary).map(|sh| sh.id.clone()) {
                self.split_now(stream, &id, boundary, now)?;
            }
        }
        // 2. Merge, left to right, the shards that now lie within each
        //    target range.
        for &(start, end) in &ranges {
            loop {
                let s = self.stream_mut(stream)?;
                let inside: Vec<String> = s
                    .open
                    .iter()
                    .map(|&i| &s.shards[i])
                    .filter(|sh| sh.starting_hash_key >= start && sh.ending_hash_key <= end)
                    .take(2)
                    .map(|sh| sh.id.clone())
                    .collect();
                let [left, right] = inside.as_slice() else { break };
                let (left, right) = (left.clone(), right.clone());
                self.merge_now(stream, &left, &right, now)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{EngineConfig, IteratorType, ShardInfo};
    use super::*;
    use crate::aggregation::UserRecord;

    fn t(ms: i64) -> Timestamp {
        Timestamp::from_millis(1_764_158_400_000 + ms).unwrap()
    }

    /// Open shards sorted by range, and a check that they tile the space.
    fn open_tiling(shards: &[ShardInfo]) -> Vec<(u128, u128)> {
        let mut open: Vec<(u128, u128)> = shards
            .iter()
            .filter(|s| s.ending_sequence_number.is_none())
            .map(|s| (s.starting_hash_key, s.ending_hash_key))
            .collect();
        open.sort();
        assert_eq!(open[0].0, 0);
        assert_eq!(open.last().unwrap().1, u128::MAX);
        assert!(open.windows(2).all(|w| w[0].1 + 1 == w[1].0));
        open
    }

    #[test]
    fn at_most_ten_scalings_a_rolling_day() {
        let mut e = Engine::new(EngineConfig::default());
        e.create_stream("s", 2, t(0)).unwrap();
        for i in 0..10 {
            e.update_shard_count("s", if i % 2 == 0 { 3 } else { 2 }, t(i * 1000)).unwrap();
        }
        let err = e.update_shard_count("s", 3, t(60_000)).unwrap_err();
        assert_eq!(err.code, "LimitExceededException");
        assert_eq!(err.message, "Cannot run UpdateShardCount more than 10 times in a 24 hour period");
        // A refused call does not count; a day after the first, one more.
        e.update_shard_count("s", 3, t(DAY_MS + 1)).unwrap();
        assert!(e.update_shard_count("s", 2, t(DAY_MS + 2)).is_err(), "the second still within the day");
    }

    #[test]
    fn scaling_ends_uniform_through_splits_and_merges() {
        let mut e = Engine::new(EngineConfig { throttling: false, ..EngineConfig::default() });
        e.create_stream("s", 4, t(0)).unwrap();
        let keys: Vec<String> = (0..400).map(|i| format!("k{i}")).collect();
        let records: Vec<UserRecord<'_>> = keys
            .iter()
            .map(|k| UserRecord { partition_key: k, explicit_hash_key: None, data: k.as_bytes() })
            .collect();
        e.put_records("s", &records, t(1)).unwrap();
        let mut now = 2;
        for target in [8, 5, 3, 6, 12, 7, 4] {
            let before = open_tiling(&e.shards("s").unwrap()).len() as u32;
            let out = e.update_shard_count("s", target, t(now)).unwrap();
            assert_eq!(out, ScalingOutcome { current: before, target });
            let open = open_tiling(&e.shards("s").unwrap());
            let expected: Vec<(u128, u128)> = uniform_ranges(target).collect();
            assert_eq!(open, expected, "uniform after scaling to {target}");
            now += 1;
        }
        // Every closed shard has children; every child's parents exist.
        let shards = e.shards("s").unwrap();
        for s in &shards {
            let children = shards
                .iter()
                .filter(|c| {
                    c.parent_shard_id.as_deref() == Some(&s.shard_id)
                        || c.adjacent_parent_shard_id.as_deref() == Some(&s.shard_id)
                })
                .count();
            assert_eq!(children > 0, s.ending_sequence_number.is_some(), "{}", s.shard_id);
        }
        // The records written before are still readable from the parents.
        let mut read = 0;
        for s in shards.iter().take(4) {
            let it = e.get_shard_iterator("s", &s.shard_id, IteratorType::TrimHorizon, t(now)).unwrap();
            read += e.get_records(&it, None, t(now)).unwrap().records.len();
        }
        assert_eq!(read, 400);
        // Writes land on the new open shards.
        e.put_records("s", &records, t(now)).unwrap();
    }

    #[test]
    fn limits_and_messages() {
        let mut e = Engine::new(EngineConfig::default());
        e.create_stream("s", 4, t(0)).unwrap();
        let err = e.update_shard_count("s", 9, t(1)).unwrap_err();
        assert_eq!(err.code, "LimitExceededException");
        assert_eq!(err.message, "UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: 4, Target shard count: 9");
        let err = e.update_shard_count("s", 1, t(1)).unwrap_err();
        assert_eq!(err.message, "UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: 4, Target shard count: 1");
        assert_eq!(e.update_shard_count("nope", 4, t(1)).unwrap_err().code, "ResourceNotFoundException");
        // Same count: nothing changes.
        e.update_shard_count("s", 4, t(1)).unwrap();
        assert_eq!(e.shards("s").unwrap().len(), 4);
        let r = e.handle(
            t(2),
            "Kinesis_20131202.UpdateShardCount",
            br#"{"StreamName":"s","TargetShardCount":2,"ScalingType":"UNIFORM_SCALING"}"#,
        );
        assert_eq!(r.status, 200);
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            r#"{"StreamName":"s","CurrentShardCount":4,"TargetShardCount":2,"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s"}"#
        );
        let r = e.handle(
            t(2),
            "Kinesis_20131202.UpdateShardCount",
            br#"{"StreamName":"s","TargetShardCount":2,"ScalingType":"X"}"#,
        );
        assert!(String::from_utf8(r.body)
            .unwrap()
            .contains("Member must satisfy enum value set: [UNIFORM_SCALING]"));
    }

    #[test]
    fn a_creating_stream_cannot_be_used_or_scaled() {
        let mut e = Engine::new(EngineConfig { create_delay_ms: 500, ..EngineConfig::default() });
        e.create_stream("s", 2, t(0)).unwrap();
        assert_eq!(e.status("s", t(499)), Some("CREATING"));
        let rec = UserRecord { partition_key: "k", explicit_hash_key: None, data: b"x" };
        assert_eq!(e.put_record("s", &rec, t(100)).unwrap_err().code, "ResourceNotFoundException");
        let err = e.update_shard_count("s", 4, t(100)).unwrap_err();
        assert_eq!(err.code, "ResourceInUseException");
        assert_eq!(err.message, "Stream s under account 000000000000 not ACTIVE, instead in state CREATING");
        let d = e.handle(t(100), "Kinesis_20131202.DescribeStreamSummary", br#"{"StreamName":"s"}"#);
        assert!(String::from_utf8(d.body).unwrap().contains(r#""StreamStatus":"CREATING""#));
        assert_eq!(e.status("s", t(500)), Some("ACTIVE"));
        e.put_record("s", &rec, t(500)).unwrap();
    }
}
