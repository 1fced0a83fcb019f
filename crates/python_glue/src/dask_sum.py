"""The sums of a Dask array: a lazy 0-d Dask array with np.sum's bits, for any chunking.

The modules run this file (compiled into them) only when a sum is given a dask.array.Array,
so Dask stays optional. It builds the graph; the work is the module's own functions:

- float arrays: each chunk's ``tree_pieces`` (the sums of NumPy's tree's nodes that lie
  inside the chunk, and its values of the leaves its edges cut), then one task,
  ``sum_of_tree_pieces``, walks the tree from the root over all of them. A node's sum
  depends only on its values and its depth, so the bits are np.sum's of the whole C-ordered
  array, whatever the chunks and wherever each runs.
- integer arrays: each chunk's exact sum (a Python int), added up exactly.

Each chunk is summed where it lies (as Dask schedules it); only the pieces travel, to the
task that combines them: a few KB for a chunk that spans the array's trailing axes whole, up
to every value of a chunk whose rows are short (see docs/beyond-one-machine.md).
"""

import itertools
import math

import dask
import dask.array as da
import numpy as np


def lazy_sum(func, x, keepdims, tree_pieces, sum_of_tree_pieces, exact_sum):
    """The sum of every value of ``x`` by ``func`` as a 0-d Dask array (shape ``(1,) * x.ndim``
    with ``keepdims``); computed, a NumPy float64 (what Dask's own sums give) or the exact
    Python int."""
    if any(math.isnan(size) for chunks in x.chunks for size in chunks):
        raise ValueError(
            f"{func}(): expected a Dask array of known chunk sizes, got chunks {x.chunks}: "
            "call x.compute_chunk_sizes() first"
        )
    # Each block's index of its first value, in the C order of x.to_delayed().ravel().
    starts = [itertools.accumulate(chunks[:-1], initial=0) for chunks in x.chunks]
    offsets = itertools.product(*(list(axis) for axis in starts))
    blocks = x.to_delayed().ravel()
    if np.issubdtype(x.dtype, np.integer):
        sums = [dask.delayed(exact_sum, pure=True)(block) for block in blocks]
        total = dask.delayed(sum, pure=True)(sums)
        dtype = np.int64
    else:
        pieces = [
            dask.delayed(tree_pieces, pure=True)(block, offset, x.shape)
            for block, offset in zip(blocks, offsets, strict=True)
        ]
        total = dask.delayed(sum_of_tree_pieces, pure=True)(pieces, x.shape)
        # What the result's metadata says it holds, so that it composes with other arrays.
        total = dask.delayed(np.float64, pure=True)(total)
        dtype = np.float64
    if keepdims:
        # As sum_array(a, keepdims=True): an array (an int sum beyond int64: OverflowError).
        shape = (1,) * x.ndim
        total = dask.delayed(np.full, pure=True)(shape, total, dtype=dtype)
        return da.from_delayed(total, shape=shape, dtype=dtype)
    return da.from_delayed(total, shape=(), dtype=dtype)
