//! Views that are neither one slice nor read in place (`strided`): their values gathered into
//! a buffer a node at a time, each node summed by the fast kernels.

use super::{Depth, pairwise_sum_at, split};

/// The pairwise sum of `n` values taken in order from `values` (which must hold `n`), as a
/// node at `depth` of a larger tree: for N-D views whose axes do not merge, and strided views
/// where the CPU has no kernel that reads them in place.
///
/// Each node of at most [`GATHER`] values is gathered into a buffer and summed by the fast
/// kernel: a node's sum depends only on its values and its size, so this is the same tree.
pub(crate) fn pairwise_sum_of_at(n: usize, mut values: impl Gather, depth: Depth) -> f64 {
    let mut buffer = Buffer([0.0; GATHER]);
    gathered(n, &mut values, &mut buffer.0, depth)
}

/// The gather buffer, on a cache line of its own: no load of the kernels spans two lines.
#[repr(align(64))]
struct Buffer([f64; GATHER]);

/// How many values [`pairwise_sum_of_at`] gathers at a time (8 KiB, on the stack): small
/// enough to stay in the L1 cache while the values stream through it, large enough that the
/// calls per node cost little (docs/measurements/section-1.md).
pub(crate) const GATHER: usize = 1024;

/// Where [`pairwise_sum_of_at`] takes its values from, in summation order, a buffer at a time.
pub(crate) trait Gather {
    /// Writes the next `out.len()` values into `out`; panics if there are fewer.
    fn gather(&mut self, out: &mut [f64]);
}

/// An iterator is a source a value at a time: simple, and slow, for the tests.
#[cfg(test)]
impl<I: Iterator<Item = f64>> Gather for I {
    fn gather(&mut self, out: &mut [f64]) {
        for slot in out {
            *slot = self
                .next()
                .expect("the values ran out before the sum's length");
        }
    }
}

fn gathered(n: usize, values: &mut impl Gather, buffer: &mut [f64; GATHER], depth: Depth) -> f64 {
    if n <= GATHER {
        let node = &mut buffer[..n];
        values.gather(node);
        pairwise_sum_at(&*node, depth)
    } else {
        let n2 = split(n);
        let left = gathered(n2, values, buffer, depth.child());
        depth.join(left, gathered(n - n2, values, buffer, depth.child()))
    }
}

/// float64 values in native byte order at any address, as bytes: an array NumPy holds
/// misaligned (a buffer received from the network, unpickled), which Rust may not read as
/// `&[f64]`. Summed a buffer at a time ([`pairwise_sum_of_bytes_at`]), never copied whole.
#[derive(Clone, Copy, Debug)]
pub struct F64Bytes<'a>(&'a [u8]);

impl<'a> F64Bytes<'a> {
    /// The values whose bytes are `bytes`; `None` if its length is not a multiple of 8.
    pub fn new(bytes: &'a [u8]) -> Option<F64Bytes<'a>> {
        bytes.len().is_multiple_of(8).then_some(F64Bytes(bytes))
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.0.len() / 8
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first `mid` values and the others.
    pub fn split_at(self, mid: usize) -> (F64Bytes<'a>, F64Bytes<'a>) {
        let (left, right) = self.0.split_at(mid * 8);
        (F64Bytes(left), F64Bytes(right))
    }

    /// The values, in order.
    pub fn iter(self) -> impl Iterator<Item = f64> + 'a {
        self.0
            .chunks_exact(8)
            .map(|bytes| f64::from_ne_bytes(bytes.try_into().expect("8 bytes")))
    }
}

impl Gather for F64Bytes<'_> {
    fn gather(&mut self, out: &mut [f64]) {
        let (head, rest) = self.split_at(out.len());
        for (slot, value) in out.iter_mut().zip(head.iter()) {
            *slot = value;
        }
        *self = rest;
    }
}

/// [`pairwise_sum_at`] of float64 values at any address: the same bits as of the values
/// copied to an aligned slice.
pub fn pairwise_sum_of_bytes_at(values: F64Bytes<'_>, depth: Depth) -> f64 {
    pairwise_sum_of_at(values.len(), values, depth)
}
