//! The tutorial's C `square` (`c_src/math_functions.c`), declared once for Rust.
//!
//! `build.rs` compiles the file unchanged but with `square` renamed to `c_square`, so that it
//! does not clash with the Rust export in [`crate::c_abi`].

// SAFETY: this matches the C definition `double square(double x)` (named `c_square` by
// build.rs): one double in by value, one double out, no pointers and no global state. No
// argument can make it touch memory, so it is declared `safe` to call.
unsafe extern "C" {
    safe fn c_square(x: f64) -> f64;
}

/// The tutorial's C `square(x)`, called through Rust FFI. Same bits as [`crate::square`]
/// (the C is built with `-ffp-contract=off`; a single multiplication has one rounding anyway).
///
/// ```
/// assert_eq!(math_functions::ffi::square(5.0), 25.0);
/// ```
#[inline]
pub fn square(x: f64) -> f64 {
    c_square(x)
}
