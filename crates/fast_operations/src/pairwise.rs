//! NumPy's pairwise summation of float64, reproduced to the bit, and fast.
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
//! The eight accumulators of a leaf are eight SIMD lanes, and the leaves are independent: only
//! their combination has an order. So the fast paths keep each lane's additions in order and
//! combine in the tree's order, and give the same bits on every CPU, however wide its vectors.

use std::sync::OnceLock;

/// The largest node NumPy sums as a single leaf (its `PW_BLOCKSIZE`).
pub const LEAF: usize = 128;

/// Where NumPy splits a node of `n > LEAF` values: half, rounded down to a multiple of 8.
#[inline]
pub const fn split(n: usize) -> usize {
    let half = n / 2;
    half - half % 8
}

/// The tree written as plainly as possible: the reference the fast paths are tested against.
pub fn sum_reference(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = -0.0;
        for &x in a {
            res += x;
        }
        res
    } else if n <= LEAF {
        let mut r = [0.0; 8];
        r.copy_from_slice(&a[..8]);
        let mut i = 8;
        while i < n - n % 8 {
            for k in 0..8 {
                r[k] += a[i + k];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += a[i];
            i += 1;
        }
        res
    } else {
        let n2 = split(n);
        sum_reference(&a[..n2]) + sum_reference(&a[n2..])
    }
}

/// The pairwise sum of `a` in NumPy's order, with the fastest [`Kernel`] this CPU has.
///
/// `np.sum` adds this to its identity, `+0.0`: see [`crate::sum_f64`].
#[inline]
pub fn pairwise_sum(a: &[f64]) -> f64 {
    Kernel::best().pairwise_sum(a)
}

/// The pairwise sum of `n` values taken in order from `values` (which must yield `n`), for
/// layouts that are not one contiguous slice: strided views, N-D views, float32.
///
/// Each node of at most [`GATHER`] values is gathered into a buffer and summed by the fast
/// kernel: a node's sum depends only on its values and its size, so this is the same tree.
pub fn pairwise_sum_of(n: usize, mut values: impl Iterator<Item = f64>) -> f64 {
    let mut buffer = [0.0; GATHER];
    gathered(n, &mut values, &mut buffer, Kernel::best())
}

/// How many values [`pairwise_sum_of`] gathers at a time (32 KiB, on the stack).
pub const GATHER: usize = 4096;

fn gathered(n: usize, values: &mut impl Iterator<Item = f64>, buffer: &mut [f64; GATHER], kernel: Kernel) -> f64 {
    if n <= GATHER {
        let node = &mut buffer[..n];
        for (slot, x) in node.iter_mut().zip(values.by_ref()) {
            *slot = x;
        }
        kernel.pairwise_sum(node)
    } else {
        let n2 = split(n);
        let left = gathered(n2, values, buffer, kernel);
        left + gathered(n - n2, values, buffer, kernel)
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
            Kernel::ALL.into_iter().rev().find(|k| k.is_supported()).unwrap_or(Kernel::Baseline)
        })
    }

    /// The pairwise sum of `a` with this kernel. Panics if the CPU does not support it.
    pub fn pairwise_sum(self, a: &[f64]) -> f64 {
        assert!(self.is_supported(), "{self:?} is not supported by this CPU");
        match self {
            Kernel::Baseline => tree_baseline(a),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the assert above checked that the CPU has AVX2.
            Kernel::Avx2 => unsafe { tree_avx2(a) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the assert above checked that the CPU has AVX-512F.
            Kernel::Avx512 => unsafe { tree_avx512(a) },
            #[cfg(not(target_arch = "x86_64"))]
            _ => unreachable!(),
        }
    }

    /// A many-accumulator sum in no particular order: not NumPy's bits, but the fastest sum
    /// this CPU can do. The comparison uses it as the yardstick for [`Kernel::pairwise_sum`].
    pub fn unordered_sum(self, a: &[f64]) -> f64 {
        assert!(self.is_supported(), "{self:?} is not supported by this CPU");
        match self {
            Kernel::Baseline => unordered_baseline(a),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the assert above checked that the CPU has AVX2.
            Kernel::Avx2 => unsafe { unordered_avx2(a) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the assert above checked that the CPU has AVX-512F.
            Kernel::Avx512 => unsafe { unordered_avx512(a) },
            #[cfg(not(target_arch = "x86_64"))]
            _ => unreachable!(),
        }
    }
}

/// Eight f64 lanes in whatever registers a kernel has: the eight accumulators of a leaf.
///
/// # Safety
/// The methods may use instructions beyond x86-64's baseline: call them only from code
/// compiled for, and running on, a CPU that has them (the `kernels!` functions below).
trait Lanes8: Copy {
    /// `p[0..8]`; the caller guarantees that those eight values are readable.
    unsafe fn load(p: *const f64) -> Self;
    unsafe fn add(self, other: Self) -> Self;
    /// NumPy's combination of a leaf's accumulators:
    /// `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`.
    unsafe fn combine(self) -> f64;
    /// `res` plus the leaf's last `rest.len() < 8` values, one after the other.
    #[inline(always)]
    unsafe fn add_rest(mut res: f64, rest: &[f64]) -> f64 {
        for &x in rest {
            res += x;
        }
        res
    }
}

/// Plain arrays: the compiler maps them to whatever vectors the kernel is compiled for.
impl Lanes8 for [f64; 8] {
    #[inline(always)]
    unsafe fn load(p: *const f64) -> Self {
        // SAFETY: the caller guarantees p[0..8] is readable; f64 has no alignment needs
        // beyond its own, which p has as a pointer into an &[f64].
        unsafe { p.cast::<[f64; 8]>().read() }
    }
    #[inline(always)]
    unsafe fn add(mut self, other: Self) -> Self {
        for k in 0..8 {
            self[k] += other[k];
        }
        self
    }
    #[inline(always)]
    unsafe fn combine(self) -> f64 {
        let r = self;
        ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Lanes8;
    use std::arch::x86_64::*;

    /// Two 4-lane AVX registers: `r0..r4` and `r4..r8`.
    #[derive(Clone, Copy)]
    pub(super) struct Avx2(__m256d, __m256d);

    impl Lanes8 for Avx2 {
        #[inline(always)]
        unsafe fn load(p: *const f64) -> Self {
            // SAFETY: the caller guarantees p[0..8] is readable; these loads need no
            // alignment; the CPU has AVX (the trait's contract).
            unsafe { Avx2(_mm256_loadu_pd(p), _mm256_loadu_pd(p.add(4))) }
        }
        #[inline(always)]
        unsafe fn add(self, o: Self) -> Self {
            // SAFETY: the CPU has AVX (the trait's contract).
            unsafe { Avx2(_mm256_add_pd(self.0, o.0), _mm256_add_pd(self.1, o.1)) }
        }
        #[inline(always)]
        unsafe fn combine(self) -> f64 {
            // SAFETY: the CPU has AVX (the trait's contract).
            unsafe {
                // [r0 + r1, r4 + r5, r2 + r3, r6 + r7]: each sum is one IEEE addition of the
                // same two values as NumPy's (addition is commutative, bit for bit).
                let pairs = _mm256_hadd_pd(self.0, self.1);
                // [(r0 + r1) + (r2 + r3), (r4 + r5) + (r6 + r7)]
                let quads = _mm_add_pd(_mm256_castpd256_pd128(pairs), _mm256_extractf128_pd(pairs, 1));
                _mm_cvtsd_f64(quads) + _mm_cvtsd_f64(_mm_unpackhi_pd(quads, quads))
            }
        }
    }

    /// One 8-lane AVX-512 register.
    #[derive(Clone, Copy)]
    pub(super) struct Avx512(__m512d);

    impl Lanes8 for Avx512 {
        #[inline(always)]
        unsafe fn load(p: *const f64) -> Self {
            // SAFETY: the caller guarantees p[0..8] is readable; the load needs no alignment;
            // the CPU has AVX-512F (the trait's contract).
            unsafe { Avx512(_mm512_loadu_pd(p)) }
        }
        #[inline(always)]
        unsafe fn add(self, o: Self) -> Self {
            // SAFETY: the CPU has AVX-512F (the trait's contract).
            unsafe { Avx512(_mm512_add_pd(self.0, o.0)) }
        }
        #[inline(always)]
        unsafe fn combine(self) -> f64 {
            // SAFETY: the CPU has AVX-512F (the trait's contract).
            unsafe {
                let r = self.0;
                // Lanes 0, 2, 4, 6: r0 + r1, r2 + r3, r4 + r5, r6 + r7 (the swapped operand
                // order gives the same bits: IEEE addition is commutative).
                let pairs = _mm512_add_pd(r, _mm512_permute_pd::<0b0101_0101>(r));
                // Lanes 0 and 4: (r0 + r1) + (r2 + r3) and (r4 + r5) + (r6 + r7).
                let quads = _mm512_add_pd(pairs, _mm512_permutex_pd::<0b01_00_11_10>(pairs));
                let low = _mm512_castpd512_pd256(quads);
                let high = _mm512_extractf64x4_pd::<1>(quads);
                _mm256_cvtsd_f64(low) + _mm256_cvtsd_f64(high)
            }
        }
    }
}

/// A leaf of `8 <= a.len() <= LEAF` values, its accumulators in the lanes of `V`.
///
/// # Safety
/// As [`Lanes8`]: the CPU must have `V`'s instructions.
#[inline(always)]
unsafe fn leaf<V: Lanes8>(a: &[f64]) -> f64 {
    debug_assert!(8 <= a.len() && a.len() <= LEAF);
    let full = a.len() - a.len() % 8;
    let p = a.as_ptr();
    // SAFETY: every load reads p[i..i + 8] with i + 8 <= full <= a.len(), inside `a`;
    // the caller's CPU has V's instructions.
    unsafe {
        let mut r = V::load(p);
        let mut i = 8;
        while i < full {
            r = r.add(V::load(p.add(i)));
            i += 8;
        }
        V::add_rest(r.combine(), &a[full..])
    }
}

/// Two sibling leaves (`a` then `b`, each of 8 to LEAF values), their chains interleaved.
///
/// # Safety
/// As [`Lanes8`]: the CPU must have `V`'s instructions.
#[inline(always)]
unsafe fn leaf_pair<V: Lanes8>(a: &[f64], b: &[f64]) -> f64 {
    debug_assert!(8 <= a.len() && a.len() <= LEAF && 8 <= b.len() && b.len() <= LEAF);
    let (fa, fb) = (a.len() - a.len() % 8, b.len() - b.len() % 8);
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    // SAFETY: every load reads pa[i..i + 8] with i + 8 <= fa <= a.len(), or pb[i..i + 8]
    // with i + 8 <= fb <= b.len(), inside `a` or `b`; the caller's CPU has V's instructions.
    unsafe {
        let (mut ra, mut rb) = (V::load(pa), V::load(pb));
        let mut i = 8;
        while i < fa.min(fb) {
            ra = ra.add(V::load(pa.add(i)));
            rb = rb.add(V::load(pb.add(i)));
            i += 8;
        }
        let mut k = i;
        while k < fa {
            ra = ra.add(V::load(pa.add(k)));
            k += 8;
        }
        while i < fb {
            rb = rb.add(V::load(pb.add(i)));
            i += 8;
        }
        V::add_rest(ra.combine(), &a[fa..]) + V::add_rest(rb.combine(), &b[fb..])
    }
}

/// Up to this many values (256 KiB), sibling leaves are summed together ([`leaf_pair`]):
/// their two chains of additions overlap, and the data is in the core's own cache. Beyond
/// it, leaves are summed one after the other, so that memory is read as one sequential
/// stream, which the hardware prefetchers follow: reading two neighbouring leaves at once
/// made sums from the shared cache and main memory 1.3-2.5 times slower (measured on
/// AMD EPYC, AVX-512, 2026-11-25).
const PAIRS_UP_TO: usize = 1 << 15;

/// How many independent accumulators the unordered sum keeps: enough to hide the latency of
/// an addition on every vector width here.
const UNORDERED_LANES: usize = 32;

#[inline(always)]
fn unordered(a: &[f64]) -> f64 {
    let mut acc = [0.0; UNORDERED_LANES];
    let chunks = a.chunks_exact(UNORDERED_LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for k in 0..UNORDERED_LANES {
            acc[k] += chunk[k];
        }
    }
    acc.iter().sum::<f64>() + rest.iter().sum::<f64>()
}

/// One copy of the tree and of the unordered sum per instruction set. The recursion lives in
/// the kernel so that the leaves inline into code compiled for the wider vectors.
macro_rules! kernels {
    ($tree:ident, $walk:ident, $unordered:ident, $lanes:ty $(, $feature:literal)?) => {
        $(#[target_feature(enable = $feature)])?
        fn $tree(a: &[f64]) -> f64 {
            if a.len() < 8 {
                sum_reference(a)
            } else {
                $walk(a, a.len() <= PAIRS_UP_TO)
            }
        }

        /// The subtree `a` of at least 8 values.
        $(#[target_feature(enable = $feature)])?
        fn $walk(a: &[f64], pairs: bool) -> f64 {
            let n = a.len();
            let (left, right) = a.split_at(split(n));
            if n <= LEAF {
                // SAFETY: this function is compiled for the lanes' instructions and is only
                // called once the CPU is known to have them (Kernel::is_supported).
                unsafe { leaf::<$lanes>(a) }
            } else if right.len() <= LEAF && pairs {
                // Both children are leaves (the right one is the larger).
                // SAFETY: as above.
                unsafe { leaf_pair::<$lanes>(left, right) }
            } else {
                $walk(left, pairs) + $walk(right, pairs)
            }
        }

        $(#[target_feature(enable = $feature)])?
        fn $unordered(a: &[f64]) -> f64 {
            unordered(a)
        }
    };
}

kernels!(tree_baseline, walk_baseline, unordered_baseline, [f64; 8]);
#[cfg(target_arch = "x86_64")]
kernels!(tree_avx2, walk_avx2, unordered_avx2, x86::Avx2, "avx2");
#[cfg(target_arch = "x86_64")]
kernels!(tree_avx512, walk_avx512, unordered_avx512, x86::Avx512, "avx512f");
