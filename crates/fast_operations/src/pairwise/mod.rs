//! NumPy's pairwise summation of float64, reproduced to the bit, and fast (of float32 too,
//! in float64).
//!
//! Why pairwise: the rounding error grows as O(log n) instead of the O(n) of a loop in order,
//! at no cost in speed. The tree is NumPy's (`pairwise_sum` in
//! `numpy/_core/src/umath/loops_utils.h.src`), and every detail of it decides the bits:
//!
//! - `n < 8`: add in order, starting from `-0.0`.
//! - `8 <= n <= 128`: eight accumulators start as `a[0..8]` and add `a[i + k]` in steps of 8 up
//!   to `n - n % 8`; they combine as `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`; then
//!   the remaining `n % 8` values are added in order.
//! - `n > 128`: split at [`split`]`(n)` and add the two halves' sums.
//!
//! NaN payloads and signs: an x86 addition of two NaNs returns its first operand's NaN, so
//! the operand order of every addition where two NaNs may meet decides the bits, and NumPy's
//! compiled code does not keep its C source's order: GCC inlined the recursive call one level
//! deep and swapped operands differently in each copy. As NumPy's x86-64 wheels run it on
//! CPUs with AVX2 (their `X86_V3` build): nodes at an even depth (the root's) add `left +
//! right`, nodes at an odd depth `right + left`; leaves at an even depth combine their third
//! pair as `r3 + r2`, leaves at an odd depth keep the source's order (see [`Depth`]). The
//! lanes add their values in order, and the tails too. The compiler takes `+` as commutative
//! and swaps operands where that saves a copy or a shuffle, so every such addition here is
//! inline assembly (`tree::add`, and the vector ones of each kernel), or an addition whose second
//! operand is read from memory (which only the second can be); the tests check the bits on
//! every kernel. (NumPy's build for CPUs without AVX2 adds `left + right` at nodes that are
//! the left child of an odd-depth node: NaN bits there differ from NumPy's on such CPUs.)
//! On aarch64 the same order is kept, and an addition of two quiet NaNs returns its first
//! operand's there too; but a signalling NaN wins over a quiet one whichever operand it is,
//! and the order of NumPy's aarch64 build has not been read: the bits there are this
//! tree's, the same on every kernel, not known to be those of NumPy on ARM.
//!
//! Why it is fast: the eight accumulators of a leaf are eight SIMD lanes (one AVX-512
//! register, two AVX2 ones,
//! four NEON ones), and the leaves are independent: only their combination has an
//! order. So each lane keeps its additions in order and the leaves combine in the tree's
//! order: the same bits on every CPU, however wide its vectors. The recursion stops at small
//! nodes of a fixed shape, the leaves are read one after the other (one stream the
//! prefetchers follow), and no load spans two cache lines. The figures behind each choice are
//! in `docs/measurements/section-1.md`.
//!
//! One concern a file:
//! - `tree`: the tree's shape ([`split`], `LEAF`), [`Depth`], the ordered addition `add`,
//!   and [`sum_reference`], the tree written plainly;
//! - `value`: [`Value`], the element types (f64, f32) and how each kernel loads them;
//! - `lanes`: the `Lanes8` contract every kernel's registers fulfil, and the leaf and twig
//!   code written once over it;
//! - `baseline`, `avx2`, `avx512`, `neon`: one file per instruction set, its lanes and its
//!   leaves;
//! - `walk`: the recursion, compiled once per instruction set;
//! - `strided`: 1-D views of any stride, read where their values are;
//! - `gather`: any other view, gathered into a buffer a node at a time;
//! - `unordered`: the yardstick, a sum in no particular order;
//! - `hints`: what the code tells the CPU and the compiler (prefetches, opaque pointers);
//! - `dispatch`: which kernel runs, decided once per process, and the entry points.

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod baseline;
mod dispatch;
mod gather;
mod hints;
mod lanes;
#[cfg(target_arch = "aarch64")]
mod neon;
mod strided;
mod tree;
mod unordered;
mod value;
mod walk;

#[cfg(test)]
mod tests;

pub use dispatch::{Kernel, pairwise_sum, pairwise_sum_at, preferred, sum_unordered};
pub use gather::{F64Bytes, pairwise_sum_of_bytes_at};
pub(crate) use gather::{GATHER, Gather, pairwise_sum_of_at};
pub use simd::InstructionSet;
pub use tree::{Depth, split, sum_reference};
pub(crate) use tree::{LEAF, add};
pub use value::Value;
