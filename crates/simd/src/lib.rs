//! # `simd`: which instruction sets a kernel may be compiled for, and which one this CPU runs
//!
//! The one place in the workspace that names the instruction sets (a kernel family compiles
//! one copy per [`InstructionSet`]) and asks the CPU which it has: [`InstructionSet::best`]
//! and [`is_amd`] look once per process and keep the answer.
//!
//! Every kernel family in the workspace follows one idiom:
//! - the body is written once, as an `#[inline(always)]` function (generic where it needs to
//!   be), so that each copy below is compiled for its own registers;
//! - one thin wrapper per instruction set with `#[target_feature(enable = "...")]`, which
//!   is `unsafe` to call on a CPU without that set;
//! - a `match` on an [`InstructionSet`] decided once (usually [`InstructionSet::best`]),
//!   whose arms call the wrappers in an `unsafe` block with a `// SAFETY:` line naming the
//!   check that makes them sound.
//!
//! (The C code built by `cc` follows it too: one build per set, chosen by the same `match`.)
//!
//! ```
//! use simd::InstructionSet;
//!
//! #[inline(always)]
//! fn double_values(values: &mut [f64]) {
//!     for x in values {
//!         *x *= 2.0;
//!     }
//! }
//!
//! #[cfg(target_arch = "x86_64")]
//! #[target_feature(enable = "avx2")]
//! fn double_avx2(values: &mut [f64]) {
//!     double_values(values);
//! }
//!
//! #[cfg(target_arch = "x86_64")]
//! #[target_feature(enable = "avx512f")]
//! fn double_avx512(values: &mut [f64]) {
//!     double_values(values);
//! }
//!
//! /// Doubles every value, with the widest registers this CPU has.
//! fn double(values: &mut [f64]) {
//!     match InstructionSet::best() {
//!         InstructionSet::Baseline => double_values(values),
//!         #[cfg(target_arch = "x86_64")]
//!         // SAFETY: best() returns only a set this CPU supports.
//!         InstructionSet::Avx2 => unsafe { double_avx2(values) },
//!         #[cfg(target_arch = "x86_64")]
//!         // SAFETY: best() returns only a set this CPU supports.
//!         InstructionSet::Avx512 => unsafe { double_avx512(values) },
//!         #[cfg(not(target_arch = "x86_64"))]
//!         InstructionSet::Avx2 | InstructionSet::Avx512 => unreachable!("x86-64 only"),
//!     }
//! }
//!
//! let mut values = [1.0, -2.5, 3.0];
//! double(&mut values);
//! assert_eq!(values, [2.0, -5.0, 6.0]);
//! ```
#![deny(missing_docs)]

use std::sync::OnceLock;

/// A level of x86-64 vector instructions that a kernel can be compiled for.
///
/// The copies of a kernel give the same results; they differ only in speed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InstructionSet {
    /// Plain x86-64 (SSE2, 2 lanes of f64): every x86-64 CPU has it, and it is the only set
    /// on other CPUs, where it means the target's own baseline.
    Baseline,
    /// AVX2: 4 lanes of f64 per instruction.
    Avx2,
    /// AVX-512F: 8 lanes of f64 per instruction.
    Avx512,
}

impl InstructionSet {
    /// Every instruction set, slowest first.
    pub const ALL: [InstructionSet; 3] = [
        InstructionSet::Baseline,
        InstructionSet::Avx2,
        InstructionSet::Avx512,
    ];

    /// The set's short name: `"baseline"`, `"avx2"` or `"avx512"`.
    pub fn name(self) -> &'static str {
        match self {
            InstructionSet::Baseline => "baseline",
            InstructionSet::Avx2 => "avx2",
            InstructionSet::Avx512 => "avx512",
        }
    }

    /// Whether this CPU can run code compiled for the set.
    pub fn is_supported(self) -> bool {
        match self {
            InstructionSet::Baseline => true,
            #[cfg(target_arch = "x86_64")]
            InstructionSet::Avx2 => is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            InstructionSet::Avx512 => is_x86_feature_detected!("avx512f"),
            #[cfg(not(target_arch = "x86_64"))]
            InstructionSet::Avx2 | InstructionSet::Avx512 => false,
        }
    }

    /// The widest set this CPU supports, detected on the first call and kept for the process.
    pub fn best() -> InstructionSet {
        // Kept rather than asked again, so that every call of a kernel family in the process
        // takes the same branch, and a dispatch costs one load.
        static BEST: OnceLock<InstructionSet> = OnceLock::new();
        *BEST.get_or_init(|| {
            InstructionSet::ALL
                .into_iter()
                .rev()
                .find(|set| set.is_supported())
                .unwrap_or(InstructionSet::Baseline)
        })
    }
}

/// Whether the CPU is AMD's (CPUID vendor "AuthenticAMD"), asked once; `false` off x86-64.
///
/// For kernels whose best set depends on the vendor as well as on the instructions (on some
/// AMD CPUs 512-bit instructions run as two 256-bit halves).
pub fn is_amd() -> bool {
    static AMD: OnceLock<bool> = OnceLock::new();
    *AMD.get_or_init(vendor_is_amd)
}

#[cfg(target_arch = "x86_64")]
fn vendor_is_amd() -> bool {
    // Leaf 0 gives the vendor string in EBX, EDX, ECX, in that order.
    let id = std::arch::x86_64::__cpuid(0);
    [id.ebx, id.edx, id.ecx] == [*b"Auth", *b"enti", *b"cAMD"].map(u32::from_le_bytes)
}

#[cfg(not(target_arch = "x86_64"))]
fn vendor_is_amd() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_slowest_first() {
        assert_eq!(
            InstructionSet::ALL,
            [
                InstructionSet::Baseline,
                InstructionSet::Avx2,
                InstructionSet::Avx512
            ]
        );
    }

    #[test]
    fn names() {
        let names = InstructionSet::ALL.map(InstructionSet::name);
        assert_eq!(names, ["baseline", "avx2", "avx512"]);
    }

    #[test]
    fn baseline_is_always_supported() {
        assert!(InstructionSet::Baseline.is_supported());
    }

    #[test]
    fn best_is_the_widest_supported_set_and_stays() {
        let best = InstructionSet::best();
        assert!(best.is_supported());
        let widest = InstructionSet::ALL
            .into_iter()
            .rfind(|set| set.is_supported());
        assert_eq!(Some(best), widest);
        assert_eq!(InstructionSet::best(), best);
    }

    #[test]
    fn only_x86_64_has_wider_sets_or_a_vendor() {
        if !cfg!(target_arch = "x86_64") {
            assert_eq!(InstructionSet::best(), InstructionSet::Baseline);
            assert!(!is_amd());
        }
        // Asked twice, the same answer.
        assert_eq!(is_amd(), is_amd());
    }
}
