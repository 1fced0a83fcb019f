//! The AVX2 kernel: the eight lanes in two 4-lane registers, and for f64 slices that start 16
//! bytes into a 32-byte block a leaf read with aligned loads only (`rotated_leaf`); strided
//! views of stride 2 and -1 are read by masked and plain loads ([`Avx2Strided`]).

use super::Value;
use super::lanes::{Lanes8, add_rest, leaf};
use super::strided::Strided;
use super::tree::{LEAF, Parity, add_in};
use std::arch::x86_64::*;

super::walk::kernels!(inline, inline(never), "avx2");

/// The tree over `a`, a node of parity `P`.
///
/// # Safety
/// The caller guarantees `a.len() >= 8` and a CPU with AVX2.
#[inline]
pub(super) unsafe fn walk<P: Parity, T: Value>(a: &[T]) -> f64 {
    // SAFETY: forwarded from the caller.
    unsafe { compiled::walk_lanes::<Avx2, P, T>(a) }
}

/// The tree over a strided view, a node of parity `P`, with the lanes for its stride
/// ([`Avx2Strided`] for 2 and -1, gathers for the others).
///
/// # Safety
/// The caller guarantees a CPU with AVX2.
#[inline]
pub(super) unsafe fn strided<P: Parity, T: Value>(view: Strided<'_, T>) -> f64 {
    // SAFETY: forwarded from the caller; each lane type is for the view's stride, or for any
    // stride (Avx2).
    unsafe {
        match view.stride {
            2 => compiled::strided_lanes::<Avx2Strided<2>, P, T>(view),
            -1 => compiled::strided_lanes::<Avx2Strided<-1>, P, T>(view),
            _ => compiled::strided_lanes::<Avx2, P, T>(view),
        }
    }
}

/// The strides whose views the AVX2 kernel reads in place faster than a copy into the
/// gather buffer: 2 (`a[::2]`, `c[:, ::2]`) and -1 (`a[::-1]`). Its gathers, for the other
/// strides, lost to the buffer (docs/measurements/section-1.md).
pub(crate) fn reads_in_place(stride: isize) -> bool {
    matches!(stride, 2 | -1)
}

/// The unordered yardstick.
///
/// # Safety
/// The caller guarantees a CPU with AVX2.
#[inline]
pub(super) unsafe fn unordered(a: &[f64]) -> f64 {
    // SAFETY: forwarded from the caller.
    unsafe { compiled::unordered::<0>(a) }
}

/// `x + y` lane by lane, `x` the first operand of each addition (whose NaN wins where
/// both are NaN): as an intrinsic, the compiler may swap them, and did, where it merged
/// an addition with the shuffles after it. The three-byte VEX form is forced: the
/// assembler swaps the operands of a commutative addition whose second one is in
/// registers 8 to 15 to encode it in two bytes.
///
/// # Safety
/// The CPU has AVX.
#[inline]
#[target_feature(enable = "avx")]
pub(crate) unsafe fn add256(mut x: __m256d, y: __m256d) -> __m256d {
    // SAFETY: one addition between registers; the CPU has AVX (the caller).
    unsafe {
        std::arch::asm!("{{vex3}} vaddpd {x}, {x}, {y}", x = inout(ymm_reg) x, y = in(ymm_reg) y,
            options(pure, nomem, nostack));
    }
    x
}

/// [`add256`] on two lanes.
///
/// # Safety
/// The CPU has AVX.
#[inline]
#[target_feature(enable = "avx")]
unsafe fn add128(mut x: __m128d, y: __m128d) -> __m128d {
    // SAFETY: one addition between registers; the CPU has AVX (the caller).
    unsafe {
        std::arch::asm!("{{vex3}} vaddpd {x}, {x}, {y}", x = inout(xmm_reg) x, y = in(xmm_reg) y,
            options(pure, nomem, nostack));
    }
    x
}

/// NumPy's combination of a leaf's accumulators from `x = [r0, r4, r2, r6]` and
/// `y = [r1, r5, r3, r7]` (at an even depth, `r2` and `r3` swapped), the first operands in
/// `x`.
///
/// # Safety
/// The CPU has AVX.
#[inline(always)]
unsafe fn combine_pairs(x: __m256d, y: __m256d) -> f64 {
    // SAFETY: the CPU has AVX (the caller).
    unsafe {
        // [r0 + r1, r4 + r5, r2 + r3, r6 + r7]
        let pairs = add256(x, y);
        // [(r0 + r1) + (r2 + r3), (r4 + r5) + (r6 + r7)]
        let quads = add128(
            _mm256_castpd256_pd128(pairs),
            _mm256_extractf128_pd(pairs, 1),
        );
        let high = _mm_cvtsd_f64(_mm_unpackhi_pd(quads, quads));
        add_in::<true>(_mm_cvtsd_f64(quads), high)
    }
}

/// Two 4-lane AVX registers: `r0..r4` and `r4..r8`.
#[derive(Clone, Copy)]
struct Avx2(__m256d, __m256d);

impl Lanes8 for Avx2 {
    /// f64 leaves 16 bytes past a 32-byte boundary (NumPy's large arrays start there) are
    /// read with aligned loads only ([`rotated_leaf`]); the others eight values a load.
    #[inline(always)]
    unsafe fn sum_leaf<P: Parity, T: Value>(a: &[T]) -> f64 {
        match T::as_f64(a) {
            // SAFETY: the length and the CPU as the caller guarantees, the start checked.
            Some(a) if a.as_ptr() as usize % 32 == 16 => unsafe { rotated_leaf::<P>(a) },
            // SAFETY: forwarded from the caller (8 <= a.len() <= LEAF, the CPU has AVX2).
            _ => unsafe { leaf::<Self, P, T>(a) },
        }
    }
    #[inline(always)]
    unsafe fn load<T: Value>(p: *const T) -> Self {
        // SAFETY: forwarded from the caller (p[0..8] readable, the CPU has AVX2).
        let (low, high) = unsafe { T::load_avx2(p) };
        Avx2(low, high)
    }
    #[inline(always)]
    unsafe fn load_strided<T: Value>(p: *const T, stride: isize) -> Self {
        // SAFETY: forwarded from the caller (the eight values readable, the CPU has AVX2).
        let (low, high) = unsafe { T::gather_avx2(p, stride) };
        Avx2(low, high)
    }
    const VEX: bool = true;
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        // SAFETY: the CPU has AVX (the trait's contract).
        unsafe { Avx2(add256(self.0, o.0), add256(self.1, o.1)) }
    }
    #[inline(always)]
    unsafe fn add_load<T: Value>(self, p: *const T) -> Self {
        // SAFETY: forwarded from the caller (p[0..8] readable, the CPU has AVX2).
        let (low, high) = unsafe { T::add_avx2((self.0, self.1), p) };
        Avx2(low, high)
    }
    #[inline(always)]
    unsafe fn combine<P: Parity>(self) -> f64 {
        // SAFETY: the CPU has AVX (the trait's contract).
        unsafe {
            // At an even depth, [r0, r1, r3, r2]: the third pair's operands swapped.
            let low = if P::ODD {
                self.0
            } else {
                _mm256_permute_pd::<0b0110>(self.0)
            };
            combine_pairs(
                _mm256_unpacklo_pd(low, self.1),
                _mm256_unpackhi_pd(low, self.1),
            )
        }
    }
}

/// A leaf of `8 <= a.len() <= LEAF` f64 values whose start is 16 bytes past a 32-byte
/// boundary, read with 32-byte loads that never cross a cache line.
///
/// Why: with that start, where NumPy's large arrays start, every other 32-byte load of the
/// plain leaf spans two cache lines, which costs a good part of the speed from the L2 and L3
/// caches (docs/measurements/section-1.md).
///
/// How, with the same bits: the aligned load at `a - 2 + 8g` holds `a[8g - 2..8g + 2]`,
/// values of lanes 6, 7, 0, 1 of the leaf's accumulators, and the one at `a + 2 + 8g`
/// holds lanes 2, 3, 4, 5. So the accumulators live rotated, `ra = [r6, r7, r0, r1]` and
/// `rb = [r2, r3, r4, r5]`, and each load adds to one of them: every lane still adds its
/// own values in order. The two half-lines at the leaf's ends (before `a[0]`, after
/// `a[full - 1]`) hold `-0.0` instead, the one value whose addition changes no bits:
/// `-0.0 + x` is `x` for every `x`, `-0.0` and `+0.0` included (`+0.0` would turn a lane
/// of `-0.0` into `+0.0`). Nothing outside `a` is read.
///
/// # Safety
/// The caller guarantees `8 <= a.len() <= LEAF`, `a.as_ptr() % 32 == 16`, and a CPU with
/// AVX2.
#[inline(always)]
unsafe fn rotated_leaf<P: Parity>(a: &[f64]) -> f64 {
    debug_assert!(8 <= a.len() && a.len() <= LEAF);
    debug_assert_eq!(a.as_ptr() as usize % 32, 16);
    let groups = a.len() / 8;
    let full = groups * 8;
    let p = a.as_ptr();
    // SAFETY: every load reads inside a: the head a[0..2], the tail a[full - 2..full], and
    // for 1 <= g < groups a[8g - 2..8g + 2], for 0 <= g < groups a[8g + 2..8g + 6]. The CPU
    // has AVX2 (the caller).
    unsafe {
        let minus_zero = _mm256_set1_pd(-0.0);
        let mut ra = _mm256_insertf128_pd::<1>(minus_zero, _mm_loadu_pd(p));
        let mut rb = _mm256_loadu_pd(p.add(2));
        // A group a step, not unrolled: see `leaf`.
        for g in 1..groups {
            let q = p.add(8 * g - 2);
            ra = _mm256_add_pd(ra, _mm256_loadu_pd(q));
            rb = _mm256_add_pd(rb, _mm256_loadu_pd(q.add(4)));
        }
        let tail = _mm256_insertf128_pd::<0>(minus_zero, _mm_loadu_pd(p.add(full - 2)));
        ra = add256(ra, tail);
        // At an even depth rb = [r3, r2, r4, r5]: the third pair's operands swapped.
        if !P::ODD {
            rb = _mm256_permute_pd::<0b1001>(rb);
        }
        // [r6 + r7, r2 + r3, r0 + r1, r4 + r5]: NumPy's pairs, each in its operand order.
        let pairs = add256(_mm256_unpacklo_pd(ra, rb), _mm256_unpackhi_pd(ra, rb));
        // Lane 0: (r4 + r5) + (r6 + r7); lane 1: (r0 + r1) + (r2 + r3).
        let reversed = _mm256_permute4x64_pd::<0b00_01_10_11>(pairs);
        let quads = add128(
            _mm256_castpd256_pd128(reversed),
            _mm256_castpd256_pd128(pairs),
        );
        let res = Avx2::add_scalar(
            _mm_cvtsd_f64(_mm_unpackhi_pd(quads, quads)),
            _mm_cvtsd_f64(quads),
        );
        add_rest::<Avx2, f64>(res, &a[full..])
    }
}

/// AVX2 lanes for strided views of stride `STRIDE` (2 or -1), each group of eight values read
/// as that stride allows and kept in the lanes the loads leave them in: stride 2 by masked
/// loads of the group's span, which leave the values between unread, lanes `(r0, r2, r1,
/// r3)` and `(r4, r6, r5, r7)` (a blend a load, no shuffle); stride -1 by two plain loads,
/// lanes `(r3, r2, r1, r0)` and `(r7, r6, r5, r4)`. Every lane still adds its own values in
/// order; the lanes are put back in order once per leaf, before NumPy's combination.
#[derive(Clone, Copy)]
struct Avx2Strided<const STRIDE: isize>(__m256d, __m256d);

impl<const STRIDE: isize> Avx2Strided<STRIDE> {
    /// The lanes in order, `r0..r4` and `r4..r8`.
    ///
    /// # Safety
    /// The CPU has AVX2.
    #[inline(always)]
    unsafe fn in_order(self) -> Avx2 {
        // SAFETY: the CPU has AVX2 (the caller).
        unsafe {
            match STRIDE {
                2 => Avx2(
                    _mm256_permute4x64_pd::<0b11_01_10_00>(self.0),
                    _mm256_permute4x64_pd::<0b11_01_10_00>(self.1),
                ),
                _ => Avx2(
                    _mm256_permute4x64_pd::<0b00_01_10_11>(self.0),
                    _mm256_permute4x64_pd::<0b00_01_10_11>(self.1),
                ),
            }
        }
    }

    /// `lanes` (in order) in this type's lane order: the inverse of [`Self::in_order`] (each
    /// of its permutations is its own inverse).
    ///
    /// # Safety
    /// The CPU has AVX2.
    #[inline(always)]
    unsafe fn from_order(lanes: Avx2) -> Self {
        // SAFETY: the CPU has AVX2 (the caller).
        let Avx2(low, high) = unsafe { Avx2Strided::<STRIDE>(lanes.0, lanes.1).in_order() };
        Avx2Strided(low, high)
    }
}

impl<const STRIDE: isize> Lanes8 for Avx2Strided<STRIDE> {
    #[inline(always)]
    unsafe fn load<T: Value>(p: *const T) -> Self {
        // SAFETY: forwarded from the caller (p[0..8] readable, the CPU has AVX2).
        unsafe { Self::from_order(Avx2::load(p)) }
    }
    /// `stride` must be `STRIDE`: the caller of the walk with these lanes picked them by the
    /// view's stride.
    #[inline(always)]
    unsafe fn load_strided<T: Value>(p: *const T, stride: isize) -> Self {
        debug_assert_eq!(stride, STRIDE);
        // SAFETY: forwarded from the caller (p[0], p[stride], ..., p[7 * stride] readable,
        // the CPU has AVX2): for STRIDE 2 and -1 those are the values the loads read.
        let (low, high) = unsafe {
            match STRIDE {
                2 => T::every_other_avx2(p),
                _ => T::reversed_avx2(p),
            }
        };
        Avx2Strided(low, high)
    }
    const VEX: bool = true;
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        // SAFETY: the CPU has AVX (the trait's contract).
        unsafe { Avx2Strided(add256(self.0, o.0), add256(self.1, o.1)) }
    }
    #[inline(always)]
    unsafe fn combine<P: Parity>(self) -> f64 {
        // SAFETY: the CPU has AVX2 (the trait's contract).
        unsafe { self.in_order().combine::<P>() }
    }
}
