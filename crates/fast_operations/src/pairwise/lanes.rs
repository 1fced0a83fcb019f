//! The contract every kernel's registers fulfil ([`Lanes8`]: eight f64 lanes, the eight
//! accumulators of a leaf), and the leaf and twig code written once over it.

use super::Value;
use super::tree::{LEAF, Parity, add_in, split};

/// Eight f64 lanes in whatever registers a kernel has: the eight accumulators of a leaf.
///
/// # Safety
/// The methods may use instructions beyond x86-64's baseline: call them only from code
/// compiled for, and running on, a CPU that has them (the walks of `walk::kernels!`).
pub(super) trait Lanes8: Copy {
    /// `p[0..8]`, widened to f64; the caller guarantees that those eight values are readable.
    unsafe fn load<T: Value>(p: *const T) -> Self;
    /// `p[0], p[stride], ..., p[7 * stride]`, widened to f64; the caller guarantees them
    /// readable.
    unsafe fn load_strided<T: Value>(p: *const T, stride: isize) -> Self;
    /// Whether the kernel's code is compiled for AVX (see [`add_in`]).
    const VEX: bool;
    /// Lane by lane, `self` the first operand of each addition.
    unsafe fn add(self, other: Self) -> Self;
    /// `self + p[0..8]` (widened), lane by lane, `self` the first operand; the caller
    /// guarantees `p[0..8]` readable.
    #[inline(always)]
    unsafe fn add_load<T: Value>(self, p: *const T) -> Self {
        // SAFETY: forwarded from the caller (p[0..8] readable, the CPU's instructions).
        unsafe { self.add(Self::load(p)) }
    }
    /// NumPy's combination of a leaf's accumulators at a depth of parity `P`:
    /// `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`, `r3 + r2` at an even depth.
    unsafe fn combine<P: Parity>(self) -> f64;
    /// `x + y`, `x` the first operand, in the kernel's instructions.
    #[inline(always)]
    fn add_scalar(x: f64, y: f64) -> f64 {
        if Self::VEX {
            add_in::<true>(x, y)
        } else {
            add_in::<false>(x, y)
        }
    }
    /// A leaf of `8 <= a.len() <= LEAF` values; the caller guarantees the length.
    #[inline(always)]
    unsafe fn sum_leaf<P: Parity, T: Value>(a: &[T]) -> f64 {
        // SAFETY: forwarded from the caller (the length, and the CPU's instructions).
        unsafe { leaf::<Self, P, T>(a) }
    }
    /// The sums of two neighbouring leaves, `a[..mid]` and `a[mid..]`, where `mid` is
    /// [`split`]`(a.len())` and each part is a leaf (so `mid` is a multiple of 8, and the right
    /// leaf has as many groups of eight as the left, or one more). The caller guarantees that
    /// shape. One after the other, unless a kernel has a faster way.
    #[inline(always)]
    unsafe fn sum_leaf_pair<P: Parity, T: Value>(a: &[T], mid: usize) -> (f64, f64) {
        // SAFETY: forwarded from the caller (two leaves, the CPU's instructions).
        unsafe { leaves_in_turn::<Self, P, T>(a, mid) }
    }
}

/// The sum of a node of parity `P` from its children's: NumPy's operand order.
#[inline(always)]
pub(super) fn join<V: Lanes8, P: Parity>(left: f64, right: f64) -> f64 {
    if P::ODD {
        V::add_scalar(right, left)
    } else {
        V::add_scalar(left, right)
    }
}

/// [`Lanes8::sum_leaf_pair`] one leaf after the other.
///
/// # Safety
/// As [`Lanes8::sum_leaf_pair`].
#[inline(always)]
pub(super) unsafe fn leaves_in_turn<V: Lanes8, P: Parity, T: Value>(
    a: &[T],
    mid: usize,
) -> (f64, f64) {
    let (left, right) = a.split_at(mid);
    // SAFETY: forwarded from the caller (two leaves, the CPU's instructions).
    unsafe { (V::sum_leaf::<P, T>(left), V::sum_leaf::<P, T>(right)) }
}

/// `res` plus a leaf's last `rest.len() < 8` values, one after the other, `res` the first
/// operand of each addition.
#[inline(always)]
pub(super) fn add_rest<V: Lanes8, T: Value>(mut res: f64, rest: &[T]) -> f64 {
    for &x in rest {
        res = V::add_scalar(res, x.to_f64());
    }
    res
}

/// A leaf of `8 <= a.len() <= LEAF` values, its accumulators in the lanes of `V`.
///
/// # Safety
/// As [`Lanes8`]: the CPU must have `V`'s instructions.
#[inline(always)]
pub(super) unsafe fn leaf<V: Lanes8, P: Parity, T: Value>(a: &[T]) -> f64 {
    debug_assert!(8 <= a.len() && a.len() <= LEAF);
    let full = a.len() - a.len() % 8;
    let p = a.as_ptr();
    // SAFETY: every load reads p[i..i + 8] with i + 8 <= full <= a.len(), inside `a`;
    // the caller's CPU has V's instructions.
    unsafe {
        let mut r = V::load(p);
        // Eight values a step, not unrolled: unrolled, the code grew and ran slower from the
        // caches (docs/measurements/section-1.md).
        for i in (8..full).step_by(8) {
            r = r.add_load(p.add(i));
        }
        add_rest::<V, T>(r.combine::<P>(), &a[full..])
    }
}

/// The largest size up to which every node of more than LEAF values has a leaf as its left
/// child, and as its right child a leaf or a node of two leaves (checked by a test).
pub(super) const TWIG: usize = 271;

/// A node of `LEAF < n <= TWIG` values: a fixed shape of two or three leaves, summed without
/// recursion.
///
/// # Safety
/// As [`Lanes8`]: the CPU must have `V`'s instructions.
#[inline(always)]
pub(super) unsafe fn twig<V: Lanes8, P: Parity, T: Value>(a: &[T]) -> f64 {
    debug_assert!(LEAF < a.len() && a.len() <= TWIG);
    let mid = split(a.len());
    // SAFETY: every part has 8 to LEAF values (see above), each pair is a node of two leaves;
    // the caller's CPU has V's instructions.
    unsafe {
        if a.len() - mid <= LEAF {
            let (left, right) = V::sum_leaf_pair::<P::Child, T>(a, mid);
            join::<V, P>(left, right)
        } else {
            let (left, right) = a.split_at(mid);
            let left = V::sum_leaf::<P::Child, T>(left);
            type Grandchild<P> = <<P as Parity>::Child as Parity>::Child;
            let (rl, rr) = V::sum_leaf_pair::<Grandchild<P>, T>(right, split(right.len()));
            join::<V, P>(left, join::<V, P::Child>(rl, rr))
        }
    }
}
