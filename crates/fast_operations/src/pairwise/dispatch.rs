//! Which kernel runs: the instruction sets, the one each element type takes on this CPU
//! (decided once per process), and the entry points that call it.

use super::strided::Strided;
use super::tree::{Depth, Even, Odd, Parity, sum_reference_at};
use super::{Value, baseline};
use ndarray::ArrayView1;
use std::sync::OnceLock;

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

    /// The kernel that sums values of type `T` fastest on this CPU, decided once per process.
    ///
    /// float64, and the unordered yardstick: [`Kernel::best`], but AVX2 rather than AVX-512
    /// on AMD CPUs, whose cores split each 512-bit operation in two (there AVX2 with aligned
    /// loads only, `avx2::rotated_leaf`, was the faster). float32, widened eight values a
    /// load: AVX2 wherever the CPU has it. docs/measurements/section-1.md has the figures.
    pub fn preferred<T: Value>() -> Kernel {
        static FOR_F64: OnceLock<Kernel> = OnceLock::new();
        static FOR_F32: OnceLock<Kernel> = OnceLock::new();
        if T::WIDENED {
            *FOR_F32.get_or_init(|| match Kernel::best() {
                Kernel::Avx512 if Kernel::Avx2.is_supported() => Kernel::Avx2,
                best => best,
            })
        } else {
            *FOR_F64.get_or_init(|| match Kernel::best() {
                Kernel::Avx512 if is_amd() && Kernel::Avx2.is_supported() => Kernel::Avx2,
                best => best,
            })
        }
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
            // SAFETY: at least 8 values (the caller); each kernel's walk on a CPU that has
            // its instructions (the caller). The same for each arm.
            Kernel::Baseline => unsafe { baseline::walk::<P, T>(a) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Kernel::Avx2 => unsafe { super::avx2::walk::<P, T>(a) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Kernel::Avx512 => unsafe { super::avx512::walk::<P, T>(a) },
            #[cfg(not(target_arch = "x86_64"))]
            _ => unreachable!(),
        }
    }

    /// The pairwise sum of the values of `view`, a 1-D view of any stride, in index order,
    /// with this kernel: each group of eight values read where it is, nothing copied and
    /// nothing outside the view read (gathers; with AVX-512, stride 2 by masked loads and
    /// reversed views by reversed loads). The same bits as [`Kernel::pairwise_sum`] of a copy
    /// of the values. Panics if the CPU does not support the kernel.
    pub fn pairwise_sum_strided<T: Value>(self, view: ArrayView1<'_, T>) -> f64 {
        self.pairwise_sum_strided_at(view, Depth::ROOT)
    }

    /// [`Kernel::pairwise_sum_strided`] of a node at `depth` of a larger tree.
    pub fn pairwise_sum_strided_at<T: Value>(self, view: ArrayView1<'_, T>, depth: Depth) -> f64 {
        assert!(self.is_supported(), "{self:?} is not supported by this CPU");
        let view = Strided::of(&view);
        match depth {
            // SAFETY: a CPU that has the kernel (the assert above).
            Depth::Even => unsafe { self.strided::<Even, T>(view) },
            // SAFETY: as above.
            Depth::Odd => unsafe { self.strided::<Odd, T>(view) },
        }
    }

    /// The walk of this kernel over a strided view of parity `P`.
    ///
    /// # Safety
    /// The caller guarantees a CPU that has this kernel.
    unsafe fn strided<P: Parity, T: Value>(self, view: Strided<'_, T>) -> f64 {
        match self {
            Kernel::Baseline => baseline::strided::<P, T>(view),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: each kernel's walk on a CPU that has its instructions (the caller).
            Kernel::Avx2 => unsafe { super::avx2::strided::<P, T>(view) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Kernel::Avx512 => unsafe { super::avx512::strided::<P, T>(view) },
            #[cfg(not(target_arch = "x86_64"))]
            _ => unreachable!(),
        }
    }

    /// A many-accumulator sum in no particular order: not NumPy's bits, but the fastest sum
    /// this CPU can do. The comparison uses it as the yardstick for [`Kernel::pairwise_sum`].
    pub fn unordered_sum(self, a: &[f64]) -> f64 {
        assert!(self.is_supported(), "{self:?} is not supported by this CPU");
        match self {
            Kernel::Baseline => baseline::unordered(a),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the assert above checked that the CPU has the kernel; the same for
            // each arm.
            Kernel::Avx2 => unsafe { super::avx2::unordered(a) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Kernel::Avx512 => unsafe { super::avx512::unordered(a) },
            #[cfg(not(target_arch = "x86_64"))]
            _ => unreachable!(),
        }
    }
}

/// The pairwise sum of `a` in NumPy's order, with the fastest kernel on this CPU for `T`
/// ([`Kernel::preferred`]).
///
/// `np.sum` adds this to its identity, `+0.0`: see [`crate::sum_array`].
#[inline]
pub fn pairwise_sum<T: Value>(a: &[T]) -> f64 {
    Kernel::preferred::<T>().pairwise_sum(a)
}

/// [`pairwise_sum`] of a node at `depth` of a larger tree (`parallel_sum`'s subtrees).
#[inline]
pub fn pairwise_sum_at<T: Value>(a: &[T], depth: Depth) -> f64 {
    Kernel::preferred::<T>().pairwise_sum_at(a, depth)
}

/// The fastest sum of `values` this machine can do: many accumulators, in no order that
/// matches anything else, with the kernel the float64 sums take ([`Kernel::preferred`]), the
/// faster unordered sum on every CPU measured. The comparison's yardstick for
/// [`crate::sum_array`]'s speed, not a way to sum.
pub fn sum_unordered(values: &[f64]) -> f64 {
    Kernel::preferred::<f64>().unordered_sum(values)
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
