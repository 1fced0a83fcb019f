//! No Rust panic reaches Python.

use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// `f()`, with a Rust panic (a bug) turned into a `RuntimeError` naming `func`: without
/// this, pyo3 raises a `PanicException`, which `except Exception` does not catch.
///
/// Panics inside `py.detach` reach this point too: pyo3 takes the GIL back while the
/// panic unwinds out of the detached closure, and the thread pool (crates/pool) passes a
/// panic on one of its threads to the caller that waits for it.
pub fn catch_panics<R>(func: &'static str, f: impl FnOnce() -> PyResult<R>) -> PyResult<R> {
    // Unwind safety: what a panic can leave half-done is the argument's values (a square
    // stopped midway), which the squares' docs say.
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let message = pool::panic_message(panic.as_ref());
        Err(PyRuntimeError::new_err(format!(
            "internal error in {func}(): {message}; please report it"
        )))
    })
}
