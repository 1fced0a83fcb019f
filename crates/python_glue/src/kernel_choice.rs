//! `FAST_OPERATIONS_KERNEL`, read when a module is imported: the kernel is decided there, and
//! one this CPU cannot run is refused there, before any sum or square runs.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use simd::InstructionSet;

/// Decides the kernel of this module's copy of the kernels (`simd::InstructionSet::choose`):
/// `Ok` if `FAST_OPERATIONS_KERNEL` is unset, empty or names a kernel this CPU can run;
/// otherwise the `ValueError` that names the value and the kernels this CPU has. Each module
/// with SIMD kernels calls it first in its initialisation, with the GIL held: the variable is
/// read there and never again (a later change to `os.environ` changes nothing), and no later
/// call can fail on it (`simd::InstructionSet::chosen` would panic).
pub fn check_kernel_variable() -> PyResult<()> {
    match InstructionSet::choose() {
        Ok(_) => Ok(()),
        Err(error) => Err(PyValueError::new_err(error.to_string())),
    }
}

/// The name of the SIMD kernel this module runs: ``"avx512"``, ``"avx2"`` or
/// ``"baseline"`` on x86-64, ``"neon"`` or ``"baseline"`` on ARM.
///
/// The widest this CPU has, unless the environment variable ``FAST_OPERATIONS_KERNEL`` names
/// one: then every kernel of the module runs that one, for every element type. The module
/// reads the variable once, when it is imported (a later change to ``os.environ`` changes
/// nothing); a kernel the CPU cannot run makes the import raise ``ValueError``. Every kernel
/// gives the same results; they differ only in speed. (Unforced, sums of one slice take a
/// narrower copy where it measured faster: float32 AVX2 on AVX-512 CPUs, float64 AVX2 on AMD
/// CPUs.)
///
/// >>> kernel() in ("avx512", "avx2", "neon", "baseline")
/// True
// Every module with SIMD kernels adds it: each decides at its own import (its own copy of the
// `simd` crate), so each reports its own decision.
#[pyfunction]
pub fn kernel() -> &'static str {
    InstructionSet::chosen().name()
}
