//! Every kernel against the plain reference, bit for bit: every size from 0 to 1100 and large
//! ones, every offset into a cache line, strided views read in place (and nothing outside
//! them), the unordered yardstick, and NaN payloads against the reference (and on x86-64
//! NumPy's compiled order).

use super::gather::pairwise_sum_of_at;
use super::hints::PREFETCH_FROM;
use super::{Depth, InstructionSet, Kernel, Value, preferred, split, sum_reference};
use crate::{sum_array, sum_unordered};
use ndarray::{Array, ArrayView1, ShapeBuilder, s};
#[cfg(unix)]
use test_values::GuardedPage;
use test_values::{assert_same_bits, numpy_pairwise_sum, values};

/// [`pairwise_sum_of_at`] of the whole tree: the gathering path, fed by an iterator.
fn pairwise_sum_of(n: usize, values: impl Iterator<Item = f64>) -> f64 {
    pairwise_sum_of_at(n, values, Depth::ROOT)
}

fn supported_kernels() -> Vec<InstructionSet> {
    InstructionSet::supported()
}

#[test]
fn baseline_kernel_is_always_supported_and_best_is_supported() {
    assert!(InstructionSet::Baseline.is_supported());
    assert!(InstructionSet::chosen().is_supported());
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

#[cfg(target_arch = "aarch64")]
#[test]
fn neon_is_supported_on_aarch64_and_chosen_unless_forced() {
    assert!(InstructionSet::Neon.is_supported());
    if matches!(InstructionSet::forced(), Ok(None)) {
        assert_eq!(InstructionSet::chosen(), InstructionSet::Neon);
        assert_eq!(preferred::<f64>(), InstructionSet::Neon);
        assert_eq!(preferred::<f32>(), InstructionSet::Neon);
    }
}

#[test]
fn the_preferred_kernel_is_the_chosen_one_but_avx2_on_amd_unless_forced() {
    let chosen = InstructionSet::chosen();
    let forced = InstructionSet::is_forced();
    let expected = match chosen {
        InstructionSet::Avx512 if cpu_vendor() == "AuthenticAMD" && !forced => InstructionSet::Avx2,
        chosen => chosen,
    };
    assert_eq!(preferred::<f64>(), expected);
    assert_eq!(preferred::<f64>(), expected);
    assert!(preferred::<f64>().is_supported());
    let for_f32 = match chosen {
        InstructionSet::Avx512 if !forced => InstructionSet::Avx2,
        chosen => chosen,
    };
    assert_eq!(preferred::<f32>(), for_f32);
}

/// Every kernel this CPU runs, and the gathering path, against the plain reference.
fn assert_every_kernel_matches_the_reference(a: &[f64]) {
    let n = a.len();
    let expected = sum_reference(a);
    for kernel in supported_kernels() {
        assert_same_bits(
            kernel.pairwise_sum(a),
            expected,
            &format!("{kernel:?}, n = {n}"),
        );
    }
    assert_same_bits(
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
        assert_same_bits(sum_reference(a), expected, &format!("reference, n = {n}"));
        for kernel in supported_kernels() {
            assert_same_bits(
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
            assert_same_bits(kernel.pairwise_sum(&a[..8]), -0.0, "eight -0.0");
            assert_same_bits(
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
    assert_same_bits(sum_reference::<f64>(&[]), -0.0, "empty");
    assert_same_bits(sum_reference(&[-0.0]), -0.0, "one -0.0");
    // Eight lanes: a[0] + a[8] first, so 1e16 + 1 + -1e16 ... lane by lane.
    let mut a = [0.0; 16];
    a[0] = 1e16;
    a[8] = 1.0;
    a[1] = -1e16;
    assert_same_bits(sum_reference(&a), (1e16 + 1.0) + -1e16, "lanes");
}

/// Every kernel's in-place sum of a strided view against the reference over a copy of its
/// values: strides 2 and -1 (the AVX-512 and AVX2 kernels read those by masked loads and by
/// reversed loads) and others (gathers), float64 and float32.
#[test]
fn every_kernel_reads_strided_views_in_place_with_the_bits_of_a_copy() {
    // 300_001: views of stride 2 and -1 that span 2 MiB, which the AVX-512 kernel prefetches.
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
                assert_same_bits(
                    kernel.pairwise_sum_strided(view),
                    sum_reference(&copy),
                    &what,
                );
                let sum32 = kernel.pairwise_sum_strided(view32);
                assert_same_bits(sum32, sum_reference(&copy32), &format!("float32, {what}"));
            }
        }
        // Stride 0: one value n times (NumPy's broadcast_to).
        let one = &base.as_slice().unwrap()[..1];
        let broadcast = ArrayView1::from_shape((n,).strides((0,)), one).unwrap();
        for kernel in supported_kernels() {
            let expected = sum_reference(&vec![one[0]; n]);
            let what = format!("{kernel:?}, n = {n}, stride 0");
            assert_same_bits(kernel.pairwise_sum_strided(broadcast), expected, &what);
        }
    }
}

/// Strided views that end at either edge of a page between two unreadable ones
/// ([`GuardedPage`]) are summed by every kernel, float64 and float32 (the AVX2 kernel's masked
/// loads differ per type), so a load that read past a view's first or last value would crash
/// this test.
#[cfg(unix)]
#[test]
fn strided_views_read_nothing_outside_their_view() {
    let mut page = GuardedPage::new();
    let wide = values(page.capacity::<f64>(), 3);
    assert_strided_views_read_inside(page.fill(wide));
    let narrow = values(page.capacity::<f32>(), 4)
        .into_iter()
        .map(|x| x as f32);
    assert_strided_views_read_inside(page.fill(narrow));
}

/// Every kernel's in-place sum of views of `all` of 0 to 200 values, steps -3 to 3, that
/// end at its last value and start at its first, against the reference over a copy.
#[cfg(unix)]
fn assert_strided_views_read_inside<T: Value>(all: &[T]) {
    let all = ArrayView1::from(all);
    let len = all.len();
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
                let copy: Vec<f64> = view.iter().map(|&x| x.to_f64()).collect();
                for kernel in supported_kernels() {
                    let what = format!(
                        "{}, {kernel:?}, n = {n}, step = {step}",
                        std::any::type_name::<T>()
                    );
                    assert_same_bits(
                        kernel.pairwise_sum_strided(view),
                        sum_reference(&copy),
                        &what,
                    );
                }
            }
        }
    }
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

// NaN payloads and signs: on x86 an addition of two NaNs returns its first operand's NaN,
// so where two NaNs meet, the operand order of that addition decides the bits (on ARM too,
// for two quiet NaNs). Against the reference, and on x86-64 `numpy_pairwise_sum`, NumPy's
// order (test_values), for two NaNs at every pair of positions.

/// The bits every path must give for `a`, which holds NaNs: the reference's, and on x86-64
/// also NumPy's (checked). x86-64 only: `numpy_pairwise_sum` is NumPy's x86-64 build, whose
/// NaN bits follow x86's rules (the order of NumPy's aarch64 build has not been read).
#[track_caller]
fn nan_sum(a: &[f64], what: &str) -> f64 {
    let expected = sum_reference(a);
    #[cfg(target_arch = "x86_64")]
    assert_same_bits(expected, numpy_pairwise_sum(a), what);
    #[cfg(not(target_arch = "x86_64"))]
    let _ = what;
    expected
}

/// The sizes whose every pair of positions is tried: small sums, one and two leaves, nodes
/// of two to four leaves, and a tree three levels deep.
fn nan_pair_sizes() -> impl Iterator<Item = usize> {
    (1..=20).chain(127..=130).chain(255..=260).chain([1000])
}

/// The NaNs placed, first at `i` and second at `j`: a negative and a positive quiet NaN of
/// distinct payloads, then a signalling NaN (which additions quiet; on ARM it wins over the
/// quiet one whichever operand it is) against a quiet one.
const NAN_PAIRS: [(u64, u64); 2] = [
    (0xfff8_0000_0000_0001, 0x7ff8_0000_0000_0002),
    (0x7ff0_0000_0000_0003, 0xfff8_0000_0000_0004),
];

/// Calls `check(a, i, j)` with `a` = `values` but NaNs at `i != j`, for every such pair (and
/// every pair of [`NAN_PAIRS`], the second only for up to 260 values), restoring `a` after;
/// `i` in steps of `step`, larger in debug builds (see [`debug_step`]).
fn for_every_nan_pair(values: &[f64], step: usize, mut check: impl FnMut(&[f64], usize, usize)) {
    let n = values.len();
    let step = step * debug_step(n);
    let mut a = values.to_vec();
    for (k, &(x, y)) in NAN_PAIRS.iter().enumerate() {
        if k > 0 && n > 260 {
            continue;
        }
        for i in (0..n).step_by(step) {
            for j in (0..n).filter(|&j| j != i) {
                a[i] = f64::from_bits(x);
                a[j] = f64::from_bits(y);
                check(&a, i, j);
                a[i] = values[i];
                a[j] = values[j];
            }
        }
    }
}

/// How many times fewer first positions the NaN tests try in a debug build, where each sum is
/// tens of times slower: every one up to 20 values, then a few (the release build tries all).
fn debug_step(n: usize) -> usize {
    match n {
        _ if !cfg!(debug_assertions) => 1,
        0..=20 => 1,
        21..=300 => 7,
        _ => 41,
    }
}

#[test]
fn the_numpy_order_reference_is_the_tree_on_finite_values() {
    for n in (0..=1100).chain([5000, 70_001]) {
        let a = values(n, n as u64 + 3);
        assert_same_bits(
            numpy_pairwise_sum(&a),
            sum_reference(&a),
            &format!("n = {n}"),
        );
    }
}

#[test]
fn nan_pairs_give_numpys_bits_on_every_kernel() {
    for n in nan_pair_sizes() {
        for_every_nan_pair(&values(n, 1), 1, |a, i, j| {
            let what = |path: &str| format!("{path}, n = {n}, NaNs at {i} and {j}");
            let expected = nan_sum(a, &what("reference"));
            for kernel in supported_kernels() {
                assert_same_bits(
                    kernel.pairwise_sum(a),
                    expected,
                    &what(&format!("{kernel:?}")),
                );
            }
            assert_same_bits(
                pairwise_sum_of(n, a.iter().copied()),
                expected,
                &what("gathered"),
            );
            assert_same_bits(
                sum_array(ArrayView1::from(a).into_dyn()),
                0.0 + expected,
                &what("sum_array"),
            );
        });
    }
}

#[test]
fn nan_pairs_in_large_trees_give_numpys_bits_on_every_kernel() {
    // Deeper trees, through the walk's recursion and the gathering path's splits: NaNs in
    // every pair of a set of positions spread over the tree.
    for n in [2000, 5000, 70_001] {
        let clean = values(n, 2);
        let spread = if cfg!(debug_assertions) { 12 } else { 40 };
        let positions: Vec<usize> = (0..n).step_by(n / spread).chain([n - 1]).collect();
        let mut a = clean.clone();
        for &i in &positions {
            for &j in positions.iter().filter(|&&j| j != i) {
                a[i] = f64::from_bits(NAN_PAIRS[0].0);
                a[j] = f64::from_bits(NAN_PAIRS[0].1);
                let what = |path: &str| format!("{path}, n = {n}, NaNs at {i} and {j}");
                let expected = nan_sum(&a, &what("reference"));
                for kernel in supported_kernels() {
                    assert_same_bits(
                        kernel.pairwise_sum(&a),
                        expected,
                        &what(&format!("{kernel:?}")),
                    );
                }
                let gathered = pairwise_sum_of(n, a.iter().copied());
                assert_same_bits(gathered, expected, &what("gathered"));
                (a[i], a[j]) = (clean[i], clean[j]);
            }
        }
    }
}

#[test]
fn nan_pairs_give_numpys_bits_at_every_offset_into_a_cache_line() {
    // The AVX-512 leaves read whole lines from where the slice starts in its line, and the
    // AVX2 ones rotate their lanes at a 16-byte start: every start, on sizes of one to three
    // leaves.
    let buffer = values(400, 4);
    let line_start = (64 - buffer.as_ptr() as usize % 64) % 64 / size_of::<f64>();
    for offset in 0..8 {
        let start = line_start + offset;
        for n in [8, 15, 16, 17, 64, 127, 128, 129, 136, 200, 271, 272] {
            for_every_nan_pair(&buffer[start..start + n], 1, |a, i, j| {
                let expected = nan_sum(
                    a,
                    &format!("reference, offset {offset}, n = {n}, NaNs at {i}, {j}"),
                );
                let mut shifted = buffer.clone();
                shifted[start..start + n].copy_from_slice(a);
                let a = &shifted[start..start + n];
                for kernel in supported_kernels() {
                    let what = format!("{kernel:?}, offset {offset}, n = {n}, NaNs at {i}, {j}");
                    assert_same_bits(kernel.pairwise_sum(a), expected, &what);
                }
            });
        }
    }
}

#[test]
fn nan_pairs_in_strided_views_give_numpys_bits_on_every_kernel() {
    for n in nan_pair_sizes() {
        let base = Array::from(values(3 * n + 3, 5));
        // Every third position of the first NaN at 1000 values: the strided walk is the tree
        // of slices, which the test above covers at every pair.
        let step = if n > 300 { 3 } else { 1 };
        for stride in [-1isize, 2, 3] {
            let clean: Vec<f64> = base.slice(s![..;stride]).iter().take(n).copied().collect();
            for_every_nan_pair(&clean, step, |a, i, j| {
                let what = format!("reference, stride {stride}, n = {n}, NaNs at {i}, {j}");
                let expected = nan_sum(a, &what);
                let mut strided = base.clone();
                let mut view = strided.slice_mut(s![..;stride]);
                view.slice_mut(s![..n]).assign(&ArrayView1::from(a));
                let view = strided.slice(s![..;stride]).slice_move(s![..n]);
                for kernel in supported_kernels() {
                    let what = format!("{kernel:?}, stride {stride}, n = {n}, NaNs at {i}, {j}");
                    assert_same_bits(kernel.pairwise_sum_strided(view), expected, &what);
                }
                let what = format!("sum_array, stride {stride}, n = {n}, NaNs at {i}, {j}");
                assert_same_bits(sum_array(view.into_dyn()), 0.0 + expected, &what);
            });
        }
    }
}

#[test]
fn float32_nan_pairs_give_numpys_bits_of_the_widened_values() {
    let (x, y) = (f32::from_bits(0xffc0_0001), f32::from_bits(0x7fc0_0002));
    for n in nan_pair_sizes() {
        let clean: Vec<f32> = values(n, 6).into_iter().map(|v| v as f32).collect();
        let step = if n > 300 { 3 } else { 1 } * debug_step(n);
        let mut a = clean.clone();
        for i in (0..n).step_by(step) {
            for j in (0..n).filter(|&j| j != i) {
                (a[i], a[j]) = (x, y);
                let widened: Vec<f64> = a.iter().map(|&v| f64::from(v)).collect();
                let what = |path: &str| format!("{path}, float32, n = {n}, NaNs at {i}, {j}");
                let expected = nan_sum(&widened, &what("reference"));
                let widened_reversed: Vec<f64> = widened.iter().rev().copied().collect();
                let expected_reversed = nan_sum(&widened_reversed, &what("reference reversed"));
                for kernel in supported_kernels() {
                    assert_same_bits(
                        kernel.pairwise_sum(&a),
                        expected,
                        &what(&format!("{kernel:?}")),
                    );
                    let reversed = ArrayView1::from(&a[..]).slice_move(s![..;-1]);
                    assert_same_bits(
                        kernel.pairwise_sum_strided(reversed),
                        expected_reversed,
                        &what(&format!("{kernel:?} reversed")),
                    );
                }
                assert_same_bits(
                    sum_array(ArrayView1::from(&a[..]).into_dyn()),
                    0.0 + expected,
                    &what("sum_array"),
                );
                (a[i], a[j]) = (clean[i], clean[j]);
            }
        }
    }
}
