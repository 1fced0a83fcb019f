//! The Rust square of a contiguous run, in place and into another slice, for every dtype the
//! ufunc takes ([`Square`]), compiled once per instruction set and picked through
//! `simd::InstructionSet`.

use simd::InstructionSet;

/// A type whose values the kernels square: `x * x`, wrapping on overflow for integers as
/// NumPy's integer loops do (`np.square(np.int32(50_000))` is `-1_794_967_296`).
pub trait Square: Copy + Send + Sync {
    /// `self * self`; never panics, so that a kernel called from C cannot unwind into it.
    fn square(self) -> Self;
}

impl Square for f64 {
    #[inline(always)]
    fn square(self) -> f64 {
        self * self
    }
}

impl Square for f32 {
    #[inline(always)]
    fn square(self) -> f32 {
        self * self
    }
}

impl Square for i64 {
    #[inline(always)]
    fn square(self) -> i64 {
        self.wrapping_mul(self)
    }
}

impl Square for i32 {
    #[inline(always)]
    fn square(self) -> i32 {
        self.wrapping_mul(self)
    }
}

/// `x *= x` for every value (for `f64`, the same arithmetic as the C loop), vectorised by the
/// compiler for the widest registers this CPU has ([`simd::InstructionSet::chosen`]; the same
/// bits on each).
pub fn square_slice<T: Square>(values: &mut [T]) {
    // SAFETY: chosen() returns only an instruction set this CPU supports.
    unsafe { square_slice_with(InstructionSet::chosen(), values) }
}

/// [`square_slice`] compiled for `set`.
///
/// # Safety
/// This CPU supports `set` ([`InstructionSet::is_supported`]).
unsafe fn square_slice_with<T: Square>(set: InstructionSet, values: &mut [T]) {
    match set {
        // NEON is part of aarch64's baseline: the plain loop is compiled for it.
        InstructionSet::Baseline | InstructionSet::Neon => square_values(values),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX2, by the caller's contract.
        InstructionSet::Avx2 => unsafe { square_avx2(values) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX-512F, by the caller's contract.
        InstructionSet::Avx512 => unsafe { square_avx512(values) },
        #[cfg(not(target_arch = "x86_64"))]
        InstructionSet::Avx2 | InstructionSet::Avx512 => {
            unreachable!("{set:?} is never supported off x86-64")
        }
    }
}

#[inline(always)]
fn square_values<T: Square>(values: &mut [T]) {
    for x in values {
        *x = x.square();
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn square_avx2<T: Square>(values: &mut [T]) {
    square_values(values);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn square_avx512<T: Square>(values: &mut [T]) {
    square_values(values);
}

/// `output[i] = input[i] * input[i]` for every `i` of the shorter slice: [`square_slice`]
/// into another array, vectorised the same way (the ufunc's contiguous loop when its output
/// is not its input).
pub fn square_slice_into<T: Square>(input: &[T], output: &mut [T]) {
    // SAFETY: chosen() returns only an instruction set this CPU supports.
    unsafe { square_slice_into_with(InstructionSet::chosen(), input, output) }
}

/// [`square_slice_into`] compiled for `set`.
///
/// # Safety
/// This CPU supports `set` ([`InstructionSet::is_supported`]).
unsafe fn square_slice_into_with<T: Square>(set: InstructionSet, input: &[T], output: &mut [T]) {
    match set {
        // As above.
        InstructionSet::Baseline | InstructionSet::Neon => square_values_into(input, output),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX2, by the caller's contract.
        InstructionSet::Avx2 => unsafe { square_into_avx2(input, output) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX-512F, by the caller's contract.
        InstructionSet::Avx512 => unsafe { square_into_avx512(input, output) },
        #[cfg(not(target_arch = "x86_64"))]
        InstructionSet::Avx2 | InstructionSet::Avx512 => {
            unreachable!("{set:?} is never supported off x86-64")
        }
    }
}

#[inline(always)]
fn square_values_into<T: Square>(input: &[T], output: &mut [T]) {
    // A vector stored across two cache lines costs two stores, and NumPy's arrays are often
    // only 16-byte aligned: the values before the output's first 64-byte boundary go first, on
    // their own, so that the vectors after it are stored whole.
    let head = output
        .as_ptr()
        .align_offset(64)
        .min(output.len())
        .min(input.len());
    // `head` is at most either length (the `min`s above), so neither split can panic.
    let (input_head, input_rest) = input.split_at(head);
    let (output_head, output_rest) = output.split_at_mut(head);
    square_zipped(input_head, output_head);
    square_zipped(input_rest, output_rest);
}

#[inline(always)]
fn square_zipped<T: Square>(input: &[T], output: &mut [T]) {
    // zip, not indexing: no bounds check in the loop (it vectorises), and nothing to panic.
    for (y, &x) in output.iter_mut().zip(input) {
        *y = x.square();
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn square_into_avx2<T: Square>(input: &[T], output: &mut [T]) {
    square_values_into(input, output);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn square_into_avx512<T: Square>(input: &[T], output: &mut [T]) {
    square_values_into(input, output);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `square_slice` and `square_slice_into` on every supported instruction set give `x * x`
    /// for `T` (wrapping, for integers), at lengths around each vector width.
    fn check_every_kernel_of<T: Square + PartialEq + Default + std::fmt::Debug>(
        data: impl Fn(usize) -> Vec<T>,
        expected: impl Fn(T) -> T,
    ) {
        for len in (0..70).chain([1000, 1001]) {
            let input = data(len);
            let want: Vec<T> = input.iter().map(|&x| expected(x)).collect();
            for set in InstructionSet::ALL
                .into_iter()
                .filter(|set| set.is_supported())
            {
                let mut in_place = input.clone();
                // SAFETY: the filter above keeps only the sets this CPU supports.
                unsafe { square_slice_with(set, &mut in_place) };
                assert_eq!(in_place, want, "{set:?}, {len} values in place");
                // Outputs starting anywhere in a cache line, so that the values before its
                // first 64-byte boundary (squared on their own) are 0 to 7 of them.
                for offset in 0..8 {
                    let mut output = vec![T::default(); len + offset];
                    // SAFETY: as above.
                    unsafe { square_slice_into_with(set, &input, &mut output[offset..]) };
                    assert_eq!(output[offset..], want, "{set:?}, {len} values at {offset}");
                }
            }
        }
    }

    #[test]
    fn every_kernel_squares_every_dtype_as_numpy_does() {
        let floats = |len: usize| test_values::values_spanning(len, len as u64, 30);
        check_every_kernel_of(floats, |x| x * x);
        check_every_kernel_of(
            |len| floats(len).into_iter().map(|x| x as f32).collect(),
            |x: f32| x * x,
        );
        // Integers near each type's edges: their squares wrap, as np.square's do.
        let ints = |len: usize| -> Vec<i64> {
            (0..len as i64)
                .map(|i| match i % 4 {
                    0 => i,
                    1 => -i * 1_000_003,
                    2 => i64::MAX - i,
                    _ => i64::MIN + i,
                })
                .collect()
        };
        check_every_kernel_of(ints, |x| x.wrapping_mul(x));
        check_every_kernel_of(
            |len| ints(len).into_iter().map(|x| x as i32).collect(),
            |x: i32| x.wrapping_mul(x),
        );
        assert_eq!(50_000i32.square(), -1_794_967_296);
        assert_eq!(i64::MIN.square(), 0);
    }
}
