//! # `array_ops`: section 4 of "NumPy with Cython and C"
//!
//! The tutorial passes a NumPy array to its C `square_array(double *arr, int size)` through
//! Cython as `square_array(&arr[0], arr.shape[0])`. Tried here, that does not build (Cython
//! will not overwrite the hand-written `array_ops.c` beside `array_ops.pyx`), and renamed, it
//! squares the wrong values of `a[::3]` and writes outside that view (the C code assumes the
//! values are contiguous), corrupts the heap on `a[::-1]` (it writes *after* the first value,
//! into memory before the view's end), raises `IndexError` on an empty array, and truncates
//! sizes above 2^31 (`int size`).
//!
//! This crate squares any view correctly:
//! - [`for_each_run`] cuts a strided N-D view into its contiguous runs (one run for a
//!   contiguous array in any axis order, reversed included);
//! - [`square_numpy_array`] calls the C function on each run ([`ffi::square_array_c`] chunks
//!   runs longer than a C `int`), large runs shared out over the process's thread pool
//!   ([`pool`]);
//! - [`square_numpy_array_rust`] does the same with a Rust kernel.
//!
//! With the `module` feature, the Python module `array_ops`. The core has no Python in it.
#![deny(missing_docs)]

use ndarray::ArrayViewMutD;

pub mod ffi;
#[cfg(feature = "module")]
mod python;

/// Runs of at least this many values are squared on all of the pool's threads: below it,
/// handing work to a helper costs about what it saves (docs/measurements/section-4.md).
pub const PARALLEL_FROM: usize = 1 << 15;

/// The smallest piece of a run a thread squares at a time.
pub const MIN_PIECE: usize = 1 << 13;

/// How many pieces a run is cut into per thread: a few, so that a thread that starts late
/// still gets an even share, and few, as each costs a hand-over.
const PIECES_PER_THREAD: usize = 2;

/// The pieces a parallel run of `len` values is cut into: equal (so that the threads finish
/// together), a multiple of 8 values (so that each starts on the same vector boundary as the
/// run), and at least [`MIN_PIECE`].
pub fn piece_len(len: usize, threads: usize) -> usize {
    len.div_ceil(PIECES_PER_THREAD * threads)
        .next_multiple_of(8)
        .max(MIN_PIECE)
}

/// Calls `f` on every contiguous run of `view`'s values, each value in exactly one run.
///
/// The axes are taken from the largest stride to the smallest, so a view contiguous in any
/// axis order (C, Fortran, transposed, reversed) is one run, and a view with gaps between
/// rows or planes gives one run per row or plane. A view whose smallest stride is not one
/// value gives runs of one value. Runs are in memory order within each run, which does not
/// matter for an element-wise operation. Empty views give no run.
pub fn for_each_run(mut view: ArrayViewMutD<'_, f64>, f: &mut impl FnMut(&mut [f64])) {
    // The common case first, without sorting axes: a contiguous array is one run.
    if let Some(run) = view.as_slice_memory_order_mut() {
        if !run.is_empty() {
            f(run);
        }
        return;
    }
    let mut axes: Vec<usize> = (0..view.ndim()).collect();
    axes.sort_by_key(|&axis| std::cmp::Reverse(view.strides()[axis].unsigned_abs()));
    runs(view.permuted_axes(axes), f);
}

fn runs(mut view: ArrayViewMutD<'_, f64>, f: &mut impl FnMut(&mut [f64])) {
    if view.is_empty() {
        return;
    }
    if let Some(run) = view.as_slice_memory_order_mut() {
        f(run);
        return;
    }
    for sub in view.outer_iter_mut() {
        runs(sub, f);
    }
}

/// Whether an array of this shape and these strides reaches one value by two index tuples:
/// a zero stride on an axis longer than 1 (broadcasting), in an array that has values. Such an array must be refused
/// before any mutable view of it exists: a Rust `&mut` view may not alias, and squaring it
/// in place would square a value twice.
pub fn has_repeated_values(shape: &[usize], strides: &[isize]) -> bool {
    let empty = shape.contains(&0);
    !empty
        && shape
            .iter()
            .zip(strides)
            .any(|(&len, &stride)| len > 1 && stride == 0)
}

/// Squares one contiguous run with `kernel` ([`ffi::square_array_c`] or [`square_slice`]), on
/// all threads when it is long.
pub fn square_run(run: &mut [f64], kernel: fn(&mut [f64])) {
    if run.len() >= PARALLEL_FROM {
        let piece = piece_len(run.len(), pool::threads());
        let mut pieces: Vec<&mut [f64]> = run.chunks_mut(piece).collect();
        pool::for_each_mut(&mut pieces, |piece| kernel(piece));
    } else {
        kernel(run);
    }
}

/// Squares every value of `view` in place with `kernel`, called on each contiguous run (see
/// [`for_each_run`] and [`square_run`]).
pub fn square_view(view: ArrayViewMutD<'_, f64>, kernel: fn(&mut [f64])) {
    for_each_run(view, &mut |run| square_run(run, kernel));
}

/// Squares every value of `view` in place with the tutorial's C `square_array`, called on
/// each contiguous run (see [`for_each_run`]).
///
/// ```
/// use ndarray::array;
/// let mut a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
/// array_ops::square_numpy_array(a.slice_mut(ndarray::s![.., ..;-2]).into_dyn());
/// assert_eq!(a, array![[1.0, 2.0, 9.0], [16.0, 5.0, 36.0]]);
/// ```
pub fn square_numpy_array(view: ArrayViewMutD<'_, f64>) {
    square_view(view, ffi::square_array_c);
}

/// As [`square_numpy_array`], with a Rust kernel instead of the C function.
///
/// ```
/// use ndarray::array;
/// let mut a = array![1.0, -2.0, 3.0];
/// array_ops::square_numpy_array_rust(a.view_mut().into_dyn());
/// assert_eq!(a, array![1.0, 4.0, 9.0]);
/// ```
pub fn square_numpy_array_rust(view: ArrayViewMutD<'_, f64>) {
    square_view(view, square_slice);
}

/// `x *= x` for every value: the same arithmetic as the C loop, vectorised by the compiler
/// for the widest registers this CPU has (picked at run time; the same bits on each).
pub fn square_slice(values: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F, checked on the line above.
            return unsafe { square_avx512(values) };
        }
        if is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked on the line above.
            return unsafe { square_avx2(values) };
        }
    }
    square_values(values);
}

#[inline(always)]
fn square_values(values: &mut [f64]) {
    for x in values {
        *x *= *x;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn square_avx512(values: &mut [f64]) {
    square_values(values);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn square_avx2(values: &mut [f64]) {
    square_values(values);
}
