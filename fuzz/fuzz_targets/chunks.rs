//! An array cut into chunks, each chunk's tree pieces computed apart (serially, on the pool,
//! or from misaligned bytes), combined in any order: `sum_array`'s bits of the whole C-ordered
//! array; a chunk left out or given twice: an error, never a sum.
#![no_main]

use fast_operations::chunks::{Pieces, sum_of_pieces, tree_pieces, tree_pieces_of_bytes};
use fast_operations::pairwise::F64Bytes;
use fast_operations::sum_array;
use libfuzzer_sys::fuzz_target;
use ndarray::{ArrayD, IxDyn, Slice};
use parallel_sum::{PARALLEL_FROM, parallel_tree_pieces};
use sums_fuzz::{Element, Input, THREADS, assert_same_float};

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let mode = input.byte();
    let specials = mode & 1 != 0;
    // The array: 0 to 3 axes, mostly small, sometimes above the pool's threshold.
    let ndim = usize::from(mode >> 1) % 4;
    let budget = if mode & 0x40 != 0 {
        PARALLEL_FROM * 4
    } else {
        4096
    };
    let shape = input.shape(ndim, budget);
    let n: usize = shape.iter().product();
    let data: Vec<f64> = (0..n).map(|_| f64::read(&mut input, specials)).collect();
    let a = ArrayD::from_shape_vec(IxDyn(&shape), data).expect("n values");
    // Each axis cut at a few sorted points (empty chunks allowed).
    let edges: Vec<Vec<usize>> = shape
        .iter()
        .map(|&len| {
            let mut at: Vec<usize> = (0..input.below(5)).map(|_| input.below(len + 1)).collect();
            at.push(0);
            at.push(len);
            at.sort_unstable();
            at
        })
        .collect();
    let mut all: Vec<Pieces> = Vec::new();
    let mut index = vec![0; ndim];
    loop {
        let mut chunk = a.view();
        let mut offset = Vec::with_capacity(ndim);
        for (axis, &i) in index.iter().enumerate() {
            let (from, to) = (edges[axis][i], edges[axis][i + 1]);
            chunk.slice_axis_inplace(ndarray::Axis(axis), Slice::from(from..to));
            offset.push(from);
        }
        let pieces = match input.byte() % 4 {
            0 => tree_pieces(chunk, &offset, &shape),
            1 => {
                let threads = THREADS[input.below(THREADS.len())];
                pool::with_threads(threads, || parallel_tree_pieces(chunk, &offset, &shape))
            }
            2 => parallel_tree_pieces(chunk, &offset, &shape),
            _ => {
                let mut bytes = vec![0u8; 1 + input.below(7)];
                let skip = bytes.len();
                for x in chunk.iter() {
                    bytes.extend_from_slice(&x.to_ne_bytes());
                }
                let held = F64Bytes::new(&bytes[skip..]).expect("eight bytes a value");
                tree_pieces_of_bytes(held, chunk.shape(), &offset, &shape)
            }
        };
        all.push(pieces.expect("every chunk fits"));
        // The next block, in C order of the block indices.
        let mut axis = ndim;
        loop {
            if axis == 0 {
                break;
            }
            axis -= 1;
            index[axis] += 1;
            if index[axis] + 1 < edges[axis].len() {
                break;
            }
            index[axis] = 0;
        }
        if index.iter().all(|&i| i == 0) {
            break;
        }
    }
    // Any order: rotated by a number the input picks.
    let turn = input.below(all.len());
    all.rotate_left(turn);
    let total = sum_of_pieces(
        all.iter().flat_map(Pieces::nodes),
        all.iter().flat_map(Pieces::cuts),
        n,
    )
    .expect("the chunks cover the array");
    assert_same_float(
        total,
        sum_array(a.view()),
        &format!("shape {shape:?}, edges {edges:?}"),
    );
    // One chunk that holds values, left out or given twice: refused.
    if let Some(k) = all
        .iter()
        .position(|p| !p.node_sums.is_empty() || !p.cut_values.is_empty())
    {
        let twice = input.byte() & 1 != 0;
        let chosen: Vec<&Pieces> = all
            .iter()
            .enumerate()
            .flat_map(|(i, p)| match (i == k, twice) {
                (false, _) => vec![p],
                (true, true) => vec![p, p],
                (true, false) => vec![],
            })
            .collect();
        let wrong = sum_of_pieces(
            chosen.iter().flat_map(|p| p.nodes()),
            chosen.iter().flat_map(|p| p.cuts()),
            n,
        );
        assert!(wrong.is_err(), "shape {shape:?}, chunk {k} twice: {twice}");
    }
});
