//! Long runs shared out over the process's one pool of threads: cut into equal pieces of
//! whole vectors, each squared by the function the caller gives.

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::square_slice_into;

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
}
