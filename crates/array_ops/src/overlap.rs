//! Views that may reach one memory location by two index tuples (sliding windows, writable
//! broadcasts): detected cheaply ([`may_overlap`]), and squared each location once through a
//! map of the locations they reach.

use crate::parallel::square_run;

/// Whether a view of this shape and these strides (in bytes), of values `itemsize` bytes wide,
/// may reach one memory location by two index tuples: `false` means it certainly does not.
///
/// The test is sufficient, not exact: with the axes of more than one value taken from the
/// smallest `|stride|` to the largest, each stride must be at least the span of the axes before
/// it (from the first byte they reach to the last), so that the copies of that block along the
/// axis are disjoint. Views made by slicing, transposing or reshaping pass; broadcast views
/// (a zero stride), sliding windows and other `as_strided` views whose values overlap fail,
/// and so may a few views that do not overlap (axes interleaved in memory). O(ndim log ndim).
/// An empty view has no location, so none is reached twice.
pub fn may_overlap(shape: &[usize], strides: &[isize], itemsize: usize) -> bool {
    if shape.contains(&0) {
        return false;
    }
    let mut axes: Vec<(usize, usize)> = shape
        .iter()
        .zip(strides)
        .filter(|&(&len, _)| len > 1)
        .map(|(&len, &stride)| (stride.unsigned_abs(), len))
        .collect();
    axes.sort_unstable();
    let mut span = itemsize;
    for (stride, len) in axes {
        if stride < span {
            return true;
        }
        // Saturating: a span too large to compute makes the next axes fail the test, the
        // safe answer.
        span = stride.saturating_mul(len - 1).saturating_add(span);
    }
    false
}

/// The memory a view reaches, in values: the offset of its lowest value from the view's
/// first value (index `[0, 0, ...]`), and one bit per value from there to its highest, set
/// where the view has a value. Two index tuples reaching one location set one bit.
///
/// `strides` are in values. `None` when the view is empty, or when its span does not fit
/// in an `isize` or the bitmap cannot be allocated (no real array is that large).
fn reached_locations(shape: &[usize], strides: &[isize]) -> Option<(isize, Vec<u64>)> {
    if shape.contains(&0) {
        return None;
    }
    // The axes that move (an axis of one value, or of stride 0, reaches no other location),
    // innermost (smallest |stride|) last: the bitmap is then set in memory order as far as
    // the view allows.
    let mut axes: Vec<(usize, isize)> = shape
        .iter()
        .zip(strides)
        .filter(|&(&len, &stride)| len > 1 && stride != 0)
        .map(|(&len, &stride)| (len, stride))
        .collect();
    axes.sort_by_key(|&(_, stride)| std::cmp::Reverse(stride.unsigned_abs()));
    let (mut low, mut high) = (0isize, 0isize);
    for &(len, stride) in &axes {
        let reach = stride.checked_mul(isize::try_from(len - 1).ok()?)?;
        if reach < 0 {
            low = low.checked_add(reach)?;
        } else {
            high = high.checked_add(reach)?;
        }
    }
    let extent = usize::try_from(high.checked_sub(low)?)
        .ok()?
        .checked_add(1)?;
    let mut bits = Vec::new();
    bits.try_reserve_exact(extent.div_ceil(64)).ok()?;
    bits.resize(extent.div_ceil(64), 0u64);
    let Some((&(inner_len, inner_stride), outer)) = axes.split_last() else {
        // One value (every axis of length one).
        bits[0] = 1;
        return Some((low, bits));
    };
    // An odometer over the outer axes; the inner axis is a plain loop, or one range of
    // bits when its values are adjacent (a window's row), set a word at a time.
    let mut index = vec![0usize; outer.len()];
    let mut start = -low;
    loop {
        if inner_stride.unsigned_abs() == 1 {
            let first = if inner_stride < 0 {
                start - (inner_len as isize - 1)
            } else {
                start
            };
            set_range(&mut bits, first as usize, inner_len);
        } else {
            let mut at = start;
            for _ in 0..inner_len {
                let bit = at as usize;
                bits[bit / 64] |= 1 << (bit % 64);
                at += inner_stride;
            }
        }
        let mut axis = outer.len();
        loop {
            if axis == 0 {
                return Some((low, bits));
            }
            axis -= 1;
            let (len, stride) = outer[axis];
            index[axis] += 1;
            start += stride;
            if index[axis] < len {
                break;
            }
            start -= stride * len as isize;
            index[axis] = 0;
        }
    }
}

/// Sets bits `start..start + len` of `bits` (bit `i` is bit `i % 64` of `bits[i / 64]`).
fn set_range(bits: &mut [u64], start: usize, len: usize) {
    let end = start + len;
    let (first, last) = (start / 64, (end - 1) / 64);
    // The bits from `start % 64` up in the first word, up to `end % 64` in the last.
    let low = u64::MAX << (start % 64);
    let high = u64::MAX >> (63 - (end - 1) % 64);
    if first == last {
        bits[first] |= low & high;
    } else {
        bits[first] |= low;
        bits[first + 1..last].fill(u64::MAX);
        bits[last] |= high;
    }
}

/// Calls `f(start, end)` for each run of consecutive set bits of `bits` (bit `i` is bit
/// `i % 64` of `bits[i / 64]`), in order, `end` exclusive.
fn for_each_set_run(bits: &[u64], mut f: impl FnMut(usize, usize)) {
    let mut run: Option<usize> = None;
    for (w, &word) in bits.iter().enumerate() {
        let base = w * 64;
        let mut bit = 0;
        while bit < 64 {
            let rest = word >> bit;
            match run {
                Some(start) => {
                    // The shifted-in high bits are zeros: the count stops at the word's end.
                    bit += rest.trailing_ones() as usize;
                    if bit < 64 {
                        f(start, base + bit);
                        run = None;
                    }
                }
                None if rest == 0 => break,
                None => {
                    bit += rest.trailing_zeros() as usize;
                    run = Some(base + bit);
                }
            }
        }
    }
    if let Some(start) = run {
        f(start, bits.len() * 64);
    }
}

/// Squares each memory location the view reaches exactly once, with `square` on each run of
/// consecutive locations: for views that may reach a location by two index tuples
/// ([`may_overlap`]), where a Rust `&mut` view may not be made (it would alias) and squaring
/// each index tuple would square a shared location twice. Every location ends as the square
/// of its value before the call, as `np.square(w, out=w)` leaves it. Returns `false`, having
/// changed nothing, when the map of the locations a non-empty view reaches cannot be made (its
/// span does not fit in an `isize`, or the map cannot be allocated: no real array is that
/// large).
///
/// # Safety
/// `first` is the view's value at index `[0, 0, ...]`; with `shape` and `strides` (in values)
/// it must describe only valid, aligned, initialised `f64`s, in one allocation, that nothing
/// else reads or writes during the call.
pub unsafe fn square_each_location_once(
    first: *mut f64,
    shape: &[usize],
    strides: &[isize],
    square: fn(&mut [f64]),
) -> bool {
    if shape.contains(&0) {
        return true;
    }
    let Some((low, bits)) = reached_locations(shape, strides) else {
        return false;
    };
    // SAFETY: `low` is the offset of the view's lowest value from `first`, inside the view's
    // allocation by the caller's contract.
    let origin = unsafe { first.offset(low) };
    for_each_set_run(&bits, |start, end| {
        // SAFETY: every location of the run is one of the view's values (its bit is set), so
        // valid, aligned and initialised, and used by nothing else (the caller's contract);
        // runs are disjoint and this slice is the only reference to them while it lives.
        let run = unsafe { std::slice::from_raw_parts_mut(origin.add(start), end - start) };
        square_run(run, square);
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use test_values::{offsets, small_views};

    // The map of the locations a view reaches, and its runs, against brute force (the same
    // as tests/tests.rs uses for the public functions).

    /// Checks [`reached_locations`] against the brute-force offsets of the view.
    fn check_reached_locations(shape: &[usize], strides: &[isize]) {
        let all = offsets(shape, strides);
        let Some((low, bits)) = reached_locations(shape, strides) else {
            assert!(shape.contains(&0), "{shape:?} {strides:?}");
            return;
        };
        let expected: BTreeSet<isize> = all.iter().map(|at| at - low).collect();
        let mut got = BTreeSet::new();
        for (w, word) in bits.iter().enumerate() {
            for b in 0..64 {
                if word >> b & 1 == 1 {
                    got.insert((w * 64 + b) as isize);
                }
            }
        }
        assert_eq!(got, expected, "{shape:?} {strides:?}");
        assert_eq!(low, *all.iter().min().unwrap(), "{shape:?} {strides:?}");
    }

    #[test]
    fn reached_locations_marks_each_offset_once() {
        small_views(check_reached_locations);
        // Rows of adjacent values (set a word at a time) that start, end and cross anywhere in
        // a word, either way round.
        for len in [2, 63, 64, 65, 130, 200] {
            for row_stride in [1, 7, 64, 100, 250] {
                for inner in [1, -1] {
                    check_reached_locations(&[3, len], &[row_stride, inner]);
                    check_reached_locations(&[len, 4], &[inner, -row_stride]);
                }
            }
        }
        // 64 axes, as NumPy allows, all but two of one value.
        let mut shape = vec![1usize; 64];
        let mut strides = vec![7isize; 64];
        (shape[10], strides[10], shape[50], strides[50]) = (3, -4, 2, 1);
        let (low, bits) = reached_locations(&shape, &strides).unwrap();
        assert_eq!((low, bits), (-8, vec![0b11_0011_0011]));
    }

    #[test]
    fn set_runs_are_found_across_words() {
        let patterns: Vec<Vec<u64>> = vec![
            vec![],
            vec![0],
            vec![u64::MAX],
            vec![1, 1 << 63],
            vec![1 << 63, 1],
            vec![u64::MAX, u64::MAX, 0, 0b1011],
            vec![0xF0F0_0000_0000_000F, u64::MAX << 1, 1],
            vec![0x8000_0000_0000_0001; 3],
        ];
        for bits in patterns {
            let mut expected = vec![];
            let mut run: Option<usize> = None;
            for i in 0..bits.len() * 64 + 1 {
                let set = i < bits.len() * 64 && bits[i / 64] >> (i % 64) & 1 == 1;
                match (set, run) {
                    (true, None) => run = Some(i),
                    (false, Some(start)) => {
                        expected.push((start, i));
                        run = None;
                    }
                    _ => {}
                }
            }
            let mut got = vec![];
            for_each_set_run(&bits, |start, end| got.push((start, end)));
            assert_eq!(got, expected, "{bits:x?}");
        }
    }
}
