//! Sorting through one shared, non-generic merge sort.
//!
//! Every `slice::sort_by` call with its own element type and closure is a
//! separate copy of the standard library's sort in the compiled code, about
//! 2 KB each in the wasm page (twelve of them cost 40 KB before this
//! module). Here the sorting itself runs once, over `u32` positions with a
//! `dyn` comparison; only the small wrappers are generic.

use std::cmp::Ordering;

/// Sorts `items` by `compare`, stably (equal items keep their order).
pub fn sort_by<T>(items: &mut Vec<T>, mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let order = sorted_positions(items.len(), &mut |a, b| compare(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    *items = order
        .into_iter()
        .filter_map(|i| slots[i as usize].take())
        .collect();
}

/// Sorts a slice of copyable items by `compare`, stably.
pub fn sort_copied_by<T: Copy>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let order = sorted_positions(items.len(), &mut |a, b| compare(&items[a], &items[b]));
    let sorted: Vec<T> = order.into_iter().map(|i| items[i as usize]).collect();
    items.copy_from_slice(&sorted);
}

/// The positions `0..len` in the order `compare` (on positions) sorts
/// them: a bottom-up merge sort, stable.
fn sorted_positions(len: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<u32> {
    let mut order: Vec<u32> = (0..len as u32).collect();
    let mut merged: Vec<u32> = vec![0; len];
    let mut width = 1;
    while width < len {
        let mut start = 0;
        while start < len {
            let middle = (start + width).min(len);
            let end = (start + 2 * width).min(len);
            let (mut left, mut right) = (start, middle);
            for slot in &mut merged[start..end] {
                // Take from the left on ties: that keeps the sort stable.
                let take_left = right >= end
                    || (left < middle
                        && compare(order[left] as usize, order[right] as usize)
                            != Ordering::Greater);
                if take_left {
                    *slot = order[left];
                    left += 1;
                } else {
                    *slot = order[right];
                    right += 1;
                }
            }
            start = end;
        }
        std::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        let mut state = 7u64;
        for len in 0..70 {
            let mut items: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((state >> 60) as u8, i)
                })
                .collect();
            let mut expect = items.clone();
            expect.sort_by_key(|item| item.0);
            sort_by(&mut items, |a, b| a.0.cmp(&b.0));
            assert_eq!(items, expect, "len {len}");
        }
        let mut floats: [f64; 4] = [3.0, -1.0, 2.5, 0.0];
        sort_copied_by(&mut floats, |a, b| a.total_cmp(b));
        assert_eq!(floats, [-1.0, 0.0, 2.5, 3.0]);
    }
}
