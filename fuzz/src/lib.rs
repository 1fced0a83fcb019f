//! What the fuzz targets share: a reader that turns libFuzzer's bytes into values (NaN with
//! any payload, infinities, signed zeros, subnormals, extremes, ordinary numbers) and into
//! layouts of views (any number of axes, lengths, steps both ways, offsets, axis orders,
//! broadcast axes), and the plain references the fast code is checked against.

use fast_operations::Summable;
use fast_operations::pairwise::Value;
use ndarray::{ArrayViewD, ArrayViewMutD, Axis, IxDyn, Slice};
use std::ops::RangeInclusive;

/// The same float result: the same bits (so `-0.0` is not `0.0`, and NaN payloads and signs
/// count).
pub fn same_float(got: f64, want: f64) -> bool {
    got.to_bits() == want.to_bits()
}

/// Panics with both values' bits unless [`same_float`].
#[track_caller]
pub fn assert_same_float(got: f64, want: f64, what: &str) {
    assert!(
        same_float(got, want),
        "{what}: got {got:e} ({:#018x}), want {want:e} ({:#018x})",
        got.to_bits(),
        want.to_bits()
    );
}

/// NumPy's pairwise tree, in the operand order NumPy's compiled code adds in (which NaN
/// payloads show): the reference for every kernel.
pub fn tree(a: &[f64]) -> f64 {
    test_values::numpy_pairwise_sum(a)
}

/// The values of `view` in the order `sum_array` sums them as one tree, for floats: index
/// order for 0-d and 1-D views and for views whose axes merge into one strided axis (as
/// NumPy's iterator merges them), memory order for N-D views that are one slice with no
/// negative stride. `None` for other views, which NumPy (and `sum_array`) sums in several runs
/// added one after the other.
pub fn summation_order<T: Copy>(view: &ArrayViewD<'_, T>) -> Option<Vec<T>> {
    if view.ndim() > 1
        && view.strides().iter().all(|&s| s >= 0)
        && let Some(values) = view.as_slice_memory_order()
    {
        return Some(values.to_vec());
    }
    (fast_operations::nodes::merged_axes(view).ndim() <= 1).then(|| view.iter().copied().collect())
}

/// libFuzzer's bytes, read from the front; once they run out, bytes from a generator seeded
/// by all of them, so a short input can still decide a long array.
pub struct Input<'a> {
    data: &'a [u8],
    state: u64,
}

impl<'a> Input<'a> {
    /// A reader of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        let mut state = 0xcbf2_9ce4_8422_2325_u64;
        for &b in data {
            state = (state ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        Input {
            data,
            state: state | 1,
        }
    }

    /// The next byte.
    pub fn byte(&mut self) -> u8 {
        if let Some((&b, rest)) = self.data.split_first() {
            self.data = rest;
            b
        } else {
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            (self.state >> 24) as u8
        }
    }

    /// The next `N` bytes.
    pub fn bytes<const N: usize>(&mut self) -> [u8; N] {
        std::array::from_fn(|_| self.byte())
    }

    /// The next 8 bytes as a u64.
    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.bytes())
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (u32::from_le_bytes(self.bytes()) as usize) % n
    }

    /// A length: mostly short, sometimes long enough to cross the kernels' thresholds (the
    /// tree's leaf of 128, the gather buffer of 1024, the parallel sums' 2^15 and 2^16), at
    /// most `max`.
    pub fn length(&mut self, max: usize) -> usize {
        // Long ones are rare: they cost a thousand times as much as short ones per run.
        let len = match self.byte() % 64 {
            0..=35 => self.below(9),
            36..=51 => self.below(300),
            52..=59 => self.below(3000),
            60..=62 => self.below(1 << 17),
            _ => self.below(1 << 20),
        };
        len.min(max)
    }
}

impl Input<'_> {
    /// The lengths of `ndim` axes ([`Input::length`] each) whose product stays within
    /// `budget` values (an axis of length zero lets the others take the whole budget).
    pub fn shape(&mut self, ndim: usize, budget: usize) -> Vec<usize> {
        let mut lens = Vec::with_capacity(ndim);
        let mut values = 1usize;
        for _ in 0..ndim {
            let len = self.length(budget / values.max(1));
            values *= len;
            lens.push(len);
        }
        lens
    }
}

/// An element type the targets fill views with.
pub trait Element: Copy + Send + Sync + 'static {
    /// A value from the input; `specials` allows NaN and infinities.
    fn read(input: &mut Input<'_>, specials: bool) -> Self;
    /// What fills the backing memory outside the view: a sum that reads it goes wrong.
    const POISON: Self;
}

impl Element for f64 {
    fn read(input: &mut Input<'_>, specials: bool) -> f64 {
        let tag = input.byte();
        let sign = u64::from(tag >> 7) << 63;
        const EXP: u64 = 0x7ff0_0000_0000_0000;
        const MANT: u64 = 0x000f_ffff_ffff_ffff;
        let bits = match tag & 0x1f {
            // NaN of any payload, quiet or signalling.
            0 if specials => EXP | (input.u64() & MANT).max(1),
            1 if specials => EXP,
            2 => 0,
            3 => input.u64() & MANT,
            4 => {
                let raw = input.u64() & !(1 << 63);
                if specials || raw & EXP != EXP {
                    raw
                } else {
                    raw & !(1 << 62)
                }
            }
            5 => [
                f64::MAX,
                f64::MIN_POSITIVE,
                f64::EPSILON,
                1.0,
                2f64.powi(1000),
                2f64.powi(-1000),
                1.0 + f64::EPSILON,
                2f64.powi(53),
            ][input.below(8)]
            .to_bits(),
            // Ordinary numbers of magnitudes 2^-20 to 2^20: sums that round, so that a
            // different order of additions shows in the bits.
            _ => {
                let exponent = 1023 - 20 + input.below(41) as u64;
                (exponent << 52) | (input.u64() & MANT)
            }
        };
        f64::from_bits(bits | sign)
    }
    const POISON: f64 = 1.0e300;
}

impl Element for f32 {
    fn read(input: &mut Input<'_>, specials: bool) -> f32 {
        let tag = input.byte();
        let sign = u32::from(tag >> 7) << 31;
        const EXP: u32 = 0x7f80_0000;
        const MANT: u32 = 0x007f_ffff;
        let word = u32::from_le_bytes(input.bytes());
        let bits = match tag & 0x1f {
            0 if specials => EXP | (word & MANT).max(1),
            1 if specials => EXP,
            2 => 0,
            3 => word & MANT,
            4 => {
                let raw = word & !(1 << 31);
                if specials || raw & EXP != EXP {
                    raw
                } else {
                    raw & !(1 << 30)
                }
            }
            5 => [f32::MAX, f32::MIN_POSITIVE, f32::EPSILON, 1.0][input.below(4)].to_bits(),
            _ => {
                let exponent = 127 - 20 + input.below(41) as u32;
                (exponent << 23) | (word & MANT)
            }
        };
        f32::from_bits(bits | sign)
    }
    const POISON: f32 = 1.0e30;
}

impl Element for i64 {
    fn read(input: &mut Input<'_>, _: bool) -> i64 {
        match input.byte() % 16 {
            0 => i64::MIN,
            1 => i64::MAX,
            2 => 0,
            3 => -1,
            4 | 5 => input.u64() as i64,
            6 => [
                1 << 31,
                1 << 32,
                (1 << 32) - 1,
                (1 << 32) + 1,
                -(1 << 32),
                -(1 << 31) - 1,
            ][input.below(6)],
            7 => (input.u64() as i64) >> input.below(64),
            _ => i64::from(i16::from_le_bytes(input.bytes())),
        }
    }
    const POISON: i64 = 0x5555_5555_5555_5555;
}

impl Element for i32 {
    fn read(input: &mut Input<'_>, _: bool) -> i32 {
        match input.byte() % 16 {
            0 => i32::MIN,
            1 => i32::MAX,
            2 => 0,
            3 => -1,
            4..=7 => i32::from_le_bytes(input.bytes()),
            _ => i32::from(i16::from_le_bytes(input.bytes())),
        }
    }
    const POISON: i32 = 0x5555_5555;
}

/// A float element: summed by the tree in f64.
pub trait Float: Element + Value + Summable<Total = f64> {}
impl Float for f64 {}
impl Float for f32 {}

/// How to cut a view out of a backing vector: a C-ordered parent array (after `base`
/// elements, followed by a few more), each axis sliced with a start and a step (negative
/// steps too), the axes then permuted, and optionally an axis of stride 0 inserted
/// (broadcasting; read-only views only). Every such view is valid, and its elements do not
/// overlap unless broadcast.
#[derive(Debug)]
pub struct Layout {
    base: usize,
    parent: Vec<usize>,
    slices: Vec<Slice>,
    order: Vec<usize>,
    broadcast: Option<(usize, usize)>,
    tail: usize,
}

impl Layout {
    /// A layout of `axes` axes (before any broadcast axis), with at most `max_values`
    /// elements in the view (usually far fewer) and `8 * max_values` in the backing vector
    /// (`None` past that). `broadcast` allows a stride-0 axis.
    pub fn read(
        input: &mut Input<'_>,
        axes: RangeInclusive<usize>,
        max_values: usize,
        broadcast: bool,
    ) -> Option<Layout> {
        let ndim = axes.start() + input.below(axes.end() - axes.start() + 1);
        // A budget of values for the whole view, mostly small: the lengths of several axes
        // multiply, and a run's cost grows with the view's size.
        let budget = match input.byte() % 64 {
            0..=39 => 64,
            40..=55 => 4096,
            56..=61 => 1 << 16,
            _ => max_values,
        }
        .min(max_values);
        let lens = input.shape(ndim, budget);
        Layout::cut(input, lens, max_values, broadcast)
    }

    /// A layout of `axes` axes (at least one) with `min_values` to `max_values` elements in
    /// the view: the other axes short, the last one long (before the axes are permuted).
    pub fn read_large(
        input: &mut Input<'_>,
        axes: RangeInclusive<usize>,
        min_values: usize,
        max_values: usize,
        broadcast: bool,
    ) -> Option<Layout> {
        let ndim = (axes.start() + input.below(axes.end() - axes.start() + 1)).max(1);
        let total = min_values + input.below(max_values - min_values + 1);
        let mut lens: Vec<usize> = (1..ndim).map(|_| 1 + input.below(8)).collect();
        lens.push(total.div_ceil(lens.iter().product()));
        Layout::cut(input, lens, max_values, broadcast)
    }

    /// The rest of a layout whose axis lengths are `lens`: steps, starts, order, broadcast.
    fn cut(
        input: &mut Input<'_>,
        lens: Vec<usize>,
        max_values: usize,
        broadcast: bool,
    ) -> Option<Layout> {
        let ndim = lens.len();
        let mut parent = Vec::with_capacity(ndim);
        let mut slices = Vec::with_capacity(ndim);
        for len in lens {
            let b = input.byte();
            let magnitude = match b % 8 {
                0..=3 => 1,
                4 => 2,
                5 => 3,
                6 => 1 + usize::from(b >> 4) % 8,
                _ => 1 + usize::from(b >> 3) % 32,
            };
            let step = if b & 0x80 != 0 {
                -(magnitude as isize)
            } else {
                magnitude as isize
            };
            let start = input.below(3);
            let span = if len == 0 {
                0
            } else {
                (len - 1) * magnitude + 1
            };
            let extra = input.below(2);
            parent.push(start + span + extra);
            slices.push(Slice::new(
                start as isize,
                Some((start + span) as isize),
                step,
            ));
        }
        let mut order: Vec<usize> = (0..ndim).collect();
        for i in (1..ndim).rev() {
            order.swap(i, input.below(i + 1));
        }
        let broadcast = (broadcast && input.byte() % 8 == 0)
            .then(|| (input.below(ndim + 1), 2 + input.below(3)));
        let layout = Layout {
            base: input.below(16),
            parent,
            slices,
            order,
            broadcast,
            tail: input.below(3),
        };
        // Axes after an empty one may be long: their product can overflow, and is refused
        // (as ndarray refuses a shape whose non-zero lengths multiply past isize::MAX).
        let backing = layout
            .parent
            .iter()
            .try_fold(1usize, |n, &len| n.checked_mul(len.max(1)));
        backing
            .is_some_and(|n| n <= 8 * max_values.max(64))
            .then_some(layout)
    }

    /// How many elements the backing vector needs.
    pub fn backing_len(&self) -> usize {
        self.base + self.parent.iter().product::<usize>() + self.tail
    }

    /// A backing vector of poison with the view's elements read from `input`, in index order.
    pub fn fill<T: Element>(&self, input: &mut Input<'_>, specials: bool) -> Vec<T> {
        let mut backing = vec![T::POISON; self.backing_len()];
        self.view_mut(&mut backing)
            .iter_mut()
            .for_each(|x| *x = T::read(input, specials));
        backing
    }

    fn parent_range(&self) -> std::ops::Range<usize> {
        self.base..self.base + self.parent.iter().product::<usize>()
    }

    /// The view (without the broadcast axis: see [`Layout::with_view`]).
    pub fn view<'b, T>(&self, backing: &'b [T]) -> ArrayViewD<'b, T> {
        let parent = &backing[self.parent_range()];
        let mut view = ArrayViewD::from_shape(IxDyn(&self.parent), parent).unwrap();
        for (axis, &slice) in self.slices.iter().enumerate() {
            view.slice_axis_inplace(Axis(axis), slice);
        }
        view.permuted_axes(IxDyn(&self.order))
    }

    /// The view, mutable (never broadcast).
    pub fn view_mut<'b, T>(&self, backing: &'b mut [T]) -> ArrayViewMutD<'b, T> {
        let range = self.parent_range();
        let parent = &mut backing[range];
        let mut view = ArrayViewMutD::from_shape(IxDyn(&self.parent), parent).unwrap();
        for (axis, &slice) in self.slices.iter().enumerate() {
            view.slice_axis_inplace(Axis(axis), slice);
        }
        view.permuted_axes(IxDyn(&self.order))
    }

    /// Calls `f` with the view, broadcast if the layout says so.
    pub fn with_view<T, R>(&self, backing: &[T], f: impl FnOnce(ArrayViewD<'_, T>) -> R) -> R {
        let view = self.view(backing);
        match self.broadcast {
            None => f(view),
            Some((at, len)) => {
                let view = view.insert_axis(Axis(at));
                let mut shape = view.shape().to_vec();
                shape[at] = len;
                f(view.broadcast(IxDyn(&shape)).unwrap())
            }
        }
    }
}

/// The thread counts the parallel sum is tried with ([`pool::with_threads`]): it must give
/// the same bits for every one.
pub const THREADS: [usize; 4] = [1, 2, 3, 5];
