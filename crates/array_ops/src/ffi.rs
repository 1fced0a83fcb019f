//! The tutorial's C `square_array` (`c_src/array_ops.c`), declared once, with what it needs
//! stated and checked: a valid pointer to `size` contiguous doubles, and `size` within `int`.
//!
//! `build.rs` compiles the file for the baseline x86-64 CPU and, renamed, for AVX2 and
//! AVX-512; [`square_array_c`] calls the one this CPU runs.

use std::ffi::c_int;

unsafe extern "C" {
    /// `void square_array(double *arr, int size)`: `arr[i] *= arr[i]` for `i < size`.
    fn square_array(arr: *mut f64, size: c_int);
    /// The same C code compiled with `-mavx2`.
    #[cfg(target_arch = "x86_64")]
    fn square_array_avx2(arr: *mut f64, size: c_int);
    /// The same C code compiled with `-mavx512f`.
    #[cfg(target_arch = "x86_64")]
    fn square_array_avx512(arr: *mut f64, size: c_int);
}

/// The largest run one call of `square_array` can take: its `size` is a C `int`.
pub const MAX_RUN: usize = c_int::MAX as usize;

/// The build of `square_array` this CPU can run, widest first.
fn best_build() -> unsafe extern "C" fn(*mut f64, c_int) {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f") {
            return square_array_avx512;
        }
        if is_x86_feature_detected!("avx2") {
            return square_array_avx2;
        }
    }
    square_array
}

/// Squares every value of `values` in place with the tutorial's C `square_array`: one call per
/// piece of at most [`MAX_RUN`] values, since a longer `size` would overflow the C `int` (the
/// tutorial passes `arr.shape[0]` as it is). An empty slice makes no call: the tutorial's
/// `&arr[0]` raises `IndexError` on an empty array.
pub fn square_array_c(values: &mut [f64]) {
    let square = best_build();
    in_pieces(values, MAX_RUN, |piece| {
        let size = c_int::try_from(piece.len()).expect("pieces are at most c_int::MAX long");
        // SAFETY: `piece` is `size` valid, initialised, exclusively borrowed doubles; the C
        // function reads and writes exactly `arr[0..size]` and keeps no pointer; best_build
        // returns only a build whose instructions this CPU has.
        unsafe { square(piece.as_mut_ptr(), size) };
    });
}

/// Calls `f` on consecutive pieces of `values`, each of 1 to `max` values, covering all of
/// them once; none for an empty slice. [`square_array_c`]'s chunking, testable with a small
/// `max` (no 16 GiB arrays needed).
pub fn in_pieces(values: &mut [f64], max: usize, f: impl FnMut(&mut [f64])) {
    assert!(max > 0, "pieces must hold at least one value");
    values.chunks_mut(max).for_each(f);
}
