//! The producer's buffer: records in id order (the order they were pushed;
//! retried records go back to their place, so they come first). A
//! `VecDeque` kept sorted: new records append, the batcher takes from the
//! front, and retries land near it, so every operation costs about what
//! the batcher already paid to scan (and far less code than a `BTreeMap`
//! in the producer's `.wasm`).

use alloc::collections::VecDeque;

use crate::prelude::*;

#[derive(Clone, Debug)]
pub(crate) struct Queue<T> {
    items: VecDeque<(u64, T)>,
}

impl<T> Queue<T> {
    pub(crate) fn new() -> Queue<T> {
        Queue { items: VecDeque::new() }
    }

    /// Puts `item` at its place by `id` (at the back for a new record).
    pub(crate) fn insert(&mut self, id: u64, item: T) {
        if self.items.back().is_none_or(|(last, _)| *last < id) {
            self.items.push_back((id, item));
        } else {
            let at = self.items.partition_point(|(i, _)| *i < id);
            self.items.insert(at, (id, item));
        }
    }

    pub(crate) fn front(&self) -> Option<&(u64, T)> {
        self.items.front()
    }

    pub(crate) fn pop_front(&mut self) -> Option<(u64, T)> {
        self.items.pop_front()
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.items.iter_mut().map(|(_, item)| item)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &(u64, T)> {
        self.items.iter()
    }

    /// Removes the items at `positions` (ascending, as from `iter`) and
    /// returns them in order; the others keep theirs.
    pub(crate) fn take(&mut self, positions: &[usize]) -> Vec<(u64, T)> {
        let Some(&last) = positions.last() else { return Vec::new() };
        let mut taken = Vec::with_capacity(positions.len());
        let mut kept = Vec::new();
        let mut wanted = positions.iter().peekable();
        // Popped one by one (no drain-and-collect: less code in the
        // producer's `.wasm`, as fast).
        for i in 0..=last {
            let Some(item) = self.items.pop_front() else { break };
            if wanted.next_if_eq(&&i).is_some() {
                taken.push(item);
            } else {
                kept.push(item);
            }
        }
        for item in kept.into_iter().rev() {
            self.items.push_front(item);
        }
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_id_order_and_takes_positions() {
        let mut q = Queue::new();
        for id in [1, 2, 3, 5, 8] {
            q.insert(id, id * 10);
        }
        q.insert(4, 40);
        q.insert(0, 0);
        let ids: Vec<u64> = q.iter().map(|(i, _)| *i).collect();
        assert_eq!(ids, [0, 1, 2, 3, 4, 5, 8]);
        let taken = q.take(&[1, 3, 4]);
        assert_eq!(taken, [(1, 10), (3, 30), (4, 40)]);
        let ids: Vec<u64> = q.iter().map(|(i, _)| *i).collect();
        assert_eq!(ids, [0, 2, 5, 8]);
        assert!(q.take(&[]).is_empty());
        assert_eq!(q.pop_front(), Some((0, 0)));
        assert_eq!(q.front(), Some(&(2, 20)));
    }
}
