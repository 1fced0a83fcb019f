//! # `parallel_sum`: section 2 of "NumPy with Cython and C"
//!
//! The tutorial releases the GIL and sums with Cython's `prange`. As written it does not
//! compile ("Trying to release the GIL while it was previously released"); fixed, its OpenMP
//! loop ran slower than the serial one, and its result changes with the thread count, as do
//! Numba's `prange` sum and rayon's own `par_iter().sum()`: floating-point addition is not
//! associative, so a different split gives different bits.
//!
//! [`parallel_sum`] splits the work where NumPy's pairwise tree splits it
//! ([`fast_operations::pairwise::split`]): independent subtrees run on rayon's threads
//! (`rayon::join` over the same recursion) and their sums are added in the tree's order. Each
//! subtree's sum is a function of its values alone, so the result has the same bits as
//! [`fast_operations::sum_array`] (and so `np.sum`) whatever the number of threads: the thread
//! count decides only who computes which subtree, never what is added to what.
//!
//! With the `module` feature, the Python module `parallel_sum`. The core has no Python in it.
#![deny(missing_docs)]

use fast_operations::pairwise::{Depth, Value, pairwise_sum_at, split};
use fast_operations::{
    Summable, exact_sum_of_slice, merged_axes, sum_f64_slice, sum_in_index_order_at, sum_unordered,
    summation_slice,
};
use ndarray::{ArrayView1, ArrayView2, ArrayViewD, Axis, Ix1, Ix2, s};
use rayon::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};
use std::sync::OnceLock;

#[cfg(feature = "module")]
mod python;

/// The largest subtree summed whole, by one thread, with section 1's kernel: arrays from
/// [`PARALLEL_FROM`] to about 4 * GRAIN values (10^5 among them) are cut in four quarters,
/// larger ones in more subtrees (sixteen per thread, for large arrays).
///
/// Why quarters and not halves: a helper thread that has been idle starts late (rayon's idle
/// threads yield, then sleep). In halves the caller then waits for the helper's whole half; in
/// quarters it takes back the quarter the helper has not started. Rust harness, the caller in
/// the pool, 2026-12-01 (Xeon, 2 vCPUs), side by side, the serial sum's time over the parallel
/// sum's, in rounds sorted by how fast the serial sum ran (fast / slow): one call right after
/// one serial sum (8-14 µs), 10^5 values in quarters 1.16x / 1.45x, in halves 0.82x / 0.91x,
/// in eighths 1.31x / 1.47x; four calls after four serial sums, quarters 0.94x / 1.35x, halves
/// 0.94x / 1.28x; calls back to back (blocks of 10 000), quarters 1.06x / 1.57x, halves 1.09x
/// / 1.61x, eighths 1.09x / 1.53x (eighths: twice the hand-overs for no clear gain, so
/// quarters). 65536 values, four calls after four serial sums: 0.92x / 1.13x either way. (A
/// first harness, which always ran the halves right after the serial sum and so charged them
/// alone with the late start, had found quarters far ahead: a wrong reading.)
pub const GRAIN: usize = 30_000;

/// How many subtrees [`parallel_sum`] makes per thread, for large arrays: the more, the
/// better a thread that is done early can take over part of a slower one's work, at a cost
/// per hand-over. The two vCPUs of this machine kind slow down one at a time (the host's other
/// work; the tree pinned to each in turn ran 1.3-1.4x slower on one of them, 2026-12-01).
///
/// Measured as [`GRAIN`] (2026-12-01), calls back to back (blocks of 300), 10^6 values, for
/// 1, 2, 4, 8 and 16 subtrees per thread: 1.95x / 2.16x, 1.91x / 2.07x, 1.96x / 2.10x, 1.98x /
/// 2.19x, 2.02x / 2.25x the serial sum. One call of each in turns (the first harness) agreed
/// from 2 subtrees per thread on: at 10^6 1.83x / 2.00x up to 1.90x / 2.14x (16 per thread),
/// at 3 * 10^6 1.87x / 1.97x up to 1.90x / 2.15x, at 10^7 1.92x / 2.10x up to 1.97x / 2.21x. An
/// earlier session measured the opposite at 10^6 (four subtrees in all 1.87-1.91x, sixteen
/// 1.73-1.77x): with both vCPUs at one speed, fewer hand-overs win; with one slower, finer
/// subtrees do (our reading; the vCPUs' speeds were not recorded then).
const TASKS_PER_THREAD: usize = 16;

/// Arrays of fewer values are summed serially. Measured from Python on this machine kind
/// (2 vCPUs, 2026-11-25), the caller in the pool ([`join_callers_pool`]) and calls back to
/// back: 50 000 values were 1.2x faster in parallel, 40 000 no faster, 10^5 1.4x. After the
/// helper thread has gone to sleep (a millisecond idle), waking it cost more than it saved at
/// every size up to 10^6 then (in halves). With today's split (Rust harness, 2026-12-01, Xeon,
/// one call after each 1 ms sleep, the serial sum's time over the parallel sum's, fast / slow
/// rounds): 10^5 values 0.74x / 0.96x in quarters (0.82x / 0.92x in halves), 10^6 1.65x /
/// 1.95x in 32 subtrees (1.37x / 1.87x in four). The parallel sum pays off most for work
/// that keeps the pool busy.
pub const PARALLEL_FROM: usize = 1 << 16;

/// Makes the calling thread one of the threads of a pool of [`thread_count`] threads, if it
/// is in no rayon pool yet and no other thread has done so before: from then on, the parallel
/// sums it calls run on that pool, with the caller summing its share itself.
///
/// Why: rayon runs work for a thread outside its pools by queuing it for a pool thread and
/// putting the caller to sleep until it is done. That sleep and wake-up cost 15-20 µs a call
/// on this machine kind (2 vCPUs under KVM, measured 2026-11-25), longer than summing 10^5
/// values takes. In a pool of its own, the caller works instead of sleeping, and a helper that
/// is already awake steals the other half within a microsecond.
///
/// Only one thread can own the pool (the first to call this: in Python, usually the main
/// thread); other threads keep rayon's global pool, and its cost. The pool's helper threads
/// live as long as the process, as rayon's global pool does. This changes who sums which
/// subtree, never the tree: the result has the same bits either way.
pub fn join_callers_pool() {
    static CALLERS_POOL: OnceLock<Option<ThreadPool>> = OnceLock::new();
    if rayon::current_thread_index().is_none() {
        CALLERS_POOL.get_or_init(|| {
            // If the threads cannot be started, the global pool does the work instead.
            ThreadPoolBuilder::new().use_current_thread().build().ok()
        });
    }
}

/// The number of threads [`parallel_sum`] uses: rayon's global pool, whose size is
/// `RAYON_NUM_THREADS` when that is set, else the number of cores.
pub fn thread_count() -> usize {
    rayon::current_num_threads()
}

/// An element type [`parallel_sum`] accepts: the same as [`fast_operations::sum_array`]'s.
pub trait ParallelSummable: Summable {
    /// The sum of every value of `view`, on the current rayon pool.
    fn parallel_sum(view: ArrayViewD<'_, Self>) -> Self::Total;
}

/// The sum of every value of `view`, on all of rayon's threads: the same result, to the bit,
/// as [`fast_operations::sum_array`], for every thread count.
///
/// float64 and float32 views that are one slice in summation order, 1-D views of any stride,
/// and N-D views whose axes merge ([`fast_operations::merged_axes`]) into one line
/// (`a[:, ::2]` of a C-ordered array, `a[::-1, ::-1]`) or into one plane of rows (`a[:, 1:]`)
/// are summed in parallel; views of three or more axes that do not merge serially, in the
/// same order. Integer sums are exact, in parallel for every layout.
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
        if let Some(values) = summation_slice(&view) {
            return parallel_sum_f64_slice(values);
        }
        match view_tree(&view) {
            // As fast_operations::sum_array, and np.sum: the tree's sum added to +0.0.
            Some(tree) => 0.0 + tree,
            None => f64::sum(view),
        }
    }
}

/// NumPy's tree over a float view that is not one slice, in C index order, on the pool: for
/// views whose axes merge ([`fast_operations::merged_axes`]) into one strided line (split
/// as 1-D views) or into one plane (split into runs of its rows: [`Rows`]). `None` for
/// small views and for those of more axes, which the caller sums serially.
fn view_tree<T: Value + Summable>(view: &ArrayViewD<'_, T>) -> Option<f64> {
    if view.len() < PARALLEL_FROM {
        return None;
    }
    let merged = merged_axes(view);
    if let Ok(line) = merged.view().into_dimensionality::<Ix1>() {
        Some(tree(line, &|part: ArrayView1<'_, T>, depth| {
            sum_in_index_order_at(&part.into_dyn(), depth)
        }))
    } else if let Ok(plane) = merged.into_dimensionality::<Ix2>() {
        Some(tree(Rows::of(plane), &Rows::sum))
    } else {
        None
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
        let tree = match summation_slice(&view) {
            Some(values) if values.len() >= PARALLEL_FROM => tree(values, &pairwise_sum_at::<f32>),
            Some(_) => return f32::sum(view),
            None => match view_tree(&view) {
                Some(tree) => tree,
                None => return f32::sum(view),
            },
        };
        0.0 + tree
    }
}

impl ParallelSummable for i64 {
    fn parallel_sum(view: ArrayViewD<'_, i64>) -> i128 {
        exact_parallel(view, |x| x)
    }
}

impl ParallelSummable for i32 {
    fn parallel_sum(view: ArrayViewD<'_, i32>) -> i128 {
        exact_parallel(view, i64::from)
    }
}

/// Integer sums are exact, so any split gives the same result: fixed chunks of memory for a
/// slice; for any other view, about [`TASKS_PER_THREAD`] chunks per thread along the first
/// axis of its merged form ([`fast_operations::merged_axes`]), each summed as `sum_array` sums
/// it.
fn exact_parallel<T: Summable<Total = i128>>(
    view: ArrayViewD<'_, T>,
    widen: impl Fn(T) -> i64 + Copy + Sync,
) -> i128 {
    if view.len() < PARALLEL_FROM {
        return T::sum(view);
    }
    if let Some(values) = view.as_slice_memory_order() {
        return values
            .par_chunks(GRAIN)
            .map(|chunk| exact_sum_of_slice(chunk, widen))
            .sum();
    }
    let view = merged_axes(&view);
    let outer = view.len_of(Axis(0));
    let chunk = outer.div_ceil(TASKS_PER_THREAD * thread_count());
    let chunks: Vec<_> = view.axis_chunks_iter(Axis(0), chunk).collect();
    chunks.into_par_iter().map(T::sum).sum()
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

impl<T: Sync> Part for ArrayView1<'_, T> {
    fn len(&self) -> usize {
        ArrayView1::len(self)
    }
    fn split_at(self, mid: usize) -> (Self, Self) {
        ArrayView1::split_at(self, Axis(0), mid)
    }
}

/// `len` values of a 2-D view from value `start` on, in C index order: a run of its rows that
/// may begin and end inside a row, where the tree's nodes split it.
#[derive(Clone, Copy)]
struct Rows<'a, T> {
    plane: ArrayView2<'a, T>,
    start: usize,
    len: usize,
}

impl<'a, T: Value> Rows<'a, T> {
    fn of(plane: ArrayView2<'a, T>) -> Self {
        Rows {
            plane,
            start: 0,
            len: plane.len(),
        }
    }

    /// The tree over the run's values: the rows they lie in, the first and the last cut to
    /// the run.
    fn sum(self, depth: Depth) -> f64 {
        let width = self.plane.ncols();
        let (first, from) = (self.start / width, self.start % width);
        let (head, rest) = self.plane.slice_move(s![first.., ..]).split_at(Axis(0), 1);
        let head = head.index_axis_move(Axis(0), 0).slice_move(s![from..]);
        // The last row is cut by sum_of_rows itself: it takes the first `len` values. (A
        // first row cut inside an iterator adapter instead made every row cost 2.4x as much.)
        fast_operations::sum_of_rows(self.len, head, rest.rows().into_iter(), depth)
    }
}

impl<T: Value> Part for Rows<'_, T> {
    fn len(&self) -> usize {
        self.len
    }
    fn split_at(self, mid: usize) -> (Self, Self) {
        assert!(mid <= self.len);
        let left = Rows { len: mid, ..self };
        let right = Rows {
            start: self.start + mid,
            len: self.len - mid,
            ..self
        };
        (left, right)
    }
}

/// NumPy's tree over `part`: nodes above [`GRAIN`] split where NumPy splits them, their two
/// halves summed by `rayon::join` and added in NumPy's operand order for their depth
/// ([`Depth::join`]); smaller nodes summed by `node`, told their depth.
fn tree<P: Part>(part: P, node: &(impl Fn(P, Depth) -> f64 + Sync)) -> f64 {
    // About TASKS_PER_THREAD subtrees per thread (see there). The grain changes which thread
    // sums what, never the tree, so it cannot change the bits.
    let grain = (part.len() / (TASKS_PER_THREAD * thread_count())).max(GRAIN);
    subtree(part, grain, node, Depth::ROOT)
}

fn subtree<P: Part>(
    part: P,
    grain: usize,
    node: &(impl Fn(P, Depth) -> f64 + Sync),
    depth: Depth,
) -> f64 {
    let n = part.len();
    if n <= grain {
        node(part, depth)
    } else {
        let (left, right) = part.split_at(split(n));
        let below = depth.child();
        let (left, right) = rayon::join(
            || subtree(left, grain, node, below),
            || subtree(right, grain, node, below),
        );
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
