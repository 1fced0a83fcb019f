# The tutorial's array_ops.pyx, unchanged but for its name, the smallest fix that makes it build:
# Fix: Cython writes its output for array_ops.pyx to array_ops.c, and refuses to overwrite the
#      tutorial's hand-written array_ops.c beside it; renamed, the module is array_ops_wrapper.
# Still the tutorial's code: it assumes a contiguous array (wrong on a[::3], heap corruption on
# a[::-1], IndexError on an empty array). The comparison only gives it contiguous arrays.
cdef extern void square_array(double *arr, int size)  

def square_numpy_array(double[:] arr):  
    square_array(&arr[0], arr.shape[0])  
