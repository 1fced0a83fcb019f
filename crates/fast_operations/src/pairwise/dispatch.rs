//! Which kernel runs: the instruction set each element type takes on this CPU (decided once
//! per process, from `simd`), the tree's sums for each set ([`Kernel`]), and the entry points
//! that call them.

use super::strided::Strided;
use super::tree::{Depth, Even, Odd, Parity, sum_reference_at};
use super::{Value, baseline};
use ndarray::ArrayView1;
use simd::InstructionSet;
use std::sync::OnceLock;

/// The pairwise sum of `a` in NumPy's order, with the fastest kernel on this CPU for `T`
/// ([`preferred`]).
///
/// `np.sum` adds this to its identity, `+0.0`: see [`crate::sum_array`].
#[inline]
pub fn pairwise_sum<T: Value>(a: &[T]) -> f64 {
    preferred::<T>().pairwise_sum(a)
}

/// [`pairwise_sum`] of a node at `depth` of a larger tree (`parallel_sum`'s subtrees).
#[inline]
pub fn pairwise_sum_at<T: Value>(a: &[T], depth: Depth) -> f64 {
    preferred::<T>().pairwise_sum_at(a, depth)
}

/// The fastest sum of `values` this machine can do: many accumulators, in no order that
/// matches anything else, with the kernel the float64 sums take ([`preferred`]), the faster
/// unordered sum on every CPU measured. The comparison's yardstick for [`crate::sum_array`]'s
/// speed, not a way to sum.
pub fn sum_unordered(values: &[f64]) -> f64 {
    preferred::<f64>().unordered_sum(values)
}

/// The instruction set whose kernel sums values of type `T` fastest on this CPU, decided once
/// per process.
///
/// The set `FAST_OPERATIONS_KERNEL` forces, for every type. Otherwise float64, and the
/// unordered yardstick: [`InstructionSet::chosen`], but AVX2 rather than AVX-512 on AMD
/// CPUs, whose cores split each 512-bit operation in two (there AVX2 with aligned loads only,
/// `avx2::rotated_leaf`, was the faster). float32, widened eight values a load: AVX2 wherever
/// the CPU has it. docs/measurements/section-1.md has the figures.
pub fn preferred<T: Value>() -> InstructionSet {
    static FOR_F64: OnceLock<InstructionSet> = OnceLock::new();
    static FOR_F32: OnceLock<InstructionSet> = OnceLock::new();
    let avx2_over_avx512 = |prefer_avx2: bool| match InstructionSet::chosen() {
        InstructionSet::Avx512
            if prefer_avx2
                && !InstructionSet::is_forced()
                && InstructionSet::Avx2.is_supported() =>
        {
            InstructionSet::Avx2
        }
        chosen => chosen,
    };
    if T::WIDENED {
        *FOR_F32.get_or_init(|| avx2_over_avx512(true))
    } else {
        *FOR_F64.get_or_init(|| avx2_over_avx512(simd::is_amd()))
    }
}

/// The tree's sums compiled for one instruction set: every kernel gives the same bits; they
/// differ only in speed. Each method panics if the CPU does not support the set.
pub trait Kernel: Copy {
    /// The pairwise sum of `a` with this kernel.
    fn pairwise_sum<T: Value>(self, a: &[T]) -> f64 {
        self.pairwise_sum_at(a, Depth::ROOT)
    }

    /// [`Kernel::pairwise_sum`] of a node at `depth` of a larger tree.
    fn pairwise_sum_at<T: Value>(self, a: &[T], depth: Depth) -> f64;

    /// The pairwise sum of the values of `view`, a 1-D view of any stride, in index order,
    /// with this kernel: each group of eight values read where it is, nothing copied and
    /// nothing outside the view read (gathers; with AVX-512, stride 2 by masked loads and
    /// reversed views by reversed loads). The same bits as [`Kernel::pairwise_sum`] of a copy
    /// of the values.
    fn pairwise_sum_strided<T: Value>(self, view: ArrayView1<'_, T>) -> f64 {
        self.pairwise_sum_strided_at(view, Depth::ROOT)
    }

    /// [`Kernel::pairwise_sum_strided`] of a node at `depth` of a larger tree.
    fn pairwise_sum_strided_at<T: Value>(self, view: ArrayView1<'_, T>, depth: Depth) -> f64;

    /// Whether [`Kernel::pairwise_sum_strided`] of a view of this stride is faster than
    /// gathering its values into a buffer (`gather`): every stride with AVX-512, strides 2 and
    /// -1 with AVX2 (`avx2::reads_in_place`), none with the baseline.
    fn reads_in_place(self, stride: isize) -> bool;

    /// A many-accumulator sum in no particular order: not NumPy's bits, but the fastest sum
    /// this CPU can do. The comparison uses it as the yardstick for [`Kernel::pairwise_sum`].
    fn unordered_sum(self, a: &[f64]) -> f64;
}

impl Kernel for InstructionSet {
    fn pairwise_sum_at<T: Value>(self, a: &[T], depth: Depth) -> f64 {
        assert!(self.is_supported(), "{self:?} is not supported by this CPU");
        if a.len() < 8 {
            return sum_reference_at(a, depth);
        }
        match depth {
            // SAFETY: at least 8 values (above), on a CPU that has the set (the assert).
            Depth::Even => unsafe { walk::<Even, T>(self, a) },
            // SAFETY: as above.
            Depth::Odd => unsafe { walk::<Odd, T>(self, a) },
        }
    }

    fn pairwise_sum_strided_at<T: Value>(self, view: ArrayView1<'_, T>, depth: Depth) -> f64 {
        assert!(self.is_supported(), "{self:?} is not supported by this CPU");
        let view = Strided::of(&view);
        match depth {
            // SAFETY: a CPU that has the set (the assert above).
            Depth::Even => unsafe { strided::<Even, T>(self, view) },
            // SAFETY: as above.
            Depth::Odd => unsafe { strided::<Odd, T>(self, view) },
        }
    }

    fn reads_in_place(self, stride: isize) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            InstructionSet::Avx512 => true,
            #[cfg(target_arch = "x86_64")]
            InstructionSet::Avx2 => super::avx2::reads_in_place(stride),
            // NEON's strided reads are unmeasured (tested under qemu only): the buffer.
            _ => {
                let _ = stride;
                false
            }
        }
    }

    fn unordered_sum(self, a: &[f64]) -> f64 {
        assert!(self.is_supported(), "{self:?} is not supported by this CPU");
        match self {
            InstructionSet::Baseline => baseline::unordered(a),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the assert above checked that the CPU has the set; the same for each arm.
            InstructionSet::Avx2 => unsafe { super::avx2::unordered(a) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            InstructionSet::Avx512 => unsafe { super::avx512::unordered(a) },
            #[cfg(not(target_arch = "x86_64"))]
            InstructionSet::Avx2 | InstructionSet::Avx512 => unreachable!("x86-64 only"),
            #[cfg(target_arch = "aarch64")]
            // SAFETY: as above.
            InstructionSet::Neon => unsafe { super::neon::unordered(a) },
            #[cfg(not(target_arch = "aarch64"))]
            InstructionSet::Neon => unreachable!("aarch64 only"),
        }
    }
}

/// The walk of the kernel for `set` over a node of parity `P`.
///
/// # Safety
/// The caller guarantees `a.len() >= 8` and a CPU that has `set`.
unsafe fn walk<P: Parity, T: Value>(set: InstructionSet, a: &[T]) -> f64 {
    match set {
        // SAFETY: at least 8 values (the caller); each kernel's walk on a CPU that has its
        // instructions (the caller). The same for each arm.
        InstructionSet::Baseline => unsafe { baseline::walk::<P, T>(a) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        InstructionSet::Avx2 => unsafe { super::avx2::walk::<P, T>(a) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        InstructionSet::Avx512 => unsafe { super::avx512::walk::<P, T>(a) },
        #[cfg(not(target_arch = "x86_64"))]
        InstructionSet::Avx2 | InstructionSet::Avx512 => unreachable!("x86-64 only"),
        #[cfg(target_arch = "aarch64")]
        // SAFETY: as above.
        InstructionSet::Neon => unsafe { super::neon::walk::<P, T>(a) },
        #[cfg(not(target_arch = "aarch64"))]
        InstructionSet::Neon => unreachable!("aarch64 only"),
    }
}

/// The walk of the kernel for `set` over a strided view of parity `P`.
///
/// # Safety
/// The caller guarantees a CPU that has `set`.
unsafe fn strided<P: Parity, T: Value>(set: InstructionSet, view: Strided<'_, T>) -> f64 {
    match set {
        InstructionSet::Baseline => baseline::strided::<P, T>(view),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: each kernel's walk on a CPU that has its instructions (the caller).
        InstructionSet::Avx2 => unsafe { super::avx2::strided::<P, T>(view) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        InstructionSet::Avx512 => unsafe { super::avx512::strided::<P, T>(view) },
        #[cfg(not(target_arch = "x86_64"))]
        InstructionSet::Avx2 | InstructionSet::Avx512 => unreachable!("x86-64 only"),
        #[cfg(target_arch = "aarch64")]
        // SAFETY: as above.
        InstructionSet::Neon => unsafe { super::neon::strided::<P, T>(view) },
        #[cfg(not(target_arch = "aarch64"))]
        InstructionSet::Neon => unreachable!("aarch64 only"),
    }
}
