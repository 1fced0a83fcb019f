//! Views that are not one slice in summation order: their values in C index order, read where
//! they are (one strided axis the kernel reads in place) or a row at a time into the gather
//! buffer.

use crate::pairwise::{Depth, Gather, InstructionSet, Kernel, Value, pairwise_sum_of_at};
use ndarray::{ArrayView, ArrayView1, ArrayViewD, Axis, Dimension, Ix1, Ix2, Ix3, Zip};

/// NumPy's pairwise tree over the values of `view` in C index order, widened to f64 (the
/// tree alone: [`sum_array`] adds it to `0.0`). For views that are not one slice in
/// summation order.
///
/// How: a view whose axes merge into one strided axis ([`merged_axes`]: any 1-D view,
/// `a[:, ::2]` of a C-ordered array) is read where its values are
/// ([`Kernel::pairwise_sum_strided`]) when the kernel in use reads that stride in place
/// faster ([`Kernel::reads_in_place`]: AVX-512 every stride, AVX2 strides 2 and -1). Any
/// other view a row at a time through a buffer, each row copied by a plain loop (vectorised
/// where the row is contiguous or reversed): ndarray's element iterator over a view of
/// dynamic dimension costs tens of times `np.sum`'s time per value.
pub(crate) fn sum_in_index_order<T: Value>(view: &ArrayViewD<'_, T>) -> f64 {
    sum_in_index_order_at(view, Depth::ROOT)
}

/// The tree over the values of `view` in C index order (see `sum_in_index_order`), as a node
/// at `depth` of a larger tree (`parallel_sum`'s subtrees).
pub fn sum_in_index_order_at<T: Value>(view: &ArrayViewD<'_, T>, depth: Depth) -> f64 {
    let view = merged_axes(view);
    let set = InstructionSet::chosen();
    if let Ok(axis) = view.view().into_dimensionality::<Ix1>()
        && set.reads_in_place(axis.strides()[0])
    {
        return set.pairwise_sum_strided_at(axis, depth);
    }
    by_rows(&view, Tree(T::to_f64, depth))
}

/// A sum taken a row at a time, over a view of any dimension (see [`by_rows`]).
pub(crate) trait OfRows<T> {
    type Total;
    fn of_rows<D: Dimension>(self, view: ArrayView<'_, T, D>) -> Self::Total;
}

/// `sum` over the rows of `view`, a view already in [`merged_axes`] form, 2-D and 3-D views
/// as views of a fixed dimension: stepping from one row to the next costs a nanosecond there,
/// tens of them in a view of dynamic dimension.
pub(crate) fn by_rows<T, S: OfRows<T>>(view: &ArrayViewD<'_, T>, sum: S) -> S::Total {
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
    pairwise_sum_of_at(
        n,
        RowValues {
            rows,
            row: first,
            widen,
        },
        depth,
    )
}

/// `view`'s values in the same C index order, in as few axes as its memory allows: every
/// axis merged into the next inner one wherever the two step through memory as one (as
/// NumPy's iterator does), the axes of length one left out, and a 0-d view as a 1-D view of
/// its one value.
///
/// So `a[:, ::2]` of a C-ordered array becomes a 1-D view of stride 2, and `a[::-1, ::-1]` a
/// reversed 1-D view: one row to gather instead of a row per row of `a` (rows cost tens of
/// nanoseconds each), and one strided axis for `parallel_sum` to split. The same values in the same
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
struct RowValues<'a, T, I, W> {
    rows: I,
    row: ArrayView1<'a, T>,
    widen: W,
}

impl<'a, T: Copy, I: Iterator<Item = ArrayView1<'a, T>>, W: Fn(T) -> f64> Gather
    for RowValues<'a, T, I, W>
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
/// shuffles and stores: faster than a loop over `values.iter().rev()`
/// (docs/measurements/section-1.md).
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
