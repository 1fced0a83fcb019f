//! The element types the tree sums ([`Value`]: f64, and f32 widened as it is read), and how
//! each kernel loads eight of them into its lanes (`sealed::Load`, inside the crate).

/// A type whose values the tree sums in f64: f64 itself, and f32, each value widened exactly
/// as it is read (the bits of NumPy's tree over `a.astype(np.float64)`).
pub trait Value: sealed::Load + Send + Sync {
    /// Whether the values are widened as they are read (f32), which changes which kernel
    /// reads them fastest (`dispatch`).
    const WIDENED: bool;
    /// The value as an f64 (exact).
    fn to_f64(self) -> f64;
}

impl Value for f64 {
    const WIDENED: bool = false;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
}

impl Value for f32 {
    const WIDENED: bool = true;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

/// How each kernel reads eight values of a [`Value`] type into its lanes: inside the crate.
pub(super) mod sealed {
    #[cfg(target_arch = "x86_64")]
    use std::arch::x86_64::*;

    /// # Safety
    /// Every method reads `p[0..8]`, which the caller guarantees readable; the x86 ones use
    /// the instructions their names say, which the caller's CPU must have.
    pub trait Load: Copy {
        /// The slice itself if it is of f64, for the kernels' f64-only ways of reading.
        fn as_f64(a: &[Self]) -> Option<&[f64]>;
        unsafe fn load_array(p: *const Self) -> [f64; 8];
        #[cfg(target_arch = "x86_64")]
        unsafe fn load_avx2(p: *const Self) -> (__m256d, __m256d);
        /// `acc + p[0..8]` lane by lane, `acc` the first operand of each addition.
        #[cfg(target_arch = "x86_64")]
        unsafe fn add_avx2(acc: (__m256d, __m256d), p: *const Self) -> (__m256d, __m256d);
        #[cfg(target_arch = "x86_64")]
        unsafe fn load_avx512(p: *const Self) -> __m512d;
        /// `p[0], p[stride], ..., p[7 * stride]`, which the caller guarantees readable: the
        /// loads of a strided view (`strided::Strided`), each value read where it is.
        unsafe fn gather_array(p: *const Self, stride: isize) -> [f64; 8];
        #[cfg(target_arch = "x86_64")]
        unsafe fn gather_avx2(p: *const Self, stride: isize) -> (__m256d, __m256d);
        /// `p[0], p[2], ..., p[14]`, which the caller guarantees readable, by masked loads
        /// (the values between left unread), in the lane order of `avx2::Avx2Strided<2>`:
        /// `(v0, v2, v1, v3)` and `(v4, v6, v5, v7)`, `vk` = `p[2k]`.
        #[cfg(target_arch = "x86_64")]
        unsafe fn every_other_avx2(p: *const Self) -> (__m256d, __m256d);
        /// `p[0], p[-1], ..., p[-7]`, which the caller guarantees readable, as they lie in
        /// memory (the lane order of `avx2::Avx2Strided<-1>`): `(v3, v2, v1, v0)` and
        /// `(v7, v6, v5, v4)`, `vk` = `p[-k]`.
        #[cfg(target_arch = "x86_64")]
        unsafe fn reversed_avx2(p: *const Self) -> (__m256d, __m256d);
        #[cfg(target_arch = "x86_64")]
        unsafe fn gather_avx512(p: *const Self, stride: isize) -> __m512d;
        /// `p[0], p[2], ..., p[14]`, which the caller guarantees readable: masked loads of
        /// the span, the values between left unread.
        #[cfg(target_arch = "x86_64")]
        unsafe fn every_other_avx512(p: *const Self) -> __m512d;
        /// `p[0], p[-1], ..., p[-7]`, which the caller guarantees readable: one load of
        /// `p[-7..=0]`, its lanes reversed.
        #[cfg(target_arch = "x86_64")]
        unsafe fn reversed_avx512(p: *const Self) -> __m512d;
        /// `p[0..8]` in four NEON registers of two lanes each.
        #[cfg(target_arch = "aarch64")]
        unsafe fn load_neon(p: *const Self) -> [std::arch::aarch64::float64x2_t; 4];
        /// `p[0], p[-1], ..., p[-7]`, which the caller guarantees readable: four loads of
        /// two neighbouring values in `p[-7..=0]`, each pair swapped.
        #[cfg(target_arch = "aarch64")]
        unsafe fn reversed_neon(p: *const Self) -> [std::arch::aarch64::float64x2_t; 4];
    }

    /// The permutation that reverses eight lanes.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn reverse(v: __m512d) -> __m512d {
        // SAFETY: the caller's CPU has AVX-512F.
        unsafe { _mm512_permutexvar_pd(_mm512_set_epi64(0, 1, 2, 3, 4, 5, 6, 7), v) }
    }

    /// The offsets, in values, of `p[0], p[stride], ..., p[7 * stride]` (the lower four for
    /// AVX2's gathers of four).
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn offsets(stride: isize) -> [i64; 8] {
        std::array::from_fn(|k| k as i64 * stride as i64)
    }

    /// `p[0], p[stride], ..., p[7 * stride]`, each read as it is.
    ///
    /// # Safety
    /// The caller guarantees those eight values readable.
    #[inline(always)]
    unsafe fn gather<T: Copy>(p: *const T, stride: isize) -> [T; 8] {
        // SAFETY: the caller guarantees p[k * stride] readable for k < 8.
        std::array::from_fn(|k| unsafe { p.offset(k as isize * stride).read() })
    }

    impl Load for f64 {
        #[inline(always)]
        fn as_f64(a: &[f64]) -> Option<&[f64]> {
            Some(a)
        }
        #[inline(always)]
        unsafe fn load_array(p: *const f64) -> [f64; 8] {
            // SAFETY: the caller guarantees p[0..8] readable; p is aligned as an f64 pointer.
            unsafe { p.cast::<[f64; 8]>().read() }
        }
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn load_avx2(p: *const f64) -> (__m256d, __m256d) {
            // SAFETY: p[0..8] readable (caller); unaligned loads; the CPU has AVX (caller).
            unsafe { (_mm256_loadu_pd(p), _mm256_loadu_pd(p.add(4))) }
        }
        /// The loads folded into the additions as their memory operands, which can only be
        /// the second: the order holds without `x86::add256`, which would load into
        /// registers first, slower from the caches (docs/measurements/section-1.md).
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn add_avx2(acc: (__m256d, __m256d), p: *const f64) -> (__m256d, __m256d) {
            // SAFETY: p[0..8] readable (caller); unaligned loads; the CPU has AVX (caller).
            unsafe {
                (
                    _mm256_add_pd(acc.0, _mm256_loadu_pd(p)),
                    _mm256_add_pd(acc.1, _mm256_loadu_pd(p.add(4))),
                )
            }
        }
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn load_avx512(p: *const f64) -> __m512d {
            // SAFETY: p[0..8] readable (caller); an unaligned load; the CPU has AVX-512F.
            unsafe { _mm512_loadu_pd(p) }
        }
        #[inline(always)]
        unsafe fn gather_array(p: *const f64, stride: isize) -> [f64; 8] {
            // SAFETY: the eight values readable (caller).
            unsafe { gather(p, stride) }
        }
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn gather_avx2(p: *const f64, stride: isize) -> (__m256d, __m256d) {
            let o = offsets(stride);
            // SAFETY: each gather reads p[o[k]] (scale 8: offsets in f64), and the second
            // p[4 * stride + o[k]], k < 4: the eight values the caller guarantees readable;
            // the CPU has AVX2 (caller).
            unsafe {
                let o = _mm256_set_epi64x(o[3], o[2], o[1], o[0]);
                (
                    _mm256_i64gather_pd::<8>(p, o),
                    _mm256_i64gather_pd::<8>(p.offset(4 * stride), o),
                )
            }
        }
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn every_other_avx2(p: *const f64) -> (__m256d, __m256d) {
            // SAFETY: each masked load reads only its unmasked lanes (masked-off lanes are
            // not read): p[0], p[2], ..., p[14], the values the caller guarantees readable;
            // the CPU has AVX2 (caller).
            unsafe {
                let even = _mm256_set_epi64x(0, -1, 0, -1);
                let odd = _mm256_set_epi64x(-1, 0, -1, 0);
                // [p0, _, p2, _] and [_, p4, _, p6] blended: [p0, p4, p2, p6].
                let half = |q: *const f64| {
                    _mm256_blend_pd::<0b1010>(
                        _mm256_maskload_pd(q, even),
                        _mm256_maskload_pd(q.wrapping_add(3), odd),
                    )
                };
                (half(p), half(p.add(8)))
            }
        }
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn reversed_avx2(p: *const f64) -> (__m256d, __m256d) {
            // SAFETY: the loads read p[-3..=0] and p[-7..=-4], the values the caller
            // guarantees readable; the CPU has AVX (caller).
            unsafe { (_mm256_loadu_pd(p.sub(3)), _mm256_loadu_pd(p.sub(7))) }
        }
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn gather_avx512(p: *const f64, stride: isize) -> __m512d {
            let o = offsets(stride);
            // SAFETY: the gather reads p[o[k]], k < 8 (scale 8: offsets in f64): the eight
            // values the caller guarantees readable; the CPU has AVX-512F (caller).
            unsafe {
                let o = _mm512_set_epi64(o[7], o[6], o[5], o[4], o[3], o[2], o[1], o[0]);
                _mm512_i64gather_pd::<8>(o, p)
            }
        }
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn every_other_avx512(p: *const f64) -> __m512d {
            // SAFETY: the loads read p[0], p[2], p[4], p[6] and p[8], ..., p[14] (mask 0x55:
            // masked-off lanes are not read), the values the caller guarantees readable; the
            // CPU has AVX-512F (caller).
            unsafe {
                let low = _mm512_maskz_loadu_pd(0x55, p);
                let high = _mm512_maskz_loadu_pd(0x55, p.add(8));
                let evens = _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0);
                _mm512_permutex2var_pd(low, evens, high)
            }
        }
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn reversed_avx512(p: *const f64) -> __m512d {
            // SAFETY: the load reads p[-7..=0], the values the caller guarantees readable;
            // the CPU has AVX-512F (caller).
            unsafe { reverse(_mm512_loadu_pd(p.sub(7))) }
        }
        #[cfg(target_arch = "aarch64")]
        #[inline(always)]
        unsafe fn load_neon(p: *const f64) -> [std::arch::aarch64::float64x2_t; 4] {
            use std::arch::aarch64::vld1q_f64;
            // SAFETY: p[0..8] readable (caller); loads of any alignment; the CPU has NEON.
            unsafe {
                [
                    vld1q_f64(p),
                    vld1q_f64(p.add(2)),
                    vld1q_f64(p.add(4)),
                    vld1q_f64(p.add(6)),
                ]
            }
        }
        #[cfg(target_arch = "aarch64")]
        #[inline(always)]
        unsafe fn reversed_neon(p: *const f64) -> [std::arch::aarch64::float64x2_t; 4] {
            use std::arch::aarch64::{float64x2_t, vextq_f64, vld1q_f64};
            // [p[-2k - 1], p[-2k]] swapped: lanes 2k and 2k + 1 of the reversed view.
            let pair = |k: usize| -> float64x2_t {
                // SAFETY: reads p[-2k - 1..=-2k] for k < 4, inside p[-7..=0], which the
                // caller guarantees readable; the CPU has NEON (caller).
                unsafe {
                    let v = vld1q_f64(p.sub(2 * k + 1));
                    vextq_f64::<1>(v, v)
                }
            };
            [pair(0), pair(1), pair(2), pair(3)]
        }
    }

    /// float32 is widened as it is loaded: no copy of the array in f64.
    impl Load for f32 {
        #[inline(always)]
        fn as_f64(_: &[f32]) -> Option<&[f64]> {
            None
        }
        #[inline(always)]
        unsafe fn load_array(p: *const f32) -> [f64; 8] {
            // SAFETY: the caller guarantees p[0..8] readable; p is aligned as an f32 pointer.
            unsafe { p.cast::<[f32; 8]>().read() }.map(f64::from)
        }
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn load_avx2(p: *const f32) -> (__m256d, __m256d) {
            // SAFETY: p[0..8] readable (caller); unaligned loads; the CPU has AVX (caller).
            unsafe {
                (
                    _mm256_cvtps_pd(_mm_loadu_ps(p)),
                    _mm256_cvtps_pd(_mm_loadu_ps(p.add(4))),
                )
            }
        }
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn add_avx2(acc: (__m256d, __m256d), p: *const f32) -> (__m256d, __m256d) {
            // SAFETY: p[0..8] readable (caller); the CPU has AVX (caller).
            unsafe {
                let (low, high) = Self::load_avx2(p);
                (
                    crate::pairwise::avx2::add256(acc.0, low),
                    crate::pairwise::avx2::add256(acc.1, high),
                )
            }
        }
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn load_avx512(p: *const f32) -> __m512d {
            // SAFETY: p[0..8] readable (caller); an unaligned load; the CPU has AVX-512F.
            unsafe { _mm512_cvtps_pd(_mm256_loadu_ps(p)) }
        }
        #[inline(always)]
        unsafe fn gather_array(p: *const f32, stride: isize) -> [f64; 8] {
            // SAFETY: the eight values readable (caller).
            unsafe { gather(p, stride) }.map(f64::from)
        }
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn gather_avx2(p: *const f32, stride: isize) -> (__m256d, __m256d) {
            let o = offsets(stride);
            // SAFETY: as f64's, with scale 4: offsets in f32.
            unsafe {
                let o = _mm256_set_epi64x(o[3], o[2], o[1], o[0]);
                (
                    _mm256_cvtps_pd(_mm256_i64gather_ps::<4>(p, o)),
                    _mm256_cvtps_pd(_mm256_i64gather_ps::<4>(p.offset(4 * stride), o)),
                )
            }
        }
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn every_other_avx2(p: *const f32) -> (__m256d, __m256d) {
            // SAFETY: each masked load reads only its unmasked lanes: p[0], p[2], ..., p[14],
            // the values the caller guarantees readable; the CPU has AVX2 (caller).
            unsafe {
                let even = _mm256_set_epi32(0, -1, 0, -1, 0, -1, 0, -1);
                // [p0, _, p2, _, p4, _, p6, _] to [p0, p4, p2, p6] (and the same from p8).
                let order = _mm256_set_epi32(0, 0, 0, 0, 6, 2, 4, 0);
                let half = |q: *const f32| {
                    let values = _mm256_permutevar8x32_ps(_mm256_maskload_ps(q, even), order);
                    _mm256_cvtps_pd(_mm256_castps256_ps128(values))
                };
                (half(p), half(p.add(8)))
            }
        }
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn reversed_avx2(p: *const f32) -> (__m256d, __m256d) {
            // SAFETY: the loads read p[-3..=0] and p[-7..=-4], the values the caller
            // guarantees readable; the CPU has AVX (caller).
            unsafe {
                (
                    _mm256_cvtps_pd(_mm_loadu_ps(p.sub(3))),
                    _mm256_cvtps_pd(_mm_loadu_ps(p.sub(7))),
                )
            }
        }
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn gather_avx512(p: *const f32, stride: isize) -> __m512d {
            let o = offsets(stride);
            // SAFETY: as f64's, with scale 4: offsets in f32.
            unsafe {
                let o = _mm512_set_epi64(o[7], o[6], o[5], o[4], o[3], o[2], o[1], o[0]);
                _mm512_cvtps_pd(_mm512_i64gather_ps::<4>(o, p))
            }
        }
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn every_other_avx512(p: *const f32) -> __m512d {
            // SAFETY: the load reads p[0], p[2], ..., p[14] (mask 0x5555: masked-off lanes
            // are not read), the values the caller guarantees readable; the CPU has AVX-512F
            // (caller).
            unsafe {
                let all = _mm512_maskz_loadu_ps(0x5555, p);
                let evens = _mm512_set_epi32(0, 0, 0, 0, 0, 0, 0, 0, 14, 12, 10, 8, 6, 4, 2, 0);
                let evens = _mm512_permutexvar_ps(evens, all);
                _mm512_cvtps_pd(_mm512_castps512_ps256(evens))
            }
        }
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        unsafe fn reversed_avx512(p: *const f32) -> __m512d {
            // SAFETY: the load reads p[-7..=0], the values the caller guarantees readable;
            // the CPU has AVX-512F (caller).
            unsafe { reverse(_mm512_cvtps_pd(_mm256_loadu_ps(p.sub(7)))) }
        }
        #[cfg(target_arch = "aarch64")]
        #[inline(always)]
        unsafe fn load_neon(p: *const f32) -> [std::arch::aarch64::float64x2_t; 4] {
            use std::arch::aarch64::{vcvt_f64_f32, vcvt_high_f64_f32, vget_low_f32, vld1q_f32};
            // SAFETY: p[0..8] readable (caller); loads of any alignment; the CPU has NEON.
            unsafe {
                let (low, high) = (vld1q_f32(p), vld1q_f32(p.add(4)));
                [
                    vcvt_f64_f32(vget_low_f32(low)),
                    vcvt_high_f64_f32(low),
                    vcvt_f64_f32(vget_low_f32(high)),
                    vcvt_high_f64_f32(high),
                ]
            }
        }
        #[cfg(target_arch = "aarch64")]
        #[inline(always)]
        unsafe fn reversed_neon(p: *const f32) -> [std::arch::aarch64::float64x2_t; 4] {
            use std::arch::aarch64::*;
            // SAFETY: reads p[-7..=-4] and p[-3..=0], the values the caller guarantees
            // readable; the CPU has NEON (caller).
            unsafe {
                // [p[-3], p[-2], p[-1], p[0]] -> [p[0], p[-1], p[-2], p[-3]]
                let reversed = |v: float32x4_t| {
                    let v = vrev64q_f32(v);
                    vextq_f32::<2>(v, v)
                };
                let (low, high) = (reversed(vld1q_f32(p.sub(3))), reversed(vld1q_f32(p.sub(7))));
                [
                    vcvt_f64_f32(vget_low_f32(low)),
                    vcvt_high_f64_f32(low),
                    vcvt_f64_f32(vget_low_f32(high)),
                    vcvt_high_f64_f32(high),
                ]
            }
        }
    }
}
