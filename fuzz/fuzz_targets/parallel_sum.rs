//! `parallel_sum` against `sum_array`, bit for bit (exactly, for integers), on views of any
//! layout and all four dtypes, on at most 1, 2, 3 and 5 threads and on the whole pool.
#![no_main]

use fast_operations::sum_array;
use libfuzzer_sys::fuzz_target;
use parallel_sum::{PARALLEL_FROM, ParallelSummable, parallel_sum};
use sums_fuzz::{Element, Input, Layout, THREADS, assert_same_float};

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let mode = input.byte();
    let threads = THREADS.get(usize::from(mode >> 3) % (THREADS.len() + 1)).copied();
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

fn check<T>(
    input: &mut Input<'_>,
    threads: Option<usize>,
    specials: bool,
    same: impl Fn(T::Total, T::Total, &str),
) where
    T: Element + ParallelSummable,
{
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
            Some(threads) => pool::with_threads(threads, || parallel_sum(view)),
            None => parallel_sum(view),
        };
        same(got, want, &what);
    });
}
