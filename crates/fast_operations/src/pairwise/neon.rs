//! The NEON kernel (aarch64): the eight lanes in four 2-lane registers, every vector
//! addition written out so that its first operand stays first.
//!
//! An ARM addition of two quiet NaNs returns its first operand's NaN, as x86's does, so the
//! operand order decides the bits here too; unlike x86, a signalling NaN wins over a quiet one
//! whichever operand it is.

use super::Value;
use super::lanes::Lanes8;
use super::strided::Strided;
use super::tree::{Parity, add_in};
use std::arch::aarch64::*;

super::walk::kernels!(inline, inline(never), "neon");

/// The tree over `a`, a node of parity `P`.
///
/// # Safety
/// The caller guarantees `a.len() >= 8` and a CPU with NEON.
#[inline]
pub(super) unsafe fn walk<P: Parity, T: Value>(a: &[T]) -> f64 {
    // SAFETY: forwarded from the caller.
    unsafe { compiled::walk_lanes::<Neon, P, T>(a) }
}

/// The tree over a strided view, a node of parity `P`.
///
/// # Safety
/// The caller guarantees a CPU with NEON.
#[inline]
pub(super) unsafe fn strided<P: Parity, T: Value>(view: Strided<'_, T>) -> f64 {
    // SAFETY: forwarded from the caller.
    unsafe { compiled::strided_lanes::<Neon, P, T>(view) }
}

/// The unordered yardstick.
///
/// # Safety
/// The caller guarantees a CPU with NEON.
#[inline]
pub(super) unsafe fn unordered(a: &[f64]) -> f64 {
    // SAFETY: forwarded from the caller.
    unsafe { compiled::unordered::<0>(a) }
}

/// `x + y` lane by lane, `x` the first operand of each addition (whose NaN wins where both
/// are quiet NaNs): as an intrinsic, the compiler may swap them.
///
/// # Safety
/// The CPU has NEON.
#[inline]
#[target_feature(enable = "neon")]
unsafe fn add2(mut x: float64x2_t, y: float64x2_t) -> float64x2_t {
    // SAFETY: one addition between registers: no memory; like any float addition it may set
    // FPSR's exception flags. The CPU has NEON (the caller).
    unsafe {
        std::arch::asm!("fadd {x:v}.2d, {x:v}.2d, {y:v}.2d", x = inout(vreg) x, y = in(vreg) y,
            options(pure, nomem, nostack));
    }
    x
}

/// `[x0 + x1, y0 + y1]`, each lane's even element the first operand: FADDP, written out for
/// the same reason as [`add2`].
///
/// # Safety
/// The CPU has NEON.
#[inline]
#[target_feature(enable = "neon")]
unsafe fn add_pairs(mut x: float64x2_t, y: float64x2_t) -> float64x2_t {
    // SAFETY: as add2's.
    unsafe {
        std::arch::asm!("faddp {x:v}.2d, {x:v}.2d, {y:v}.2d", x = inout(vreg) x, y = in(vreg) y,
            options(pure, nomem, nostack));
    }
    x
}

/// Four 2-lane NEON registers: `r0..r2`, `r2..r4`, `r4..r6` and `r6..r8`.
#[derive(Clone, Copy)]
struct Neon([float64x2_t; 4]);

impl Lanes8 for Neon {
    #[inline(always)]
    unsafe fn load<T: Value>(p: *const T) -> Self {
        // SAFETY: forwarded from the caller (p[0..8] readable, the CPU has NEON).
        Neon(unsafe { T::load_neon(p) })
    }
    /// Stride -1 (a reversed view) by four loads of two neighbouring values, each pair
    /// swapped; any other stride a value at a time.
    #[inline(always)]
    unsafe fn load_strided<T: Value>(p: *const T, stride: isize) -> Self {
        // SAFETY: forwarded from the caller (p[0], p[stride], ..., p[7 * stride] readable,
        // which for stride -1 is p[-7..=0]; the CPU has NEON).
        unsafe {
            if stride == -1 {
                Neon(T::reversed_neon(p))
            } else {
                let r = T::gather_array(p, stride);
                let q = r.as_ptr();
                Neon([
                    vld1q_f64(q),
                    vld1q_f64(q.add(2)),
                    vld1q_f64(q.add(4)),
                    vld1q_f64(q.add(6)),
                ])
            }
        }
    }
    const VEX: bool = false;
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        let ([x0, x1, x2, x3], [y0, y1, y2, y3]) = (self.0, o.0);
        // SAFETY: the CPU has NEON (the trait's contract).
        unsafe { Neon([add2(x0, y0), add2(x1, y1), add2(x2, y2), add2(x3, y3)]) }
    }
    #[inline(always)]
    unsafe fn combine<P: Parity>(self) -> f64 {
        let [r01, r23, r45, r67] = self.0;
        // SAFETY: the CPU has NEON (the trait's contract).
        unsafe {
            // At an even depth [r3, r2]: the third pair's operands swapped.
            let r23 = if P::ODD {
                r23
            } else {
                vextq_f64::<1>(r23, r23)
            };
            // [(r0 + r1) + (r2 + r3), (r4 + r5) + (r6 + r7)]
            let quads = add_pairs(add_pairs(r01, r23), add_pairs(r45, r67));
            add_in::<false>(vgetq_lane_f64::<0>(quads), vgetq_lane_f64::<1>(quads))
        }
    }
}
