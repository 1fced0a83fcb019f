//! The yardstick: a many-accumulator sum in no particular order. Not NumPy's bits, but the
//! fastest sum the CPU can do, against which the tree's speed is judged.

use super::hints::{opaque, prefetch};

/// How many independent accumulators the unordered sum keeps: enough to hide the latency of
/// an addition on every vector width here.
const UNORDERED_LANES: usize = 32;

/// The fastest sum in no particular order, compiled into each kernel (`walk::kernels!`). Free
/// to add in any order, it starts its vector loop on a cache line (no load spans two lines),
/// reads each chunk through a pointer of its own ([`opaque`]: addresses a constant away from
/// it), adds the values before the first line and after the last chunk into the lanes too (no
/// chain of additions at the ends), and adds up its lanes as a tree (five vector additions,
/// where a loop over them is a chain of 31). `AHEAD` > 0: it asks for the lines `AHEAD` values
/// ahead, as the AVX-512 tree does ([`PREFETCH_AHEAD`](super::hints::PREFETCH_AHEAD)).
#[inline(always)]
pub(super) fn unordered<const AHEAD: usize>(a: &[f64]) -> f64 {
    let (head, a) = a.split_at(a.as_ptr().align_offset(64).min(a.len()));
    let mut acc = [0.0; UNORDERED_LANES];
    for (lane, &x) in acc.iter_mut().zip(head) {
        *lane += x;
    }
    let mut rest = a;
    while rest.len() >= UNORDERED_LANES {
        let (chunk, tail) = rest.split_at(UNORDERED_LANES);
        if AHEAD > 0 {
            for line in (0..UNORDERED_LANES).step_by(8) {
                prefetch(chunk.as_ptr().wrapping_add(line + AHEAD));
            }
        }
        for k in 0..UNORDERED_LANES {
            acc[k] += chunk[k];
        }
        // Each chunk read through its own pointer, the values a constant away from it: see
        // `opaque`.
        // SAFETY: opaque returns the pointer it is given: this is `tail`.
        rest = unsafe { std::slice::from_raw_parts(opaque(tail.as_ptr()), tail.len()) };
    }
    for (lane, &x) in acc.iter_mut().zip(rest) {
        *lane += x;
    }
    let mut width = UNORDERED_LANES;
    while width > 1 {
        width /= 2;
        for k in 0..width {
            acc[k] += acc[k + width];
        }
    }
    acc[0]
}
