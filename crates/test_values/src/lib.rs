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

/// One page of memory between two that cannot be read (a read there kills the process): views
/// placed at its edges show that a kernel reads nothing outside them. Unmapped when dropped.
#[cfg(unix)]
pub struct GuardedPage {
    map: *mut libc::c_void,
    page: usize,
}

#[cfg(unix)]
impl GuardedPage {
    /// A fresh mapping of three pages, the outer two made unreadable.
    pub fn new() -> GuardedPage {
        // SAFETY: sysconf, mmap and mprotect on a fresh private anonymous mapping of three
        // pages that nothing else refers to; each result is checked.
        unsafe {
            let page = libc::sysconf(libc::_SC_PAGESIZE) as usize;
            let protection = libc::PROT_READ | libc::PROT_WRITE;
            let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
            let map = libc::mmap(std::ptr::null_mut(), 3 * page, protection, flags, -1, 0);
            assert_ne!(map, libc::MAP_FAILED);
            assert_eq!(libc::mprotect(map, page, libc::PROT_NONE), 0);
            let after = map.cast::<u8>().add(2 * page).cast();
            assert_eq!(libc::mprotect(after, page, libc::PROT_NONE), 0);
            GuardedPage { map, page }
        }
    }

    /// How many values of `T` the readable page holds.
    pub fn capacity<T>(&self) -> usize {
        self.page / size_of::<T>()
    }

    /// The readable page filled with [`capacity`](GuardedPage::capacity) values of `T` from
    /// `values`, the first at the page's first byte and the last ending at its last byte (for
    /// `T` whose size divides the page). Panics if `values` holds fewer.
    pub fn fill<T: Copy>(&mut self, values: impl IntoIterator<Item = T>) -> &[T] {
        let len = self.capacity::<T>();
        let mut values = values.into_iter();
        // The middle page, aligned to a page: aligned for any T of a smaller alignment.
        let first = self.map.cast::<u8>().wrapping_add(self.page).cast::<T>();
        assert!(first.is_aligned());
        for i in 0..len {
            let value = values.next().expect("enough values to fill the page");
            // SAFETY: i < len values of T fit in the middle page, readable and writable,
            // borrowed mutably through self.
            unsafe { first.add(i).write(value) };
        }
        // SAFETY: the len values were all written just above; the borrow of self keeps the
        // mapping alive and unwritten for the slice's life.
        unsafe { std::slice::from_raw_parts(first, len) }
    }
}

#[cfg(unix)]
impl Default for GuardedPage {
    fn default() -> Self {
        GuardedPage::new()
    }
}

#[cfg(unix)]
impl Drop for GuardedPage {
    fn drop(&mut self) {
        // SAFETY: the mapping made in new(), of three pages; no slice of it outlives self.
        let unmapped = unsafe { libc::munmap(self.map, 3 * self.page) };
        assert_eq!(unmapped, 0);
    }
}

/// NumPy's float64 pairwise sum (`DOUBLE_pairwise_sum` in `loops_utils.h.src`) with the
/// operand order of every addition as NumPy's x86-64 wheels run it on CPUs with AVX2 (their
/// `X86_V3` build, NumPy 2.4): the reference for the bits of NaN payloads and signs.
///
/// Why not the C source's order: on x86 an addition of two NaNs returns its first operand's
/// NaN, and GCC swaps operands of additions (it takes them as commutative), differently in
/// each copy of the function it makes: the function inlines its own recursive call one level
/// (`inlined`), and that copy adds `right + left`, while a called leaf adds `r3 + r2`. Read
/// from the disassembly of `_multiarray_umath`'s `DOUBLE_pairwise_sum` and checked against
/// `np.sum` for every pair of positions of two NaNs at many sizes (see the section-1 docs).
pub fn numpy_pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = -0.0;
        for &x in a {
            res = add(res, x);
        }
        res
    } else if n <= 128 {
        leaf(a, true)
    } else {
        let n2 = split(n);
        add(inlined(&a[..n2]), inlined(&a[n2..]))
    }
}

/// A child of a call of [`numpy_pairwise_sum`] (at least 64 values), as GCC inlined it.
fn inlined(a: &[f64]) -> f64 {
    if a.len() <= 128 {
        leaf(a, false)
    } else {
        let n2 = split(a.len());
        let left = numpy_pairwise_sum(&a[..n2]);
        let right = numpy_pairwise_sum(&a[n2..]);
        add(right, left)
    }
}

/// NumPy's leaf of 8 to 128 values; `called`: the copy whose third pair adds `r3 + r2`.
fn leaf(a: &[f64], called: bool) -> f64 {
    let n = a.len();
    let mut r = [0.0; 8];
    r.copy_from_slice(&a[..8]);
    let mut i = 8;
    while i < n - n % 8 {
        for k in 0..8 {
            r[k] = add(r[k], a[i + k]);
        }
        i += 8;
    }
    let r23 = if called {
        add(r[3], r[2])
    } else {
        add(r[2], r[3])
    };
    let mut res = add(
        add(add(r[0], r[1]), r23),
        add(add(r[4], r[5]), add(r[6], r[7])),
    );
    while i < n {
        res = add(res, a[i]);
        i += 1;
    }
    res
}

/// NumPy's split of a node of more than 128 values.
fn split(n: usize) -> usize {
    let half = n / 2;
    half - half % 8
}

/// `x + y` as one x86 `addsd` (on aarch64 one `fadd`) with `x` its first operand: the
/// compiler may not swap them (it would, with `+`: it takes addition as commutative, NaN
/// payloads aside).
#[inline(never)]
pub fn add(x: f64, y: f64) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        let mut x = x;
        // SAFETY: one SSE2 addition between registers: no memory, no other effect.
        unsafe {
            std::arch::asm!("addsd {x}, {y}", x = inout(xmm_reg) x, y = in(xmm_reg) y,
                options(pure, nomem, nostack));
        }
        x
    }
    #[cfg(target_arch = "aarch64")]
    {
        let mut x = x;
        // SAFETY: one addition between registers: no memory, no other effect.
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

/// A quiet NaN with sign `negative` and payload `payload` (its low mantissa bits).
pub fn nan(negative: bool, payload: u64) -> f64 {
    f64::from_bits(((negative as u64) << 63) | 0x7ff8_0000_0000_0000 | payload)
}

/// Asserts that `got` and `expected` have the same bits (so NaN payloads and the sign of
/// zero count), naming `what` and both values when they differ.
#[track_caller]
pub fn assert_same_bits(got: f64, expected: f64, what: &str) {
    assert_eq!(
        got.to_bits(),
        expected.to_bits(),
        "{what}: got {got:e}, expected {expected:e}"
    );
}

/// Every shape of 1 to 3 axes of 0 to 3 values, with every stride from -3 to 3 (in units the
/// caller picks): `f(shape, strides)`. The views the brute-force tests of strided code walk.
pub fn small_views(mut f: impl FnMut(&[usize], &[isize])) {
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

/// The offset of every index tuple of the view `(shape, strides)`, brute force, in index
/// order.
pub fn offsets(shape: &[usize], strides: &[isize]) -> Vec<isize> {
    let mut all = vec![0isize];
    for (&len, &stride) in shape.iter().zip(strides) {
        all = all
            .iter()
            .flat_map(|&at| (0..len as isize).map(move |i| at + i * stride))
            .collect();
    }
    all
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
