//! The tutorial's C `square_array` (`c_src/array_ops.c`), declared once, with what it needs
//! stated and checked: a valid pointer to `size` contiguous doubles, and `size` within `int`.
//!
//! `build.rs` compiles the file for the baseline x86-64 CPU and, renamed, for AVX2 and
//! AVX-512; [`square_array_c`] calls the one for [`simd::InstructionSet::chosen`].

use simd::InstructionSet;
use std::ffi::c_int;

unsafe extern "C" {
    /// `void square_array(double *arr, int size)`: `arr[i] *= arr[i]` for `i < size`.
    fn square_array(arr: *mut f64, size: c_int);
    /// The same C code compiled with `-mavx2`.
    #[cfg(target_arch = "x86_64")]
    fn square_array_avx2(arr: *mut f64, size: c_int);
    /// The same C code compiled with `-mavx512f`.
    #[cfg(target_arch = "x86_64")]
    fn square_array_avx512(arr: *mut f64, size: c_int);
}

/// The largest run one call of `square_array` can take: its `size` is a C `int`.
const MAX_RUN: usize = c_int::MAX as usize;

/// Squares every value of `values` in place with the tutorial's C `square_array`: one call per
/// piece of at most `c_int::MAX` values, since a longer `size` would overflow the C `int` (the
/// tutorial passes `arr.shape[0]` as it is). An empty slice makes no call: the tutorial's
/// `&arr[0]` raises `IndexError` on an empty array.
pub fn square_array_c(values: &mut [f64]) {
    // SAFETY: chosen() returns only an instruction set this CPU supports.
    unsafe { square_array_c_with(InstructionSet::chosen(), values) }
}

/// [`square_array_c`] with the build of the C code for `set`.
///
/// # Safety
/// This CPU supports `set` ([`InstructionSet::is_supported`]).
unsafe fn square_array_c_with(set: InstructionSet, values: &mut [f64]) {
    let square = build(set);
    in_pieces(values, MAX_RUN, |piece| {
        let size = c_int::try_from(piece.len()).expect("pieces are at most c_int::MAX long");
        // SAFETY: `piece` is `size` valid, initialised, exclusively borrowed doubles; the C
        // function reads and writes exactly `arr[0..size]` and keeps no pointer; `square` is
        // the build for `set`, whose instructions this CPU has by the caller's contract.
        unsafe { square(piece.as_mut_ptr(), size) };
    });
}

/// The build of `square_array` compiled for `set` (sound to call only where `set` is
/// supported).
fn build(set: InstructionSet) -> unsafe extern "C" fn(*mut f64, c_int) {
    match set {
        // NEON is part of aarch64's baseline: the plain build is compiled for it.
        InstructionSet::Baseline | InstructionSet::Neon => square_array,
        #[cfg(target_arch = "x86_64")]
        InstructionSet::Avx2 => square_array_avx2,
        #[cfg(target_arch = "x86_64")]
        InstructionSet::Avx512 => square_array_avx512,
        #[cfg(not(target_arch = "x86_64"))]
        InstructionSet::Avx2 | InstructionSet::Avx512 => {
            unreachable!("{set:?} has no build off x86-64")
        }
    }
}

/// Calls `f` on consecutive pieces of `values`, each of 1 to `max` values, covering all of
/// them once; none for an empty slice. [`square_array_c`]'s chunking, testable with a small
/// `max` (no 16 GiB arrays needed).
fn in_pieces(values: &mut [f64], max: usize, f: impl FnMut(&mut [f64])) {
    assert!(max > 0, "pieces must hold at least one value");
    values.chunks_mut(max).for_each(f);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_longer_than_a_c_int_are_cut_into_pieces() {
        assert_eq!(MAX_RUN, i32::MAX as usize);
        // The chunking that square_array_c uses, with a small maximum instead of 2^31 - 1.
        for (len, max) in [(0, 3), (1, 3), (3, 3), (7, 3), (9, 3), (10, 1), (5, 100)] {
            let mut data = test_values::values_spanning(len, len as u64, 30);
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
    fn every_supported_build_squares_with_the_same_bits() {
        // Lengths around each vector width, so that every build's tail loop runs too.
        for len in (0..40).chain([1000, 1001]) {
            let data = test_values::values_spanning(len, len as u64, 30);
            for set in InstructionSet::ALL
                .into_iter()
                .filter(|set| set.is_supported())
            {
                let mut got = data.clone();
                // SAFETY: the filter above keeps only the sets this CPU supports.
                unsafe { square_array_c_with(set, &mut got) };
                for (got, x) in got.iter().zip(&data) {
                    assert_eq!(got.to_bits(), (x * x).to_bits(), "{set:?}, {len} values");
                }
            }
        }
    }
}
