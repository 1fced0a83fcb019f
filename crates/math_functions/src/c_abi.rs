//! The crate's C ABI: what `ctypes` loads from `build/ctypes/math_functions_rust.so`.
//!
//! Built without the `python` feature, this crate's cdylib has no Python in it: it exports
//! `double square(double)`, the tutorial's C signature, so the tutorial's ctypes lines load it
//! with only the library path changed.

/// `double square(double x)` with the C ABI, implemented by [`crate::square`].
#[unsafe(no_mangle)]
pub extern "C" fn square(x: f64) -> f64 {
    crate::square(x)
}
