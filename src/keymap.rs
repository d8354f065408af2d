//! Small maps: a sorted `Vec` searched by bisection. The producer keeps one
//! entry per shard it writes to (keyed by the shard's starting hash key),
//! and the aggregator one per partition key of an aggregate — a few,
//! hundreds at most — where this is as fast as hashing and a fraction of a
//! hash table's code in the `.wasm`.

use crate::prelude::*;

/// A map kept sorted by key.
#[derive(Clone, Debug)]
pub(crate) struct SortedMap<K, V> {
    items: Vec<(K, V)>,
}

/// A map from `u128` keys (shards' starting hash keys).
pub(crate) type KeyMap<V> = SortedMap<u128, V>;

/// A set of `u128` keys.
pub(crate) type KeySet = KeyMap<()>;

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> SortedMap<K, V> {
        SortedMap { items: Vec::new() }
    }
}

impl<K: Ord + Copy, V> SortedMap<K, V> {
    fn find(&self, key: K) -> Result<usize, usize> {
        self.items.binary_search_by(|(k, _)| k.cmp(&key))
    }

    pub(crate) fn get(&self, key: K) -> Option<&V> {
        self.find(key).ok().and_then(|i| self.items.get(i)).map(|(_, v)| v)
    }

    /// The value of `key`, or where `key` would go (for
    /// [`SortedMap::insert_at`], with no change in between).
    pub(crate) fn lookup(&self, key: K) -> Result<&V, usize> {
        let i = self.find(key)?;
        self.items.get(i).map(|(_, v)| v).ok_or(i)
    }

    /// Inserts `key`, missing, at `at` from [`SortedMap::lookup`]: one
    /// search for a look-up followed by an insert.
    pub(crate) fn insert_at(&mut self, at: usize, key: K, value: V) {
        self.items.insert(at.min(self.items.len()), (key, value));
    }

    pub(crate) fn contains(&self, key: K) -> bool {
        self.find(key).is_ok()
    }

    /// Inserts or replaces.
    pub(crate) fn insert(&mut self, key: K, value: V) {
        match self.find(key) {
            Ok(i) => {
                if let Some(e) = self.items.get_mut(i) {
                    e.1 = value;
                }
            }
            Err(i) => self.items.insert(i, (key, value)),
        }
    }

    /// The value of `key`, inserted with `make` when missing.
    pub(crate) fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(key) {
            Ok(i) => i,
            Err(i) => {
                self.items.insert(i, (key, make()));
                i
            }
        };
        &mut self.items[i].1
    }

    pub(crate) fn remove(&mut self, key: K) {
        if let Ok(i) = self.find(key) {
            self.items.remove(i);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    pub(crate) fn clear(&mut self) {
        self.items.clear();
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.items.iter().map(|(_, v)| v)
    }
}

impl<K, V> SortedMap<K, V> {
    /// The entries, by key.
    pub(crate) fn iter(&self) -> core::slice::Iter<'_, (K, V)> {
        self.items.iter()
    }
}

impl KeySet {
    pub(crate) fn add(&mut self, key: u128) {
        self.insert(key, ());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_map() {
        let mut m: KeyMap<u32> = KeyMap::default();
        for k in [5u128, 1, 9, 3, u128::MAX, 0] {
            m.insert(k, k as u32);
        }
        m.insert(9, 90);
        *m.get_or_insert_with(4, || 40) += 1;
        *m.get_or_insert_with(5, || 0) += 1;
        m.remove(1);
        m.remove(77);
        assert_eq!(m.get(9), Some(&90));
        assert_eq!(m.get(1), None);
        assert!(m.contains(u128::MAX));
        assert_eq!(m.len(), 6);
        assert_eq!(m.iter().map(|(k, _)| *k).collect::<Vec<_>>(), [0, 3, 4, 5, 9, u128::MAX]);
        assert_eq!(m.values().copied().collect::<Vec<_>>(), [0, 3, 41, 6, 90, u32::MAX]);
        m.clear();
        assert_eq!(m.len(), 0);
    }
}
