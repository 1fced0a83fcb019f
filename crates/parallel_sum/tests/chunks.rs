//! A chunk's tree pieces summed on the pool are the serial ones, to the bit, for every thread
//! count, and combine into the whole array's sum.

use fast_operations::chunks::{Pieces, sum_of_pieces, tree_pieces};
use fast_operations::pairwise::F64Bytes;
use ndarray::{Array, s};
use parallel_sum::{PARALLEL_FROM, parallel_tree_pieces, parallel_tree_pieces_of_bytes};
use test_values::values;

const THREADS: [usize; 4] = [1, 2, 3, 8];

fn assert_same_pieces(parallel: &Pieces, serial: &Pieces, what: &str) {
    assert_eq!(parallel.node_starts, serial.node_starts, "{what}");
    assert_eq!(parallel.node_lens, serial.node_lens, "{what}");
    let bits = |sums: &[f64]| sums.iter().map(|s| s.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&parallel.node_sums), bits(&serial.node_sums), "{what}");
    assert_eq!(parallel.cut_starts, serial.cut_starts, "{what}");
    assert_eq!(parallel.cut_lens, serial.cut_lens, "{what}");
    assert_eq!(parallel.cut_values, serial.cut_values, "{what}");
}

#[test]
fn a_one_dimensional_array_in_chunks_sums_as_the_whole_on_every_pool() {
    let n = 3_000_017;
    let a = Array::from(values(n, 3));
    let edges = [0, 5, PARALLEL_FROM - 1, 1_000_000, 1_000_129, 2_500_000, n];
    let whole = fast_operations::sum_array(a.view().into_dyn());
    for threads in THREADS {
        let pieces: Vec<Pieces> = edges
            .windows(2)
            .map(|w| {
                let chunk = a.slice(s![w[0]..w[1]]).into_dyn();
                let parallel = pool::with_threads(threads, || {
                    parallel_tree_pieces(chunk.view(), &[w[0]], &[n])
                })
                .unwrap();
                let serial = tree_pieces(chunk, &[w[0]], &[n]).unwrap();
                assert_same_pieces(&parallel, &serial, &format!("{w:?}, {threads} threads"));
                parallel
            })
            .collect();
        let nodes = pieces.iter().flat_map(|p| p.nodes());
        let total = sum_of_pieces(nodes, pieces.iter().flat_map(|p| p.cuts()), n).unwrap();
        assert_eq!(total.to_bits(), whole.to_bits(), "{threads} threads");
    }
}

#[test]
fn a_chunk_cutting_rows_gives_the_serial_pieces_on_every_pool() {
    // Chunks of 600 x 300 out of 1000 x 1000: one run of 300 values per row.
    let a = Array::from_shape_vec((1000, 1000), values(1_000_000, 9)).unwrap();
    let chunk = a.slice(s![200..800, 350..650]).into_dyn();
    let serial = tree_pieces(chunk.view(), &[200, 350], &[1000, 1000]).unwrap();
    for threads in THREADS {
        let parallel = pool::with_threads(threads, || {
            parallel_tree_pieces(chunk.view(), &[200, 350], &[1000, 1000])
        })
        .unwrap();
        assert_same_pieces(&parallel, &serial, &format!("{threads} threads"));
    }
}

#[test]
fn a_misaligned_chunk_gives_the_serial_pieces_on_every_pool() {
    let n = 1_000_000;
    let a = Array::from(values(n, 4));
    let mut bytes = vec![0u8; 3];
    for x in &a {
        bytes.extend_from_slice(&x.to_ne_bytes());
    }
    let (from, to) = (123_457, 876_543);
    let held = F64Bytes::new(&bytes[3 + 8 * from..3 + 8 * to]).unwrap();
    let serial = tree_pieces(a.slice(s![from..to]).into_dyn(), &[from], &[n]).unwrap();
    for threads in THREADS {
        let parallel = pool::with_threads(threads, || {
            parallel_tree_pieces_of_bytes(held, &[to - from], &[from], &[n])
        })
        .unwrap();
        assert_same_pieces(&parallel, &serial, &format!("{threads} threads"));
    }
}
