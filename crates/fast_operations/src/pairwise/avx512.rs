//! The AVX-512 kernel: the eight lanes in one register. f64 leaves are read a whole cache line
//! a load, the tree compiled once per offset into the line where the slice starts
//! ([`Avx512`]); strided views of stride 2 and -1 are read by masked and reversed loads
//! ([`Avx512Strided`]); long sums ask for the lines ahead.

use super::Value;
use super::hints::{PREFETCH_AHEAD, PREFETCH_FROM, opaque, prefetch};
use super::lanes::{Lanes8, add_rest, leaf, leaves_in_turn};
use super::strided::Strided;
use super::tree::{LEAF, Parity, add_in};
use std::arch::x86_64::*;

super::walk::kernels!(inline(never), inline, "avx512f");

/// The tree over `a`, a node of parity `P`: for f64, with the lanes whose leaves read whole
/// cache lines from where `a` starts in its line ([`Avx512`]), asking for lines ahead from
/// [`PREFETCH_FROM`] values on; for f32, eight values a load.
///
/// # Safety
/// The caller guarantees `a.len() >= 8` and a CPU with AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn walk<P: Parity, T: Value>(a: &[T]) -> f64 {
    // SAFETY: forwarded from the caller.
    unsafe {
        if T::as_f64(a).is_some() && a.len() >= PREFETCH_FROM {
            walk_at_offset::<P, T, PREFETCH_AHEAD>(a)
        } else {
            walk_at_offset::<P, T, 0>(a)
        }
    }
}

/// [`walk`] with the lanes for `a`'s offset into its cache line, which prefetch `AHEAD`
/// values ahead (0: none).
///
/// # Safety
/// As [`walk`].
#[target_feature(enable = "avx512f")]
unsafe fn walk_at_offset<P: Parity, T: Value, const AHEAD: usize>(a: &[T]) -> f64 {
    let offset = T::as_f64(a).map_or(0, |a| a.as_ptr() as usize % 64 / 8);
    // SAFETY: forwarded from the caller; each lane type is for slices that start `offset`
    // values into a cache line, as `a` does (f32 only ever takes the first arm).
    unsafe {
        match offset {
            0 => compiled::walk_lanes::<Avx512<0, AHEAD>, P, T>(a),
            1 => compiled::walk_lanes::<Avx512<1, AHEAD>, P, T>(a),
            2 => compiled::walk_lanes::<Avx512<2, AHEAD>, P, T>(a),
            3 => compiled::walk_lanes::<Avx512<3, AHEAD>, P, T>(a),
            4 => compiled::walk_lanes::<Avx512<4, AHEAD>, P, T>(a),
            5 => compiled::walk_lanes::<Avx512<5, AHEAD>, P, T>(a),
            6 => compiled::walk_lanes::<Avx512<6, AHEAD>, P, T>(a),
            _ => compiled::walk_lanes::<Avx512<7, AHEAD>, P, T>(a),
        }
    }
}

/// The tree over a strided view, a node of parity `P`, with the lanes for its stride
/// ([`Avx512Strided`]). Views that span at least 8 * [`PREFETCH_FROM`] bytes ask for the
/// lines ahead, as the tree over slices does from that many values (and for strides of 64
/// bytes or more only the lines of values ahead, not every line of the span), which made
/// long strided sums faster (docs/measurements/section-1.md).
///
/// # Safety
/// The caller guarantees a CPU with AVX-512F.
#[inline]
pub(super) unsafe fn strided<P: Parity, T: Value>(view: Strided<'_, T>) -> f64 {
    let far = view.len * view.stride.unsigned_abs() * size_of::<T>() >= 8 * PREFETCH_FROM;
    // SAFETY: the CPU has AVX-512F (the caller); each lane type is for the view's stride,
    // or for any stride (0).
    unsafe {
        match (view.stride, far) {
            (2, false) => compiled::strided_lanes::<Avx512Strided<2, false>, P, T>(view),
            (-1, false) => compiled::strided_lanes::<Avx512Strided<-1, false>, P, T>(view),
            (_, false) => compiled::strided_lanes::<Avx512Strided<0, false>, P, T>(view),
            (2, true) => compiled::strided_lanes::<Avx512Strided<2, true>, P, T>(view),
            (-1, true) => compiled::strided_lanes::<Avx512Strided<-1, true>, P, T>(view),
            (_, true) => compiled::strided_lanes::<Avx512Strided<0, true>, P, T>(view),
        }
    }
}

/// The unordered yardstick, asking for lines ahead as the tree does ([`PREFETCH_FROM`]).
///
/// # Safety
/// The caller guarantees a CPU with AVX-512F.
#[inline]
pub(super) unsafe fn unordered(a: &[f64]) -> f64 {
    // SAFETY: forwarded from the caller.
    unsafe {
        if a.len() >= PREFETCH_FROM {
            compiled::unordered::<PREFETCH_AHEAD>(a)
        } else {
            compiled::unordered::<0>(a)
        }
    }
}

/// `x + y` lane by lane on eight lanes, `x` the first operand of each addition (see
/// `avx2::add256`).
///
/// # Safety
/// The CPU has AVX-512F.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn add512(mut x: __m512d, y: __m512d) -> __m512d {
    // SAFETY: one addition between registers; the CPU has AVX-512F (the caller).
    unsafe {
        std::arch::asm!("vaddpd {x}, {x}, {y}", x = inout(zmm_reg) x, y = in(zmm_reg) y,
            options(pure, nomem, nostack));
    }
    x
}

/// `x + y` in the lanes of `mask`, `x` in the others; `x` the first operand (see
/// `avx2::add256`).
///
/// # Safety
/// The CPU has AVX-512F.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn mask_add512(mut x: __m512d, mask: __mmask8, y: __m512d) -> __m512d {
    // SAFETY: one masked addition between registers; the CPU has AVX-512F (the caller).
    unsafe {
        std::arch::asm!("vaddpd {x}{{{k}}}, {x}, {y}", x = inout(zmm_reg) x, k = in(kreg) mask,
            y = in(zmm_reg) y, options(pure, nomem, nostack));
    }
    x
}

/// One 8-lane AVX-512 register, for leaves of f64 that start `AT` values into a cache
/// line (`AT` = 0 for f64 slices that start on a line, and for f32, eight values a load):
/// every leaf of a slice starts at the same place in its line, as the tree splits at
/// multiples of 8 values. `AHEAD` > 0: the pairs of leaves ask for the lines `AHEAD`
/// values ahead of what they read (see [`PREFETCH_AHEAD`]).
#[derive(Clone, Copy)]
struct Avx512<const AT: usize, const AHEAD: usize>(__m512d);

impl<const AT: usize, const AHEAD: usize> Lanes8 for Avx512<AT, AHEAD> {
    /// f64 leaves are read a whole line at a time ([`line_leaf`]); f32 eight values a load.
    #[inline(always)]
    unsafe fn sum_leaf<P: Parity, T: Value>(a: &[T]) -> f64 {
        match T::as_f64(a) {
            // SAFETY: the length and the CPU as the caller guarantees; the caller of the
            // walk for AT checked the start (Kernel::pairwise_sum).
            Some(a) => unsafe { line_leaf::<AT, P>(a) },
            // SAFETY: forwarded from the caller (8 <= a.len() <= LEAF, the CPU has AVX-512F).
            None => unsafe { leaf::<Self, P, T>(a) },
        }
    }
    /// f64: the two leaves in step ([`line_leaf_pair`]).
    #[inline(always)]
    unsafe fn sum_leaf_pair<P: Parity, T: Value>(a: &[T], mid: usize) -> (f64, f64) {
        match T::as_f64(a) {
            // SAFETY: the shape and the CPU as the caller guarantees; the caller of the
            // walk for AT checked the start (Kernel::pairwise_sum).
            Some(a) => unsafe { line_leaf_pair::<AT, AHEAD, P>(a, mid) },
            // SAFETY: forwarded from the caller (two leaves, the CPU has AVX-512F).
            None => unsafe { leaves_in_turn::<Self, P, T>(a, mid) },
        }
    }
    #[inline(always)]
    unsafe fn load<T: Value>(p: *const T) -> Self {
        // SAFETY: forwarded from the caller (p[0..8] readable, the CPU has AVX-512F).
        unsafe { Avx512(T::load_avx512(p)) }
    }
    #[inline(always)]
    unsafe fn load_strided<T: Value>(p: *const T, stride: isize) -> Self {
        // SAFETY: forwarded from the caller (the eight values readable, the CPU has
        // AVX-512F).
        unsafe { Avx512(T::gather_avx512(p, stride)) }
    }
    const VEX: bool = true;
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        // SAFETY: the CPU has AVX-512F (the trait's contract).
        unsafe { Avx512(add512(self.0, o.0)) }
    }
    #[inline(always)]
    unsafe fn combine<P: Parity>(self) -> f64 {
        // SAFETY: the CPU has AVX-512F (the trait's contract).
        unsafe { combine::<P>(self.0) }
    }
}

/// NumPy's combination of a leaf's eight accumulators at a depth of parity `P`, lane `k`
/// holding `r[k]`: `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`, with `r3 + r2`
/// at an even depth.
///
/// # Safety
/// The CPU has AVX-512F.
#[inline(always)]
unsafe fn combine<P: Parity>(r: __m512d) -> f64 {
    // SAFETY: the CPU has AVX-512F (the caller).
    unsafe {
        // At an even depth, lanes 2 and 3 swapped: [r0, r1, r3, r2, r4, ...].
        let r = if P::ODD {
            r
        } else {
            _mm512_permute_pd::<0b1010_0110>(r)
        };
        // Lanes 0, 2, 4, 6: r0 + r1, r2 + r3 (or r3 + r2), r4 + r5, r6 + r7, the even
        // lanes the first operands.
        let pairs = add512(r, _mm512_permute_pd::<0b0101_0101>(r));
        // Lanes 0 and 4: (r0 + r1) + (r2 + r3) and (r4 + r5) + (r6 + r7).
        let quads = add512(pairs, _mm512_permutex_pd::<0b01_00_11_10>(pairs));
        let low = _mm512_castpd512_pd256(quads);
        let high = _mm512_extractf64x4_pd::<1>(quads);
        add_in::<true>(_mm256_cvtsd_f64(low), _mm256_cvtsd_f64(high))
    }
}

/// A leaf of `8 <= a.len() <= LEAF` f64 values that starts `AT` values (0 to 7) into a
/// cache line, read with aligned 64-byte loads: a load per line instead of two halves of
/// two lines (at `AT` = 0 the first line is whole and there is no last one to mask).
///
/// Why: at a start other than 0 every load of the plain leaf spans two lines, which costs
/// much of the speed from the L2 cache (docs/measurements/section-1.md).
///
/// How, with the same bits (as `avx2::rotated_leaf`, a whole line at a time): the line at
/// `a - AT + 8g` holds `a[8g - AT..8g - AT + 8]`, so register lane `j` always receives
/// values of the leaf's lane `(j - AT) mod 8`, in order: the accumulators live rotated by
/// `AT` lanes, and are rotated back once, before NumPy's combination. The first line's
/// lanes before `a[0]` and the last line's from `a[full]` on are masked off: not read
/// (masked loads do not touch masked-off memory). The first line's start as `-0.0`, the
/// one value whose addition changes no bits (see `avx2::rotated_leaf`); the last line's are
/// not added (a masked addition), as in [`line_leaf_pair`].
///
/// # Safety
/// The caller guarantees `8 <= a.len() <= LEAF`, `a.as_ptr() % 64 == 8 * AT` with
/// `AT <= 7`, and a CPU with AVX-512F.
#[inline(always)]
unsafe fn line_leaf<const AT: usize, P: Parity>(a: &[f64]) -> f64 {
    debug_assert!(8 <= a.len() && a.len() <= LEAF);
    debug_assert!(AT < 8 && a.as_ptr() as usize % 64 == 8 * AT);
    let groups = a.len() / 8;
    let full = groups * 8;
    // Lanes AT.. of the first line are a[0..8 - AT]; lanes ..AT of the line after the
    // last full group are a[full - AT..full].
    let head: __mmask8 = 0xFF << AT;
    let line = a.as_ptr().wrapping_sub(AT);
    // SAFETY: the reads are a[0..8 - AT] (head), for 1 <= g < groups the line
    // a[8g - AT..8g - AT + 8], aligned (a starts AT values into its line), and
    // a[full - AT..full] (tail): all inside a. The masked-off lanes are not read. The CPU
    // has AVX-512F (the caller).
    unsafe {
        let mut r = _mm512_mask_loadu_pd(_mm512_set1_pd(-0.0), head, line);
        in_lines([line.wrapping_add(8)], groups - 1, |[p]| {
            r = _mm512_add_pd(r, _mm512_load_pd(p));
        });
        let tail = _mm512_maskz_loadu_pd(!head, line.wrapping_add(full));
        let r = unrotate::<AT>(mask_add512(r, !head, tail));
        add_rest::<Avx512<AT, 0>, f64>(combine::<P>(r), &a[full..])
    }
}

/// Two neighbouring leaves of f64, `a[..mid]` and `a[mid..]`, that start `AT` values (0 to
/// 7) into a cache line, read as [`line_leaf`] reads one, in step: two independent chains
/// of additions in one loop.
///
/// Why: a leaf is one chain of dependent additions, and across leaves only the core's
/// out-of-order window overlaps them; in step, the sum comes closer to the unordered sum's
/// speed when both threads of a core sum (docs/measurements/section-1.md). The line where
/// the right leaf starts holds the left leaf's last values too: it is read once, for both.
///
/// # Safety
/// The caller guarantees the shape of [`Lanes8::sum_leaf_pair`], `a.as_ptr() % 64 ==
/// 8 * AT` with `AT <= 7`, and a CPU with AVX-512F.
#[inline(always)]
unsafe fn line_leaf_pair<const AT: usize, const AHEAD: usize, P: Parity>(
    a: &[f64],
    mid: usize,
) -> (f64, f64) {
    debug_assert!(AT < 8 && a.as_ptr() as usize % 64 == 8 * AT);
    debug_assert!((8..=LEAF).contains(&mid) && mid.is_multiple_of(8));
    let (gl, gr) = (mid / 8, (a.len() - mid) / 8);
    debug_assert!(gr == gl || gr == gl + 1);
    let head: __mmask8 = 0xFF << AT;
    // Lane mask of the right leaf's group gl: all of it if it has one more group than
    // the left, none if not (a mask, not a branch: the two cases alternate).
    let more: __mmask8 = u8::from(gr > gl).wrapping_neg();
    let left = a.as_ptr().wrapping_sub(AT);
    let right = left.wrapping_add(mid);
    // SAFETY: as in line_leaf, for each leaf: left reads a[0..8 - AT], the lines
    // a[8g - AT..8g - AT + 8] for 1 <= g < gl, and its last AT values from the shared line
    // a[mid - AT..mid - AT + 8]; right reads that shared line's lanes AT.., its lines
    // g < gr, and a[mid + 8gr - AT..mid + 8gr]. All inside a; masked-off lanes are not
    // read; every full-line load is aligned (a starts AT values into its line, and mid is
    // a multiple of 8). The CPU has AVX-512F (the caller).
    unsafe {
        let minus_zero = _mm512_set1_pd(-0.0);
        let mut x = _mm512_mask_loadu_pd(minus_zero, head, left);
        let shared = _mm512_load_pd(right);
        let mut y = _mm512_mask_mov_pd(minus_zero, head, shared);
        in_lines(
            [left.wrapping_add(8), right.wrapping_add(8)],
            gl - 1,
            |[p, q]| {
                if AHEAD > 0 {
                    // Both streams: the lines AHEAD values past each are, together, every
                    // line AHEAD values past the pair, and the next pairs' lines.
                    prefetch(p.wrapping_add(AHEAD));
                    prefetch(q.wrapping_add(AHEAD));
                }
                x = _mm512_add_pd(x, _mm512_load_pd(p));
                y = _mm512_add_pd(y, _mm512_load_pd(q));
            },
        );
        x = mask_add512(x, !head, shared);
        let extra = _mm512_maskz_load_pd(more, right.wrapping_add(8 * gl));
        y = mask_add512(y, more, extra);
        let tail = _mm512_maskz_loadu_pd(!head, right.wrapping_add(8 * gr));
        y = mask_add512(y, !head, tail);
        let rest = &a[mid + 8 * gr..];
        (
            combine::<P>(unrotate::<AT>(x)),
            add_rest::<Avx512<AT, AHEAD>, f64>(combine::<P>(unrotate::<AT>(y)), rest),
        )
    }
}

/// Calls `f` on `lines` lines of each of `N` streams in step, from `at`: `f(at)`, then
/// `f(at + 8 values)` and so on.
///
/// Why not a plain loop: LLVM compiles one with the lines' addresses as base + index (one
/// index register for both streams of a pair, and for the loop that finishes an unrolled
/// one), and Intel cores split an AVX addition that reads memory through such an address
/// into two operations. So each stream is read through a pointer of its own, each address a
/// constant away from it, four lines a step (docs/measurements/section-1.md), and
/// [`opaque`] keeps the compiler from deriving the streams' addresses from one another again.
///
/// # Safety
/// The caller guarantees that the `lines` lines of 8 values from each pointer in `at` are
/// readable (or that `f` does not read them).
#[inline(always)]
unsafe fn in_lines<const N: usize>(
    mut at: [*const f64; N],
    lines: usize,
    mut f: impl FnMut([*const f64; N]),
) {
    let mut left = lines;
    // SAFETY: every pointer made stays inside the lines the caller vouches for, or one
    // past their end (the last step's `at`), and is never read there.
    unsafe {
        while left >= 4 {
            for k in 0..4 {
                f(at.map(|p| p.add(8 * k)));
            }
            at = at.map(|p| opaque(p.add(32)));
            left -= 4;
        }
        while left > 0 {
            f(at);
            at = at.map(|p| opaque(p.add(8)));
            left -= 1;
        }
    }
}

/// The accumulators of a leaf read a line at a time from `AT` values into its first line,
/// in NumPy's lane order: the leaf's lane `k` is register lane `(k + AT) mod 8`.
///
/// # Safety
/// The CPU has AVX-512F.
#[inline(always)]
unsafe fn unrotate<const AT: usize>(r: __m512d) -> __m512d {
    // SAFETY: the CPU has AVX-512F (the caller).
    unsafe {
        let r = _mm512_castpd_si512(r);
        _mm512_castsi512_pd(match AT {
            0 => r,
            1 => _mm512_alignr_epi64::<1>(r, r),
            2 => _mm512_alignr_epi64::<2>(r, r),
            3 => _mm512_alignr_epi64::<3>(r, r),
            4 => _mm512_alignr_epi64::<4>(r, r),
            5 => _mm512_alignr_epi64::<5>(r, r),
            6 => _mm512_alignr_epi64::<6>(r, r),
            _ => _mm512_alignr_epi64::<7>(r, r),
        })
    }
}

/// How far ahead, in values, views of a stride of 64 bytes or more ask for values: as many
/// cache lines ahead as the slices' sums ask for (`PREFETCH_AHEAD` f64, a line per value).
const VALUES_AHEAD: isize = (PREFETCH_AHEAD * size_of::<f64>() / 64) as isize;

/// AVX-512 lanes for strided views, each group of eight values read as its stride allows:
/// `STRIDE` = 2 (`a[::2]`, the real parts of a complex array) by masked loads of the
/// group's span, which leave the values between unread; -1 (`a[::-1]`) by one load, its
/// lanes reversed; 0 (any stride) by a gather. `AHEAD`: each load first asks for the
/// cache lines of values further along (software prefetch; see [`strided`]): for strides
/// under 64 bytes the lines of the group's span 8 KiB further along, for larger ones only
/// the lines of the group's values some groups ahead ([`VALUES_AHEAD`]), not the lines
/// between, which hold nothing of the view.
#[derive(Clone, Copy)]
struct Avx512Strided<const STRIDE: isize, const AHEAD: bool>(__m512d);

impl<const STRIDE: isize, const AHEAD: bool> Lanes8 for Avx512Strided<STRIDE, AHEAD> {
    #[inline(always)]
    unsafe fn load<T: Value>(p: *const T) -> Self {
        // SAFETY: forwarded from the caller (p[0..8] readable, the CPU has AVX-512F).
        unsafe { Avx512Strided(T::load_avx512(p)) }
    }
    /// `stride` must be `STRIDE` unless that is 0: the caller of the walk with these
    /// lanes picked them by the line's stride.
    #[inline(always)]
    unsafe fn load_strided<T: Value>(p: *const T, stride: isize) -> Self {
        debug_assert!(STRIDE == 0 || stride == STRIDE);
        if AHEAD {
            let stride = if STRIDE == 0 { stride } else { STRIDE };
            let step = stride.unsigned_abs() * std::mem::size_of::<T>();
            if step >= 64 {
                // Each value in a cache line of its own, and the lines between hold
                // nothing of the view: only the lines of the values VALUES_AHEAD further
                // along the line, a prefetch per value.
                for k in 0..8 {
                    let ahead = p.wrapping_offset((VALUES_AHEAD + k) * stride);
                    prefetch(ahead.cast());
                }
            } else {
                // Every cache line of the group 8 KiB further along: one prefetch per 64
                // bytes of its span (at most 8), from its first value on, the way the
                // line goes.
                let way = stride.signum();
                let ahead = p
                    .cast::<f64>()
                    .wrapping_byte_offset(8 * PREFETCH_AHEAD as isize * way);
                for k in 0..(8 * step).div_ceil(64) {
                    prefetch(ahead.wrapping_byte_offset(64 * k as isize * way));
                }
            }
        }
        // SAFETY: forwarded from the caller (p[0], p[stride], ..., p[7 * stride]
        // readable, the CPU has AVX-512F); for STRIDE 2 and -1 those are the values the
        // loads read.
        unsafe {
            Avx512Strided(match STRIDE {
                2 => T::every_other_avx512(p),
                -1 => T::reversed_avx512(p),
                _ => T::gather_avx512(p, stride),
            })
        }
    }
    const VEX: bool = true;
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        // SAFETY: the CPU has AVX-512F (the trait's contract).
        unsafe { Avx512Strided(add512(self.0, o.0)) }
    }
    #[inline(always)]
    unsafe fn combine<P: Parity>(self) -> f64 {
        // SAFETY: the CPU has AVX-512F (the trait's contract).
        unsafe { combine::<P>(self.0) }
    }
}
