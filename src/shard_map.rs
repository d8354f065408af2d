//! Which shard a hash key lands on.
//!
//! A stream's open shards always cover the whole hash key space
//! [0, 2^128 − 1] without gaps or overlaps; closed shards (parents of a
//! split or merge) stay listed until retention trims them and are kept here
//! for lineage. Lookups go to open shards only, by binary search.

use crate::prelude::*;
use core::fmt;

use crate::partition::hash_key;
use crate::sort::heap_sort_by;

/// One shard: its id, hash key range, lineage, and whether it is open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shard {
    /// `shardId-` + 12 digits.
    pub id: String,
    /// First hash key of the range.
    pub starting_hash_key: u128,
    /// Last hash key of the range (inclusive).
    pub ending_hash_key: u128,
    /// The shard this one was split from, or one of the two it merged.
    pub parent: Option<String>,
    /// The other shard of a merge.
    pub adjacent_parent: Option<String>,
    /// Open shards take writes; closed ones (with an ending sequence
    /// number) only serve reads until trimmed.
    pub open: bool,
}

/// A shard map that cannot be right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShardMapError {
    /// No shard, or a shard count of 0.
    Empty,
    /// A shard whose range ends before it starts.
    InvertedRange(String),
    /// Open shards leave part of [0, 2^128 − 1] uncovered or cover a part
    /// twice (at this hash key).
    NotCovering(u128),
    /// A shard id appears twice.
    DuplicateId(String),
}

impl fmt::Display for ShardMapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShardMapError::Empty => f.write_str("a stream has at least one shard"),
            ShardMapError::InvertedRange(id) => write!(f, "shard {id} ends before it starts"),
            ShardMapError::NotCovering(at) => {
                write!(f, "open shards must cover hash keys 0 to 2^128-1 exactly once; they do not at {at}")
            }
            ShardMapError::DuplicateId(id) => write!(f, "shard id {id} appears twice"),
        }
    }
}

impl core::error::Error for ShardMapError {}

/// The shard id Kinesis gives shard number `n`: `shardId-` and 12 digits.
pub fn shard_id(n: u64) -> String {
    format!("shardId-{n:012}")
}

/// The hash key ranges CreateStream gives `count` shards: shard i covers
/// [i·⌊2^128/N⌋, (i+1)·⌊2^128/N⌋ − 1] and the last one ends at 2^128 − 1
/// (as AWS's DescribeStream output shows; kinesis-mock divides 2^128 − 1
/// instead, which differs by one on some boundaries).
pub fn uniform_ranges(count: u32) -> impl Iterator<Item = (u128, u128)> {
    let n = u128::from(count.max(1));
    // ⌊2^128 / n⌋ without 2^128: 2^128 = n·q + r + 1 with q, r from u128::MAX.
    // (For n = 1 the width, 2^128, does not fit; the only range is the whole
    // space, which the `i == n - 1` arm gives.)
    let (q, r) = (u128::MAX / n, u128::MAX % n);
    let width = if r == n - 1 && n > 1 { q + 1 } else { q };
    (0..n).map(move |i| {
        let start = i * width;
        let end = if i == n - 1 { u128::MAX } else { (i + 1) * width - 1 };
        (start, end)
    })
}

/// A stream's shards, for routing records and predicting where they land.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardMap {
    shards: Vec<Shard>,
    /// Indices into `shards` of the open shards, by starting hash key.
    open: Vec<usize>,
}

impl ShardMap {
    /// The shards of a stream just created with `count` shards.
    pub fn uniform(count: u32) -> Result<ShardMap, ShardMapError> {
        if count == 0 {
            return Err(ShardMapError::Empty);
        }
        let shards = uniform_ranges(count)
            .enumerate()
            .map(|(i, (start, end))| Shard {
                id: shard_id(i as u64),
                starting_hash_key: start,
                ending_hash_key: end,
                parent: None,
                adjacent_parent: None,
                open: true,
            })
            .collect();
        ShardMap::new(shards)
    }

    /// From shards as ListShards or DescribeStream lists them. The open ones
    /// must cover the hash key space exactly.
    pub fn new(shards: Vec<Shard>) -> Result<ShardMap, ShardMapError> {
        if shards.is_empty() {
            return Err(ShardMapError::Empty);
        }
        if let Some(s) = shards.iter().find(|s| s.ending_hash_key < s.starting_hash_key) {
            return Err(ShardMapError::InvertedRange(s.id.clone()));
        }
        let mut by_id: Vec<usize> = (0..shards.len()).collect();
        heap_sort_by(&mut by_id, |&a, &b| shards[a].id < shards[b].id);
        if let Some(w) = by_id.windows(2).find(|w| shards[w[0]].id == shards[w[1]].id) {
            return Err(ShardMapError::DuplicateId(shards[w[0]].id.clone()));
        }
        let mut open = Vec::with_capacity(shards.len());
        for (i, s) in shards.iter().enumerate() {
            if s.open {
                open.push(i);
            }
        }
        heap_sort_by(&mut open, |&a, &b| shards[a].starting_hash_key < shards[b].starting_hash_key);
        let mut next: Option<u128> = Some(0);
        for &i in &open {
            let s = &shards[i];
            if next != Some(s.starting_hash_key) {
                return Err(ShardMapError::NotCovering(next.unwrap_or(u128::MAX)));
            }
            next = s.ending_hash_key.checked_add(1);
        }
        if next.is_some() {
            return Err(ShardMapError::NotCovering(next.unwrap_or(0)));
        }
        Ok(ShardMap { shards, open })
    }

    /// Every shard, open and closed, in the order given.
    pub fn shards(&self) -> &[Shard] {
        &self.shards
    }

    /// The open shards, by starting hash key.
    pub fn open_shards(&self) -> impl ExactSizeIterator<Item = &Shard> {
        self.open.iter().map(|&i| &self.shards[i])
    }

    /// The open shard that owns `key`.
    pub fn shard_for_hash_key(&self, key: u128) -> &Shard {
        // Open shards cover the space (checked in `new`), so the last one
        // starting at or before `key` owns it.
        let i = self.open.partition_point(|&i| self.shards[i].starting_hash_key <= key);
        &self.shards[self.open[i.saturating_sub(1)]]
    }

    /// The open shard a record goes to: by its explicit hash key when it
    /// has one, else by the MD5 of its partition key.
    pub fn shard_for(&self, partition_key: &str, explicit_hash_key: Option<u128>) -> &Shard {
        self.shard_for_hash_key(explicit_hash_key.unwrap_or_else(|| hash_key(partition_key)))
    }

    /// A shard by id.
    pub fn get(&self, id: &str) -> Option<&Shard> {
        self.shards.iter().find(|s| s.id == id)
    }

    /// The shards that were split from or merged out of `id`.
    pub fn children_of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Shard> + 'a {
        self.shards
            .iter()
            .filter(move |s| s.parent.as_deref() == Some(id) || s.adjacent_parent.as_deref() == Some(id))
    }

    /// A hash key inside shard `id`'s range, chosen by `pick` (e.g. random):
    /// an ExplicitHashKey that sends a record to that shard.
    pub fn explicit_hash_key_in(&self, id: &str, pick: u128) -> Option<u128> {
        let s = self.get(id)?;
        let span = s.ending_hash_key - s.starting_hash_key;
        Some(match span.checked_add(1) {
            Some(width) => s.starting_hash_key + pick % width,
            None => pick, // the whole space
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_split_matches_create_stream() {
        let m = ShardMap::uniform(1).unwrap();
        assert_eq!((m.shards()[0].starting_hash_key, m.shards()[0].ending_hash_key), (0, u128::MAX));
        // Two shards: AWS's DescribeStream shows 0..170141183460469231731687303715884105727
        // and 170141183460469231731687303715884105728..2^128-1.
        let m = ShardMap::uniform(2).unwrap();
        assert_eq!(m.shards()[0].ending_hash_key, 170141183460469231731687303715884105727);
        assert_eq!(m.shards()[1].starting_hash_key, 170141183460469231731687303715884105728);
        // Three shards: ⌊2^128/3⌋ = 113427455640312821154458202477256070485.
        let m = ShardMap::uniform(3).unwrap();
        assert_eq!(m.shards()[1].starting_hash_key, 113427455640312821154458202477256070485);
        assert_eq!(m.shards()[2].starting_hash_key, 226854911280625642308916404954512140970);
        assert_eq!(m.shards()[2].ending_hash_key, u128::MAX);
        assert_eq!(m.shards()[2].id, "shardId-000000000002");
        for n in [1, 2, 3, 7, 64, 100, 1000, 4096, 10_000] {
            let m = ShardMap::uniform(n).unwrap();
            assert_eq!(m.open_shards().count(), n as usize);
        }
        assert_eq!(ShardMap::uniform(0), Err(ShardMapError::Empty));
    }

    #[test]
    fn lookup_at_boundaries() {
        let m = ShardMap::uniform(5).unwrap();
        for s in m.shards() {
            assert_eq!(m.shard_for_hash_key(s.starting_hash_key).id, s.id);
            assert_eq!(m.shard_for_hash_key(s.ending_hash_key).id, s.id);
        }
        assert_eq!(m.shard_for_hash_key(0).id, "shardId-000000000000");
        assert_eq!(m.shard_for_hash_key(u128::MAX).id, "shardId-000000000004");
        assert_eq!(m.shard_for("a", None).id, m.shard_for_hash_key(hash_key("a")).id);
        assert_eq!(m.shard_for("a", Some(0)).id, "shardId-000000000000");
    }

    #[test]
    fn resharded_streams_route_to_open_children() {
        let half = 1u128 << 127;
        let quarter = 1u128 << 126;
        let shard = |id: &str, start, end, parent: Option<&str>, adjacent: Option<&str>, open| Shard {
            id: id.into(),
            starting_hash_key: start,
            ending_hash_key: end,
            parent: parent.map(Into::into),
            adjacent_parent: adjacent.map(Into::into),
            open,
        };
        // shard 0 split into 2 and 3; then 3 and 1 merged into 4.
        let m = ShardMap::new(vec![
            shard("shardId-000000000000", 0, half - 1, None, None, false),
            shard("shardId-000000000001", half, u128::MAX, None, None, false),
            shard("shardId-000000000002", 0, quarter - 1, Some("shardId-000000000000"), None, true),
            shard("shardId-000000000003", quarter, half - 1, Some("shardId-000000000000"), None, false),
            shard(
                "shardId-000000000004",
                quarter,
                u128::MAX,
                Some("shardId-000000000003"),
                Some("shardId-000000000001"),
                true,
            ),
        ])
        .unwrap();
        assert_eq!(m.shard_for_hash_key(quarter - 1).id, "shardId-000000000002");
        assert_eq!(m.shard_for_hash_key(quarter).id, "shardId-000000000004");
        assert_eq!(m.shard_for_hash_key(half).id, "shardId-000000000004");
        let children: Vec<&str> = m.children_of("shardId-000000000000").map(|s| s.id.as_str()).collect();
        assert_eq!(children, ["shardId-000000000002", "shardId-000000000003"]);
        let children: Vec<&str> = m.children_of("shardId-000000000001").map(|s| s.id.as_str()).collect();
        assert_eq!(children, ["shardId-000000000004"]);
        let k = m.explicit_hash_key_in("shardId-000000000004", u128::MAX).unwrap();
        assert_eq!(m.shard_for_hash_key(k).id, "shardId-000000000004");
    }

    #[test]
    fn refuses_maps_that_do_not_cover() {
        let shard = |id: &str, start, end| Shard {
            id: id.into(),
            starting_hash_key: start,
            ending_hash_key: end,
            parent: None,
            adjacent_parent: None,
            open: true,
        };
        assert_eq!(ShardMap::new(vec![]), Err(ShardMapError::Empty));
        assert_eq!(ShardMap::new(vec![shard("a", 1, u128::MAX)]), Err(ShardMapError::NotCovering(0)));
        assert_eq!(ShardMap::new(vec![shard("a", 0, 5)]), Err(ShardMapError::NotCovering(6)));
        assert_eq!(
            ShardMap::new(vec![shard("a", 0, 5), shard("b", 5, u128::MAX)]),
            Err(ShardMapError::NotCovering(6))
        );
        assert_eq!(ShardMap::new(vec![shard("a", 5, 0)]), Err(ShardMapError::InvertedRange("a".into())));
        assert_eq!(
            ShardMap::new(vec![shard("a", 0, u128::MAX), shard("a", 0, 0)]),
            Err(ShardMapError::DuplicateId("a".into()))
        );
    }
}
