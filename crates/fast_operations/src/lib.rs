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
//!   dimensionality and strides. [`Summable`] says exactly which order each layout gets.
//! - [`sum_array_naive`]: the tutorial's loop, ported literally, kept for the comparison.
//! - [`sum_unordered`]: the fastest sum this machine can do, in no fixed order: the
//!   comparison's yardstick, not a way to sum.
//!
//! With the `python` feature, the Python module `fast_operations` exposes them.
//! The core has no Python in it.
#![deny(missing_docs)]

use ndarray::{ArrayView, ArrayView1, ArrayViewD, Axis, Dimension, Ix1, Ix2, Ix3, Zip};
use pairwise::{Depth, Gather, Kernel, Value};

pub mod pairwise;
#[cfg(feature = "python")]
mod python;

/// An element type [`sum_array`] accepts, and the type of its sum.
pub trait Summable: Copy + Send + Sync {
    /// The sum's type: wide enough that it never overflows.
    type Total: Send;
    /// The sum of every value of `view`.
    fn sum(view: ArrayViewD<'_, Self>) -> Self::Total;
}

/// The sum of every value of `view`, whatever its dimensionality and strides.
///
/// float64, the order of additions (and so the bits):
/// - 1-D, any stride (negative too), and 0-d: NumPy's pairwise tree over the values in
///   index order, plus `0.0`: the same bits as `np.sum`.
/// - N-D, contiguous in memory in any axis order (C, Fortran, transposed) and with no
///   negative stride: the tree over the values in memory order, as `np.sum` takes them: the
///   same bits as `np.sum`.
/// - Any other N-D view: the tree over the values in C (row-major) index order: the bits of
///   `np.sum(np.ascontiguousarray(view))`. (`np.sum` itself sums such views in pieces, in an
///   order set by its iterator's buffering and axis reordering.)
///
/// float32 values are converted to float64 and summed in the same order: the bits of
/// `np.sum(view.astype(np.float64))` in the cases above. int32 and int64 sums are exact.
///
/// ```
/// use ndarray::array;
/// assert_eq!(fast_operations::sum_array(array![[1.0, 2.0], [3.0, 4.5]].view().into_dyn()), 10.5);
/// assert_eq!(fast_operations::sum_array(array![i64::MAX, i64::MAX].view().into_dyn()), 2 * i64::MAX as i128);
/// ```
pub fn sum_array<T: Summable>(view: ArrayViewD<'_, T>) -> T::Total {
    T::sum(view)
}

impl Summable for f64 {
    type Total = f64;
    fn sum(view: ArrayViewD<'_, f64>) -> f64 {
        match summation_slice(&view) {
            Some(values) => sum_f64_slice(values),
            None => 0.0 + sum_in_index_order(&view),
        }
    }
}

/// [`sum_array`] of a 1-D float64 array whose values are `values`: `np.sum`'s bits.
pub fn sum_f64_slice(values: &[f64]) -> f64 {
    // np.sum adds the tree's result to the identity of addition, +0.0: this turns a -0.0
    // (an empty array, or only negative zeros) into 0.0 and changes nothing else.
    0.0 + pairwise::pairwise_sum(values)
}

impl Summable for f32 {
    type Total = f64;
    fn sum(view: ArrayViewD<'_, f32>) -> f64 {
        let tree = match summation_slice(&view) {
            Some(values) => pairwise::pairwise_sum(values),
            None => sum_in_index_order(&view),
        };
        0.0 + tree
    }
}

impl Summable for i64 {
    type Total = i128;
    fn sum(view: ArrayViewD<'_, i64>) -> i128 {
        // Integer addition is exact, so the order does not matter: memory order when we can.
        match view.as_slice_memory_order() {
            Some(values) => exact_sum_of_slice(values, |x| x),
            None => exact_sum_in_index_order(&view, |x| x),
        }
    }
}

impl Summable for i32 {
    type Total = i128;
    fn sum(view: ArrayViewD<'_, i32>) -> i128 {
        match view.as_slice_memory_order() {
            Some(values) => exact_sum_of_slice(values, i64::from),
            None => exact_sum_in_index_order(&view, i64::from),
        }
    }
}

/// NumPy's pairwise tree over the values of `view` in C index order, widened to f64 (the
/// tree alone: [`sum_array`] adds it to `0.0`). For views that are not one slice in
/// summation order.
///
/// How: a view whose axes merge into one line ([`merged_axes`]: any 1-D view, `a[:, ::2]`
/// of a C-ordered array) is read where its values are, by the AVX-512 kernel
/// ([`Kernel::pairwise_sum_line`]) where the CPU has it. Any other view, or without
/// AVX-512, a row at a time through a buffer: ndarray's element iterator over an N-D view
/// of dynamic dimension took about 17 ns a value here, 50 times `np.sum`'s time on `a[::2]`;
/// a row at a time, the values are copied into the gather buffer by a plain loop
/// (vectorised where the row is contiguous or reversed).
///
/// Why AVX-512 only: read in place, lines of stride 2 (masked loads) and -1 (a load, its
/// lanes reversed) were summed 1.1-3.6x faster than through the buffer, other strides
/// (gathers) 0.96-2.4x, from 10^3 to 10^7 values, float64 and float32; with AVX2's gathers,
/// reversed lines were 0.68-0.88x as fast from 10^4 values on (Rust harness, side by side,
/// an Intel Xeon, 2026-12-01).
pub fn sum_in_index_order<T: Value>(view: &ArrayViewD<'_, T>) -> f64 {
    sum_in_index_order_at(view, Depth::ROOT)
}

/// [`sum_in_index_order`] of a view whose values are a node at `depth` of a larger tree
/// (`parallel_sum`'s subtrees).
pub fn sum_in_index_order_at<T: Value>(view: &ArrayViewD<'_, T>, depth: Depth) -> f64 {
    let view = merged_axes(view);
    if Kernel::best() == Kernel::Avx512
        && let Ok(line) = view.view().into_dimensionality::<Ix1>()
    {
        return Kernel::Avx512.pairwise_sum_line_at(line, depth);
    }
    by_rows(&view, Tree(T::to_f64, depth))
}

/// The exact sum of the values of `view`, each widened by `widen`, read a row at a time (see
/// [`sum_in_index_order`] for why).
fn exact_sum_in_index_order<T: Copy>(view: &ArrayViewD<'_, T>, widen: impl Fn(T) -> i64) -> i128 {
    by_rows(&merged_axes(view), Exact(widen))
}

/// A sum taken a row at a time, over a view of any dimension (see [`by_rows`]).
trait OfRows<T> {
    type Total;
    fn of_rows<D: Dimension>(self, view: ArrayView<'_, T, D>) -> Self::Total;
}

/// `sum` over the rows of `view`, a view already in [`merged_axes`] form, 2-D and 3-D views
/// as views of a fixed dimension: stepping from one row to the next cost about 1 ns in a 2-D
/// view, about 30 ns in a view of dynamic dimension (Rust harness, an Intel Xeon, 2026-12-01).
fn by_rows<T, S: OfRows<T>>(view: &ArrayViewD<'_, T>, sum: S) -> S::Total {
    if let Ok(plane) = view.view().into_dimensionality::<Ix2>() {
        sum.of_rows(plane)
    } else if let Ok(block) = view.view().into_dimensionality::<Ix3>() {
        sum.of_rows(block)
    } else {
        sum.of_rows(view.view())
    }
}

/// NumPy's tree over the values, each widened by the function, gathered a row at a time: a
/// node at the depth given.
struct Tree<W>(W, Depth);

impl<T: Copy, W: Fn(T) -> f64> OfRows<T> for Tree<W> {
    type Total = f64;
    fn of_rows<D: Dimension>(self, view: ArrayView<'_, T, D>) -> f64 {
        let none = ArrayView1::from(&[][..]);
        tree_of_rows(view.len(), none, view.rows().into_iter(), self.0, self.1)
    }
}

/// NumPy's tree over the first `n` of the values of `first` and then of `rows`, one after the
/// other, each widened to f64: for runs of a view's values that are not a view themselves
/// (`parallel_sum` splits 2-D views into runs that begin and end inside rows), as a node at
/// `depth` of a larger tree. Panics if they hold fewer than `n` values.
pub fn sum_of_rows<'a, T: Value + 'a>(
    n: usize,
    first: ArrayView1<'a, T>,
    rows: impl Iterator<Item = ArrayView1<'a, T>>,
    depth: Depth,
) -> f64 {
    tree_of_rows(n, first, rows, T::to_f64, depth)
}

fn tree_of_rows<'a, T: Copy + 'a>(
    n: usize,
    first: ArrayView1<'a, T>,
    rows: impl Iterator<Item = ArrayView1<'a, T>>,
    widen: impl Fn(T) -> f64,
    depth: Depth,
) -> f64 {
    // The gather starts in `first` as in the row it is in, and takes the others after it.
    pairwise::pairwise_sum_of_at(
        n,
        Rows {
            rows,
            row: first,
            widen,
        },
        depth,
    )
}

/// The exact sum of the values, each widened by the function: a row at a time, each row of
/// [`pairwise::GATHER`] values or more that is one slice in memory (reversed ones too: an
/// exact sum has no order) read as a slice, the others (strided rows, short rows) copied into
/// a buffer ([`ExactBuffer`]) that [`exact_sum_of_slice`] sums a buffer at a time.
///
/// Why the buffer: a strided row's values added through an iterator, a value at a time, left
/// `int64` `a[::2]` at 0.54-0.72x `np.sum`'s speed from 10^4 to 10^7 values, and rows of 10
/// summed one slice at a time at 0.86-0.91x (a call per row) (from Python, an Intel Xeon,
/// 2026-12-01).
struct Exact<W>(W);

impl<T: Copy, W: Fn(T) -> i64> OfRows<T> for Exact<W> {
    type Total = i128;
    fn of_rows<D: Dimension>(self, view: ArrayView<'_, T, D>) -> i128 {
        let widen = &self.0;
        let mut buffer = ExactBuffer::new();
        for row in view.rows() {
            match row.as_slice_memory_order() {
                Some(values) if values.len() >= pairwise::GATHER => {
                    buffer.total += exact_sum_of_slice(values, widen);
                }
                _ => buffer.add_row(row, widen),
            }
        }
        buffer.finish()
    }
}

/// Rows copied, widened, into a buffer of [`pairwise::GATHER`] values, summed exactly each
/// time it is full.
struct ExactBuffer {
    values: [i64; pairwise::GATHER],
    filled: usize,
    total: i128,
}

impl ExactBuffer {
    fn new() -> Self {
        ExactBuffer {
            values: [0; pairwise::GATHER],
            filled: 0,
            total: 0,
        }
    }

    fn add_row<T: Copy>(&mut self, mut row: ArrayView1<'_, T>, widen: impl Fn(T) -> i64) {
        while !row.is_empty() {
            let k = row.len().min(pairwise::GATHER - self.filled);
            let (now, later) = row.split_at(Axis(0), k);
            Zip::from(&mut self.values[self.filled..self.filled + k])
                .and(&now)
                .for_each(|slot, &x| *slot = widen(x));
            self.filled += k;
            if self.filled == pairwise::GATHER {
                self.total += exact_sum_of_slice(&self.values, |x| x);
                self.filled = 0;
            }
            row = later;
        }
    }

    fn finish(self) -> i128 {
        self.total + exact_sum_of_slice(&self.values[..self.filled], |x| x)
    }
}

/// `view`'s values in the same C index order, in as few axes as its memory allows: every
/// axis merged into the next inner one wherever the two step through memory as one (as
/// NumPy's iterator does), the axes of length one left out, and a 0-d view as a 1-D view of
/// its one value.
///
/// So `a[:, ::2]` of a C-ordered array becomes a 1-D view of stride 2, and `a[::-1, ::-1]` a
/// reversed 1-D view: one row to gather instead of a row per row of `a` (rows cost tens of
/// nanoseconds each), and one line for `parallel_sum` to split. The same values in the same
/// order: the same sum, to the bit.
pub fn merged_axes<'a, T>(view: &'a ArrayViewD<'_, T>) -> ArrayViewD<'a, T> {
    let mut view = view.view();
    if view.ndim() == 0 {
        return view.insert_axis(Axis(0));
    }
    let mut inner = view.ndim() - 1;
    for outer in (0..inner).rev() {
        if !view.merge_axes(Axis(outer), Axis(inner)) {
            inner = outer;
        }
    }
    for axis in (0..view.ndim()).rev() {
        if view.len_of(Axis(axis)) == 1 && view.ndim() > 1 {
            view = view.remove_axis(Axis(axis));
        }
    }
    view
}

/// A [`Gather`] source: the rows of a view, in order, widened to f64.
struct Rows<'a, T, I, W> {
    rows: I,
    row: ArrayView1<'a, T>,
    widen: W,
}

impl<'a, T: Copy, I: Iterator<Item = ArrayView1<'a, T>>, W: Fn(T) -> f64> Gather
    for Rows<'a, T, I, W>
{
    fn gather(&mut self, mut out: &mut [f64]) {
        while !out.is_empty() {
            if self.row.is_empty() {
                self.row = self
                    .rows
                    .next()
                    .expect("the view ran out before the sum's length");
                continue;
            }
            let k = out.len().min(self.row.len());
            let (now, later) = std::mem::take(&mut out).split_at_mut(k);
            let (head, rest) = self.row.split_at(Axis(0), k);
            let widen = &self.widen;
            if let Some(values) = head.as_slice() {
                now.iter_mut()
                    .zip(values)
                    .for_each(|(slot, &x)| *slot = widen(x));
            } else if let (Some(values), -1) = (head.as_slice_memory_order(), head.strides()[0]) {
                copy_reversed(now, values, widen);
            } else {
                Zip::from(now)
                    .and(head)
                    .for_each(|slot, &x| *slot = widen(x));
            }
            self.row = rest;
            out = later;
        }
    }
}

/// `out[i] = widen(values[values.len() - 1 - i])`: a reversed row's values in index order.
///
/// Eight values a step from the end of `values`, which the compiler turns into a few loads,
/// shuffles and stores. Against a loop over `values.iter().rev()`, in the same process (Rust
/// harness, an Intel Xeon, 2026-12-01): `a[::-1]` of 10^3 to 10^5 float64 values summed
/// 1.16-1.32x faster, of 10^6 and 10^7 1.05-1.15x; float32 1.07-1.23x.
fn copy_reversed<T: Copy>(out: &mut [f64], values: &[T], widen: impl Fn(T) -> f64) {
    let mut out = out.chunks_exact_mut(8);
    let mut values = values.rchunks_exact(8);
    for (out, values) in (&mut out).zip(&mut values) {
        for (slot, &x) in out.iter_mut().zip(values.iter().rev()) {
            *slot = widen(x);
        }
    }
    let rest = values.remainder().iter().rev();
    for (slot, &x) in out.into_remainder().iter_mut().zip(rest) {
        *slot = widen(x);
    }
}

/// The values of `view` as one slice, in the order [`sum_array`] sums them, when they are one
/// slice: index order for 1-D and 0-d views (reversed memory order is not index order),
/// memory order for N-D views with no negative stride (how `np.sum` reads C- and
/// Fortran-ordered arrays; with negative strides its iterator's order has no simple rule, so
/// those take the C index order instead). `None` for every other view.
pub fn summation_slice<'a, T>(view: &'a ArrayViewD<'_, T>) -> Option<&'a [T]> {
    if view.ndim() <= 1 {
        view.as_slice()
    } else if view.strides().iter().all(|&stride| stride >= 0) {
        view.as_slice_memory_order()
    } else {
        None
    }
}

/// How many values [`exact_sum_of_slice`] adds in 64-bit halves before it folds them into the
/// total: 2^31 values of at most 2^32 (low halves) or 2^31 (high halves) cannot overflow 64
/// bits.
const EXACT_CHUNK: usize = 1 << 31;

/// The exact sum of the integers of `values`, each widened to i64 by `widen`, in any order.
/// Each value is split as `high * 2^32 + low`; both halves are summed in 64-bit registers and
/// combined in 128 bits once per 2^31 values, in a plain loop over the slice
/// compiled for the widest vectors this CPU has (the same result on every path: integer
/// addition is exact).
///
/// Why: through an iterator the halves were added a value at a time; over a slice, with
/// AVX-512 (Rust harness, an Intel Xeon, 2026-12-01), 10^4 int64 values took 1.35 µs instead
/// of 5.71 (AVX2 1.99, baseline x86-64 3.78), 10^6 404 µs instead of 1170.
pub fn exact_sum_of_slice<T: Copy>(values: &[T], widen: impl Fn(T) -> i64) -> i128 {
    #[cfg(target_arch = "x86_64")]
    match pairwise::Kernel::best() {
        // SAFETY: Kernel::best() is a kernel this CPU supports, so it has AVX-512F, the one
        // extension the function is compiled for.
        pairwise::Kernel::Avx512 => return unsafe { exact_sum_avx512(values, widen) },
        // SAFETY: as above, AVX2.
        pairwise::Kernel::Avx2 => return unsafe { exact_sum_avx2(values, widen) },
        pairwise::Kernel::Baseline => {}
    }
    exact_sum_of_chunks(values, widen, EXACT_CHUNK)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn exact_sum_avx512<T: Copy>(values: &[T], widen: impl Fn(T) -> i64) -> i128 {
    exact_sum_of_chunks(values, widen, EXACT_CHUNK)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn exact_sum_avx2<T: Copy>(values: &[T], widen: impl Fn(T) -> i64) -> i128 {
    exact_sum_of_chunks(values, widen, EXACT_CHUNK)
}

/// [`exact_sum_of_slice`] in chunks of `chunk` values (see [`EXACT_CHUNK`]), inlined into each
/// caller, so that it is compiled for the caller's instructions.
#[inline(always)]
fn exact_sum_of_chunks<T: Copy>(values: &[T], widen: impl Fn(T) -> i64, chunk: usize) -> i128 {
    let mut total = 0i128;
    for values in values.chunks(chunk) {
        let (mut low, mut high) = (0u64, 0i64);
        for &x in values {
            let x = widen(x);
            low += x as u64 & 0xFFFF_FFFF;
            high += x >> 32;
        }
        total += (i128::from(high) << 32) + i128::from(low);
    }
    total
}

/// The tutorial's loop, ported literally: `total += arr[i]` for `i` in order, from `0.0`.
///
/// Kept to compare against: its rounding error grows with `n`, and each addition waits for
/// the one before.
///
/// ```
/// use ndarray::array;
/// assert_eq!(fast_operations::sum_array_naive(array![1.0, 2.0, 3.5].view()), 6.5);
/// ```
pub fn sum_array_naive(arr: ArrayView1<'_, f64>) -> f64 {
    let mut total = 0.0;
    for i in 0..arr.len() {
        total += arr[i];
    }
    total
}

/// The fastest sum of `values` this machine can do: many accumulators, in no order that
/// matches anything else, with the kernel [`sum_array`] takes ([`pairwise::Kernel::preferred`]):
/// the faster unordered sum on both CPUs measured. On Zen 4 AVX2's was within 3% of AVX-512's
/// from the caches and 13-22% faster from main memory (2026-11-25); on an Intel Xeon AVX-512's
/// was 15-20% faster from the L2 cache and 5-10% from L3 and memory (2026-12-01), and with
/// AVX-512 it asks for lines ahead from [`pairwise::PREFETCH_FROM`] values on, as the tree
/// does (up to 8% faster from main memory there). The comparison's yardstick for [`sum_array`]'s
/// speed.
pub fn sum_unordered(values: &[f64]) -> f64 {
    pairwise::Kernel::preferred().unordered_sum(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_sum_folds_every_chunk_into_the_total() {
        // The real chunk is 2^31 values; the folding logic is the same for any chunk size.
        let values = [
            i64::MAX,
            i64::MIN,
            -1,
            i64::MAX,
            i64::MAX,
            7,
            i64::MIN,
            i64::MIN,
            3,
        ];
        let exact: i128 = values.iter().map(|&x| i128::from(x)).sum();
        for chunk in 1..=values.len() + 1 {
            assert_eq!(
                exact_sum_of_chunks(&values, |x| x, chunk),
                exact,
                "slice, chunk {chunk}"
            );
        }
        // A multiple of the chunk size, so the last chunk is empty.
        assert_eq!(
            exact_sum_of_chunks(&values[..8], |x| x, 4),
            values[..8].iter().map(|&x| i128::from(x)).sum::<i128>()
        );
    }

    #[test]
    fn exact_sum_of_slice_is_exact_on_every_kernel() {
        // Extremes and a spread of magnitudes, in lengths around the vector widths.
        let mut values = vec![i64::MAX, i64::MIN, -1, 0, 1, i64::MAX, i64::MIN + 1];
        values.extend((0..5000i64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as i64)));
        let narrow: Vec<i32> = values.iter().map(|&x| (x >> 17) as i32).collect();
        for n in (0..40).chain([1000, 4999, values.len()]) {
            let (wide, narrow) = (&values[..n], &narrow[..n]);
            let exact: i128 = wide.iter().map(|&x| i128::from(x)).sum();
            let exact32: i128 = narrow.iter().map(|&x| i128::from(x)).sum();
            assert_eq!(exact_sum_of_slice(wide, |x| x), exact, "n {n}");
            assert_eq!(exact_sum_of_slice(narrow, i64::from), exact32, "n {n}");
            assert_eq!(
                exact_sum_of_chunks(wide, |x| x, EXACT_CHUNK),
                exact,
                "n {n}"
            );
            #[cfg(target_arch = "x86_64")]
            {
                use pairwise::Kernel;
                if Kernel::Avx2.is_supported() {
                    // SAFETY: the CPU has AVX2 (checked just above).
                    assert_eq!(unsafe { exact_sum_avx2(wide, |x| x) }, exact, "AVX2, n {n}");
                    // SAFETY: as above.
                    let got = unsafe { exact_sum_avx2(narrow, i64::from) };
                    assert_eq!(got, exact32, "AVX2, n {n}");
                }
                if Kernel::Avx512.is_supported() {
                    // SAFETY: the CPU has AVX-512F (checked just above).
                    let got = unsafe { exact_sum_avx512(wide, |x| x) };
                    assert_eq!(got, exact, "AVX-512, n {n}");
                    // SAFETY: as above.
                    let got = unsafe { exact_sum_avx512(narrow, i64::from) };
                    assert_eq!(got, exact32, "AVX-512, n {n}");
                }
            }
        }
    }

    #[test]
    fn exact_sum_halves_cannot_overflow_within_a_chunk() {
        // The worst values for each half, 2^31 times, fit: checked arithmetically.
        assert!((EXACT_CHUNK as u128) * 0xFFFF_FFFF <= u128::from(u64::MAX));
        assert!((EXACT_CHUNK as i128) * i128::from(i64::MIN >> 32) >= i128::from(i64::MIN));
        assert!((EXACT_CHUNK as i128) * i128::from(i64::MAX >> 32) <= i128::from(i64::MAX));
    }
}
