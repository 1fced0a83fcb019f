//! The contiguous-run cutter against a reference: every element of a view of any shape,
//! steps (negative too) and axis order is in exactly one run, nothing outside the view is;
//! a view that is one slice in memory is one run. And both squares (the C `square_array` and
//! the Rust kernel, on those runs) leave `x * x` in the view and every other element as it was.
#![no_main]

use array_ops::{for_each_run, square_numpy_array, square_numpy_array_rust};
use libfuzzer_sys::fuzz_target;
use ndarray::ArrayViewMutD;
use sums_fuzz::{Input, Layout};

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let mode = input.byte();
    let Some(layout) = Layout::read(&mut input, 0..=6, 1 << 17, false) else {
        return;
    };
    runs(&layout);
    let square: fn(ArrayViewMutD<'_, f64>) = if mode & 1 == 0 {
        square_numpy_array
    } else {
        square_numpy_array_rust
    };
    squares(&layout, &mut input, mode & 2 != 0, square);
});

fn runs(layout: &Layout) {
    // Each element holds its own index, so a run says which elements it is.
    let mut backing: Vec<f64> = (0..layout.backing_len()).map(|i| i as f64).collect();
    let view = layout.view(&backing);
    let mut expected = vec![0u8; backing.len()];
    view.iter().for_each(|&x| expected[x as usize] = 1);
    let one_slice = view.len() > 0 && view.as_slice_memory_order().is_some();
    let what = format!("shape {:?} strides {:?}", view.shape(), view.strides());
    let mut seen = vec![0u8; backing.len()];
    let mut count = 0;
    for_each_run(layout.view_mut(&mut backing), &mut |run| {
        assert!(!run.is_empty(), "an empty run, {what}");
        count += 1;
        for &x in run.iter() {
            seen[x as usize] += 1;
        }
    });
    for (i, (&s, &e)) in seen.iter().zip(&expected).enumerate() {
        assert_eq!(s, e, "element {i} visited {s} times, {what}");
    }
    if one_slice {
        assert_eq!(
            count, 1,
            "a view that is one slice came in {count} runs, {what}"
        );
    }
}

fn squares(
    layout: &Layout,
    input: &mut Input<'_>,
    specials: bool,
    square: fn(ArrayViewMutD<'_, f64>),
) {
    let mut backing: Vec<f64> = layout.fill(input, specials);
    let before = backing.clone();
    let mut inside = vec![false; backing.len()];
    let mut marks: Vec<f64> = (0..backing.len()).map(|i| i as f64).collect();
    layout
        .view(&marks)
        .iter()
        .for_each(|&x| inside[x as usize] = true);
    marks.clear();
    square(layout.view_mut(&mut backing));
    for (i, (&got, &x)) in backing.iter().zip(&before).enumerate() {
        let want = if inside[i] { x * x } else { x };
        assert_eq!(
            got.to_bits(),
            want.to_bits(),
            "element {i} (inside the view: {}): got {got:e}, want {want:e}",
            inside[i]
        );
    }
}
