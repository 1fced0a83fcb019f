//! # `python_glue`: what the tutorial's Python modules share
//!
//! Every section's binding (`crates/*/src/python.rs`) keeps only its functions, their
//! docstrings and its module; what they have in common lives here, once, so that every
//! function checks its arguments the same way and says the same thing when it refuses one:
//!
//! - [`InputError`]: everything that can be wrong with an argument, and its message.
//! - [`SumInput`]: the sums' input contract (which arrays and array-likes, copied when, which
//!   errors), and the [`Sums`] each sum function implements once, generically, to be
//!   dispatched on the dtype.
//! - [`with_float64_1d`], [`with_contiguous_float64`]: the one-dtype functions' arguments.
//! - [`release_gil`]: when the GIL is released; [`catch_panics`]: no Rust panic reaches Python.
//! - [`SumInput::sum_along`]: the sums' `axis=` and `keepdims=`, read as NumPy reads them.
//! - [`lazy_sum`]: the sums of Dask arrays (`dask_sum.py` builds the graph), from each
//!   chunk's [`tree_pieces`] and their [`sum_of_tree_pieces`].
//! - [`check_kernel_variable`], [`kernel`]: `FAST_OPERATIONS_KERNEL`, decided at import (and
//!   refused there when this CPU cannot run the kernel it names), and the modules' `kernel()`.
//! - [`with_thread_limit`]: the `threads=` argument of the functions that run on the pool.
//! - [`is_masked`], [`all_strides_zero`], [`MAX_VIEW_NDIM`]: what no array function may take
//!   as it is.
//!
//! It is not a Python module itself, and no section depends on it without its `python`
//! feature: the cores have no Python in them.
#![deny(missing_docs)]

mod arrays;
mod axes;
mod dask;
mod errors;
mod float64;
mod gil;
mod kernel_choice;
mod names;
mod panics;
mod pieces;
mod sum;
mod threads;

pub use arrays::{MAX_VIEW_NDIM, all_strides_zero, is_masked};
pub use dask::{DaskSum, is_dask_array, lazy_sum};
pub use errors::{InputError, Op};
pub use float64::{with_contiguous_float64, with_float64_1d};
pub use gil::release_gil;
pub use kernel_choice::{check_kernel_variable, kernel};
pub use names::{dtype_name, type_name};
/// The element types NumPy arrays can hold, which a [`Sum::AxisTotal`] must be.
pub use numpy::Element;
pub use panics::catch_panics;
pub use pieces::{PieceColumns, TreePieces, sum_of_tree_pieces, tree_pieces};
pub use sum::{Sum, SumInput, Sums};
pub use threads::with_thread_limit;
