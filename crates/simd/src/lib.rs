//! # `simd`: which instruction sets a kernel may be compiled for, and which one this CPU runs
//!
//! The one place in the workspace that names the instruction sets (a kernel family compiles
//! one copy per [`InstructionSet`]), asks the CPU which it has, and reads the
//! `FAST_OPERATIONS_KERNEL` environment variable: [`InstructionSet::choose`] and [`is_amd`]
//! decide once per process and keep the answer ([`InstructionSet::chosen`] reads it).
//!
//! Every kernel family in the workspace follows one idiom:
//! - the body is written once, as an `#[inline(always)]` function (generic where it needs to
//!   be), so that each copy below is compiled for its own registers;
//! - one thin wrapper per instruction set with `#[target_feature(enable = "...")]`, which
//!   is `unsafe` to call on a CPU without that set;
//! - a `match` on an [`InstructionSet`] decided once (usually [`InstructionSet::chosen`]),
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
//!     match InstructionSet::chosen() {
//!         #[cfg(target_arch = "x86_64")]
//!         // SAFETY: chosen() returns only a set this CPU supports.
//!         InstructionSet::Avx2 => unsafe { double_avx2(values) },
//!         #[cfg(target_arch = "x86_64")]
//!         // SAFETY: chosen() returns only a set this CPU supports.
//!         InstructionSet::Avx512 => unsafe { double_avx512(values) },
//!         // The baseline, and sets without a copy of their own here.
//!         _ => double_values(values),
//!     }
//! }
//!
//! let mut values = [1.0, -2.5, 3.0];
//! double(&mut values);
//! assert_eq!(values, [2.0, -5.0, 6.0]);
//! ```
#![deny(missing_docs)]

use std::fmt;
use std::sync::OnceLock;

/// A level of vector instructions that a kernel can be compiled for.
///
/// The copies of a kernel give the same results; they differ only in speed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InstructionSet {
    /// The target's own baseline, which every CPU of the architecture has: on x86-64 SSE2
    /// (2 lanes of f64), on aarch64 NEON, used as the compiler sees fit.
    Baseline,
    /// x86-64 AVX2: 4 lanes of f64 per instruction.
    Avx2,
    /// x86-64 AVX-512F: 8 lanes of f64 per instruction.
    Avx512,
    /// aarch64 NEON (Advanced SIMD) written out by hand: 2 lanes of f64 per instruction.
    Neon,
}

/// The environment variable that forces one instruction set for the whole process.
pub const KERNEL_VARIABLE: &str = "FAST_OPERATIONS_KERNEL";

impl InstructionSet {
    /// Every instruction set; those of one architecture slowest first.
    pub const ALL: [InstructionSet; 4] = [
        InstructionSet::Baseline,
        InstructionSet::Avx2,
        InstructionSet::Avx512,
        InstructionSet::Neon,
    ];

    /// The set's short name: `"baseline"`, `"avx2"`, `"avx512"` or `"neon"`.
    pub fn name(self) -> &'static str {
        match self {
            InstructionSet::Baseline => "baseline",
            InstructionSet::Avx2 => "avx2",
            InstructionSet::Avx512 => "avx512",
            InstructionSet::Neon => "neon",
        }
    }

    /// The set whose [`name`](InstructionSet::name) is `name`, in any case.
    pub fn named(name: &str) -> Option<InstructionSet> {
        InstructionSet::ALL
            .into_iter()
            .find(|set| set.name().eq_ignore_ascii_case(name))
    }

    /// Whether this CPU can run code compiled for the set.
    pub fn is_supported(self) -> bool {
        match self {
            InstructionSet::Baseline => true,
            #[cfg(target_arch = "x86_64")]
            InstructionSet::Avx2 => is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            InstructionSet::Avx512 => is_x86_feature_detected!("avx512f"),
            #[cfg(target_arch = "aarch64")]
            InstructionSet::Neon => std::arch::is_aarch64_feature_detected!("neon"),
            _ => false,
        }
    }

    /// Every set this CPU supports, slowest first.
    pub fn supported() -> Vec<InstructionSet> {
        InstructionSet::ALL
            .into_iter()
            .filter(|set| set.is_supported())
            .collect()
    }

    /// The widest set this CPU supports.
    pub fn widest() -> InstructionSet {
        InstructionSet::supported()
            .pop()
            .unwrap_or(InstructionSet::Baseline)
    }

    /// The set `FAST_OPERATIONS_KERNEL` names, if it is set (and not empty); an error if it
    /// names no set, or one this CPU lacks. Read from the environment on every call:
    /// [`InstructionSet::choose`] reads it once and keeps the answer.
    pub fn forced() -> Result<Option<InstructionSet>, KernelError> {
        let Some(value) = std::env::var_os(KERNEL_VARIABLE) else {
            return Ok(None);
        };
        let value = value.to_string_lossy();
        let name = value.trim();
        if name.is_empty() {
            return Ok(None);
        }
        match InstructionSet::named(name) {
            Some(set) if set.is_supported() => Ok(Some(set)),
            Some(set) => Err(KernelError::Unsupported(set)),
            None => Err(KernelError::Unknown(value.into_owned())),
        }
    }

    /// Decides, on the first call, the set this process runs its kernels with, and keeps the
    /// decision (or the error) for every later call: the one `FAST_OPERATIONS_KERNEL` names,
    /// or else the [widest](InstructionSet::widest) this CPU supports. Callers that can report
    /// an error call it before any kernel runs (the Python modules, when imported), so that
    /// the variable is read there, once, and [`InstructionSet::chosen`] cannot fail later.
    pub fn choose() -> Result<InstructionSet, KernelError> {
        match choice() {
            Ok((set, _)) => Ok(*set),
            Err(error) => Err(error.clone()),
        }
    }

    /// The set [`InstructionSet::choose`] decided (deciding it if nothing has yet): always a
    /// set this CPU supports. A dispatch costs one load.
    ///
    /// # Panics
    /// If `FAST_OPERATIONS_KERNEL` names no set or one this CPU lacks ([`KernelError`]).
    pub fn chosen() -> InstructionSet {
        match choice() {
            Ok((set, _)) => *set,
            Err(error) => panic!("{error}"),
        }
    }

    /// Whether `FAST_OPERATIONS_KERNEL` made the decision of [`InstructionSet::choose`] (not
    /// the CPU alone): then every kernel family runs that set, even where another would be
    /// faster.
    pub fn is_forced() -> bool {
        matches!(choice(), Ok((_, true)))
    }
}

/// The decision of [`InstructionSet::choose`]: the set, and whether the variable forced it.
fn choice() -> &'static Result<(InstructionSet, bool), KernelError> {
    // Kept rather than asked again, so that every call of a kernel family in the process
    // takes the same branch, and the environment is read once.
    static CHOICE: OnceLock<Result<(InstructionSet, bool), KernelError>> = OnceLock::new();
    CHOICE.get_or_init(|| {
        InstructionSet::forced().map(|forced| match forced {
            Some(set) => (set, true),
            None => (InstructionSet::widest(), false),
        })
    })
}

/// Why `FAST_OPERATIONS_KERNEL` cannot be obeyed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KernelError {
    /// It names no instruction set (the value it has).
    Unknown(String),
    /// It names a set this CPU does not have.
    Unsupported(InstructionSet),
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |sets: &[InstructionSet]| {
            sets.iter()
                .map(|set| set.name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let here = names(&InstructionSet::supported());
        match self {
            KernelError::Unknown(value) => write!(
                f,
                "{KERNEL_VARIABLE}={value:?} names no kernel: expected one of {} \
                 (this CPU can run {here})",
                names(&InstructionSet::ALL)
            ),
            KernelError::Unsupported(set) => write!(
                f,
                "{KERNEL_VARIABLE}={:?}: this CPU cannot run the {} kernel (it can run {here})",
                set.name(),
                set.name()
            ),
        }
    }
}

impl std::error::Error for KernelError {}

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
    fn names_round_trip() {
        let names = InstructionSet::ALL.map(InstructionSet::name);
        assert_eq!(names, ["baseline", "avx2", "avx512", "neon"]);
        for set in InstructionSet::ALL {
            assert_eq!(InstructionSet::named(set.name()), Some(set));
            assert_eq!(InstructionSet::named(&set.name().to_uppercase()), Some(set));
        }
        assert_eq!(InstructionSet::named("sse2"), None);
        assert_eq!(InstructionSet::named(""), None);
    }

    #[test]
    fn baseline_is_always_supported() {
        assert!(InstructionSet::Baseline.is_supported());
        assert_eq!(InstructionSet::supported()[0], InstructionSet::Baseline);
    }

    #[test]
    fn each_architecture_has_its_own_sets() {
        let supported = InstructionSet::supported();
        if cfg!(target_arch = "x86_64") {
            assert!(!supported.contains(&InstructionSet::Neon));
        } else {
            assert!(!supported.contains(&InstructionSet::Avx2));
            assert!(!supported.contains(&InstructionSet::Avx512));
            assert!(!is_amd());
        }
        if cfg!(target_arch = "aarch64") {
            assert_eq!(supported, [InstructionSet::Baseline, InstructionSet::Neon]);
        }
        // Asked twice, the same answer.
        assert_eq!(is_amd(), is_amd());
    }

    #[test]
    fn chosen_is_the_forced_set_or_the_widest_and_stays() {
        // The test binary runs with whatever FAST_OPERATIONS_KERNEL the caller set (the
        // Makefile's per-kernel runs set it): chosen() must follow it.
        let chosen = InstructionSet::chosen();
        assert!(chosen.is_supported());
        assert_eq!(InstructionSet::choose(), Ok(chosen));
        assert_eq!(
            InstructionSet::is_forced(),
            InstructionSet::forced()
                .expect("a valid variable")
                .is_some()
        );
        let expected = InstructionSet::forced()
            .expect("a valid FAST_OPERATIONS_KERNEL")
            .unwrap_or_else(InstructionSet::widest);
        assert_eq!(chosen, expected);
        assert_eq!(InstructionSet::chosen(), chosen);
        assert_eq!(
            Some(InstructionSet::widest()),
            InstructionSet::ALL
                .into_iter()
                .rfind(|set| set.is_supported())
        );
    }

    #[test]
    fn errors_name_the_value_and_what_this_cpu_can_run() {
        let unknown = KernelError::Unknown("sse9".into()).to_string();
        assert!(
            unknown.contains("FAST_OPERATIONS_KERNEL=\"sse9\""),
            "{unknown}"
        );
        assert!(
            unknown.contains("baseline, avx2, avx512, neon"),
            "{unknown}"
        );
        assert!(unknown.contains("this CPU can run baseline"), "{unknown}");
        let lacking = if cfg!(target_arch = "x86_64") {
            InstructionSet::Neon
        } else {
            InstructionSet::Avx512
        };
        let unsupported = KernelError::Unsupported(lacking).to_string();
        assert!(
            unsupported.contains(&format!("cannot run the {} kernel", lacking.name())),
            "{unsupported}"
        );
    }
}
