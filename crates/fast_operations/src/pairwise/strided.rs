//! 1-D views of any stride, summed where their values are: nothing copied, nothing outside
//! the view read. Each group of eight values is loaded by the kernel's lanes
//! (`Lanes8::load_strided`: gathers, or on AVX-512 masked and reversed loads for strides 2
//! and -1).

use super::Value;
use super::lanes::Lanes8;
use super::tree::{LEAF, Parity};
use ndarray::ArrayView1;
use std::marker::PhantomData;

/// The values of a 1-D view of any stride, read where they are: `len` values `p[0],
/// p[stride], p[2 * stride]`, ... Made from an `ArrayView1` and split only within it, so
/// each of those values is readable for `'a`.
pub(super) struct Strided<'a, T> {
    pub(super) p: *const T,
    pub(super) len: usize,
    pub(super) stride: isize,
    view: PhantomData<&'a T>,
}

// By hand: derived, they would ask `T: Copy`; a strided view is a pointer and two numbers.
impl<T> Clone for Strided<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Strided<'_, T> {}

impl<'a, T> Strided<'a, T> {
    pub(super) fn of(view: &ArrayView1<'a, T>) -> Self {
        Strided {
            p: view.as_ptr(),
            len: view.len(),
            stride: view.strides()[0],
            view: PhantomData,
        }
    }

    /// Where value `i <= len` is (one past the end for `len`: never read there).
    pub(super) fn at(self, i: usize) -> *const T {
        assert!(i <= self.len);
        // In bounds of the view's memory, or one stride past its last value for i = len:
        // wrapping, as no read happens there.
        self.p.wrapping_offset(i as isize * self.stride)
    }

    pub(super) fn get(self, i: usize) -> T
    where
        T: Copy,
    {
        assert!(i < self.len);
        // SAFETY: value i < len of the view this was made from is readable for 'a.
        unsafe { self.at(i).read() }
    }

    pub(super) fn split_at(self, mid: usize) -> (Self, Self) {
        let right = Strided {
            p: self.at(mid),
            len: self.len - mid,
            ..self
        };
        (Strided { len: mid, ..self }, right)
    }
}

/// A leaf of a strided view (`view.len <= LEAF`), its accumulators in the lanes of `V`, each
/// group of eight values gathered from where it is: the same additions as `lanes::leaf`.
///
/// # Safety
/// As [`Lanes8`]: the CPU must have `V`'s instructions.
#[inline(always)]
pub(super) unsafe fn strided_leaf<V: Lanes8, P: Parity, T: Value>(view: Strided<'_, T>) -> f64 {
    debug_assert!(view.len <= LEAF);
    let n = view.len;
    let full = n - n % 8;
    let mut res = -0.0;
    if full > 0 {
        // SAFETY: each load reads values i..i + 8 of the view, with i + 8 <= full <= len:
        // readable (the view's invariant); the caller's CPU has V's instructions.
        unsafe {
            let mut r = V::load_strided(view.p, view.stride);
            for i in (8..full).step_by(8) {
                r = r.add(V::load_strided(view.at(i), view.stride));
            }
            res = r.combine::<P>();
        }
    }
    for i in full..n {
        res = V::add_scalar(res, view.get(i).to_f64());
    }
    res
}

/// The sums of two neighbouring leaves of a strided view, `left` and `right` (8 to LEAF values
/// each, `right` at least as long), their groups of eight gathered in step: two chains of
/// additions at once, where [`strided_leaf`] has one. The same additions as two leaves.
///
/// # Safety
/// As [`Lanes8`]: the CPU must have `V`'s instructions.
#[inline(always)]
pub(super) unsafe fn strided_leaf_pair<V: Lanes8, P: Parity, T: Value>(
    left: Strided<'_, T>,
    right: Strided<'_, T>,
) -> (f64, f64) {
    debug_assert!(8 <= left.len && left.len <= right.len && right.len <= LEAF);
    let (gl, gr) = (left.len / 8, right.len / 8);
    let stride = left.stride;
    // SAFETY: each load reads values 8g..8g + 8 of its view with g below its number of whole
    // groups: readable (the views' invariant); the caller's CPU has V's instructions.
    let (x, y) = unsafe {
        let mut x = V::load_strided(left.p, stride);
        let mut y = V::load_strided(right.p, stride);
        for g in 1..gl {
            x = x.add(V::load_strided(left.at(8 * g), stride));
            y = y.add(V::load_strided(right.at(8 * g), stride));
        }
        for g in gl..gr {
            y = y.add(V::load_strided(right.at(8 * g), stride));
        }
        (x.combine::<P>(), y.combine::<P>())
    };
    let rest = |mut res: f64, view: Strided<'_, T>, from: usize| {
        for i in from..view.len {
            res = V::add_scalar(res, view.get(i).to_f64());
        }
        res
    };
    (rest(x, left, 8 * gl), rest(y, right, 8 * gr))
}
