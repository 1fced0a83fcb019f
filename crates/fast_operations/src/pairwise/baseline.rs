//! The baseline kernel: plain x86-64 (SSE2), and the only one on other CPUs. Its lanes are a
//! plain array of eight f64, which the compiler maps to the vectors it has.

use super::Value;
use super::lanes::Lanes8;
use super::strided::Strided;
use super::tree::{Parity, add};

super::walk::kernels!(inline, inline(never));

/// The tree over `a`, a node of parity `P`.
///
/// # Safety
/// The caller guarantees `a.len() >= 8`.
#[inline]
pub(super) unsafe fn walk<P: Parity, T: Value>(a: &[T]) -> f64 {
    // SAFETY: forwarded from the caller; the baseline's instructions are every CPU's.
    unsafe { compiled::walk_lanes::<[f64; 8], P, T>(a) }
}

/// The tree over a strided view, a node of parity `P`.
#[inline]
pub(super) fn strided<P: Parity, T: Value>(view: Strided<'_, T>) -> f64 {
    // SAFETY: the baseline's instructions are every CPU's.
    unsafe { compiled::strided_lanes::<[f64; 8], P, T>(view) }
}

/// The unordered yardstick.
#[inline]
pub(super) fn unordered(a: &[f64]) -> f64 {
    compiled::unordered::<0>(a)
}

/// Plain arrays: the compiler maps them to whatever vectors the kernel is compiled for.
impl Lanes8 for [f64; 8] {
    #[inline(always)]
    unsafe fn load<T: Value>(p: *const T) -> Self {
        // SAFETY: forwarded from the caller (p[0..8] readable).
        unsafe { T::load_array(p) }
    }
    #[inline(always)]
    unsafe fn load_strided<T: Value>(p: *const T, stride: isize) -> Self {
        // SAFETY: forwarded from the caller (the eight values readable).
        unsafe { T::gather_array(p, stride) }
    }
    const VEX: bool = false;
    /// Two lanes an instruction, each an addition the compiler cannot swap: written as `+`,
    /// it swaps the operands of SSE's two-operand additions where that saves a copy. Off
    /// x86-64 one lane an instruction ([`add`]): the NEON kernel is the vector one there.
    #[inline(always)]
    unsafe fn add(self, other: Self) -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_mm_loadu_pd, _mm_storeu_pd};
            let mut sum = [0.0; 8];
            for k in (0..8).step_by(2) {
                // SAFETY: k + 2 <= 8 values of each array; SSE2 is part of x86-64.
                unsafe {
                    let mut x = _mm_loadu_pd(self[k..].as_ptr());
                    let y = _mm_loadu_pd(other[k..].as_ptr());
                    // SAFETY: one addition between registers: no memory (it may set MXCSR flags).
                    std::arch::asm!("addpd {x}, {y}", x = inout(xmm_reg) x, y = in(xmm_reg) y,
                        options(pure, nomem, nostack));
                    _mm_storeu_pd(sum[k..].as_mut_ptr(), x);
                }
            }
            sum
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            std::array::from_fn(|k| add(self[k], other[k]))
        }
    }
    #[inline(always)]
    unsafe fn combine<P: Parity>(self) -> f64 {
        let r = self;
        let r23 = if P::ODD {
            add(r[2], r[3])
        } else {
            add(r[3], r[2])
        };
        add(
            add(add(r[0], r[1]), r23),
            add(add(r[4], r[5]), add(r[6], r[7])),
        )
    }
}
