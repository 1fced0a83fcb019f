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
//! - [`square_numpy_array_rust`] does the same with a Rust kernel;
//! - views that may reach one memory location by two index tuples ([`may_overlap`]: sliding
//!   windows, broadcasting) are squared by [`square_each_location_once`], each location once,
//!   as `np.square(w, out=w)` leaves them;
//! - [`square_slice_into`] and the [`Square`] arithmetic of every dtype are the loops of the
//!   Python module's ufunc `array_ops.square`, which NumPy calls on runs it has cut itself.
//!
//! Where each part lives: `square_numpy_array.rs` (the tutorial's function and its Rust twin),
//! `runs.rs` (a view cut into contiguous runs), `overlap.rs` (views that reach a location
//! twice), `parallel.rs` (long runs on the pool), `kernels.rs` (the Rust square, one copy per
//! instruction set), `ffi.rs` (the tutorial's C, one build per instruction set), `ufunc.rs`
//! and `python.rs` (the Python module).
//!
//! With the `python` feature, the Python module `array_ops`. The core has no Python in it.
#![deny(missing_docs)]

pub mod ffi;
mod kernels;
mod overlap;
mod parallel;
#[cfg(feature = "python")]
mod python;
mod runs;
mod square_numpy_array;
#[cfg(feature = "python")]
mod ufunc;

pub use kernels::{Square, square_slice, square_slice_into};
pub use overlap::{may_overlap, square_each_location_once};
pub use runs::for_each_run;
pub use square_numpy_array::{square_numpy_array, square_numpy_array_rust};
