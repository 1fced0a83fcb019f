"""NaN payloads and signs: `sum_array` and `parallel_sum` have `np.sum`'s bits there too.

On x86 an addition of two NaNs returns its first operand's NaN, so where two NaNs of distinct
payloads or signs meet, the operand order of that addition decides the result's bits. NumPy's
order is that of its compiled code, which its wheels build once for CPUs with AVX2 and once
for older ones; the two differ. The sums reproduce the AVX2 build's: these tests run where
NumPy runs that build.
"""

import platform

import fast_operations
import numpy as np
import parallel_sum
import pytest
from helpers import bits

_features = getattr(np._core._multiarray_umath, "__cpu_features__", {})
pytestmark = [
    pytest.mark.skipif(
        platform.machine() not in ("x86_64", "AMD64")
        or not (_features.get("AVX2") and _features.get("FMA3")),
        reason="NumPy's NaN operand order is reproduced for its x86-64 AVX2 build only",
    ),
    # np.sum warns of the signalling NaN it quiets.
    pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning"),
]

NEGATIVE_1 = np.uint64(0xFFF8_0000_0000_0001).view(np.float64)
POSITIVE_2 = np.uint64(0x7FF8_0000_0000_0002).view(np.float64)
SIGNALLING_3 = np.uint64(0x7FF0_0000_0000_0003).view(np.float64)


def values(n, seed):
    return np.random.default_rng(seed).standard_normal(n)


def pairs(n, step=1):
    return [(i, j) for i in range(0, n, step) for j in range(n) if i != j]


@pytest.mark.parametrize("n", [2, 7, 8, 9, 16, 17, 127, 128, 129, 130, 256, 260, 1000])
@pytest.mark.parametrize("nans", [(NEGATIVE_1, POSITIVE_2), (SIGNALLING_3, NEGATIVE_1)])
def test_sum_array_nan_pairs_have_numpys_bits(n, nans):
    clean = values(n, n)
    for i, j in pairs(n, 1 if n <= 260 else 13):
        a = clean.copy()
        a[i], a[j] = nans
        assert bits(fast_operations.sum_array(a)) == bits(np.sum(a)), (n, i, j)


@pytest.mark.parametrize("n", [9, 130, 260])
@pytest.mark.parametrize("step", [2, -1, 3])
def test_strided_nan_pairs_have_numpys_bits(n, step):
    base = values(3 * n, n)
    for i, j in pairs(n):
        a = base.copy()
        view = a[::step][:n]
        view[i], view[j] = NEGATIVE_1, POSITIVE_2
        assert bits(fast_operations.sum_array(view)) == bits(np.sum(view)), (n, step, i, j)


@pytest.mark.parametrize("n", [8, 130, 260])
def test_float32_nan_pairs_have_the_bits_of_numpys_sum_in_float64(n):
    clean = values(n, n).astype(np.float32)
    x, y = np.array([0xFFC0_0001, 0x7FC0_0002], dtype=np.uint32).view(np.float32)
    for i, j in pairs(n):
        a = clean.copy()
        a[i], a[j] = x, y
        expected = np.sum(a.astype(np.float64))
        assert bits(fast_operations.sum_array(a)) == bits(expected), (n, i, j)


@pytest.mark.parametrize("n", [1000, 65_536, 70_007, 300_007])
def test_parallel_sum_nan_pairs_in_different_subtrees_have_numpys_bits(n):
    clean = values(n, n)
    # Positions spread over the tree: most pairs lie in different subtrees, summed on
    # different threads and joined at nodes of both parities of depth.
    positions = sorted({*range(0, n, n // 13), n // 2, n - 1})
    for i in positions:
        for j in positions:
            if i == j:
                continue
            a = clean.copy()
            a[i], a[j] = NEGATIVE_1, POSITIVE_2
            expected = bits(np.sum(a))
            assert bits(parallel_sum.parallel_sum(a)) == expected, (n, i, j)
            assert bits(fast_operations.sum_array(a)) == expected, (n, i, j)
            if n >= 65_536:
                spread = np.repeat(a, 2)
                assert bits(parallel_sum.parallel_sum(spread[::2])) == expected, (n, i, j)


@pytest.mark.parametrize("n", [70_007, 300_006])
def test_nan_pairs_in_views_nd_and_along_axes_have_numpys_bits(n):
    # Rows of 7 of a plane of 14 (axes that do not merge: NumPy sums runs of 1170 rows apart
    # and adds them up), and the plane's sums along its rows. (Along axis 0, NumPy adds each
    # row into the results value by value, in a SIMD loop whose operand order differs between
    # its vector body and its remainder, and between CPUs: two NaNs meeting there are not
    # held to its payload.)
    clean = values(2 * n, n).reshape(-1, 14)
    positions = sorted({*range(0, n, n // 11), n // 2, n - 1})
    for i in positions:
        for j in positions:
            if i == j:
                continue
            a = clean.copy()
            rows = a[:, :7]
            rows.flat[i], rows.flat[j] = NEGATIVE_1, POSITIVE_2
            for axis in [None, 1, (0, 1)]:
                expected = array_bits(np.sum(rows, axis=axis))
                for total in (fast_operations.sum_array, parallel_sum.parallel_sum):
                    assert array_bits(total(rows, axis)) == expected, (n, i, j, axis, total)


def array_bits(x) -> list:
    """The bits of each float of a float or an array, as ints."""
    return np.asarray(x, dtype=np.float64).view(np.uint64).ravel().tolist()
