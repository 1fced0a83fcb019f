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

/// The name of the kernel this process runs (`"baseline"`, `"avx2"`, `"avx512"`, `"neon"`):
/// `FAST_OPERATIONS_KERNEL`'s, or the widest this CPU has.
pub fn kernel_name() -> &'static str {
    InstructionSet::chosen().name()
}
