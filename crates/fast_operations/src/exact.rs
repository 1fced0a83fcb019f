//! The exact integer sums: int32 and int64 widened to i64, summed in 64-bit registers (wrapped,
//! and their high halves), folded into an i128; compiled for each instruction set.

use crate::index_order::{OfRows, by_rows, merged_axes};
use crate::pairwise::GATHER;
use ndarray::{ArrayView, ArrayView1, ArrayViewD, Axis, Dimension, Zip};
use simd::InstructionSet;

/// The exact sum of the values of `view`, each widened by `widen`, read a row at a time (see
/// [`sum_in_index_order`] for why).
pub(crate) fn exact_sum_in_index_order<T: Copy>(
    view: &ArrayViewD<'_, T>,
    widen: impl Fn(T) -> i64,
) -> i128 {
    by_rows(&merged_axes(view), Exact(widen))
}

/// The exact sum of the values, each widened by the function: a row at a time, each row of
/// [`GATHER`] values or more that is one slice in memory (reversed ones too: an
/// exact sum has no order) read as a slice, the others (strided rows, short rows) copied into
/// a buffer ([`ExactBuffer`]) that [`exact_sum_of_slice`] sums a buffer at a time.
///
/// Why the buffer: a strided row's values added through an iterator, a value at a time, and
/// short rows summed one slice at a time (a call per row), were both slower than `np.sum`
/// (docs/measurements/section-1.md).
struct Exact<W>(W);

impl<T: Copy, W: Fn(T) -> i64> OfRows<T> for Exact<W> {
    type Total = i128;
    fn of_rows<D: Dimension>(self, view: ArrayView<'_, T, D>) -> i128 {
        let widen = &self.0;
        let mut buffer = ExactBuffer::new();
        for row in view.rows() {
            match row.as_slice_memory_order() {
                Some(values) if values.len() >= GATHER => {
                    buffer.total += exact_sum_of_slice(values, widen);
                }
                _ => buffer.add_row(row, widen),
            }
        }
        buffer.finish()
    }
}

/// Rows copied, widened, into a buffer of [`GATHER`] values, summed exactly each
/// time it is full.
struct ExactBuffer {
    values: [i64; GATHER],
    filled: usize,
    total: i128,
}

impl ExactBuffer {
    fn new() -> Self {
        ExactBuffer {
            values: [0; GATHER],
            filled: 0,
            total: 0,
        }
    }

    fn add_row<T: Copy>(&mut self, mut row: ArrayView1<'_, T>, widen: impl Fn(T) -> i64) {
        while !row.is_empty() {
            let k = row.len().min(GATHER - self.filled);
            let (now, later) = row.split_at(Axis(0), k);
            Zip::from(&mut self.values[self.filled..self.filled + k])
                .and(&now)
                .for_each(|slot, &x| *slot = widen(x));
            self.filled += k;
            if self.filled == GATHER {
                self.total += exact_sum_of_slice(&self.values, |x| x);
                self.filled = 0;
            }
            row = later;
        }
    }

    fn finish(self) -> i128 {
        self.total + exact_sum_of_slice(&self.values[..self.filled], |x| x)
    }
}

/// How many values [`exact_sum_of_slice`] adds in 64-bit registers before it folds them into
/// the total: the sum of 2^31 high halves, each below 2^32, fits in 63 bits, and the
/// estimate it gives is within 2^63 of the exact sum (see [`exact_sum_of_chunks`]).
const EXACT_CHUNK: usize = 1 << 31;

/// The exact sum of the integers of `values`, each widened to i64 by `widen`, in any order,
/// in a plain loop over the slice compiled for the widest vectors this CPU has (the same
/// result on every path: integer addition is exact).
///
/// Why a slice compiled per instruction set: through an iterator the values are added one at
/// a time, and the baseline's 2-lane vectors are slower than AVX2's and AVX-512's
/// (docs/measurements/section-1.md).
pub(crate) fn exact_sum_of_slice<T: Copy>(values: &[T], widen: impl Fn(T) -> i64) -> i128 {
    #[cfg(target_arch = "x86_64")]
    match InstructionSet::chosen() {
        // SAFETY: chosen() is an instruction set this CPU supports, so it has AVX-512F, the one
        // extension the function is compiled for.
        InstructionSet::Avx512 => return unsafe { exact_sum_avx512(values, widen) },
        // SAFETY: as above, AVX2.
        InstructionSet::Avx2 => return unsafe { exact_sum_avx2(values, widen) },
        InstructionSet::Baseline | InstructionSet::Neon => {}
    }
    exact_sum_of_chunks(values, widen, EXACT_CHUNK)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn exact_sum_avx512<T: Copy>(values: &[T], widen: impl Fn(T) -> i64) -> i128 {
    exact_sum_of_chunks(values, widen, EXACT_CHUNK)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn exact_sum_avx2<T: Copy>(values: &[T], widen: impl Fn(T) -> i64) -> i128 {
    exact_sum_of_chunks(values, widen, EXACT_CHUNK)
}

/// [`exact_sum_of_slice`] in chunks of `chunk` values (at most [`EXACT_CHUNK`]), inlined into
/// each caller, so that it is compiled for the caller's instructions.
///
/// How, two additions a value and no 64-bit arithmetic shift (which AVX2 lacks): the sum
/// wrapped to 64 bits, `wrapped`, gives the exact sum `S` modulo 2^64; the sum of the high
/// halves, `floor(x / 2^32)` each (read as `((x ^ 2^63) >> 32) - 2^31`, a logical shift),
/// gives `estimate = 2^32 * sum(floor(x / 2^32))`, with `estimate <= S < estimate + n * 2^32`
/// (each value's low half is below 2^32). With `n <= 2^31` that window is narrower than
/// 2^64, so `S` is the one value in it congruent to `wrapped`: `estimate + (wrapped -
/// estimate) mod 2^64`.
#[inline(always)]
fn exact_sum_of_chunks<T: Copy>(values: &[T], widen: impl Fn(T) -> i64, chunk: usize) -> i128 {
    debug_assert!(chunk <= EXACT_CHUNK);
    let mut total = 0i128;
    for values in values.chunks(chunk) {
        let (mut wrapped, mut high) = (0u64, 0u64);
        for &x in values {
            let x = widen(x) as u64;
            wrapped = wrapped.wrapping_add(x);
            high += (x ^ (1 << 63)) >> 32;
        }
        let highs = i128::from(high) - ((values.len() as i128) << 31);
        let estimate = highs << 32;
        total += estimate + i128::from(wrapped.wrapping_sub(estimate as u64));
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_sum_folds_every_chunk_into_the_total() {
        // The real chunk is 2^31 values; the folding logic is the same for any chunk size.
        let values = [
            i64::MAX,
            i64::MIN,
            -1,
            i64::MAX,
            i64::MAX,
            7,
            i64::MIN,
            i64::MIN,
            3,
        ];
        let exact: i128 = values.iter().map(|&x| i128::from(x)).sum();
        for chunk in 1..=values.len() + 1 {
            assert_eq!(
                exact_sum_of_chunks(&values, |x| x, chunk),
                exact,
                "slice, chunk {chunk}"
            );
        }
        // A multiple of the chunk size, so the last chunk is empty.
        assert_eq!(
            exact_sum_of_chunks(&values[..8], |x| x, 4),
            values[..8].iter().map(|&x| i128::from(x)).sum::<i128>()
        );
    }

    #[test]
    fn exact_sum_of_slice_is_exact_on_every_kernel() {
        // Extremes and a spread of magnitudes, in lengths around the vector widths.
        let mut values = vec![i64::MAX, i64::MIN, -1, 0, 1, i64::MAX, i64::MIN + 1];
        values.extend((0..5000i64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as i64)));
        let narrow: Vec<i32> = values.iter().map(|&x| (x >> 17) as i32).collect();
        for n in (0..40).chain([1000, 4999, values.len()]) {
            let (wide, narrow) = (&values[..n], &narrow[..n]);
            let exact: i128 = wide.iter().map(|&x| i128::from(x)).sum();
            let exact32: i128 = narrow.iter().map(|&x| i128::from(x)).sum();
            assert_eq!(exact_sum_of_slice(wide, |x| x), exact, "n {n}");
            assert_eq!(exact_sum_of_slice(narrow, i64::from), exact32, "n {n}");
            assert_eq!(
                exact_sum_of_chunks(wide, |x| x, EXACT_CHUNK),
                exact,
                "n {n}"
            );
            #[cfg(target_arch = "x86_64")]
            {
                if InstructionSet::Avx2.is_supported() {
                    // SAFETY: the CPU has AVX2 (checked just above).
                    assert_eq!(unsafe { exact_sum_avx2(wide, |x| x) }, exact, "AVX2, n {n}");
                    // SAFETY: as above.
                    let got = unsafe { exact_sum_avx2(narrow, i64::from) };
                    assert_eq!(got, exact32, "AVX2, n {n}");
                }
                if InstructionSet::Avx512.is_supported() {
                    // SAFETY: the CPU has AVX-512F (checked just above).
                    let got = unsafe { exact_sum_avx512(wide, |x| x) };
                    assert_eq!(got, exact, "AVX-512, n {n}");
                    // SAFETY: as above.
                    let got = unsafe { exact_sum_avx512(narrow, i64::from) };
                    assert_eq!(got, exact32, "AVX-512, n {n}");
                }
            }
        }
    }

    #[test]
    fn exact_sum_high_halves_and_window_fit_within_a_chunk() {
        // 2^31 biased high halves, each below 2^32, fit in 64 bits; the window of sums that
        // share one estimate, n * 2^32, is narrower than 2^64.
        assert!((EXACT_CHUNK as u128) * 0xFFFF_FFFF <= u128::from(u64::MAX));
        assert!((EXACT_CHUNK as u128) << 32 < 1u128 << 64);
    }

    #[test]
    fn exact_sum_of_extremes_repeated_is_exact() {
        // Long runs of one extreme push the wrapped sum around 2^64 many times.
        for x in [i64::MAX, i64::MIN, -1, 1 << 32, -(1 << 32), (1 << 32) - 1] {
            for n in [1usize, 2, 3, 17, 1000, 4099] {
                let values = vec![x; n];
                assert_eq!(
                    exact_sum_of_slice(&values, |x| x),
                    i128::from(x) * n as i128,
                    "{x} x {n}"
                );
            }
        }
        let mixed: Vec<i64> = (0..5000)
            .map(|i| if i % 3 == 0 { i64::MIN } else { i64::MAX - i })
            .collect();
        let exact: i128 = mixed.iter().map(|&x| i128::from(x)).sum();
        assert_eq!(exact_sum_of_slice(&mixed, |x| x), exact);
    }
}
