//! An N-D view cut into its contiguous runs, each value in exactly one: what lets the
//! tutorial's C function, which takes one contiguous run, square any view.

use ndarray::ArrayViewMutD;

/// Calls `f` on every contiguous run of `view`'s values, each value in exactly one run.
///
/// The axes are taken from the largest stride to the smallest, so a view contiguous in any
/// axis order (C, Fortran, transposed, reversed) is one run, and a view with gaps between
/// rows or planes gives one run per row or plane. A view whose smallest stride is not one
/// value gives runs of one value. Runs are in memory order within each run, which does not
/// matter for an element-wise operation. Empty views give no run.
pub fn for_each_run(mut view: ArrayViewMutD<'_, f64>, f: &mut impl FnMut(&mut [f64])) {
    // The common case first, without sorting axes: a contiguous array is one run.
    if let Some(run) = view.as_slice_memory_order_mut() {
        if !run.is_empty() {
            f(run);
        }
        return;
    }
    let mut axes: Vec<usize> = (0..view.ndim()).collect();
    axes.sort_by_key(|&axis| std::cmp::Reverse(view.strides()[axis].unsigned_abs()));
    runs(view.permuted_axes(axes), f);
}

fn runs(mut view: ArrayViewMutD<'_, f64>, f: &mut impl FnMut(&mut [f64])) {
    if view.is_empty() {
        return;
    }
    if let Some(run) = view.as_slice_memory_order_mut() {
        f(run);
        return;
    }
    for sub in view.outer_iter_mut() {
        runs(sub, f);
    }
}
