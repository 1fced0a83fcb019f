//! Sums of an array cut into chunks that are summed apart (on the workers of a Dask cluster,
//! the ranks of an MPI job...), with `np.sum`'s bits for any chunking.
//!
//! NumPy's tree over the `n` values of a C-ordered array depends on `n` alone ([`split`]), and
//! a node's sum depends only on its values and the parity of its depth ([`Depth`]). So a
//! chunk sums, where it lies, every node that lies wholly inside it: [`tree_pieces`] gives
//! the largest such nodes' sums ([`Node`]) and, for the leaves (at most 128 values) that the
//! chunk's edges cut, the chunk's values of them ([`Pieces::cuts`]). [`sum_of_pieces`] walks
//! the tree from the root over every chunk's pieces: a node one chunk summed is taken as it
//! is, a cut leaf is summed from its values gathered from the chunks that hold them, and
//! every node above adds its children's sums in NumPy's operand order. Same tree, same
//! additions: the bits of `np.sum` of the whole array, whatever the chunks.
//!
//! What travels: a chunk's values form runs of consecutive flat (C-order) indices; each run
//! gives at most two cut leaves (fewer than 256 values) and about two node sums per level
//! of the tree. A chunk that spans the array's trailing axes whole (every chunk of a 1-D
//! array) is one run: a few KB, however many values it holds. A chunk that cuts the last
//! axis is one run per row of it.

use crate::pairwise::{
    Depth, F64Bytes, LEAF, Value, pairwise_sum_at, pairwise_sum_of_bytes_at, split,
};
use ndarray::ArrayViewD;
use std::fmt;

/// A node of NumPy's tree over the whole array that lies wholly inside one chunk: its first
/// value's flat (C-order) index, its number of values, and its sum.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Node {
    /// The flat index of its first value.
    pub start: usize,
    /// Its number of values.
    pub len: usize,
    /// The sum of its values at its depth in the tree.
    pub sum: f64,
}

impl From<(usize, usize, f64)> for Node {
    fn from((start, len, sum): (usize, usize, f64)) -> Node {
        Node { start, len, sum }
    }
}

/// The values of one cut leaf that one run of a chunk holds: consecutive flat indices from
/// `start`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cut<'a> {
    /// The flat index of the first value.
    pub start: usize,
    /// The values, as float64.
    pub values: &'a [f64],
}

impl<'a> From<(usize, &'a [f64])> for Cut<'a> {
    fn from((start, values): (usize, &'a [f64])) -> Cut<'a> {
        Cut { start, values }
    }
}

/// What one chunk contributes to the sum of the whole array ([`tree_pieces`]), as columns
/// (how they travel: a handful of arrays).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pieces {
    /// The flat index of the first value of each of the largest nodes of the tree that lie
    /// wholly inside the chunk, in flat order.
    pub node_starts: Vec<usize>,
    /// Each node's number of values.
    pub node_lens: Vec<usize>,
    /// Each node's sum.
    pub node_sums: Vec<f64>,
    /// The flat index of each cut's first value, in flat order.
    pub cut_starts: Vec<usize>,
    /// Each cut's number of values.
    pub cut_lens: Vec<usize>,
    /// The cuts' values, one cut after the other, as float64.
    pub cut_values: Vec<f64>,
}

impl Pieces {
    /// The columns, in the order of the fields.
    #[allow(clippy::type_complexity)]
    pub fn into_columns(
        self,
    ) -> (
        Vec<usize>,
        Vec<usize>,
        Vec<f64>,
        Vec<usize>,
        Vec<usize>,
        Vec<f64>,
    ) {
        (
            self.node_starts,
            self.node_lens,
            self.node_sums,
            self.cut_starts,
            self.cut_lens,
            self.cut_values,
        )
    }

    /// The nodes, in flat order.
    pub fn nodes(&self) -> impl Iterator<Item = Node> + '_ {
        let places = self.node_starts.iter().zip(&self.node_lens);
        places
            .zip(&self.node_sums)
            .map(|((&start, &len), &sum)| Node { start, len, sum })
    }

    /// The cuts, in flat order.
    pub fn cuts(&self) -> impl Iterator<Item = Cut<'_>> {
        let mut values = self.cut_values.as_slice();
        self.cut_starts
            .iter()
            .zip(&self.cut_lens)
            .map(move |(&start, &len)| {
                let (cut, rest) = values.split_at(len);
                values = rest;
                Cut { start, values: cut }
            })
    }
}

/// Why a chunk cannot be where it is said to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChunkError {
    /// `offset` or `shape` has another number of axes than the chunk.
    Axes {
        /// The chunk's number of axes.
        chunk: usize,
        /// `offset`'s.
        offset: usize,
        /// `shape`'s.
        shape: usize,
    },
    /// The array has more values than an array can hold (`isize::MAX`).
    TooLarge,
    /// Along `axis`, the chunk's `len` values from `offset` do not fit in the array's `size`.
    OutOfBounds {
        /// The axis.
        axis: usize,
        /// The chunk's first index along it.
        offset: usize,
        /// The chunk's length along it.
        len: usize,
        /// The array's length along it.
        size: usize,
    },
}

impl fmt::Display for ChunkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ChunkError::Axes {
                chunk,
                offset,
                shape,
            } => write!(
                f,
                "expected an offset and a shape with the chunk's {chunk} axes, got {offset} and {shape}"
            ),
            ChunkError::TooLarge => write!(f, "the array has more values than an index counts"),
            ChunkError::OutOfBounds {
                axis,
                offset,
                len,
                size,
            } => write!(
                f,
                "the chunk does not fit in the array: along axis {axis} it holds {len} values from \
                 index {offset}, the array has {size}"
            ),
        }
    }
}

impl std::error::Error for ChunkError {}

/// Why pieces do not give the sum of the whole array: something of it is missing, or given
/// twice (a chunk left out or sent twice).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Uncovered {
    /// The first flat index where the pieces do not cover the array exactly once.
    pub index: usize,
}

impl fmt::Display for Uncovered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the pieces do not cover the array exactly once (a chunk missing or given twice): \
             flat index {} is not covered once",
            self.index
        )
    }
}

impl std::error::Error for Uncovered {}

/// What `chunk`, the block of a C-ordered array of `shape` whose first value sits at index
/// `offset`, holds of NumPy's tree over that array: the sums of the largest nodes inside it
/// and its values of the leaves its edges cut. [`sum_of_pieces`] gives the whole array's sum
/// from every chunk's pieces. The chunk may have any layout: it is read in C order.
///
/// ```
/// use fast_operations::chunks::{sum_of_pieces, tree_pieces};
/// use ndarray::{Array, s};
/// let a = Array::from_iter((0..1000).map(|i| 1.0 / (1.0 + i as f64)));
/// let left = tree_pieces(a.slice(s![..300]).into_dyn(), &[0], &[1000]).unwrap();
/// let right = tree_pieces(a.slice(s![300..]).into_dyn(), &[300], &[1000]).unwrap();
/// let nodes = left.nodes().chain(right.nodes());
/// let total = sum_of_pieces(nodes, left.cuts().chain(right.cuts()), 1000).unwrap();
/// assert_eq!(total.to_bits(), fast_operations::sum_array(a.view().into_dyn()).to_bits());
/// ```
pub fn tree_pieces<T: Value>(
    chunk: ArrayViewD<'_, T>,
    offset: &[usize],
    shape: &[usize],
) -> Result<Pieces, ChunkError> {
    let values = chunk.as_standard_layout();
    let values = values
        .as_slice()
        .expect("a standard layout array is one slice in C order");
    tree_pieces_with(values, chunk.shape(), offset, shape, |nodes| {
        nodes
            .iter()
            .map(|&(values, depth)| pairwise_sum_at(values, depth))
            .collect()
    })
}

/// [`tree_pieces`] of a float64 chunk whose values, in C order, are at any address
/// (misaligned): summed a buffer at a time, never copied whole.
pub fn tree_pieces_of_bytes(
    chunk: F64Bytes<'_>,
    chunk_shape: &[usize],
    offset: &[usize],
    shape: &[usize],
) -> Result<Pieces, ChunkError> {
    tree_pieces_with(chunk, chunk_shape, offset, shape, |nodes| {
        nodes
            .iter()
            .map(|&(values, depth)| pairwise_sum_of_bytes_at(values, depth))
            .collect()
    })
}

/// A chunk's values in C order, as [`tree_pieces_with`] takes them: a slice of f64 or f32,
/// or [`F64Bytes`].
pub trait ChunkValues<'a>: Copy {
    /// The number of values.
    fn len(&self) -> usize;
    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The first `mid` values and the others.
    fn split_at(self, mid: usize) -> (Self, Self);
    /// Appends the values to `out`, as float64.
    fn extend_f64(self, out: &mut Vec<f64>);
}

impl<'a, T: Value> ChunkValues<'a> for &'a [T] {
    fn len(&self) -> usize {
        <[T]>::len(self)
    }
    fn split_at(self, mid: usize) -> (Self, Self) {
        <[T]>::split_at(self, mid)
    }
    fn extend_f64(self, out: &mut Vec<f64>) {
        out.extend(self.iter().map(|x| x.to_f64()));
    }
}

impl<'a> ChunkValues<'a> for F64Bytes<'a> {
    fn len(&self) -> usize {
        F64Bytes::len(self)
    }
    fn split_at(self, mid: usize) -> (Self, Self) {
        F64Bytes::split_at(self, mid)
    }
    fn extend_f64(self, out: &mut Vec<f64>) {
        out.extend(self.iter());
    }
}

/// [`tree_pieces`] of the chunk of `chunk_shape` whose values, in C order, are `values`, with
/// the nodes' sums computed by `sum_nodes` (given each node's values and depth, it returns
/// their sums in the same order): for code that sums them on threads, or from bytes.
pub fn tree_pieces_with<'a, V: ChunkValues<'a>>(
    values: V,
    chunk_shape: &[usize],
    offset: &[usize],
    shape: &[usize],
    sum_nodes: impl FnOnce(&[(V, Depth)]) -> Vec<f64>,
) -> Result<Pieces, ChunkError> {
    let runs = Runs::new(chunk_shape, offset, shape)?;
    assert_eq!(
        values.len(),
        chunk_shape.iter().product::<usize>(),
        "one value per index of the chunk"
    );
    let mut walk = Decompose {
        n: shape.iter().product(),
        nodes: Vec::new(),
        pieces: Pieces::default(),
    };
    let mut rest = values;
    for &start in &runs.starts {
        let (run, after) = rest.split_at(runs.len);
        walk.node(0, walk.n, Depth::ROOT, start, run);
        rest = after;
    }
    let mut pieces = walk.pieces;
    pieces.node_sums = sum_nodes(&walk.nodes);
    assert_eq!(
        pieces.node_sums.len(),
        walk.nodes.len(),
        "sum_nodes gives one sum per node"
    );
    Ok(pieces)
}

/// A chunk's values as runs of consecutive flat indices of the whole array, in the chunk's
/// C order: the chunk spans the axes after `axis` whole (or `axis` is the last), so each of
/// its index prefixes along the axes before `axis` is one run.
struct Runs {
    /// Every run's number of values.
    len: usize,
    /// The flat index of each run's first value.
    starts: Vec<usize>,
}

impl Runs {
    fn new(chunk: &[usize], offset: &[usize], shape: &[usize]) -> Result<Runs, ChunkError> {
        if offset.len() != chunk.len() || shape.len() != chunk.len() {
            return Err(ChunkError::Axes {
                chunk: chunk.len(),
                offset: offset.len(),
                shape: shape.len(),
            });
        }
        for axis in 0..chunk.len() {
            if offset[axis] > shape[axis] || chunk[axis] > shape[axis] - offset[axis] {
                return Err(ChunkError::OutOfBounds {
                    axis,
                    offset: offset[axis],
                    len: chunk[axis],
                    size: shape[axis],
                });
            }
        }
        // Every flat index then fits too (in an isize, as any array's); an empty array has
        // no runs, whatever its other axes.
        let n = shape
            .iter()
            .try_fold(1usize, |n, &len| n.checked_mul(len))
            .filter(|&n| n <= isize::MAX as usize)
            .ok_or(ChunkError::TooLarge)?;
        if n == 0 {
            return Ok(Runs {
                len: 0,
                starts: Vec::new(),
            });
        }
        // The array's C strides, in values.
        let mut strides = vec![1; shape.len()];
        for axis in (1..shape.len()).rev() {
            strides[axis - 1] = strides[axis] * shape[axis];
        }
        // The outermost axis from which the chunk is one run per index prefix.
        let mut axis = chunk.len().saturating_sub(1);
        while axis > 0 && chunk[axis] == shape[axis] {
            axis -= 1;
        }
        if chunk.is_empty() {
            return Ok(Runs {
                len: 1,
                starts: vec![0],
            });
        }
        let len = chunk[axis] * strides[axis];
        let mut starts = Vec::new();
        if chunk.contains(&0) {
            return Ok(Runs { len, starts });
        }
        // Odometer over the chunk's indices along the axes before `axis`.
        let mut index = vec![0; axis];
        loop {
            let start = (0..=axis)
                .map(|a| (offset[a] + index.get(a).copied().unwrap_or(0)) * strides[a])
                .sum();
            starts.push(start);
            let mut a = axis;
            loop {
                if a == 0 {
                    return Ok(Runs { len, starts });
                }
                a -= 1;
                index[a] += 1;
                if index[a] < chunk[a] {
                    break;
                }
                index[a] = 0;
            }
        }
    }
}

/// The walk down the tree over `n` values for each run of a chunk.
struct Decompose<V> {
    n: usize,
    /// The values and depths of the nodes found inside runs, to be summed at the end.
    nodes: Vec<(V, Depth)>,
    /// The nodes' places, and the cuts (the nodes' sums are filled in at the end).
    pieces: Pieces,
}

impl<'a, V: ChunkValues<'a>> Decompose<V> {
    /// The pieces of the node of `len` values from flat index `start`, at `depth`, that the
    /// run of `values` from flat index `run_start` holds.
    fn node(&mut self, start: usize, len: usize, depth: Depth, run_start: usize, values: V) {
        let run_end = run_start + values.len();
        let end = start + len;
        if end <= run_start || start >= run_end {
            return;
        }
        if run_start <= start && end <= run_end {
            let node = values.split_at(start - run_start).1.split_at(len).0;
            self.pieces.node_starts.push(start);
            self.pieces.node_lens.push(len);
            self.nodes.push((node, depth));
        } else if len <= LEAF {
            let from = start.max(run_start);
            let to = end.min(run_end);
            self.pieces.cut_starts.push(from);
            self.pieces.cut_lens.push(to - from);
            let held = values.split_at(from - run_start).1.split_at(to - from).0;
            held.extend_f64(&mut self.pieces.cut_values);
        } else {
            let half = split(len);
            self.node(start, half, depth.child(), run_start, values);
            self.node(start + half, len - half, depth.child(), run_start, values);
        }
    }
}

/// The sum of a C-ordered array of `len` values, with `np.sum`'s bits, from the pieces every
/// chunk of it gave ([`tree_pieces`]), in any order. [`Uncovered`] if the pieces do not cover
/// the array exactly once.
pub fn sum_of_pieces<'a>(
    nodes: impl IntoIterator<Item = impl Into<Node>>,
    cuts: impl IntoIterator<Item = impl Into<Cut<'a>>>,
    len: usize,
) -> Result<f64, Uncovered> {
    let mut nodes: Vec<Node> = nodes.into_iter().map(Into::into).collect();
    let mut cuts: Vec<Cut<'a>> = cuts.into_iter().map(Into::into).collect();
    nodes.sort_unstable_by_key(|node| (node.start, std::cmp::Reverse(node.len)));
    cuts.sort_unstable_by_key(|cut| cut.start);
    let mut walk = Combine {
        nodes: &nodes,
        cuts: &cuts,
        leaf: Vec::with_capacity(LEAF),
    };
    let total = walk.node(0, len, Depth::ROOT)?;
    // Whatever the walk did not take covers something twice.
    if let Some(node) = walk.nodes.first() {
        return Err(Uncovered { index: node.start });
    }
    if let Some(cut) = walk.cuts.first() {
        return Err(Uncovered { index: cut.start });
    }
    // As np.sum: the tree's sum added to the identity, +0.0.
    Ok(0.0 + total)
}

/// The walk down the tree over the whole array, taking the pieces in flat order.
struct Combine<'p, 'a> {
    /// The nodes not taken yet.
    nodes: &'p [Node],
    /// The cuts not taken yet.
    cuts: &'p [Cut<'a>],
    /// A cut leaf's values, gathered.
    leaf: Vec<f64>,
}

impl Combine<'_, '_> {
    fn node(&mut self, start: usize, len: usize, depth: Depth) -> Result<f64, Uncovered> {
        if let Some((node, rest)) = self.nodes.split_first()
            && node.start == start
            && node.len == len
            && len > 0
        {
            self.nodes = rest;
            return Ok(node.sum);
        }
        if len <= LEAF {
            self.leaf.clear();
            while self.leaf.len() < len {
                let at = start + self.leaf.len();
                match self.cuts.split_first() {
                    Some((cut, rest))
                        if cut.start == at && cut.values.len() <= len - self.leaf.len() =>
                    {
                        self.leaf.extend_from_slice(cut.values);
                        self.cuts = rest;
                    }
                    _ => return Err(Uncovered { index: at }),
                }
            }
            return Ok(pairwise_sum_at(&self.leaf, depth));
        }
        let half = split(len);
        let left = self.node(start, half, depth.child())?;
        let right = self.node(start + half, len - half, depth.child())?;
        Ok(depth.join(left, right))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn, Slice};

    fn values(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| ((i * 7919) % 1000) as f64 * 10f64.powi((i % 13) as i32 - 6))
            .collect()
    }

    /// The sum of `a` from the pieces of its blocks cut at `cuts` along each axis.
    fn sum_of_blocks(a: &ArrayD<f64>, cuts: &[Vec<usize>]) -> Result<f64, Uncovered> {
        let mut all = Vec::new();
        let blocks: Vec<Vec<(usize, usize)>> = cuts
            .iter()
            .enumerate()
            .map(|(axis, at)| {
                let mut edges = vec![0];
                edges.extend(at);
                edges.push(a.shape()[axis]);
                edges.windows(2).map(|w| (w[0], w[1])).collect()
            })
            .collect();
        let mut index = vec![0; a.ndim()];
        'blocks: loop {
            let mut view = a.view();
            let mut offset = Vec::new();
            for (axis, &i) in index.iter().enumerate() {
                let (from, to) = blocks[axis][i];
                view.slice_axis_inplace(ndarray::Axis(axis), Slice::from(from..to));
                offset.push(from);
            }
            all.push(tree_pieces(view, &offset, a.shape()).unwrap());
            for axis in (0..a.ndim()).rev() {
                index[axis] += 1;
                if index[axis] < blocks[axis].len() {
                    continue 'blocks;
                }
                index[axis] = 0;
            }
            break;
        }
        all.reverse();
        let nodes = all.iter().flat_map(|p| p.nodes());
        sum_of_pieces(nodes, all.iter().flat_map(|p| p.cuts()), a.len())
    }

    fn whole(a: &ArrayD<f64>) -> u64 {
        crate::sum_array(a.view()).to_bits()
    }

    #[test]
    fn one_dimensional_chunkings_give_the_bits_of_the_whole() {
        for n in [0, 1, 7, 8, 9, 127, 128, 129, 1000, 4099, 100_003] {
            let a = ArrayD::from_shape_vec(IxDyn(&[n]), values(n)).unwrap();
            let mut chunkings: Vec<Vec<usize>> = vec![vec![]];
            for step in [1, 3, 7, 64, 127, 128, 129, 1000, 30_000] {
                if n / step < 5000 {
                    chunkings.push((1..n.div_ceil(step)).map(|i| i * step).collect());
                }
            }
            chunkings.push(vec![n / 3, n / 3, n / 2]);
            for cuts in chunkings {
                let cuts: Vec<usize> = cuts.into_iter().filter(|&c| c <= n).collect();
                let got = sum_of_blocks(&a, std::slice::from_ref(&cuts)).unwrap();
                assert_eq!(got.to_bits(), whole(&a), "n = {n}, cuts = {cuts:?}");
            }
        }
    }

    #[test]
    fn n_d_chunkings_give_the_bits_of_the_c_order_whole() {
        for shape in [
            vec![37, 51],
            vec![300, 7],
            vec![5, 400],
            vec![6, 9, 70],
            vec![2, 0, 5],
        ] {
            let n = shape.iter().product();
            let a = ArrayD::from_shape_vec(IxDyn(&shape), values(n)).unwrap();
            for step in [1, 2, 5, 16, 200] {
                let cuts: Vec<Vec<usize>> = shape
                    .iter()
                    .map(|&s| (1..s.div_ceil(step)).map(|i| i * step).collect())
                    .collect();
                let got = sum_of_blocks(&a, &cuts).unwrap();
                assert_eq!(got.to_bits(), whole(&a), "shape {shape:?}, step {step}");
            }
        }
    }

    #[test]
    fn nan_payloads_meet_in_numpys_operand_order() {
        // Two NaNs of different payloads: which one the sum keeps depends on the operand
        // order of every addition where they meet, and so on each node's depth.
        let n = 5000;
        for (i, j) in [
            (10, 4000),
            (10, 2000),
            (300, 500),
            (100, 140),
            (2600, 2400),
            (0, n - 1),
        ] {
            let mut v = values(n);
            v[i] = f64::from_bits(0x7ff8_0000_0000_0001);
            v[j] = f64::from_bits(0xfff8_0000_0000_0002);
            let a = ArrayD::from_shape_vec(IxDyn(&[n]), v).unwrap();
            for step in [7, 129, 1000] {
                let cuts: Vec<usize> = (1..n.div_ceil(step)).map(|k| k * step).collect();
                let got = sum_of_blocks(&a, &[cuts]).unwrap();
                assert_eq!(got.to_bits(), whole(&a), "NaNs at {i} and {j}, step {step}");
            }
        }
    }

    #[test]
    fn misaligned_bytes_give_the_same_pieces() {
        let n = 100_000;
        let a = ndarray::Array1::from(values(n));
        let mut bytes = vec![0u8; 1];
        for x in a.iter() {
            bytes.extend_from_slice(&x.to_ne_bytes());
        }
        for (from, to) in [(0, n), (3, 99_000), (12_345, 67_891), (50, 51)] {
            let chunk = a.slice(ndarray::s![from..to]).into_dyn();
            let aligned = tree_pieces(chunk, &[from], &[n]).unwrap();
            let held = F64Bytes::new(&bytes[1 + 8 * from..1 + 8 * to]).unwrap();
            let misaligned = tree_pieces_of_bytes(held, &[to - from], &[from], &[n]).unwrap();
            let bits = |p: &Pieces| p.node_sums.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&misaligned), bits(&aligned), "{from}..{to}");
            assert_eq!(misaligned.node_starts, aligned.node_starts);
            assert_eq!(misaligned.cut_values, aligned.cut_values);
        }
    }

    #[test]
    fn a_zero_d_array_is_one_piece() {
        let a = ArrayD::from_elem(IxDyn(&[]), 2.5);
        assert_eq!(sum_of_blocks(&a, &[]).unwrap(), 2.5);
    }

    #[test]
    fn a_chunk_sends_little_of_a_long_array() {
        let a = ndarray::Array1::from(values(1_000_000)).into_dyn();
        let pieces = tree_pieces(
            a.slice(ndarray::s![123_457..654_321]).into_dyn(),
            &[123_457],
            &[1_000_000],
        )
        .unwrap();
        assert!(
            pieces.node_sums.len() <= 2 * 16,
            "{} nodes",
            pieces.node_sums.len()
        );
        assert!(
            pieces.cut_values.len() < 2 * LEAF,
            "{} values",
            pieces.cut_values.len()
        );
    }

    #[test]
    fn a_missing_or_repeated_chunk_is_refused() {
        let a = ndarray::Array1::from(values(1000)).into_dyn();
        let left = tree_pieces(a.slice(ndarray::s![..300]).into_dyn(), &[0], &[1000]).unwrap();
        let right = tree_pieces(a.slice(ndarray::s![300..]).into_dyn(), &[300], &[1000]).unwrap();
        let missing = sum_of_pieces(left.nodes(), left.cuts(), 1000);
        assert!(missing.is_err());
        let twice = sum_of_pieces(
            left.nodes().chain(left.nodes()).chain(right.nodes()),
            left.cuts().chain(left.cuts()).chain(right.cuts()),
            1000,
        );
        assert!(twice.is_err());
    }

    #[test]
    fn a_chunk_that_does_not_fit_is_refused() {
        let a = ndarray::Array2::<f64>::zeros((3, 4)).into_dyn();
        assert!(matches!(
            tree_pieces(a.view(), &[0, 1], &[3, 4]),
            Err(ChunkError::OutOfBounds { axis: 1, .. })
        ));
        assert!(matches!(
            tree_pieces(a.view(), &[0], &[3, 4]),
            Err(ChunkError::Axes { .. })
        ));
        assert_eq!(
            tree_pieces(a.view(), &[0, 0], &[1 << 40, 1 << 40]),
            Err(ChunkError::TooLarge)
        );
        // More values than an array can hold, though the product fits a usize.
        assert_eq!(
            tree_pieces(a.view(), &[0, 0], &[1 << 61, 4]),
            Err(ChunkError::TooLarge)
        );
        // An empty array has no runs, however long its other axes (their strides would
        // overflow).
        let empty = ndarray::ArrayD::<f64>::zeros(IxDyn(&[0, 1, 1]));
        let pieces = tree_pieces(empty.view(), &[0, 0, 0], &[0, 1 << 32, 1 << 32]).unwrap();
        assert_eq!(pieces, Pieces::default());
    }

    #[test]
    fn forged_pieces_of_an_empty_array_are_refused() {
        let forged = [Node {
            start: 0,
            len: 0,
            sum: 5.0,
        }];
        assert!(sum_of_pieces(forged, std::iter::empty::<Cut<'_>>(), 0).is_err());
        let none: [Node; 0] = [];
        assert_eq!(
            sum_of_pieces(none, std::iter::empty::<Cut<'_>>(), 0),
            Ok(0.0)
        );
    }
}
