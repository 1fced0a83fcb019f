//! # `math_functions`: section 3 of "NumPy with Cython and C"
//!
//! The tutorial writes `double square(double x)` in C (`c_src/math_functions.c`), builds it with
//! `gcc -shared` and calls it from Python through `ctypes`. That works, but every ctypes call
//! converts its argument and result through generic machinery that costs far more than the
//! multiplication. This crate holds every way of making that call, so they can be compared:
//!
//! - [`square`]: the function in Rust.
//! - [`ffi::square`]: the tutorial's C file, unchanged, compiled by `cc` and called through Rust FFI.
//! - [`c_abi`]: a C-ABI export, so ctypes can load Rust exactly as it loads the C library.
//! - With the `python` feature, the Python module `math_functions` with `square` (Rust) and
//!   `square_c` (the C function through Rust): a PyO3 call instead of a ctypes call.
//!
//! The core has no Python in it: `cargo test -p math_functions` needs only a C compiler.
#![deny(missing_docs)]

pub mod c_abi;
pub mod ffi;
#[cfg(feature = "python")]
mod python;

/// `x * x` in IEEE 754 double precision, exactly what the tutorial's C code computes:
/// NaN stays NaN, `-0.0` squares to `+0.0`, overflow gives infinity, underflow gives a
/// subnormal or zero.
///
/// ```
/// assert_eq!(math_functions::square(5.0), 25.0);
/// ```
#[inline]
pub fn square(x: f64) -> f64 {
    x * x
}
