//! The sums against plain references, bit for bit: every kernel (SIMD paths against the
//! scalar reference), every size from 0 to 1100 and random large ones, every stride from -3
//! to 3, N-D layouts, the other dtypes.

use fast_operations::pairwise::{
    Kernel, PREFETCH_FROM, Value, pairwise_sum, pairwise_sum_of, split, sum_reference,
};
use fast_operations::{sum_array, sum_array_naive, sum_unordered};
use ndarray::{Array, Array2, Array3, ArrayView1, ArrayViewD, IxDyn, ShapeBuilder, s};
use test_values::values;

fn supported_kernels() -> Vec<Kernel> {
    Kernel::ALL
        .into_iter()
        .filter(|k| k.is_supported())
        .collect()
}

fn assert_bits(got: f64, expected: f64, what: &str) {
    assert_eq!(
        got.to_bits(),
        expected.to_bits(),
        "{what}: got {got:e}, expected {expected:e}"
    );
}

#[test]
fn baseline_kernel_is_always_supported_and_best_is_supported() {
    assert!(Kernel::Baseline.is_supported());
    assert!(Kernel::best().is_supported());
}

/// The vendor as Linux reports it (the test's own source, not the crate's CPUID read).
fn cpu_vendor() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let line = info.lines().find(|l| l.starts_with("vendor_id"));
    line.and_then(|l| l.split(':').nth(1))
        .unwrap_or("")
        .trim()
        .to_string()
}

#[test]
fn the_preferred_kernel_is_the_best_but_avx2_on_amd() {
    let expected = match Kernel::best() {
        Kernel::Avx512 if cpu_vendor() == "AuthenticAMD" => Kernel::Avx2,
        best => best,
    };
    assert_eq!(Kernel::preferred(), expected);
    assert_eq!(f64::preferred_kernel(), expected);
    assert!(Kernel::preferred().is_supported());
    let for_f32 = if Kernel::Avx2.is_supported() {
        Kernel::Avx2
    } else {
        Kernel::best()
    };
    assert_eq!(f32::preferred_kernel(), for_f32);
}

/// Every kernel this CPU runs, and the gathering path, against the plain reference.
fn assert_every_kernel_matches_the_reference(a: &[f64]) {
    let n = a.len();
    let expected = sum_reference(a);
    for kernel in supported_kernels() {
        assert_bits(
            kernel.pairwise_sum(a),
            expected,
            &format!("{kernel:?}, n = {n}"),
        );
    }
    assert_bits(
        pairwise_sum_of(n, a.iter().copied()),
        expected,
        &format!("gathered, n = {n}"),
    );
}

#[test]
fn every_kernel_matches_the_reference_for_every_n_up_to_1100() {
    for n in 0..=1100 {
        assert_every_kernel_matches_the_reference(&values(n, n as u64));
    }
}

#[test]
fn every_kernel_widens_float32_as_it_reads_with_the_bits_of_the_widened_values() {
    let buffer: Vec<f32> = values(300_000, 5).into_iter().map(|x| x as f32).collect();
    let sizes = (0..=1100).chain([4096, 4097, 65_537, 262_151]);
    for (i, n) in sizes.enumerate() {
        let offset = i % 8; // every start within 32 bytes: an AVX-512 load of 8 f32
        let a = &buffer[offset..offset + n];
        let widened: Vec<f64> = a.iter().map(|&x| f64::from(x)).collect();
        let expected = sum_reference(&widened);
        assert_bits(sum_reference(a), expected, &format!("reference, n = {n}"));
        for kernel in supported_kernels() {
            assert_bits(
                kernel.pairwise_sum(a),
                expected,
                &format!("{kernel:?}, float32, n = {n}"),
            );
        }
    }
}

#[test]
fn every_kernel_matches_the_reference_for_large_n() {
    let sizes = [
        4096, 4097, 8191, 65_536, 65_537, 100_003, 262_144, 1_000_000, 1_234_567,
    ];
    for (seed, n) in sizes.into_iter().enumerate() {
        assert_every_kernel_matches_the_reference(&values(n, seed as u64 + 7));
    }
}

#[test]
fn every_kernel_matches_the_reference_at_every_offset_into_a_cache_line() {
    // Vector loads see different line splits at each start within a 64-byte line: every
    // start, with sizes around the leaf and line boundaries, and on both sides of where the
    // AVX-512 sums start prefetching.
    let buffer = values(PREFETCH_FROM + 100, 99);
    let line_start = (64 - buffer.as_ptr() as usize % 64) % 64 / size_of::<f64>();
    for offset in 0..8 {
        let start = line_start + offset;
        let large = [PREFETCH_FROM - 1, PREFETCH_FROM, PREFETCH_FROM + 77];
        for n in (0..=300)
            .chain([1000, 1023, 1029, 4096, 10_007])
            .chain(large)
        {
            let a = &buffer[start..start + n];
            assert_eq!(a.as_ptr() as usize % 64, offset * size_of::<f64>());
            assert_every_kernel_matches_the_reference(a);
        }
    }
    // Signed zeros: each lane's first value starts its accumulator, as in NumPy, and is not
    // added to a zero (0.0 + -0.0 would be +0.0), wherever the lane falls in a line.
    let zeros = vec![-0.0; 300];
    for offset in 0..8 {
        let a = &zeros[offset..];
        for kernel in supported_kernels() {
            assert_bits(kernel.pairwise_sum(&a[..8]), -0.0, "eight -0.0");
            assert_bits(
                kernel.pairwise_sum(a),
                -0.0,
                &format!("{kernel:?}: -0.0 * {}", a.len()),
            );
        }
    }
}

#[test]
fn the_tree_is_numpys() {
    // Hand-checked structure: n < 8 in order from -0.0, 8..=128 in eight lanes, then splits.
    assert_eq!(split(129), 64);
    assert_eq!(split(1000), 496);
    assert_eq!(split(1006), 496);
    assert_bits(sum_reference::<f64>(&[]), -0.0, "empty");
    assert_bits(sum_reference(&[-0.0]), -0.0, "one -0.0");
    // Eight lanes: a[0] + a[8] first, so 1e16 + 1 + -1e16 ... lane by lane.
    let mut a = [0.0; 16];
    a[0] = 1e16;
    a[8] = 1.0;
    a[1] = -1e16;
    assert_bits(sum_reference(&a), (1e16 + 1.0) + -1e16, "lanes");
}

#[test]
fn float64_sum_adds_positive_zero_as_numpy_does() {
    let empty: [f64; 0] = [];
    assert_bits(sum_array(ArrayView1::from(&empty).into_dyn()), 0.0, "empty");
    assert_bits(
        sum_array(ArrayView1::from(&[-0.0, -0.0]).into_dyn()),
        0.0,
        "negative zeros",
    );
    assert!(sum_array(ArrayView1::from(&[1.0, f64::NAN]).into_dyn()).is_nan());
    assert_eq!(
        sum_array(ArrayView1::from(&[1.0, f64::INFINITY]).into_dyn()),
        f64::INFINITY
    );
    assert!(sum_array(ArrayView1::from(&[f64::NEG_INFINITY, f64::INFINITY]).into_dyn()).is_nan());
}

#[test]
fn strided_1d_views_sum_in_index_order() {
    for n in [0, 1, 7, 8, 9, 100, 129, 1000, 5000, 20_000] {
        let base = values(3 * n + 3, n as u64);
        let array = Array::from(base);
        for step in [-3isize, -2, -1, 1, 2, 3] {
            let view = array.slice(s![..;step]);
            let in_order: Vec<f64> = view.iter().copied().collect();
            let expected = 0.0 + sum_reference(&in_order);
            assert_bits(
                sum_array(view.into_dyn()),
                expected,
                &format!("n = {n}, step = {step}"),
            );
        }
    }
}

/// Every kernel's in-place sum of a strided line against the reference over a copy of its
/// values: strides 2 and -1 (the AVX-512 kernel reads those by masked loads and by reversed
/// loads) and others (gathers), float64 and float32.
#[test]
fn every_kernel_reads_strided_lines_in_place_with_the_bits_of_a_copy() {
    // 300_001: lines of stride 2 and -1 that span 2 MiB, which the AVX-512 kernel prefetches.
    let sizes = (0..=600).chain([1100, 4097, 65_537, 300_001]);
    for (i, n) in sizes.enumerate() {
        let base = Array::from(values(5 * n + 9, i as u64));
        let base32 = base.mapv(|x| x as f32);
        for step in [-5isize, -3, -2, -1, 2, 3] {
            // Starting a few values in: every start within a cache line over the loop.
            let view = base.slice(s![i % 8..;step]).slice_move(s![..n]);
            let copy: Vec<f64> = view.iter().copied().collect();
            let view32 = base32.slice(s![i % 8..;step]).slice_move(s![..n]);
            let copy32: Vec<f64> = view32.iter().map(|&x| f64::from(x)).collect();
            for kernel in supported_kernels() {
                let what = format!("{kernel:?}, n = {n}, step = {step}");
                assert_bits(kernel.pairwise_sum_line(view), sum_reference(&copy), &what);
                let sum32 = kernel.pairwise_sum_line(view32);
                assert_bits(sum32, sum_reference(&copy32), &format!("float32, {what}"));
            }
        }
        // Stride 0: one value n times (NumPy's broadcast_to).
        let one = &base.as_slice().unwrap()[..1];
        let broadcast = ArrayView1::from_shape((n,).strides((0,)), one).unwrap();
        for kernel in supported_kernels() {
            let expected = sum_reference(&vec![one[0]; n]);
            let what = format!("{kernel:?}, n = {n}, stride 0");
            assert_bits(kernel.pairwise_sum_line(broadcast), expected, &what);
        }
    }
}

/// A page of memory between two that cannot be read (any read there kills the process):
/// strided lines that end at either edge of the page are summed by every kernel, so a load
/// that read past a view's first or last value would crash this test.
#[cfg(unix)]
#[test]
fn strided_lines_read_nothing_outside_their_view() {
    // SAFETY: a fresh private anonymous mapping of three pages; the outer two made
    // unreadable, the middle one readable and written only through the slice below, which
    // lives no longer than the mapping (unmapped at the end).
    unsafe {
        let page = libc::sysconf(libc::_SC_PAGESIZE) as usize;
        let protection = libc::PROT_READ | libc::PROT_WRITE;
        let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
        let map = libc::mmap(std::ptr::null_mut(), 3 * page, protection, flags, -1, 0);
        assert_ne!(map, libc::MAP_FAILED);
        let middle = map.cast::<u8>().add(page);
        assert_eq!(libc::mprotect(map, page, libc::PROT_NONE), 0);
        assert_eq!(
            libc::mprotect(middle.add(page).cast(), page, libc::PROT_NONE),
            0
        );
        let len = page / 8;
        let values = std::slice::from_raw_parts_mut(middle.cast::<f64>(), len);
        values.copy_from_slice(&test_values::values(len, 3));
        let all = ArrayView1::from(&*values);
        for n in 0..=200 {
            for step in [-3isize, -2, -1, 2, 3] {
                let span = (n.max(1) - 1) * step.unsigned_abs() + 1;
                if span > len {
                    continue;
                }
                // The view's values at the page's last value, then at its first.
                let at_end = all.slice(s![len - span..;step]);
                let at_start = all.slice(s![..span;step]);
                for view in [at_end, at_start] {
                    let view = view.slice_move(s![..n]);
                    let copy: Vec<f64> = view.iter().copied().collect();
                    for kernel in supported_kernels() {
                        let what = format!("{kernel:?}, n = {n}, step = {step}");
                        assert_bits(kernel.pairwise_sum_line(view), sum_reference(&copy), &what);
                    }
                }
            }
        }
        assert_eq!(libc::munmap(map, 3 * page), 0);
    }
}

#[test]
fn nd_layouts_sum_in_the_documented_order() {
    let data = values(6 * 70 * 11, 3);
    let c = Array::from_shape_vec((6, 70, 11), data.clone()).unwrap();
    let f = Array::from_shape_vec((6, 70, 11).f(), data.clone()).unwrap();
    let memory_order = 0.0 + sum_reference(&data);
    // Contiguous in any axis order: memory order.
    assert_bits(sum_array(c.view().into_dyn()), memory_order, "C order");
    assert_bits(
        sum_array(f.view().into_dyn()),
        memory_order,
        "Fortran order",
    );
    assert_bits(
        sum_array(c.view().reversed_axes().into_dyn()),
        memory_order,
        "transposed",
    );
    let mut permuted = c.view();
    permuted.swap_axes(0, 1);
    assert_bits(sum_array(permuted.into_dyn()), memory_order, "axes swapped");
    // Not contiguous, or contiguous with a negative stride: C index order.
    for view in [
        c.slice(s![.., ..;2, ..]),
        c.slice(s![..;-1, 3..60, ..;-3]),
        f.slice(s![1.., .., ..5]),
        c.slice(s![..;-1, .., ..]),
    ] {
        let in_order: Vec<f64> = view.iter().copied().collect();
        assert_bits(
            sum_array(view.into_dyn()),
            0.0 + sum_reference(&in_order),
            &format!("{:?}", view.strides()),
        );
    }
    // 0-d.
    let scalar = Array::from_elem(IxDyn(&[]), -2.5);
    assert_bits(sum_array(scalar.view()), -2.5, "0-d");
}

/// Views that are not one slice: more values than one gathered node (GATHER = 1024), in rows
/// that end inside nodes and rows longer than a node; contiguous, reversed and strided rows;
/// 2-D, 3-D and 4-D (the first two step through their rows as views of a fixed dimension);
/// views whose axes merge into one row (reversed in every axis, or one stride throughout).
fn row_views<'a, T>(short: &'a Array3<T>, long: &'a Array2<T>) -> Vec<ArrayViewD<'a, T>> {
    let four_d = short.view().into_shape_with_order((40, 7, 43, 3)).unwrap();
    let flat_rows = short.view().into_shape_with_order((40, 301 * 3)).unwrap();
    vec![
        four_d.slice_move(s![.., ..;-1, ..;2, 1..]).into_dyn(),
        short.slice(s![..;-1, ..;-1, ..;-1]).into_dyn(),
        long.slice(s![..;-1, ..;-1]).into_dyn(),
        flat_rows.slice_move(s![.., ..;3]).into_dyn(),
        // The outer axis steps as if it continued the inner one, the middle one does not:
        // they must not merge across it.
        short
            .view()
            .permuted_axes([1, 0, 2])
            .slice_move(s![.., ..;2, ..])
            .into_dyn(),
        short.slice(s![.., ..;2, ..]).into_dyn(),
        short.slice(s![..;-1, .., ..;-1]).into_dyn(),
        short.slice(s![.., 1.., ..;2]).into_dyn(),
        long.slice(s![.., ..;-1]).into_dyn(),
        long.slice(s![1.., ..;3]).into_dyn(),
        long.slice(s![..;2, ..]).reversed_axes().into_dyn(),
    ]
}

#[test]
fn views_read_a_row_at_a_time_keep_the_index_order() {
    let short = Array::from_shape_vec((40, 301, 3), values(40 * 301 * 3, 11)).unwrap();
    let long = Array::from_shape_vec((7, 5001), values(7 * 5001, 12)).unwrap();
    for view in row_views(&short, &long) {
        let in_order: Vec<f64> = view.iter().copied().collect();
        let what = format!("float64 {:?} {:?}", view.shape(), view.strides());
        assert_bits(sum_array(view), 0.0 + sum_reference(&in_order), &what);
    }
    let (short, long) = (short.mapv(|x| x as f32), long.mapv(|x| x as f32));
    for view in row_views(&short, &long) {
        let in_order: Vec<f64> = view.iter().map(|&x| f64::from(x)).collect();
        let what = format!("float32 {:?} {:?}", view.shape(), view.strides());
        assert_bits(sum_array(view), 0.0 + sum_reference(&in_order), &what);
    }
    let (short, long) = (
        short.mapv(|x| (x * 1e6) as i64),
        long.mapv(|x| (x * 1e6) as i64),
    );
    for view in row_views(&short, &long) {
        let expected: i128 = view.iter().map(|&x| i128::from(x)).sum();
        assert_eq!(
            sum_array(view.view()),
            expected,
            "int64 {:?}",
            view.strides()
        );
    }
}

#[test]
fn float32_is_summed_as_float64_in_the_same_order() {
    for n in [0, 5, 128, 1000, 10_001] {
        let wide = values(n, 11);
        let narrow: Vec<f32> = wide.iter().map(|&x| x as f32).collect();
        let as_f64: Vec<f64> = narrow.iter().map(|&x| f64::from(x)).collect();
        let array = Array::from(narrow);
        assert_bits(
            sum_array(array.view().into_dyn()),
            0.0 + sum_reference(&as_f64),
            &format!("n = {n}"),
        );
        let reversed: Vec<f64> = as_f64.iter().rev().copied().collect();
        assert_bits(
            sum_array(array.slice(s![..;-1]).into_dyn()),
            0.0 + sum_reference(&reversed),
            "reversed",
        );
    }
}

#[test]
fn integer_sums_are_exact_and_never_wrap() {
    let big = Array::from(vec![i64::MAX; 1000]);
    assert_eq!(
        sum_array(big.view().into_dyn()),
        1000 * i128::from(i64::MAX)
    );
    let small = Array::from(vec![i64::MIN; 1001]);
    assert_eq!(
        sum_array(small.slice(s![..;-2]).into_dyn()),
        501 * i128::from(i64::MIN)
    );
    let mixed: Vec<i64> = values(10_000, 5)
        .iter()
        .map(|&x| (x * 1e13) as i64)
        .collect();
    let exact: i128 = mixed.iter().map(|&x| i128::from(x)).sum();
    let mixed = Array::from_shape_vec((100, 100), mixed).unwrap();
    assert_eq!(sum_array(mixed.view().into_dyn()), exact);
    assert_eq!(sum_array(mixed.t().into_dyn()), exact);
    assert_eq!(
        sum_array(mixed.slice(s![.., ..;3]).into_dyn()),
        mixed
            .slice(s![.., ..;3])
            .iter()
            .map(|&x| i128::from(x))
            .sum::<i128>()
    );
    // Short rows, copied into the buffer many rows at a time, at the extremes.
    let table = Array::from_iter((0..33_011).map(|i: i64| match i % 3 {
        0 => i64::MIN + i,
        _ => i64::MAX - i,
    }));
    let table = table.into_shape_with_order((3001, 11)).unwrap();
    for view in [table.slice(s![.., 1..]), table.slice(s![..;-1, ..;2])] {
        let exact: i128 = view.iter().map(|&x| i128::from(x)).sum();
        assert_eq!(sum_array(view.into_dyn()), exact, "{:?}", view.strides());
    }
    // Strided lines longer than the copy buffer (several chunks), at the extremes.
    let extremes = Array::from_iter((0..10_007).map(|i| match i % 3 {
        0 => i64::MIN,
        _ => i64::MAX - i,
    }));
    let narrow = extremes.mapv(|x| (x >> 32) as i32);
    for step in [2, 3, -2] {
        let view = extremes.slice(s![..;step]);
        let exact: i128 = view.iter().map(|&x| i128::from(x)).sum();
        assert_eq!(sum_array(view.into_dyn()), exact, "int64, step {step}");
        let view = narrow.slice(s![..;step]);
        let exact: i128 = view.iter().map(|&x| i128::from(x)).sum();
        assert_eq!(sum_array(view.into_dyn()), exact, "int32, step {step}");
    }
    let ints = Array::from(vec![i32::MAX; 3000]);
    assert_eq!(
        sum_array(ints.view().into_dyn()),
        3000 * i128::from(i32::MAX)
    );
    let empty = Array::<i32, _>::zeros(0);
    assert_eq!(sum_array(empty.view().into_dyn()), 0);
}

#[test]
fn naive_sum_adds_in_order_from_zero() {
    let a = values(10_000, 9);
    let expected = a.iter().fold(0.0, |total, &x| total + x);
    assert_bits(sum_array_naive(ArrayView1::from(&a)), expected, "naive");
    let array = Array::from(a);
    let reversed = array.slice(s![..;-1]);
    let expected = reversed.iter().fold(0.0, |total, &x| total + x);
    assert_bits(sum_array_naive(reversed), expected, "naive, reversed");
    // 1e7 times 0.1: the loop's error is visible, the tree's is not.
    let tenths = vec![0.1; 10_000_000];
    assert!((sum_array_naive(ArrayView1::from(&tenths)) - 1e6).abs() > 1e-5);
    assert_eq!(pairwise_sum(&tenths), 1e6);
}

#[test]
fn unordered_sum_is_a_sum() {
    // Integer-valued doubles add exactly in any order.
    // Every start within a cache line (the values before the first line are added apart),
    // and lengths that end before the first line.
    // Lengths on both sides of where the AVX-512 sum starts prefetching too.
    let buffer: Vec<f64> = (0..PREFETCH_FROM + 11)
        .map(|i| (i % 1000) as f64 - 500.0)
        .collect();
    for start in 0..8 {
        for n in [
            0,
            1,
            3,
            7,
            8,
            33,
            100_003,
            PREFETCH_FROM - 1,
            PREFETCH_FROM + 3,
        ] {
            let a = &buffer[start..start + n];
            let exact: f64 = a.iter().sum();
            assert_eq!(sum_unordered(a), exact, "start {start}, n {n}");
            for kernel in supported_kernels() {
                assert_eq!(
                    kernel.unordered_sum(a),
                    exact,
                    "{kernel:?}, start {start}, n {n}"
                );
            }
        }
    }
}
