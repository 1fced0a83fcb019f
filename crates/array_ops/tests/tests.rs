//! Every view squared in place, and nothing outside it touched; C and Rust give the same bits;
//! views that reach a location twice square it once. (The private pieces, such as the chunking
//! that keeps the C `int` size from overflowing, are tested beside them in src/.)

use array_ops::ffi::square_array_c;
use std::collections::BTreeSet;

use array_ops::{
    for_each_run, may_overlap, square_each_location_once, square_numpy_array,
    square_numpy_array_rust, square_slice,
};
use ndarray::{Array, ArrayViewMutD, IxDyn, ShapeBuilder, SliceInfoElem, s};
use test_values::{offsets, small_views};

/// Values of magnitudes 2^-30 to 2^30 with both signs.
fn values(n: usize, seed: u64) -> Vec<f64> {
    test_values::values_spanning(n, seed, 30)
}

type Square = fn(ArrayViewMutD<'_, f64>);
const SQUARES: [(&str, Square); 2] = [("C", square_numpy_array), ("Rust", square_numpy_array_rust)];

/// Squares the view `index` of a 3-D array in place and checks every value: squared inside the
/// view, untouched outside it (the guard around it).
fn check_view(shape: (usize, usize, usize), fortran: bool, index: &[SliceInfoElem]) {
    for (name, square) in SQUARES {
        let data = values(shape.0 * shape.1 * shape.2, 1);
        let mut array = if fortran {
            Array::from_shape_vec(shape.f(), data).unwrap()
        } else {
            Array::from_shape_vec(shape, data).unwrap()
        }
        .into_dyn();
        let before = array.clone();
        // Mark which values the view covers.
        let mut inside = Array::from_elem(array.raw_dim(), false);
        inside.slice_mut(index).fill(true);
        square(array.slice_mut(index));
        for ((got, was), covered) in array.iter().zip(&before).zip(&inside) {
            let expected = if *covered { was * was } else { *was };
            assert_eq!(
                got.to_bits(),
                expected.to_bits(),
                "{name}, view {index:?}, fortran {fortran}"
            );
        }
    }
}

#[test]
fn every_layout_is_squared_and_nothing_outside_it() {
    let views: Vec<Vec<SliceInfoElem>> = vec![
        s![.., .., ..].as_ref().to_vec(),
        s![1..5, 2..9, 3..7].as_ref().to_vec(),
        s![.., .., ..;3].as_ref().to_vec(),
        s![..;-1, .., ..].as_ref().to_vec(),
        s![.., .., ..;-1].as_ref().to_vec(),
        s![..;-1, ..;-1, ..;-1].as_ref().to_vec(),
        s![..;2, 1..;-3, ..].as_ref().to_vec(),
        s![3, .., ..].as_ref().to_vec(),
        s![.., 4, ..;-2].as_ref().to_vec(),
        s![2, 5, 1].as_ref().to_vec(),
        s![2..2, .., ..].as_ref().to_vec(),
        s![.., 3..3, ..;2].as_ref().to_vec(),
    ];
    for fortran in [false, true] {
        for index in &views {
            check_view((6, 11, 9), fortran, index);
        }
    }
}

#[test]
fn transposed_and_permuted_views() {
    for (name, square) in SQUARES {
        let mut array = Array::from_shape_vec((5, 7, 3), values(105, 2)).unwrap();
        let before = array.clone();
        square(array.view_mut().permuted_axes([2, 0, 1]).into_dyn());
        assert_eq!(array, before.mapv(|x| x * x), "{name}");
    }
}

#[test]
fn long_runs_are_squared_on_all_threads_with_the_same_bits() {
    let data = values(1_000_003, 3);
    let mut c = Array::from(data.clone());
    let mut rust = Array::from(data.clone());
    square_numpy_array(c.view_mut().into_dyn());
    square_numpy_array_rust(rust.view_mut().into_dyn());
    for ((c, rust), x) in c.iter().zip(&rust).zip(&data) {
        assert_eq!(c.to_bits(), (x * x).to_bits());
        assert_eq!(rust.to_bits(), (x * x).to_bits());
    }
}

#[test]
fn c_and_rust_agree_on_special_values() {
    let special = [
        0.0,
        -0.0,
        1e-160,
        -1e200,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MIN_POSITIVE,
        5e-324,
        3.0,
    ];
    let mut c = special;
    let mut rust = special;
    square_array_c(&mut c);
    square_slice(&mut rust);
    for ((c, rust), x) in c.iter().zip(&rust).zip(&special) {
        assert_eq!(c.to_bits(), rust.to_bits(), "{x:e}");
        assert_eq!(c.to_bits(), (x * x).to_bits(), "{x:e}");
    }
    let mut nan = [f64::NAN];
    square_array_c(&mut nan);
    assert!(nan[0].is_nan());
}

#[test]
fn runs_cover_each_value_once_and_are_as_long_as_the_layout_allows() {
    let mut array = Array::from_shape_vec((4, 6, 5), values(120, 4))
        .unwrap()
        .into_dyn();
    let mut lengths = vec![];
    for_each_run(array.view_mut(), &mut |run| lengths.push(run.len()));
    assert_eq!(lengths, [120]); // contiguous: one run
    lengths.clear();
    for_each_run(array.slice_mut(s![.., 1..5, ..]).into_dyn(), &mut |run| {
        lengths.push(run.len())
    });
    assert_eq!(lengths, [20; 4]); // a gap between planes: one run per plane
    lengths.clear();
    for_each_run(
        array.slice_mut(s![..;-1, .., ..;2]).into_dyn(),
        &mut |run| lengths.push(run.len()),
    );
    assert_eq!(lengths, [1; 72]); // every other value: runs of one
    let empty = Array::<f64, _>::zeros(IxDyn(&[3, 0]));
    let mut empty = empty;
    let mut calls = 0;
    for_each_run(empty.view_mut(), &mut |_| calls += 1);
    assert_eq!(calls, 0);
}

// Overlapping views: the predicate, and squaring each location once (the map of locations
// has its own tests in src/overlap.rs).

#[test]
fn may_overlap_is_never_wrong_when_it_says_no() {
    let mut cases = [0usize; 2];
    for itemsize in [1usize, 2, 8] {
        small_views(|shape, strides| {
            let strides: Vec<isize> = strides.iter().map(|s| s * itemsize as isize).collect();
            // The bytes each value covers: two values overlap when any byte is covered twice.
            let mut bytes = BTreeSet::new();
            let mut overlap = false;
            for at in offsets(shape, &strides) {
                for byte in at..at + itemsize as isize {
                    overlap |= !bytes.insert(byte);
                }
            }
            let said = may_overlap(shape, &strides, itemsize);
            assert!(said || !overlap, "{shape:?} {strides:?} x{itemsize}");
            cases[usize::from(said)] += 1;
        });
    }
    assert!(cases[0] > 1000 && cases[1] > 1000, "{cases:?}");
    // Byte strides of a whole number of values that are not multiples of the value size
    // overlap partly: a float64 view stepping 4 bytes.
    assert!(may_overlap(&[3], &[4], 8));
}

#[test]
fn may_overlap_says_no_for_every_slice_of_an_array() {
    // C and Fortran 3-D arrays, sliced with steps of either sign and transposed.
    let steps = [1isize, 2, 3, -1, -2];
    for fortran in [false, true] {
        let (shape, mut strides) = ([6usize, 7, 5], [35isize * 8, 5 * 8, 8]);
        if fortran {
            strides = [8, 6 * 8, 42 * 8];
        }
        for &a in &steps {
            for &b in &steps {
                for &c in &steps {
                    let step = [a, b, c];
                    let sliced: Vec<usize> = (0..3)
                        .map(|k| shape[k].div_ceil(step[k].unsigned_abs()))
                        .collect();
                    let stepped: Vec<isize> = (0..3).map(|k| strides[k] * step[k]).collect();
                    assert!(!may_overlap(&sliced, &stepped, 8), "{sliced:?} {stepped:?}");
                    let (t_shape, t_strides) = (
                        [sliced[2], sliced[0], sliced[1]],
                        [stepped[2], stepped[0], stepped[1]],
                    );
                    assert!(!may_overlap(&t_shape, &t_strides, 8));
                }
            }
        }
    }
    // Axes of one value and empty views reach nothing twice, whatever their strides.
    assert!(!may_overlap(&[1, 4], &[0, 8], 8));
    assert!(!may_overlap(&[0, 4], &[0, 8], 8));
    assert!(!may_overlap(&[0, 2], &[0, 0], 8));
    assert!(!may_overlap(&[], &[], 8));
    assert!(!may_overlap(&[1; 40], &[-3; 40], 8));
}

#[test]
fn may_overlap_says_yes_for_windows_and_broadcasts() {
    assert!(may_overlap(&[3, 4], &[0, 8], 8)); // broadcast rows
    assert!(may_overlap(&[3], &[0], 8));
    assert!(may_overlap(&[3, 3], &[8, 8], 8)); // sliding_window_view(x, 3) of 5 values
    assert!(may_overlap(&[4, 4, 2, 2], &[80, 8, 80, 8], 8)); // 2-D windows of 2 x 2
    // Strides too large to add up: treated as overlapping, the safe answer.
    assert!(may_overlap(&[3, 3], &[isize::MAX, isize::MAX], 8));
}

type SquareRun = fn(&mut [f64]);
const RUN_SQUARES: [(&str, SquareRun); 2] = [("C", square_array_c), ("Rust", square_slice)];

/// Squares the view `(shape, strides)` of a buffer with each run square, each location once,
/// and checks every value of the buffer: squared once where the view reaches, else untouched.
fn check_each_location_once(shape: &[usize], strides: &[isize]) {
    let all = offsets(shape, strides);
    let low = all.iter().copied().min().unwrap_or(0);
    let high = all.iter().copied().max().unwrap_or(0);
    // Two guard values either side of what the view reaches.
    let first = 2 - low;
    let len = (high - low + 5) as usize;
    let reached: BTreeSet<isize> = all.iter().map(|at| at + first).collect();
    for (name, square) in RUN_SQUARES {
        let before = values(len, len as u64 + 1);
        let mut data = before.clone();
        // SAFETY: `first` and every offset of the view lie inside `data`, which nothing else
        // uses during the call.
        let done = unsafe {
            square_each_location_once(data.as_mut_ptr().offset(first), shape, strides, square)
        };
        assert!(done);
        for (i, (got, was)) in data.iter().zip(&before).enumerate() {
            let expected = if reached.contains(&(i as isize)) {
                was * was
            } else {
                *was
            };
            assert_eq!(
                got.to_bits(),
                expected.to_bits(),
                "{name}, {shape:?} {strides:?}, at {i}"
            );
        }
    }
}

#[test]
fn each_location_is_squared_once_in_every_small_view() {
    small_views(check_each_location_once);
}

#[test]
fn each_location_is_squared_once_in_large_views() {
    // Sliding windows of 3 over 100 000 values: one run, squared on all threads.
    check_each_location_once(&[99_998, 3], &[1, 1]);
    // Windows of 2 x 2 over a 300 x 300 grid, and a broadcast of 50 000 rows of 3 values.
    check_each_location_once(&[299, 299, 2, 2], &[300, 1, 300, 1]);
    check_each_location_once(&[50_000, 3], &[0, -2]);
    // 40 axes, most of one value.
    let mut shape = vec![1usize; 40];
    let mut strides = vec![5isize; 40];
    (shape[3], strides[3], shape[33], strides[33]) = (40_000, 1, 2, 1);
    check_each_location_once(&shape, &strides);
}
