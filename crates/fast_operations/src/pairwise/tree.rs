//! The tree's shape, the parity of a node's depth, the ordered addition, and the tree written
//! as plainly as possible: the reference every fast path is tested against.

use super::Value;

/// The largest node NumPy sums as a single leaf (its `PW_BLOCKSIZE`).
pub(crate) const LEAF: usize = 128;

/// Where NumPy splits a node of `n > LEAF` values: half, rounded down to a multiple of 8.
#[inline]
pub const fn split(n: usize) -> usize {
    let half = n / 2;
    half - half % 8
}

/// The parity of a node's depth in NumPy's tree (the root's is even), which decides the
/// operand order of its additions where two NaNs meet (see the module's documentation):
/// nothing else in the bits depends on where a node sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// The root, and every node two levels below one of these.
    Even,
    /// The children of [`Depth::Even`] nodes.
    Odd,
}

impl Depth {
    /// The root's.
    pub const ROOT: Depth = Depth::Even;

    /// The depth of this node's children.
    #[inline]
    pub fn child(self) -> Depth {
        match self {
            Depth::Even => Depth::Odd,
            Depth::Odd => Depth::Even,
        }
    }

    /// The sum of a node of more than `LEAF` (128) values at this depth from its children's sums,
    /// in NumPy's operand order.
    #[inline]
    pub fn join(self, left: f64, right: f64) -> f64 {
        match self {
            Depth::Even => add(left, right),
            Depth::Odd => add(right, left),
        }
    }
}

/// [`Depth`] as a type, for the kernels: each is compiled for both parities, so that choosing
/// an operand order costs nothing at run time.
pub(super) trait Parity {
    const ODD: bool;
    /// The parity of the children.
    type Child: Parity;
}

/// The root's parity.
pub(super) enum Even {}
/// The parity of the root's children.
pub(super) enum Odd {}

impl Parity for Even {
    const ODD: bool = false;
    type Child = Odd;
}

impl Parity for Odd {
    const ODD: bool = true;
    type Child = Even;
}

/// `x + y` with `x` the first operand of the x86 or ARM addition (whose NaN wins when both
/// are quiet NaNs): written as `+`, the compiler may swap them.
#[inline(always)]
pub(crate) fn add(x: f64, y: f64) -> f64 {
    add_in::<false>(x, y)
}

/// [`add`] as the SSE instruction (`VEX` = false) or its AVX form: code compiled for AVX
/// should not mix in SSE instructions, which then wait for the upper halves of the registers.
/// On aarch64 ARM's one scalar addition.
#[inline(always)]
pub(super) fn add_in<const VEX: bool>(x: f64, y: f64) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        let mut x = x;
        // SAFETY: one addition between two registers: no memory; like any float addition it
        // may set MXCSR's exception flags (so no `preserves_flags`). The AVX form only runs
        // in kernels that the CPU was checked to have AVX for.
        unsafe {
            if VEX {
                std::arch::asm!("vaddsd {x}, {x}, {y}", x = inout(xmm_reg) x, y = in(xmm_reg) y,
                    options(pure, nomem, nostack));
            } else {
                std::arch::asm!("addsd {x}, {y}", x = inout(xmm_reg) x, y = in(xmm_reg) y,
                    options(pure, nomem, nostack));
            }
        }
        x
    }
    #[cfg(target_arch = "aarch64")]
    {
        let mut x = x;
        // SAFETY: one addition between two registers: no memory; like any float addition it
        // may set FPSR's exception flags (so no `preserves_flags`). The same instruction
        // whatever `VEX` says.
        unsafe {
            std::arch::asm!("fadd {x:d}, {x:d}, {y:d}", x = inout(vreg) x, y = in(vreg) y,
                options(pure, nomem, nostack));
        }
        x
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        x + y
    }
}

/// The tree written as plainly as possible, in NumPy's operand order: the reference the fast
/// paths are tested against.
pub fn sum_reference<T: Value>(a: &[T]) -> f64 {
    sum_reference_at(a, Depth::ROOT)
}

/// [`sum_reference`] of a node at `depth` of a larger tree.
pub(crate) fn sum_reference_at<T: Value>(a: &[T], depth: Depth) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = -0.0;
        for &x in a {
            res = add(res, x.to_f64());
        }
        res
    } else if n <= LEAF {
        let mut r = [0.0; 8];
        for k in 0..8 {
            r[k] = a[k].to_f64();
        }
        let mut i = 8;
        while i < n - n % 8 {
            for k in 0..8 {
                r[k] = add(r[k], a[i + k].to_f64());
            }
            i += 8;
        }
        let r23 = match depth {
            Depth::Even => add(r[3], r[2]),
            Depth::Odd => add(r[2], r[3]),
        };
        let mut res = add(
            add(add(r[0], r[1]), r23),
            add(add(r[4], r[5]), add(r[6], r[7])),
        );
        while i < n {
            res = add(res, a[i].to_f64());
            i += 1;
        }
        res
    } else {
        let n2 = split(n);
        let left = sum_reference_at(&a[..n2], depth.child());
        depth.join(left, sum_reference_at(&a[n2..], depth.child()))
    }
}
