//! When the array functions release the GIL.

use pyo3::Python;

/// Below this many values the work takes less time than releasing and retaking the GIL
/// (NumPy draws the same line, at 500 values); above it, other threads run meanwhile.
const RELEASE_GIL_FROM: usize = 4096;

/// `f()`, with the GIL released when it works on `n >= RELEASE_GIL_FROM` values.
pub fn release_gil<R: Send>(py: Python<'_>, n: usize, f: impl FnOnce() -> R + Send) -> R {
    if n >= RELEASE_GIL_FROM {
        py.detach(f)
    } else {
        f()
    }
}
