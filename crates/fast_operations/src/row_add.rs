//! `out[i] += x[i]`: a row of values added into a row of results, as NumPy's reductions add
//! one where the innermost axis is kept (`np.sum(c, axis=0)` of a C-ordered `c`), compiled
//! for each instruction set.

use crate::pairwise::Value;
#[cfg(target_arch = "x86_64")]
use simd::InstructionSet;

/// `out[i] = out[i] + values[i]` (widened to f64) for each value, in the widest registers
/// this CPU has: the same bits on each (one addition a result).
pub(crate) fn add_row<T: Value + Copy>(out: &mut [f64], values: &[T]) {
    #[cfg(target_arch = "x86_64")]
    match InstructionSet::chosen() {
        // SAFETY: chosen() is an instruction set this CPU supports, so it has AVX-512F, the one
        // extension the function is compiled for.
        InstructionSet::Avx512 => return unsafe { add_row_avx512(out, values) },
        // SAFETY: as above, AVX2.
        InstructionSet::Avx2 => return unsafe { add_row_avx2(out, values) },
        InstructionSet::Baseline | InstructionSet::Neon => {}
    }
    add_values(out, values);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn add_row_avx512<T: Value + Copy>(out: &mut [f64], values: &[T]) {
    add_values(out, values);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn add_row_avx2<T: Value + Copy>(out: &mut [f64], values: &[T]) {
    add_values(out, values);
}

/// The loop, inlined into each caller so that it is compiled for the caller's instructions.
#[inline(always)]
fn add_values<T: Value + Copy>(out: &mut [f64], values: &[T]) {
    for (o, &x) in out.iter_mut().zip(values) {
        *o += x.to_f64();
    }
}
