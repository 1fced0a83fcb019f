# Not a tutorial file: a peer for section 4's comparison. The tutorial's C `square`,
# `double square(double x) { return x * x; }`, made a NumPy ufunc by Cython 3, so it takes
# any float64 array (any layout) and `out=`, as np.square does.
cimport cython


@cython.ufunc
cdef double square(double x):
    return x * x
