//! The pairwise sum against NumPy's tree written plainly ([`sums_fuzz::tree`]), bit for bit:
//! every kernel this CPU runs, on slices (at every offset into a cache line) and in place on
//! strided views of any step, negative too (`Kernel::pairwise_sum_strided`), and `sum_array`
//! on 1-D and N-D views of float64 and float32 (views that are one run: one tree, gathered or
//! in place; other views: their sum along every axis, NumPy's runs one after the other).
#![no_main]

use fast_operations::pairwise::{InstructionSet, Kernel};
use fast_operations::{Accumulate, sum_array, sum_axes};
use libfuzzer_sys::fuzz_target;
use ndarray::Ix1;
use sums_fuzz::{Float, Input, Layout, assert_same_float, summation_order, tree};

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let mode = input.byte();
    // Sums without NaN or infinity are the informative ones (one NaN decides the result),
    // so half the inputs leave them out.
    let specials = mode & 2 != 0;
    match (mode & 1 != 0, mode & 4 != 0) {
        (false, false) => one_axis::<f64>(&mut input, specials),
        (true, false) => one_axis::<f32>(&mut input, specials),
        (false, true) => any_view::<f64>(&mut input, specials),
        (true, true) => any_view::<f32>(&mut input, specials),
    }
});

/// A 1-D view, on every kernel.
fn one_axis<T: Float>(input: &mut Input<'_>, specials: bool) {
    // One line in eight is long: up to 2^19 values, of steps up to 32, crosses the sizes
    // from which the AVX-512 kernel prefetches (2^18 values, or lines spanning 16 MiB).
    let layout = if input.byte() % 8 != 0 {
        Layout::read(input, 1..=1, 1 << 20, false)
    } else {
        Layout::read_large(input, 1..=1, 1 << 12, 1 << 19, false)
    };
    let Some(layout) = layout else {
        return;
    };
    let backing: Vec<T> = layout.fill(input, specials);
    let view = layout.view(&backing).into_dimensionality::<Ix1>().unwrap();
    let values: Vec<f64> = view.iter().map(|&x| x.to_f64()).collect();
    let want = tree(&values);
    let copy: Vec<T> = view.iter().copied().collect();
    for kernel in InstructionSet::ALL.into_iter().filter(|k| k.is_supported()) {
        if let Some(slice) = view.as_slice() {
            assert_same_float(
                kernel.pairwise_sum(slice),
                want,
                &format!("{kernel:?} slice"),
            );
        }
        assert_same_float(
            kernel.pairwise_sum(&copy),
            want,
            &format!("{kernel:?} copy"),
        );
        let strided = kernel.pairwise_sum_strided(view.view());
        assert_same_float(
            strided,
            want,
            &format!("{kernel:?} strided, stride {:?}", view.strides()),
        );
    }
    let sum = sum_array(view.into_dyn());
    assert_same_float(sum, 0.0 + want, "sum_array of a 1-D view");
}

/// A view of 0 to 5 axes, broadcast ones too: `sum_array` in its documented order (the
/// Python tests hold the views of several runs to `np.sum` itself).
fn any_view<T: Float + Accumulate<AxisTotal = f64>>(input: &mut Input<'_>, specials: bool) {
    let Some(layout) = Layout::read(input, 0..=5, 1 << 18, true) else {
        return;
    };
    let backing: Vec<T> = layout.fill(input, specials);
    layout.with_view(&backing, |view| {
        let what = format!(
            "sum_array, shape {:?} strides {:?}",
            view.shape(),
            view.strides()
        );
        let want = match summation_order(&view) {
            Some(values) => {
                let values: Vec<f64> = values.iter().map(|&x| x.to_f64()).collect();
                0.0 + tree(&values)
            }
            None => {
                let every: Vec<usize> = (0..view.ndim()).collect();
                sum_axes(view.view(), &every).unwrap()[[]]
            }
        };
        assert_same_float(sum_array(view), want, &what);
    });
}
