//! The exact integer sums against an i128 reference: `sum_array` of int32 and int64 views of
//! any layout (broadcast ones too), and of any run of a slice, on any values (the extremes
//! included).
#![no_main]

use fast_operations::sum_array;
use ndarray::ArrayView1;
use libfuzzer_sys::fuzz_target;
use sums_fuzz::{Element, Input, Layout};

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    if input.byte() & 1 == 0 {
        check::<i64>(&mut input, |x| x);
    } else {
        check::<i32>(&mut input, i64::from);
    }
});

fn check<T>(input: &mut Input<'_>, widen: fn(T) -> i64)
where
    T: Element + fast_operations::Summable<Total = i128>,
{
    let Some(layout) = Layout::read(input, 0..=5, 1 << 18, true) else {
        return;
    };
    let backing: Vec<T> = layout.fill(input, true);
    layout.with_view(&backing, |view| {
        let want: i128 = view.iter().map(|&x| i128::from(widen(x))).sum();
        let what = format!("shape {:?} strides {:?}", view.shape(), view.strides());
        assert_eq!(sum_array(view), want, "sum_array, {what}");
    });
    // A slice of the backing vector, poison included: any run of values.
    let start = input.below(backing.len() + 1);
    let end = start + input.below(backing.len() - start + 1);
    let slice = &backing[start..end];
    let want: i128 = slice.iter().map(|&x| i128::from(widen(x))).sum();
    let sum = sum_array(ArrayView1::from(slice).into_dyn());
    assert_eq!(sum, want, "sum_array of a slice");
}
