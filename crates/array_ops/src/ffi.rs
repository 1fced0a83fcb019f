//! The tutorial's C `square_array` (`c_src/array_ops.c`), declared once, with what it needs
//! stated and checked: a valid pointer to `size` contiguous doubles, and `size` within `int`.

use std::ffi::c_int;

unsafe extern "C" {
    /// `void square_array(double *arr, int size)`: `arr[i] *= arr[i]` for `i < size`.
    fn square_array(arr: *mut f64, size: c_int);
}

/// The largest run one call of `square_array` can take: its `size` is a C `int`.
pub const MAX_RUN: usize = c_int::MAX as usize;

/// Squares every value of `values` in place with the tutorial's C `square_array`: one call per
/// piece of at most [`MAX_RUN`] values, since a longer `size` would overflow the C `int` (the
/// tutorial passes `arr.shape[0]` as it is). An empty slice makes no call: the tutorial's
/// `&arr[0]` raises `IndexError` on an empty array.
pub fn square_array_c(values: &mut [f64]) {
    in_pieces(values, MAX_RUN, |piece| {
        let size = c_int::try_from(piece.len()).expect("pieces are at most c_int::MAX long");
        // SAFETY: `piece` is `size` valid, initialised, exclusively borrowed doubles; the C
        // function reads and writes exactly `arr[0..size]` and keeps no pointer.
        unsafe { square_array(piece.as_mut_ptr(), size) };
    });
}

/// Calls `f` on consecutive pieces of `values`, each of 1 to `max` values, covering all of
/// them once; none for an empty slice. [`square_array_c`]'s chunking, testable with a small
/// `max` (no 16 GiB arrays needed).
pub fn in_pieces(values: &mut [f64], max: usize, f: impl FnMut(&mut [f64])) {
    assert!(max > 0, "pieces must hold at least one value");
    values.chunks_mut(max).for_each(f);
}
