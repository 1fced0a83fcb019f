//! The values the workspace's tests sum and square: deterministic (an xorshift generator), and
//! of many magnitudes with both signs, so that any change in the order of additions changes the
//! rounded result, and bit equality of two sums means the same order.

/// `n` values from `seed`, their magnitudes spanning 2^-20 to 2^20.
pub fn values(n: usize, seed: u64) -> Vec<f64> {
    values_spanning(n, seed, 20)
}

/// `n` values from `seed`: a mantissa in [-0.5, 0.5) times 2^e, e from -`span` to `span`.
pub fn values_spanning(n: usize, seed: u64, span: u64) -> Vec<f64> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mantissa = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            let exponent = (state % (2 * span + 1)) as i32 - span as i32;
            mantissa * 2f64.powi(exponent)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_deterministic_and_span_the_magnitudes_asked_for() {
        let a = values_spanning(10_000, 7, 30);
        assert_eq!(a, values_spanning(10_000, 7, 30));
        assert_ne!(a, values_spanning(10_000, 8, 30));
        let exponents: Vec<i32> = a
            .iter()
            .filter(|x| **x != 0.0)
            .map(|x| x.abs().log2().floor() as i32)
            .collect();
        assert!(exponents.iter().all(|&e| (-31 - 53..=29).contains(&e)));
        assert!(exponents.iter().any(|&e| e >= 27) && exponents.iter().any(|&e| e <= -29));
        assert!(a.iter().any(|&x| x < 0.0) && a.iter().any(|&x| x > 0.0));
        assert_eq!(values(100, 3), values_spanning(100, 3, 20));
    }
}
