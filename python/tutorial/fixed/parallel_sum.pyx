# The tutorial's parallel_sum.pyx with the smallest fix that makes it build:
# Fix: the tutorial wraps `prange(..., nogil=True)` in `with nogil:`, which releases the GIL
#      twice; Cython refuses ("Trying to release the GIL while it was previously released").
#      `prange(nogil=True)` releases it by itself, so the `with nogil:` line is dropped.
# (build.py also compiles and links it with -fopenmp: without it, prange runs on one thread.)
from cython.parallel import prange  
cimport numpy as cnp  

def parallel_sum(cnp.ndarray[cnp.float64_t, ndim=1] arr):  
    cdef double total = 0  
    cdef int i  
    for i in prange(arr.shape[0], nogil=True):  
        total += arr[i]  
    return total  
