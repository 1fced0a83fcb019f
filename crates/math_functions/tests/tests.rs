//! The three implementations of `square` (Rust, the tutorial's C through FFI, the C-ABI export)
//! agree bit for bit on every kind of double.

use math_functions::{c_abi, ffi, square};
use std::hint::black_box;

/// Every implementation applied to `x`, read at run time (black_box) so that none of the
/// products is folded by the compiler: we compare what the machine computes.
fn all_squares(x: f64) -> [f64; 3] {
    let x = black_box(x);
    [square(x), ffi::square(x), c_abi::square(x)]
}

fn assert_same_bits(x: f64, expected: f64) {
    for (name, got) in ["rust", "c via ffi", "c abi export"]
        .iter()
        .zip(all_squares(x))
    {
        assert_eq!(
            got.to_bits(),
            expected.to_bits(),
            "{name}: square({x:e}) = {got:e}, expected {expected:e}"
        );
    }
}

#[test]
fn ordinary_values() {
    assert_same_bits(5.0, 25.0);
    assert_same_bits(-3.0, 9.0);
    assert_same_bits(0.5, 0.25);
    assert_same_bits(1.0, 1.0);
    // 0.1 is not exact in binary: one correctly rounded product, the same in C and Rust.
    assert_same_bits(0.1, 0.010000000000000002);
}

#[test]
fn signed_zeros_square_to_positive_zero() {
    assert_same_bits(0.0, 0.0);
    assert_same_bits(-0.0, 0.0);
}

#[test]
fn infinities_square_to_positive_infinity() {
    assert_same_bits(f64::INFINITY, f64::INFINITY);
    assert_same_bits(f64::NEG_INFINITY, f64::INFINITY);
}

#[test]
fn nan_stays_nan() {
    for x in [f64::NAN, -f64::NAN] {
        for got in all_squares(x) {
            assert!(got.is_nan(), "square({x}) = {got}, expected NaN");
        }
    }
}

#[test]
fn overflow_goes_to_infinity() {
    assert_same_bits(1e155, f64::INFINITY);
    assert_same_bits(-f64::MAX, f64::INFINITY);
    // The largest double whose square is finite, and the next one up.
    let root = f64::MAX.sqrt();
    assert!(all_squares(root).iter().all(|y| y.is_finite()));
    assert_same_bits(f64::from_bits(root.to_bits() + 1), f64::INFINITY);
}

#[test]
fn underflow_gives_subnormals_then_zero() {
    // 1e-155 squared is below the smallest normal double: a subnormal, not zero.
    let sub = all_squares(1e-155)[0];
    assert!(sub > 0.0 && !sub.is_normal(), "{sub:e} should be subnormal");
    assert_same_bits(1e-155, 1e-310);
    // Subnormal inputs underflow to zero.
    assert_same_bits(f64::from_bits(1), 0.0);
    assert_same_bits(-f64::MIN_POSITIVE / 2.0, 0.0);
}

#[test]
fn c_and_rust_agree_on_many_bit_patterns() {
    // xorshift64: a fixed, dependency-free sweep over the whole range of doubles,
    // NaN payloads, subnormals and infinities included.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    for _ in 0..200_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let x = f64::from_bits(state);
        let [rust, c, export] = all_squares(x);
        if rust.is_nan() {
            assert!(c.is_nan() && export.is_nan(), "square({x:e})");
        } else {
            assert_eq!(
                rust.to_bits(),
                c.to_bits(),
                "square({x:e}): rust {rust:e}, c {c:e}"
            );
            assert_eq!(rust.to_bits(), export.to_bits(), "square({x:e})");
        }
    }
}
