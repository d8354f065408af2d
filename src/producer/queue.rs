//! The producer's buffer: records in id order (the order they were pushed;
//! retried records go back to their place, so they come first).
//!
//! One `Vec` whose items start at `head`: the batcher takes records from
//! the front (and picked ones from near it), leaving empty slots (an empty
//! `T`) before `head`; a record sent again moves into the empty slot
//! before the records older than it, so a retry costs about what the
//! batcher paid to scan up to its place; new records append. A `VecDeque`
//! did the same with 0.1 KB gzipped more of the producer's `.wasm` (its
//! two-slice iteration, insertion and growth, for one element type) and
//! took the chaos test 1.15× as long.

use crate::prelude::*;

#[derive(Clone, Debug)]
pub(crate) struct Queue<T> {
    /// In id order. Those before `head` are empty (`T::default()`, their
    /// ids stale); from `head` on, the items.
    slots: Vec<(u64, T)>,
    head: usize,
}

impl<T: Default> Queue<T> {
    pub(crate) fn new() -> Queue<T> {
        Queue { slots: Vec::new(), head: 0 }
    }

    fn items(&self) -> &[(u64, T)] {
        self.slots.get(self.head..).unwrap_or_default()
    }

    /// Puts `item` at its place by `id` (at the back for a new record).
    pub(crate) fn insert(&mut self, id: u64, item: T) {
        if self.head == self.slots.len() || self.slots.last().is_some_and(|(last, _)| *last < id) {
            self.slots.push((id, item));
            return;
        }
        let mut at = self.head + self.items().partition_point(|(i, _)| *i < id);
        if self.head == 0 {
            // No empty slot at the front: make a quarter of the length of
            // them at once, so that retries cost O(1) amortized here.
            let gap = self.slots.len() / 4 + 8;
            let mut slots = Vec::with_capacity(self.slots.len() + gap);
            for _ in 0..gap {
                slots.push((0, T::default()));
            }
            slots.append(&mut self.slots);
            self.slots = slots;
            self.head = gap;
            at += gap;
        }
        // Into the empty slot before the first item, then along to its
        // place (before the first item with a larger id, at `at`).
        self.head -= 1;
        if let Some(span) = self.slots.get_mut(self.head..at) {
            if let Some(slot) = span.first_mut() {
                *slot = (id, item);
            }
            // One `memmove` (element by element was 1.7× the chaos
            // test's time, the `VecDeque` 1.15×).
            span.rotate_left(1);
        }
    }

    /// Puts `items` back at their places, taking them out of `items` (an
    /// empty one left in each place; see Size in the producer's docs).
    pub(crate) fn put_back(&mut self, items: &mut [(u64, T)]) {
        for slot in items {
            let (id, item) = core::mem::take(slot);
            self.insert(id, item);
        }
    }

    pub(crate) fn front(&self) -> Option<&(u64, T)> {
        self.items().first()
    }

    pub(crate) fn pop_front(&mut self) -> Option<(u64, T)> {
        let (id, slot) = self.slots.get_mut(self.head)?;
        let front = (*id, core::mem::take(slot));
        self.head += 1;
        self.reclaim();
        Some(front)
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        let head = self.head;
        self.slots.get_mut(head..).unwrap_or_default().iter_mut().map(|(_, item)| item)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &(u64, T)> {
        self.items().iter()
    }

    /// Removes the items at `positions` (ascending, as from `iter`) and
    /// returns them in order; the others keep theirs.
    pub(crate) fn take(&mut self, positions: &[usize]) -> Vec<(u64, T)> {
        let Some(&last) = positions.last() else { return Vec::new() };
        let head = self.head;
        let Some(span) = self.slots.get_mut(head..=head + last) else { return Vec::new() };
        let mut taken = Vec::with_capacity(positions.len());
        // The positions not yet reached, from the back.
        let mut wanted = positions.len();
        // From the back: picked items leave, kept ones move back over the
        // slots they left, so the empty slots end up at the front.
        let mut kept = span.len();
        for i in (0..span.len()).rev() {
            if wanted > 0 && positions.get(wanted - 1) == Some(&i) {
                wanted -= 1;
                if let Some((id, item)) = span.get_mut(i) {
                    taken.push((*id, core::mem::take(item)));
                }
            } else {
                kept -= 1;
                span.swap(i, kept);
            }
        }
        self.head += kept;
        self.reclaim();
        taken.reverse();
        taken
    }

    /// Gives back the empty slots once they are most of the `Vec` (O(1)
    /// amortized per item taken).
    fn reclaim(&mut self) {
        if self.head == self.slots.len() {
            self.slots.clear();
            self.head = 0;
        } else if self.head > 64 && self.head * 2 > self.slots.len() {
            self.slots = self.slots.split_off(self.head);
            self.head = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(q: &Queue<u64>) -> Vec<u64> {
        q.iter().map(|(i, _)| *i).collect()
    }

    #[test]
    fn keeps_id_order_and_takes_positions() {
        let mut q = Queue::new();
        for id in [1, 2, 3, 5, 8] {
            q.insert(id, id * 10);
        }
        q.insert(4, 40);
        q.insert(0, 0);
        assert_eq!(ids(&q), [0, 1, 2, 3, 4, 5, 8]);
        let taken = q.take(&[1, 3, 4]);
        assert_eq!(taken, [(1, 10), (3, 30), (4, 40)]);
        assert_eq!(ids(&q), [0, 2, 5, 8]);
        assert!(q.take(&[]).is_empty());
        assert_eq!(q.pop_front(), Some((0, 0)));
        assert_eq!(q.front(), Some(&(2, 20)));
        // Taken ones come back to their places, before and between.
        q.insert(1, 10);
        q.insert(3, 30);
        q.insert(9, 90);
        assert_eq!(ids(&q), [1, 2, 3, 5, 8, 9]);
        for (i, v) in q.iter() {
            assert_eq!(i * 10, *v);
        }
        for v in q.values_mut() {
            *v += 1;
        }
        let mut taken = q.take(&[0, 5]);
        assert_eq!(taken, [(1, 11), (9, 91)]);
        assert_eq!(ids(&q), [2, 3, 5, 8]);
        // Back as they were; what is left in their places is empty.
        q.put_back(&mut taken);
        assert_eq!(taken, [(0, 0), (0, 0)]);
        assert_eq!(ids(&q), [1, 2, 3, 5, 8, 9]);
        assert_eq!(q.take(&[0, 5]), [(1, 11), (9, 91)]);
        while q.pop_front().is_some() {}
        assert_eq!(q.front(), None);
        q.insert(4, 40);
        assert_eq!(ids(&q), [4]);
    }

    /// Against a sorted `Vec`, over random pushes, retries, takes and
    /// pops (the producer's own pattern), in phases of growth and of
    /// draining, so that empty slots are given back and room is made at
    /// the front many times.
    #[test]
    fn behaves_like_a_sorted_vec() {
        let mut rng = crate::rng::Rng::new(7);
        let mut q: Queue<u64> = Queue::new();
        let mut model: Vec<u64> = Vec::new();
        let mut out: Vec<u64> = Vec::new();
        let mut next = 0;
        for step in 0..20_000 {
            // Phases of growth and of draining.
            let growing = step % 4_000 < 2_000;
            match rng.next_u64() % 8 {
                0..=2 if growing => {
                    for _ in 0..rng.next_u64() % 20 {
                        q.insert(next, next);
                        model.push(next);
                        next += 1;
                    }
                }
                3 | 4 if !out.is_empty() => {
                    let id = out.swap_remove((rng.next_u64() % out.len() as u64) as usize);
                    q.insert(id, id);
                    let at = model.partition_point(|&m| m < id);
                    model.insert(at, id);
                }
                5 | 6 => {
                    let mut positions: Vec<usize> = Vec::new();
                    for p in 0..model.len().min(40) {
                        if rng.next_u64() % 3 == 0 {
                            positions.push(p);
                        }
                    }
                    let taken = q.take(&positions);
                    let mut expected: Vec<u64> = positions.iter().rev().map(|&p| model.remove(p)).collect();
                    expected.reverse();
                    assert_eq!(taken.iter().map(|(i, _)| *i).collect::<Vec<_>>(), expected);
                    assert!(taken.iter().all(|(i, v)| i == v));
                    out.extend(expected);
                }
                _ => {
                    let popped = q.pop_front();
                    assert_eq!(popped.map(|(i, _)| i), (!model.is_empty()).then(|| model.remove(0)));
                }
            }
            assert_eq!(q.front().map(|(i, _)| *i), model.first().copied());
        }
        assert_eq!(ids(&q), model);
    }
}
