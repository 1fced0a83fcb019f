//! # `array_ops`: section 4 of "NumPy with Cython and C"
//!
//! The tutorial passes a NumPy array to its C `square_array(double *arr, int size)` through
//! Cython as `square_array(&arr[0], arr.shape[0])`. Tried here, that does not build (Cython
//! will not overwrite the hand-written `array_ops.c` beside `array_ops.pyx`), and renamed, it
//! squares the wrong values of `a[::3]` and writes outside that view (the C code assumes the
//! values are contiguous), corrupts the heap on `a[::-1]` (it writes *after* the first value,
//! into memory before the view's end), raises `IndexError` on an empty array, and truncates
//! sizes above 2^31 (`int size`).
//!
//! This crate squares any view correctly:
//! - [`for_each_run`] cuts a strided N-D view into its contiguous runs (one run for a
//!   contiguous array in any axis order, reversed included);
//! - [`square_numpy_array`] calls the C function on each run ([`ffi::square_array_c`] chunks
//!   runs longer than a C `int`), large runs shared out over the process's thread pool
//!   ([`pool`]);
//! - [`square_numpy_array_rust`] does the same with a Rust kernel;
//! - views that may reach one memory location by two index tuples ([`may_overlap`]: sliding
//!   windows, broadcasting) are squared by [`square_each_location_once`], each location once,
//!   as `np.square(w, out=w)` leaves them;
//! - [`square_slice_into`] and the [`Square`] arithmetic of every dtype are the loops of the
//!   Python module's ufunc `array_ops.square`, which NumPy calls on runs it has cut itself.
//!
//! With the `python` feature, the Python module `array_ops`. The core has no Python in it.
#![deny(missing_docs)]

use ndarray::ArrayViewMutD;
use simd::InstructionSet;

pub mod ffi;
#[cfg(feature = "python")]
mod python;
#[cfg(feature = "python")]
mod ufunc;

/// Runs of at least this many values are squared on all of the pool's threads: below it,
/// handing work to a helper costs about what it saves (docs/measurements/section-4.md has
/// the figures).
const PARALLEL_FROM: usize = 1 << 15;

/// The smallest piece of a run a thread squares at a time: on a machine of many threads, a
/// smaller piece would cost more to hand over than it saves.
const MIN_PIECE: usize = 1 << 13;

/// How many pieces a run is cut into per thread: a few, so that a thread that starts late
/// still gets an even share, and few, as each costs a hand-over.
const PIECES_PER_THREAD: usize = 2;

/// The pieces a parallel run of `len` values is cut into: equal (so that the threads finish
/// together), a multiple of 8 values (so that each starts on the same vector boundary as the
/// run), and at least [`MIN_PIECE`].
fn piece_len(len: usize, threads: usize) -> usize {
    len.div_ceil(PIECES_PER_THREAD * threads)
        .next_multiple_of(8)
        .max(MIN_PIECE)
}

/// Calls `f` on every contiguous run of `view`'s values, each value in exactly one run.
///
/// The axes are taken from the largest stride to the smallest, so a view contiguous in any
/// axis order (C, Fortran, transposed, reversed) is one run, and a view with gaps between
/// rows or planes gives one run per row or plane. A view whose smallest stride is not one
/// value gives runs of one value. Runs are in memory order within each run, which does not
/// matter for an element-wise operation. Empty views give no run.
pub fn for_each_run(mut view: ArrayViewMutD<'_, f64>, f: &mut impl FnMut(&mut [f64])) {
    // The common case first, without sorting axes: a contiguous array is one run.
    if let Some(run) = view.as_slice_memory_order_mut() {
        if !run.is_empty() {
            f(run);
        }
        return;
    }
    let mut axes: Vec<usize> = (0..view.ndim()).collect();
    axes.sort_by_key(|&axis| std::cmp::Reverse(view.strides()[axis].unsigned_abs()));
    runs(view.permuted_axes(axes), f);
}

fn runs(mut view: ArrayViewMutD<'_, f64>, f: &mut impl FnMut(&mut [f64])) {
    if view.is_empty() {
        return;
    }
    if let Some(run) = view.as_slice_memory_order_mut() {
        f(run);
        return;
    }
    for sub in view.outer_iter_mut() {
        runs(sub, f);
    }
}

/// Whether a view of this shape and these strides (in bytes), of values `itemsize` bytes wide,
/// may reach one memory location by two index tuples: `false` means it certainly does not.
///
/// The test is sufficient, not exact: with the axes of more than one value taken from the
/// smallest `|stride|` to the largest, each stride must be at least the span of the axes before
/// it (from the first byte they reach to the last), so that the copies of that block along the
/// axis are disjoint. Views made by slicing, transposing or reshaping pass; broadcast views
/// (a zero stride), sliding windows and other `as_strided` views whose values overlap fail,
/// and so may a few views that do not overlap (axes interleaved in memory). O(ndim log ndim).
/// An empty view has no location, so none is reached twice.
pub fn may_overlap(shape: &[usize], strides: &[isize], itemsize: usize) -> bool {
    if shape.contains(&0) {
        return false;
    }
    let mut axes: Vec<(usize, usize)> = shape
        .iter()
        .zip(strides)
        .filter(|&(&len, _)| len > 1)
        .map(|(&len, &stride)| (stride.unsigned_abs(), len))
        .collect();
    axes.sort_unstable();
    let mut span = itemsize;
    for (stride, len) in axes {
        if stride < span {
            return true;
        }
        // Saturating: a span too large to compute makes the next axes fail the test, the
        // safe answer.
        span = stride.saturating_mul(len - 1).saturating_add(span);
    }
    false
}

/// The memory a view reaches, in values: the offset of its lowest value from the view's
/// first value (index `[0, 0, ...]`), and one bit per value from there to its highest, set
/// where the view has a value. Two index tuples reaching one location set one bit.
///
/// `strides` are in values. `None` when the view is empty, or when its span does not fit
/// in an `isize` or the bitmap cannot be allocated (no real array is that large).
fn reached_locations(shape: &[usize], strides: &[isize]) -> Option<(isize, Vec<u64>)> {
    if shape.contains(&0) {
        return None;
    }
    // The axes that move (an axis of one value, or of stride 0, reaches no other location),
    // innermost (smallest |stride|) last: the bitmap is then set in memory order as far as
    // the view allows.
    let mut axes: Vec<(usize, isize)> = shape
        .iter()
        .zip(strides)
        .filter(|&(&len, &stride)| len > 1 && stride != 0)
        .map(|(&len, &stride)| (len, stride))
        .collect();
    axes.sort_by_key(|&(_, stride)| std::cmp::Reverse(stride.unsigned_abs()));
    let (mut low, mut high) = (0isize, 0isize);
    for &(len, stride) in &axes {
        let reach = stride.checked_mul(isize::try_from(len - 1).ok()?)?;
        if reach < 0 {
            low = low.checked_add(reach)?;
        } else {
            high = high.checked_add(reach)?;
        }
    }
    let extent = usize::try_from(high.checked_sub(low)?)
        .ok()?
        .checked_add(1)?;
    let mut bits = Vec::new();
    bits.try_reserve_exact(extent.div_ceil(64)).ok()?;
    bits.resize(extent.div_ceil(64), 0u64);
    let Some((&(inner_len, inner_stride), outer)) = axes.split_last() else {
        // One value (every axis of length one).
        bits[0] = 1;
        return Some((low, bits));
    };
    // An odometer over the outer axes; the inner axis is a plain loop, or one range of
    // bits when its values are adjacent (a window's row), set a word at a time.
    let mut index = vec![0usize; outer.len()];
    let mut start = -low;
    loop {
        if inner_stride.unsigned_abs() == 1 {
            let first = if inner_stride < 0 {
                start - (inner_len as isize - 1)
            } else {
                start
            };
            set_range(&mut bits, first as usize, inner_len);
        } else {
            let mut at = start;
            for _ in 0..inner_len {
                let bit = at as usize;
                bits[bit / 64] |= 1 << (bit % 64);
                at += inner_stride;
            }
        }
        let mut axis = outer.len();
        loop {
            if axis == 0 {
                return Some((low, bits));
            }
            axis -= 1;
            let (len, stride) = outer[axis];
            index[axis] += 1;
            start += stride;
            if index[axis] < len {
                break;
            }
            start -= stride * len as isize;
            index[axis] = 0;
        }
    }
}

/// Sets bits `start..start + len` of `bits` (bit `i` is bit `i % 64` of `bits[i / 64]`).
fn set_range(bits: &mut [u64], start: usize, len: usize) {
    let end = start + len;
    let (first, last) = (start / 64, (end - 1) / 64);
    // The bits from `start % 64` up in the first word, up to `end % 64` in the last.
    let low = u64::MAX << (start % 64);
    let high = u64::MAX >> (63 - (end - 1) % 64);
    if first == last {
        bits[first] |= low & high;
    } else {
        bits[first] |= low;
        bits[first + 1..last].fill(u64::MAX);
        bits[last] |= high;
    }
}

/// Calls `f(start, end)` for each run of consecutive set bits of `bits` (bit `i` is bit
/// `i % 64` of `bits[i / 64]`), in order, `end` exclusive.
fn for_each_set_run(bits: &[u64], mut f: impl FnMut(usize, usize)) {
    let mut run: Option<usize> = None;
    for (w, &word) in bits.iter().enumerate() {
        let base = w * 64;
        let mut bit = 0;
        while bit < 64 {
            let rest = word >> bit;
            match run {
                Some(start) => {
                    // The shifted-in high bits are zeros: the count stops at the word's end.
                    bit += rest.trailing_ones() as usize;
                    if bit < 64 {
                        f(start, base + bit);
                        run = None;
                    }
                }
                None if rest == 0 => break,
                None => {
                    bit += rest.trailing_zeros() as usize;
                    run = Some(base + bit);
                }
            }
        }
    }
    if let Some(start) = run {
        f(start, bits.len() * 64);
    }
}

/// Squares each memory location the view reaches exactly once, with `square` on each run of
/// consecutive locations: for views that may reach a location by two index tuples
/// ([`may_overlap`]), where a Rust `&mut` view may not be made (it would alias) and squaring
/// each index tuple would square a shared location twice. Every location ends as the square
/// of its value before the call, as `np.square(w, out=w)` leaves it. Returns `false`, having
/// changed nothing, when the map of the locations a non-empty view reaches cannot be made (its
/// span does not fit in an `isize`, or the map cannot be allocated: no real array is that
/// large).
///
/// # Safety
/// `first` is the view's value at index `[0, 0, ...]`; with `shape` and `strides` (in values)
/// it must describe only valid, aligned, initialised `f64`s, in one allocation, that nothing
/// else reads or writes during the call.
pub unsafe fn square_each_location_once(
    first: *mut f64,
    shape: &[usize],
    strides: &[isize],
    square: fn(&mut [f64]),
) -> bool {
    if shape.contains(&0) {
        return true;
    }
    let Some((low, bits)) = reached_locations(shape, strides) else {
        return false;
    };
    // SAFETY: `low` is the offset of the view's lowest value from `first`, inside the view's
    // allocation by the caller's contract.
    let origin = unsafe { first.offset(low) };
    for_each_set_run(&bits, |start, end| {
        // SAFETY: every location of the run is one of the view's values (its bit is set), so
        // valid, aligned and initialised, and used by nothing else (the caller's contract);
        // runs are disjoint and this slice is the only reference to them while it lives.
        let run = unsafe { std::slice::from_raw_parts_mut(origin.add(start), end - start) };
        square_run(run, square);
    });
    true
}

/// Squares one contiguous run with `square` ([`ffi::square_array_c`] or [`square_slice`]), on
/// all threads when it is long.
pub(crate) fn square_run<T: Send>(run: &mut [T], square: impl Fn(&mut [T]) + Sync) {
    if run.len() >= PARALLEL_FROM {
        let piece = piece_len(run.len(), pool::threads());
        let mut pieces: Vec<&mut [T]> = run.chunks_mut(piece).collect();
        pool::for_each_mut(&mut pieces, |piece| square(piece));
    } else {
        square(run);
    }
}

/// Squares `input` into `output` (of the same length) with `square`, on all threads when
/// the run is long: [`square_run`]'s pieces, taken from both slices alike.
// The ufunc's only (the `python` feature).
#[cfg_attr(not(feature = "python"), allow(dead_code))]
pub(crate) fn square_run_into<T: Send + Sync>(
    input: &[T],
    output: &mut [T],
    square: impl Fn(&[T], &mut [T]) + Sync,
) {
    if output.len() >= PARALLEL_FROM {
        let piece = piece_len(output.len(), pool::threads());
        let mut pieces: Vec<(&[T], &mut [T])> =
            input.chunks(piece).zip(output.chunks_mut(piece)).collect();
        pool::for_each_mut(&mut pieces, |(input, output)| square(input, output));
    } else {
        square(input, output);
    }
}

/// Whether [`square_run`] and [`square_run_into`] share a run of `len` values out over the
/// pool's threads.
// The ufunc's only (the `python` feature).
#[cfg_attr(not(feature = "python"), allow(dead_code))]
pub(crate) fn runs_in_parallel(len: usize) -> bool {
    len >= PARALLEL_FROM
}

/// Squares every value of `view` in place with `square`, called on each contiguous run (see
/// [`for_each_run`] and [`square_run`]).
pub(crate) fn square_view(view: ArrayViewMutD<'_, f64>, square: fn(&mut [f64])) {
    for_each_run(view, &mut |run| square_run(run, square));
}

/// Squares every value of `view` in place with the tutorial's C `square_array`, called on
/// each contiguous run (see [`for_each_run`]).
///
/// ```
/// use ndarray::array;
/// let mut a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
/// array_ops::square_numpy_array(a.slice_mut(ndarray::s![.., ..;-2]).into_dyn());
/// assert_eq!(a, array![[1.0, 2.0, 9.0], [16.0, 5.0, 36.0]]);
/// ```
pub fn square_numpy_array(view: ArrayViewMutD<'_, f64>) {
    square_view(view, ffi::square_array_c);
}

/// As [`square_numpy_array`], with a Rust kernel instead of the C function.
///
/// ```
/// use ndarray::array;
/// let mut a = array![1.0, -2.0, 3.0];
/// array_ops::square_numpy_array_rust(a.view_mut().into_dyn());
/// assert_eq!(a, array![1.0, 4.0, 9.0]);
/// ```
pub fn square_numpy_array_rust(view: ArrayViewMutD<'_, f64>) {
    square_view(view, square_slice);
}

/// A type whose values the kernels square: `x * x`, wrapping on overflow for integers as
/// NumPy's integer loops do (`np.square(np.int32(50_000))` is `-1_794_967_296`).
pub trait Square: Copy + Send + Sync {
    /// `self * self`; never panics, so that a kernel called from C cannot unwind into it.
    fn square(self) -> Self;
}

impl Square for f64 {
    #[inline(always)]
    fn square(self) -> f64 {
        self * self
    }
}

impl Square for f32 {
    #[inline(always)]
    fn square(self) -> f32 {
        self * self
    }
}

impl Square for i64 {
    #[inline(always)]
    fn square(self) -> i64 {
        self.wrapping_mul(self)
    }
}

impl Square for i32 {
    #[inline(always)]
    fn square(self) -> i32 {
        self.wrapping_mul(self)
    }
}

/// `x *= x` for every value (for `f64`, the same arithmetic as the C loop), vectorised by the
/// compiler for the widest registers this CPU has ([`simd::InstructionSet::best`]; the same
/// bits on each).
pub fn square_slice<T: Square>(values: &mut [T]) {
    // SAFETY: best() returns only an instruction set this CPU supports.
    unsafe { square_slice_with(InstructionSet::best(), values) }
}

/// [`square_slice`] compiled for `set`.
///
/// # Safety
/// This CPU supports `set` ([`InstructionSet::is_supported`]).
unsafe fn square_slice_with<T: Square>(set: InstructionSet, values: &mut [T]) {
    match set {
        InstructionSet::Baseline => square_values(values),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX2, by the caller's contract.
        InstructionSet::Avx2 => unsafe { square_avx2(values) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX-512F, by the caller's contract.
        InstructionSet::Avx512 => unsafe { square_avx512(values) },
        #[cfg(not(target_arch = "x86_64"))]
        InstructionSet::Avx2 | InstructionSet::Avx512 => {
            unreachable!("{set:?} is never supported off x86-64")
        }
    }
}

#[inline(always)]
fn square_values<T: Square>(values: &mut [T]) {
    for x in values {
        *x = x.square();
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn square_avx2<T: Square>(values: &mut [T]) {
    square_values(values);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn square_avx512<T: Square>(values: &mut [T]) {
    square_values(values);
}

/// `output[i] = input[i] * input[i]` for every `i` of the shorter slice: [`square_slice`]
/// into another array, vectorised the same way (the ufunc's contiguous loop when its output
/// is not its input).
pub fn square_slice_into<T: Square>(input: &[T], output: &mut [T]) {
    // SAFETY: best() returns only an instruction set this CPU supports.
    unsafe { square_slice_into_with(InstructionSet::best(), input, output) }
}

/// [`square_slice_into`] compiled for `set`.
///
/// # Safety
/// This CPU supports `set` ([`InstructionSet::is_supported`]).
unsafe fn square_slice_into_with<T: Square>(set: InstructionSet, input: &[T], output: &mut [T]) {
    match set {
        InstructionSet::Baseline => square_values_into(input, output),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX2, by the caller's contract.
        InstructionSet::Avx2 => unsafe { square_into_avx2(input, output) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX-512F, by the caller's contract.
        InstructionSet::Avx512 => unsafe { square_into_avx512(input, output) },
        #[cfg(not(target_arch = "x86_64"))]
        InstructionSet::Avx2 | InstructionSet::Avx512 => {
            unreachable!("{set:?} is never supported off x86-64")
        }
    }
}

#[inline(always)]
fn square_values_into<T: Square>(input: &[T], output: &mut [T]) {
    // A vector stored across two cache lines costs two stores, and NumPy's arrays are often
    // only 16-byte aligned: the values before the output's first 64-byte boundary go first, on
    // their own, so that the vectors after it are stored whole.
    let head = output
        .as_ptr()
        .align_offset(64)
        .min(output.len())
        .min(input.len());
    // `head` is at most either length (the `min`s above), so neither split can panic.
    let (input_head, input_rest) = input.split_at(head);
    let (output_head, output_rest) = output.split_at_mut(head);
    square_zipped(input_head, output_head);
    square_zipped(input_rest, output_rest);
}

#[inline(always)]
fn square_zipped<T: Square>(input: &[T], output: &mut [T]) {
    // zip, not indexing: no bounds check in the loop (it vectorises), and nothing to panic.
    for (y, &x) in output.iter_mut().zip(input) {
        *y = x.square();
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn square_into_avx2<T: Square>(input: &[T], output: &mut [T]) {
    square_values_into(input, output);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn square_into_avx512<T: Square>(input: &[T], output: &mut [T]) {
    square_values_into(input, output);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn parallel_runs_are_cut_into_equal_pieces_of_whole_vectors() {
        for threads in [1, 2, 3, 8] {
            for len in [PARALLEL_FROM, 100_000, 1_000_003, 123_456_789] {
                let piece = piece_len(len, threads);
                assert_eq!(piece % 8, 0);
                assert!(piece >= MIN_PIECE);
                let pieces = len.div_ceil(piece);
                // Every thread gets some pieces, and no piece is more than a vector longer than
                // an even share (the last one may be shorter).
                assert!(
                    pieces >= threads.min(len / MIN_PIECE),
                    "{len} on {threads}: {pieces}"
                );
                assert!(piece * pieces - len < piece, "{len} on {threads}: {piece}");
                if piece > MIN_PIECE {
                    assert!(
                        piece - len.div_ceil(pieces) < 8,
                        "{len} on {threads}: {piece}"
                    );
                }
            }
        }
    }

    // The map of the locations a view reaches, and its runs, against brute force (the same
    // as tests/tests.rs uses for the public functions).

    /// Every shape of 1 to 3 axes of 0 to 3 values, with every stride from -3 to 3 (in units the
    /// caller picks): `f(shape, strides)`.
    fn small_views(mut f: impl FnMut(&[usize], &[isize])) {
        for ndim in 1..=3u32 {
            for shape_code in 0..4usize.pow(ndim) {
                let shape: Vec<usize> = (0..ndim).map(|k| shape_code / 4usize.pow(k) % 4).collect();
                for stride_code in 0..7usize.pow(ndim) {
                    let strides: Vec<isize> = (0..ndim)
                        .map(|k| (stride_code / 7usize.pow(k) % 7) as isize - 3)
                        .collect();
                    f(&shape, &strides);
                }
            }
        }
    }

    /// The offset of every index tuple of the view, brute force, in index order.
    fn offsets(shape: &[usize], strides: &[isize]) -> Vec<isize> {
        let mut all = vec![0isize];
        for (&len, &stride) in shape.iter().zip(strides) {
            all = all
                .iter()
                .flat_map(|&at| (0..len as isize).map(move |i| at + i * stride))
                .collect();
        }
        all
    }

    /// Checks [`reached_locations`] against the brute-force offsets of the view.
    fn check_reached_locations(shape: &[usize], strides: &[isize]) {
        let all = offsets(shape, strides);
        let Some((low, bits)) = reached_locations(shape, strides) else {
            assert!(shape.contains(&0), "{shape:?} {strides:?}");
            return;
        };
        let expected: BTreeSet<isize> = all.iter().map(|at| at - low).collect();
        let mut got = BTreeSet::new();
        for (w, word) in bits.iter().enumerate() {
            for b in 0..64 {
                if word >> b & 1 == 1 {
                    got.insert((w * 64 + b) as isize);
                }
            }
        }
        assert_eq!(got, expected, "{shape:?} {strides:?}");
        assert_eq!(low, *all.iter().min().unwrap(), "{shape:?} {strides:?}");
    }

    #[test]
    fn reached_locations_marks_each_offset_once() {
        small_views(check_reached_locations);
        // Rows of adjacent values (set a word at a time) that start, end and cross anywhere in
        // a word, either way round.
        for len in [2, 63, 64, 65, 130, 200] {
            for row_stride in [1, 7, 64, 100, 250] {
                for inner in [1, -1] {
                    check_reached_locations(&[3, len], &[row_stride, inner]);
                    check_reached_locations(&[len, 4], &[inner, -row_stride]);
                }
            }
        }
        // 64 axes, as NumPy allows, all but two of one value.
        let mut shape = vec![1usize; 64];
        let mut strides = vec![7isize; 64];
        (shape[10], strides[10], shape[50], strides[50]) = (3, -4, 2, 1);
        let (low, bits) = reached_locations(&shape, &strides).unwrap();
        assert_eq!((low, bits), (-8, vec![0b11_0011_0011]));
    }

    #[test]
    fn set_runs_are_found_across_words() {
        let patterns: Vec<Vec<u64>> = vec![
            vec![],
            vec![0],
            vec![u64::MAX],
            vec![1, 1 << 63],
            vec![1 << 63, 1],
            vec![u64::MAX, u64::MAX, 0, 0b1011],
            vec![0xF0F0_0000_0000_000F, u64::MAX << 1, 1],
            vec![0x8000_0000_0000_0001; 3],
        ];
        for bits in patterns {
            let mut expected = vec![];
            let mut run: Option<usize> = None;
            for i in 0..bits.len() * 64 + 1 {
                let set = i < bits.len() * 64 && bits[i / 64] >> (i % 64) & 1 == 1;
                match (set, run) {
                    (true, None) => run = Some(i),
                    (false, Some(start)) => {
                        expected.push((start, i));
                        run = None;
                    }
                    _ => {}
                }
            }
            let mut got = vec![];
            for_each_set_run(&bits, |start, end| got.push((start, end)));
            assert_eq!(got, expected, "{bits:x?}");
        }
    }

    /// `square_slice` and `square_slice_into` on every supported instruction set give `x * x`
    /// for `T` (wrapping, for integers), at lengths around each vector width.
    fn check_every_kernel_of<T: Square + PartialEq + Default + std::fmt::Debug>(
        data: impl Fn(usize) -> Vec<T>,
        expected: impl Fn(T) -> T,
    ) {
        for len in (0..70).chain([1000, 1001]) {
            let input = data(len);
            let want: Vec<T> = input.iter().map(|&x| expected(x)).collect();
            for set in InstructionSet::ALL
                .into_iter()
                .filter(|set| set.is_supported())
            {
                let mut in_place = input.clone();
                // SAFETY: the filter above keeps only the sets this CPU supports.
                unsafe { square_slice_with(set, &mut in_place) };
                assert_eq!(in_place, want, "{set:?}, {len} values in place");
                // Outputs starting anywhere in a cache line, so that the values before its
                // first 64-byte boundary (squared on their own) are 0 to 7 of them.
                for offset in 0..8 {
                    let mut output = vec![T::default(); len + offset];
                    // SAFETY: as above.
                    unsafe { square_slice_into_with(set, &input, &mut output[offset..]) };
                    assert_eq!(output[offset..], want, "{set:?}, {len} values at {offset}");
                }
            }
        }
    }

    #[test]
    fn every_kernel_squares_every_dtype_as_numpy_does() {
        let floats = |len: usize| test_values::values_spanning(len, len as u64, 30);
        check_every_kernel_of(floats, |x| x * x);
        check_every_kernel_of(
            |len| floats(len).into_iter().map(|x| x as f32).collect(),
            |x: f32| x * x,
        );
        // Integers near each type's edges: their squares wrap, as np.square's do.
        let ints = |len: usize| -> Vec<i64> {
            (0..len as i64)
                .map(|i| match i % 4 {
                    0 => i,
                    1 => -i * 1_000_003,
                    2 => i64::MAX - i,
                    _ => i64::MIN + i,
                })
                .collect()
        };
        check_every_kernel_of(ints, |x| x.wrapping_mul(x));
        check_every_kernel_of(
            |len| ints(len).into_iter().map(|x| x as i32).collect(),
            |x: i32| x.wrapping_mul(x),
        );
        assert_eq!(50_000i32.square(), -1_794_967_296);
        assert_eq!(i64::MIN.square(), 0);
    }

    #[test]
    fn long_runs_into_another_slice_are_squared_in_matching_pieces() {
        for len in [PARALLEL_FROM - 1, PARALLEL_FROM, 100_003] {
            let input = test_values::values_spanning(len, 7, 30);
            let mut output = vec![0.0; len];
            square_run_into(&input, &mut output, square_slice_into);
            assert!(
                output
                    .iter()
                    .zip(&input)
                    .all(|(y, x)| y.to_bits() == (x * x).to_bits())
            );
            assert_eq!(runs_in_parallel(len), len >= PARALLEL_FROM);
        }
    }

    #[test]
    fn every_supported_instruction_set_squares_with_the_same_bits() {
        // Lengths around each vector width, so that every copy's tail loop runs too.
        for len in (0..40).chain([1000, 1001]) {
            let data = test_values::values_spanning(len, len as u64, 30);
            for set in InstructionSet::ALL
                .into_iter()
                .filter(|set| set.is_supported())
            {
                let mut got = data.clone();
                // SAFETY: the filter above keeps only the sets this CPU supports.
                unsafe { square_slice_with(set, &mut got) };
                for (got, x) in got.iter().zip(&data) {
                    assert_eq!(got.to_bits(), (x * x).to_bits(), "{set:?}, {len} values");
                }
            }
        }
    }
}
