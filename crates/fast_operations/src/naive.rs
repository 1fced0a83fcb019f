//! The tutorial's loop, ported literally.

use ndarray::ArrayView1;

/// The tutorial's loop, ported literally: `total += arr[i]` for `i` in order, from `0.0`.
///
/// Kept to compare against: its rounding error grows with `n`, and each addition waits for
/// the one before.
///
/// ```
/// use ndarray::array;
/// assert_eq!(fast_operations::sum_array_naive(array![1.0, 2.0, 3.5].view()), 6.5);
/// ```
pub fn sum_array_naive(arr: ArrayView1<'_, f64>) -> f64 {
    let mut total = 0.0;
    for i in 0..arr.len() {
        total += arr[i];
    }
    total
}
