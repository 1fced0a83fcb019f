//! The exact integer sums: int32 and int64 widened to i64, summed in 64-bit registers (wrapped,
//! and their high halves), folded into an i128; compiled for each instruction set.

use crate::index_order::{OfRows, by_rows, merged_axes};
use crate::pairwise::GATHER;
use ndarray::{ArrayView, ArrayView1, ArrayViewD, Axis, Dimension, Ix1, Zip};
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
        let mut add = |values: &[T]| {
            for &x in values {
                let x = widen(x) as u64;
                wrapped = wrapped.wrapping_add(x);
                high += (x ^ (1 << 63)) >> 32;
            }
        };
        // The values before the first cache line first, then whole lines: no vector load
        // spans two lines (NumPy's large arrays start 16 bytes into one).
        let (head, lines) = values.split_at(values.as_ptr().align_offset(64).min(values.len()));
        add(head);
        add(lines);
        total += exact_from_halves(wrapped, high, values.len());
    }
    total
}

/// The exact sum of `count <= EXACT_CHUNK` values from their sum wrapped to 64 bits and the
/// sum of their biased high halves `(x ^ 2^63) >> 32` (see [`exact_sum_of_chunks`]).
#[inline(always)]
fn exact_from_halves(wrapped: u64, high: u64, count: usize) -> i128 {
    let estimate = (i128::from(high) - ((count as i128) << 31)) << 32;
    estimate + i128::from(wrapped.wrapping_sub(estimate as u64))
}

/// The exact sum of an int64 view whose axes merge into one line of stride 2 (`a[::2]`,
/// `c[:, ::2]` of a C-ordered array), read where its values are by masked loads, the values
/// between unread, when the kernel in use has AVX2 (AVX-512 CPUs run the same code); `None`
/// for any other view or kernel.
///
/// Why: copied into the buffer a value at a time, such a view summed slower than `np.sum`
/// on AVX2 CPUs (docs/measurements/kernels.md).
pub(crate) fn exact_sum_every_other(view: &ArrayViewD<'_, i64>) -> Option<i128> {
    let merged = merged_axes(view);
    let line = merged.view().into_dimensionality::<Ix1>().ok()?;
    if line.strides()[0] != 2 {
        return None;
    }
    match InstructionSet::chosen() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: chosen() is a set this CPU supports, and AVX-512F CPUs have AVX2 too (every
        // one made has); the line's values p[0], p[2], ..., p[2 * (len - 1)] are readable.
        InstructionSet::Avx2 | InstructionSet::Avx512 => unsafe {
            Some(every_other_avx2(line.as_ptr(), line.len()))
        },
        _ => None,
    }
}

/// The exact sum of `p[0], p[2], ..., p[2 * (n - 1)]`.
///
/// # Safety
/// Those values are readable, and the CPU has AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn every_other_avx2(p: *const i64, n: usize) -> i128 {
    use std::arch::x86_64::*;
    let even = _mm256_set_epi64x(0, -1, 0, -1);
    let bias = _mm256_set1_epi64x(i64::MIN);
    let lanes_sum = |v: __m256i| -> u64 {
        let mut lanes = [0u64; 4];
        // SAFETY: a store of 32 bytes into a local array of 32 bytes; the CPU has AVX.
        unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), v) };
        lanes.iter().fold(0u64, |sum, &x| sum.wrapping_add(x))
    };
    let mut total = 0i128;
    let mut start = 0;
    while start < n {
        // Each group of four values fills eight lanes (the masked-off ones hold 0, whose
        // biased high half 2^31 the count includes).
        let count = (n - start).min(EXACT_CHUNK / 2);
        let groups = count / 4;
        let q = p.wrapping_add(2 * start);
        let zero = _mm256_setzero_si256();
        let (mut wrapped, mut high) = ([zero; 2], [zero; 2]);
        for g in 0..groups {
            for (k, at) in [8 * g, 8 * g + 4].into_iter().enumerate() {
                // SAFETY: the load reads q[at] and q[at + 2] (lanes 1 and 3 masked off: not
                // read), values 4g + 2k and 4g + 2k + 1 < count of the line: readable (the
                // caller).
                let x = unsafe { _mm256_maskload_epi64(q.add(at).cast(), even) };
                wrapped[k] = _mm256_add_epi64(wrapped[k], x);
                high[k] =
                    _mm256_add_epi64(high[k], _mm256_srli_epi64::<32>(_mm256_xor_si256(x, bias)));
            }
        }
        let mut w = lanes_sum(_mm256_add_epi64(wrapped[0], wrapped[1]));
        let mut h = lanes_sum(_mm256_add_epi64(high[0], high[1]));
        for i in 4 * groups..count {
            // SAFETY: value i < count of the line: readable (the caller).
            let x = unsafe { q.add(2 * i).read() } as u64;
            w = w.wrapping_add(x);
            h += (x ^ (1 << 63)) >> 32;
        }
        total += exact_from_halves(w, h, 8 * groups + (count - 4 * groups));
        start += count;
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
    fn every_other_value_is_summed_in_place_exactly() {
        let mut values = vec![
            i64::MAX,
            i64::MIN,
            -1,
            0,
            1,
            i64::MAX,
            i64::MIN + 1,
            -(1 << 32),
        ];
        values.extend((0..5000i64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as i64)));
        let all = ndarray::Array1::from(values);
        for n in (0..40).chain([1000, 2500]) {
            for offset in [0, 1] {
                let view = all
                    .slice(ndarray::s![offset..;2])
                    .slice_move(ndarray::s![..n]);
                let exact: i128 = view.iter().map(|&x| i128::from(x)).sum();
                let view = view.into_dyn();
                if let Some(total) = exact_sum_every_other(&view) {
                    assert_eq!(total, exact, "n {n}, offset {offset}");
                }
                assert_eq!(crate::sum_array(view), exact, "n {n}, offset {offset}");
            }
        }
        // A 2-D view whose rows merge into one line of stride 2.
        let matrix = all
            .slice(ndarray::s![..4000])
            .into_shape_with_order((40, 100))
            .unwrap();
        let every_other = matrix.slice(ndarray::s![.., ..;2]).into_dyn();
        let exact: i128 = every_other.iter().map(|&x| i128::from(x)).sum();
        assert_eq!(crate::sum_array(every_other), exact);
        let in_place = exact_sum_every_other(&matrix.slice(ndarray::s![.., ..;2]).into_dyn());
        assert_eq!(
            in_place.is_some(),
            cfg!(target_arch = "x86_64")
                && InstructionSet::Avx2.is_supported()
                && InstructionSet::chosen() != InstructionSet::Baseline
        );
    }

    /// int64 lines of stride 2 that end at either edge of a page between two unreadable ones
    /// (`GuardedPage`) are summed in place, so a load that read past a view's first or last
    /// value (or a masked-off lane that was read) would crash this test.
    #[cfg(unix)]
    #[test]
    fn every_other_value_is_read_in_place_and_nothing_outside() {
        let mut page = test_values::GuardedPage::new();
        let len = page.capacity::<i64>();
        let values = (0..len as i64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as i64));
        let all = ndarray::ArrayView1::from(page.fill(values));
        for n in 0..=100 {
            let span = (n.max(1) - 1) * 2 + 1;
            let at_end = all.slice(ndarray::s![len - span..;2]);
            let at_start = all.slice(ndarray::s![..span;2]);
            for view in [at_end, at_start] {
                let view = view.slice_move(ndarray::s![..n]);
                let exact: i128 = view.iter().map(|&x| i128::from(x)).sum();
                assert_eq!(crate::sum_array(view.into_dyn()), exact, "n {n}");
            }
        }
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
