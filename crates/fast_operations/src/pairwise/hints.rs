//! What the kernels tell the CPU and the compiler beyond the arithmetic: prefetches of the
//! lines ahead, and pointers the compiler may not rewrite.

/// f64 slices of at least this many values (2 MiB, an L2 cache per core) are summed by the
/// AVX-512 kernel asking for the cache lines [`PREFETCH_AHEAD`] values ahead of what its pairs
/// of leaves read, and so is its unordered sum: from main memory the hardware prefetchers
/// alone left the tree behind the unordered sum, and from the caches the extra instructions
/// cost more than they save. The AVX2 kernel does not ask (it made AVX2 slower). The figures:
/// docs/measurements/section-1.md, "Reading ahead".
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) const PREFETCH_FROM: usize = 1 << 18;

/// How far ahead the AVX-512 sums ask for lines from [`PREFETCH_FROM`] values on: 8 KiB, in
/// the middle of the range that measured best (docs/measurements/section-1.md).
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) const PREFETCH_AHEAD: usize = 1024;

/// `p`, its value hidden from the compiler: an empty `asm!` that the compiler must assume
/// changes it. So it cannot rewrite a loop's addresses as one base plus an index register
/// (see `avx512::in_lines`, and `unordered`).
#[inline(always)]
// The pointer goes into the assembly for its value only: nothing is read or written.
#[allow(clippy::pointers_in_nomem_asm_block)]
pub(super) fn opaque(p: *const f64) -> *const f64 {
    #[cfg(target_arch = "x86_64")]
    {
        let mut p = p;
        // SAFETY: the assembly is empty: it runs no instruction and leaves p as it is.
        unsafe {
            std::arch::asm!("/* {0} */", inout(reg) p, options(pure, nomem, nostack, preserves_flags));
        }
        p
    }
    #[cfg(not(target_arch = "x86_64"))]
    p
}

/// Asks the CPU to bring the cache line holding `p` into its L1 cache: a hint, whatever `p`
/// points at (it reads nothing the program sees, and never faults).
#[inline(always)]
pub(super) fn prefetch(p: *const f64) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is valid for any address: it neither faults nor changes memory.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
