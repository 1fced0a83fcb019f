//! Sums along axes on the pool, with [`fast_operations::sum_axes`]'s bits for every thread
//! count: a result's runs are summed apart, by any thread, and added to it in NumPy's order
//! afterwards; values added to their results one at a time are split by result.

use fast_operations::reduction::{
    Plan, ROW_BLOCK, Reduction, accumulate, results, run_sums, totals,
};
use fast_operations::{Accumulate, Overflow};
use ndarray::{ArrayD, ArrayViewD, ArrayViewMut2, Axis};

use crate::{GRAIN, PARALLEL_FROM, ParallelSummable, TASKS_PER_THREAD, thread_count};

/// The sums of `view` along `axes` on the pool: the same result, to the bit, as
/// [`fast_operations::sum_axes`], for every thread count.
///
/// How: where each result's runs are rows longer than [`PARALLEL_FROM`] (a few long
/// columns), each run's tree is split as [`parallel_sum`](crate::parallel_sum) splits one;
/// where there are many runs, consecutive runs go to the threads in pieces; where the
/// innermost axis is kept (each value is added to its result alone), the threads take
/// ranges of its indices, whose results are apart (rows shorter than 2048 values are not
/// split: there a result's values are added one after the other by one thread, as NumPy
/// adds them). Views under [`PARALLEL_FROM`] values are
/// summed on the calling thread.
///
/// Panics if an axis is out of range or repeated.
pub fn parallel_sum_axes<T: ParallelSummable>(
    view: ArrayViewD<'_, T>,
    axes: &[usize],
) -> Result<ArrayD<T::AxisTotal>, Overflow> {
    let plan = Plan::new(view, axes);
    let mut out = results(&plan);
    reduce(&plan.reduction, &mut out);
    totals(&plan, out)
}

/// The sum of every value of a view that is not one slice, on the pool: its reduction along
/// every axis, as [`fast_operations::sum_array`] sums such a view.
pub(crate) fn parallel_sum_of_view<T: ParallelSummable>(view: ArrayViewD<'_, T>) -> T::Acc {
    let every: Vec<usize> = (0..view.ndim()).collect();
    let mut total = [T::ZERO];
    reduce(&Plan::new(view, &every).reduction, &mut total);
    total[0]
}

/// Adds the values of `reduction` into `out`, its results, on the pool (see
/// [`parallel_sum_axes`]).
fn reduce<T: ParallelSummable>(reduction: &Reduction<'_, T>, out: &mut [T::Acc]) {
    if reduction.len() < PARALLEL_FROM {
        accumulate(reduction, out);
    } else if reduction.run_axes() == 0 {
        by_columns(reduction, out);
    } else if reduction.runs_are_rows() && reduction.row_len() >= PARALLEL_FROM {
        reduction.for_each_row(&mut |row, at| out[at] = T::add(out[at], T::parallel_row_run(row)));
    } else {
        by_pieces(reduction, out);
    }
}

/// Pieces of consecutive runs summed on the pool, added to their results in order; where
/// each result is one row, each piece's results are a range of `out` that it writes itself.
fn by_pieces<T: Accumulate>(reduction: &Reduction<'_, T>, out: &mut [T::Acc]) {
    let values = (reduction.len() / (TASKS_PER_THREAD * thread_count())).max(GRAIN);
    let pieces = reduction.pieces(values);
    if reduction.one_row_per_result() {
        // The results follow one another as the rows do: piece after piece.
        let mut tasks = Vec::with_capacity(pieces.len());
        let mut rest = out;
        for piece in &pieces {
            let (results, after) = rest.split_at_mut(piece.len() / piece.row_len());
            tasks.push((piece, results));
            rest = after;
        }
        pool::for_each_mut(&mut tasks, |(piece, results)| {
            let first = piece.out_start();
            piece.for_each_row(&mut |row, at| {
                results[at - first] = T::add_row_run(results[at - first], row);
            });
        });
        return;
    }
    let sums = pool::map(pieces.len(), |i| run_sums(&pieces[i]));
    for (at, sum) in sums.into_iter().flatten() {
        out[at] = T::add(out[at], sum);
    }
}

/// Ranges of the innermost (kept) axis summed on the pool, each into its own columns of the
/// results: a range a thread (each walks all rows), or on the calling thread alone where
/// rows are shorter than two blocks.
///
/// A range is whole blocks of the serial sum's ([`ROW_BLOCK`]): each addition of a row's
/// values then covers the same values as in the serial sum, in the same instructions (a
/// vectorised loop and its remainder may order a NaN pair's operands differently).
fn by_columns<T: Accumulate>(reduction: &Reduction<'_, T>, out: &mut [T::Acc]) {
    let width = reduction.row_len();
    if width < 2 * ROW_BLOCK {
        return accumulate(reduction, out);
    }
    let per_task = width.div_ceil(thread_count()).next_multiple_of(ROW_BLOCK);
    // The innermost axis steps by one in the results, the others by multiples of its length:
    // they are rows of `width`, and a range of columns of them is a task's alone.
    let rows = out.len() / width;
    let mut results = ArrayViewMut2::from_shape((rows, width), out).expect("rows of width results");
    let mut tasks: Vec<_> = results
        .axis_chunks_iter_mut(Axis(1), per_task)
        .enumerate()
        .map(|(i, columns)| {
            let start = i * per_task;
            (
                reduction.columns(start..start + columns.ncols()),
                start,
                columns,
            )
        })
        .collect();
    pool::for_each_mut(&mut tasks, |(piece, start, columns)| {
        piece.for_each_row_in_blocks(&mut |values, at| {
            // `at` is `start`, plus a multiple of `width` for the row, plus the column.
            let (row, column) = ((at - *start) / width, (at - *start) % width);
            let mut results = columns.row_mut(row);
            let results = results
                .as_slice_mut()
                .expect("a row's columns are contiguous");
            T::add_row(&mut results[column..column + values.len()], values);
        });
    });
}
