//! # `fast_operations`: section 1 of "NumPy with Cython and C"
//!
//! The tutorial's typed Cython loop adds a float64 array's values one after the other. That
//! is slower than `np.sum` (every addition waits for the one before) and less accurate
//! (rounding error grows with n: 1.6e-4 on 10^7 times 0.1, where `np.sum`'s is 0), and its
//! `cdef int i` overflows past 2^31 values. This crate sums the way NumPy does, faster:
//!
//! - [`sum_array`]: float64 with the same bits as `np.sum` ([`pairwise`] reproduces its
//!   summation tree and computes the tree's independent leaves in SIMD lanes); float32
//!   accumulated in float64; int32 and int64 summed exactly, into an `i128`. Any
//!   dimensionality and strides. [`sum_array`] says exactly which order each layout gets.
//! - [`sum_axes`]: `np.sum(a, axis=...)`, sums along axes with the same bits as `np.sum`
//!   for every view ([`reduction`] reproduces the order NumPy's iterator adds the values in).
//! - [`sum_array_naive`]: the tutorial's loop, ported literally, kept for the comparison.
//! - [`sum_unordered`]: the fastest sum this machine can do, in no fixed order: the
//!   comparison's yardstick, not a way to sum.
//! - [`nodes`]: sums of the tree's nodes, for code that splits the tree (`parallel_sum`).
//! - [`reduction`]: the order of a sum along axes, in pieces, for code that splits it.
//! - [`chunks`]: the sum of an array cut into chunks summed apart (Dask), with `np.sum`'s bits.
//!
//! Where each part lives: `sum_array.rs` (the tutorial's function, and the order each layout
//! is summed in), `naive.rs` (the tutorial's loop), `index_order.rs` (views that are not one
//! slice), `exact.rs` (the integer sums), `sum_axes.rs`, `reduction.rs` and `row_add.rs` (sums along axes), `chunks.rs` (chunked
//! arrays), `pairwise/` (NumPy's tree and its kernels, one
//! file per instruction set).
//!
//! With the `python` feature, the Python module `fast_operations` exposes them.
//! The core has no Python in it.
#![deny(missing_docs)]

pub mod chunks;
mod exact;
mod index_order;
mod naive;
pub mod pairwise;
#[cfg(feature = "python")]
mod python;
pub mod reduction;
mod row_add;
mod sum_array;
mod sum_axes;

pub use naive::sum_array_naive;
pub use pairwise::sum_unordered;
pub use sum_array::{Summable, sum_array, sum_f64_slice};
pub use sum_axes::{Accumulate, Overflow, sum_axes};

/// Sums of NumPy's tree's nodes, for code that splits the tree and sums its nodes apart
/// (`parallel_sum` on threads): each node's sum depends only on its values, its size and the
/// parity of its depth, so nodes summed anywhere and added up in the tree's order
/// ([`Depth::join`](crate::pairwise::Depth::join)) give [`sum_array`]'s bits.
pub mod nodes {
    pub use crate::index_order::{merged_axes, sum_in_index_order_at, sum_of_rows};
    pub use crate::pairwise::{Depth, pairwise_sum_at, split};
    pub use crate::sum_array::summation_slice;
}
