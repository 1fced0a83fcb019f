//! Every view squared in place, and nothing outside it touched; C and Rust give the same bits;
//! the C `int` size is never exceeded.

use array_ops::ffi::{MAX_RUN, in_pieces, square_array_c};
use array_ops::{
    MIN_PIECE, PARALLEL_FROM, for_each_run, has_repeated_values, piece_len, square_numpy_array,
    square_numpy_array_rust, square_slice,
};
use ndarray::{Array, ArrayViewMutD, IxDyn, ShapeBuilder, SliceInfoElem, s};

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
fn parallel_runs_are_cut_into_equal_pieces_of_whole_vectors() {
    for threads in [1, 2, 3, 8] {
        for len in [PARALLEL_FROM, 100_000, 1_000_003, 123_456_789] {
            let piece = piece_len(len, threads);
            assert_eq!(piece % 8, 0);
            assert!(piece >= MIN_PIECE);
            let pieces = len.div_ceil(piece);
            // Every thread gets some pieces, and no piece is more than a vector longer than
            // an even share (the last one may be shorter).
            assert!(
                pieces >= threads.min(len / MIN_PIECE),
                "{len} on {threads}: {pieces}"
            );
            assert!(piece * pieces - len < piece, "{len} on {threads}: {piece}");
            if piece > MIN_PIECE {
                assert!(
                    piece - len.div_ceil(pieces) < 8,
                    "{len} on {threads}: {piece}"
                );
            }
        }
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
fn runs_longer_than_a_c_int_are_cut_into_pieces() {
    assert_eq!(MAX_RUN, i32::MAX as usize);
    // The chunking that square_array_c uses, with a small maximum instead of 2^31 - 1.
    for (len, max) in [(0, 3), (1, 3), (3, 3), (7, 3), (9, 3), (10, 1), (5, 100)] {
        let mut data = values(len, len as u64);
        let expected: Vec<f64> = data.iter().map(|x| x * x).collect();
        let mut lengths = vec![];
        in_pieces(&mut data, max, |piece| {
            lengths.push(piece.len());
            square_array_c(piece);
        });
        assert!(lengths.iter().all(|&l| 1 <= l && l <= max), "{lengths:?}");
        assert_eq!(lengths.iter().sum::<usize>(), len);
        assert_eq!(data, expected);
    }
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

#[test]
fn zero_strides_are_detected() {
    assert!(!has_repeated_values(&[5, 4], &[32, 8]));
    assert!(!has_repeated_values(&[1, 4], &[0, 8])); // a zero stride on an axis of one value
    assert!(!has_repeated_values(&[0, 4], &[0, 8]));
    assert!(has_repeated_values(&[3, 4], &[0, 8])); // broadcast rows
    assert!(has_repeated_values(&[3], &[0]));
    assert!(!has_repeated_values(&[0, 2], &[0, 0])); // no values at all: none repeated
}
