//! `np.sum(a, axis=...)`: sums along axes, each result added up from its values in NumPy's
//! order ([`crate::reduction`]), its runs summed by NumPy's tree (floats) or exactly (integers).

use std::fmt;

use crate::exact::{exact_sum_in_index_order, exact_sum_of_slice};
use crate::index_order::sum_in_index_order;
use crate::pairwise::{self, Value, add};
use crate::reduction::{Plan, Reduction};
use crate::row_add::add_row;
use ndarray::{ArrayD, ArrayView1, ArrayViewD, Dimension};

/// How a sum along axes adds values of an element type into a result: every type
/// [`sum_array`](crate::sum_array) takes.
pub trait Accumulate: Copy + Send + Sync {
    /// What a result is added up in: f64 for floats (as NumPy does for float64), i128 for
    /// integers (exact).
    type Acc: Copy + Send + Sync + fmt::Debug;
    /// A result's type: f64 for floats, i64 for integers.
    type AxisTotal: Copy + Send + Sync;
    /// A result before any value is added to it: NumPy's identity of addition, `+0.0`.
    const ZERO: Self::Acc;
    /// `out[i] = out[i] + row[i]` for each value of the row (as long as `out`).
    fn add_row(out: &mut [Self::Acc], row: ArrayView1<'_, Self>);
    /// `acc` with the sum of a run added: NumPy's tree over its values in C index order.
    fn add_run(acc: Self::Acc, run: ArrayViewD<'_, Self>) -> Self::Acc;
    /// `acc` with the sum of a run that is one row added: [`add_run`](Self::add_run), faster.
    fn add_row_run(acc: Self::Acc, row: ArrayView1<'_, Self>) -> Self::Acc;
    /// `acc` with a sum from [`add_run`](Self::add_run) or [`add_row_run`](Self::add_row_run)
    /// started at [`ZERO`](Self::ZERO) added: for runs summed apart and added later.
    fn add(acc: Self::Acc, sum: Self::Acc) -> Self::Acc;
    /// The results as [`AxisTotal`](Self::AxisTotal)s, or the first that does not fit.
    fn totals(results: ArrayD<Self::Acc>) -> Result<ArrayD<Self::AxisTotal>, Overflow>;
}

/// An integer sum along axes that does not fit in an `i64`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overflow {
    /// Where it is in the result (its first such sum, in C index order).
    pub index: Vec<usize>,
    /// Its exact value.
    pub sum: i128,
}

impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the sum at index {:?} is {}, which does not fit in int64",
            self.index, self.sum
        )
    }
}

impl std::error::Error for Overflow {}

/// The sums of `view` along `axes` (each less than `view.ndim()`, none twice): `np.sum(view,
/// axis=axes)`, an array of the view's shape without those axes, laid out in memory as NumPy
/// lays out its result. No axes: each value on its own (`0.0 + x`).
///
/// float64: the same bits as `np.sum` for every view, whatever its strides: each result is
/// `0.0` plus its values in the order NumPy adds them ([`crate::reduction`]), the runs NumPy
/// sums with its pairwise tree summed with the same tree. float32 values are widened to
/// float64 and added in the same order (the bits of `np.sum(view.astype(np.float64), axis)`
/// where `astype` keeps the layout: C, Fortran, 1-D). int32 and int64 sums are exact, an
/// [`Overflow`] when one does not fit in an `i64`.
///
/// Panics if an axis is out of range or repeated.
///
/// ```
/// use ndarray::array;
/// let a = array![[1.0, 2.0], [3.0, 4.5]].into_dyn();
/// assert_eq!(fast_operations::sum_axes(a.view(), &[0]).unwrap(), array![4.0, 6.5].into_dyn());
/// let big = array![[i64::MAX], [1]].into_dyn();
/// assert_eq!(fast_operations::sum_axes(big.view(), &[0]).unwrap_err().sum, i64::MAX as i128 + 1);
/// ```
pub fn sum_axes<T: Accumulate>(
    view: ArrayViewD<'_, T>,
    axes: &[usize],
) -> Result<ArrayD<T::AxisTotal>, Overflow> {
    let plan = Plan::new(view, axes);
    let mut out = results(&plan);
    accumulate(&plan.reduction, &mut out);
    totals(&plan, out)
}

/// The results of `plan` before any value is added: [`Accumulate::ZERO`]s, written (where
/// `vec![ZERO; n]` would ask the system for zeroed pages, and pay a second page fault on each
/// page at the first write).
pub fn results<T: Accumulate>(plan: &Plan<'_, T>) -> Vec<T::Acc> {
    let mut out = Vec::with_capacity(plan.out_len);
    out.resize(plan.out_len, T::ZERO);
    out
}

/// Adds the values of `reduction` (a whole one, or a piece) into `out`, the whole result,
/// in NumPy's order.
pub fn accumulate<T: Accumulate>(reduction: &Reduction<'_, T>, out: &mut [T::Acc]) {
    if reduction.run_axes() == 0 {
        reduction
            .for_each_row_in_blocks(&mut |row, at| T::add_row(&mut out[at..at + row.len()], row));
    } else if reduction.runs_are_rows() {
        reduction.for_each_row(&mut |row, at| out[at] = T::add_row_run(out[at], row));
    } else {
        reduction.for_each_run(&mut |run, at| out[at] = T::add_run(out[at], run));
    }
}

/// The sums of the runs of `reduction` (which must have runs: `run_axes() >= 1`), each from
/// [`Accumulate::ZERO`], with where each goes in the result, in NumPy's order: for a piece
/// summed apart and added to the result later ([`Accumulate::add`]).
pub fn run_sums<T: Accumulate>(reduction: &Reduction<'_, T>) -> Vec<(usize, T::Acc)> {
    assert!(reduction.run_axes() >= 1, "values added alone have no runs");
    let mut sums = Vec::new();
    if reduction.runs_are_rows() {
        reduction.for_each_row(&mut |row, at| sums.push((at, T::add_row_run(T::ZERO, row))));
    } else {
        reduction.for_each_run(&mut |run, at| sums.push((at, T::add_run(T::ZERO, run))));
    }
    sums
}

/// The result of `plan` from its accumulated values, or the first that does not fit.
pub fn totals<T: Accumulate>(
    plan: &Plan<'_, T>,
    out: Vec<T::Acc>,
) -> Result<ArrayD<T::AxisTotal>, Overflow> {
    T::totals(plan.result(out))
}

/// Rows shorter than this are added in a plain loop ([`add_float_row`]).
const SHORT_ROW: usize = 8;

/// The float rows and runs, in f64.
fn add_float_row<T: Value + Copy>(out: &mut [f64], row: ArrayView1<'_, T>) {
    match row.as_slice() {
        // A short row in a plain loop: the call to the vectorised one would cost more.
        Some(values) if values.len() < SHORT_ROW => out
            .iter_mut()
            .zip(values)
            .for_each(|(o, &x)| *o += x.to_f64()),
        Some(values) => add_row(out, values),
        None => out.iter_mut().zip(row).for_each(|(o, &x)| *o += x.to_f64()),
    }
}

fn float_row_run<T: Value + Copy>(row: ArrayView1<'_, T>) -> f64 {
    match row.as_slice() {
        Some(values) => pairwise::pairwise_sum(values),
        None => sum_in_index_order(&row.into_dyn()),
    }
}

macro_rules! float_accumulate {
    ($t:ty) => {
        impl Accumulate for $t {
            type Acc = f64;
            type AxisTotal = f64;
            const ZERO: f64 = 0.0;
            fn add_row(out: &mut [f64], row: ArrayView1<'_, $t>) {
                add_float_row(out, row)
            }
            // NumPy's `*out += pairwise_sum(run)` is compiled with the run's sum as the first
            // operand of the addition: where both are NaN, the result keeps the run's
            // payload (an x86 addition of two NaNs returns its first operand's), so the
            // ordered `add` (written as `+`, the compiler may swap the operands).
            fn add_run(acc: f64, run: ArrayViewD<'_, $t>) -> f64 {
                add(sum_in_index_order(&run), acc)
            }
            fn add_row_run(acc: f64, row: ArrayView1<'_, $t>) -> f64 {
                add(float_row_run(row), acc)
            }
            fn add(acc: f64, sum: f64) -> f64 {
                // `sum` is a run's sum from ZERO (its tree plus 0.0): the same as adding the
                // tree itself (they differ only where the tree is -0.0, and -0.0 + acc is acc,
                // as is 0.0 + acc unless acc is -0.0, which a result never is: it starts at
                // 0.0).
                add(sum, acc)
            }
            fn totals(results: ArrayD<f64>) -> Result<ArrayD<f64>, Overflow> {
                Ok(results)
            }
        }
    };
}

float_accumulate!(f64);
float_accumulate!(f32);

macro_rules! int_accumulate {
    ($t:ty) => {
        impl Accumulate for $t {
            type Acc = i128;
            type AxisTotal = i64;
            const ZERO: i128 = 0;
            fn add_row(out: &mut [i128], row: ArrayView1<'_, $t>) {
                out.iter_mut()
                    .zip(row)
                    .for_each(|(o, &x)| *o += i128::from(x));
            }
            fn add_run(acc: i128, run: ArrayViewD<'_, $t>) -> i128 {
                acc + exact_sum_in_index_order(&run, i64::from)
            }
            fn add_row_run(acc: i128, row: ArrayView1<'_, $t>) -> i128 {
                acc + match row.as_slice_memory_order() {
                    Some(values) => exact_sum_of_slice(values, i64::from),
                    None => exact_sum_in_index_order(&row.into_dyn(), i64::from),
                }
            }
            fn add(acc: i128, sum: i128) -> i128 {
                acc + sum
            }
            fn totals(results: ArrayD<i128>) -> Result<ArrayD<i64>, Overflow> {
                if let Some((index, &sum)) = results
                    .indexed_iter()
                    .find(|(_, sum)| i64::try_from(**sum).is_err())
                {
                    let index = index.as_array_view().to_vec();
                    return Err(Overflow { index, sum });
                }
                // Every sum fits: the cast changes none.
                Ok(results.mapv(|sum| sum as i64))
            }
        }
    };
}

int_accumulate!(i64);
int_accumulate!(i32);
