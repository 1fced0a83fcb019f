//! `FAST_OPERATIONS_KERNEL`, checked when a module is imported: a kernel this CPU cannot run
//! is refused there, before any sum or square runs.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use simd::InstructionSet;

/// `Ok` if `FAST_OPERATIONS_KERNEL` is unset, empty or names a kernel this CPU can run;
/// otherwise the `ValueError` that names the value and the kernels this CPU has. Each module
/// with SIMD kernels calls it first in its initialisation, so that the import fails instead
/// of a later call (`simd::InstructionSet::chosen` panics on such a value).
pub fn check_kernel_variable() -> PyResult<()> {
    match InstructionSet::forced() {
        Ok(_) => Ok(()),
        Err(error) => Err(PyValueError::new_err(error.to_string())),
    }
}

/// The name of the kernel this process runs (`"baseline"`, `"avx2"`, `"avx512"`, `"neon"`):
/// `FAST_OPERATIONS_KERNEL`'s, or the widest this CPU has.
pub fn kernel_name() -> &'static str {
    InstructionSet::chosen().name()
}
