//! NumPy's pairwise summation of float64, reproduced to the bit, and fast (of float32 too,
//! in float64).
//!
//! Why pairwise: the rounding error grows as O(log n) instead of the O(n) of a loop in order,
//! at no cost in speed. The tree is NumPy's (`pairwise_sum` in
//! `numpy/_core/src/umath/loops_utils.h.src`), and every detail of it decides the bits:
//!
//! - `n < 8`: add in order, starting from `-0.0`.
//! - `8 <= n <= 128`: eight accumulators start as `a[0..8]` and add `a[i + k]` in steps of 8 up
//!   to `n - n % 8`; they combine as `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`; then
//!   the remaining `n % 8` values are added in order.
//! - `n > 128`: split at [`split`]`(n)` and add the two halves' sums.
//!
//! NaN payloads and signs: an x86 addition of two NaNs returns its first operand's NaN, so
//! the operand order of every addition where two NaNs may meet decides the bits, and NumPy's
//! compiled code does not keep its C source's order: GCC inlined the recursive call one level
//! deep and swapped operands differently in each copy. As NumPy's x86-64 wheels run it on
//! CPUs with AVX2 (their `X86_V3` build): nodes at an even depth (the root's) add `left +
//! right`, nodes at an odd depth `right + left`; leaves at an even depth combine their third
//! pair as `r3 + r2`, leaves at an odd depth keep the source's order (see [`Depth`]). The
//! lanes add their values in order, and the tails too. The compiler takes `+` as commutative
//! and swaps operands where that saves a copy or a shuffle, so every such addition here is
//! inline assembly ([`add`], and the vector ones of each kernel), or an addition whose second
//! operand is read from memory (which only the second can be); the tests check the bits on
//! every kernel. (NumPy's build for CPUs without AVX2 adds `left + right` at nodes that are
//! the left child of an odd-depth node: NaN bits there differ from NumPy's on such CPUs.)
//!
//! The eight accumulators of a leaf are eight SIMD lanes (one AVX-512 register, two AVX2
//! ones), and the leaves are independent: only their combination has an order. So the fast
//! paths keep each lane's additions in order and combine in the tree's order, and give the
//! same bits on every CPU, however wide its vectors. float32 values are widened to f64 as
//! they are loaded ([`Value`]): the bits of the tree over the widened values. What made them
//! fast, measured on AMD EPYC (Zen 4, AVX-512, 2026-11-25) and an Intel Xeon (Sapphire Rapids
//! class, AVX-512, 2026-12-01):
//! - explicit vectors for the lanes (the compiler's own choice was 2-lane SSE registers);
//! - no call per leaf: the recursion stops at nodes of up to `BRANCH` (535) values, summed as
//!   one or two nodes of a fixed shape (of up to three leaves each), and the code stays small
//!   (see `kernels!`);
//! - each leaf's loop plain, eight values a step: unrolled, it was 2-4% slower from the caches
//!   (Zen 4, AVX2). On the Xeon the AVX-512 leaves read four lines a step, through a pointer
//!   per stream (`in_lines`): Intel cores split an addition whose address has an index
//!   register in two;
//! - leaves read one after the other: one sequential stream, which the prefetchers follow.
//!   Interleaving neighbouring leaves, or walking same-size subtrees in step, made sums from
//!   the shared cache and main memory 1.2-2.5 times slower on Zen 4 and gained 0-5% on the
//!   Xeon. There, slices larger than its L2 cache are also read asking for the lines 8 KiB
//!   ahead (software prefetch, [`PREFETCH_FROM`]): from main memory, 89-96% of the unordered
//!   sum's speed became 94-102% of an unordered sum that asks ahead too;
//! - loads that do not span two cache lines, with the kernel each CPU runs fastest
//!   ([`Kernel::preferred`]). On Zen 4, AVX2, and for float64 slices that start 16 bytes into
//!   a 32-byte block, as NumPy's large arrays do, aligned loads into accumulators kept rotated
//!   across the lanes (`rotated_leaf`): from the L2 and L3 caches 93-100% of the unordered
//!   sum's speed instead of 84-90%. On the Xeon, AVX-512, a whole line a load, with the
//!   accumulators rotated by where the slice starts in its line (`line_leaf`, one compiled
//!   walk per start): 77-87% of the (AVX-512) unordered sum's speed from the L2 cache where
//!   AVX2 ran at 51-75%, and AVX-512 with loads across lines at 48-52%.

use ndarray::ArrayView1;
use std::marker::PhantomData;
use std::sync::OnceLock;

/// The largest node NumPy sums as a single leaf (its `PW_BLOCKSIZE`).
pub const LEAF: usize = 128;

/// f64 slices of at least this many values (2 MiB, the Xeon's L2 cache per core) are summed
/// by the AVX-512 kernel asking for the lines [`PREFETCH_AHEAD`] values ahead of what its
/// pairs of leaves read (software prefetch), and so is its unordered sum.
///
/// Why: from main memory the tree read less than the unordered sum, 89-96% of its speed at
/// 10^7 and 10^8 values (one thread, Rust harness, an Intel Xeon, 2026-12-01). Asking ahead
/// took it to 100-106% of that sum, and to 94-102% of the unordered sum asking ahead too,
/// which is then the yardstick (asking ahead made it up to 8% faster). On two threads
/// (`parallel_sum`'s split) 89-95% of the parallel unordered sum became 95-101%. From the
/// caches the extra instructions cost 9-14% (10^4 and 10^5 values), hence the threshold;
/// from L3 (10^6 and 3*10^6 values) nothing either way. The AVX2 kernel does not ask: on Zen 4,
/// asking 512 bytes ahead made its sums 15-25% slower from L3 and memory (2026-11-25).
pub const PREFETCH_FROM: usize = 1 << 18;

/// How far ahead the AVX-512 sums ask for lines from [`PREFETCH_FROM`] values on: 8 KiB.
/// Measured from 1 to 16 KiB on the Xeon: 1 and 2 KiB gained less, 4 to 16 KiB were within
/// the noise of each other.
pub const PREFETCH_AHEAD: usize = 1024;

/// `p`, its value hidden from the compiler: an empty `asm!` that the compiler must assume
/// changes it. So it cannot rewrite a loop's addresses as one base plus an index register
/// (see `in_lines`, and [`unordered`]).
#[inline(always)]
// The pointer goes into the assembly for its value only: nothing is read or written.
#[allow(clippy::pointers_in_nomem_asm_block)]
fn opaque(mut p: *const f64) -> *const f64 {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: the assembly is empty: it runs no instruction and leaves p as it is.
    unsafe {
        std::arch::asm!("/* {0} */", inout(reg) p, options(pure, nomem, nostack, preserves_flags));
    }
    p
}

/// Asks the CPU to bring the cache line holding `p` into its L1 cache: a hint, whatever `p`
/// points at (it reads nothing the program sees, and never faults).
#[inline(always)]
fn prefetch(p: *const f64) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is valid for any address: it neither faults nor changes memory.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Where NumPy splits a node of `n > LEAF` values: half, rounded down to a multiple of 8.
#[inline]
pub const fn split(n: usize) -> usize {
    let half = n / 2;
    half - half % 8
}

/// The parity of a node's depth in NumPy's tree (the root's is even), which decides the
/// operand order of its additions where two NaNs meet (see the module's documentation):
/// nothing else in the bits depends on where a node sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// The root, and every node two levels below one of these.
    Even,
    /// The children of [`Depth::Even`] nodes.
    Odd,
}

impl Depth {
    /// The root's.
    pub const ROOT: Depth = Depth::Even;

    /// The depth of this node's children.
    #[inline]
    pub fn child(self) -> Depth {
        match self {
            Depth::Even => Depth::Odd,
            Depth::Odd => Depth::Even,
        }
    }

    /// The sum of a node of more than [`LEAF`] values at this depth from its children's sums,
    /// in NumPy's operand order.
    #[inline]
    pub fn join(self, left: f64, right: f64) -> f64 {
        match self {
            Depth::Even => add(left, right),
            Depth::Odd => add(right, left),
        }
    }
}

/// [`Depth`] as a type, for the kernels: each is compiled for both parities, so that choosing
/// an operand order costs nothing at run time.
trait Parity {
    const ODD: bool;
    /// The parity of the children.
    type Child: Parity;
}

/// The root's parity.
enum Even {}
/// The parity of the root's children.
enum Odd {}

impl Parity for Even {
    const ODD: bool = false;
    type Child = Odd;
}

impl Parity for Odd {
    const ODD: bool = true;
    type Child = Even;
}

/// `x + y` with `x` the first operand of the x86 addition (whose NaN wins when both are NaN):
/// written as `+`, the compiler may swap them.
#[inline(always)]
pub fn add(x: f64, y: f64) -> f64 {
    add_in::<false>(x, y)
}

/// [`add`] as the SSE instruction (`VEX` = false) or its AVX form: code compiled for AVX
/// should not mix in SSE instructions, which then wait for the upper halves of the registers.
#[inline(always)]
fn add_in<const VEX: bool>(x: f64, y: f64) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        let mut x = x;
        // SAFETY: one addition between two registers: no memory; like any float addition it
        // may set MXCSR's exception flags (so no `preserves_flags`). The AVX form only runs
        // in kernels that the CPU was checked to have AVX for.
        unsafe {
            if VEX {
                std::arch::asm!("vaddsd {x}, {x}, {y}", x = inout(xmm_reg) x, y = in(xmm_reg) y,
                    options(pure, nomem, nostack));
            } else {
                std::arch::asm!("addsd {x}, {y}", x = inout(xmm_reg) x, y = in(xmm_reg) y,
                    options(pure, nomem, nostack));
            }
        }
        x
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        x + y
    }
}

/// A type whose values the tree sums in f64: f64 itself, and f32, each value widened exactly
/// as it is read (the bits of NumPy's tree over `a.astype(np.float64)`).
pub trait Value: sealed::Load + Send + Sync {
    /// The value as an f64 (exact).
    fn to_f64(self) -> f64;
    /// The kernel that sums values of this type fastest on this CPU.
    fn preferred_kernel() -> Kernel;
}

impl Value for f64 {
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    /// [`Kernel::preferred`].
    #[inline]
    fn preferred_kernel() -> Kernel {
        Kernel::preferred()
    }
}

impl Value for f32 {
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    /// AVX2 where the CPU has it, else [`Kernel::best`]: widening eight float32 a step, AVX2
    /// was 9-12% faster than AVX-512 from the caches on Zen 4 (2026-11-25), and 12-20% faster
    /// from the L1 and L2 caches on an Intel Xeon (6-8% slower from L3, the same from memory;
    /// 2026-12-01).
    #[inline]
    fn preferred_kernel() -> Kernel {
        if Kernel::Avx2.is_supported() {
            Kernel::Avx2
        } else {
            Kernel::best()
        }
    }
}

/// How each kernel reads eight values of a [`Value`] type into its lanes: inside the crate.
mod sealed {
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
        /// loads of a strided line (`super::Line`), each value read where it is.
        unsafe fn gather_array(p: *const Self, stride: isize) -> [f64; 8];
        #[cfg(target_arch = "x86_64")]
        unsafe fn gather_avx2(p: *const Self, stride: isize) -> (__m256d, __m256d);
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
                    super::x86::add256(acc.0, low),
                    super::x86::add256(acc.1, high),
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
    }
}

/// The tree written as plainly as possible, in NumPy's operand order: the reference the fast
/// paths are tested against.
pub fn sum_reference<T: Value>(a: &[T]) -> f64 {
    sum_reference_at(a, Depth::ROOT)
}

/// [`sum_reference`] of a node at `depth` of a larger tree.
pub fn sum_reference_at<T: Value>(a: &[T], depth: Depth) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = -0.0;
        for &x in a {
            res = add(res, x.to_f64());
        }
        res
    } else if n <= LEAF {
        let mut r = [0.0; 8];
        for k in 0..8 {
            r[k] = a[k].to_f64();
        }
        let mut i = 8;
        while i < n - n % 8 {
            for k in 0..8 {
                r[k] = add(r[k], a[i + k].to_f64());
            }
            i += 8;
        }
        let r23 = match depth {
            Depth::Even => add(r[3], r[2]),
            Depth::Odd => add(r[2], r[3]),
        };
        let mut res = add(
            add(add(r[0], r[1]), r23),
            add(add(r[4], r[5]), add(r[6], r[7])),
        );
        while i < n {
            res = add(res, a[i].to_f64());
            i += 1;
        }
        res
    } else {
        let n2 = split(n);
        let left = sum_reference_at(&a[..n2], depth.child());
        depth.join(left, sum_reference_at(&a[n2..], depth.child()))
    }
}

/// The pairwise sum of `a` in NumPy's order, with the fastest [`Kernel`] on this CPU for `T`
/// ([`Value::preferred_kernel`]).
///
/// `np.sum` adds this to its identity, `+0.0`: see [`crate::sum_f64_slice`].
#[inline]
pub fn pairwise_sum<T: Value>(a: &[T]) -> f64 {
    T::preferred_kernel().pairwise_sum(a)
}

/// [`pairwise_sum`] of a node at `depth` of a larger tree (`parallel_sum`'s subtrees).
#[inline]
pub fn pairwise_sum_at<T: Value>(a: &[T], depth: Depth) -> f64 {
    T::preferred_kernel().pairwise_sum_at(a, depth)
}

/// The pairwise sum of `n` values taken in order from `values` (which must hold `n`), for
/// views that are neither one slice nor, on a CPU with AVX-512, one strided line
/// ([`Kernel::pairwise_sum_line`]): N-D views whose axes do not merge, and every strided view
/// on other CPUs.
///
/// Each node of at most [`GATHER`] values is gathered into a buffer and summed by the fast
/// kernel: a node's sum depends only on its values and its size, so this is the same tree.
pub fn pairwise_sum_of(n: usize, values: impl Gather) -> f64 {
    pairwise_sum_of_at(n, values, Depth::ROOT)
}

/// [`pairwise_sum_of`] for a node at `depth` of a larger tree.
pub fn pairwise_sum_of_at(n: usize, mut values: impl Gather, depth: Depth) -> f64 {
    let mut buffer = Buffer([0.0; GATHER]);
    gathered(n, &mut values, &mut buffer.0, depth)
}

/// The gather buffer, on a cache line of its own: no load of the kernels spans two lines.
#[repr(align(64))]
struct Buffer([f64; GATHER]);

/// How many values [`pairwise_sum_of`] gathers at a time (8 KiB, on the stack). Small enough
/// to stay in the L1 cache while the values stream through it: with 4096 (32 KiB, all of L1)
/// strided sums took 1.7x as long, with 256 the calls per node began to cost (10^6 values,
/// measured 2026-11-25).
pub const GATHER: usize = 1024;

/// Where [`pairwise_sum_of`] takes its values from, in summation order, a buffer at a time.
pub trait Gather {
    /// Writes the next `out.len()` values into `out`; panics if there are fewer.
    fn gather(&mut self, out: &mut [f64]);
}

/// An iterator is a source a value at a time (simple, and slow for long sums: see
/// `fast_operations::sum_in_index_order` for views).
impl<I: Iterator<Item = f64>> Gather for I {
    fn gather(&mut self, out: &mut [f64]) {
        for slot in out {
            *slot = self
                .next()
                .expect("the values ran out before the sum's length");
        }
    }
}

fn gathered(n: usize, values: &mut impl Gather, buffer: &mut [f64; GATHER], depth: Depth) -> f64 {
    if n <= GATHER {
        let node = &mut buffer[..n];
        values.gather(node);
        f64::preferred_kernel().pairwise_sum_at(node, depth)
    } else {
        let n2 = split(n);
        let left = gathered(n2, values, buffer, depth.child());
        depth.join(left, gathered(n - n2, values, buffer, depth.child()))
    }
}

/// One compiled copy of the tree, for one level of x86-64 vector instructions.
///
/// Every kernel gives the same bits; they differ only in speed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// Plain x86-64 (SSE2): runs on every x86-64 CPU, and is the only kernel on other CPUs.
    Baseline,
    /// AVX2: 4 lanes of f64 per instruction.
    Avx2,
    /// AVX-512F: 8 lanes, a whole leaf's accumulators in one register.
    Avx512,
}

impl Kernel {
    /// Every kernel, slowest first.
    pub const ALL: [Kernel; 3] = [Kernel::Baseline, Kernel::Avx2, Kernel::Avx512];

    /// Whether this CPU can run the kernel.
    pub fn is_supported(self) -> bool {
        match self {
            Kernel::Baseline => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => is_x86_feature_detected!("avx512f"),
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The fastest kernel this CPU supports, detected once.
    pub fn best() -> Kernel {
        static BEST: OnceLock<Kernel> = OnceLock::new();
        *BEST.get_or_init(|| {
            Kernel::ALL
                .into_iter()
                .rev()
                .find(|k| k.is_supported())
                .unwrap_or(Kernel::Baseline)
        })
    }

    /// The kernel the float64 sums use (and the unordered yardstick): [`Kernel::best`], but on
    /// AMD CPUs AVX2 rather than AVX-512. (float32: [`Value::preferred_kernel`].)
    ///
    /// Measured (10^3 to 10^7 values, the same bits on every kernel, the unordered sum of the
    /// same kernel as yardstick):
    /// - Intel Xeon (Sapphire Rapids class, 2 vCPUs, 2026-12-01): AVX-512 (whole cache lines,
    ///   `line_leaf`) ran at 86-87% of the fastest unordered sum from the L2 cache (10^4 and
    ///   10^5 values) on slices that start on a line and 77-80% on slices 16 or 24 bytes into
    ///   one; AVX2 at 51-75%. From L3 and memory the two were within a few percent. And
    ///   AVX-512's unordered sum is itself 15-20% faster than AVX2's there.
    /// - AMD Zen 4 (2026-11-25), which splits each 512-bit operation in two: AVX2 reads a
    ///   slice that starts 16 bytes into a 32-byte block (where NumPy's large arrays start)
    ///   with aligned loads only (`rotated_leaf`): 93-100% of the unordered sum's speed from
    ///   the caches, where AVX-512's loads, each spanning two cache lines, ran at 84-90%, and
    ///   AVX-512 was 15-25% slower from main memory (10^7). (The whole-line AVX-512 leaf was
    ///   not measured there.)
    ///
    /// Decided once: CPUID traps to the hypervisor in a virtual machine (a microsecond or more).
    pub fn preferred() -> Kernel {
        static PREFERRED: OnceLock<Kernel> = OnceLock::new();
        *PREFERRED.get_or_init(|| match Kernel::best() {
            Kernel::Avx512 if is_amd() && Kernel::Avx2.is_supported() => Kernel::Avx2,
            best => best,
        })
    }

    /// The pairwise sum of `a` with this kernel. Panics if the CPU does not support it.
    pub fn pairwise_sum<T: Value>(self, a: &[T]) -> f64 {
        self.pairwise_sum_at(a, Depth::ROOT)
    }

    /// [`Kernel::pairwise_sum`] of a node at `depth` of a larger tree.
    pub fn pairwise_sum_at<T: Value>(self, a: &[T], depth: Depth) -> f64 {
        assert!(self.is_supported(), "{self:?} is not supported by this CPU");
        if a.len() < 8 {
            return sum_reference_at(a, depth);
        }
        match depth {
            // SAFETY: at least 8 values (above), on a CPU that has the kernel (the assert).
            Depth::Even => unsafe { self.walk::<Even, T>(a) },
            // SAFETY: as above.
            Depth::Odd => unsafe { self.walk::<Odd, T>(a) },
        }
    }

    /// The walk of this kernel over a node of parity `P`.
    ///
    /// # Safety
    /// The caller guarantees `a.len() >= 8` and a CPU that has this kernel.
    unsafe fn walk<P: Parity, T: Value>(self, a: &[T]) -> f64 {
        match self {
            // SAFETY: at least 8 values (the caller); the walk with its own kernel's lanes,
            // on a CPU that has its instructions (the caller). The same for each arm.
            Kernel::Baseline => unsafe { walk_baseline::<[f64; 8], P, T>(a) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Kernel::Avx2 => unsafe { walk_avx2::<x86::Avx2, P, T>(a) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Kernel::Avx512 => unsafe { walk_avx512_from_line::<P, T>(a) },
            #[cfg(not(target_arch = "x86_64"))]
            _ => unreachable!(),
        }
    }

    /// The pairwise sum of the values of `line`, a 1-D view of any stride, in index order,
    /// with this kernel: each group of eight values read where it is, nothing copied and
    /// nothing outside the view read (gathers; with AVX-512, lines of stride 2 by masked loads
    /// and reversed lines by reversed loads: `x86::Strided`). The same bits as
    /// [`Kernel::pairwise_sum`] of a copy of the values. Panics if the CPU does not support
    /// the kernel.
    ///
    /// AVX-512 asks for the lines 8 KiB ahead in lines that span at least 2 MiB (as the
    /// tree over slices does from [`PREFETCH_FROM`] values), and in lines whose values are 64
    /// bytes or more apart (a column of a matrix) only for the lines of values ahead, not
    /// for every line of the span: float64 `a[::2]`, `a[::-1]`
    /// and `a[::3]`, float32 `a[::2]` and `a[::-1]`, of 3 * 10^5 to 10^7 values, were summed
    /// 1.00-1.52x faster for it (Rust harness, side by side, 31 rounds, an Intel Xeon,
    /// 2026-12-01; the same code against itself there: 0.99-1.02x).
    pub fn pairwise_sum_line<T: Value>(self, line: ArrayView1<'_, T>) -> f64 {
        self.pairwise_sum_line_at(line, Depth::ROOT)
    }

    /// [`Kernel::pairwise_sum_line`] of a node at `depth` of a larger tree.
    pub fn pairwise_sum_line_at<T: Value>(self, line: ArrayView1<'_, T>, depth: Depth) -> f64 {
        assert!(self.is_supported(), "{self:?} is not supported by this CPU");
        let line = Line::of(&line);
        match depth {
            // SAFETY: a CPU that has the kernel (the assert above).
            Depth::Even => unsafe { self.line::<Even, T>(line) },
            // SAFETY: as above.
            Depth::Odd => unsafe { self.line::<Odd, T>(line) },
        }
    }

    /// The walk of this kernel over a strided line of parity `P`.
    ///
    /// # Safety
    /// The caller guarantees a CPU that has this kernel.
    unsafe fn line<P: Parity, T: Value>(self, line: Line<'_, T>) -> f64 {
        match self {
            // SAFETY: the walk with its own kernel's lanes, on a CPU that has its
            // instructions (the caller). The same for each arm.
            Kernel::Baseline => unsafe { line_baseline::<[f64; 8], P, T>(line) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Kernel::Avx2 => unsafe { line_avx2::<x86::Avx2, P, T>(line) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Kernel::Avx512 => unsafe {
                let far = line.len * line.stride.unsigned_abs() * std::mem::size_of::<T>()
                    >= 8 * PREFETCH_FROM;
                match (line.stride, far) {
                    (2, false) => line_avx512::<x86::Strided<2, false>, P, T>(line),
                    (-1, false) => line_avx512::<x86::Strided<-1, false>, P, T>(line),
                    (_, false) => line_avx512::<x86::Strided<0, false>, P, T>(line),
                    (2, true) => line_avx512::<x86::Strided<2, true>, P, T>(line),
                    (-1, true) => line_avx512::<x86::Strided<-1, true>, P, T>(line),
                    (_, true) => line_avx512::<x86::Strided<0, true>, P, T>(line),
                }
            },
            #[cfg(not(target_arch = "x86_64"))]
            _ => unreachable!(),
        }
    }

    /// A many-accumulator sum in no particular order: not NumPy's bits, but the fastest sum
    /// this CPU can do. The comparison uses it as the yardstick for [`Kernel::pairwise_sum`].
    pub fn unordered_sum(self, a: &[f64]) -> f64 {
        assert!(self.is_supported(), "{self:?} is not supported by this CPU");
        match self {
            Kernel::Baseline => unordered_baseline::<0>(a),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the assert above checked that the CPU has AVX2.
            Kernel::Avx2 => unsafe { unordered_avx2::<0>(a) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the assert above checked that the CPU has AVX-512F. Prefetching as
            // the AVX-512 tree does: see PREFETCH_FROM.
            Kernel::Avx512 if a.len() >= PREFETCH_FROM => unsafe {
                unordered_avx512::<PREFETCH_AHEAD>(a)
            },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Kernel::Avx512 => unsafe { unordered_avx512::<0>(a) },
            #[cfg(not(target_arch = "x86_64"))]
            _ => unreachable!(),
        }
    }
}

/// Whether the CPU is AMD's (its CPUID vendor string is "AuthenticAMD").
#[cfg(target_arch = "x86_64")]
fn is_amd() -> bool {
    let id = std::arch::x86_64::__cpuid(0);
    [id.ebx, id.edx, id.ecx] == [*b"Auth", *b"enti", *b"cAMD"].map(u32::from_le_bytes)
}

#[cfg(not(target_arch = "x86_64"))]
fn is_amd() -> bool {
    false
}

/// Eight f64 lanes in whatever registers a kernel has: the eight accumulators of a leaf.
///
/// # Safety
/// The methods may use instructions beyond x86-64's baseline: call them only from code
/// compiled for, and running on, a CPU that has them (the `kernels!` functions below).
trait Lanes8: Copy {
    /// `p[0..8]`, widened to f64; the caller guarantees that those eight values are readable.
    unsafe fn load<T: Value>(p: *const T) -> Self;
    /// `p[0], p[stride], ..., p[7 * stride]`, widened to f64; the caller guarantees them
    /// readable.
    unsafe fn load_strided<T: Value>(p: *const T, stride: isize) -> Self;
    /// Whether the kernel's code is compiled for AVX (see [`add_in`]).
    const VEX: bool;
    /// Lane by lane, `self` the first operand of each addition.
    unsafe fn add(self, other: Self) -> Self;
    /// `self + p[0..8]` (widened), lane by lane, `self` the first operand; the caller
    /// guarantees `p[0..8]` readable.
    #[inline(always)]
    unsafe fn add_load<T: Value>(self, p: *const T) -> Self {
        // SAFETY: forwarded from the caller (p[0..8] readable, the CPU's instructions).
        unsafe { self.add(Self::load(p)) }
    }
    /// NumPy's combination of a leaf's accumulators at a depth of parity `P`:
    /// `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`, `r3 + r2` at an even depth.
    unsafe fn combine<P: Parity>(self) -> f64;
    /// `x + y`, `x` the first operand, in the kernel's instructions.
    #[inline(always)]
    fn add_scalar(x: f64, y: f64) -> f64 {
        if Self::VEX {
            add_in::<true>(x, y)
        } else {
            add_in::<false>(x, y)
        }
    }
    /// A leaf of `8 <= a.len() <= LEAF` values; the caller guarantees the length.
    #[inline(always)]
    unsafe fn sum_leaf<P: Parity, T: Value>(a: &[T]) -> f64 {
        // SAFETY: forwarded from the caller (the length, and the CPU's instructions).
        unsafe { leaf::<Self, P, T>(a) }
    }
    /// The sums of two neighbouring leaves, `a[..mid]` and `a[mid..]`, where `mid` is
    /// [`split`]`(a.len())` and each part is a leaf (so `mid` is a multiple of 8, and the right
    /// leaf has as many groups of eight as the left, or one more). The caller guarantees that
    /// shape. One after the other, unless a kernel has a faster way.
    #[inline(always)]
    unsafe fn sum_leaf_pair<P: Parity, T: Value>(a: &[T], mid: usize) -> (f64, f64) {
        // SAFETY: forwarded from the caller (two leaves, the CPU's instructions).
        unsafe { leaves_in_turn::<Self, P, T>(a, mid) }
    }
}

/// The sum of a node of parity `P` from its children's: NumPy's operand order.
#[inline(always)]
fn join<V: Lanes8, P: Parity>(left: f64, right: f64) -> f64 {
    if P::ODD {
        V::add_scalar(right, left)
    } else {
        V::add_scalar(left, right)
    }
}

/// [`Lanes8::sum_leaf_pair`] one leaf after the other.
///
/// # Safety
/// As [`Lanes8::sum_leaf_pair`].
#[inline(always)]
unsafe fn leaves_in_turn<V: Lanes8, P: Parity, T: Value>(a: &[T], mid: usize) -> (f64, f64) {
    let (left, right) = a.split_at(mid);
    // SAFETY: forwarded from the caller (two leaves, the CPU's instructions).
    unsafe { (V::sum_leaf::<P, T>(left), V::sum_leaf::<P, T>(right)) }
}

/// `res` plus a leaf's last `rest.len() < 8` values, one after the other, `res` the first
/// operand of each addition.
#[inline(always)]
fn add_rest<V: Lanes8, T: Value>(mut res: f64, rest: &[T]) -> f64 {
    for &x in rest {
        res = V::add_scalar(res, x.to_f64());
    }
    res
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
    /// it swaps the operands of SSE's two-operand additions where that saves a copy.
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
            let mut sum = self;
            for k in 0..8 {
                sum[k] += other[k];
            }
            sum
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

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{Lanes8, PREFETCH_AHEAD, Parity, Value};
    use std::arch::x86_64::*;

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
    pub(super) unsafe fn add256(mut x: __m256d, y: __m256d) -> __m256d {
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

    /// [`add256`] on eight lanes.
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn add512(mut x: __m512d, y: __m512d) -> __m512d {
        // SAFETY: one addition between registers; the CPU has AVX-512F (the caller).
        unsafe {
            std::arch::asm!("vaddpd {x}, {x}, {y}", x = inout(zmm_reg) x, y = in(zmm_reg) y,
                options(pure, nomem, nostack));
        }
        x
    }

    /// `x + y` in the lanes of `mask`, `x` in the others; `x` the first operand (see
    /// [`add256`]).
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn mask_add512(mut x: __m512d, mask: __mmask8, y: __m512d) -> __m512d {
        // SAFETY: one masked addition between registers; the CPU has AVX-512F (the caller).
        unsafe {
            std::arch::asm!("vaddpd {x}{{{k}}}, {x}, {y}", x = inout(zmm_reg) x, k = in(kreg) mask,
                y = in(zmm_reg) y, options(pure, nomem, nostack));
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
            super::add_in::<true>(_mm_cvtsd_f64(quads), high)
        }
    }

    /// Two 4-lane AVX registers: `r0..r4` and `r4..r8`.
    #[derive(Clone, Copy)]
    pub(super) struct Avx2(__m256d, __m256d);

    impl Lanes8 for Avx2 {
        /// f64 leaves 16 bytes past a 32-byte boundary (NumPy's large arrays start there) are
        /// read with aligned loads only ([`rotated_leaf`]); the others eight values a load.
        #[inline(always)]
        unsafe fn sum_leaf<P: Parity, T: Value>(a: &[T]) -> f64 {
            match T::as_f64(a) {
                // SAFETY: the length and the CPU as the caller guarantees, the start checked.
                Some(a) if a.as_ptr() as usize % 32 == 16 => unsafe { rotated_leaf::<P>(a) },
                // SAFETY: forwarded from the caller (8 <= a.len() <= LEAF, the CPU has AVX2).
                _ => unsafe { super::leaf::<Self, P, T>(a) },
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
    /// Why: with that start, every other 32-byte load of the plain leaf spans two cache
    /// lines, and such leaves ran at 84-90% of the unordered sum's speed from the L2 and L3
    /// caches; read this way, at 93-100% (Zen 4, 2026-11-25).
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
        debug_assert!(8 <= a.len() && a.len() <= super::LEAF);
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
            super::add_rest::<Avx2, f64>(res, &a[full..])
        }
    }

    /// One 8-lane AVX-512 register, for leaves of f64 that start `AT` values into a cache
    /// line (`AT` = 0 for f64 slices that start on a line, and for f32, eight values a load):
    /// every leaf of a slice starts at the same place in its line, as the tree splits at
    /// multiples of 8 values. `AHEAD` > 0: the pairs of leaves ask for the lines `AHEAD`
    /// values ahead of what they read (see [`PREFETCH_AHEAD`](super::PREFETCH_AHEAD)).
    #[derive(Clone, Copy)]
    pub(super) struct Avx512<const AT: usize, const AHEAD: usize>(__m512d);

    impl<const AT: usize, const AHEAD: usize> Lanes8 for Avx512<AT, AHEAD> {
        /// f64 leaves are read a whole line at a time ([`line_leaf`]); f32 eight values a load.
        #[inline(always)]
        unsafe fn sum_leaf<P: Parity, T: Value>(a: &[T]) -> f64 {
            match T::as_f64(a) {
                // SAFETY: the length and the CPU as the caller guarantees; the caller of the
                // walk for AT checked the start (Kernel::pairwise_sum).
                Some(a) => unsafe { line_leaf::<AT, P>(a) },
                // SAFETY: forwarded from the caller (8 <= a.len() <= LEAF, the CPU has AVX-512F).
                None => unsafe { super::leaf::<Self, P, T>(a) },
            }
        }
        /// f64: the two leaves in step ([`line_leaf_pair`]).
        #[inline(always)]
        unsafe fn sum_leaf_pair<P: Parity, T: Value>(a: &[T], mid: usize) -> (f64, f64) {
            match T::as_f64(a) {
                // SAFETY: the shape and the CPU as the caller guarantees; the caller of the
                // walk for AT checked the start (Kernel::pairwise_sum).
                Some(a) => unsafe { line_leaf_pair::<AT, AHEAD, P>(a, mid) },
                // SAFETY: forwarded from the caller (two leaves, the CPU has AVX-512F).
                None => unsafe { super::leaves_in_turn::<Self, P, T>(a, mid) },
            }
        }
        #[inline(always)]
        unsafe fn load<T: Value>(p: *const T) -> Self {
            // SAFETY: forwarded from the caller (p[0..8] readable, the CPU has AVX-512F).
            unsafe { Avx512(T::load_avx512(p)) }
        }
        #[inline(always)]
        unsafe fn load_strided<T: Value>(p: *const T, stride: isize) -> Self {
            // SAFETY: forwarded from the caller (the eight values readable, the CPU has
            // AVX-512F).
            unsafe { Avx512(T::gather_avx512(p, stride)) }
        }
        const VEX: bool = true;
        #[inline(always)]
        unsafe fn add(self, o: Self) -> Self {
            // SAFETY: the CPU has AVX-512F (the trait's contract).
            unsafe { Avx512(add512(self.0, o.0)) }
        }
        #[inline(always)]
        unsafe fn combine<P: Parity>(self) -> f64 {
            // SAFETY: the CPU has AVX-512F (the trait's contract).
            unsafe { combine::<P>(self.0) }
        }
    }

    /// How far ahead, in values, lines of a stride of 64 bytes or more ask for values: as many
    /// cache lines ahead as the slices' sums ask for (`PREFETCH_AHEAD` f64, a line per value).
    const VALUES_AHEAD: isize = (PREFETCH_AHEAD * size_of::<f64>() / 64) as isize;

    /// AVX-512 lanes for strided lines, each group of eight values read as its stride allows:
    /// `STRIDE` = 2 (`a[::2]`, the real parts of a complex array) by masked loads of the
    /// group's span, which leave the values between unread; -1 (`a[::-1]`) by one load, its
    /// lanes reversed; 0 (any stride) by a gather. `AHEAD`: each load first asks for the
    /// cache lines of values further along (software prefetch; see
    /// `Kernel::pairwise_sum_line`): for strides under 64 bytes the lines of the group's span
    /// 8 KiB further along, for larger ones only the lines of the group's values some
    /// groups ahead ([`VALUES_AHEAD`]), not the lines between, which hold nothing of the view.
    #[derive(Clone, Copy)]
    pub(super) struct Strided<const STRIDE: isize, const AHEAD: bool>(__m512d);

    impl<const STRIDE: isize, const AHEAD: bool> Lanes8 for Strided<STRIDE, AHEAD> {
        #[inline(always)]
        unsafe fn load<T: Value>(p: *const T) -> Self {
            // SAFETY: forwarded from the caller (p[0..8] readable, the CPU has AVX-512F).
            unsafe { Strided(T::load_avx512(p)) }
        }
        /// `stride` must be `STRIDE` unless that is 0: the caller of the walk with these
        /// lanes picked them by the line's stride.
        #[inline(always)]
        unsafe fn load_strided<T: Value>(p: *const T, stride: isize) -> Self {
            debug_assert!(STRIDE == 0 || stride == STRIDE);
            if AHEAD {
                let stride = if STRIDE == 0 { stride } else { STRIDE };
                let step = stride.unsigned_abs() * std::mem::size_of::<T>();
                if step >= 64 {
                    // Each value in a cache line of its own, and the lines between hold
                    // nothing of the view: only the lines of the values VALUES_AHEAD further
                    // along the line, a prefetch per value.
                    for k in 0..8 {
                        let ahead = p.wrapping_offset((VALUES_AHEAD + k) * stride);
                        super::prefetch(ahead.cast());
                    }
                } else {
                    // Every cache line of the group 8 KiB further along: one prefetch per 64
                    // bytes of its span (at most 8), from its first value on, the way the
                    // line goes.
                    let way = stride.signum();
                    let ahead = p
                        .cast::<f64>()
                        .wrapping_byte_offset(8 * PREFETCH_AHEAD as isize * way);
                    for k in 0..(8 * step).div_ceil(64) {
                        super::prefetch(ahead.wrapping_byte_offset(64 * k as isize * way));
                    }
                }
            }
            // SAFETY: forwarded from the caller (p[0], p[stride], ..., p[7 * stride]
            // readable, the CPU has AVX-512F); for STRIDE 2 and -1 those are the values the
            // loads read.
            unsafe {
                Strided(match STRIDE {
                    2 => T::every_other_avx512(p),
                    -1 => T::reversed_avx512(p),
                    _ => T::gather_avx512(p, stride),
                })
            }
        }
        const VEX: bool = true;
        #[inline(always)]
        unsafe fn add(self, o: Self) -> Self {
            // SAFETY: the CPU has AVX-512F (the trait's contract).
            unsafe { Strided(add512(self.0, o.0)) }
        }
        #[inline(always)]
        unsafe fn combine<P: Parity>(self) -> f64 {
            // SAFETY: the CPU has AVX-512F (the trait's contract).
            unsafe { combine::<P>(self.0) }
        }
    }

    /// NumPy's combination of a leaf's eight accumulators at a depth of parity `P`, lane `k`
    /// holding `r[k]`: `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`, with `r3 + r2`
    /// at an even depth.
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[inline(always)]
    unsafe fn combine<P: Parity>(r: __m512d) -> f64 {
        // SAFETY: the CPU has AVX-512F (the caller).
        unsafe {
            // At an even depth, lanes 2 and 3 swapped: [r0, r1, r3, r2, r4, ...].
            let r = if P::ODD {
                r
            } else {
                _mm512_permute_pd::<0b1010_0110>(r)
            };
            // Lanes 0, 2, 4, 6: r0 + r1, r2 + r3 (or r3 + r2), r4 + r5, r6 + r7, the even
            // lanes the first operands.
            let pairs = add512(r, _mm512_permute_pd::<0b0101_0101>(r));
            // Lanes 0 and 4: (r0 + r1) + (r2 + r3) and (r4 + r5) + (r6 + r7).
            let quads = add512(pairs, _mm512_permutex_pd::<0b01_00_11_10>(pairs));
            let low = _mm512_castpd512_pd256(quads);
            let high = _mm512_extractf64x4_pd::<1>(quads);
            super::add_in::<true>(_mm256_cvtsd_f64(low), _mm256_cvtsd_f64(high))
        }
    }

    /// A leaf of `8 <= a.len() <= LEAF` f64 values that starts `AT` values (0 to 7) into a
    /// cache line, read with aligned 64-byte loads: a load per line instead of two halves of
    /// two lines (at `AT` = 0 the first line is whole and there is no last one to mask).
    ///
    /// Why: at a start other than 0 every load of the plain leaf spans two lines, and on an
    /// Intel Xeon (2026-12-01) those trees ran at 48-52% of the unordered sum's speed from the
    /// L2 cache; read this way, at 77-80%.
    ///
    /// How, with the same bits (as [`rotated_leaf`], a whole line at a time): the line at
    /// `a - AT + 8g` holds `a[8g - AT..8g - AT + 8]`, so register lane `j` always receives
    /// values of the leaf's lane `(j - AT) mod 8`, in order: the accumulators live rotated by
    /// `AT` lanes, and are rotated back once, before NumPy's combination. The first line's
    /// lanes before `a[0]` and the last line's from `a[full]` on are masked off: not read
    /// (masked loads do not touch masked-off memory). The first line's start as `-0.0`, the
    /// one value whose addition changes no bits (see [`rotated_leaf`]); the last line's are
    /// not added (a masked addition), as in [`line_leaf_pair`].
    ///
    /// # Safety
    /// The caller guarantees `8 <= a.len() <= LEAF`, `a.as_ptr() % 64 == 8 * AT` with
    /// `AT <= 7`, and a CPU with AVX-512F.
    #[inline(always)]
    unsafe fn line_leaf<const AT: usize, P: Parity>(a: &[f64]) -> f64 {
        debug_assert!(8 <= a.len() && a.len() <= super::LEAF);
        debug_assert!(AT < 8 && a.as_ptr() as usize % 64 == 8 * AT);
        let groups = a.len() / 8;
        let full = groups * 8;
        // Lanes AT.. of the first line are a[0..8 - AT]; lanes ..AT of the line after the
        // last full group are a[full - AT..full].
        let head: __mmask8 = 0xFF << AT;
        let line = a.as_ptr().wrapping_sub(AT);
        // SAFETY: the reads are a[0..8 - AT] (head), for 1 <= g < groups the line
        // a[8g - AT..8g - AT + 8], aligned (a starts AT values into its line), and
        // a[full - AT..full] (tail): all inside a. The masked-off lanes are not read. The CPU
        // has AVX-512F (the caller).
        unsafe {
            let mut r = _mm512_mask_loadu_pd(_mm512_set1_pd(-0.0), head, line);
            in_lines([line.wrapping_add(8)], groups - 1, |[p]| {
                r = _mm512_add_pd(r, _mm512_load_pd(p));
            });
            let tail = _mm512_maskz_loadu_pd(!head, line.wrapping_add(full));
            let r = unrotate::<AT>(mask_add512(r, !head, tail));
            super::add_rest::<Avx512<AT, 0>, f64>(combine::<P>(r), &a[full..])
        }
    }

    /// Two neighbouring leaves of f64, `a[..mid]` and `a[mid..]`, that start `AT` values (0 to
    /// 7) into a cache line, read as [`line_leaf`] reads one, in step: two independent chains
    /// of additions in one loop.
    ///
    /// Why: a leaf is one chain of dependent additions, and across leaves only the core's
    /// out-of-order window overlaps them. On the Xeon (2026-12-01), with both threads summing
    /// (parallel_sum's tree, 16-byte start), two leaves in step took the sum from 66% to 81%
    /// of the unordered sum's speed at 10^5 values, 91 to 96% at 10^6, 84 to 90% at 10^7 and
    /// 88 to 90% at 10^8; on one thread it changed nothing measurable. The line where the
    /// right leaf starts holds the left leaf's last values too: it is read once, for both.
    ///
    /// # Safety
    /// The caller guarantees the shape of [`Lanes8::sum_leaf_pair`], `a.as_ptr() % 64 ==
    /// 8 * AT` with `AT <= 7`, and a CPU with AVX-512F.
    #[inline(always)]
    unsafe fn line_leaf_pair<const AT: usize, const AHEAD: usize, P: Parity>(
        a: &[f64],
        mid: usize,
    ) -> (f64, f64) {
        debug_assert!(AT < 8 && a.as_ptr() as usize % 64 == 8 * AT);
        debug_assert!((8..=super::LEAF).contains(&mid) && mid.is_multiple_of(8));
        let (gl, gr) = (mid / 8, (a.len() - mid) / 8);
        debug_assert!(gr == gl || gr == gl + 1);
        let head: __mmask8 = 0xFF << AT;
        // Lane mask of the right leaf's group gl: all of it if it has one more group than
        // the left, none if not (a mask, not a branch: the two cases alternate).
        let more: __mmask8 = u8::from(gr > gl).wrapping_neg();
        let left = a.as_ptr().wrapping_sub(AT);
        let right = left.wrapping_add(mid);
        // SAFETY: as in line_leaf, for each leaf: left reads a[0..8 - AT], the lines
        // a[8g - AT..8g - AT + 8] for 1 <= g < gl, and its last AT values from the shared line
        // a[mid - AT..mid - AT + 8]; right reads that shared line's lanes AT.., its lines
        // g < gr, and a[mid + 8gr - AT..mid + 8gr]. All inside a; masked-off lanes are not
        // read; every full-line load is aligned (a starts AT values into its line, and mid is
        // a multiple of 8). The CPU has AVX-512F (the caller).
        unsafe {
            let minus_zero = _mm512_set1_pd(-0.0);
            let mut x = _mm512_mask_loadu_pd(minus_zero, head, left);
            let shared = _mm512_load_pd(right);
            let mut y = _mm512_mask_mov_pd(minus_zero, head, shared);
            in_lines(
                [left.wrapping_add(8), right.wrapping_add(8)],
                gl - 1,
                |[p, q]| {
                    if AHEAD > 0 {
                        // Both streams: the lines AHEAD values past each are, together, every
                        // line AHEAD values past the pair, and the next pairs' lines.
                        super::prefetch(p.wrapping_add(AHEAD));
                        super::prefetch(q.wrapping_add(AHEAD));
                    }
                    x = _mm512_add_pd(x, _mm512_load_pd(p));
                    y = _mm512_add_pd(y, _mm512_load_pd(q));
                },
            );
            x = mask_add512(x, !head, shared);
            let extra = _mm512_maskz_load_pd(more, right.wrapping_add(8 * gl));
            y = mask_add512(y, more, extra);
            let tail = _mm512_maskz_loadu_pd(!head, right.wrapping_add(8 * gr));
            y = mask_add512(y, !head, tail);
            let rest = &a[mid + 8 * gr..];
            (
                combine::<P>(unrotate::<AT>(x)),
                super::add_rest::<Avx512<AT, AHEAD>, f64>(combine::<P>(unrotate::<AT>(y)), rest),
            )
        }
    }

    /// Calls `f` on `lines` lines of each of `N` streams in step, from `at`: `f(at)`, then
    /// `f(at + 8 values)` and so on.
    ///
    /// Why not a plain loop: LLVM compiles one with the lines' addresses as base + index (one
    /// index register for both streams of a pair, and for the loop that finishes an unrolled
    /// one), and Intel cores split an AVX addition that reads memory through such an address
    /// into two operations. Each stream read through a pointer of its own instead, each
    /// address a constant away from it, four lines a step: on the Xeon (2026-12-01, Rust
    /// harness, leaves of 64 to 128 values in a flat loop, from the L2 cache) 92-103% of the
    /// unordered sum's speed where LLVM's loop ran at 80-96% during a slow spell of the host,
    /// 104-108% against 102-107% in a quiet one; without the four-fold unrolling, 73-99%. And
    /// the tree itself, before and after (10^4 and 10^5 values, 16-byte start): 7-14% faster
    /// in the slow spells, 3% in a quiet one. [`opaque`](super::opaque) keeps the compiler
    /// from deriving the streams' addresses from one another again.
    ///
    /// # Safety
    /// The caller guarantees that the `lines` lines of 8 values from each pointer in `at` are
    /// readable (or that `f` does not read them).
    #[inline(always)]
    unsafe fn in_lines<const N: usize>(
        mut at: [*const f64; N],
        lines: usize,
        mut f: impl FnMut([*const f64; N]),
    ) {
        let mut left = lines;
        // SAFETY: every pointer made stays inside the lines the caller vouches for, or one
        // past their end (the last step's `at`), and is never read there.
        unsafe {
            while left >= 4 {
                for k in 0..4 {
                    f(at.map(|p| p.add(8 * k)));
                }
                at = at.map(|p| super::opaque(p.add(32)));
                left -= 4;
            }
            while left > 0 {
                f(at);
                at = at.map(|p| super::opaque(p.add(8)));
                left -= 1;
            }
        }
    }

    /// The accumulators of a leaf read a line at a time from `AT` values into its first line,
    /// in NumPy's lane order: the leaf's lane `k` is register lane `(k + AT) mod 8`.
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[inline(always)]
    unsafe fn unrotate<const AT: usize>(r: __m512d) -> __m512d {
        // SAFETY: the CPU has AVX-512F (the caller).
        unsafe {
            let r = _mm512_castpd_si512(r);
            _mm512_castsi512_pd(match AT {
                0 => r,
                1 => _mm512_alignr_epi64::<1>(r, r),
                2 => _mm512_alignr_epi64::<2>(r, r),
                3 => _mm512_alignr_epi64::<3>(r, r),
                4 => _mm512_alignr_epi64::<4>(r, r),
                5 => _mm512_alignr_epi64::<5>(r, r),
                6 => _mm512_alignr_epi64::<6>(r, r),
                _ => _mm512_alignr_epi64::<7>(r, r),
            })
        }
    }
}

/// A leaf of `8 <= a.len() <= LEAF` values, its accumulators in the lanes of `V`.
///
/// # Safety
/// As [`Lanes8`]: the CPU must have `V`'s instructions.
#[inline(always)]
unsafe fn leaf<V: Lanes8, P: Parity, T: Value>(a: &[T]) -> f64 {
    debug_assert!(8 <= a.len() && a.len() <= LEAF);
    let full = a.len() - a.len() % 8;
    let p = a.as_ptr();
    // SAFETY: every load reads p[i..i + 8] with i + 8 <= full <= a.len(), inside `a`;
    // the caller's CPU has V's instructions.
    unsafe {
        let mut r = V::load(p);
        // Eight values a step, not unrolled: unrolled four times (and a loop for the rest), the
        // AVX2 kernel was 2-4% slower from the L2 and L3 caches (Zen 4, 2026-11-25).
        for i in (8..full).step_by(8) {
            r = r.add_load(p.add(i));
        }
        add_rest::<V, T>(r.combine::<P>(), &a[full..])
    }
}

/// The values of a 1-D view of any stride, read where they are: `len` values `p[0],
/// p[stride], p[2 * stride]`, ... Made from an `ArrayView1` and split only within it, so
/// each of those values is readable for `'a`.
struct Line<'a, T> {
    p: *const T,
    len: usize,
    stride: isize,
    view: PhantomData<&'a T>,
}

// By hand: derived, they would ask `T: Copy`; a line is a pointer and two numbers.
impl<T> Clone for Line<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Line<'_, T> {}

impl<'a, T> Line<'a, T> {
    fn of(view: &ArrayView1<'a, T>) -> Self {
        Line {
            p: view.as_ptr(),
            len: view.len(),
            stride: view.strides()[0],
            view: PhantomData,
        }
    }

    /// Where value `i <= len` is (one past the end for `len`: never read there).
    fn at(self, i: usize) -> *const T {
        assert!(i <= self.len);
        // In bounds of the view's memory, or one stride past its last value for i = len:
        // wrapping, as no read happens there.
        self.p.wrapping_offset(i as isize * self.stride)
    }

    fn get(self, i: usize) -> T
    where
        T: Copy,
    {
        assert!(i < self.len);
        // SAFETY: value i < len of the view this line was made from is readable for 'a.
        unsafe { self.at(i).read() }
    }

    fn split_at(self, mid: usize) -> (Self, Self) {
        let right = Line {
            p: self.at(mid),
            len: self.len - mid,
            ..self
        };
        (Line { len: mid, ..self }, right)
    }
}

/// A leaf of a strided line (`line.len <= LEAF`), its accumulators in the lanes of `V`, each
/// group of eight values gathered from where it is: the same additions as [`leaf`].
///
/// # Safety
/// As [`Lanes8`]: the CPU must have `V`'s instructions.
#[inline(always)]
unsafe fn strided_leaf<V: Lanes8, P: Parity, T: Value>(line: Line<'_, T>) -> f64 {
    debug_assert!(line.len <= LEAF);
    let n = line.len;
    let full = n - n % 8;
    let mut res = -0.0;
    if full > 0 {
        // SAFETY: each load reads values i..i + 8 of the line, with i + 8 <= full <= len:
        // readable (the line's invariant); the caller's CPU has V's instructions.
        unsafe {
            let mut r = V::load_strided(line.p, line.stride);
            for i in (8..full).step_by(8) {
                r = r.add(V::load_strided(line.at(i), line.stride));
            }
            res = r.combine::<P>();
        }
    }
    for i in full..n {
        res = V::add_scalar(res, line.get(i).to_f64());
    }
    res
}

/// The sums of two neighbouring leaves of a strided line, `left` and `right` (8 to LEAF values
/// each, `right` at least as long), their groups of eight gathered in step: two chains of
/// additions at once, where [`strided_leaf`] has one. The same additions as two leaves.
///
/// # Safety
/// As [`Lanes8`]: the CPU must have `V`'s instructions.
#[inline(always)]
unsafe fn strided_leaf_pair<V: Lanes8, P: Parity, T: Value>(
    left: Line<'_, T>,
    right: Line<'_, T>,
) -> (f64, f64) {
    debug_assert!(8 <= left.len && left.len <= right.len && right.len <= LEAF);
    let (gl, gr) = (left.len / 8, right.len / 8);
    let stride = left.stride;
    // SAFETY: each load reads values 8g..8g + 8 of its line with g below its number of whole
    // groups: readable (the lines' invariant); the caller's CPU has V's instructions.
    let (x, y) = unsafe {
        let mut x = V::load_strided(left.p, stride);
        let mut y = V::load_strided(right.p, stride);
        for g in 1..gl {
            x = x.add(V::load_strided(left.at(8 * g), stride));
            y = y.add(V::load_strided(right.at(8 * g), stride));
        }
        for g in gl..gr {
            y = y.add(V::load_strided(right.at(8 * g), stride));
        }
        (x.combine::<P>(), y.combine::<P>())
    };
    let rest = |mut res: f64, line: Line<'_, T>, from: usize| {
        for i in from..line.len {
            res = V::add_scalar(res, line.get(i).to_f64());
        }
        res
    };
    (rest(x, left, 8 * gl), rest(y, right, 8 * gr))
}

/// How many independent accumulators the unordered sum keeps: enough to hide the latency of
/// an addition on every vector width here.
const UNORDERED_LANES: usize = 32;

/// Free to add in any order, the unordered sum starts its vector loop on a cache line (no
/// load spans two lines), reads each chunk through a pointer of its own ([`opaque`]), adds the
/// values before the first line and after the last chunk into the lanes too (at most one
/// each: no chain of additions), and adds up its lanes as a tree (five vector additions, where
/// a loop over them is a chain of 31). With these, 10^3 values took 0.06-0.07 µs instead of
/// 0.10, 10^4 and 10^5 3-8% less (Xeon, 2026-12-01). `AHEAD` > 0: it asks for the lines
/// `AHEAD` values ahead, as the tree does.
#[inline(always)]
fn unordered<const AHEAD: usize>(a: &[f64]) -> f64 {
    let (head, a) = a.split_at(a.as_ptr().align_offset(64).min(a.len()));
    let mut acc = [0.0; UNORDERED_LANES];
    for (lane, &x) in acc.iter_mut().zip(head) {
        *lane += x;
    }
    let mut rest = a;
    while rest.len() >= UNORDERED_LANES {
        let (chunk, tail) = rest.split_at(UNORDERED_LANES);
        if AHEAD > 0 {
            for line in (0..UNORDERED_LANES).step_by(8) {
                prefetch(chunk.as_ptr().wrapping_add(line + AHEAD));
            }
        }
        for k in 0..UNORDERED_LANES {
            acc[k] += chunk[k];
        }
        // Each chunk read through its own pointer, the values a constant away from it: see
        // `opaque`.
        // SAFETY: opaque returns the pointer it is given: this is `tail`.
        rest = unsafe { std::slice::from_raw_parts(opaque(tail.as_ptr()), tail.len()) };
    }
    for (lane, &x) in acc.iter_mut().zip(rest) {
        *lane += x;
    }
    let mut width = UNORDERED_LANES;
    while width > 1 {
        width /= 2;
        for k in 0..width {
            acc[k] += acc[k + width];
        }
    }
    acc[0]
}

/// The largest size up to which every node of more than LEAF values has a leaf as its left
/// child, and as its right child a leaf or a node of two leaves (checked by a test).
const TWIG: usize = 271;

/// A node of `LEAF < n <= TWIG` values: a fixed shape of two or three leaves, summed without
/// recursion.
///
/// # Safety
/// As [`Lanes8`]: the CPU must have `V`'s instructions.
#[inline(always)]
unsafe fn twig<V: Lanes8, P: Parity, T: Value>(a: &[T]) -> f64 {
    debug_assert!(LEAF < a.len() && a.len() <= TWIG);
    let mid = split(a.len());
    // SAFETY: every part has 8 to LEAF values (see above), each pair is a node of two leaves;
    // the caller's CPU has V's instructions.
    unsafe {
        if a.len() - mid <= LEAF {
            let (left, right) = V::sum_leaf_pair::<P::Child, T>(a, mid);
            join::<V, P>(left, right)
        } else {
            let (left, right) = a.split_at(mid);
            let left = V::sum_leaf::<P::Child, T>(left);
            type Grandchild<P> = <<P as Parity>::Child as Parity>::Child;
            let (rl, rr) = V::sum_leaf_pair::<Grandchild<P>, T>(right, split(right.len()));
            join::<V, P>(left, join::<V, P::Child>(rl, rr))
        }
    }
}

/// The largest size up to which every node is a leaf, a [`twig`], or has a leaf or a twig as
/// each child (checked by a test).
const BRANCH: usize = 535;

/// One copy of the tree (per lane type) and of the unordered sum per instruction set. The
/// recursion lives in the kernel so that the leaves inline into code compiled for the wider
/// vectors.
///
/// The walk stops recursing at [`BRANCH`] values, a node of one or two small nodes (a leaf or
/// a twig each): a call per leaf cost a fifth of the time when the leaves stream from the
/// cache at several values a cycle. Where the code of those nodes goes is per kernel, because
/// the two CPUs measured disagree:
/// - baseline and AVX2: the branch (`$branch_inline`) is inlined into the walk, and each small
///   node is a function of its own (`$node_inline`). Inlined twice into the walk (with both of
///   AVX2's leaves, each up to three times), the walk's code grew to 8 KiB and the sums from
///   the L2 and L3 caches ran 2% slower (Zen 4, 2026-11-25).
/// - AVX-512: the small nodes are inlined into the branch, and the branch is a function of its
///   own, so that the walk is the recursion alone. Inlined, the nodes save a call each, which
///   saved and restored four registers: 3-6% faster at 10^4 and 10^5 values in a quiet
///   spell, 2-8% in a slow one, 4-5% at 10^6 and 10^7 (Xeon, 2026-12-01, Rust harness, side
///   by side). Kept out of the walk, they no longer make every call of the recursion save and
///   restore the six registers they use (the walk alone saves two): another 1-4% at 10^4 and
///   10^5 values, at starts of 0, 16 and 24 bytes into a line, quiet or slow (the same
///   harness, a later session; the same speed at 10^3 and 10^6). float32, read eight values
///   a load, lost 1-2% at 10^3 to 10^5 by it: f64 is the type that counts.
macro_rules! kernels {
    (
        $walk:ident, $branch:ident, $node:ident, $unordered:ident, $line:ident,
        $branch_inline:meta, $node_inline:meta $(, $feature:literal)?
    ) => {
        /// The subtree `a`, its leaves summed in the lanes of `V`.
        ///
        /// # Safety
        /// The caller guarantees `a.len() >= 8`, a CPU with this kernel's instructions, and
        /// `V` one of this kernel's lane types, with whatever `V`'s leaves require of `a`.
        $(#[target_feature(enable = $feature)])?
        unsafe fn $walk<V: Lanes8, P: Parity, T: Value>(a: &[T]) -> f64 {
            let n = a.len();
            // SAFETY: a has at least 8 values (the caller), and so has each child of a node
            // of more than BRANCH values: every subtree passed on has at least 8. Each part
            // starts a multiple of 8 values after a, so at the same place in its cache line.
            unsafe {
                if n <= BRANCH {
                    $branch::<V, P, T>(a)
                } else {
                    let (left, right) = a.split_at(split(n));
                    let left = $walk::<V, P::Child, T>(left);
                    join::<V, P>(left, $walk::<V, P::Child, T>(right))
                }
            }
        }

        /// A node of 8 to [`BRANCH`] values: one small node, or two.
        ///
        /// # Safety
        /// As the walk's, with `8 <= a.len() <= BRANCH`.
        #[$branch_inline]
        $(#[target_feature(enable = $feature)])?
        unsafe fn $branch<V: Lanes8, P: Parity, T: Value>(a: &[T]) -> f64 {
            let n = a.len();
            // SAFETY: as the walk's; every node passed on has 8 to TWIG values (a node of
            // TWIG + 1 to BRANCH values has two such children: BRANCH's definition).
            unsafe {
                if n <= TWIG {
                    $node::<V, P, T>(a)
                } else {
                    let (left, right) = a.split_at(split(n));
                    let left = $node::<V, P::Child, T>(left);
                    join::<V, P>(left, $node::<V, P::Child, T>(right))
                }
            }
        }

        /// A node of 8 to [`TWIG`] values: a leaf or a [`twig`].
        ///
        /// # Safety
        /// As the walk's, with `8 <= a.len() <= TWIG`.
        #[$node_inline]
        $(#[target_feature(enable = $feature)])?
        unsafe fn $node<V: Lanes8, P: Parity, T: Value>(a: &[T]) -> f64 {
            debug_assert!(8 <= a.len() && a.len() <= TWIG);
            // SAFETY: this function is compiled for the lanes' instructions and is only
            // called once the CPU is known to have them (Kernel::is_supported); a leaf has 8
            // to LEAF values, a twig LEAF + 1 to TWIG, as the caller guarantees.
            unsafe {
                if a.len() <= LEAF {
                    V::sum_leaf::<P, T>(a)
                } else {
                    twig::<V, P, T>(a)
                }
            }
        }

        $(#[target_feature(enable = $feature)])?
        fn $unordered<const AHEAD: usize>(a: &[f64]) -> f64 {
            unordered::<AHEAD>(a)
        }

        /// The tree over a strided line, its leaves gathered into the lanes of `V`.
        ///
        /// # Safety
        /// The caller guarantees a CPU with this kernel's instructions, and `V` one of this
        /// kernel's lane types.
        $(#[target_feature(enable = $feature)])?
        unsafe fn $line<V: Lanes8, P: Parity, T: Value>(line: Line<'_, T>) -> f64 {
            // SAFETY: forwarded from the caller (the CPU, the lanes).
            unsafe {
                if line.len <= LEAF {
                    strided_leaf::<V, P, T>(line)
                } else if line.len - split(line.len) <= LEAF {
                    let (left, right) = line.split_at(split(line.len));
                    let (left, right) = strided_leaf_pair::<V, P::Child, T>(left, right);
                    join::<V, P>(left, right)
                } else {
                    let (left, right) = line.split_at(split(line.len));
                    let left = $line::<V, P::Child, T>(left);
                    join::<V, P>(left, $line::<V, P::Child, T>(right))
                }
            }
        }
    };
}

kernels!(
    walk_baseline,
    branch_baseline,
    node_baseline,
    unordered_baseline,
    line_baseline,
    inline,
    inline(never)
);
#[cfg(target_arch = "x86_64")]
kernels!(
    walk_avx2,
    branch_avx2,
    node_avx2,
    unordered_avx2,
    line_avx2,
    inline,
    inline(never),
    "avx2"
);
#[cfg(target_arch = "x86_64")]
kernels!(
    walk_avx512,
    branch_avx512,
    node_avx512,
    unordered_avx512,
    line_avx512,
    inline(never),
    inline,
    "avx512f"
);

/// The AVX-512 walk for `a`: for f64, the one whose leaves read whole cache lines from
/// where `a` starts in its line ([`x86::Avx512`]); for f32, eight values a load.
///
/// # Safety
/// The caller guarantees `a.len() >= 8` and a CPU with AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn walk_avx512_from_line<P: Parity, T: Value>(a: &[T]) -> f64 {
    // SAFETY: forwarded from the caller.
    unsafe {
        if T::as_f64(a).is_some() && a.len() >= PREFETCH_FROM {
            walk_avx512_at_line::<P, T, PREFETCH_AHEAD>(a)
        } else {
            walk_avx512_at_line::<P, T, 0>(a)
        }
    }
}

/// [`walk_avx512_from_line`] with lanes that prefetch `AHEAD` values ahead (0: none).
///
/// # Safety
/// As [`walk_avx512_from_line`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn walk_avx512_at_line<P: Parity, T: Value, const AHEAD: usize>(a: &[T]) -> f64 {
    use x86::Avx512;
    let at = T::as_f64(a).map_or(0, |a| a.as_ptr() as usize % 64 / 8);
    // SAFETY: forwarded from the caller; each lane type is for slices that start `at` values
    // into a cache line, as `a` does (f32 only ever takes the first arm).
    unsafe {
        match at {
            0 => walk_avx512::<Avx512<0, AHEAD>, P, T>(a),
            1 => walk_avx512::<Avx512<1, AHEAD>, P, T>(a),
            2 => walk_avx512::<Avx512<2, AHEAD>, P, T>(a),
            3 => walk_avx512::<Avx512<3, AHEAD>, P, T>(a),
            4 => walk_avx512::<Avx512<4, AHEAD>, P, T>(a),
            5 => walk_avx512::<Avx512<5, AHEAD>, P, T>(a),
            6 => walk_avx512::<Avx512<6, AHEAD>, P, T>(a),
            _ => walk_avx512::<Avx512<7, AHEAD>, P, T>(a),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_leaf(n: usize) -> bool {
        (8..=LEAF).contains(&n)
    }

    fn is_twig(n: usize) -> bool {
        let (left, right) = (split(n), n - split(n));
        n > LEAF
            && is_leaf(left)
            && (is_leaf(right) || (is_leaf(split(right)) && is_leaf(right - split(right))))
    }

    #[test]
    fn twig_and_branch_bounds_hold_for_every_size() {
        for n in LEAF + 1..=TWIG {
            assert!(is_twig(n), "{n} is not a twig");
        }
        assert!(!is_twig(TWIG + 1), "TWIG could be larger");
        let part = |n| is_leaf(n) || is_twig(n);
        let is_branch = |n| part(n) || (part(split(n)) && part(n - split(n)));
        for n in 8..=BRANCH {
            assert!(is_branch(n), "{n} is not a branch");
        }
        assert!(!is_branch(BRANCH + 1), "BRANCH could be larger");
    }
}
