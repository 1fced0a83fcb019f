//! `parallel_sum` against `sum_array`, and `parallel_sum_axes` against `sum_axes` along a set
//! of axes the input picks, bit for bit (exactly, for integers), on views of any layout and
//! all four dtypes, on at most 1, 2, 3 and 5 threads and on the whole pool.
#![no_main]

use fast_operations::{sum_array, sum_axes};
use libfuzzer_sys::fuzz_target;
use parallel_sum::{PARALLEL_FROM, ParallelSummable, parallel_sum, parallel_sum_axes};
use sums_fuzz::{Element, Input, Layout, THREADS, assert_same_float};

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let mode = input.byte();
    let threads = THREADS
        .get(usize::from(mode >> 3) % (THREADS.len() + 1))
        .copied();
    let specials = mode & 4 != 0;
    match mode & 3 {
        0 => check::<f64>(&mut input, threads, specials, |got, want, what| {
            assert_same_float(got, want, what)
        }),
        1 => check::<f32>(&mut input, threads, specials, |got, want, what| {
            assert_same_float(got, want, what)
        }),
        2 => check::<i64>(&mut input, threads, specials, |got, want, what| {
            assert_eq!(got, want, "{what}")
        }),
        _ => check::<i32>(&mut input, threads, specials, |got, want, what| {
            assert_eq!(got, want, "{what}")
        }),
    }
});

/// A sum along axes' value as its bits, to compare results bit for bit.
trait Bits: Copy {
    fn bits(self) -> u64;
}

impl Bits for f64 {
    fn bits(self) -> u64 {
        self.to_bits()
    }
}

impl Bits for i64 {
    fn bits(self) -> u64 {
        self as u64
    }
}

fn check<T>(
    input: &mut Input<'_>,
    threads: Option<usize>,
    specials: bool,
    same: impl Fn(T::Total, T::Total, &str),
) where
    T: Element + ParallelSummable,
    T::AxisTotal: Bits,
{
    let axes_set = input.byte();
    // A quarter of the views are long enough to be summed in parallel (from 2^16 values).
    let layout = if input.byte() % 4 != 0 {
        Layout::read(input, 0..=4, 1 << 19, true)
    } else {
        Layout::read_large(input, 1..=3, PARALLEL_FROM, 1 << 19, true)
    };
    let Some(layout) = layout else {
        return;
    };
    let backing: Vec<T> = layout.fill(input, specials);
    layout.with_view(&backing, |view| {
        let what = format!(
            "parallel_sum on {threads:?} threads, shape {:?} strides {:?}",
            view.shape(),
            view.strides()
        );
        let want = sum_array(view.view());
        let got = match threads {
            Some(threads) => pool::with_threads(threads, || parallel_sum(view.view())),
            None => parallel_sum(view.view()),
        };
        same(got, want, &what);
        let axes: Vec<usize> = (0..view.ndim())
            .filter(|a| axes_set >> a & 1 == 1)
            .collect();
        let want = sum_axes(view.view(), &axes);
        let got = match threads {
            Some(threads) => pool::with_threads(threads, || parallel_sum_axes(view.view(), &axes)),
            None => parallel_sum_axes(view.view(), &axes),
        };
        match (got, want) {
            (Ok(got), Ok(want)) => {
                assert_eq!(got.shape(), want.shape(), "{what}, axes {axes:?}");
                let bits = |a: &ndarray::ArrayD<T::AxisTotal>| {
                    a.iter().map(|x| x.bits()).collect::<Vec<_>>()
                };
                assert_eq!(bits(&got), bits(&want), "{what}, axes {axes:?}");
            }
            (got, want) => assert_eq!(got.err(), want.err(), "{what}, axes {axes:?}"),
        }
    });
}
