//! Two small sorts, so the `.wasm` carries neither of the standard
//! library's (driftsort and ipnsort together weigh about 11 KB; measured
//! with twiggy).

/// A stable insertion sort: `greater(a, b)` says `a` goes after `b`. For
/// the handful of items a request has (headers, query parameters), and for
/// input that is already nearly sorted.
pub(crate) fn insertion_sort_by<T>(items: &mut [T], greater: impl Fn(&T, &T) -> bool) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && greater(&items[j - 1], &items[j]) {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// An unstable heapsort: `less(a, b)` says `a` goes before `b`.
/// O(n log n) in every case, for lists that can be long (shards).
pub(crate) fn heap_sort_by<T>(items: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let sift_down = |items: &mut [T], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            break;
        }
        if child + 1 < end && less(&items[child], &items[child + 1]) {
            child += 1;
        }
        if !less(&items[root], &items[child]) {
            break;
        }
        items.swap(root, child);
        root = child;
    };
    let n = items.len();
    for start in (0..n / 2).rev() {
        sift_down(items, start, n);
    }
    for end in (1..n).rev() {
        items.swap(0, end);
        sift_down(items, 0, end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sort() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for len in 0..200 {
            let mut v: Vec<u32> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    (seed % 50) as u32
                })
                .collect();
            let mut want = v.clone();
            want.sort();
            let mut h = v.clone();
            heap_sort_by(&mut h, |a, b| a < b);
            assert_eq!(h, want);
            insertion_sort_by(&mut v, |a, b| a > b);
            assert_eq!(v, want);
        }
    }

    #[test]
    fn insertion_sort_is_stable() {
        let mut v = vec![(1, 'a'), (0, 'b'), (1, 'c'), (0, 'd')];
        insertion_sort_by(&mut v, |a, b| a.0 > b.0);
        assert_eq!(v, [(0, 'b'), (0, 'd'), (1, 'a'), (1, 'c')]);
    }
}
