//! The order in which NumPy's reductions (`np.sum(a, axis=...)`) add an array's values, as
//! its iterator sets it up (NumPy 2.3 and later: `numpy/_core/src/multiarray/nditer_constr.c`),
//! so that [`sum_axes`](crate::sum_axes) can add them in the same order and get its bits.
//!
//! NumPy's iterator:
//! 1. leaves out the axes of length one and orders the others by the size of their strides,
//!    the smallest innermost (`npyiter_find_best_axis_ordering`);
//! 2. merges neighbouring axes that step through memory as one, where the result steps as
//!    one too: two reduced axes, or two kept ones (`npyiter_coalesce_axes`);
//! 3. chooses what its inner loop gets (`npyiter_find_buffering_setup`): when the innermost
//!    axis is kept, one value a result at a time; when it is reduced, a run of values that
//!    the pairwise tree sums and adds to the result: the innermost axis, or, when the reduced
//!    axes do not merge and their values are copied into a buffer, several of its rows at a
//!    time (up to 8192 values).
//!
//! Each result is then `0.0 + run + run + ...`, its runs in the iterator's order.

use ndarray::{ArrayD, ArrayView1, ArrayView3, ArrayViewD, Axis, IxDyn, Slice};

pub use crate::sum_axes::{accumulate, results, run_sums, totals};

/// NumPy's buffer size (`NPY_BUFSIZE`): the most values its iterator copies at a time.
const BUFFER: usize = 8192;

/// How many results of a kept innermost axis [`Reduction::for_each_row_in_blocks`] takes at a
/// time: 8 KiB of f64 results, which stay in the L1 cache while every row adds its values
/// to them.
pub const ROW_BLOCK: usize = 1024;

/// A reduction of a view along some of its axes, in the order NumPy's iterator visits the
/// values, or a piece of one (see [`Reduction::pieces`]).
pub struct Reduction<'a, T> {
    /// The values, their axes in the iterator's order (outermost first) and merged as it
    /// merges them; no axis of length one (a single value is a 1-D view).
    view: ArrayViewD<'a, T>,
    /// For each axis of `view`, the step between its indices in the result; 0 if reduced.
    out_strides: Vec<usize>,
    /// Where the piece's first value goes in the result.
    out_start: usize,
    /// How many of the innermost axes of `view` make one run: 0 when the innermost axis is
    /// kept (each value is added to its result alone), else reduced axes.
    run_axes: usize,
    /// How many indices of the axis just outside the run axes one run spans (NumPy's buffer
    /// holds several rows of a reduced axis that does not merge): 1 for the others.
    chunk: usize,
}

impl<T> Clone for Reduction<'_, T> {
    fn clone(&self) -> Self {
        Reduction {
            view: self.view.clone(),
            out_strides: self.out_strides.clone(),
            ..*self
        }
    }
}

/// A reduction of a whole view ([`Reduction`]), and the shape its result has.
pub struct Plan<'a, T> {
    /// The reduction, the first piece of which starts the result.
    pub reduction: Reduction<'a, T>,
    /// The number of values in the result.
    pub out_len: usize,
    /// The result's shape: the view's, without the reduced axes.
    shape: Vec<usize>,
    /// The kept axes longer than one in the iterator's order, outermost first (the result is
    /// laid out in memory this way, as NumPy lays out its result), as result axes.
    memory_order: Vec<usize>,
}

impl<'a, T> Plan<'a, T> {
    /// The reduction of `view` along `axes` (each less than `view.ndim()`, none twice).
    ///
    /// Panics if an axis is out of range or repeated.
    pub fn new(view: ArrayViewD<'a, T>, axes: &[usize]) -> Self {
        let ndim = view.ndim();
        let mut reduced = vec![false; ndim];
        for &axis in axes {
            assert!(axis < ndim, "axis {axis} out of range for {ndim} axes");
            assert!(!reduced[axis], "axis {axis} repeated");
            reduced[axis] = true;
        }
        let shape: Vec<usize> = (0..ndim)
            .filter(|&axis| !reduced[axis])
            .map(|axis| view.len_of(Axis(axis)))
            .collect();
        // Result axis of each kept axis of the view.
        let result_axis = |axis: usize| (0..axis).filter(|&a| !reduced[a]).count();
        let long: Vec<usize> = (0..ndim).filter(|&a| view.len_of(Axis(a)) != 1).collect();
        let long_strides: Vec<isize> = long.iter().map(|&a| view.strides()[a]).collect();
        let outermost_first: Vec<usize> = iteration_order(&long_strides)
            .into_iter()
            .rev()
            .map(|i| long[i])
            .collect();
        let memory_order = outermost_first
            .iter()
            .filter(|&&a| !reduced[a])
            .map(|&a| result_axis(a))
            .collect();

        // The axes of length one go first, where they are left out.
        let units = (0..ndim).filter(|&a| view.len_of(Axis(a)) == 1);
        let permutation: Vec<usize> = units.chain(outermost_first.iter().copied()).collect();
        let mut view = view.permuted_axes(IxDyn(&permutation));
        while view.ndim() > long.len() {
            view = view.index_axis_move(Axis(0), 0);
        }
        let mut kinds: Vec<bool> = outermost_first.iter().map(|&a| reduced[a]).collect();
        if view.ndim() == 0 {
            view = view.insert_axis(Axis(0));
            kinds.push(false);
        }
        let (view, kinds) = merged(view, kinds);

        let mut out_strides = vec![0; view.ndim()];
        let mut out_len = 1;
        for axis in (0..view.ndim()).rev() {
            if !kinds[axis] {
                out_strides[axis] = out_len;
                out_len *= view.len_of(Axis(axis));
            }
        }
        let (run_axes, chunk) = runs(&view, &kinds);
        Plan {
            reduction: Reduction {
                view,
                out_strides,
                out_start: 0,
                run_axes,
                chunk,
            },
            out_len: shape.iter().product(),
            shape,
            memory_order,
        }
    }

    /// The result of the reduction, from its values in memory order (`out_len` of them, each
    /// where [`Reduction`] put it): the view's shape without the reduced axes, laid out in
    /// memory as NumPy lays out its result.
    pub fn result<A>(&self, out: Vec<A>) -> ArrayD<A> {
        assert_eq!(out.len(), self.out_len);
        if self.reduction.view.is_empty() {
            return ArrayD::from_shape_vec(IxDyn(&self.shape), out).expect("out_len values");
        }
        let in_memory: Vec<usize> = self.memory_order.iter().map(|&a| self.shape[a]).collect();
        let stored = ArrayD::from_shape_vec(IxDyn(&in_memory), out).expect("out_len values");
        // Axis i of `stored` is result axis memory_order[i]: sort them, then put back the
        // result axes of length one, which are not in memory_order.
        let mut order: Vec<usize> = (0..self.memory_order.len()).collect();
        order.sort_by_key(|&i| self.memory_order[i]);
        let mut result = stored.permuted_axes(IxDyn(&order));
        for (axis, &len) in self.shape.iter().enumerate() {
            if len == 1 {
                result.insert_axis_inplace(Axis(axis));
            }
        }
        result
    }
}

impl<'a, T> Reduction<'a, T> {
    /// How many innermost axes make one run (0: values are added alone): see the fields.
    pub fn run_axes(&self) -> usize {
        self.run_axes
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.view.len()
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.view.is_empty()
    }

    /// Where the first value's result is in the result.
    pub fn out_start(&self) -> usize {
        self.out_start
    }

    /// Whether each result is the sum of one row of the view (its only run): runs are rows,
    /// and every other axis is kept. Then the results follow one another in `out` as the
    /// rows do, one each.
    pub fn one_row_per_result(&self) -> bool {
        let outer = self.view.ndim() - 1;
        self.runs_are_rows() && self.out_strides[..outer].iter().all(|&stride| stride != 0)
    }

    /// The length of the innermost axis: of each row [`for_each_row`](Self::for_each_row)
    /// visits.
    pub fn row_len(&self) -> usize {
        self.view.len_of(Axis(self.view.ndim() - 1))
    }

    /// The piece of indices `range` of the innermost axis, when that one is kept
    /// ([`run_axes`](Self::run_axes) 0): its values go to other results than any other
    /// range's, so column ranges can be summed apart, in any order.
    ///
    /// Panics if the innermost axis is reduced or the range is out of bounds.
    pub fn columns(&self, range: std::ops::Range<usize>) -> Reduction<'a, T> {
        assert_eq!(self.run_axes, 0, "the innermost axis is reduced");
        let inner = self.view.ndim() - 1;
        Reduction {
            view: (self.view.clone()).slice_axis_move(Axis(inner), Slice::from(range.clone())),
            out_start: self.out_start + range.start * self.out_strides[inner],
            ..self.clone()
        }
    }

    /// Calls `add(values, at)` for each row along the innermost axis of the reduction, in
    /// the iterator's order, `at` being where its first value's result is in the result
    /// (`out_start` included): each value's result follows the one before when the
    /// innermost axis is kept ([`run_axes`](Self::run_axes) 0), and every value has the
    /// same one when it is reduced (1).
    pub fn for_each_row(&self, add: &mut impl FnMut(ArrayView1<'a, T>, usize)) {
        rows(self.view.clone(), &self.out_strides, self.out_start, add);
    }

    /// [`for_each_row`](Self::for_each_row) where the innermost axis is kept
    /// ([`run_axes`](Self::run_axes) 0), over [`ROW_BLOCK`] of its indices at a time: every
    /// row's values for a block's results, then the next block's. Each result gets its values
    /// in the same order; the block's results stay in the L1 cache, where a whole row of
    /// results longer than it would go to L2 and back for every row.
    pub fn for_each_row_in_blocks(&self, add: &mut impl FnMut(ArrayView1<'a, T>, usize)) {
        let width = self.row_len();
        if width <= ROW_BLOCK {
            return self.for_each_row(add);
        }
        for start in (0..width).step_by(ROW_BLOCK) {
            self.columns(start..(start + ROW_BLOCK).min(width))
                .for_each_row(add);
        }
    }

    /// Calls `add(run, at)` for each run of values the tree sums whole, in the iterator's
    /// order, `at` being where its result is: one row when `run_axes` is 1, several when it
    /// is more or rows are chunked (a view whose values in C index order are the run's).
    pub fn for_each_run(&self, add: &mut impl FnMut(ArrayViewD<'a, T>, usize)) {
        each_run(
            self.view.clone(),
            &self.out_strides,
            self.out_start,
            self,
            add,
        );
    }

    /// Whether each run is one row of the view (`run_axes` 1, no chunk), and so
    /// [`for_each_row`](Self::for_each_row) visits the runs.
    pub fn runs_are_rows(&self) -> bool {
        self.run_axes == 1 && self.chunk == 1
    }

    /// The reduction cut into consecutive pieces, in the iterator's order, each of at most
    /// about `values` values unless a run is larger: pieces never cut a run, so each result
    /// gets the same runs, in the same order, piece after piece.
    pub fn pieces(&self, values: usize) -> Vec<Reduction<'a, T>> {
        let mut pieces = Vec::new();
        self.cut(values.max(1), &mut pieces);
        pieces
    }

    fn cut(&self, values: usize, pieces: &mut Vec<Reduction<'a, T>>) {
        let outer = self.view.ndim() - self.run_axes;
        if self.view.len() <= values || outer == 0 {
            pieces.push(self.clone());
            return;
        }
        let len = self.view.len_of(Axis(0));
        let step = if outer == 1 { self.chunk } else { 1 };
        // Whole indices of the outermost axis (whole chunks when it is the chunked one), as
        // many as fit, or one index each, cut further.
        let per_index = self.view.len() / len;
        let take = (values / per_index / step * step).max(step);
        if take == step && outer > 1 && per_index > values {
            for i in 0..len {
                self.sub(i, i + 1).drop_outer().cut(values, pieces);
            }
        } else {
            for start in (0..len).step_by(take) {
                pieces.push(self.sub(start, (start + take).min(len)));
            }
        }
    }

    /// Indices `start..end` of the outermost axis.
    fn sub(&self, start: usize, end: usize) -> Reduction<'a, T> {
        let view = self.view.clone();
        Reduction {
            view: view.slice_axis_move(Axis(0), Slice::from(start..end)),
            out_start: self.out_start + start * self.out_strides[0],
            ..self.clone()
        }
    }

    /// The piece without its outermost axis, which must have length one.
    fn drop_outer(self) -> Reduction<'a, T> {
        Reduction {
            view: self.view.index_axis_move(Axis(0), 0),
            out_strides: self.out_strides[1..].to_vec(),
            ..self
        }
    }
}

/// `reduced[a]` for each axis `a` of `view`, and the iterator's merges: neighbouring axes of
/// the same kind that step through memory as one become one axis (ndarray's `merge_axes`
/// asks what NumPy's coalescing asks: the outer stride is the inner one times its length).
fn merged<T>(mut view: ArrayViewD<'_, T>, mut kinds: Vec<bool>) -> (ArrayViewD<'_, T>, Vec<bool>) {
    let mut inner = view.ndim() - 1;
    for outer in (0..inner).rev() {
        if !(kinds[outer] == kinds[inner] && view.merge_axes(Axis(outer), Axis(inner))) {
            inner = outer;
        }
    }
    for axis in (0..view.ndim()).rev() {
        if view.len_of(Axis(axis)) == 1 && view.ndim() > 1 {
            view = view.index_axis_move(Axis(axis), 0);
            kinds.remove(axis);
        }
    }
    (view, kinds)
}

/// NumPy's axis order for one operand of strides `strides` (the result, not yet allocated,
/// has none): indices into `strides`, innermost first. An insertion sort from C order by the
/// size of the strides, in which a zero stride (a broadcast axis) compares with nothing.
fn iteration_order(strides: &[isize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..strides.len()).rev().collect();
    for i in 1..order.len() {
        let axis = order[i];
        let mut to = i;
        for j in (0..i).rev() {
            let (mine, theirs) = (strides[axis], strides[order[j]]);
            if mine != 0 && theirs != 0 {
                if theirs.unsigned_abs() <= mine.unsigned_abs() {
                    break;
                }
                to = j;
            }
        }
        let axis = order.remove(i);
        order.insert(to, axis);
    }
    order
}

/// `(run_axes, chunk)` for the merged `view` (see [`Reduction`]): NumPy's buffering setup
/// (`npyiter_find_buffering_setup`) for a reduction with one input (native, aligned: no cast)
/// and its result, which decides whether the input is copied into buffers, and how much of
/// it at a time. Its variables keep NumPy's names; `dim` counts from the innermost axis.
fn runs<T>(view: &ArrayViewD<'_, T>, reduced: &[bool]) -> (usize, usize) {
    let ndim = view.ndim();
    let len = |dim: usize| view.len_of(Axis(ndim - 1 - dim));
    let stride = |dim: usize| view.strides()[ndim - 1 - dim];
    let is_reduced = |dim: usize| reduced[ndim - 1 - dim];
    let innermost_run = usize::from(is_reduced(0));

    // How many innermost axes the input and the result each step through with one stride.
    let (mut input_single, mut result_single) = (1, 1);
    let mut cost = 1;
    let mut outer_reduce_dim = 0;
    let mut size = len(0);
    let (mut best_dim, mut best_cost, mut best_size, mut best_coresize) = (0, 1, size, 1);
    for dim in 1..ndim {
        if outer_reduce_dim != 0 || (size >= BUFFER && cost > 1) {
            break;
        }
        if input_single == dim {
            if stride(dim - 1) * len(dim - 1) as isize == stride(dim) {
                input_single += 1;
            } else {
                cost += 1;
            }
        }
        // The result is laid out in the iterator's order: it steps as one from a reduced
        // axis to a reduced one, or a kept one to a kept one, and a change of kind is
        // where a reduction's outer loop goes.
        if result_single == dim {
            if is_reduced(dim - 1) == is_reduced(dim) {
                result_single += 1;
            } else {
                cost += 1;
                outer_reduce_dim = dim;
            }
        }
        let coresize = size;
        size *= len(dim);
        if size == 0 {
            break;
        }
        let bufsize = if size > BUFFER && cost > 1 {
            BUFFER
        } else {
            size
        };
        // NumPy compares in doubles.
        if cost as f64 * best_size as f64 <= best_cost as f64 * bufsize as f64 {
            (best_cost, best_coresize, best_size, best_dim) = (cost, coresize, size, dim);
        }
    }
    let using_reduce = outer_reduce_dim != 0 && best_dim == outer_reduce_dim;
    // Whether the input is iterated as a reduce operand, which spares it the buffer.
    let input_reduce = using_reduce
        && (input_single == best_dim
            || (stride(outer_reduce_dim) == 0 && input_single <= best_dim));
    let buffered = input_single + usize::from(input_reduce) <= best_dim;
    if !buffered || !is_reduced(0) {
        (innermost_run, 1)
    } else if using_reduce {
        (best_dim, 1)
    } else {
        let buffersize = if BUFFER < best_size {
            best_coresize * (BUFFER / best_coresize)
        } else {
            best_size
        };
        (best_dim, buffersize / best_coresize)
    }
}

/// [`Reduction::for_each_row`] over `view`, `at` the result of its first value. Views of up
/// to three axes step from row to row as views of a fixed dimension (a nanosecond a row,
/// where a view of dynamic dimension takes tens).
fn rows<'a, T>(
    view: ArrayViewD<'a, T>,
    out_strides: &[usize],
    at: usize,
    add: &mut impl FnMut(ArrayView1<'a, T>, usize),
) {
    match view.ndim() {
        1 => add(view.into_dimensionality().expect("1-D"), at),
        2 | 3 => {
            let block: ArrayView3<'a, T> = match view.ndim() {
                2 => view.insert_axis(Axis(0)),
                _ => view,
            }
            .into_dimensionality()
            .expect("3-D");
            let strides = match out_strides {
                [a, b] => [0, *a, *b],
                [a, b, c] => [*a, *b, *c],
                _ => unreachable!("2 or 3 axes"),
            };
            for (i, plane) in block.into_outer_iter().enumerate() {
                for (j, row) in plane.into_outer_iter().enumerate() {
                    add(row, at + i * strides[0] + j * strides[1]);
                }
            }
        }
        _ => {
            for (i, sub) in view.into_outer_iter().enumerate() {
                rows(sub, &out_strides[1..], at + i * out_strides[0], add);
            }
        }
    }
}

/// [`Reduction::for_each_run`] over `view` (some outer axes of the reduction's view already
/// fixed), `at` the result of its first value.
fn each_run<'a, T>(
    view: ArrayViewD<'a, T>,
    out_strides: &[usize],
    at: usize,
    reduction: &Reduction<'a, T>,
    add: &mut impl FnMut(ArrayViewD<'a, T>, usize),
) {
    let outer = view.ndim() - reduction.run_axes;
    if outer == 0 {
        add(view, at);
    } else if outer == 1 {
        let len = view.len_of(Axis(0));
        for start in (0..len).step_by(reduction.chunk) {
            let end = (start + reduction.chunk).min(len);
            let run = view
                .clone()
                .slice_axis_move(Axis(0), Slice::from(start..end));
            add(run, at + start * out_strides[0]);
        }
    } else {
        for (i, sub) in view.into_outer_iter().enumerate() {
            each_run(
                sub,
                &out_strides[1..],
                at + i * out_strides[0],
                reduction,
                add,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array, ShapeBuilder};

    #[test]
    fn axes_go_innermost_by_stride_and_broadcast_ones_compare_with_none() {
        assert_eq!(iteration_order(&[24, 8]), vec![1, 0]);
        assert_eq!(iteration_order(&[8, 24]), vec![0, 1]);
        assert_eq!(iteration_order(&[-8, 800, 80]), vec![0, 2, 1]);
        // A zero stride compares with nothing: axis 0 moves past it to the inside, and it
        // stays where C order put it among the others.
        assert_eq!(iteration_order(&[8, 0, 80]), vec![0, 2, 1]);
        assert_eq!(iteration_order(&[0, 8, 80]), vec![1, 2, 0]);
    }

    #[test]
    fn contiguous_arrays_reduce_by_rows_or_by_values() {
        let c = Array::<f64, _>::zeros((30, 40)).into_dyn();
        // axis 1 of a C array: each row is a run.
        let plan = Plan::new(c.view(), &[1]);
        assert_eq!((plan.reduction.run_axes, plan.reduction.chunk), (1, 1));
        // axis 0: rows are added value by value into the result.
        let plan = Plan::new(c.view(), &[0]);
        assert_eq!((plan.reduction.run_axes, plan.reduction.chunk), (0, 1));
        // every axis: one run.
        let plan = Plan::new(c.view(), &[0, 1]);
        assert_eq!(plan.reduction.view.shape(), &[1200]);
        let f = Array::<f64, _>::zeros((30, 40).f()).into_dyn();
        let plan = Plan::new(f.view(), &[0]);
        assert_eq!(
            (plan.reduction.run_axes, plan.reduction.out_strides.clone()),
            (1, vec![1, 0])
        );
    }

    #[test]
    fn reduced_axes_that_do_not_merge_are_buffered_a_few_rows_at_a_time() {
        let a = Array::<f64, _>::zeros((600, 600)).into_dyn();
        let view = a.slice_each_axis(|d| match d.axis.index() {
            0 => Slice::new(0, None, 2),
            _ => Slice::from(0..300),
        });
        // 8192 / 300 = 27 rows of 300 values a run.
        let plan = Plan::new(view, &[0, 1]);
        assert_eq!((plan.reduction.run_axes, plan.reduction.chunk), (1, 27));
    }

    #[test]
    fn results_are_laid_out_as_numpy_lays_them_out() {
        let f = Array::<f64, _>::zeros((3, 4, 5).f()).into_dyn();
        let plan = Plan::new(f.view(), &[1]);
        let result = plan.result((0..15).map(f64::from).collect());
        assert_eq!(result.shape(), &[3, 5]);
        assert_eq!(result.strides(), &[1, 3]);
        assert_eq!(result[[2, 1]], 5.0);
        let unit = Array::<f64, _>::zeros((1, 4, 1)).into_dyn();
        let plan = Plan::new(unit.view(), &[1]);
        assert_eq!(plan.result(vec![0.0]).shape(), &[1, 1]);
    }

    #[test]
    fn pieces_keep_every_run_whole_and_in_order() {
        let a = Array::from_iter(0..6000)
            .into_shape_with_order((20, 30, 10))
            .unwrap();
        for axes in [&[0][..], &[1], &[2], &[0, 2], &[1, 2], &[0, 1, 2]] {
            let plan = Plan::new(a.view().into_dyn(), axes);
            let mut whole = Vec::new();
            plan.reduction
                .for_each_run(&mut |run, at| whole.push((run.to_owned(), at)));
            for values in [1, 7, 100, 1000, 10_000] {
                let mut pieced = Vec::new();
                for piece in plan.reduction.pieces(values) {
                    piece.for_each_run(&mut |run, at| pieced.push((run.to_owned(), at)));
                }
                assert_eq!(pieced, whole, "axes {axes:?}, pieces of {values}");
            }
        }
    }
}
