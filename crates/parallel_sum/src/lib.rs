//! # `parallel_sum`: section 2 of "NumPy with Cython and C"
//!
//! The tutorial releases the GIL and sums with Cython's `prange`. As written it does not
//! compile ("Trying to release the GIL while it was previously released"); fixed, its OpenMP
//! loop ran slower than the serial one, and its result changes with the thread count, as do
//! Numba's `prange` sum and rayon's own `par_iter().sum()`: floating-point addition is not
//! associative, so a different split gives different bits.
//!
//! [`parallel_sum`] splits the work where NumPy's pairwise tree splits it
//! ([`fast_operations::nodes::split`]): the tree's subtrees of up to a grain of values are
//! the tasks of the process's thread pool ([`pool`]), and their sums are added in the tree's
//! order. Each
//! subtree's sum is a function of its values alone, so the result has the same bits as
//! [`fast_operations::sum_array`] (and so `np.sum`) whatever the number of threads: the thread
//! count decides only who computes which subtree, never what is added to what.
//!
//! With the `python` feature, the Python module `parallel_sum`. The core has no Python in it.
#![deny(missing_docs)]

use fast_operations::chunks::{
    ChunkError, Pieces, tree_pieces, tree_pieces_of_bytes, tree_pieces_with,
};
use fast_operations::nodes::{
    Depth, merged_axes, pairwise_sum_at, split, sum_in_index_order_at, summation_slice,
};
use fast_operations::pairwise::{F64Bytes, Value, pairwise_sum_of_bytes_at};
use fast_operations::{Summable, sum_f64_slice, sum_unordered};
use ndarray::{ArrayView1, ArrayViewD, Axis};

mod axes;
#[cfg(feature = "python")]
mod python;

pub use axes::parallel_sum_axes;
use axes::parallel_sum_of_view;

/// The largest subtree summed whole, by one thread, with section 1's kernel: arrays from
/// [`PARALLEL_FROM`] to about 4 * GRAIN values (10^5 among them) are cut in four quarters,
/// larger ones in more subtrees ([`TASKS_PER_THREAD`]).
///
/// Why quarters and not halves: a helper thread that has been idle starts late. In halves the
/// caller then waits for the helper's whole half; in quarters it takes the quarters the
/// helper has not started (docs/measurements/section-2.md has the figures).
pub const GRAIN: usize = 30_000;

/// How many subtrees [`parallel_sum`] makes per thread, for large arrays: the more, the
/// better a thread that is done early can take over part of a slower one's work (the cores
/// of a shared machine need not run at one speed), at the cost of one claim per subtree
/// (docs/measurements/section-2.md has the figures).
const TASKS_PER_THREAD: usize = 16;

/// Arrays of fewer values are summed serially: below it, handing work to a helper costs
/// about what it saves (docs/measurements/section-2.md has the figures).
pub const PARALLEL_FROM: usize = 1 << 16;

/// The number of threads [`parallel_sum`] uses: the process's one pool ([`pool::threads`]),
/// `RAYON_NUM_THREADS` when that is set, else the number of cores.
pub fn thread_count() -> usize {
    pool::threads()
}

/// An element type [`parallel_sum`] accepts: the same as [`fast_operations::sum_array`]'s.
pub trait ParallelSummable: Summable {
    /// The sum of every value of `view`, on the process's thread pool.
    fn parallel_sum(view: ArrayViewD<'_, Self>) -> Self::Total;
    /// The sum of one run of a sum along axes that is a row, on the pool: what
    /// [`fast_operations::Accumulate::add_row_run`] adds to [`fast_operations::Accumulate::ZERO`].
    fn parallel_row_run(row: ArrayView1<'_, Self>) -> Self::Acc;
}

/// The sum of every value of `view`, on all of the pool's threads: the same result, to the bit,
/// as [`fast_operations::sum_array`], for every thread count.
///
/// float64 and float32 views that are one slice in summation order are split where NumPy's
/// tree splits; other views are reduced along every axis as [`parallel_sum_axes`] reduces
/// them (one strided run: its tree split; many runs: runs shared out). Integer sums are
/// exact, in parallel for every layout.
///
/// ```
/// use ndarray::Array;
/// let a = Array::from_iter((0..1_000_000).map(|i| (i as f64).sin()));
/// let serial = fast_operations::sum_array(a.view().into_dyn());
/// assert_eq!(parallel_sum::parallel_sum(a.view().into_dyn()).to_bits(), serial.to_bits());
/// ```
pub fn parallel_sum<T: ParallelSummable>(view: ArrayViewD<'_, T>) -> T::Total {
    T::parallel_sum(view)
}

impl ParallelSummable for f64 {
    fn parallel_sum(view: ArrayViewD<'_, f64>) -> f64 {
        match summation_slice(&view) {
            Some(values) => parallel_sum_f64_slice(values),
            None => parallel_sum_of_view(view),
        }
    }
    fn parallel_row_run(row: ArrayView1<'_, f64>) -> f64 {
        0.0 + row_tree(row)
    }
}

/// NumPy's tree over a row's values, on the pool (the tree alone).
fn row_tree<T: Value + Summable>(row: ArrayView1<'_, T>) -> f64 {
    match row.as_slice() {
        Some(values) => tree(values, &pairwise_sum_at::<T>),
        None => tree(row, &|part: ArrayView1<'_, T>, depth| {
            sum_in_index_order_at(&part.into_dyn(), depth)
        }),
    }
}

/// [`parallel_sum`] of a 1-D float64 array whose values are `values`: `np.sum`'s bits.
pub fn parallel_sum_f64_slice(values: &[f64]) -> f64 {
    if values.len() < PARALLEL_FROM {
        sum_f64_slice(values)
    } else {
        // As fast_operations::sum_array, and np.sum: the tree's sum added to +0.0.
        0.0 + tree(values, &pairwise_sum_at)
    }
}

impl ParallelSummable for f32 {
    fn parallel_sum(view: ArrayViewD<'_, f32>) -> f64 {
        match summation_slice(&view) {
            Some(values) if values.len() >= PARALLEL_FROM => {
                0.0 + tree(values, &pairwise_sum_at::<f32>)
            }
            Some(_) => f32::sum(view),
            None => parallel_sum_of_view(view),
        }
    }
    fn parallel_row_run(row: ArrayView1<'_, f32>) -> f64 {
        0.0 + row_tree(row)
    }
}

impl ParallelSummable for i64 {
    fn parallel_sum(view: ArrayViewD<'_, i64>) -> i128 {
        exact_parallel(view)
    }
    fn parallel_row_run(row: ArrayView1<'_, i64>) -> i128 {
        exact_parallel(row.into_dyn())
    }
}

impl ParallelSummable for i32 {
    fn parallel_sum(view: ArrayViewD<'_, i32>) -> i128 {
        exact_parallel(view)
    }
    fn parallel_row_run(row: ArrayView1<'_, i32>) -> i128 {
        exact_parallel(row.into_dyn())
    }
}

/// Integer sums are exact, so any split gives the same result: fixed chunks of memory for a
/// slice; for any other view, about [`TASKS_PER_THREAD`] chunks per thread along the first
/// axis of its merged form ([`fast_operations::nodes::merged_axes`]), each summed as `sum_array` sums
/// it.
fn exact_parallel<T: Summable<Total = i128>>(view: ArrayViewD<'_, T>) -> i128 {
    if view.len() < PARALLEL_FROM {
        return T::sum(view);
    }
    if let Some(values) = view.as_slice_memory_order() {
        let chunks: Vec<&[T]> = values.chunks(GRAIN).collect();
        return pool::map(chunks.len(), |i| {
            T::sum(ArrayView1::from(chunks[i]).into_dyn())
        })
        .into_iter()
        .sum();
    }
    let view = merged_axes(&view);
    let outer = view.len_of(Axis(0));
    let chunk = outer.div_ceil(TASKS_PER_THREAD * thread_count());
    let chunks: Vec<_> = view.axis_chunks_iter(Axis(0), chunk).collect();
    pool::map(chunks.len(), |i| T::sum(chunks[i].clone()))
        .into_iter()
        .sum()
}

/// A run of values the tree can split: a slice, or a 1-D view of any stride.
trait Part: Copy + Send + Sync {
    fn len(&self) -> usize;
    fn split_at(self, mid: usize) -> (Self, Self);
}

impl<T: Sync> Part for &[T] {
    fn len(&self) -> usize {
        <[T]>::len(self)
    }
    fn split_at(self, mid: usize) -> (Self, Self) {
        <[T]>::split_at(self, mid)
    }
}

impl Part for F64Bytes<'_> {
    fn len(&self) -> usize {
        F64Bytes::len(self)
    }
    fn split_at(self, mid: usize) -> (Self, Self) {
        F64Bytes::split_at(self, mid)
    }
}

impl<T: Sync> Part for ArrayView1<'_, T> {
    fn len(&self) -> usize {
        ArrayView1::len(self)
    }
    fn split_at(self, mid: usize) -> (Self, Self) {
        ArrayView1::split_at(self, Axis(0), mid)
    }
}

/// NumPy's tree over `part`: its nodes of at most a grain of values ([`cut`]) summed by
/// `node`, told their depth, as the pool's tasks, then added up in the tree's order
/// ([`add_up`]).
fn tree<P: Part>(part: P, node: &(impl Fn(P, Depth) -> f64 + Sync)) -> f64 {
    trees(&[(part, Depth::ROOT)], node)[0]
}

/// [`tree`] of each of `parts`, a node of a larger tree at its depth, all on the pool at once.
fn trees<P: Part>(parts: &[(P, Depth)], node: &(impl Fn(P, Depth) -> f64 + Sync)) -> Vec<f64> {
    // About TASKS_PER_THREAD subtrees per thread (see there). The grain changes which thread
    // sums what, never the tree, so it cannot change the bits.
    let len: usize = parts.iter().map(|(part, _)| part.len()).sum();
    let grain = (len / (TASKS_PER_THREAD * thread_count())).max(GRAIN);
    let mut nodes = Vec::new();
    for &(part, depth) in parts {
        cut(part, grain, depth, &mut nodes);
    }
    let sums = pool::map(nodes.len(), |i| node(nodes[i].0, nodes[i].1));
    let mut sums = sums.into_iter();
    parts
        .iter()
        .map(|&(part, depth)| add_up(part.len(), grain, depth, &mut sums))
        .collect()
}

/// [`fast_operations::chunks::tree_pieces`] on the pool: the same pieces, the nodes' sums
/// shared out as [`parallel_sum`] shares out a tree's (chunks under [`PARALLEL_FROM`] values
/// serially).
pub fn parallel_tree_pieces<T: Value>(
    chunk: ArrayViewD<'_, T>,
    offset: &[usize],
    shape: &[usize],
) -> Result<Pieces, ChunkError> {
    if chunk.len() < PARALLEL_FROM {
        return tree_pieces(chunk, offset, shape);
    }
    let values = chunk.as_standard_layout();
    let values = values
        .as_slice()
        .expect("a standard layout array is one slice in C order");
    tree_pieces_with(values, chunk.shape(), offset, shape, |nodes| {
        trees(nodes, &pairwise_sum_at::<T>)
    })
}

/// [`fast_operations::chunks::tree_pieces_of_bytes`] (a misaligned float64 chunk) on the pool.
pub fn parallel_tree_pieces_of_bytes(
    chunk: F64Bytes<'_>,
    chunk_shape: &[usize],
    offset: &[usize],
    shape: &[usize],
) -> Result<Pieces, ChunkError> {
    if chunk.len() < PARALLEL_FROM {
        return tree_pieces_of_bytes(chunk, chunk_shape, offset, shape);
    }
    tree_pieces_with(chunk, chunk_shape, offset, shape, |nodes| {
        trees(nodes, &pairwise_sum_of_bytes_at)
    })
}

/// The nodes of NumPy's tree over `part` that hold at most `grain` values and whose parent
/// holds more, left to right, with their depths.
fn cut<P: Part>(part: P, grain: usize, depth: Depth, nodes: &mut Vec<(P, Depth)>) {
    let n = part.len();
    if n <= grain {
        nodes.push((part, depth));
    } else {
        let (left, right) = part.split_at(split(n));
        cut(left, grain, depth.child(), nodes);
        cut(right, grain, depth.child(), nodes);
    }
}

/// The sum of a tree of `n` values from its nodes' sums, in [`cut`]'s order: each node
/// above the grain adds its halves' sums in NumPy's operand order for its depth
/// ([`Depth::join`]).
fn add_up(n: usize, grain: usize, depth: Depth, sums: &mut impl Iterator<Item = f64>) -> f64 {
    if n <= grain {
        sums.next().expect("cut made one node per leaf of add_up")
    } else {
        let left = add_up(split(n), grain, depth.child(), sums);
        let right = add_up(n - split(n), grain, depth.child(), sums);
        depth.join(left, right)
    }
}

/// The fastest sum this machine can do on all threads, in no fixed order: the comparison's
/// yardstick for [`parallel_sum`]'s speed (it does not give `np.sum`'s bits).
/// Like [`parallel_sum`], it runs serially below [`PARALLEL_FROM`] values.
pub fn parallel_sum_unordered(values: &[f64]) -> f64 {
    if values.len() < PARALLEL_FROM {
        sum_unordered(values)
    } else {
        tree(values, &|part: &[f64], _| sum_unordered(part))
    }
}
